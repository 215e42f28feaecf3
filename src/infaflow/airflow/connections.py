"""PowerCenter connections resolved from Airflow connections in a DAG's Session tasks.

A session's job asks for its relational connections by PowerCenter name (``job.connection("ORA_DW",
"$DBConnection_src")``). Before the session runs, each name it may ask for is looked up as an Airflow
connection whose id is :func:`conn_id` of the name (``ORA_DW`` -> ``ora_dw``); those found become entries
of a connections file written for this session run (the project's own file, ``INFAFLOW_CONNECTIONS``, is
kept underneath: its JDBC driver jars and its other connections), named to the job by the
``$INFAFLOWCONNECTIONS`` parameter. The password goes through an environment variable of the task's
process (which spark-submit inherits), never into the file. Names with no Airflow connection resolve as
under ``infaflow run``: the project's file, else the embedded store.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from infaflow.codegen.naming import identifier
from infaflow.runtime.executor import SessionOutcome, SessionRequest

# The JDBC URL and driver of each Airflow connection type a PowerCenter relational connection maps to:
# (URL from host, port, database; default port; driver class).
JDBC_TYPES: dict[str, tuple[Callable[[str, int, str], str], int, str]] = {
    "postgres": (lambda h, p, d: f"jdbc:postgresql://{h}:{p}/{d}", 5432, "org.postgresql.Driver"),
    "mysql": (lambda h, p, d: f"jdbc:mysql://{h}:{p}/{d}", 3306, "com.mysql.cj.jdbc.Driver"),
    "oracle": (lambda h, p, d: f"jdbc:oracle:thin:@//{h}:{p}/{d}", 1521, "oracle.jdbc.OracleDriver"),
    "mssql": (
        lambda h, p, d: f"jdbc:sqlserver://{h}:{p};databaseName={d}",
        1433,
        "com.microsoft.sqlserver.jdbc.SQLServerDriver",
    ),
}
_CALL = re.compile(r'job\.connection\(\s*("(?:[^"\\]|\\.)*")\s*(?:,\s*("(?:[^"\\]|\\.)*")\s*)?\)')


def conn_id(name: str) -> str:
    """The Airflow connection id of PowerCenter connection ``name``: lower case, each character other than
    a letter, digit, ``_``, ``-`` or ``.`` replaced by ``_``
    (``Relational:ORA DW`` -> ``relational_ora_dw``)."""
    return re.sub(r"[^a-z0-9_.-]", "_", name.strip().lower())


def connection_names(code: str, params: Mapping[str, Any]) -> list[str]:
    """The connection names a job may ask for: the names its ``job.connection(...)`` calls give, and the
    values of the session parameters they name ($DBConnection_X), as the support module resolves them."""
    lower = {str(k).lower(): v for k, v in params.items()}
    names: list[str] = []
    for match in _CALL.finditer(code):
        default = json.loads(match.group(1))
        variable = json.loads(match.group(2)) if match.group(2) else ""
        for name in (str(lower.get(variable.lower(), "") or "") if variable else "", default):
            if name.startswith("$"):
                name = str(lower.get(name.lower(), "") or "")
            if name and name not in names:
                names.append(name)
    return names


def jdbc_entry(conn: Any) -> dict[str, Any] | None:
    """The connections-file entry of an Airflow connection (``conn_type``, ``host``, ``port``, ``schema``,
    ``login``, extra): the extra's ``url`` (or ``jdbc_url``) and ``driver`` win; ``jdbc`` connections (the
    JDBC provider's) carry the URL as host and the driver in the extra's ``driver_class``. ``None`` for a
    type with no JDBC mapping and no URL in its extra."""
    extra = getattr(conn, "extra_dejson", None) or {}
    conn_type = str(getattr(conn, "conn_type", "") or "").lower()
    known = JDBC_TYPES.get(conn_type)
    url = str(extra.get("url") or extra.get("jdbc_url") or "")
    if not url and conn_type == "jdbc":
        url = str(conn.host or "")
    if not url and known is not None:
        url = known[0](conn.host or "localhost", int(conn.port or known[1]), conn.schema or "")
    if not url:
        return None
    driver = str(extra.get("driver") or extra.get("driver_class") or (known[2] if known else ""))
    entry: dict[str, Any] = {"url": url, "driver": driver, "user": str(conn.login or "")}
    properties = extra.get("properties")
    if isinstance(properties, dict):
        entry["properties"] = {str(k): str(v) for k, v in properties.items()}
    return entry


def password_variable(name: str) -> str:
    """The environment variable that carries connection ``name``'s password to the job."""
    return "INFAFLOW_AIRFLOW_PASSWORD_" + re.sub(r"[^A-Z0-9]", "_", name.upper())


def _toml_str(value: str) -> str:
    return json.dumps(value)  # a JSON string is a TOML basic string (same escapes)


def connections_text(base: Mapping[str, Any], entries: Mapping[str, Mapping[str, Any]]) -> str:
    """A connections file: ``base`` (a parsed connections file) with ``entries`` (name -> entry, with
    ``password_env``) replacing its connections of the same names (compared case-insensitively)."""
    lines: list[str] = []
    jars = base.get("jars") or []
    if jars:
        lines.append("jars = [" + ", ".join(_toml_str(str(j)) for j in jars) + "]")
    replaced = {n.lower() for n in entries}
    kept = {n: c for n, c in (base.get("connections") or {}).items() if n.lower() not in replaced}
    for name, entry in {**kept, **entries}.items():
        lines.append(f"\n[connections.{_toml_str(name)}]")
        for key, value in entry.items():
            if key != "properties":
                lines.append(f"{key} = {_toml_str(str(value))}")
        properties = entry.get("properties") or {}
        if properties:
            lines.append(f"[connections.{_toml_str(name)}.properties]")
            lines += [f"{_toml_str(str(k))} = {_toml_str(str(v))}" for k, v in properties.items()]
    return "\n".join(lines) + "\n"


def _base_file(params: Mapping[str, Any]) -> Path:
    lower = {str(k).lower(): v for k, v in params.items()}
    return Path(
        str(lower.get("$infaflowconnections") or os.environ.get("INFAFLOW_CONNECTIONS") or "connections.toml")
    )


def _lookup(conn_id_: str) -> Any:
    """The Airflow connection ``conn_id_``, or ``None`` when Airflow has none of that id."""
    from airflow.exceptions import AirflowNotFoundException
    from airflow.sdk import Connection

    try:
        return Connection.get(conn_id_)
    except AirflowNotFoundException:
        return None


class AirflowConnections:
    """A session executor that resolves the session's connections from Airflow, then runs it with
    ``inner`` (an executor or a factory, as :class:`~infaflow.runtime.scheduler.Services` takes)."""

    def __init__(
        self, inner: Any, modules: Mapping[str, Path] | None = None, lookup: Callable[[str], Any] = _lookup
    ) -> None:
        self._inner_source = inner
        self._inner: Any = None
        self._modules = {k.lower(): v for k, v in (modules or {}).items()}
        self._lookup = lookup

    def _executor(self) -> Any:
        if self._inner is None:
            source = self._inner_source
            self._inner = (
                source if hasattr(source, "run_session") and not isinstance(source, type) else source()
            )
        return self._inner

    def run_session(self, request: SessionRequest) -> SessionOutcome:
        from infaflow.codegen.executor import session_job

        job = session_job(request, self._modules)
        if not isinstance(job, SessionOutcome):  # one that cannot run fails the same way in the executor
            request = self.resolved(request, job.code)
        return self._executor().run_session(request)

    def resolved(self, request: SessionRequest, code: str) -> SessionRequest:
        """``request`` with ``$INFAFLOWCONNECTIONS`` naming a file that maps the connections of the job
        ``code`` found in Airflow (unchanged when none is)."""
        entries: dict[str, dict[str, Any]] = {}
        for name in connection_names(code, request.params):
            conn = self._lookup(conn_id(name))
            entry = jdbc_entry(conn) if conn is not None else None
            if entry is None:
                continue
            if conn.password:
                os.environ[password_variable(name)] = str(conn.password)
                entry["password_env"] = password_variable(name)
            entries[name] = entry
        if not entries:
            return request
        base_path = _base_file(request.params)
        base: dict[str, Any] = {}
        if base_path.is_file():
            with open(base_path, "rb") as fh:
                base = tomllib.load(fh)
        run_dir = request.log_path.parent.parent if request.log_path else Path(request.state_dir)
        out = run_dir / "connections" / f"{identifier(request.instance_path)}.toml"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(connections_text(base, entries), encoding="utf-8")
        return replace(request, params={**request.params, "$INFAFLOWCONNECTIONS": str(out.resolve())})

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()
