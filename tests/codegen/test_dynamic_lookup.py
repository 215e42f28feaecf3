"""Dynamic lookup caches without Spark: the exact lines that decide NewLookupRow and the cache before each
row, the rows each option lets insert or update, and the gap message of every construct not converted."""

from __future__ import annotations

import dataclasses
import py_compile
import subprocess
from pathlib import Path

import pytest
from codegen_builders import FILE, port
from dynamic_lookup_builders import INT, S, dynamic_lookup, lookup_ports

from infaflow.codegen.formatting import LINT_ARGS, find_ruff, format_modules
from infaflow.codegen.job import JobSource
from infaflow.errors import Location
from infaflow.model import Attributes, Port, Transformation


def step_lines(job: JobSource) -> list[str]:
    """The lines of the Lookup LKP_CUST without indentation and comments."""
    block = job.code.split("    # Lookup Procedure LKP_CUST\n", 1)[1].split("\n\n", 1)[0]
    return [line.strip() for line in block.splitlines() if not line.strip().startswith("#")]


def line_of(job: JobSource, column: str) -> str:
    """The line that adds ``column`` to the lookup's frame."""
    head = f'lkp_cust = lkp_cust.withColumn("{column}", '
    return next(line for line in step_lines(job) if line.startswith(head))[len(head) : -1]


def test_the_cache_before_each_row_is_a_window_over_the_earlier_rows_of_its_key() -> None:
    job = dynamic_lookup({"Insert Else Update": "YES"}, lookup_ports(ignore_nulls=("CITY",))).render()
    assert job.complete, job.gaps
    assert not job.scans
    lines = step_lines(job)
    assert (
        'lkp_cust_before = Window.partitionBy("IN_ID").orderBy("_row_id")'
        ".rowsBetween(Window.unboundedPreceding, -1)"
    ) in lines
    assert (
        'lkp_cust = lkp_cust.join(lkp_cust_cache, (lkp_cust["IN_ID"] == lkp_cust_cache["_cached_ID"]), '
        '"left")' in lines
    )
    assert line_of(job, "_found") == (
        'F.col("IN_ID").isNotNull() & (F.col("_cached").isNotNull() | '
        "(F.count(F.lit(1)).over(lkp_cust_before) > 0))"
    )
    assert line_of(job, "_inserted") == 'F.col("IN_ID").isNotNull() & (~F.col("_found"))'
    assert line_of(job, "_updatable") == 'F.col("_found")'
    assert line_of(job, "_written_CITY") == (
        'F.last(F.when(F.col("_inserted") | (F.col("_updatable") & F.col("IN_CITY").isNotNull()), '
        'F.struct(F.col("IN_CITY").cast("string").alias("v"))), ignorenulls=True).over(lkp_cust_before)'
    )
    assert line_of(job, "_new_CITY") == 'F.coalesce(F.col("IN_CITY").cast("string"), F.col("_old_CITY"))'
    assert line_of(job, "_new_NAME") == 'F.col("IN_NAME").cast("string")'
    assert line_of(job, "_updated") == (
        'F.col("_updatable") & (~F.col("_new_NAME").eqNullSafe(F.col("_old_NAME")) | '
        '~F.col("_new_CITY").eqNullSafe(F.col("_old_CITY")))'
    )
    assert (
        'F.when(F.col("_inserted"), F.lit(1)).when(F.col("_updated"), F.lit(2)).otherwise(F.lit(0))'
        '.cast("int").alias("NewLookupRow"),'
    ) in lines


@pytest.mark.parametrize(
    ("attributes", "session", "found", "inserted", "updatable"),
    [
        # insert rows: Insert Else Update NO never updates
        ({}, None, "F.count(F.lit(1))", "", "F.lit(False)"),
        # update rows: Update Else Insert NO never inserts, so a key is found only in the lookup source
        ({}, {"Treat source rows as": "Update"}, "", "F.lit(False)", 'F.col("_found")'),
        ({"Update Else Insert": "YES"}, {"Treat source rows as": "Update"}, "F.count(F.lit(1))", "", ""),
        # an Update Strategy flags rows one by one
        (
            {"Update Else Insert": "YES"},
            {"Treat source rows as": "Data Driven"},
            'F.count(F.when(F.col("_row_type").isin(0, 1), F.lit(1)))',
            'F.col("_row_type").isin(0, 1)',
            '(F.col("_row_type") == 1)',
        ),
    ],
)
def test_the_row_type_decides_which_rows_may_insert_and_update(
    attributes: dict[str, str], session: dict[str, str] | None, found: str, inserted: str, updatable: str
) -> None:
    b = dynamic_lookup(attributes, session=session)
    if session and session["Treat source rows as"] == "Data Driven":
        _flag_rows(b)
    job = b.render()
    assert job.complete, job.gaps
    assert (found in line_of(job, "_found")) if found else ("F.count(" not in line_of(job, "_found"))
    if inserted == "F.lit(False)":
        assert line_of(job, "_inserted") == "F.lit(False)"
    elif inserted:
        assert line_of(job, "_inserted").endswith(f"& {inserted}")
    if updatable:
        assert updatable in line_of(job, "_updatable")


def _flag_rows(b) -> None:  # type: ignore[no-untyped-def]
    b.mapping.connectors.clear()
    b.add(
        Transformation(
            "UPD_FLAG",
            "Update Strategy",
            ports=[port("ID", INT), port("NAME", S), port("CITY", S)],
            attributes=Attributes({"Update Strategy Expression": "IIF(ID = 3, DD_UPDATE, DD_INSERT)"}),
        )
    )
    b.connect("CUST", "SQ_CUST", ["ID", "NAME", "CITY"])
    b.connect("SQ_CUST", "UPD_FLAG", ["ID", "NAME", "CITY"])
    b.connect("UPD_FLAG", "LKP_CUST", {"ID": "IN_ID", "NAME": "IN_NAME", "CITY": "IN_CITY"})
    b.connect("LKP_CUST", "OUT", ["IN_ID", "ID", "NAME", "CITY", "NewLookupRow"])


def test_rows_marked_for_delete_or_reject_by_an_update_strategy_stop_the_job() -> None:
    b = dynamic_lookup({}, session={"Treat source rows as": "Data Driven"})
    _flag_rows(b)
    lines = step_lines(b.render())
    assert any(
        line.startswith('lkp_cust = lkp_cust.where(F.when(~F.col("_row_type").isin(0, 1), F.raise_error(')
        for line in lines
    )


def test_outputs_with_old_values_and_a_sequence_id() -> None:
    job = dynamic_lookup({"Output Old Value On Update": "YES"}, lookup_ports(sequence=True)).render()
    lines = step_lines(job)
    assert (
        'F.when(F.col("_inserted"), F.lit(None).cast("string")).when(F.col("_found"), F.col("_old_NAME"))'
        '.otherwise(F.lit(None).cast("string")).alias("NAME"),'
    ) in lines
    assert line_of(job, "_old_CUST_KEY") == (
        'F.coalesce(F.col("_cached_CUST_KEY"), F.max("_sequence").over(lkp_cust_before))'
    )
    assert (
        'lkp_cust = lkp_cust.crossJoin(lkp_cust_cache.agg(F.coalesce(F.max("_cached_CUST_KEY"), F.lit(0))'
        '.alias("_sequence_base")))'
    ) in lines


def test_a_condition_on_a_port_the_rows_update_is_a_scan_per_key() -> None:
    job = dynamic_lookup({"Update Dynamic Cache Condition": "IN_NAME > NAME"}).render()
    assert job.complete, job.gaps
    assert [(s.instance, s.ports, s.segmented) for s in job.scans] == [("LKP_CUST", ["NAME"], True)]
    text = "\n".join(step_lines(job))
    assert 'segment=F.struct("IN_ID"),' in text
    assert (
        '("_updatable", lambda new: F.lit(False)),' in text
    )  # Insert Else Update NO: insert rows never update
    job = dynamic_lookup(
        {"Insert Else Update": "YES", "Update Dynamic Cache Condition": "IN_NAME > NAME"}
    ).render()
    assert (
        '("_updatable", lambda new: (new["_found"]) & '
        'F.coalesce(row["IN_NAME"] > new["_old_NAME"], F.lit(False))),'
    ) in step_lines(job)


def test_a_condition_on_inputs_keys_and_the_sequence_id_stays_a_window() -> None:
    job = dynamic_lookup(
        {"Insert Else Update": "YES", "Update Dynamic Cache Condition": "ID > 0 AND CUST_KEY < IN_ID"},
        lookup_ports(sequence=True),
    ).render()
    assert job.complete and not job.scans
    assert line_of(job, "_updatable") == (
        'F.col("_found") & F.coalesce((F.coalesce(F.col("_cached_ID"), F.col("IN_ID").cast("int")) '
        '> F.lit(0)) & (F.col("_old_CUST_KEY") < F.col("IN_ID")), F.lit(False))'
    )


def _port(ports: list[Port], name: str, **changes: object) -> list[Port]:
    return [dataclasses.replace(p, **changes) if p.name == name else p for p in ports]


LOOKUP_LINE = Location(FILE, 10)  # where the builders place every port
GUIDE = "Transformation Guide"


@pytest.mark.parametrize(
    ("attributes", "ports", "session", "message"),
    [
        (
            {"Lookup condition": "ID >= IN_ID"},
            None,
            None,
            "lookup condition term ID >= IN_ID: a dynamic lookup cache allows only the equality operator "
            "(Transformation Guide, rules for dynamic lookup caches)",
        ),
        (
            {"Synchronize Dynamic Cache": "YES"},
            None,
            None,
            "Synchronize Dynamic Cache: the lookup inserts rows into the lookup source itself while the "
            "session runs; not converted",
        ),
        (
            {"Lookup cache persistent": "YES"},
            None,
            None,
            "a persistent dynamic cache starts from the cache files the previous run saved, not from the "
            "lookup source; not converted (set Re-cache from lookup source to rebuild it every run)",
        ),
        (
            {},
            _port(lookup_ports(), "NAME", ref_field=""),
            None,
            "lookup port NAME has no associated port (a dynamic cache needs one for every lookup port "
            "outside the condition)",
        ),
        (
            {},
            _port(lookup_ports(), "NAME", ref_field="UPPER(IN_NAME)"),
            None,
            "lookup port NAME: its associated port UPPER(IN_NAME) is not an input port of the lookup "
            "(associated expressions are not converted)",
        ),
        (
            {},
            _port(lookup_ports(sequence=True), "CUST_KEY", datatype="string"),
            None,
            "lookup port CUST_KEY: a Sequence-ID port must be an integer, small integer or bigint port, not "
            "string (string)",
        ),
        (
            {},
            None,
            {"Treat source rows as": "Delete"},
            "the session marks every row for delete: the Transformation Guide defines a dynamic cache for "
            "rows marked for insert or update only; a row marked for delete or reject is not converted",
        ),
        (
            {"Update Dynamic Cache Condition": "NAME <> IN_NAME OR CUST_KEY > 5"},
            lookup_ports(sequence=True),
            None,
            "the Update Dynamic Cache Condition 'NAME <> IN_NAME OR CUST_KEY > 5' reads NAME, which the rows "
            "update, and the Sequence-ID port CUST_KEY: not converted",
        ),
        (
            {"Lookup policy on multiple match": "Use All Values"},
            None,
            None,
            "Lookup policy on multiple match 'Use All Values': a lookup that returns every match cannot use "
            "a dynamic cache (Transformation Guide, rules for returning multiple rows)",
        ),
    ],
)
def test_constructs_not_converted_are_reported(
    attributes: dict[str, str], ports: list[Port] | None, session: dict[str, str] | None, message: str
) -> None:
    job = dynamic_lookup(attributes, ports, session=session).render()
    assert [(g.instance, g.message) for g in job.gaps] == [("LKP_CUST", message)]
    assert job.gaps[0].file == FILE


def test_a_port_gap_names_the_port_line() -> None:
    ports = _port(lookup_ports(), "NAME", ref_field="", location=Location(FILE, 42))
    job = dynamic_lookup({}, ports).render()
    assert (job.gaps[0].file, job.gaps[0].line) == (FILE, 42)


def test_an_unconnected_dynamic_lookup_is_reported() -> None:
    b = dynamic_lookup()
    b.mapping.connectors[:] = [c for c in b.mapping.connectors if c.to_instance != "LKP_CUST"]
    b.mapping.connectors[:] = [c for c in b.mapping.connectors if c.from_instance != "LKP_CUST"]
    b.add(
        Transformation(
            "EXP",
            "Expression",
            ports=[port("ID", INT), port("NAME_OUT", S, "OUTPUT", ":LKP.LKP_CUST(ID, 'a', 'b')")],
        )
    )
    b.connect("SQ_CUST", "EXP", ["ID"])
    b.connect("EXP", "OUT", {"ID": "IN_ID"})
    job = b.render()
    assert (
        "LKP_CUST",
        "a dynamic lookup cache must be connected (Transformation Guide); it is unconnected",
    ) in [(g.instance, g.message) for g in job.gaps]


@pytest.mark.parametrize("port_type", ["OUTPUT", "LOOKUP/OUTPUT", "DYNLOOKUP/OUTPUT"])
def test_new_lookup_row_is_computed_whatever_its_port_type(port_type: str) -> None:
    ports = _port(lookup_ports(), "NewLookupRow", port_type=port_type)
    job = dynamic_lookup({}, ports).render()
    assert job.complete, job.gaps
    assert 'source_sql="SELECT ID, NAME, CITY FROM DIM_CUST",' in step_lines(job)  # not read from the source
    assert any(line.endswith('.cast("int").alias("NewLookupRow"),') for line in step_lines(job))


@pytest.mark.parametrize("condition", ["TRUE", "IN_NAME > NAME"], ids=["windows", "scan"])
def test_the_generated_job_compiles_formats_and_passes_the_lint(tmp_path: Path, condition: str) -> None:
    attributes = {"Insert Else Update": "YES", "Update Dynamic Cache Condition": condition}
    b = dynamic_lookup(attributes, lookup_ports(ignore_nulls=("CITY",), sequence=True), router=True)
    path = tmp_path / "job.py"
    path.write_text(b.render().code)
    ruff = find_ruff()
    assert ruff is not None
    assert format_modules([path])
    py_compile.compile(str(path), doraise=True)
    lint = subprocess.run([ruff, *LINT_ARGS, str(path)], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout
    assert max(len(line) for line in path.read_text().splitlines()) <= 110
    assert "udf" not in path.read_text()
