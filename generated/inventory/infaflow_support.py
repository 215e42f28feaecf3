"""Runtime support for jobs converted by infaflow (shipped with every project as ``infaflow_support.py``).

This module depends on PySpark and the standard library only, so a converted project runs with
``spark-submit`` on any cluster without infaflow installed. It holds what a PowerCenter session does
around the mapping logic: resolving parameters and directories, reading and writing flat files,
reading and writing relational tables (an embedded Parquet store by default, JDBC through a
connections file), Sequence Generator state kept between runs, row counts per source and target.

Generated code never calls a Python UDF: everything here builds native Spark plans.
"""

from __future__ import annotations

import argparse
import codecs
import functools
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import tomllib
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pyspark.sql import Column, DataFrame, DataFrameWriter, Observation, SparkSession, Window
from pyspark.sql import functions as F

ROW_ID = "_row_id"  # PowerCenter's row order, captured at source read
CANCEL_KEY = "__infaflow_cancel__"  # params entry: an Event set when the run is stopped
JOBS_KEY = "__infaflow_jobs__"  # params entry: a list each Job joins, so the caller can release it on failure
ROW_TYPE = "_row_type"  # DD_INSERT=0, DD_UPDATE=1, DD_DELETE=2, DD_REJECT=3 (Update Strategy)
ROW_ERROR = "_row_error"  # a row's error message (NULL: no error): the row is rejected (Job.reject_errors)
DD_INSERT, DD_UPDATE, DD_DELETE, DD_REJECT = 0, 1, 2, 3
#: this module's version (infaflow.codegen.rowcontract.SUPPORT_VERSION when it was converted): a generated job
#: calls require_version with the version it was converted for, and refuses an older module
SUPPORT_VERSION = 4
DEFAULT_DATE_FORMAT = "MM/DD/YYYY HH24:MI:SS.US"  # a session's DateTime Format String when it sets none
TC_CONTINUE_TRANSACTION, TC_COMMIT_BEFORE, TC_COMMIT_AFTER = 0, 1, 2  # Transaction Control actions
TC_ROLLBACK_BEFORE, TC_ROLLBACK_AFTER = 3, 4
_INDICATOR = "_row_indicator"  # a relational target's reject: the row's flag before the writer's settings
_TXN, _FILE = "_txn", "_file"  # a row's transaction and the FileName value of its first row
_ROLLED_BACK = "_rolled_back"  # whether a row's transaction is rolled back


def require_version(needed: int) -> None:
    """Called by a generated job as it imports this module: an ImportError when the module is older than the
    job (a project's ``infaflow_support.py`` not replaced when the job was converted again)."""
    if SUPPORT_VERSION < needed:
        raise ImportError(
            f"{__file__} is version {SUPPORT_VERSION} of the infaflow support module; this job "
            f"needs version {needed} or later: copy infaflow_support.py from the same conversion"
        )


_PROCESS_DIRS = {
    "$PMRootDir": ".",
    "$PMSourceFileDir": "$PMRootDir/SrcFiles",
    "$PMTargetFileDir": "$PMRootDir/TgtFiles",
    "$PMBadFileDir": "$PMRootDir/BadFiles",
    "$PMLookupFileDir": "$PMRootDir/LkpFiles",
    "$PMCacheDir": "$PMRootDir/Cache",
    "$PMTempDir": "$PMRootDir/Temp",
    "$PMStorageDir": "$PMRootDir/Storage",
}


class SessionStopped(RuntimeError):
    """The run was asked to stop (``infaflow run`` stop request)."""


class SessionFailed(RuntimeError):
    """The session fails as PowerCenter fails it: `Stop on errors` reached."""


class NotConverted(NotImplementedError):
    """Raised where logic that infaflow could not convert belongs (``convert --allow-partial``)."""


@dataclass
class SessionResult:
    """What one run of a converted session did: rows read per source, written and rejected per target."""

    session: str
    source_rows: dict[str, int] = field(default_factory=dict)
    target_rows: dict[str, int] = field(default_factory=dict)
    rejected_rows: dict[str, int] = field(default_factory=dict)
    # rows the database reports as changed per relational target (an update matching no row affects 0, one
    # matching three affects 3); target_rows counts the rows applied (sent to the target without error)
    affected_rows: dict[str, int] = field(default_factory=dict)
    source_rejected_rows: dict[str, int] = field(default_factory=dict)  # reader conversion errors
    trans_errors: int = 0
    row_error_file: str = ""  # where rejected source rows and transformation errors were written
    procedure_errors: list[str] = field(
        default_factory=list
    )  # pre/post-load procedures that failed (Continue)
    mapping_variables: dict[str, Any] = field(default_factory=dict)

    @property
    def src_success_rows(self) -> int:
        return sum(self.source_rows.values())

    @property
    def src_failed_rows(self) -> int:
        return sum(self.source_rejected_rows.values())

    @property
    def tgt_success_rows(self) -> int:
        return sum(self.target_rows.values())

    @property
    def tgt_failed_rows(self) -> int:
        return sum(self.rejected_rows.values())

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(
            SrcSuccessRows=self.src_success_rows,
            SrcFailedRows=self.src_failed_rows,
            TgtSuccessRows=self.tgt_success_rows,
            TgtFailedRows=self.tgt_failed_rows,
            TotalTransErrors=self.trans_errors,
        )
        return out


@dataclass(frozen=True)
class Connection:
    """A relational connection: the embedded store (``url`` empty) or JDBC."""

    name: str
    url: str = ""
    driver: str = ""
    user: str = ""
    password: str = ""
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def is_jdbc(self) -> bool:
        return bool(self.url)

    def jdbc_options(self) -> dict[str, str]:
        opts = {"url": self.url, **self.properties}
        if self.driver:
            opts["driver"] = self.driver
        if self.user:
            opts["user"] = self.user
        if self.password:
            opts["password"] = self.password
        return opts


def load_connections(path: str | Path | None) -> dict[str, Connection]:
    """Connections from a TOML file; credentials come from the environment.

    ``[connections.NAME]`` with ``url``, ``driver``, ``user_env``, ``password_env`` (names of
    environment variables) and an optional ``[connections.NAME.properties]`` table.
    """
    if not path or not Path(path).is_file():
        return {}
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    out: dict[str, Connection] = {}
    for name, cfg in (data.get("connections") or {}).items():
        out[name.lower()] = Connection(
            name=name,
            url=str(cfg.get("url", "")),
            driver=str(cfg.get("driver", "")),
            user=os.environ.get(str(cfg.get("user_env", "")), str(cfg.get("user", ""))),
            password=os.environ.get(str(cfg.get("password_env", "")), ""),
            properties={k: str(v) for k, v in (cfg.get("properties") or {}).items()},
        )
    return out


def store_table_path(store: str | Path, connection: str, table: str) -> Path:
    """Where the embedded store keeps ``connection.table``: one folder per connection, one Parquet
    table per table (names compared case-insensitively with what is already there)."""
    root = Path(store)
    conn_dir = _existing(root, connection) or root / connection
    return _existing(conn_dir, table) or conn_dir / table.lower()


def _existing(parent: Path, name: str) -> Path | None:
    if not parent.is_dir():
        return None
    low = name.lower()
    return next((p for p in parent.iterdir() if p.name.lower() == low), None)


def _spark_format(fmt: str) -> str:
    """A PowerCenter date format (``MM/DD/YYYY HH24:MI:SS``) as a Spark datetime pattern."""
    table = [
        ("YYYY", "yyyy"),
        ("HH24", "HH"),
        ("HH12", "hh"),
        ("MON", "MMM"),
        ("MI", "mm"),
        ("SS", "ss"),
        ("DD", "dd"),
        ("MM", "MM"),
        ("YY", "yy"),
        ("US", "SSSSSS"),
        ("MS", "SSS"),
        ("NS", "SSSSSSSSS"),
        ("AM", "a"),
        ("PM", "a"),
    ]
    out, i, upper = [], 0, fmt.upper()
    while i < len(fmt):
        for token, repl in table:
            if upper.startswith(token, i):
                out.append(repl)
                i += len(token)
                break
        else:
            ch = fmt[i]
            out.append(f"'{ch}'" if ch.isalpha() else ch)
            i += 1
    return "".join(out)


class Sequence:
    """A Sequence Generator: NEXTVAL numbers rows in PowerCenter order; Current Value persists."""

    def __init__(
        self,
        job: Job,
        name: str,
        *,
        start: int,
        increment: int,
        end: int,
        cycle: bool,
        current: int,
        reset: bool,
        cached: int = 0,
    ) -> None:
        self.job, self.name = job, name
        self.start, self.increment, self.end, self.cycle, self.reset = start, increment, end, cycle, reset
        self.cached = cached  # Number of Cached Values: values are drawn in blocks of this size
        self._path = Path(job.directory("$PMStorageDir")) / "sequences" / f"{name}.json"
        self.current = current
        if not reset and self._path.is_file():
            self.current = int(json.loads(self._path.read_text())["current_value"])
        self._numbered: list[tuple[Observation, DataFrame]] = []  # each transformation NEXTVAL feeds

    def number(self, df: DataFrame, nextval: str | None, currval: str | None = None) -> DataFrame:
        """``df`` with NEXTVAL (and CURRVAL = NEXTVAL + Increment By) in row order.

        NEXTVAL connected to several transformations gives each unique values (Transformation Guide,
        "NEXTVAL Port": each target receives a block of sequence numbers after the other), as the
        Slowly Changing Dimension mappings rely on: the first transformation the job numbers takes the
        first values, one per row, the next one the values after them [block size unconfirmed: one block
        per transformation]."""
        if not nextval and currval:
            # CURRVAL without NEXTVAL: "the Integration Service passes a constant value for each row"
            # (Transformation Guide, CURRVAL); no NEXTVAL is drawn, so the sequence does not advance.
            return df.withColumn(currval, F.lit(self.current + self.increment).cast("bigint"))
        n = F.row_number().over(Window.orderBy(ROW_ID)) - 1
        if self._numbered:  # after the rows of the transformations numbered before
            before = [frame.select(F.lit(1).alias("_one")) for _obs, frame in self._numbered]
            rows = functools.reduce(DataFrame.unionAll, before).agg(F.count(F.lit(1)).alias("_seq_offset"))
            df = df.crossJoin(rows)
            n = n + F.col("_seq_offset")
        if self.cycle:
            per_cycle = (self.end - self.start) // self.increment + 1
            first = (self.current - self.start) // self.increment
            value = F.lit(self.start) + F.pmod(n + F.lit(first), F.lit(per_cycle)) * F.lit(self.increment)
        else:
            value = F.lit(self.current) + n * F.lit(self.increment)
        out = df.withColumn(nextval or "_nextval", value.cast("bigint"))
        if currval:
            out = out.withColumn(
                currval, (F.col(nextval or "_nextval") + F.lit(self.increment)).cast("bigint")
            )
        if not nextval:
            out = out.drop("_nextval")
        if self._numbered:
            out = out.drop("_seq_offset")
        observation = Observation(_observation_name(f"seq_{self.name}"))
        observed = _observe(out, observation, F.count(F.lit(1)).alias("rows"))
        self._numbered.append((observation, observed))
        return observed

    def finish(self) -> None:
        """Check the End Value and save the next Current Value (after the session's writes)."""
        if not self._numbered:
            return
        rows = sum(_observed_rows(obs, frame, F.count(F.lit(1))) for obs, frame in self._numbered)
        last = self.current + (rows - 1) * self.increment
        if rows and not self.cycle and last > self.end:
            raise RuntimeError(f"Sequence {self.name}: value {last} passes End Value {self.end}")
        drawn = -(-rows // self.cached) * self.cached if self.cached > 0 else rows  # whole blocks
        nxt = self.current + drawn * self.increment
        if self.cycle and nxt > self.end:
            span = (self.end - self.start) // self.increment + 1
            nxt = self.start + ((nxt - self.start) // self.increment % span) * self.increment
        if not self.reset:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._path.write_text(json.dumps({"current_value": nxt}))


class GeneratedKey:
    """A Normalizer's generated key (a ``GK_`` port): one value per input row, the same for every row the
    input row becomes, in row order. It starts from the value the last session saved (the port's
    SEQUENCE_GENERATOR_VALUE the first time), or from 1 with ``restart``; the next value is saved in
    $PMStorageDir/normalizer/ unless ``reset``."""

    def __init__(
        self, job: Job, name: str, *, value: int, reset: bool, restart: bool, store: str = "normalizer"
    ) -> None:
        self.name, self.reset = name, reset
        self._path = Path(job.directory("$PMStorageDir")) / store / f"{name}.json"
        self.first = value
        if restart:
            self.first = 1
        elif self._path.is_file():
            self.first = int(json.loads(self._path.read_text())["value"])
        self._observation: Observation | None = None
        self._observed: DataFrame | None = None

    def number(self, df: DataFrame, column: str) -> DataFrame:
        """``df`` (the Normalizer's input rows) with the key in ``column``, in row order."""
        key = F.row_number().over(Window.orderBy(ROW_ID)) + F.lit(self.first - 1)
        self._observation = Observation(_observation_name(f"gk_{self.name}"))
        self._observed = _observe(
            df.withColumn(column, key.cast("bigint")), self._observation, F.count(F.lit(1)).alias("rows")
        )
        return self._observed

    def finish(self) -> None:
        """Save the next value (after the session's writes), unless ``reset``."""
        if self.reset or self._observation is None or self._observed is None:
            return
        rows = _observed_rows(self._observation, self._observed, F.count(F.lit(1)))
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._path.write_text(json.dumps({"value": self.first + rows}))


class Job:
    """The context of one session run: parameters, directories, connections and row counts."""

    def __init__(
        self,
        spark: SparkSession,
        session: str,
        params: dict[str, Any] | None,
        parameters: dict[str, tuple[str, Any]] | None = None,
        *,
        stop_on_errors: int | str = 0,
        variables: dict[str, str] | None = None,
        date_format: str = DEFAULT_DATE_FORMAT,
        stop_on_procedure_error: bool = True,
    ) -> None:
        """``stop_on_errors``: the session's `Stop on errors` (0 = never; N = fail once a source or a
        transformation has N row errors), a number or a variable such as ``$PMSessionErrorThreshold``.
        ``variables``: the mapping variables (name -> aggregation type MAX, MIN or COUNT), whose final values
        :meth:`finish` returns in ``SessionResult.mapping_variables``.
        ``date_format``: the session's `DateTime Format String` (implicit date-to-string conversions).
        ``stop_on_procedure_error``: the session's `On Stored Procedure error` (Stop = True, Continue =
        False)."""
        self.spark = spark
        self.session = session
        self.date_format = date_format
        self.stop_on_procedure_error = stop_on_procedure_error
        self._post_procedures: list[tuple[str, Connection, str, str]] = []
        self._staging: list[tuple[Connection, str]] = []  # staging tables of per-row procedure calls
        self._error_rows: list[tuple[str, str, DataFrame]] = []  # (instance, kind, rows with ROW_ERROR)
        self._reject_files: set[str] = set()  # reject files this run has written
        self.params: dict[str, Any] = {}
        self._cancel = (params or {}).get(CANCEL_KEY)  # a threading.Event from the session executor
        for name, (_type, default) in (parameters or {}).items():
            self.params[name.lower()] = default
        for name, value in (params or {}).items():
            if name not in (CANCEL_KEY, JOBS_KEY):
                self.params[name.lower()] = value
        self._shared: list[DataFrame] = []  # frames several targets read (share), released by release()
        jobs = (params or {}).get(JOBS_KEY)
        if isinstance(jobs, list):
            jobs.append(self)
        self._types = {name.lower(): t for name, (t, _d) in (parameters or {}).items()}
        threshold = str(stop_on_errors).strip()
        if threshold.startswith("$"):
            threshold = str(self.params.get(threshold.lower(), 0))
        self.stop_on_errors = int(threshold) if threshold.lstrip("-").isdigit() else 0
        self.result = SessionResult(session)
        self._observed: list[tuple[dict[str, int], str, Observation, DataFrame, Column]] = []
        self._sequences: list[Sequence | GeneratedKey] = []
        self._variables = {
            name.lower(): (name, aggregation) for name, aggregation in (variables or {}).items()
        }
        self._variable_values: dict[str, tuple[Observation, DataFrame, Column]] = {}
        self._errors: dict[str, int] = {}
        self._transactions: dict[str, DataFrame] = {}  # Transaction Control -> rows' transactions
        self._post_sql: list[tuple[str, Connection, str, str]] = []
        self.connections = load_connections(
            self.params.get("$infaflowconnections")
            or os.environ.get("INFAFLOW_CONNECTIONS")
            or "connections.toml"
        )
        self.store = Path(
            self.params.get("$infaflowstore") or os.environ.get("INFAFLOW_STORE") or ".infaflow/store"
        )

    def check_stop(self) -> None:
        """Raise :class:`SessionStopped` once a stop was requested (checked before each read and write)."""
        if self._cancel is not None and self._cancel.is_set():
            raise SessionStopped(f"{self.session}: stopped")

    # -- parameters and directories -------------------------------------------------------------

    def param(self, name: str) -> Column:
        """A mapping parameter or variable, or a session/process variable, as a typed literal."""
        value = self.params.get(name.lower())
        dtype = self._types.get(name.lower(), "string")
        if value is None and name.lower() not in self.params:
            raise KeyError(f"parameter {name} has no value (set it with --param {name}=VALUE)")
        if value == "" and dtype != "string":  # an empty value is NULL (a parameter file's NAME=)
            return F.lit(None).cast(dtype)
        if dtype == "timestamp" and isinstance(value, str):
            fmt = "MM/DD/YYYY HH24:MI:SS.US" if "." in value else "MM/DD/YYYY HH24:MI:SS"
            return F.to_timestamp(F.lit(value), _spark_format(fmt))
        return F.lit(value).cast(dtype)

    def text(self, value: str) -> str:
        """Expand $PM directories and parameters inside a file name, a directory or SQL. A date/time value (a
        mapping variable's saved value) is written MM/DD/YYYY HH24:MI:SS, as PowerCenter passes datetime
        values in SQL to Oracle, SQL Server and Sybase sources."""
        import datetime as dt

        def repl(m: re.Match[str]) -> str:
            key = m.group(0)
            if key.lower() in self.params:
                found = self.params[key.lower()]
                return found.strftime("%m/%d/%Y %H:%M:%S") if isinstance(found, dt.datetime) else str(found)
            if key in _PROCESS_DIRS:
                return self.directory(key)
            return key

        return re.sub(r"\$\$?[A-Za-z_][A-Za-z0-9_]*", repl, value)

    def directory(self, name: str) -> str:
        value = self.params.get(name.lower())
        if value is None:
            value = _PROCESS_DIRS.get(name, ".")
        return self.text(str(value)) if "$" in str(value) and str(value) != name else str(value)

    def path(self, directory: str, file_name: str) -> str:
        name = self.text(file_name)
        if os.path.isabs(name):
            return name
        # Exports made on Windows end directories with a backslash ($PMSourceFileDir\): a separator, not a
        # name.
        folder = self.text(directory or ".")
        return os.path.join(folder.rstrip("\\") or folder, name)

    def file_list(self, path: str) -> list[str]:
        """The files an indirect source's file list names, in list order (Workflow Basics Guide, "Creating
        the File List"): one name or path per line, leading blanks ignored, blank lines skipped; a name
        without a directory is in the file list's directory."""
        self.check_stop()
        names = [row[0].strip() for row in self.spark.read.text(path).collect()]  # a few lines
        folder = os.path.dirname(path)
        files = [n if "/" in n or "\\" in n else os.path.join(folder, n) for n in names if n]
        if not files:
            raise RuntimeError(f"the file list {path} names no file")
        return files

    def read_file_list(self, files: list[str], read: Callable[[str], DataFrame]) -> DataFrame:
        """Every file of a file list read alike (``read``), one after the other: ``_row_id`` orders the rows
        by file, then by their place in the file."""
        frames = [
            read(f).withColumn(ROW_ID, F.struct(F.lit(i).alias("file"), F.col(ROW_ID).alias("row")))
            for i, f in enumerate(files)
        ]
        out = frames[0]
        for frame in frames[1:]:
            out = out.unionByName(frame)
        return out

    def connection(self, default: str, variable: str = "") -> Connection:
        """The connection a reader/writer uses: a session parameter ($DBConnection_X) wins."""
        name = str(self.params.get(variable.lower(), "") if variable else "") or default
        if name.startswith("$"):
            name = str(self.params.get(name.lower(), name))
        return self.connections.get(name.lower(), Connection(name))

    # -- reading -----------------------------------------------------------------------------------

    def _count(
        self, counts: dict[str, int], name: str, df: DataFrame, expr: Column | None = None
    ) -> DataFrame:
        obs = Observation(_observation_name(name))
        metric = expr if expr is not None else F.count(F.lit(1))
        observed = _observe(df, obs, metric.alias("rows"))
        self._observed.append((counts, name, obs, observed, metric))
        return observed

    def read_flat_file(
        self,
        source: str,
        path: str,
        columns: list[tuple[str, str]],
        *,
        delimiter: str = ",",
        quote: str = '"',
        skip_rows: int = 0,
        date_format: str = "MM/DD/YYYY HH24:MI:SS",
        count: bool = True,
        delimiters_as_and: bool = False,
        consecutive_delimiters_as_one: bool = False,
        escape: str = "",
        keep_escape: bool = False,
        codepage: str = "UTF-8",
        row_delimiter: str = "\n",
    ) -> DataFrame:
        """A delimited flat file with PowerCenter's row order in ``_row_id``; values cast to the source types.

        The file is read line by line (``row_delimiter``; a carriage return before a line feed is dropped)
        in its code page (a multibyte one: each line decoded before it is split, so a second byte equal to
        a delimiter, quote or escape is text), the first ``skip_rows`` lines of the file skipped, and each
        line split into fields as the Integration Service does (:class:`DelimitedFormat`): every character
        of ``delimiter`` separates fields, or only the whole sequence with ``delimiters_as_and``;
        consecutive delimiters as one; a field that starts with ``quote`` is quoted; ``escape`` before a
        delimiter or a quote (removed unless ``keep_escape``). An empty field is NULL; a short line leaves
        its last fields NULL.
        A row with a value that does not convert is rejected by the reader (SrcFailedRows; the row-error
        file). Lookup caches (``count=False``) read such a value as NULL."""
        self.check_stop()
        fmt = DelimitedFormat(
            delimiter or ",", delimiters_as_and, consecutive_delimiters_as_one, quote, escape, keep_escape
        )
        codec, kind = _code_page(codepage)
        if kind == "multibyte":
            self.spark.conf.set(JAVA_CHARSETS_CONF, "true")  # before any frame decodes: see _decoded
        lines = self._lines(path, codec, kind, row_delimiter)
        if not _decoded_whole(codec, kind, row_delimiter):  # a multibyte line is decoded before it is split
            lines = lines.select(_decoded(F.col("value"), codec, kind).alias("value"), ROW_ID)
        lines = _skip_lines(lines, skip_rows)
        values = fmt.fields(F.col("value"), len(columns))
        df = lines.select(*[v.alias(c) for v, (c, _t) in zip(values, columns, strict=True)], ROW_ID)
        return self._typed_source(source, df, columns, date_format, count)

    def _lines(self, path: str, codec: str, kind: str, row_delimiter: str = "\n") -> DataFrame:
        """The lines of a file (``value``) with their order (``_row_id``): for single-byte, UTF-8 and
        multibyte code pages the raw bytes of each line, one Latin-1 character per byte (the text reader
        splits lines on bytes, so any such file reads in parallel); UTF-16 and UTF-32 files, and multibyte
        files whose row delimiter may be the second byte of a character, decoded whole by Spark (the caller
        has set JAVA_CHARSETS_CONF for a multibyte code page)."""
        sep = row_delimiter or "\n"
        if _decoded_whole(codec, kind, sep):
            charset = MULTIBYTE_CODE_PAGES[codec].charset if kind == "multibyte" else _SPARK_UNICODE[codec]
            text = F.decode(F.col("content"), charset)
            whole = self.spark.read.format("binaryFile").load(path).select(text.alias("text"))
            parts = F.split(F.col("text"), re.escape(sep))
            df = whole.select(F.posexplode(parts).alias(ROW_ID, "value"), F.size(parts).alias("_lines"))
            df = df.where(~((F.col(ROW_ID) == F.col("_lines") - 1) & (F.col("value") == "")))
            df = df.select("value", F.col(ROW_ID).cast("bigint").alias(ROW_ID))
        else:
            raw = self.spark.read.text(path, lineSep=_as_bytes(sep, codec) if kind == "byte" else sep)
            value = F.decode(F.col("value").cast("binary"), "ISO-8859-1")
            df = raw.select(value.alias("value"), F.monotonically_increasing_id().alias(ROW_ID))
        if sep == "\n":
            df = df.select(F.regexp_replace("value", "\r$", "").alias("value"), ROW_ID)
        return df

    def read_fixed_width(
        self,
        source: str,
        path: str,
        columns: list[tuple[str, str, int, int]],
        *,
        line_sequential: bool = False,
        pad_bytes: int = 0,
        skip_rows: int = 0,
        strip_trailing_blanks: bool = False,
        null_character: str = "*",
        repeat_null: bool = False,
        date_format: str = "MM/DD/YYYY HH24:MI:SS",
        thousand_separator: str = "",
        decimal_separator: str = ".",
        count: bool = True,
        codepage: str = "UTF-8",
    ) -> DataFrame:
        """A fixed-width flat file: ``columns`` are (name, type, offset, length) in bytes from the start of
        the record, each field's bytes decoded on their own in the file's code page (single-byte, UTF-8 or
        multibyte: a character the field's end cuts reads as U+FFFD). Line sequential: one
        record per line (a short line leaves its last fields short or NULL). Otherwise records are exactly
        the record length followed by ``pad_bytes`` bytes to skip (the line end, usually). The first
        ``skip_rows`` records are skipped. Null character (Workflow Basics Guide, "Configuring Fixed-Width
        File Properties"): a field whose first character is the null character is NULL; with
        ``repeat_null`` a field made only of null characters is NULL. Strings keep their trailing blanks
        unless ``strip_trailing_blanks``. As for delimited files, a row with a value that does not convert
        is rejected by the reader (SrcFailedRows; the row-error file); blanks are NULL. Lookup caches
        (``count=False``) read such a value as NULL."""
        self.check_stop()
        codec, kind = _code_page(codepage)
        if kind not in ("byte", "utf-8", "multibyte"):
            raise NotConverted(f"{source}: fixed-width file in code page {codepage}: not supported")
        if kind == "multibyte":
            self.spark.conf.set(JAVA_CHARSETS_CONF, "true")  # before any frame decodes: see _decoded
        if line_sequential:
            df = _skip_lines(self._lines(path, codec, kind), skip_rows)
        else:
            record = max((offset + length for _n, _t, offset, length in columns), default=0)
            step = record + max(pad_bytes, 0)
            whole = (
                self.spark.read.format("binaryFile")
                .load(path)
                .select(F.decode(F.col("content"), "ISO-8859-1").alias("value"))
            )  # one character per byte
            size = F.length("value")
            count_expr = F.ceil(size / F.lit(step)).cast("int")
            df = whole.select(
                "value",
                F.explode(F.when(size > 0, F.sequence(F.lit(0), count_expr - 1)).otherwise(F.array())).alias(
                    ROW_ID
                ),
            ).select(
                F.col("value").substr(F.col(ROW_ID) * step + 1, F.lit(record)).alias("value"),
                F.col(ROW_ID).cast("bigint").alias(ROW_ID),
            )
            if skip_rows > 0:  # record numbers: the first data record is 0
                df = df.where(F.col(ROW_ID) >= skip_rows).withColumn(ROW_ID, F.col(ROW_ID) - F.lit(skip_rows))
        null = _as_bytes(null_character, codec) if null_character else ""
        texts = []  # each field's text; NULL where the null character says so
        for name, spark_type, offset, length in columns:
            raw = F.substring(F.col("value"), offset + 1, length)
            text = _field_text(raw, codec, kind)
            if strip_trailing_blanks or spark_type != "string":
                text = F.rtrim(text)
            if null:
                if repeat_null:
                    is_null = raw.rlike("^(?:" + _java_literal(null) + ")+$")
                else:
                    is_null = F.substring(raw, 1, len(null)) == F.lit(null)
                text = F.when(is_null, F.lit(None)).otherwise(text)
            if _is_number(spark_type):
                text = _plain_number(text, thousand_separator, decimal_separator)
            texts.append(text.alias(name))
        return self._typed_source(
            source, df.select(*texts, ROW_ID), [(n, t) for n, t, _o, _l in columns], date_format, count
        )

    def read_cobol(
        self,
        source: str,
        path: str,
        fields: list[tuple[Any, ...]],
        *,
        record_length: int,
        pad_bytes: int = 0,
        line_sequential: bool = False,
        skip_rows: int = 0,
        codepage: str = "ISO-8859-1",
    ) -> DataFrame:
        """A COBOL (VSAM) file read byte by byte: ``fields`` are (name, usage, offsets, length, digits,
        scale, sign) for each elementary item, ``offsets`` one per occurrence (a field with several is an
        array column, one element per occurrence, for the Normalizer). Usage ``text`` (PIC X, in the code
        page), ``display`` (zoned digits, sign as ``sign`` says: ``trailing``/``leading`` overpunched,
        ``display-point`` the same with a real decimal point among the digits,
        ``trailing separate``/``leading separate``, ``none``), ``packed`` (COMP-3) and ``binary``
        (COMP, big-endian). Records are ``record_length`` bytes followed by ``pad_bytes``, or one per line.
        A number whose bytes are not valid for its usage (blanks, text of another record type laid over it
        by REDEFINES) is NULL."""
        self.check_stop()
        whole = (
            self.spark.read.format("binaryFile")
            .load(path)
            .select(F.decode(F.col("content"), "ISO-8859-1").alias("value"))
        )  # one character per byte
        if line_sequential:
            lines = F.split(F.col("value"), "\n")
            df = whole.select(F.posexplode(lines).alias(ROW_ID, "value"), F.size(lines).alias("_lines"))
            df = df.where(
                ~((F.col(ROW_ID) == F.col("_lines") - 1) & (F.col("value") == ""))
            )  # the last line end
            df = df.select(
                F.regexp_replace("value", "\r$", "").alias("value"),
                F.col(ROW_ID).cast("bigint").alias(ROW_ID),
            )
        else:
            step = record_length + max(pad_bytes, 0)
            size = F.length("value")
            n = F.ceil(size / F.lit(step)).cast("int")
            df = whole.select(
                "value",
                F.explode(F.when(size > 0, F.sequence(F.lit(0), n - 1)).otherwise(F.array())).alias(ROW_ID),
            )
            df = df.select(
                F.col("value").substr(F.col(ROW_ID) * step + 1, F.lit(record_length)).alias("value"),
                F.col(ROW_ID).cast("bigint").alias(ROW_ID),
            )
        if skip_rows > 0:
            df = df.where(F.col(ROW_ID) >= skip_rows)
        text_table, digit_table = _code_page_table(codepage), _zoned_digit_table(codepage)
        cols = []
        for name, usage, offsets, length, digits, scale, sign in fields:
            table = text_table if usage == "text" else digit_table
            values = [
                _cobol_value(
                    F.substring("value", offset + 1, length), usage, length, digits, scale, sign, table
                )
                for offset in offsets
            ]
            cols.append((values[0] if len(values) == 1 else F.array(*values)).alias(name))
        return self._count(self.result.source_rows, source, df.select(*cols, ROW_ID))

    def read_xml(
        self,
        source: str,
        path: str,
        groups: list[tuple[Any, ...]],
        *,
        keys: dict[str, GeneratedKey],
        empty_as_null: bool = False,
    ) -> dict[str, DataFrame]:
        """An XML file read as PowerCenter's XML reader reads it: one DataFrame per group (view) of the XML
        definition. ``groups`` are (group, path, parent group, key port, foreign key port, fields), parents
        first: the group's rows are the elements at ``path`` (from the root element) in document order, one
        row per occurrence (multiple-occurring elements normalised into rows); ``fields`` are (port, XPath
        relative to the group's element, type), ``./A/B`` an element's text, ``./@a`` an attribute, ``.`` the
        element's own text; a missing element or attribute is NULL. ``keys`` numbers each group's rows with
        its generated key (``XPK_``); the foreign key of a child group (``FK_``) is its parent row's key.
        The document is read with Spark's XML data source (one row per file, the root element), its values
        as text, then cast to the port types (dates and times in XML Schema's ISO 8601 form, not in the
        session's format): a row with a value that does not convert is rejected by the reader.
        ``empty_as_null``: the session's ``Treat empty content as NULL``."""
        self.check_stop()
        tree = _xml_tree(groups)
        root = next(iter(tree.children))
        docs = (
            self.spark.read.format("xml")
            .option("rowTag", root)
            .option("attributePrefix", _XML_ATTRIBUTE)
            .option("valueTag", _XML_TEXT)
            .option("ignoreNamespace", "true")  # elements matched by local name, whatever their prefix
            .option("mode", "FAILFAST")
            .schema(_xml_schema(tree.children[root]))
            .load(path)
        )
        docs = docs.select(
            F.struct(*[F.col(f"`{c}`") for c in docs.columns]).alias(_XML_ELEMENT),
            F.array(F.monotonically_increasing_id()).alias(_XML_ORDER),
        )
        frames: dict[str, DataFrame] = {}
        out: dict[str, DataFrame] = {}
        paths = {g[0]: g[1] for g in groups}
        for group, group_path, parent, key_port, fk_port, fields in groups:
            # The group's rows: its elements under each row of its parent group (or of the document).
            start = paths[parent] if parent is not None else root
            node = tree
            for name in start.split("/"):
                node = node.children[name]
            if parent is not None:
                rows = frames[parent].select(
                    F.col(_XML_ELEMENT),
                    F.col(ROW_ID).alias(_XML_PARENT),
                    F.array(F.col(ROW_ID)).alias(_XML_ORDER),
                )
            else:
                rows = docs.withColumn(_XML_PARENT, F.lit(None).cast("bigint"))
            for name in group_path.split("/")[start.count("/") + 1 :]:
                node = node.children[name]
                rows = rows.select(
                    F.col(_XML_PARENT),
                    F.col(_XML_ORDER),
                    F.posexplode(F.col(_XML_ELEMENT)[name]).alias("_pos", _XML_ELEMENT),
                )
                rows = rows.select(
                    F.col(_XML_ELEMENT),
                    F.col(_XML_PARENT),
                    F.concat(F.col(_XML_ORDER), F.array(F.col("_pos").cast("bigint"))).alias(_XML_ORDER),
                )
            rows = rows.withColumn(ROW_ID, F.col(_XML_ORDER))
            key = keys.get(group)
            if key is not None and key_port:
                rows = key.number(rows, key_port).withColumn(ROW_ID, F.col(f"`{key_port}`"))
            else:
                rows = rows.withColumn(ROW_ID, F.row_number().over(Window.orderBy(_XML_ORDER)).cast("bigint"))
            frames[group] = rows
            texts = []
            for port, xpath, _type in fields:
                value = _xml_value(F.col(_XML_ELEMENT), node, xpath)
                texts.append((F.nullif(value, F.lit("")) if empty_as_null else value).alias(port))
            keys_out = ([F.col(f"`{key_port}`")] if key is not None and key_port else []) + (
                [F.col(_XML_PARENT).alias(fk_port)] if fk_port else []
            )
            typed = rows.select(*keys_out, *texts, ROW_ID)
            columns = [(port, t) for port, _x, t in fields]
            cols = [
                F.col(f"`{c}`") for c in typed.columns if c not in {p for p, _t in columns} and c != ROW_ID
            ]
            cols += [_xml_cast(F.col(f"`{c}`"), t).alias(c) for c, t in columns]
            if any(t != "string" for _c, t in columns):
                typed = typed.select(*cols, ROW_ID, _xml_conversion_error(columns).alias(ROW_ERROR))
                typed = self._reject(f"{source}.{group}", typed, self.result.source_rejected_rows, "reader")
            else:
                typed = typed.select(*cols, ROW_ID)
            out[group] = self._count(self.result.source_rows, f"{source}.{group}", typed)
        return out

    def _typed_source(
        self, source: str, df: DataFrame, columns: list[tuple[str, str]], date_format: str, count: bool
    ) -> DataFrame:
        """Cast the text fields of a flat-file source to their types. The reader rejects a row with a value
        that does not convert (SrcFailedRows, row-error file); a lookup cache (``count=False``) reads it as
        NULL."""
        fmt = _spark_format(date_format)
        cols = [_cast_text(F.col(f"`{c}`"), t, fmt).alias(c) for c, t in columns]
        if not count:
            return df.select(*cols, ROW_ID)
        if all(t == "string" for _c, t in columns):
            df = df.select(*cols, ROW_ID)
        else:
            df = df.select(*cols, ROW_ID, _conversion_error(columns, fmt).alias(ROW_ERROR))
            df = self._reject(source, df, self.result.source_rejected_rows, "reader")
        return self._count(self.result.source_rows, source, df)

    def write_fixed_width(
        self,
        target: str,
        df: DataFrame,
        path: str,
        columns: list[tuple[Any, ...]],
        *,
        null_character: str = "*",
        repeat_null: bool = False,
        date_format: str = "MM/DD/YYYY HH24:MI:SS",
        thousand_separator: str = "",
        decimal_separator: str = ".",
        ordered: bool = True,
        codepage: str = "UTF-8",
        header: bool = False,
        append: bool = False,
        header_command: str = "",
        footer_command: str = "",
        output_command: str = "",
    ) -> None:
        """Write a fixed-width target file in PowerCenter's row order, one line per row. ``columns`` are
        (name, type, width) or (name, type, width, datetime format of the field). Strings are padded with
        blanks on the right and cut at their width; dates are their format's text, padded on the right (cut
        when the field is narrower); numbers are right-aligned (blanks on the left) with the target's
        decimal and thousand separators. NULL is the null character, repeated to the width with
        ``repeat_null``, else once and padded with blanks. A number wider than its field is rejected by the
        writer: the row goes to the reject file (row indicator 0, column indicator ``O`` for the field that
        overflows, ``D``/``N`` for the others) and counts as rejected. ``header``: the field names on the
        first line, ``#`` first, each cut or padded to its field's width (Workflow Basics Guide, "Writing
        Metadata to Flat File Targets"); ``append``, ``codepage`` and the commands as for delimited
        targets."""
        self.check_stop()
        codec, _kind = _code_page(codepage)
        df = self._route_rejects(target, df, insert_only=True)
        df = self._dates_as_text(df, [(c[0], c[1]) for c in columns])
        out = _one_partition(df, ordered)
        line, texts, flags = _fixed_width_line(
            columns, null_character, repeat_null, date_format, thousand_separator, decimal_separator
        )
        staged = out.select(line, *texts, *flags, *([ROW_ID] if ROW_ID in out.columns else []))
        any_overflow = F.lit(False)
        for i in range(len(flags)):
            any_overflow = any_overflow | F.col(f"_overflow{i}")
        self._reject_overflows(target, staged.where(any_overflow), len(flags))
        kept = self._count(self.result.target_rows, target, staged.where(~any_overflow).select("value"))
        head = ""
        if header:
            names = [(("#" if i == 0 else "") + str(c[0]), int(c[2])) for i, c in enumerate(columns)]
            head = "".join(name[:width].ljust(width) for name, width in names) + "\n"
        self._write_flat_output(
            target,
            path,
            lambda tmp: kept.write.mode("overwrite").text(tmp),
            codec=codec,
            head=head,
            append=append,
            header_command=header_command,
            footer_command=footer_command,
            output_command=output_command,
        )

    def _reject_overflows(self, target: str, rows: DataFrame, n_columns: int) -> None:
        """Rows the fixed-width writer cannot write (a number wider than its field) go to the target's
        reject file after any rows already there, in PowerCenter's reject format: the row indicator 0
        (insert), then each value followed by its column indicator (D valid, N null, O overflow)."""
        n = rows.count()
        if not n:
            return
        self.result.rejected_rows[target] = self.result.rejected_rows.get(target, 0) + n
        values = [F.lit(str(DD_INSERT))]
        for i in range(n_columns):
            value = F.col(f"_value{i}")
            indicator = (
                F.when(F.col(f"_overflow{i}"), F.lit("O"))
                .when(value.isNull(), F.lit("N"))
                .otherwise(F.lit("D"))
            )
            values += [value, indicator]
        ordered = rows.orderBy(ROW_ID) if ROW_ID in rows.columns else rows
        bad = Path(self.directory("$PMBadFileDir")) / f"{target.lower()}.bad"
        part = bad.with_name(f".{bad.name}.{uuid.uuid4().hex[:8]}")
        _write_single_csv(
            ordered.select(*values).coalesce(1), str(part), delimiter=",", quote='"', header=False
        )
        with open(bad, "ab") as fh, open(part, "rb") as extra:
            shutil.copyfileobj(extra, fh)
        part.unlink()

    def read_table(
        self, source: str, connection: Connection, table: str, columns: list[str], count: bool = True
    ) -> DataFrame:
        """A relational table, all columns listed, with ``_row_id``."""
        self.check_stop()
        if connection.is_jdbc:
            df = self.spark.read.format("jdbc").options(**connection.jdbc_options(), dbtable=table).load()
        else:
            df = self.spark.read.parquet(str(self._table_path(connection, table)))
        df = df.select(*[F.col(f"`{c}`") for c in columns]).withColumn(
            ROW_ID, F.monotonically_increasing_id()
        )
        return self._count(self.result.source_rows, source, df) if count else df

    def query(
        self,
        source: str,
        connection: Connection,
        *,
        spark_sql: str | None,
        source_sql: str,
        tables: list[str],
        columns: list[str] | list[tuple[str, str]],
        count: bool = True,
    ) -> DataFrame:
        """A Source Qualifier or lookup query: ``source_sql`` as written for the database goes to JDBC
        unchanged; on the embedded store ``spark_sql`` runs with ``{TABLE}`` replaced by the table. The
        result's columns are named (and, given ``(name, type)`` pairs, cast) in order."""
        self.check_stop()
        if connection.is_jdbc:
            df = (
                self.spark.read.format("jdbc")
                .options(**connection.jdbc_options(), query=self.text(source_sql))
                .load()
            )
        else:
            if spark_sql is None:
                raise NotConverted(
                    f"{source}: this SQL runs as written on its database only (no exact Spark SQL); "
                    f"connection {connection.name} is the embedded store: map it to JDBC in connections.toml"
                )
            sql = self.text(spark_sql)
            for t in tables:
                sql = sql.replace("{" + t + "}", f"parquet.`{self._table_path(connection, t).resolve()}`")
            df = self.spark.sql(sql)
        names = [c if isinstance(c, str) else c[0] for c in columns]
        df = df.toDF(*names)
        typed = [c for c in columns if not isinstance(c, str)]
        if typed:
            df = df.select(*[F.col(f"`{n}`").cast(t).alias(n) for n, t in typed])
        df = df.withColumn(ROW_ID, F.monotonically_increasing_id())
        return self._count(self.result.source_rows, source, df) if count else df

    def _table_path(self, connection: Connection, table: str) -> Path:
        path = store_table_path(self.store, connection.name, table.split(".")[-1])
        if not path.exists():
            raise FileNotFoundError(
                f"table {table} of connection {connection.name} is not in the embedded store {self.store} "
                f"(load it with: infaflow data load {connection.name}.{table} FILE.csv)"
            )
        return path

    # -- writing -----------------------------------------------------------------------------------

    def write_flat_file(
        self,
        target: str,
        df: DataFrame,
        path: str,
        columns: list[tuple[str, str]],
        *,
        delimiter: str = ",",
        quote: str = '"',
        header: bool = False,
        date_format: str = "MM/DD/YYYY HH24:MI:SS",
        ordered: bool = True,
        codepage: str = "UTF-8",
        append: bool = False,
        header_command: str = "",
        footer_command: str = "",
        output_command: str = "",
    ) -> None:
        """Write the target file in PowerCenter's row order (one file, not a Spark folder). With
        ``ordered=False`` (rows coming from an Aggregator or a Union, in no defined order) no sort.

        Session writer settings (Workflow Basics Guide, "Configuring Targets" and "Writing Metadata to Flat
        File Targets"): ``header`` writes the field names on the first line after a ``#``; a
        ``header_command``'s output is the header instead and a ``footer_command``'s output follows the
        rows; ``append`` adds to an existing file instead of replacing it; ``output_command`` (Output Type
        Command) receives the file on its standard input instead of a file being kept. The file is written
        in its ``codepage`` (a character the code page lacks is written as ``?``)."""
        self.check_stop()
        codec, _kind = _code_page(codepage)
        df = self._route_rejects(target, df, insert_only=True)
        df = self._dates_as_text(df, columns)
        fmt = _spark_format(date_format)
        out = _one_partition(df, ordered)
        cols = [_cast_out(F.col(f"`{c}`"), t, fmt).alias(c) for c, t in columns]
        out = self._count(self.result.target_rows, target, out.select(*cols))
        head = ("#" + (delimiter or ",")[0].join(c for c, _t in columns) + "\n") if header else ""
        self._write_flat_output(
            target,
            path,
            lambda tmp: _write_csv(
                out.write.mode("overwrite"), tmp, delimiter=(delimiter or ",")[0], quote=quote
            ),
            codec=codec,
            head=head,
            append=append,
            header_command=header_command,
            footer_command=footer_command,
            output_command=output_command,
        )

    def _write_flat_output(
        self,
        target: str,
        path: str,
        write: Callable[[str], None],
        *,
        codec: str = "utf-8",
        head: str = "",
        append: bool = False,
        header_command: str = "",
        footer_command: str = "",
        output_command: str = "",
    ) -> None:
        """One target file from the part files ``write`` leaves in a temporary folder (UTF-8 text), in the
        file's code page: the header line or the header command's output, the rows, the footer command's
        output; appended to the file with ``append``; given to ``output_command`` instead of kept."""
        dest = Path(path)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.parent / f".{dest.name}.{uuid.uuid4().hex[:8]}"
        write(str(tmp))
        prefix = self._command_output(target, "Header Command", header_command) if header_command else b""
        suffix = self._command_output(target, "Footer Command", footer_command) if footer_command else b""
        final = tmp.with_name(tmp.name + ".out") if output_command else dest
        encoder = codecs.getincrementalencoder(codec)(errors="replace")
        with open(final, "ab" if append and not output_command else "wb") as out:
            out.write(prefix or encoder.encode(head))
            for part in sorted(tmp.glob("part-*")):
                with open(part, "rb") as fh:
                    if codec == "utf-8":
                        shutil.copyfileobj(fh, out)
                        continue
                    for chunk in codecs.getreader("utf-8")(fh, "replace"):
                        out.write(encoder.encode(chunk))
            out.write(encoder.encode("", final=True))
            out.write(suffix)
        shutil.rmtree(tmp)
        if output_command:
            with open(final, "rb") as data:
                done = subprocess.run(self.text(output_command), shell=True, stdin=data, capture_output=True)
            final.unlink()
            if done.returncode:
                raise SessionFailed(
                    f"{self.session}: {target}: the output command failed (exit {done.returncode}): "
                    f"{done.stderr.decode(errors='replace').strip()}"
                )

    def _command_output(self, target: str, what: str, command: str) -> bytes:
        """The standard output of a target's Header Command or Footer Command (run by the shell, as the
        Integration Service runs it); a command that fails fails the session."""
        done = subprocess.run(self.text(command), shell=True, capture_output=True)
        if done.returncode:
            raise SessionFailed(
                f"{self.session}: {target}: the {what} failed (exit {done.returncode}): "
                f"{done.stderr.decode(errors='replace').strip()}"
            )
        return done.stdout

    def transactions(
        self, instance: str, df: DataFrame, action: Column, *, commit_on_end_of_file: bool = True
    ) -> DataFrame:
        """Each row's transaction (``_row_id``, ``_txn``, ``_rolled_back``) from the action a Transaction
        Control's condition gives each row, in row order (Transformation Guide): TC_COMMIT_BEFORE and
        TC_ROLLBACK_BEFORE end the open transaction before the row, which starts the next one;
        TC_COMMIT_AFTER and TC_ROLLBACK_AFTER end it with the row; TC_CONTINUE_TRANSACTION and NULL neither.
        A transaction is rolled back when the action that ends it is a rollback; the transaction still open
        after the last row is committed unless ``commit_on_end_of_file`` is False (the session's Commit On
        End Of File). Any other action fails the session. Windows over the row order: no row is collected.
        The frame is kept under ``instance`` for the targets of the unit (:meth:`committed`), computed once
        for all of them (:meth:`share`), and returned."""
        order = Window.orderBy(ROW_ID)
        staged = df.select(
            ROW_ID,
            F.coalesce(_checked_action(instance, action), F.lit(TC_CONTINUE_TRANSACTION)).alias("_action"),
        )
        act = F.col("_action")
        before = act.isin(TC_COMMIT_BEFORE, TC_ROLLBACK_BEFORE).cast("int")
        after = act.isin(TC_COMMIT_AFTER, TC_ROLLBACK_AFTER).cast("int")
        txn = F.sum(before).over(
            order.rowsBetween(Window.unboundedPreceding, Window.currentRow)
        ) + F.coalesce(F.sum(after).over(order.rowsBetween(Window.unboundedPreceding, -1)), F.lit(0))
        numbered = staged.select(ROW_ID, act, txn.alias(_TXN), F.lead(act).over(order).alias("_next"))
        following = F.col("_next")
        # the fate of the transaction that this row ends (NULL: the row does not end its transaction)
        ends = (
            F.when(act == TC_ROLLBACK_AFTER, True)
            .when(act == TC_COMMIT_AFTER, False)
            .when(following == TC_ROLLBACK_BEFORE, True)
            .when(following == TC_COMMIT_BEFORE, False)
            .when(following.isNull(), F.lit(not commit_on_end_of_file))
        )
        # the first fate at or after the row: a running frame over the reversed order (a frame reaching to
        # the last row would be recomputed row by row)
        fate = F.last(F.col("_ends"), ignorenulls=True).over(
            Window.orderBy(F.col(ROW_ID).desc()).rowsBetween(Window.unboundedPreceding, Window.currentRow)
        )
        # read by every target of the unit: computed once (share)
        out = self.share(numbered.withColumn("_ends", ends).select(ROW_ID, _TXN, fate.alias(_ROLLED_BACK)))
        self._transactions[instance] = out
        return out

    def with_transactions(self, df: DataFrame, key: str) -> DataFrame:
        """``df`` with each row's transaction (``_txn``) and its fate (``_rolled_back``), kept under ``key``
        (a Transaction Control's :meth:`transactions` or a per-transaction transformation's
        :meth:`keep_transactions`), joined by ``_row_id``: for a transformation of Transformation Scope
        Transaction, which computes per transaction."""
        return df.join(self._transactions[key], ROW_ID)

    def keep_transactions(self, instance: str, df: DataFrame) -> DataFrame:
        """The output of a per-transaction transformation, ``df`` with ``_txn`` and ``_rolled_back``,
        computed once (:meth:`share`, its ``_row_id`` is new); its rows' transactions are kept under
        ``instance`` for the steps and targets after it, and the frame is returned without them."""
        kept = self.share(df)
        self._transactions[instance] = kept.select(ROW_ID, _TXN, _ROLLED_BACK)
        return kept.drop(_TXN, _ROLLED_BACK)

    def one_transaction(self, instance: str, sources: list[DataFrame], commit_interval: int) -> None:
        """A transformation of Transformation Scope Transaction without a Transaction Control: its
        transactions are the commit interval's, whose commit points PowerCenter places by buffer blocks.
        While no source has more rows than ``commit_interval`` there is one transaction, all the input;
        otherwise the job stops (:class:`NotConverted`)."""
        rows = max((df.count() for df in sources), default=0)
        if rows > commit_interval:
            raise NotConverted(
                f"{self.session}: {instance}: {rows} source rows reach a transformation of Transaction "
                f"scope without a Transaction Control; PowerCenter commits (ends a transaction) at points "
                f"it places by buffer blocks after every {commit_interval} rows, which a job cannot "
                "reproduce"
            )

    def check_transaction_actions(self, instance: str, df: DataFrame, action: Column) -> DataFrame:
        """``df`` unchanged, failing the session at a row whose Transaction Control action is not one of
        TC_CONTINUE_TRANSACTION ... TC_ROLLBACK_AFTER (Transformation Guide); NULL continues."""
        return df.where(F.coalesce(_checked_action(instance, action), F.lit(0)) >= 0)

    def committed(self, df: DataFrame, transaction_control: str) -> DataFrame:
        """The rows of ``df`` that a target loads: rows of rolled-back transactions are left out (they are not
        target rows); rows an Update Strategy rejects (DD_REJECT) stay, the writer rejects them as they
        arrive. ``transaction_control``: the Transaction Control of the target's unit, whose
        :meth:`transactions` the job computed."""
        joined = df.join(self._transactions[transaction_control].select(ROW_ID, _ROLLED_BACK), ROW_ID)
        keep = ~F.col(_ROLLED_BACK)
        if ROW_TYPE in df.columns:
            keep = keep | (F.col(ROW_TYPE) == DD_REJECT)
        return joined.where(keep).drop(_ROLLED_BACK)

    def write_flat_files_by_transaction(
        self,
        target: str,
        df: DataFrame,
        directory: str,
        default_name: str,
        columns: list[tuple[str, str]],
        *,
        file_name_port: str,
        transaction_control: str | None = None,
        commit_interval: int = 10000,
        delimiter: str = ",",
        quote: str = '"',
        header: bool = False,
        date_format: str = "MM/DD/YYYY HH24:MI:SS",
        codepage: str = "UTF-8",
    ) -> None:
        """A delimited flat-file target whose FileName port is connected (Designer Guide, "Creating Target
        Files by Transaction"): one file per transaction, named by the FileName value of the transaction's
        first row (relative names in ``directory``; a NULL first value gives ``default_name``, the
        session's Output filename). A row whose FileName is NULL is a row error and is not written. A name
        that a later transaction uses again is overwritten by it. The FileName column is not written.

        ``transaction_control``: the Transaction Control of the target's unit, whose transactions
        (:meth:`transactions`) the rows belong to (rows of rolled-back ones are not written); ``None``
        when no effective Transaction Control feeds the target: the session then commits every
        ``commit_interval`` rows, at points PowerCenter places by its buffer blocks: the job writes one
        file when the target receives no more rows than that, and stops with a message when it receives
        more (the split cannot be reproduced). Files are written in ``codepage``."""
        self.check_stop()
        codec, _kind = _code_page(codepage)
        df = self._route_rejects(target, df, insert_only=True)
        df = self._dates_as_text(df, columns)
        fmt = _spark_format(date_format)
        out = self._named_by_transaction(target, df, file_name_port, transaction_control)
        cols = [
            _cast_out(F.col(f"`{c}`"), t, fmt).alias(c)
            for c, t in columns
            if c.lower() != file_name_port.lower()
        ]
        staged = out.where(~F.col(_ROLLED_BACK)).select(*cols, _TXN, _FILE, ROW_ID).cache()

        def write(frame: DataFrame, paths: dict[int, str]) -> None:
            _write_csv_by_transaction(
                frame, paths, delimiter=delimiter, quote=quote, header=header, codec=codec
            )

        self._write_transactions(
            target, staged, directory, default_name, transaction_control is None, commit_interval, write
        )

    def write_fixed_width_files_by_transaction(
        self,
        target: str,
        df: DataFrame,
        directory: str,
        default_name: str,
        columns: list[tuple[Any, ...]],
        *,
        file_name_port: str,
        transaction_control: str | None = None,
        commit_interval: int = 10000,
        null_character: str = "*",
        repeat_null: bool = False,
        date_format: str = "MM/DD/YYYY HH24:MI:SS",
        thousand_separator: str = "",
        decimal_separator: str = ".",
        codepage: str = "UTF-8",
    ) -> None:
        """A fixed-width flat-file target whose FileName port is connected: one file per transaction, as
        :meth:`write_flat_files_by_transaction` names and fills them, each line laid out as
        :meth:`write_fixed_width` lays it out (``columns`` without the FileName port, which is not
        written). A number wider than its field is rejected as the row arrives (reject file), rolled
        back or not. Files are written in ``codepage``."""
        self.check_stop()
        codec, _kind = _code_page(codepage)
        df = self._route_rejects(target, df, insert_only=True)
        df = self._dates_as_text(df, [(c[0], c[1]) for c in columns])
        out = self._named_by_transaction(target, df, file_name_port, transaction_control)
        line, texts, flags = _fixed_width_line(
            columns, null_character, repeat_null, date_format, thousand_separator, decimal_separator
        )
        staged = out.select(line, *texts, *flags, _TXN, _FILE, ROW_ID, _ROLLED_BACK)
        any_overflow = F.lit(False)
        for i in range(len(flags)):
            any_overflow = any_overflow | F.col(f"_overflow{i}")
        self._reject_overflows(target, staged.where(any_overflow), len(flags))
        kept = staged.where(~any_overflow & ~F.col(_ROLLED_BACK)).select("value", _TXN, _FILE, ROW_ID).cache()
        self._write_transactions(
            target,
            kept,
            directory,
            default_name,
            transaction_control is None,
            commit_interval,
            lambda frame, paths: _write_text_by_transaction(frame, paths, codec),
        )

    def _named_by_transaction(
        self, target: str, df: DataFrame, file_name_port: str, transaction_control: str | None
    ) -> DataFrame:
        """``df`` in row order with each row's transaction (``_txn``), whether it is rolled back
        (``_rolled_back``) and the FileName value of its transaction's first row (``_file``); rows whose
        FileName is NULL are row errors, left out."""
        out = df.repartition(1).sortWithinPartitions(ROW_ID)
        if transaction_control is None:
            out = out.withColumn(_TXN, F.lit(0)).withColumn(_ROLLED_BACK, F.lit(False))
        else:
            out = out.join(self._transactions[transaction_control], ROW_ID)
        name = F.col(f"`{file_name_port}`")
        out = out.withColumn(
            _FILE,
            F.first(name, ignorenulls=False).over(
                Window.partitionBy(_TXN)
                .orderBy(ROW_ID)
                .rowsBetween(Window.unboundedPreceding, Window.currentRow)
            ),
        )
        return self.row_errors(target, out, name.isNull(), f"{file_name_port}: the FileName value is NULL")

    def _write_transactions(
        self,
        target: str,
        staged: DataFrame,
        directory: str,
        default_name: str,
        by_interval: bool,
        commit_interval: int,
        write: Callable[[DataFrame, dict[int, str]], None],
    ) -> None:
        """Write the (cached) rows of each transaction (``_txn``, ``_file``, ``_row_id``) to its file with
        ``write`` and count them as the target's rows; ``by_interval``: the commit interval's transactions."""
        files = (
            staged.groupBy(_TXN).agg(F.first(_FILE).alias(_FILE), F.count(F.lit(1)).alias("rows")).collect()
        )
        rows = sum(int(r["rows"]) for r in files)
        if by_interval and rows > commit_interval:
            staged.unpersist()
            raise NotConverted(
                f"{self.session}: {target}: {rows} rows reach a target named by its FileName port without a "
                f"Transaction Control; PowerCenter starts a new file at commit points it places by buffer "
                "blocks "
                f"after every {commit_interval} rows, which a job cannot reproduce"
            )
        self.result.target_rows[target] = self.result.target_rows.get(target, 0) + rows
        paths = file_paths(self.text(directory), default_name, [(int(r[_TXN]), r[_FILE]) for r in files])
        if any(not p for p in paths.values()):
            staged.unpersist()
            raise SessionFailed(
                f"{self.session}: {target}: a transaction's FileName value is empty: no file to write"
            )
        kept = staged.where(F.col(_TXN).isin(list(paths))).repartition(1).sortWithinPartitions(_TXN, ROW_ID)
        write(kept.drop(_FILE, ROW_ID), paths)
        staged.unpersist()

    def write_table(
        self,
        target: str,
        df: DataFrame,
        connection: Connection,
        table: str,
        columns: list[tuple[str, str]],
        *,
        keys: list[str],
        treat_rows_as: str = "Insert",
        insert: bool = True,
        update: str = "Update as Update",
        delete: bool = False,
        truncate: bool = False,
        update_override: str = "",
        unconnected: list[str] | None = None,
    ) -> None:
        """Insert, update, delete or upsert the rows of a relational target as PowerCenter's writer does
        (Transformation Guide, "Setting the Update Strategy for a Session"). ``treat_rows_as`` Insert, Update
        or Delete gives every row that operation; Data Driven keeps each row's Update Strategy flag. The
        target's settings then apply: ``insert``; ``update`` = "Update as Update" (by primary key),
        "Update as Insert" (the row is inserted), "Update else Insert" (inserted when the update changes no
        row) or "None"; ``delete`` (by primary key). A row whose operation the settings do not allow, and a
        DD_REJECT row, goes to the reject file. ``truncate`` empties the table first.

        ``update_override``: the target's Update Override, an UPDATE statement run for each row flagged for
        update, ``:TU.port`` standing for the row's value (it may update by columns that are not keys).
        ``unconnected``: target fields no port feeds, left out of INSERT and UPDATE statements over JDBC.
        A row flagged for update (without an Update Override) or delete needs primary key ports: without
        them the session fails, as PowerCenter's writer fails it.

        Rows are applied in row order, one after the other: several rows with the same key in one load
        act in turn. Counts: ``target_rows`` the rows applied (TgtSuccessRows), ``affected_rows`` the rows
        the database changed, ``rejected_rows`` the rejects (settings, DD_REJECT, database errors)."""
        self.check_stop()
        flagged = ROW_TYPE in df.columns
        fixed = {"insert": DD_INSERT, "update": DD_UPDATE, "delete": DD_DELETE}.get(treat_rows_as.lower())
        if fixed is not None or not flagged:
            df = df.withColumn(ROW_TYPE, F.lit(DD_INSERT if fixed is None else fixed))
        update_mode = update.lower()
        if update_mode == "update as insert":
            df = df.withColumn(
                ROW_TYPE, F.when(F.col(ROW_TYPE) == DD_UPDATE, DD_INSERT).otherwise(F.col(ROW_TYPE))
            )
        allowed = [DD_INSERT] if insert else []
        allowed += [DD_UPDATE] if update_mode in ("update as update", "update else insert") else []
        allowed += [DD_DELETE] if delete else []
        # A row the settings do not allow is rejected with its own flag as the reject file's row indicator.
        df = df.withColumn(_INDICATOR, F.col(ROW_TYPE)).withColumn(
            ROW_TYPE, F.when(F.col(ROW_TYPE).isin(allowed), F.col(ROW_TYPE)).otherwise(F.lit(DD_REJECT))
        )
        df = self._route_rejects(target, df, insert_only=False).drop(_INDICATOR)
        df = self._dates_as_text(df, columns)
        cols = [F.col(f"`{c}`").cast(t).alias(c) for c, t in columns]
        rows = df.select(*cols, ROW_TYPE, *([ROW_ID] if ROW_ID in df.columns else []))
        names = [c for c, _ in columns]
        only_inserts = fixed == DD_INSERT or (fixed is None and not flagged) or set(allowed) <= {DD_INSERT}
        upsert = update_mode == "update else insert"
        if connection.is_jdbc:
            skipped = {c.lower() for c in unconnected or []}
            written = [c for c in names if c.lower() not in skipped]
            self._write_jdbc(
                target,
                rows,
                connection,
                table,
                names,
                written,
                keys=keys,
                truncate=truncate,
                only_inserts=only_inserts,
                upsert=upsert,
                update_override=update_override,
            )
            return
        self._write_store(
            target,
            rows,
            connection,
            table,
            names,
            keys=keys,
            truncate=truncate,
            only_inserts=only_inserts,
            upsert=upsert,
            update_override=update_override,
            unconnected=unconnected or [],
        )

    def _write_store(
        self,
        target: str,
        rows: DataFrame,
        connection: Connection,
        table: str,
        names: list[str],
        *,
        keys: list[str],
        truncate: bool,
        only_inserts: bool,
        upsert: bool,
        update_override: str,
        unconnected: list[str],
    ) -> None:
        """A relational target on the embedded store (Parquet): inserts append; rows flagged for update or
        delete are applied in row order (:func:`_apply_in_order`) and the table is written again. An Update
        Override of the form ``UPDATE t SET col = :TU.port, ... WHERE col = :TU.port AND ...`` updates by
        its WHERE columns; other SQL runs on a database only."""
        path = store_table_path(self.store, connection.name, table)
        updates, deletes = (False, False) if only_inserts else self._flags(rows)
        if not (updates or deletes):
            out = self._count(
                self.result.target_rows, target, rows.where(F.col(ROW_TYPE) == DD_INSERT).select(*names)
            )
            self._count_affected_as_applied(target)
            out.write.mode("overwrite" if truncate else "append").parquet(str(path))
            return
        self._require_keys(target, keys, updates and not update_override, deletes)
        override = update_override if updates else ""  # it only replaces UPDATE statements
        how = self._store_changes(target, connection, names, keys, upsert, override, unconnected, deletes)
        existing = (
            self.spark.read.parquet(str(path)).select(*names)
            if path.exists() and not truncate
            else rows.select(*names).limit(0)
        )
        if ROW_ID not in rows.columns:  # rows of no defined order (an Aggregator's): the order they come in
            rows = rows.withColumn(ROW_ID, F.monotonically_increasing_id())
        done = _apply_in_order(existing, rows, names, how).cache()
        counts = done.agg(F.sum("_affected").alias("affected")).first()
        applied = rows.count()
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
        done.where(~F.col("_deleted")).select(*names).write.mode("overwrite").parquet(str(tmp))
        done.unpersist()
        if path.exists():
            shutil.rmtree(path)
        tmp.rename(path)
        self.result.target_rows[target] = self.result.target_rows.get(target, 0) + applied
        affected = int(counts["affected"] or 0) if counts is not None else 0
        self.result.affected_rows[target] = self.result.affected_rows.get(target, 0) + affected

    def _store_changes(
        self,
        target: str,
        connection: Connection,
        names: list[str],
        keys: list[str],
        upsert: bool,
        update_override: str,
        unconnected: list[str],
        deletes: bool,
    ) -> _Changes:
        """What an update and a delete compare and set on the embedded store: the key ports (or the Update
        Override's columns), the connected columns that are not keys (or the override's SET list)."""
        skipped = {c.lower() for c in unconnected}
        if not update_override:
            key_names = {k.lower() for k in keys}
            sets = [(c, c) for c in names if c.lower() not in key_names | skipped]
            return _Changes([(k, k) for k in keys], sets, keys, list(keys), upsert)
        parsed = simple_update_override(self.text(update_override), names)
        if parsed is None:
            raise NotConverted(
                f"{self.session}: target {target}: its Update Override runs as written on a database only "
                "(on the embedded store: SET col = :TU.port, ... WHERE col = :TU.port AND ...); connection "
                f"{connection.name} is the embedded store: map it to JDBC in connections.toml"
            )
        sets, match = parsed
        columns = [c for c, _ in match]
        # An update that moves rows between partitions, or a delete by key across them: one partition.
        moved = any(c in columns and (c, p) not in match for c, p in sets)
        across = deletes and not {c.lower() for c in columns} <= {k.lower() for k in keys}
        if moved or across:
            print(
                f"WARNING: {self.session}: target {target}: its Update Override "
                + ("sets a column it compares" if moved else "compares columns its deletes do not")
                + ": the rows are applied in one sequence over the whole table (one Spark task)",
                file=sys.stderr,
            )
        return _Changes(match, sets, keys, [] if moved or across else columns, upsert)

    @staticmethod
    def _flags(rows: DataFrame) -> tuple[bool, bool]:
        """Whether any row is flagged for update, and for delete (a full pass: the first action over the
        rows also completes the row-count observations upstream)."""
        found = rows.agg(
            F.max((F.col(ROW_TYPE) == DD_UPDATE).cast("int")).alias("updates"),
            F.max((F.col(ROW_TYPE) == DD_DELETE).cast("int")).alias("deletes"),
        ).first()
        assert found is not None  # a global aggregate has one row
        return bool(found["updates"]), bool(found["deletes"])

    def _require_keys(self, target: str, keys: list[str], updates: bool, deletes: bool) -> None:
        """PowerCenter updates and deletes by the primary key ports of the target definition: a target
        without them fails the session when rows reach it flagged for update (no Update Override) or
        delete."""
        if keys or not (updates or deletes):
            return
        what = "update" if updates else "delete"
        raise SessionFailed(
            f"{self.session}: target {target} has no primary key port, and rows flagged for {what} reach "
            "it: PowerCenter updates and deletes by the key ports of the target definition (mark the key "
            "ports, or write an Update Override for updates)"
        )

    def _count_affected_as_applied(self, target: str) -> None:
        """Inserts only: every row applied is one row affected (the observation just registered)."""
        counts, name, obs, observed, metric = self._observed[-1]
        assert counts is self.result.target_rows and name == target
        self._observed.append((self.result.affected_rows, target, obs, observed, metric))

    def _write_jdbc(
        self,
        target: str,
        rows: DataFrame,
        connection: Connection,
        table: str,
        names: list[str],
        written: list[str],
        *,
        keys: list[str],
        truncate: bool,
        only_inserts: bool,
        upsert: bool,
        update_override: str,
    ) -> None:
        """A relational target over JDBC. Inserts only: Spark's JDBC writer appends the rows (after a
        TRUNCATE with ``truncate``) in one transaction; when the database refuses one (PostgreSQL), the rows
        are applied one by one instead, so the refused rows are rejected and the others loaded. Updates or
        deletes: :meth:`_apply_jdbc_rows`."""

        def apply_row_by_row() -> None:
            self._apply_jdbc_rows(
                target,
                rows,
                connection,
                table,
                names,
                written,
                keys=keys,
                truncate=truncate,
                upsert=upsert,
                update_override=update_override,
            )

        updates, deletes = (False, False) if only_inserts else self._flags(rows)
        if updates or deletes:
            self._require_keys(target, keys, updates and not update_override, deletes)
            apply_row_by_row()
            return
        kinds = [DD_INSERT, DD_UPDATE] if upsert else [DD_INSERT]
        mark = len(self._observed)
        out = self._count(
            self.result.target_rows, target, rows.where(F.col(ROW_TYPE).isin(kinds)).select(*written)
        )
        self._count_affected_as_applied(target)
        retry = _dialect(connection.url) == "postgresql"
        # PostgreSQL: one partition, one writer, one transaction, so a row the database refuses leaves nothing
        # behind and the rows can be applied one by one instead.
        out = out.repartition(1) if retry else out
        writer = out.write.format("jdbc").options(**connection.jdbc_options(), dbtable=table)
        if truncate:
            writer = writer.option("truncate", "true").mode("overwrite")
        else:
            writer = writer.mode("append")
        try:
            writer.save()
        except Exception as exc:
            if not retry:
                raise
            # PowerCenter rejects the rows the database refuses and loads the others: apply them one by one.
            del self._observed[mark:]
            print(
                f"WARNING: {self.session}: target {target}: the database refused the rows as one batch "
                f"({_database_error(exc)}); applying them one by one",
                file=sys.stderr,
            )
            apply_row_by_row()

    def _apply_jdbc_rows(
        self,
        target: str,
        rows: DataFrame,
        connection: Connection,
        table: str,
        names: list[str],
        written: list[str],
        *,
        keys: list[str],
        truncate: bool,
        upsert: bool,
        update_override: str,
    ) -> None:
        """Rows flagged insert, update and delete applied in the database in row order, as PowerCenter's
        writer sends them one by one: the rows (their number in row order, flag and values) go to a staging
        table through Spark's JDBC writer; one block (:func:`dml_block`) applies each staged row in turn and
        records what the database did with it in a second table, from which the counts and the rejected rows
        (a database error: the row goes to the reject file, the load goes on) are read. Both tables are
        dropped, also when the load fails."""
        dialect = _dialect(connection.url)
        if dialect != "postgresql":
            raise NotConverted(
                f"{self.session}: target {target}: updates and deletes over JDBC are applied on PostgreSQL "
                f"connections only; connection {connection.name} is {dialect or connection.url}"
            )
        tag = uuid.uuid4().hex[:12]
        staged, results = f"infaflow_dml_{tag}_in", f"infaflow_dml_{tag}_out"
        order = F.col(ROW_ID) if ROW_ID in rows.columns else F.monotonically_increasing_id()
        numbered = rows.select(
            F.row_number().over(Window.orderBy(order)).cast("bigint").alias("dml_row"),
            F.col(ROW_TYPE).cast("int").alias("dml_type"),
            *[F.col(f"`{c}`").alias(f"a{i}") for i, c in enumerate(names)],
        )
        options = connection.jdbc_options()
        try:
            numbered.write.format("jdbc").options(**options, dbtable=staged).mode("overwrite").save()
            block = dml_block(
                self.text(table),
                names,
                written,
                keys,
                staged=staged,
                results=results,
                upsert=upsert,
                update_override=self.text(update_override),
                truncate=truncate,
            )
            try:
                self._execute_statement(connection, block)
            except Exception as exc:  # noqa: BLE001 - the database's error, reported by the JDBC driver
                raise SessionFailed(
                    f"{self.session}: target {target} ({table}): {_database_error(exc)}"
                ) from None
            self._read_dml_results(target, connection, names, staged, results)
        finally:
            self._drop_tables(connection, [results, staged])

    def _read_dml_results(
        self, target: str, connection: Connection, names: list[str], staged: str, results: str
    ) -> None:
        """Counts from the results of :func:`dml_block`, and the rows the database rejected to the reject
        file (their flag as the row indicator, in row order)."""
        options = connection.jdbc_options()
        summary = (
            self.spark.read.format("jdbc")
            .options(
                **options,
                query=f"SELECT count(*) - count(dml_error) AS applied, coalesce(sum(dml_affected), 0) AS "
                f"affected, count(dml_error) AS rejected, min(dml_error) AS error FROM {results}",
            )
            .load()
            .first()
        )
        assert summary is not None  # a global aggregate has one row
        applied, affected = int(summary["applied"]), int(summary["affected"])
        rejected = int(summary["rejected"])
        self.result.target_rows[target] = self.result.target_rows.get(target, 0) + applied
        self.result.affected_rows[target] = self.result.affected_rows.get(target, 0) + affected
        if not rejected:
            return
        values = ", ".join(f"s.a{i}" for i in range(len(names)))
        bad = (
            self.spark.read.format("jdbc")
            .options(
                **options,
                query=f"SELECT s.dml_row, s.dml_type, {values} FROM {staged} s JOIN {results} o "
                "ON o.dml_row = s.dml_row WHERE o.dml_error IS NOT NULL",
            )
            .load()
            .toDF(ROW_ID, ROW_TYPE, *names)
        )
        self._write_rejects(target, bad, append=True)
        self.result.rejected_rows[target] = self.result.rejected_rows.get(target, 0) + rejected
        print(
            f"WARNING: {self.session}: target {target}: the database rejected {rejected} row(s), written to "
            f"the reject file; an error: {summary['error']}",
            file=sys.stderr,
        )

    def _drop_tables(self, connection: Connection, tables: list[str]) -> None:
        """Drop staging tables; a failure is reported, never raised over the load's own outcome."""
        for name in tables:
            try:
                self._execute_statement(connection, f"DROP TABLE IF EXISTS {name}")
            except Exception as exc:  # noqa: BLE001 - the database's error, reported by the JDBC driver
                print(f"WARNING: staging table {name} not dropped: {_database_error(exc)}", file=sys.stderr)

    def _dates_as_text(self, df: DataFrame, columns: list[tuple[str, str]]) -> DataFrame:
        """A date reaching a string field is converted with the session's DateTime Format String, as
        PowerCenter converts a date/time port connected to a string port."""
        kinds = {f.name.lower(): f.dataType.typeName() for f in df.schema.fields}
        for name, spark_type in columns:
            if spark_type == "string" and kinds.get(name.lower()) == "timestamp":
                df = df.withColumn(name, F.date_format(F.col(f"`{name}`"), _spark_format(self.date_format)))
        return df

    def _route_rejects(self, target: str, df: DataFrame, insert_only: bool) -> DataFrame:
        """Rows flagged DD_REJECT go to the reject file ($PMBadFileDir/<target>.bad) and are counted; so do
        rows whose flag is NULL (an update strategy expression that gave no value), as the relational writer
        rejects a flag it cannot apply, rather than losing them."""
        if ROW_TYPE not in df.columns:
            return df
        is_reject = F.coalesce(F.col(ROW_TYPE) == DD_REJECT, F.lit(True))
        rejected = df.where(is_reject)
        n = rejected.count()
        if n:
            self.result.rejected_rows[target] = self.result.rejected_rows.get(target, 0) + n
            self._write_rejects(target, rejected, append=False)
        kept = df.where(~is_reject)
        return kept.drop(ROW_TYPE) if insert_only else kept

    def _write_rejects(self, target: str, rejected: DataFrame, append: bool) -> None:
        """Write rejected rows to the target's reject file in row order, in PowerCenter's format: the row
        indicator (the row's flag), then each value followed by its column indicator (D valid, N null).
        ``append``: after the rows this run already wrote there (rows the database rejected)."""
        bad = os.path.join(self.directory("$PMBadFileDir"), f"{target.lower()}.bad")
        cols = [c for c in rejected.columns if c not in (ROW_ID, ROW_TYPE, _INDICATOR)]
        indicator = _INDICATOR if _INDICATOR in rejected.columns else ROW_TYPE
        values = [F.col(indicator).cast("string")]
        for c in cols:
            values += [
                F.col(f"`{c}`").cast("string"),
                F.when(F.col(f"`{c}`").isNull(), F.lit("N")).otherwise(F.lit("D")),
            ]
        ordered = rejected.orderBy(ROW_ID) if ROW_ID in rejected.columns else rejected
        out = ordered.select(*values).coalesce(1)
        if not (append and bad in self._reject_files):
            _write_single_csv(out, bad, delimiter=",", quote='"', header=False)
            self._reject_files.add(bad)
            return
        part = Path(bad).with_name(f".{Path(bad).name}.{uuid.uuid4().hex[:8]}")
        _write_single_csv(out, str(part), delimiter=",", quote='"', header=False)
        with open(bad, "ab") as fh, open(part, "rb") as extra:
            shutil.copyfileobj(extra, fh)
        part.unlink()

    def row_errors(
        self, instance: str, df: DataFrame, condition: Column, message: str = "transformation error"
    ) -> DataFrame:
        """Drop the rows ``condition`` marks as transformation errors, counting them."""
        return self.reject_errors(instance, df.withColumn(ROW_ERROR, F.when(condition, F.lit(message))))

    def reject_errors(self, instance: str, df: DataFrame) -> DataFrame:
        """Rows whose ``_row_error`` message is not NULL are transformation errors, as PowerCenter treats
        them: removed from the flow, counted (TotalTransErrors) and written with their message to the
        session's row-error file; ``_row_error`` is dropped."""
        return self._reject(instance, df, self._errors, "transformation")

    def _reject(self, instance: str, df: DataFrame, counts: dict[str, int], kind: str) -> DataFrame:
        errors = df.where(F.col(ROW_ERROR).isNotNull())
        self._error_rows.append((instance, kind, errors))
        if self.stop_on_errors > 0:  # counted now: the session fails before its targets are written
            errors = errors.cache()  # few rows; the row-error file is written from them
            self._error_rows[-1] = (instance, kind, errors)
            counts[instance] = counts.get(instance, 0) + errors.count()
            self._check_error_threshold()
        else:
            df = self._count(counts, instance, df, F.count(F.col(ROW_ERROR)))
        return df.where(F.col(ROW_ERROR).isNull()).drop(ROW_ERROR)

    def _check_error_threshold(self) -> None:
        """`Stop on errors` N > 0: the session fails once a source or a transformation has N row errors
        (PowerCenter keeps an independent count for each source, target and transformation)."""
        if self.stop_on_errors <= 0:
            return
        counts = {**self.result.source_rejected_rows, **self._errors}
        worst = max(counts, key=counts.__getitem__, default=None)
        if worst is not None and counts[worst] >= self.stop_on_errors:
            self._write_row_errors()
            raise SessionFailed(
                f"{self.session}: {counts[worst]} row errors in {worst} reached the session's Stop on errors "
                f"threshold ({self.stop_on_errors})"
                + (f"; rows in {self.result.row_error_file}" if self.result.row_error_file else "")
            )

    def row_error_path(self) -> str:
        """The row-error file: ``$PMBadFileDir/<session>_row_errors.csv``."""
        return os.path.join(self.directory("$PMBadFileDir"), f"{self.session.lower()}_row_errors.csv")

    def _write_row_errors(self) -> None:
        """Write the rejected rows (reader and transformation errors) with their message, once counted."""
        path = self.row_error_path()
        counts = {**self._errors, **self.result.source_rejected_rows}
        frames = []
        for instance, kind, rows in self._error_rows:
            if not counts.get(instance):
                continue
            data = [c for c in rows.columns if c not in (ROW_ID, ROW_TYPE, ROW_ERROR)]
            frames.append(
                rows.select(
                    F.lit(instance).alias("transformation"),
                    F.lit(kind).alias("error_type"),
                    (F.col(ROW_ID) if ROW_ID in rows.columns else F.lit(None).cast("bigint")).alias("row_id"),
                    F.col(ROW_ERROR).alias("error"),
                    F.to_json(
                        F.struct(*[F.col(f"`{c}`") for c in data]), {"ignoreNullFields": "false"}
                    ).alias("row"),
                )
            )
        if not frames:
            if os.path.exists(path):
                os.remove(path)  # a file left by an earlier run of the session
            return
        out = frames[0]
        for frame in frames[1:]:
            out = out.unionByName(frame)
        _write_single_csv(out.orderBy("row_id").coalesce(1), path, delimiter=",", quote='"', header=True)
        self.result.row_error_file = path

    # -- SQL sent to the database as written (Pre SQL, Post SQL) -------------------------------------

    def run_sql(self, instance: str, connection: Connection, sql: str, stage: str = "Pre SQL") -> None:
        """Run ``sql`` (statements separated by ``;``) on the database of a JDBC connection, with
        ``$$PARAMETERS`` expanded; Post SQL waits until :meth:`finish`."""
        if stage.lower().startswith("post"):
            self._post_sql.append((instance, connection, sql, stage))
            return
        self._execute_sql(instance, connection, sql, stage)

    def _execute_sql(self, instance: str, connection: Connection, sql: str, stage: str) -> None:
        """Each statement runs once, in order, as the ``sessionInitStatement`` of a one-partition JDBC read
        of a constant query (the JDBC source executes that statement on the connection it opens, before
        its query): public DataFrame API, so it works under classic Spark and Spark Connect alike. The
        statement runs where Spark's JDBC reader runs (an executor), with the connection's driver and
        properties, and is committed as the reader's connection commits (autocommit)."""
        if not connection.is_jdbc:
            raise NotConverted(
                f"{instance}: {stage} runs on the database, and connection {connection.name} is the embedded "
                "store; map it to JDBC in connections.toml"
            )
        for statement in sql_statements(self.text(sql)):
            self.check_stop()
            self.spark.read.format("jdbc").options(
                **connection.jdbc_options(),
                query=probe_query(connection.url),
                sessionInitStatement=statement,
            ).load().collect()

    # -- mapping variables (SETVARIABLE, SETMAXVARIABLE, SETMINVARIABLE, SETCOUNTVARIABLE) ----------

    def set_variable(
        self, df: DataFrame, name: str, function: str, value: str, current: str | None = None
    ) -> DataFrame:
        """Apply a variable function to mapping variable ``name`` over the rows of ``df`` in PowerCenter's
        order (``_row_id``). ``value`` is the column of what the function does on each row: the value it is
        given, or for SETCOUNTVARIABLE +1 / -1, and NULL where it does nothing (its branch not evaluated, a
        row type it ignores, a NULL value). With ``current``, adds that column: the variable's current value
        once the row has passed (what the function returns). The final value is kept for :meth:`finish`."""
        key = name.lower()
        if key not in self._variables:
            raise KeyError(f"{name} is not a mapping variable of {self.session}")
        if key in self._variable_values:
            raise NotConverted(f"{self.session}: {name} is set in more than one place")
        start = self.param(name)
        column = F.col(value)
        rows = Window.orderBy(ROW_ID).rowsBetween(Window.unboundedPreceding, 0)
        if function == "SETCOUNTVARIABLE":
            final = F.coalesce(start, F.lit(0)) + F.coalesce(F.sum(column), F.lit(0))
            running = F.coalesce(start, F.lit(0)) + F.coalesce(F.sum(column).over(rows), F.lit(0))
        elif function == "SETMAXVARIABLE":
            final, running = F.greatest(start, F.max(column)), F.greatest(start, F.max(column).over(rows))
        elif function == "SETMINVARIABLE":
            final, running = F.least(start, F.min(column)), F.least(start, F.min(column).over(rows))
        elif function == "SETVARIABLE":
            # The last value set; at the end of the session it is compared with the start value by the
            # variable's aggregation type.
            last = F.coalesce(F.max_by(column, F.when(column.isNotNull(), F.col(ROW_ID))), start)
            final = F.least(start, last) if self._variables[key][1] == "MIN" else F.greatest(start, last)
            running = F.coalesce(F.last(column, ignorenulls=True).over(rows), start)
        else:
            raise ValueError(f"not a variable function: {function}")
        dtype = self._types.get(key, "string")
        final = final.cast(dtype)
        obs = Observation(_observation_name(f"var_{name.strip('$')}"))
        observed = _observe(df, obs, final.alias("rows"))
        self._variable_values[key] = (obs, observed, final)
        if current is None:
            return observed
        return observed.withColumn(current, running.cast(dtype))

    def _final_variables(self) -> dict[str, Any]:
        """Every mapping variable's value to save: the final current value of those a function set, the start
        value of the others (one small row for the start values)."""
        out: dict[str, Any] = {}
        unset = [key for key in self._variables if key not in self._variable_values]
        if unset:
            row = (
                self.spark.range(1)
                .select(*[self.param(self._variables[k][0]).alias(f"v{i}") for i, k in enumerate(unset)])
                .first()
            )
            for i, key in enumerate(unset):
                out[self._variables[key][0]] = row[f"v{i}"] if row is not None else None
        for key, (obs, observed, final) in self._variable_values.items():
            out[self._variables[key][0]] = _observed_value(obs, observed, final)
        return out

    # -- stored procedures -------------------------------------------------------------------------------

    def stored_procedure(self, instance: str, connection: Connection, call: str, *, stage: str) -> None:
        """A procedure that runs once per session (``stage``: Source/Target Pre Load now, before any source is
        read; Source/Target Post Load when :meth:`finish` has loaded the targets). ``call`` is PowerCenter's
        Call Text: the name and its arguments, ``$$PARAMETERS`` expanded."""
        if stage.lower().replace("-", " ").endswith("post load"):
            self._post_procedures.append((instance, connection, call, stage))
            return
        self._run_procedure(instance, connection, call, stage)

    def _run_procedure(self, instance: str, connection: Connection, call: str, stage: str) -> None:
        self.check_stop()
        self._require_database(instance, connection)
        name, args = parse_call_text(self.text(call))
        try:
            self._execute_statement(connection, call_statement(connection.url, name, args))
        except Exception as exc:  # noqa: BLE001 - the database's error, reported by the JDBC driver
            message = f"{self.session}: {stage} stored procedure {instance} failed: {_database_error(exc)}"
            if self.stop_on_procedure_error:
                raise SessionFailed(message) from None
            self.result.procedure_errors.append(message)  # On Stored Procedure error = Continue
            print(f"WARNING: {message} (On Stored Procedure error = Continue)", file=sys.stderr)

    def call_procedure(
        self,
        instance: str,
        df: DataFrame,
        connection: Connection,
        procedure: str,
        args: list[str],
        outputs: list[tuple[str, str]],
    ) -> DataFrame:
        """``df`` with the results of ``procedure`` called once per row (``args``: columns in parameter order;
        ``outputs``: (column, type) of the return value or output parameters, in that order).

        Set-based: the rows' arguments go to a staging table of the database; one statement calls the
        procedure for each staged row, in row order, and keeps the results in a second staging table, read
        back and joined to the rows. The procedure is called exactly once per row however often Spark reads
        the results. A database error fails the session (PowerCenter skips the row)."""
        self.check_stop()
        self._require_database(instance, connection)
        numbered = df.withColumn("_sp_row", F.row_number().over(Window.orderBy(ROW_ID)).cast("bigint"))
        tag = uuid.uuid4().hex[:12]
        staged, results = f"infaflow_sp_{tag}_in", f"infaflow_sp_{tag}_out"
        (
            numbered.select(
                F.col("_sp_row").alias("sp_row"),
                *[F.col(f"`{a}`").alias(f"a{i}") for i, a in enumerate(args)],
            )
            .write.format("jdbc")
            .options(**connection.jdbc_options(), dbtable=staged)
            .mode("overwrite")
            .save()
        )
        self._staging.append((connection, staged))
        statement = per_row_statement(connection.url, procedure, len(args), len(outputs), staged, results)
        try:
            self._execute_statement(connection, statement)
        except Exception as exc:  # noqa: BLE001 - the database's error, reported by the JDBC driver
            raise SessionFailed(
                f"{self.session}: stored procedure {instance} ({procedure}) failed: {_database_error(exc)}"
            ) from None
        self._staging.append((connection, results))
        out = self.spark.read.format("jdbc").options(**connection.jdbc_options(), dbtable=results).load()
        out = out.toDF("_sp_row", *[f"_sp_out{i}" for i in range(len(out.columns) - 1)])
        out = out.select(
            "_sp_row", *[F.col(f"_sp_out{i}").cast(t).alias(n) for i, (n, t) in enumerate(outputs)]
        )
        return numbered.join(out, "_sp_row", "left").drop("_sp_row")

    def _require_database(self, instance: str, connection: Connection) -> None:
        if not connection.is_jdbc:
            raise NotConverted(
                f"{instance}: a stored procedure runs on its database, "
                f"and connection {connection.name} is the "
                "embedded store, which has no procedures; map it to JDBC in connections.toml"
            )

    def _execute_statement(self, connection: Connection, statement: str) -> None:
        """Run one statement on the database through the JDBC reader's ``sessionInitStatement`` (public
        DataFrame API, the same under Spark Connect); the one-row query that carries it is discarded."""
        probe = _DIALECTS[_dialect(connection.url)].probe
        (
            self.spark.read.format("jdbc")
            .options(**connection.jdbc_options(), query=probe, sessionInitStatement=statement)
            .load()
            .collect()
        )

    # -- SQL transformation ------------------------------------------------------------------------------

    def sql_query(
        self,
        instance: str,
        df: DataFrame,
        connection: Connection | str,
        query: str,
        *,
        inputs: list[str],
        outputs: list[tuple[str, str]],
        continue_on_error: bool,
        at_least_one_row: bool = False,
        max_rows: int = 0,
        passive: bool = False,
    ) -> DataFrame:
        """An SQL transformation in query mode: ``query`` (statements separated by ``;``, ``$$PARAMETERS``
        expanded) runs once per row of ``df`` in row order, ``?port?`` bound to the row's value and ``~port~``
        replaced by it (``inputs``: the ports the query names). The rows returned: each SELECT's rows (at most
        ``max_rows`` per input row over its SELECTs, 0 = no limit) with the ``outputs`` columns in order; with
        ``at_least_one_row`` (pass-through or NumRowsAffected ports) one row for a statement that returns
        none; one row carrying the database's message for a failed statement, after which the row's other
        statements run only with ``continue_on_error`` (without it the failure also counts as a row error of
        the transformation). Added columns: ``_sql_error``, ``_sql_rows_affected`` and the outputs;
        ``_row_id`` becomes (input row, output row), so the rows keep PowerCenter's order.

        Set-based: the rows' bound values go to a staging table of the database, one PL/pgSQL block runs the
        statements for each staged row and keeps what they return in a second staging table, read back and
        joined to the rows.

        ``passive`` (the transformation is not active): one row out per row in, as :func:`sql_passive_block`
        says; ``_row_id`` is kept.

        ``connection`` a column name: each row's logical connection object (see :meth:`_per_connection`)."""
        self.check_stop()
        if isinstance(connection, str):
            empty = df.select(
                "*",
                F.lit(None).cast("string").alias("_sql_error"),
                F.lit(None).cast("int").alias("_sql_rows_affected"),
                *[F.lit(None).cast(t).alias(n) for n, t in outputs],
            )
            if not passive:
                empty = empty.withColumn(
                    ROW_ID, F.struct(F.col(ROW_ID).alias("row"), F.lit(0).cast("bigint").alias("seq"))
                )
            return self._per_connection(
                instance,
                df,
                connection,
                empty,
                lambda part, conn: self.sql_query(
                    instance,
                    part,
                    conn,
                    query,
                    inputs=inputs,
                    outputs=outputs,
                    continue_on_error=continue_on_error,
                    at_least_one_row=at_least_one_row,
                    max_rows=max_rows,
                    passive=passive,
                ),
            )
        self._require_sql_database(instance, connection)
        numbered, staged = self._stage_sql_rows(connection, df, inputs)
        results = staged.removesuffix("_in") + "_out"
        statements = sql_statements(self.text(query))
        block = (
            sql_passive_block(statements, inputs, staged=staged, results=results, n_outputs=len(outputs))
            if passive
            else sql_query_block(
                statements,
                inputs,
                staged=staged,
                results=results,
                n_outputs=len(outputs),
                at_least_one_row=at_least_one_row,
                continue_on_error=continue_on_error,
                max_rows=max_rows,
            )
        )
        self._run_sql_block(instance, connection, block, results)
        values = "".join(f", sq_values[{i + 1}] AS o{i}" for i in range(len(outputs)))
        out = (
            self.spark.read.format("jdbc")
            .options(
                **connection.jdbc_options(),
                query=f"SELECT sq_row, sq_seq, sq_error, sq_affected{values} FROM {results}",
            )
            .load()
        )
        out = out.select(
            F.col("sq_row").alias("_sq_row"),
            F.col("sq_seq").alias("_sq_seq"),
            F.col("sq_error").alias("_sql_error"),
            F.col("sq_affected").cast("int").alias("_sql_rows_affected"),
            *[F.col(f"o{i}").cast(t).alias(n) for i, (n, t) in enumerate(outputs)],
        )
        if not continue_on_error:
            self._count_sql_errors(instance, out, "_sql_error")
        rows = numbered.join(out, "_sq_row")
        if not passive:
            rows = rows.withColumn(
                ROW_ID, F.struct(F.col(ROW_ID).alias("row"), F.col("_sq_seq").alias("seq"))
            )
        return rows.drop("_sq_row", "_sq_seq")

    def sql_script(
        self,
        instance: str,
        df: DataFrame,
        connection: Connection | str,
        script_name: str,
        *,
        continue_on_error: bool,
    ) -> DataFrame:
        """An SQL transformation in script mode: for each row of ``df``, in row order, the statements of the
        script file its ``script_name`` column names (separated by ``;``) run in the database; the output of
        SELECT statements is ignored. Added columns, one row per input row: ``_script_result`` (PASSED, or
        FAILED when a statement failed or the file cannot be read), ``_script_error`` (the messages, one a
        line), ``_sql_rows_affected`` (rows inserted, updated or deleted by the script). A failed statement
        ends the script unless ``continue_on_error``; without it the failure is also a row error.

        The script files are read where the job's driver runs (as PowerCenter reads them on the Integration
        Service's machine): their statements go to a staging table, one PL/pgSQL block runs them for each row.
        ``connection`` a column name: each row's logical connection object (see :meth:`_per_connection`)."""
        self.check_stop()
        if isinstance(connection, str):
            empty = df.select(
                "*",
                F.lit(None).cast("string").alias("_script_result"),
                F.lit(None).cast("string").alias("_script_error"),
                F.lit(None).cast("int").alias("_sql_rows_affected"),
            )
            return self._per_connection(
                instance,
                df,
                connection,
                empty,
                lambda part, conn: self.sql_script(
                    instance, part, conn, script_name, continue_on_error=continue_on_error
                ),
            )
        self._require_sql_database(instance, connection)
        numbered, staged = self._stage_sql_rows(connection, df, [script_name])
        names = [row[0] for row in df.select(F.col(f"`{script_name}`")).distinct().collect()]
        scripts, results = staged.removesuffix("_in") + "_scripts", staged.removesuffix("_in") + "_out"
        rows = [entry for name in names for entry in script_statements(name)]
        (
            self.spark.createDataFrame(rows, "sq_name string, sq_no int, sq_text string, sq_error string")
            .write.format("jdbc")
            .options(**connection.jdbc_options(), dbtable=scripts)
            .mode("overwrite")
            .save()
        )
        self._staging.append((connection, scripts))
        block = sql_script_block(
            staged=staged, scripts=scripts, results=results, continue_on_error=continue_on_error
        )
        self._run_sql_block(instance, connection, block, results)
        out = self.spark.read.format("jdbc").options(**connection.jdbc_options(), dbtable=results).load()
        out = out.select(
            F.col("sq_row").alias("_sq_row"),
            F.col("sq_result").alias("_script_result"),
            F.col("sq_error").alias("_script_error"),
            F.col("sq_affected").cast("int").alias("_sql_rows_affected"),
        )
        if not continue_on_error:
            self._count_sql_errors(instance, out, "_script_error")
        return numbered.join(out, "_sq_row", "left").drop("_sq_row")

    def _per_connection(
        self,
        instance: str,
        df: DataFrame,
        column: str,
        empty: DataFrame,
        run: Callable[[DataFrame, Connection], DataFrame],
    ) -> DataFrame:
        """An SQL transformation whose rows name their connection in ``column`` (the LogicalConnectionObject
        port): the rows of each connection run on it, the connections in name order, and come back in one
        frame (``_row_id`` keeps PowerCenter's row order); ``empty`` (no rows, the result's columns) when
        there are no rows. A row that names no connection fails the session."""
        names = [row[0] for row in df.select(F.col(f"`{column}`")).distinct().collect()]
        if None in names:
            raise SessionFailed(
                f"{self.session}: SQL transformation {instance}: a row names no connection ({column} is NULL)"
            )
        if not names:
            return empty.limit(0)
        parts = [run(df.where(F.col(f"`{column}`") == name), self.connection(name)) for name in sorted(names)]
        out = parts[0]
        for part in parts[1:]:
            out = out.unionByName(part)
        return out

    def _require_sql_database(self, instance: str, connection: Connection) -> None:
        if not connection.is_jdbc:
            raise NotConverted(
                f"{instance}: an SQL transformation runs its SQL on a database, "
                f"and connection {connection.name} "
                "is the embedded store; map it to JDBC in connections.toml"
            )
        dialect = _dialect(connection.url)
        if dialect != "postgresql":
            raise NotConverted(
                f"{instance}: the SQL transformation is not available "
                f"for dialect {dialect or connection.url} "
                f"(connection {connection.name}): its per-row SQL runs on PostgreSQL connections only"
            )

    def _stage_sql_rows(
        self, connection: Connection, df: DataFrame, columns: list[str]
    ) -> tuple[DataFrame, str]:
        """``df`` numbered in row order (``_sq_row``) and the name of the staging table holding the number and
        ``columns`` (as ``a0``, ``a1``...), written over JDBC."""
        numbered = df.withColumn("_sq_row", F.row_number().over(Window.orderBy(ROW_ID)).cast("bigint"))
        staged = f"infaflow_sql_{uuid.uuid4().hex[:12]}_in"
        (
            numbered.select(
                F.col("_sq_row").alias("sq_row"),
                *[F.col(f"`{c}`").alias(f"a{i}") for i, c in enumerate(columns)],
            )
            .write.format("jdbc")
            .options(**connection.jdbc_options(), dbtable=staged)
            .mode("overwrite")
            .save()
        )
        self._staging.append((connection, staged))
        return numbered, staged

    def _run_sql_block(self, instance: str, connection: Connection, block: str, results: str) -> None:
        try:
            self._execute_statement(connection, block)
        except Exception as exc:  # noqa: BLE001 - the database's error, reported by the JDBC driver
            raise SessionFailed(
                f"{self.session}: SQL transformation {instance} failed: {_database_error(exc)}"
            ) from None
        self._staging.append((connection, results))

    def _count_sql_errors(self, instance: str, out: DataFrame, column: str) -> None:
        """SQL errors without Continue on SQL Error are row errors of the transformation (its count, and the
        session's Stop on errors)."""
        errors = out.where(F.col(column).isNotNull()).count()
        if errors:
            self._errors[instance] = self._errors.get(instance, 0) + errors
            self._check_error_threshold()

    # -- the rest ----------------------------------------------------------------------------------

    def sequence(self, name: str, **settings: Any) -> Sequence:
        seq = Sequence(self, name, **settings)
        self._sequences.append(seq)
        return seq

    def generated_key(
        self,
        name: str,
        *,
        value: int = 1,
        reset: bool = False,
        restart: bool = False,
        store: str = "normalizer",
    ) -> GeneratedKey:
        """A Normalizer's (or, with ``store="xml"``, an XML Source Qualifier's) generated key, saved between
        sessions like a Sequence Generator's value."""
        key = GeneratedKey(self, name, value=value, reset=reset, restart=restart, store=store)
        self._sequences.append(key)
        return key

    def scan(
        self,
        instance: str,
        df: DataFrame,
        step: Callable[[Column, Column], Column],
        initial: Column,
        segment: Column | None = None,
    ) -> DataFrame:
        """``df`` with the fields of ``initial`` as new columns, computed row by row in PowerCenter's order
        (``_row_id``): ``step(state, row)`` gives a row's values from the previous row's (``initial`` before
        the first row). With ``segment``, each run of rows with the same segment value starts again from
        ``initial`` and runs in its own task. Native Spark only (``aggregate`` over the sorted rows); the rows
        of a segment are held in one array."""
        keyed = df.withColumn(SCAN_SEGMENT, segment) if segment is not None else df
        names = [ROW_ID, *[c for c in df.columns if c != ROW_ID]]  # sorted by _row_id, the first field
        rows = F.sort_array(F.collect_list(F.struct(*[keyed[c] for c in names])))
        grouped = keyed.groupBy(*([SCAN_SEGMENT] if segment is not None else [])).agg(rows.alias(SCAN_ROWS))
        state_type = df.select(initial.alias("s")).schema["s"].dataType
        states = _fold_rows(F.col(SCAN_ROWS), step, initial, state_type)
        pairs = F.zip_with(SCAN_ROWS, states, lambda r, s: F.struct(r.alias("r"), s.alias("s")))
        out = grouped.select(F.explode(pairs).alias("x"))
        fields = [f.name for f in state_type.fields]  # type: ignore[attr-defined]
        return out.select(
            *[F.col("x.r")[c].alias(c) for c in df.columns], *[F.col("x.s")[f].alias(f) for f in fields]
        )

    @staticmethod
    def in_order(*assignments: tuple[str, Callable[[Column], Column]]) -> Column:
        """A struct of values assigned in order: each ``(name, value)`` computes its value from the struct of
        the values assigned before it (``new``); a name assigned again replaces its field. Each step is bound
        once (``transform`` over a one-element array), so a value read several times is computed once."""
        names: list[str] = []
        new: Column | None = None
        for name, value in assignments:
            if new is None:
                new, names = F.struct(value(F.struct(F.lit(None).alias("_"))).alias(name)), [name]
                continue
            fields = names if name in names else [*names, name]
            new, names = F.element_at(F.transform(F.array(new), _assign(name, value, fields)), 1), fields
        if new is None:
            raise ValueError("in_order needs at least one assignment")
        return new

    def not_converted(self, instance: str, message: str, *inputs: Any) -> DataFrame:
        """Stop the job where logic that could not be converted belongs (``inputs``: the frames that
        feed the step, named so a reader sees what it would transform)."""
        raise NotConverted(f"{self.session}: {instance}: not converted: {message}")

    def share(self, df: DataFrame) -> DataFrame:
        """A frame that several targets read, computed once: persisted (memory, then disk) until the job
        ends. PowerCenter pushes each row through the pipeline once; Spark would compute the frame again
        for each target's write. Adaptive execution may still coalesce the kept frame's partitions, so a
        frame of no defined row order (an Aggregator's) is written in the order it would be unkept."""
        self.spark.conf.set("spark.sql.optimizer.canChangeCachedPlanOutputPartitioning", "true")
        kept = df.persist()
        self._shared.append(kept)
        return kept

    def release(self) -> None:
        """Free the frames kept by :meth:`share` (done by :meth:`finish`; a caller whose job failed calls
        it)."""
        while self._shared:
            self._shared.pop().unpersist()

    def finish(self) -> SessionResult:
        """Collect row counts and save sequence values once every target is written."""
        self.check_stop()
        for counts, name, obs, observed, metric in self._observed:
            counts[name] = counts.get(name, 0) + _observed_rows(obs, observed, metric)
        self.result.trans_errors = sum(self._errors.values())
        self._write_row_errors()
        self._check_error_threshold()
        for instance, connection, sql, stage in self._post_sql:
            self._execute_sql(instance, connection, sql, stage)
        for instance, connection, call, stage in self._post_procedures:
            self._run_procedure(instance, connection, call, stage)
        for connection, table in self._staging:
            self._execute_statement(connection, f"DROP TABLE {table}")
        for seq in self._sequences:
            seq.finish()
        if self._variables:
            self.result.mapping_variables = self._final_variables()
        self.release()
        return self.result


def _assign(name: str, value: Callable[[Column], Column], fields: list[str]) -> Callable[[Column], Column]:
    """The struct ``done`` with field ``name`` set to ``value(done)`` (``fields`` in order)."""
    return lambda done: F.struct(*[(value(done) if f == name else done[f]).alias(f) for f in fields])


SCAN_ROWS, SCAN_SEGMENT = "_scan_rows", "_scan_segment"
SCAN_CHUNK = 128  # rows folded into one inner array: appending copies it, so chunks keep that cost linear


def _fold_rows(
    rows: Column, step: Callable[[Column, Column], Column], initial: Column, state_type: Any
) -> Column:
    """The state after each element of ``rows``, folded in order: chunks of SCAN_CHUNK rows, each folded with
    ``aggregate`` from the last state of the chunk before (appending to an array copies it, so one array of
    every state would cost the square of the row count)."""
    from pyspark.sql.types import ArrayType

    def last(states: Column, before: Column) -> Column:
        return F.when(F.size(states) == 0, before).otherwise(F.element_at(states, F.size(states)))

    count = F.greatest(F.lit(0), F.floor((F.size(rows) - 1) / SCAN_CHUNK).cast("int"))
    chunks = F.transform(F.sequence(F.lit(0), count), lambda i: F.slice(rows, i * SCAN_CHUNK + 1, SCAN_CHUNK))
    no_states = F.array().cast(ArrayType(state_type))

    def fold_chunk(done: Column, chunk: Column) -> Column:
        start = F.when(F.size(done) == 0, initial).otherwise(
            F.element_at(F.element_at(done, F.size(done)), -1)
        )

        def fold_row(acc: Column, row: Column) -> Column:  # the previous state bound once, however often read
            after = F.transform(
                F.array(last(acc, start)), lambda state: F.concat(acc, F.array(step(state, row)))
            )
            return F.element_at(after, 1)

        return F.concat(done, F.array(F.aggregate(chunk, no_states, fold_row)))

    return F.flatten(F.aggregate(chunks, F.array().cast(ArrayType(ArrayType(state_type))), fold_chunk))


@dataclass(frozen=True)
class _Dialect:
    """How a database runs a procedure call and a one-row query."""

    call: str  # a statement calling {name} with {args}
    probe: str  # a query returning one row
    per_row: str  # a statement creating {results} from the procedure applied to each row of {staged}


_DIALECTS: dict[str, _Dialect] = {
    # PostgreSQL: a PROCEDURE is CALLed, a FUNCTION is PERFORMed; the block chooses by the catalogue. A
    # function in FROM returns its value (or its OUT parameters) as columns.
    "postgresql": _Dialect(
        call="DO $infaflow$ BEGIN IF EXISTS (SELECT 1 FROM pg_proc WHERE prokind = 'p' AND proname = "
        "lower('{short}')) THEN CALL {name}({args}); ELSE PERFORM {name}({args}); END IF; END $infaflow$",
        probe="SELECT 1 AS ok",
        per_row="CREATE TABLE {results} AS SELECT s.sp_row, r.* "
        "FROM (SELECT * FROM {staged} ORDER BY sp_row) s "
        "CROSS JOIN LATERAL {name}({columns}) AS r ORDER BY s.sp_row",
    ),
    "oracle": _Dialect(
        call="BEGIN {name}({args}); END;",
        probe="SELECT 1 AS ok FROM DUAL",
        per_row="CREATE TABLE {results} AS SELECT s.sp_row, {name}({columns}) AS r FROM {staged} s",
    ),
    "sqlserver": _Dialect(
        call="EXEC {name} {args}",
        probe="SELECT 1 AS ok",
        per_row="SELECT s.sp_row, {name}({columns}) AS r INTO {results} FROM {staged} s",
    ),
    "": _Dialect(
        call="CALL {name}({args})",
        probe="SELECT 1 AS ok",
        per_row="CREATE TABLE {results} AS SELECT s.sp_row, {name}({columns}) AS r FROM {staged} s",
    ),
}


def _dialect(url: str) -> str:
    """The database of a JDBC URL (``jdbc:postgresql:...``), a key of ``_DIALECTS``."""
    sub = url.split(":", 2)[1].lower() if url.count(":") >= 2 else ""
    return {"jtds": "sqlserver"}.get(sub, sub) if sub in (*_DIALECTS, "jtds") else ""


def parse_call_text(text: str) -> tuple[str, list[str]]:
    """PowerCenter's Call Text ``name(arg1, "arg 2")``: the procedure name and its arguments as strings.
    Arguments are written without quotes, or in double quotes when they hold spaces or commas."""
    m = re.match(r"^\s*([^\s(]+)\s*(?:\((.*)\))?\s*;?\s*$", text, re.DOTALL)
    if m is None:
        raise ValueError(f"Call Text {text!r} is not 'procedure(arguments)'")
    inner = (m.group(2) or "").strip()
    args: list[str] = []
    if not inner:
        return m.group(1), args
    current, quote = "", ""
    for ch in inner + ",":
        if quote:
            if ch == quote:
                quote = ""
            else:
                current += ch
        elif ch in '"“':
            quote = '"' if ch == '"' else "”"
        elif ch == ",":
            args.append(current.strip())
            current = ""
        else:
            current += ch
    return m.group(1), args


def _sql_literal(value: str) -> str:
    """An argument as a SQL string literal: the database converts it to the parameter's type."""
    return "'" + value.replace("'", "''") + "'"


def call_statement(url: str, name: str, args: list[str]) -> str:
    """The statement calling procedure ``name`` with ``args`` on the database of ``url``."""
    return _DIALECTS[_dialect(url)].call.format(
        name=name, short=name.split(".")[-1].strip('"'), args=", ".join(_sql_literal(a) for a in args)
    )


def per_row_statement(url: str, name: str, n_args: int, n_outputs: int, staged: str, results: str) -> str:
    """The statement calling ``name`` once per row of the staging table ``staged`` (columns ``sp_row``,
    ``a0``...) and keeping ``sp_row`` and the results in the new table ``results``."""
    dialect = _dialect(url)
    if n_outputs > 1 and dialect != "postgresql":
        raise NotConverted(
            f"procedure {name} returns {n_outputs} values: per-row calls of procedures with "
            "output parameters are implemented for PostgreSQL only"
        )
    template = _DIALECTS[dialect].per_row
    if n_outputs == 0 and dialect == "postgresql":  # a function returning void: keep only that it ran
        template = (
            "CREATE TABLE {results} AS SELECT s.sp_row FROM (SELECT * FROM {staged} ORDER BY sp_row) s "
            "CROSS JOIN LATERAL (SELECT {name}({columns})::text AS v) r WHERE r.v IS NULL OR r.v IS NOT NULL "
            "ORDER BY s.sp_row"
        )
    columns = ", ".join(f"s.a{i}" for i in range(n_args))
    return template.format(name=name, columns=columns, staged=staged, results=results)


# -- SQL transformation: the per-row PL/pgSQL blocks ---------------------------------------------------------

_BOUND_PORT = re.compile(r"\?([A-Za-z_][\w$#@]*)\?")  # ?port?: the row's value bound as a parameter
_SUBSTITUTED_PORT = re.compile(r"~([A-Za-z_][\w$#@]*)~")  # ~port~: the row's value put into the text
_SELECTS = r"'^[[:space:](]*(select|with|values|table)\y'"  # a statement that returns rows


def _pg_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _statement_code(statement: str, inputs: list[str]) -> tuple[str, list[str]]:
    """A statement as a PL/pgSQL text expression over the staged row ``r`` (``~port~`` replaced by the row's
    value as text, NULL as an empty string) and the row's values it binds, in the order of its ``$n``."""
    index = {name.lower(): i for i, name in enumerate(inputs)}
    bound: list[str] = []

    def bind(m: re.Match[str]) -> str:
        i = index.get(m.group(1).lower())
        if i is None:
            return m.group(0)
        if f"r.a{i}" not in bound:
            bound.append(f"r.a{i}")
        return f"${bound.index(f'r.a{i}') + 1}"

    text = _BOUND_PORT.sub(bind, statement)
    parts: list[str] = []
    last = 0
    for m in _SUBSTITUTED_PORT.finditer(text):
        i = index.get(m.group(1).lower())
        if i is None:
            continue
        parts += [_pg_text(text[last : m.start()]), f"coalesce(r.a{i}::text, '')"]
        last = m.end()
    parts.append(_pg_text(text[last:]))
    return " || ".join(p for p in parts if p != "''") or "''", bound


def sql_query_block(
    statements: list[str],
    inputs: list[str],
    *,
    staged: str,
    results: str,
    n_outputs: int,
    at_least_one_row: bool,
    continue_on_error: bool,
    max_rows: int,
) -> str:
    """The PL/pgSQL block running an SQL transformation's query (``statements``) for each row of ``staged``
    (``sq_row``, ``a0``...: the ``inputs``) in row order, keeping its output rows in the new table ``results``
    (``sq_row``, ``sq_seq`` the output row's rank for that input row, ``sq_error``, ``sq_affected``,
    ``sq_values`` the SELECT columns as text, in order). Each statement runs in its own subtransaction: a
    failed one leaves no change and gives one row with the database's message."""
    limit = f" LIMIT ' || greatest({max_rows} - v_taken, 0)" if max_rows > 0 else "'"
    empty_row = (
        f"INSERT INTO {results} VALUES (r.sq_row, v_seq + 1, NULL, 0, NULL); v_seq := v_seq + 1;"
        if at_least_one_row
        else "NULL;"
    )
    body: list[str] = []
    for number, statement in enumerate(statements, 1):
        text, bound = _statement_code(statement, inputs)
        using = f" USING {', '.join(bound)}" if bound else ""
        body += [
            f"    -- statement {number}",
            "    IF NOT v_stop THEN",
            f"      v_q := {text};",
            "      BEGIN",
            f"        IF v_q ~* {_SELECTS} THEN",
            f"          EXECUTE 'INSERT INTO {results} SELECT ' || r.sq_row || ', ' || v_seq "
            "|| ' + row_number() OVER (), "
            "NULL, 0, ARRAY(SELECT e.value FROM json_each_text(row_to_json(sq_result)) WITH ORDINALITY AS e "
            f"ORDER BY e.ordinality) FROM (' || v_q || ') AS sq_result{limit}{using};",
            "          GET DIAGNOSTICS v_n = ROW_COUNT;",
            f"          IF EXISTS (SELECT 1 FROM {results} WHERE sq_row = r.sq_row AND sq_seq > v_seq "
            f"AND cardinality(sq_values) > {n_outputs}) THEN",
            "            RAISE EXCEPTION 'the query returns more columns "
            "than the SQL transformation has output "
            f"ports ({n_outputs})';",
            "          END IF;",
            "          v_seq := v_seq + v_n;",
            "          v_taken := v_taken + v_n;",
            f"          IF v_n = 0{f' AND v_taken < {max_rows}' if max_rows > 0 else ''} THEN",
            f"            {empty_row}",
            "          END IF;",
            "        ELSE",
            f"          EXECUTE v_q{using};",
            "          GET DIAGNOSTICS v_n = ROW_COUNT;",
            *(
                [
                    f"          INSERT INTO {results} VALUES (r.sq_row, v_seq + 1, NULL, v_n, NULL);",
                    "          v_seq := v_seq + 1;",
                ]
                if at_least_one_row
                else []
            ),
            "        END IF;",
            "      EXCEPTION WHEN OTHERS THEN",
            f"        INSERT INTO {results} VALUES (r.sq_row, v_seq + 1, SQLERRM, 0, NULL);",
            "        v_seq := v_seq + 1;",
            *([] if continue_on_error else ["        v_stop := true;"]),
            "      END;",
            "    END IF;",
        ]
    return "\n".join(
        [
            "DO $infaflow$",
            "DECLARE",
            "  r record; v_q text; v_n bigint; v_seq bigint; v_taken bigint; v_stop boolean;",
            "BEGIN",
            f"  CREATE TABLE {results} (sq_row bigint, sq_seq bigint, sq_error text, sq_affected bigint, "
            "sq_values text[]);",
            f"  FOR r IN SELECT * FROM {staged} ORDER BY sq_row LOOP",
            "    v_seq := 0; v_taken := 0; v_stop := false;",
            *body,
            "  END LOOP;",
            "END $infaflow$",
        ]
    )


def sql_passive_block(
    statements: list[str], inputs: list[str], *, staged: str, results: str, n_outputs: int
) -> str:
    """The PL/pgSQL block of an SQL transformation in query mode configured as passive (Transformation Guide,
    "Rules and Guidelines for Passive Mode"): for each row of ``staged``, every statement runs (each in its
    own subtransaction); the row out carries the first statement's data (its first row, with an error when
    it retrieves several) or rows affected, and the errors of all the statements separated by semicolons.
    One row per input row in the new table ``results`` (same columns as :func:`sql_query_block`)."""
    body: list[str] = []
    for number, statement in enumerate(statements, 1):
        text, bound = _statement_code(statement, inputs)
        using = f" USING {', '.join(bound)}" if bound else ""
        if number == 1:
            run = [
                f"        IF v_q ~* {_SELECTS} THEN",
                "          EXECUTE 'SELECT count(*) OVER (), ARRAY(SELECT e.value FROM "
                "json_each_text(row_to_json(sq_result)) WITH ORDINALITY AS e ORDER BY e.ordinality) FROM "
                "(SELECT * FROM (' || v_q || ') AS sq_inner LIMIT 2) "
                f"AS sq_result'{using} INTO v_n, v_values;",
                f"          IF cardinality(v_values) > {n_outputs} THEN",
                "            v_values := NULL;",
                "            RAISE EXCEPTION 'the query returns more columns than the SQL transformation has "
                f"output ports ({n_outputs})';",
                "          END IF;",
                "          IF v_n > 1 THEN",
                "            v_errors := concat_ws('; ', v_errors, "
                "'the SQL transformation generated multiple rows');",
                "          END IF;",
                "        ELSE",
                f"          EXECUTE v_q{using};",
                "          GET DIAGNOSTICS v_affected = ROW_COUNT;",
                "        END IF;",
            ]
        else:
            run = [f"        EXECUTE v_q{using};"]
        body += [
            f"    -- statement {number}",
            f"    v_q := {text};",
            "    BEGIN",
            *[line[2:] for line in run],
            "    EXCEPTION WHEN OTHERS THEN",
            "      v_errors := concat_ws('; ', v_errors, SQLERRM);",
            "    END;",
        ]
    return "\n".join(
        [
            "DO $infaflow$",
            "DECLARE",
            "  r record; v_q text; v_n bigint; v_affected bigint; v_values text[]; v_errors text;",
            "BEGIN",
            f"  CREATE TABLE {results} (sq_row bigint, sq_seq bigint, sq_error text, sq_affected bigint, "
            "sq_values text[]);",
            f"  FOR r IN SELECT * FROM {staged} ORDER BY sq_row LOOP",
            "    v_affected := 0; v_values := NULL; v_errors := NULL;",
            *body,
            f"    INSERT INTO {results} VALUES (r.sq_row, 1, v_errors, v_affected, v_values);",
            "  END LOOP;",
            "END $infaflow$",
        ]
    )


def sql_script_block(*, staged: str, scripts: str, results: str, continue_on_error: bool) -> str:
    """The PL/pgSQL block running, for each row of ``staged`` (``sq_row``, ``a0`` the script name) in row
    order, the statements of its script (``scripts``: ``sq_name``, ``sq_no``, ``sq_text``, or ``sq_error``
    when the file cannot be read), each in its own subtransaction; one row per input row in the new table
    ``results``."""
    stop = "" if continue_on_error else "\n          v_stop := true;"
    return f"""DO $infaflow$
DECLARE
  r record; s record; v_n bigint; v_total bigint; v_error text; v_stop boolean;
BEGIN
  CREATE TABLE {results} (sq_row bigint, sq_result text, sq_error text, sq_affected bigint);
  FOR r IN SELECT * FROM {staged} ORDER BY sq_row LOOP
    v_total := 0; v_error := NULL; v_stop := false;
    IF r.a0 IS NULL THEN
      v_error := 'no script file name (ScriptName is NULL)';
    END IF;
    FOR s IN SELECT * FROM {scripts} WHERE sq_name = r.a0 ORDER BY sq_no LOOP
      EXIT WHEN v_stop;
      IF s.sq_error IS NOT NULL THEN
        v_error := s.sq_error;
        EXIT;
      END IF;
      BEGIN
        EXECUTE s.sq_text;
        GET DIAGNOSTICS v_n = ROW_COUNT;
        IF NOT s.sq_text ~* {_SELECTS} THEN
          v_total := v_total + v_n;
        END IF;
      EXCEPTION WHEN OTHERS THEN
        v_error := concat_ws(E'\\n', v_error, SQLERRM);{stop}
      END;
    END LOOP;
    INSERT INTO {results} VALUES (r.sq_row, CASE WHEN v_error IS NULL THEN 'PASSED' ELSE 'FAILED' END,
                                  v_error, v_total);
  END LOOP;
END $infaflow$"""


def script_statements(name: str | None) -> list[tuple[str | None, int, str | None, str | None]]:
    """The rows staged for one script file: ``(name, number, statement, None)`` for each statement (split as
    Pre/Post SQL are), or one ``(name, 1, None, message)`` when the file cannot be read."""
    if name is None:
        return []
    try:
        text = Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = (exc.strerror if isinstance(exc, OSError) else None) or exc
        return [(name, 1, None, f"cannot read script file {name}: {reason}")]
    return [(name, i, statement, None) for i, statement in enumerate(sql_statements(text), 1)]


def _database_error(exc: BaseException) -> str:
    """The database's message from a Spark/JDBC exception (its first line naming an SQL error)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    for line in lines:
        found = list(re.finditer(r"[\w.]*SQL\w*Exception: ", line))
        if found:
            return line[found[-1].end() :]
    return lines[0] if lines else type(exc).__name__


@dataclass(frozen=True)
class _Changes:
    """How flagged rows change a table: an update sets ``sets`` (column, port) on the rows whose columns equal
    the row's ports in ``match``; a delete removes the rows whose ``keys`` equal the row's; ``partition``: the
    columns every update and delete compares, so rows of different values never meet."""

    match: list[tuple[str, str]]
    sets: list[tuple[str, str]]
    keys: list[str]
    partition: list[str]
    upsert: bool


def _apply_in_order(existing: DataFrame, rows: DataFrame, names: list[str], how: _Changes) -> DataFrame:
    """The table after applying flagged ``rows`` to ``existing`` one by one in row order, as a database
    applies PowerCenter's statements: an insert adds the row; an update changes every row it matches (none:
    nothing, or with ``upsert`` the row is inserted); a delete removes every row it matches; NULL matches
    nothing. Each value of the ``partition`` columns is folded on its own (``aggregate`` over its rows in
    order, native Spark). Columns: ``names`` plus ``_affected`` (rows changed, on the first row of each
    partition; 0 on the others) and ``_deleted`` (a partition whose rows are all gone keeps one row with
    ``_deleted`` true, so its count survives)."""
    from pyspark.sql.types import ArrayType, LongType, StructField, StructType

    row_type = StructType(
        [StructField(f.name, f.dataType) for f in existing.schema.fields if f.name in names]
    )
    values = [F.col(f"`{c}`").cast(row_type[c].dataType).alias(c) for c in names]
    part = [f"_p{i}" for i in range(len(how.partition))]
    table = existing.select(
        *[F.col(f"`{c}`").alias(p) for c, p in zip(how.partition, part, strict=True)],
        F.struct(*values).alias("_v"),
    )
    table = table.groupBy(*part).agg(F.collect_list("_v").alias("_rows"))
    port_of = dict(how.match)
    by_type = {  # the values of the partition columns an operation compares
        DD_UPDATE: [F.col(f"`{port_of.get(c, c)}`") for c in how.partition],
        DD_INSERT: [F.col(f"`{c}`") for c in how.partition],
        DD_DELETE: [F.col(f"`{c}`") for c in how.partition],
    }
    ops = rows.select(
        *[
            F.when(F.col(ROW_TYPE) == DD_UPDATE, u).otherwise(i).cast(row_type[c].dataType).alias(p)
            for c, p, u, i in zip(how.partition, part, by_type[DD_UPDATE], by_type[DD_INSERT], strict=True)
        ],
        F.struct(F.col(ROW_ID).alias("o"), F.col(ROW_TYPE).alias("t"), F.struct(*values).alias("v")).alias(
            "_op"
        ),
    )
    ops = ops.groupBy(*part).agg(F.sort_array(F.collect_list("_op")).alias("_ops"))
    on = [table[p].eqNullSafe(ops[p]) for p in part]
    joined = table.join(ops, on, "full") if part else table.crossJoin(ops)
    joined = joined.select(
        F.coalesce(F.col("_rows"), F.array().cast(ArrayType(row_type))).alias("_rows"),
        F.coalesce(F.col("_ops"), F.array().cast(ops.schema["_ops"].dataType)).alias("_ops"),
    )
    state_type = StructType([StructField("rows", ArrayType(row_type)), StructField("n", LongType())])

    def matches(row: Column, op: Column, pairs: list[tuple[str, str]]) -> Column:
        test = F.lit(True)
        for column, port in pairs:
            test = test & (row[column] == op["v"][port])
        return F.coalesce(test, F.lit(False))

    def updated(row: Column, op: Column) -> Column:
        new = {c.lower(): op["v"][p] for c, p in how.sets}
        return F.struct(*[new.get(c.lower(), row[c]).cast(row_type[c].dataType).alias(c) for c in names])

    def step(state: Column, op: Column) -> Column:
        current = state["rows"]
        hits = F.size(F.filter(current, lambda r: matches(r, op, how.match)))
        gone = F.size(F.filter(current, lambda r: matches(r, op, [(k, k) for k in how.keys])))
        add = F.concat(current, F.array(op["v"]))
        change = F.transform(
            current, lambda r: F.when(matches(r, op, how.match), updated(r, op)).otherwise(r)
        )
        keep = F.filter(current, lambda r: ~matches(r, op, [(k, k) for k in how.keys]))
        insert_it = (op["t"] == DD_INSERT) | ((op["t"] == DD_UPDATE) & (hits == 0) & F.lit(how.upsert))
        new_rows = F.when(insert_it, add).when(op["t"] == DD_UPDATE, change).when(op["t"] == DD_DELETE, keep)
        n = F.when(insert_it, 1).when(op["t"] == DD_UPDATE, hits).when(op["t"] == DD_DELETE, gone)
        return F.struct(
            new_rows.otherwise(current).alias("rows"), (state["n"] + F.coalesce(n, F.lit(0))).alias("n")
        ).cast(state_type)

    initial = F.struct(F.col("_rows").alias("rows"), F.lit(0).cast("bigint").alias("n")).cast(state_type)
    done = joined.select(F.aggregate("_ops", initial, step).alias("_s"))
    out = done.select(
        F.explode_outer(F.transform("_s.rows", lambda r, i: F.struct(r.alias("r"), i.alias("i")))).alias("x"),
        F.col("_s.n").alias("_n"),
    )
    return out.select(
        *[F.col("x.r")[c].alias(c) for c in names],
        F.when(F.coalesce(F.col("x.i"), F.lit(0)) == 0, F.col("_n")).otherwise(0).alias("_affected"),
        F.col("x").isNull().alias("_deleted"),
    )


# -- relational targets over JDBC: rows applied one by one in the database ----------------------------------

_TU_PORT = re.compile(r":TU\.([A-Za-z_][\w$#@]*)", re.IGNORECASE)  # :TU.port in an Update Override
_ROW = "infaflow_r"  # the staged row in dml_block (a name no target column is likely to have)


def bind_update_override(override: str, names: list[str]) -> str:
    """An Update Override with each ``:TU.port`` replaced by the staged row's value of that port
    (``infaflow_r.a<i>``, ``i`` its place in ``names``), its final ``;`` dropped."""
    index = {name.lower(): i for i, name in enumerate(names)}

    def bind(m: re.Match[str]) -> str:
        i = index.get(m.group(1).lower())
        if i is None:
            raise ValueError(f"the Update Override names :TU.{m.group(1)}, which is not a port of the target")
        return f"{_ROW}.a{i}"

    return _TU_PORT.sub(bind, override.strip().rstrip(";").strip())


_IDENT = r'(?:"[^"]+"|\[[^\]]+\]|[A-Za-z_][\w$#@]*)'
_ASSIGN = re.compile(rf"^({_IDENT})\s*=\s*:TU\.([A-Za-z_][\w$#@]*)$", re.IGNORECASE)
_SIMPLE_UPDATE = re.compile(
    rf"^UPDATE\s+{_IDENT}(?:\.{_IDENT})*\s+SET\s+(.+?)\s+WHERE\s+(.+?)\s*;?\s*$", re.IGNORECASE | re.DOTALL
)


def simple_update_override(
    override: str, names: list[str]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]] | None:
    """An Update Override ``UPDATE t SET col = :TU.port, ... WHERE col = :TU.port AND ...`` as its SET and
    WHERE pairs (column, port), named as in ``names``; None for any other SQL."""
    m = _SIMPLE_UPDATE.match(override.strip())
    if m is None:
        return None
    index = {n.lower(): n for n in names}

    def pairs(text: str, separator: str) -> list[tuple[str, str]] | None:
        out = []
        for part in re.split(separator, text, flags=re.IGNORECASE):
            found = _ASSIGN.match(part.strip())
            if found is None:
                return None
            column, port = index.get(found.group(1).strip('"[]').lower()), index.get(found.group(2).lower())
            if column is None or port is None:
                return None
            out.append((column, port))
        return out

    sets, match = pairs(m.group(1), r","), pairs(m.group(2), r"\s+AND\s+")
    return None if sets is None or match is None else (sets, match)


def dml_block(
    table: str,
    names: list[str],
    written: list[str],
    keys: list[str],
    *,
    staged: str,
    results: str,
    upsert: bool,
    update_override: str = "",
    truncate: bool = False,
) -> str:
    """The PL/pgSQL block applying the staged rows of a target (``staged``: ``dml_row`` the row order,
    ``dml_type`` the flag, ``a<i>`` the value of ``names[i]``) to ``table`` one by one in row order, with
    the statements PowerCenter's writer sends: ``INSERT`` of the ``written`` columns, ``UPDATE`` of the
    written columns that are not keys ``WHERE`` each key equals the row's (or the Update Override), and
    ``DELETE ... WHERE`` the keys. With ``upsert`` (Update else Insert) an update that changes no row
    inserts the row. A row the database refuses (a constraint violated, a value it cannot take) is
    rejected, recorded with the database's message, and the next row goes on; any other error (no such
    table or column, no privilege, SQL that does not parse) fails the block, which changes nothing, as
    PowerCenter fails the session when the writer's statements cannot run. ``results`` gets one row per
    staged row: ``dml_row``, ``dml_op`` (the operation done), ``dml_affected`` (rows changed),
    ``dml_error``. Identifiers are written as PowerCenter writes them, unquoted."""
    index = {name.lower(): i for i, name in enumerate(names)}
    key_names = {k.lower() for k in keys}
    where = " AND ".join(f"{k} = {_ROW}.a{index[k.lower()]}" for k in keys)
    insert = (
        f"INSERT INTO {table} ({', '.join(written)}) "
        f"VALUES ({', '.join(f'{_ROW}.a{index[c.lower()]}' for c in written)})"
    )
    no_key = f"RAISE EXCEPTION 'target {table} has no primary key'"
    if update_override:
        update = bind_update_override(update_override, names)
    elif keys:
        sets = [c for c in written if c.lower() not in key_names] or list(keys)
        assignments = ", ".join(f"{c} = {_ROW}.a{index[c.lower()]}" for c in sets)
        update = f"UPDATE {table} SET {assignments} WHERE {where}"
    else:
        update = no_key
    delete = f"DELETE FROM {table} WHERE {where}" if keys else no_key
    count = "GET DIAGNOSTICS infaflow_n = ROW_COUNT;"
    else_insert = f"\n        IF infaflow_n = 0 THEN {insert}; {count} infaflow_op := {DD_INSERT}; END IF;"
    return f"""DO $infaflow$
DECLARE
  {_ROW} record;
  infaflow_n bigint;
  infaflow_op int;
BEGIN
  CREATE TABLE {results} (dml_row bigint, dml_op int, dml_affected bigint, dml_error text);
  PERFORM 1 FROM {table} LIMIT 0;{f"{chr(10)}  TRUNCATE TABLE {table};" if truncate else ""}
  FOR {_ROW} IN SELECT * FROM {staged} ORDER BY dml_row LOOP
    infaflow_op := {_ROW}.dml_type;
    BEGIN
      IF {_ROW}.dml_type = {DD_INSERT} THEN
        {insert}; {count}
      ELSIF {_ROW}.dml_type = {DD_UPDATE} THEN
        {update}; {count}{else_insert if upsert else ""}
      ELSE
        {delete}; {count}
      END IF;
      INSERT INTO {results} VALUES ({_ROW}.dml_row, infaflow_op, infaflow_n, NULL);
    EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
      INSERT INTO {results} VALUES ({_ROW}.dml_row, infaflow_op, 0, SQLERRM);
    END;
  END LOOP;
END $infaflow$"""


def _observe(df: DataFrame, obs: Observation, *metrics: Column) -> DataFrame:
    """``df.observe(obs, *metrics)``. A job's frames are never streaming; Spark Connect's client would ask
    the server so (one analysis of the whole plan per observed frame) unless told: its ``isStreaming`` is
    a cached property, which an instance value answers. A classic DataFrame's is a plain property, which
    an instance value does not shadow."""
    if isinstance(inspect.getattr_static(type(df), "isStreaming", None), functools.cached_property):
        df.__dict__.setdefault("isStreaming", False)
    return df.observe(obs, *metrics)


def _observed_rows(obs: Observation, observed: DataFrame, metric: Column) -> int:
    """The ``rows`` metric of an observation, read with the public ``Observation.get`` (classic Spark and
    Spark Connect alike). An observation can complete without values: classic Spark when a sampling job (a
    global sort's range partitioning) runs the observed plan first, Spark Connect when the action that ran
    it returned no metrics; the rows are then counted again, so the figure stays exact."""
    value = _observed_value(obs, observed, metric)
    return int(value or 0)


# Seconds to wait for an observation's metrics: every action of the job has finished when they are read,
# so only an observation that no action ran (classic Spark's Observation.get would wait for ever) waits.
_OBSERVATION_WAIT = 10.0


def _metrics(obs: Observation) -> dict[str, Any]:
    """An observation's metrics; empty when it completed without values or no action ran its plan."""
    box: dict[str, Any] = {}

    def read() -> None:
        try:
            box.update(obs.get)
        except Exception:  # noqa: S110 - classic Spark fails to convert the empty row of a valueless observation
            pass

    reader = threading.Thread(target=read, name="infaflow-observation", daemon=True)
    reader.start()
    reader.join(_OBSERVATION_WAIT)
    return {} if reader.is_alive() else dict(box)


def sql_statements(sql: str) -> list[str]:
    """The statements of a Pre/Post SQL text, split as PowerCenter splits them: ``;`` separates statements,
    except inside a ``/* ... */`` comment; ``\\;`` is a ``;`` that does not separate (the backslash is
    dropped). Blank statements are dropped."""
    statements: list[str] = []
    current: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        if sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end < 0 else end + 2
            current.append(sql[i:end])
            i = end
        elif sql.startswith("\\;", i):
            current.append(";")
            i += 2
        elif sql[i] == ";":
            statements.append("".join(current))
            current = []
            i += 1
        else:
            current.append(sql[i])
            i += 1
    statements.append("".join(current))
    return [s.strip() for s in statements if s.strip()]


# The constant query each database accepts (the JDBC source needs a query to run after the statement).
_PROBE_QUERIES = {
    "oracle": "SELECT 1 AS probe FROM DUAL",
    "db2": "SELECT 1 AS probe FROM SYSIBM.SYSDUMMY1",
    "derby": "SELECT 1 AS probe FROM SYSIBM.SYSDUMMY1",
    "as400": "SELECT 1 AS probe FROM SYSIBM.SYSDUMMY1",
    "informix-sqli": "SELECT 1 AS probe FROM systables WHERE tabid = 1",
    "hsqldb": "SELECT 1 AS probe FROM INFORMATION_SCHEMA.SYSTEM_USERS",
    "firebirdsql": "SELECT 1 AS probe FROM RDB$DATABASE",
}


def probe_query(url: str) -> str:
    """A one-row constant query for the database of a JDBC URL (``jdbc:<subprotocol>:...``)."""
    parts = url.split(":")
    subprotocol = parts[1].lower() if len(parts) > 1 and parts[0].lower() == "jdbc" else ""
    return _PROBE_QUERIES.get(subprotocol, "SELECT 1 AS probe")


def _observed_value(obs: Observation, observed: DataFrame, metric: Column) -> Any:
    """The ``rows`` metric of an observation as it is (the value of a mapping variable), read with the
    public ``Observation.get``; computed again when the observation has no values (see
    :func:`_observed_rows`)."""
    metrics = _metrics(obs)
    if "rows" in metrics:
        return metrics["rows"]
    return observed.agg(metric.alias("rows")).collect()[0]["rows"]


def _observation_name(name: str) -> str:
    """A unique metric name Spark accepts (letters, digits and underscores)."""
    return re.sub(r"[^0-9A-Za-z_]", "_", name) + "_" + uuid.uuid4().hex[:8]


def _checked_action(instance: str, action: Column) -> Column:
    """A Transaction Control action, raising an error (the session fails) when it is not 0..4 or NULL."""
    message = F.concat(
        F.lit(f"{instance}: the transaction control expression returned "),
        action.cast("string"),
        F.lit(", not a Transaction Control action (TC_CONTINUE_TRANSACTION ... TC_ROLLBACK_AFTER)"),
    )
    valid = action.isNull() | action.isin(
        TC_CONTINUE_TRANSACTION, TC_COMMIT_BEFORE, TC_COMMIT_AFTER, TC_ROLLBACK_BEFORE, TC_ROLLBACK_AFTER
    )
    return F.when(valid, action.cast("int")).otherwise(F.raise_error(message).cast("int"))


def _one_partition(df: DataFrame, ordered: bool) -> DataFrame:
    """One writer, rows in PowerCenter's order: one partition sorted by _row_id (no range sampling); rows of
    no defined order (``ordered=False``) are not sorted."""
    if ordered and ROW_ID in df.columns:
        return df.repartition(1).sortWithinPartitions(ROW_ID)
    return df.coalesce(1)


def _cast_text(col: Column, spark_type: str, fmt: str) -> Column:
    if spark_type == "timestamp":
        return F.try_to_timestamp(col, F.lit(fmt))
    if spark_type == "string":
        return col
    return F.trim(col).try_cast(spark_type)


def _conversion_error(columns: list[tuple[str, str]], fmt: str) -> Column:
    """The reader's error for a row: the first field whose text does not convert to its type (an empty
    field is NULL, not an error), else NULL."""
    checks = []
    for name, spark_type in columns:
        if spark_type == "string":
            continue
        raw = F.col(f"`{name}`")
        bad = (F.trim(raw) != "") & _cast_text(raw, spark_type, fmt).isNull()
        checks.append(
            F.when(bad, F.concat(F.lit(f"{name}: value '"), raw, F.lit(f"' is not a valid {spark_type}")))
        )
    if not checks:
        return F.lit(None).cast("string")
    return F.coalesce(*checks) if len(checks) > 1 else checks[0]


def _cast_out(col: Column, spark_type: str, fmt: str) -> Column:
    if spark_type == "timestamp":
        return F.date_format(col, fmt)
    return col.cast(spark_type).cast("string") if spark_type != "string" else col


_NUMBER_TYPES = ("byte", "short", "int", "integer", "bigint", "long", "float", "double", "decimal")


def _is_number(spark_type: str) -> bool:
    return spark_type.split("(")[0].strip().lower() in _NUMBER_TYPES


def _plain_number(text: Column, thousand_separator: str, decimal_separator: str) -> Column:
    """A number's text as the source's separators write it (``1.234,50``) in Spark's form (``1234.50``)."""
    if thousand_separator:
        text = F.regexp_replace(text, re.escape(thousand_separator), "")
    if decimal_separator not in ("", "."):
        text = F.regexp_replace(text, re.escape(decimal_separator), ".")
    return text


def _fixed_width_line(
    columns: list[tuple[Any, ...]],
    null_character: str,
    repeat_null: bool,
    date_format: str,
    thousand_separator: str,
    decimal_separator: str,
) -> tuple[Column, list[Column], list[Column]]:
    """A fixed-width target's line (column ``value``), each field's text (``_value<i>``) and whether it
    overflows its width (``_overflow<i>``): see :meth:`Job.write_fixed_width`."""
    null_text = null_character or " "
    cells, values, overflows = [], [], []
    for spec in columns:
        name, spark_type, width = spec[0], spec[1], int(spec[2])
        fmt = _spark_format(spec[3] if len(spec) > 3 and spec[3] else date_format)
        col = F.col(f"`{name}`")
        text = _fixed_width_text(col, spark_type, fmt, thousand_separator, decimal_separator)
        null = F.lit(null_text * width if repeat_null else null_text)
        if _is_number(spark_type):
            too_long = F.coalesce(F.length(text) > width, F.lit(False)) | (col.isNotNull() & text.isNull())
            cell = F.when(col.isNull(), F.rpad(null, width, " ")).otherwise(F.lpad(text, width, " "))
        else:
            too_long = F.lit(False)
            cell = F.rpad(F.coalesce(text, null), width, " ")
        cells.append(cell)
        values.append(text)
        overflows.append(too_long)
    flags = [f.alias(f"_overflow{i}") for i, f in enumerate(overflows)]
    texts = [v.alias(f"_value{i}") for i, v in enumerate(values)]
    line = (F.concat(*cells) if cells else F.lit("")).alias("value")
    return line, texts, flags


def _fixed_width_text(
    col: Column, spark_type: str, fmt: str, thousand_separator: str, decimal_separator: str
) -> Column:
    """A value's text in a fixed-width target: numbers as their type writes them (NULL when the value does
    not fit the type's precision), with the thousand separator in the integer digits and the decimal
    separator; dates in the field's format; strings as they are."""
    if not _is_number(spark_type):
        return _cast_out(col, spark_type, fmt)
    text = col.try_cast(spark_type).cast("string")
    if not thousand_separator and decimal_separator in ("", "."):
        return text
    whole = F.regexp_extract(text, r"^(-?\d+)", 1)
    rest = F.regexp_extract(text, r"^-?\d+(.*)$", 1)
    if thousand_separator:
        whole = F.regexp_replace(whole, r"(\d)(?=(\d{3})+$)", "$1" + thousand_separator.replace("$", "\\$"))
    if decimal_separator not in ("", "."):
        rest = F.regexp_replace(rest, r"^\.", decimal_separator)
    return F.when(text.isNull(), F.lit(None)).otherwise(F.concat(whole, rest))


_LATIN1 = bytes(range(256)).decode("latin-1")
# PowerCenter code page names of COBOL files -> Python codecs (EBCDIC and single-byte ASCII families).
_CODE_PAGES = {
    "ibm037": "cp037",
    "ibm 037": "cp037",
    "ibm ebcdic us english ibm037": "cp037",
    "cp037": "cp037",
    "ibm500": "cp500",
    "ibm1047": "cp1047",
    "ibm1140": "cp1140",
    "ibm273": "cp273",
    "ibm277": "cp277",
    "ibm278": "cp278",
    "ibm280": "cp280",
    "ibm284": "cp284",
    "ibm285": "cp285",
    "ibm297": "cp297",
    "ms1252": "cp1252",
    "latin1": "latin-1",
    "iso-8859-1": "latin-1",
    "us-ascii": "latin-1",
    "ascii": "latin-1",
    "iso-8859-15": "iso8859-15",
    "utf-8": "latin-1",
}


def code_page_codec(codepage: str) -> str | None:
    """The Python codec of a PowerCenter code page name (``IBM037``, ``MS1252``...), or ``None``."""
    key = codepage.strip().lower()
    if key in _CODE_PAGES:
        return _CODE_PAGES[key]
    match = re.search(r"ibm\s*0?(\d{3,4})", key)
    if match and f"ibm{match.group(1)}" in _CODE_PAGES:
        return _CODE_PAGES[f"ibm{match.group(1)}"]
    return None


def _code_page_table(codepage: str) -> str | None:
    """The 256 characters the bytes 0..255 stand for in ``codepage`` (``None``: Latin-1, byte = char)."""
    codec = code_page_codec(codepage) or "latin-1"
    if codec == "latin-1":
        return None
    return bytes(range(256)).decode(codec, errors="replace")


_EBCDIC = {
    "cp037",
    "cp500",
    "cp1047",
    "cp1140",
    "cp273",
    "cp277",
    "cp278",
    "cp280",
    "cp284",
    "cp285",
    "cp297",
}


def _zoned_digit_table(codepage: str) -> str | None:
    """The characters zoned-decimal bytes read as: digits, +/- and the overpunched digits. They are the
    same bytes in every EBCDIC code page (F0-F9, C0-C9, D0-D9), but national pages print C0 and D0 as other
    letters, so EBCDIC files read them through IBM037; ASCII-family files byte for byte."""
    codec = code_page_codec(codepage) or "latin-1"
    return bytes(range(256)).decode("cp037") if codec in _EBCDIC else None


def _in_code_page(raw: Column, table: str | None) -> Column:
    return F.translate(raw, _LATIN1, table) if table else raw


# -- flat files: code pages, lines and delimited fields ------------------------------------------------

# PowerCenter code page names (FLATFILE CODEPAGE, "Codepage Parameter") -> (Python codec, how the reader
# decodes the file). "byte": a single-byte code page, read byte by byte and translated through its 256
# characters; "utf-8": UTF-8; "unicode": UTF-16/UTF-32, decoded by Spark as a whole file; "multibyte": a
# double-byte (CJK) code page, decoded by Spark with its Java charset (MULTIBYTE_CODE_PAGES). The Java
# charset of each is named in docs/convert.md ("Flat files").
FLAT_FILE_CODE_PAGES: dict[str, tuple[str, str]] = {
    **{f"ms{n}": (f"cp{n}", "byte") for n in range(1250, 1259)},
    "ms874": ("cp874", "byte"),
    "latin1": ("latin-1", "byte"),
    "iso88591": ("latin-1", "byte"),
    **{f"iso8859{n}": (f"iso8859_{n}", "byte") for n in (2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16)},
    "latin9": ("iso8859_15", "byte"),
    "usascii": ("latin-1", "byte"),  # 7-bit: a byte above 127 is kept as the Latin-1 character
    "ascii": ("latin-1", "byte"),
    "koi8r": ("koi8_r", "byte"),
    "ibm437": ("cp437", "byte"),
    "ibm850": ("cp850", "byte"),
    "ibm852": ("cp852", "byte"),
    "ibm866": ("cp866", "byte"),
    "utf8": ("utf-8", "utf-8"),
    "utf16": ("utf-16", "unicode"),
    "utf16le": ("utf-16-le", "unicode"),
    "utf16be": ("utf-16-be", "unicode"),
    "utf32": ("utf-32", "unicode"),
    "utf32le": ("utf-32-le", "unicode"),
    "utf32be": ("utf-32-be", "unicode"),
    "ms932": ("cp932", "multibyte"),
    "shiftjis": ("shift_jis", "multibyte"),
    "sjis": ("shift_jis", "multibyte"),
    "japaneuc": ("euc_jp", "multibyte"),
    "eucjp": ("euc_jp", "multibyte"),
    "ms936": ("gbk", "multibyte"),
    "gbk": ("gbk", "multibyte"),
    "gb2312": ("gb2312", "multibyte"),
    "gb18030": ("gb18030", "multibyte"),
    "ms949": ("cp949", "multibyte"),
    "ms950": ("cp950", "multibyte"),
    "big5": ("big5", "multibyte"),
    "euckr": ("euc_kr", "multibyte"),
}
_SPARK_UNICODE = {
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16LE",
    "utf-16-be": "UTF-16BE",
    "utf-32": "UTF-32",
    "utf-32-le": "UTF-32",  # Spark has no UTF-32LE; such files are refused by flat_file_code_page
    "utf-32-be": "UTF-32",
}


@dataclass(frozen=True)
class MultibyteCodePage:
    """How a multibyte code page lays its characters out in bytes, as Java regular expressions over raw
    bytes held one Latin-1 character per byte (the encodings' definitions: JIS X 0208 Appendix 1 for
    Shift-JIS, EUC for EUC-JP/GB2312/EUC-KR, the Windows code pages 932/936/949/950, GB 18030)."""

    charset: str  # the Java charset Spark decodes with (spark.sql.legacy.javaCharsets)
    char: str  # one whole character
    partial: str  # the first bytes of a character, without its last byte
    follow: str  # (a character class's inside) the bytes that may follow the first byte of a character


def _double_byte(charset: str, lead: str, trail: str) -> MultibyteCodePage:
    return MultibyteCodePage(charset, f"[{lead}][{trail}]|[^{lead}]", f"[{lead}]", trail)


# Python codec (FLAT_FILE_CODE_PAGES) -> layout. No byte that follows a first byte is below 0x30, so a
# line feed (0x0A) or a carriage return (0x0D) is always a line end in these code pages; 0x40-0x7E (@,
# backslash, |, letters...) do follow first bytes in most of them, so fields are split after the line is
# decoded.
MULTIBYTE_CODE_PAGES: dict[str, MultibyteCodePage] = {
    "cp932": _double_byte("windows-31j", r"\x81-\x9F\xE0-\xFC", r"\x40-\x7E\x80-\xFC"),
    "shift_jis": _double_byte("Shift_JIS", r"\x81-\x9F\xE0-\xFC", r"\x40-\x7E\x80-\xFC"),
    "euc_jp": MultibyteCodePage(  # 0x8E: half-width katakana; 0x8F: three bytes (JIS X 0212)
        "EUC-JP",
        r"\x8F[\xA1-\xFE][\xA1-\xFE]|[\x8E\xA1-\xFE][\xA1-\xFE]|[^\x8E\x8F\xA1-\xFE]",
        r"\x8F[\xA1-\xFE]?|[\x8E\xA1-\xFE]",
        r"\xA1-\xFE",
    ),
    "gbk": _double_byte("GBK", r"\x81-\xFE", r"\x40-\x7E\x80-\xFE"),
    "gb2312": _double_byte("GB2312", r"\xA1-\xFE", r"\xA1-\xFE"),
    "gb18030": MultibyteCodePage(  # two bytes, or four: first, digit, first, digit
        "GB18030",
        r"[\x81-\xFE][\x30-\x39][\x81-\xFE][\x30-\x39]|[\x81-\xFE][\x40-\x7E\x80-\xFE]|[^\x81-\xFE]",
        r"[\x81-\xFE](?:[\x30-\x39][\x81-\xFE]?)?",
        r"\x30-\x39\x40-\x7E\x80-\xFE",
    ),
    "cp949": _double_byte("x-windows-949", r"\x81-\xFE", r"\x41-\x5A\x61-\x7A\x81-\xFE"),
    "euc_kr": _double_byte("EUC-KR", r"\xA1-\xFE", r"\xA1-\xFE"),
    "cp950": _double_byte("x-windows-950", r"\x81-\xFE", r"\x40-\x7E\xA1-\xFE"),
    "big5": _double_byte("Big5", r"\x81-\xFE", r"\x40-\x7E\xA1-\xFE"),
}
# Lets F.decode use any JDK charset; Spark 4 otherwise decodes only UTF-8, UTF-16/32, ISO-8859-1, US-ASCII.
JAVA_CHARSETS_CONF = "spark.sql.legacy.javaCharsets"


def _decoded_whole(codec: str, kind: str, row_delimiter: str) -> bool:
    """Whether :meth:`Job._lines` decodes the file whole before splitting it into lines."""
    return kind == "unicode" or (kind == "multibyte" and not _splits_on_bytes(codec, row_delimiter or "\n"))


def _splits_on_bytes(codec: str, row_delimiter: str) -> bool:
    """Whether a multibyte file's lines can be split on the row delimiter's byte (read in parallel, each
    line decoded on its own): the delimiter is one ASCII byte that never follows the first byte of a
    character. Otherwise (``|`` in Shift-JIS, say) the file is decoded whole before it is split."""
    follow = re.compile(f"[{MULTIBYTE_CODE_PAGES[codec].follow}]")
    return len(row_delimiter) == 1 and ord(row_delimiter) < 0x80 and not follow.match(row_delimiter)


def flat_file_code_page(codepage: str) -> tuple[str, str] | None:
    """(Python codec, kind) of a flat file's PowerCenter code page (``MS1252``, ``Latin1``, ``UTF-8``...;
    no name: UTF-8), or ``None`` for a name outside the table."""
    key = re.sub(r"[\s_\-]", "", (codepage or "UTF-8").lower())
    found = FLAT_FILE_CODE_PAGES.get(key)
    if found is not None and found[0] in ("utf-32-le",):
        return None
    return found


def _code_page(codepage: str) -> tuple[str, str]:
    found = flat_file_code_page(codepage)
    if found is None:
        raise NotConverted(f"code page {codepage!r} is not supported for flat files")
    return found


def _byte_table(codec: str) -> str | None:
    """The characters the bytes 0..255 stand for in a single-byte code page (``None``: Latin-1). A byte the
    code page leaves undefined keeps its Latin-1 character (as Java's windows-125x charsets do)."""
    chars = []
    for b in range(256):
        try:
            chars.append(bytes([b]).decode(codec))
        except UnicodeDecodeError:
            chars.append(chr(b))
    table = "".join(chars)
    return None if table == _LATIN1 else table


def _as_bytes(text: str, codec: str) -> str:
    """``text`` encoded in the file's code page, one Latin-1 character per byte (to compare with raw
    records)."""
    return text.encode(codec, errors="replace").decode("latin-1")


def _decoded(raw: Column, codec: str, kind: str) -> Column:
    """Text from raw bytes held one Latin-1 character per byte, in the file's code page."""
    if kind == "utf-8":
        return F.decode(F.encode(raw, "ISO-8859-1"), "UTF-8")
    if kind == "multibyte":
        # The Java charset needs spark.sql.legacy.javaCharsets, which the reader sets on the session before
        # it builds the frame: Spark reads the setting when it analyses the decode, and keeps it set.
        return F.decode(F.encode(raw, "ISO-8859-1"), MULTIBYTE_CODE_PAGES[codec].charset)
    return _in_code_page(raw, _byte_table(codec))


def _field_text(raw: Column, codec: str, kind: str) -> Column:
    """A fixed-width field's text from its bytes, decoded on their own. In a multibyte code page a
    character the field's end cuts (its first bytes in the field, the rest in the next one) reads as
    U+FFFD, the replacement character; the rest of it starts the next field, decoded as what it is there."""
    if kind != "multibyte":
        return _decoded(raw, codec, kind)
    layout = MULTIBYTE_CODE_PAGES[codec]
    whole = F.regexp_replace(raw, f"^((?:{layout.char})*+)(?:{layout.partial})\\z", "$1")
    cut = F.when(F.length(whole) < F.length(raw), F.lit("\ufffd")).otherwise(F.lit(""))
    return F.concat(_decoded(whole, codec, kind), cut)


def _java_literal(text: str) -> str:
    """``text`` as a literal in a Java regular expression (every non-alphanumeric character escaped)."""
    return "".join(c if c.isalnum() else "\\" + c for c in text)


@dataclass(frozen=True)
class DelimitedFormat:
    """How the Integration Service splits a line of a delimited file into fields (Designer Guide, "Updating
    Delimited File Properties"; Workflow Basics Guide, "Configuring Delimited File Properties")."""

    delimiters: str = ","  # each character separates fields, or with ``as_and`` only the whole sequence
    as_and: bool = False  # Treat Multiple Delimiters as AND
    consecutive_as_one: bool = False  # Treat Consecutive Delimiters as One
    quote: str = ""  # Optional Quotes: a field that starts with it is quoted
    escape: str = ""  # Escape Character: before a delimiter (unquoted) or the quote (quoted)
    keep_escape: bool = False  # Remove Escape Character From Data cleared

    def delimiter_regex(self) -> str:
        """One delimiter."""
        if self.as_and or len(self.delimiters) == 1:
            return _java_literal(self.delimiters)
        return "[" + "".join(_java_literal(c) for c in dict.fromkeys(self.delimiters)) + "]"

    def fields_regex(self) -> str:
        """A Java regular expression whose matches, over the line with one delimiter put in front, are the
        fields in order (group 1): each match starts with a delimiter, so none is empty and none is
        skipped. A quoted field runs to its closing quote (two quotes, or the escape character and the
        quote, stand for one quote); what follows the closing quote up to the next delimiter is dropped."""
        one = self.delimiter_regex()
        sep = f"(?:{one})+" if self.consecutive_as_one else one
        plain_char = f"(?!{one})."
        escaped = f"{_java_literal(self.escape)}(?:{one})|" if self.escape else ""
        unquoted = f"(?:{escaped}{plain_char})*"
        if not self.quote:
            return f"(?s){sep}({unquoted})"
        q = _java_literal(self.quote)
        inner = f"(?:{q}{q}|{_java_literal(self.escape) + q + '|' if self.escape else ''}[^{q}])*"
        return f"(?s){sep}({q}{inner}{q}(?:{plain_char})*|{unquoted})"

    def value(self, token: Column) -> Column:
        """A field's value from its text: quotes removed, doubled or escaped quotes made single, escape
        characters removed unless kept; an empty field is NULL."""
        one = self.delimiter_regex()
        plain = token
        if self.escape and not self.keep_escape:
            plain = F.regexp_replace(token, f"{_java_literal(self.escape)}({one})", "$1")
        value = plain
        if self.quote:
            q = _java_literal(self.quote)
            esc = _java_literal(self.escape) if self.escape else ""
            inner = f"^{q}((?:{q}{q}|{esc + q + '|' if esc else ''}[^{q}])*){q}"
            doubled = f"{q}{q}|{esc}{q}" if esc and not self.keep_escape else f"{q}{q}"
            unquoted = F.regexp_replace(F.regexp_extract(token, inner, 1), doubled, self.quote)
            value = F.when(token.rlike(inner), unquoted).otherwise(plain)
        return F.when(value != "", value)

    def fields(self, line: Column, count: int) -> list[Column]:
        """The first ``count`` fields of ``line`` (NULL past the end of a short line; extra fields are
        ignored)."""
        lead = self.delimiters if self.as_and else self.delimiters[0]
        tokens = F.regexp_extract_all(F.concat(F.lit(lead), line), F.lit(self.fields_regex()), 1)
        return [self.value(F.try_element_at(tokens, F.lit(i + 1))) for i in range(count)]


def _skip_lines(df: DataFrame, n: int) -> DataFrame:
    """The lines of :meth:`Job._lines` without the first ``n`` lines of the file: those whose ``_row_id``
    is below ``n``, read by the same scan (no job of its own). A UTF-16/32 file's ids are its line
    numbers. Otherwise the id is ``monotonically_increasing_id``: a partition's rows count from
    ``index << 33``, and the first partition holds the lines that start in the file's first split, at least
    4 MB (``spark.sql.files.openCostInBytes``) unless the file is smaller, so the lines to skip are its
    first ``n`` rows. The ids of the rows kept move down by ``n``, so the first data row is 0, as in a file
    without skipped lines (the order is unchanged)."""
    if n <= 0:
        return df
    return df.where(F.col(ROW_ID) >= n).withColumn(ROW_ID, F.col(ROW_ID) - F.lit(n))


# Zoned-decimal sign overpunch: the last (or first) digit carries the sign in its zone: C (+) and D (-)
# zones read as {A-I and }J-R in EBCDIC and in ASCII copies of such files; p-y are the ASCII (Micro
# Focus) negative digits.
_OVERPUNCH_FROM, _OVERPUNCH_TO = "{ABCDEFGHI}JKLMNOPQRpqrstuvwxy", "012345678901234567890123456789"
_NEGATIVE_PUNCH = "}JKLMNOPQRpqrstuvwxy"


def _cobol_value(
    raw: Column, usage: str, length: int, digits: int, scale: int, sign: str, table: str | None
) -> Column:
    """One COBOL elementary item from its bytes (one Latin-1 character per byte), with native functions."""
    if usage == "text":
        return _in_code_page(raw, table)
    if usage == "display-point":  # a real decimal point among the digits: drop it, then as DISPLAY
        text = F.regexp_replace(_in_code_page(raw, table), "[.]", "")
        return _cobol_value(text, "display", length - 1, digits, scale, sign, None)
    if usage == "display":
        text = _in_code_page(raw, table)
        if sign in ("trailing separate", "leading separate"):
            mark = F.substring(text, length, 1) if sign.startswith("trailing") else F.substring(text, 1, 1)
            body = (
                F.substring(text, 1, length - 1)
                if sign.startswith("trailing")
                else F.substring(text, 2, length - 1)
            )
            negative = mark == "-"
            valid = mark.isin("+", "-")
        elif sign in ("trailing", "leading"):
            punch = F.substring(text, length, 1) if sign == "trailing" else F.substring(text, 1, 1)
            rest = (
                F.substring(text, 1, length - 1) if sign == "trailing" else F.substring(text, 2, length - 1)
            )
            digit = F.translate(punch, _OVERPUNCH_FROM, _OVERPUNCH_TO)
            body = F.concat(rest, digit) if sign == "trailing" else F.concat(digit, rest)
            negative = F.instr(F.lit(_NEGATIVE_PUNCH), punch) > 0
            valid = F.lit(True)
        else:
            body, negative, valid = text, F.lit(False), F.lit(True)
        width = length - 1 if sign.endswith("separate") else length
        return _scaled(body, negative, valid, width, scale, digits)
    if usage == "packed":
        nibbles = F.hex(F.encode(raw, "ISO-8859-1"))
        body = F.substring(nibbles, 1, 2 * length - 1)
        mark = F.substring(nibbles, 2 * length, 1)
        return _scaled(
            body, mark.isin("D", "B"), mark.isin("A", "B", "C", "D", "E", "F"), 2 * length - 1, scale, digits
        )
    if usage == "binary":
        nibbles = F.hex(F.encode(raw, "ISO-8859-1"))
        unsigned = F.conv(nibbles, 16, 10).cast("decimal(20,0)")
        value = unsigned
        if sign != "none":
            value = F.when(
                F.substring(nibbles, 1, 1).isin(*"89ABCDEF"),
                unsigned - F.lit(2 ** (8 * length)).cast("decimal(20,0)"),
            ).otherwise(unsigned)
        if not scale:
            return value.try_cast(f"decimal({max(digits, 1)},0)")
        digits_text = F.abs(value).cast("string")
        magnitude = F.when(F.length(digits_text) <= scale, F.lpad(digits_text, scale + 1, "0")).otherwise(
            digits_text
        )
        number = F.concat(
            F.when(value < 0, F.lit("-")).otherwise(F.lit("")),
            F.regexp_replace(magnitude, f"([0-9]{{{scale}}})$", ".$1"),
        )
        return number.try_cast(f"decimal({max(digits, scale)},{scale})")
    raise ValueError(f"unknown COBOL usage {usage!r}")


def _scaled(
    body: Column, negative: Column, valid: Column, width: int, scale: int, digits: int | None = None
) -> Column:
    """``body`` (``width`` digit characters, the last ``scale`` after the implied decimal point) as a
    decimal(digits, scale); NULL when the characters are not all digits or ``valid`` is false."""
    digits = width if digits is None else digits
    number = F.concat(
        F.when(negative, F.lit("-")).otherwise(F.lit("")),
        F.substring(body, 1, width - scale),
        F.lit("."),
        F.substring(body, width - scale + 1, scale) if scale else F.lit("0"),
    )
    ok = valid & body.rlike(f"^[0-9]{{{width}}}$")
    return F.when(ok, number.try_cast(f"decimal({max(digits, 1)},{scale})"))


def _write_csv(
    writer: DataFrameWriter, path: str, *, delimiter: str, quote: str, header: bool = False
) -> None:
    """Spark's CSV writer set as PowerCenter's delimited writer writes: values as they are (no trimming),
    quoted with ``quote`` only when needed (none without one), NULL and '' as an empty field."""
    (
        writer.option("sep", delimiter or ",")
        .option("quote", quote or "\u0000")
        .option("escape", quote or "\\")
        .option("header", "true" if header else "false")
        .option("ignoreLeadingWhiteSpace", "false")
        .option("ignoreTrailingWhiteSpace", "false")
        .option("emptyValue", "")
        .option("nullValue", "")
        .csv(path)
    )


def _write_single_csv(df: DataFrame, path: str, *, delimiter: str, quote: str, header: bool) -> None:
    """Spark writes a folder of part files; PowerCenter writes one file: move the single part into place."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.{uuid.uuid4().hex[:8]}"
    _write_csv(df.write.mode("overwrite"), str(tmp), delimiter=delimiter, quote=quote, header=header)
    parts = sorted(tmp.glob("part-*"))
    with open(target, "wb") as out:
        for part in parts:
            with open(part, "rb") as fh:
                shutil.copyfileobj(fh, out)
    shutil.rmtree(tmp)


def file_paths(directory: str, default_name: str, files: list[tuple[int, str | None]]) -> dict[int, str]:
    """The file each transaction writes (transaction -> path), for the transactions whose file survives:
    ``files`` are (transaction, FileName value of its first row); a relative name is in ``directory``, a
    NULL name is the path ``default_name``; of transactions naming the same file, the last one's rows are
    the file's content (PowerCenter overwrites it). An empty name maps to ""."""
    last: dict[str, int] = {}
    for txn, name in sorted(files):
        if name is None:
            path = default_name
        else:
            path = "" if not name else (name if os.path.isabs(name) else os.path.join(directory or ".", name))
        last[path] = txn
    return {txn: path for path, txn in last.items()}


def _write_csv_by_transaction(
    df: DataFrame, paths: dict[int, str], *, delimiter: str, quote: str, header: bool, codec: str = "utf-8"
) -> None:
    """Write the rows of each transaction (column ``_txn``) to its own delimited file in ``codec``; with
    ``header`` each file starts with the field names after a "#", as write_flat_file writes them."""
    names = [c for c in df.columns if c != _TXN]
    _write_by_transaction(
        df,
        paths,
        lambda writer, folder: _write_csv(writer, folder, delimiter=delimiter, quote=quote),
        header="#" + (delimiter or ",")[0].join(names) + "\n" if header else "",
        codec=codec,
    )


def _write_text_by_transaction(df: DataFrame, paths: dict[int, str], codec: str = "utf-8") -> None:
    """Write the lines (column ``value``) of each transaction (column ``_txn``) to its own file."""
    _write_by_transaction(df, paths, lambda writer, folder: writer.text(folder), codec=codec)


def _write_by_transaction(
    df: DataFrame,
    paths: dict[int, str],
    save: Callable[[DataFrameWriter, str], None],
    *,
    header: str = "",
    codec: str = "utf-8",
) -> None:
    """One Spark folder partitioned by transaction (``save`` writes it), whose part files are moved into
    place by name: the file of each transaction of ``paths``, ``header`` first, re-encoded in ``codec``."""
    if not paths:
        return
    first = Path(next(iter(paths.values())))
    first.parent.mkdir(parents=True, exist_ok=True)
    tmp = first.parent / f".{first.name}.{uuid.uuid4().hex[:8]}"
    save(df.write.mode("overwrite").partitionBy(_TXN), str(tmp))
    for txn, path in paths.items():
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        encoder = codecs.getincrementalencoder(codec)(errors="replace")
        with open(target, "wb") as out:
            if header:
                out.write(encoder.encode(header))
            for part in sorted((tmp / f"{_TXN}={txn}").glob("part-*")):
                with open(part, "rb") as fh:
                    for chunk in codecs.getreader("utf-8")(fh, "replace"):
                        out.write(encoder.encode(chunk))
            out.write(encoder.encode("", final=True))
    shutil.rmtree(tmp)


def main(run: Callable[[SparkSession, dict[str, Any]], SessionResult], argv: list[str] | None = None) -> int:
    """``spark-submit job.py --param '$$X=1' --param '$PMSourceFileDir=/data'``: run and print the result."""
    parser = argparse.ArgumentParser(description="Run a session converted by infaflow.")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter value ($$MappingParam, $PMSourceFileDir, $DBConnection_X...)",
    )
    parser.add_argument("--param-file", help="a PowerCenter parameter file (name=value lines)")
    parser.add_argument("--result-file", help="also write the result (or the error) to this JSON file")
    parser.add_argument("--app-name", default="infaflow-job", help="the Spark application's name")
    parser.add_argument(
        "--state-file",
        help="where the mapping variables' values are kept between runs "
        "(default: state/<job>.json beside the job)",
    )
    args = parser.parse_args(argv)
    params: dict[str, Any] = {}
    if args.param_file:
        for line in Path(args.param_file).read_text().splitlines():
            if "=" in line and not line.lstrip().startswith("["):
                name, value = line.split("=", 1)
                params[name.strip()] = value
    for item in args.param:
        if "=" not in item:
            parser.error(f"--param {item!r}: expected NAME=VALUE")
        name, value = item.split("=", 1)
        params[name] = value
    state = Path(args.state_file) if args.state_file else default_state_file(run)
    given = {name.lower() for name in params}
    for name, value in read_state(state).items():
        if name.lower() not in given:  # a parameter file or --param wins over the saved value
            params[name] = value
    spark = SparkSession.builder.appName(args.app_name).getOrCreate()
    try:
        result = run(spark, params)
    except Exception as exc:
        if args.result_file:
            _write_result(
                args.result_file, {"error": (str(exc).strip() or type(exc).__name__).splitlines()[0][:500]}
            )
        raise
    if result.mapping_variables:
        write_state(state, result)
    if args.result_file:
        _write_result(args.result_file, result.as_dict())
    print(json.dumps(result.as_dict(), indent=2, default=str))
    sys.stdout.flush()
    return 0


def _write_result(path: str, data: dict[str, Any]) -> None:
    """The result as JSON, written whole (a reader never sees half a file)."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}")
    tmp.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    tmp.replace(target)


# -- the state file of mapping variables (a job run with spark-submit) ----------------------------------


def default_state_file(run: Callable[..., Any]) -> Path:
    """``state/<job>.json`` in the directory of the job's module."""
    module = sys.modules.get(run.__module__)
    path = Path(getattr(module, "__file__", None) or "job.py")
    return path.parent / "state" / f"{path.stem}.json"


def read_state(path: Path) -> dict[str, Any]:
    """The mapping variables' values saved by the last successful run (none when there is no file)."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {name: _decode_state(entry) for name, entry in (data.get("mapping_variables") or {}).items()}


def write_state(path: Path, result: SessionResult) -> None:
    """Save the mapping variables' final values (JSON: session, saved time, name -> {type, value})."""
    import datetime as dt
    from decimal import Decimal

    def entry(value: Any) -> dict[str, Any]:
        if isinstance(value, dt.datetime):
            return {"type": "datetime", "value": value.isoformat()}
        if isinstance(value, Decimal):
            return {"type": "decimal", "value": str(value)}
        return {"type": "plain", "value": value}

    data = {
        "session": result.session,
        "saved": dt.datetime.now().isoformat(timespec="seconds"),
        "mapping_variables": {name: entry(value) for name, value in result.mapping_variables.items()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _decode_state(entry: dict[str, Any]) -> Any:
    import datetime as dt
    from decimal import Decimal

    kind, value = entry.get("type"), entry.get("value")
    if value is None:
        return None
    if kind == "datetime":
        return dt.datetime.fromisoformat(value)
    if kind == "decimal":
        return Decimal(value)
    return value


# --------------------------------------------------------------------------------------------------
# XML sources (Job.read_xml): the element tree the groups and fields name, its Spark schema, field values

_XML_ATTRIBUTE = "@"  # prefix of attribute columns: never the start of an element name
_XML_TEXT = "#text"  # an element's own text when it also has attributes or child elements
_XML_ELEMENT, _XML_ORDER, _XML_PARENT = "_xml_element", "_xml_order", "_xml_parent"


@dataclass
class _XmlNode:
    """An element of the document as the XML definition uses it: its child elements, attributes, text."""

    children: dict[str, _XmlNode] = field(default_factory=dict)
    attributes: set[str] = field(default_factory=set)
    text: bool = False

    def child(self, name: str) -> _XmlNode:
        return self.children.setdefault(name, _XmlNode())

    @property
    def is_text(self) -> bool:
        """Only text is read from it: a string, not a struct, in the schema."""
        return not self.children and not self.attributes


def _xml_steps(xpath: str) -> tuple[list[str], str | None, int]:
    """The element steps of a field's XPath relative to its group element, its attribute (or None for the
    text) and the occurrence it reads (``[n]`` on the last element, 1 by default)."""
    text = xpath.strip()
    if text.startswith("./"):
        text = text[2:]
    elif text == ".":
        text = ""
    parts = [p for p in text.split("/") if p] if text else []
    attribute = parts.pop()[1:] if parts and parts[-1].startswith("@") else None
    occurrence = 1
    if parts and parts[-1].endswith("]") and "[" in parts[-1]:
        name, index = parts[-1][:-1].split("[", 1)
        parts[-1], occurrence = name, int(index)
    return parts, attribute, occurrence


def _xml_tree(groups: list[tuple[Any, ...]]) -> _XmlNode:
    tree = _XmlNode()
    for _group, group_path, _parent, _key, _fk, fields in groups:
        node = tree
        for name in group_path.split("/"):
            node = node.child(name)
        for _port, xpath, _type in fields:
            steps, attribute, _occurrence = _xml_steps(xpath)
            leaf = node
            for name in steps:
                leaf = leaf.child(name)
            if attribute is not None:
                leaf.attributes.add(attribute)
            else:
                leaf.text = True
    return tree


def _xml_schema(node: _XmlNode) -> Any:
    """The Spark schema of an element: every child element an array (any element may occur more than once;
    one occurrence is an array of one), attributes and text as strings."""
    from pyspark.sql.types import ArrayType, StringType, StructField, StructType

    def element_type(n: _XmlNode) -> Any:
        if n.is_text:
            return StringType()
        fields = [StructField(f"{_XML_ATTRIBUTE}{a}", StringType()) for a in sorted(n.attributes)]
        fields += [StructField(name, ArrayType(element_type(c))) for name, c in n.children.items()]
        if n.text:
            fields.append(StructField(_XML_TEXT, StringType()))
        return StructType(fields)

    return element_type(node)


def _xml_value(element: Column, node: _XmlNode, xpath: str) -> Column:
    """The text of a field from its group's element (a struct, or a string for a text-only element)."""
    steps, attribute, occurrence = _xml_steps(xpath)
    value = element
    for i, name in enumerate(steps):
        node = node.children[name]
        value = F.try_element_at(value[name], F.lit(occurrence if i == len(steps) - 1 else 1))
    if attribute is not None:
        return value[f"{_XML_ATTRIBUTE}{attribute}"]
    return value if node.is_text else value[_XML_TEXT]


def _xml_cast(col: Column, spark_type: str) -> Column:
    """An XML text value as its port's type: numbers trimmed, dates and times as XML Schema writes them
    (``2024-03-15``, ``2024-03-15T10:20:30.5``, with an optional zone)."""
    if spark_type == "string":
        return col
    return F.trim(col).try_cast(spark_type)


def _xml_conversion_error(columns: list[tuple[str, str]]) -> Column:
    """The reader's error for an XML row: the first value that does not convert to its type, else NULL."""
    checks = []
    for name, spark_type in columns:
        if spark_type == "string":
            continue
        raw = F.col(f"`{name}`")
        bad = (F.trim(raw) != "") & _xml_cast(raw, spark_type).isNull()
        checks.append(
            F.when(bad, F.concat(F.lit(f"{name}: value '"), raw, F.lit(f"' is not a valid {spark_type}")))
        )
    if not checks:
        return F.lit(None).cast("string")
    return F.coalesce(*checks) if len(checks) > 1 else checks[0]
