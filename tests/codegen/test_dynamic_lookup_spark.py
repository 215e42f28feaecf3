"""Dynamic lookup caches run on Spark: rows written from the Transformation Guide's rules ("Dynamic Lookup
Cache"), each expected row worked out by hand from the cache state that the earlier rows leave.

The lookup source DWH.DIM_CUST starts with keys 1 (ann, paris, 10) and 2 (bob, NULL, 20); the source rows
come in this order, so a later row of key 3 or 1 sees what the earlier rows inserted or updated."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv
from dynamic_lookup_builders import INT, S, dynamic_lookup, lookup_ports
from dynamic_lookup_sim import Cached, Options, Row, simulate

from infaflow.codegen.store import load_csv
from infaflow.model import Attributes, FlatFile, Transformation

pytestmark = pytest.mark.spark

CACHE = [[1, "ann", "paris", 10], [2, "bob", None, 20]]
ROWS = [
    [1, "ann", "paris"],  # 1: key 1 as cached
    [3, "cy", "rome"],  # 2: a new key
    [3, "cy", "rome"],  # 3: key 3 again, as inserted by row 2
    [1, "ann2", "paris"],  # 4: key 1 with a new name
    [3, "cyd", None],  # 5: key 3, new name, NULL city
    [None, "x", "y"],  # 6: a NULL key
    [4, "dan", "oslo"],  # 7: another new key
    [1, "ann2", None],  # 8: key 1, NULL city
    [2, "bob", None],  # 9: key 2 as cached (NULL = NULL)
]
NULLS = ["", "", "", ""]


def _seed(spark, tmp: Path, cache: list[list[object]] = CACHE) -> None:
    csv = tmp / "dim_cust.csv"
    write_csv(csv, ["ID", "NAME", "CITY", "CUST_KEY"], cache)
    types = {"ID": "int", "NAME": "string", "CITY": "string", "CUST_KEY": "int"}
    load_csv(spark, tmp / "store", "DWH", "DIM_CUST", csv, types=types)
    write_csv(tmp / "src" / "cust.dat", ["ID", "NAME", "CITY"], ROWS)


def _run(spark, tmp: Path, b: MappingBuilder, target: str = "OUT") -> list[list[str]]:
    job = b.render()
    assert job.complete, job.gaps
    run_job(job, spark, tmp)
    return read_csv(tmp / "tgt" / f"{target.lower()}.out")


def _row(key: str, *values: str) -> list[str]:
    """An output row: IN_ID, then ID, NAME, CITY, CUST_KEY and NewLookupRow."""
    return [key, *values]


# IN_ID, ID, NAME, CITY, CUST_KEY, NewLookupRow for each source row
CASES = {
    # Insert Else Update NO: rows of a key in the cache change nothing; new keys are inserted once
    "insert only": (
        {},
        {},
        [
            ["1", "1", "ann", "paris", "10", "0"],
            ["3", "3", "cy", "rome", "21", "1"],
            ["3", "3", "cy", "rome", "21", "0"],
            ["1", "1", "ann", "paris", "10", "0"],
            ["3", "3", "cy", "rome", "21", "0"],
            ["", *NULLS, "0"],
            ["4", "4", "dan", "oslo", "22", "1"],
            ["1", "1", "ann", "paris", "10", "0"],
            ["2", "2", "bob", "", "20", "0"],
        ],
    ),
    # Insert Else Update YES, CITY ignores NULL inputs for updates
    "insert else update, ignore nulls": (
        {"Insert Else Update": "YES"},
        {"ignore_nulls": ("CITY",)},
        [
            ["1", "1", "ann", "paris", "10", "0"],
            ["3", "3", "cy", "rome", "21", "1"],
            ["3", "3", "cy", "rome", "21", "0"],
            ["1", "1", "ann2", "paris", "10", "2"],
            ["3", "3", "cyd", "rome", "21", "2"],  # the NULL city keeps rome
            ["", *NULLS, "0"],
            ["4", "4", "dan", "oslo", "22", "1"],
            ["1", "1", "ann2", "paris", "10", "0"],  # nothing differs once the NULL is ignored
            ["2", "2", "bob", "", "20", "0"],
        ],
    ),
    # Insert Else Update YES, NULL inputs update, old values out
    "insert else update, old values": (
        {"Insert Else Update": "YES", "Output Old Value On Update": "YES"},
        {},
        [
            ["1", "1", "ann", "paris", "10", "0"],
            ["3", *NULLS, "1"],  # an inserted row outputs NULLs
            ["3", "3", "cy", "rome", "21", "0"],
            ["1", "1", "ann", "paris", "10", "2"],
            ["3", "3", "cy", "rome", "21", "2"],  # the cache now holds cyd, NULL
            ["", *NULLS, "0"],
            ["4", *NULLS, "1"],
            ["1", "1", "ann2", "paris", "10", "2"],  # the cache now holds ann2, NULL
            ["2", "2", "bob", "", "20", "0"],
        ],
    ),
    # CITY ignored in comparison: a row whose compared ports are the same changes nothing
    "ignore in comparison": (
        {"Insert Else Update": "YES"},
        {"ignore_in_compare": ("CITY",)},
        [
            ["1", "1", "ann", "paris", "10", "0"],
            ["3", "3", "cy", "rome", "21", "1"],
            ["3", "3", "cy", "rome", "21", "0"],
            ["1", "1", "ann2", "paris", "10", "2"],
            ["3", "3", "cyd", "", "21", "2"],  # NAME differs: CITY is updated too
            ["", *NULLS, "0"],
            ["4", "4", "dan", "oslo", "22", "1"],
            ["1", "1", "ann2", "paris", "10", "0"],  # only CITY differs: no update
            ["2", "2", "bob", "", "20", "0"],
        ],
    ),
    # the Update Dynamic Cache Condition holds back updates (never inserts)
    "update condition": (
        {
            "Insert Else Update": "YES",
            "Update Dynamic Cache Condition": "NOT ISNULL(IN_CITY) AND CUST_KEY < 20",
        },
        {},
        [
            ["1", "1", "ann", "paris", "10", "0"],
            ["3", "3", "cy", "rome", "21", "1"],  # inserted although CUST_KEY 21 fails the condition
            ["3", "3", "cy", "rome", "21", "0"],
            ["1", "1", "ann2", "paris", "10", "2"],
            ["3", "3", "cy", "rome", "21", "0"],  # the condition is FALSE
            ["", *NULLS, "0"],
            ["4", "4", "dan", "oslo", "22", "1"],
            ["1", "1", "ann2", "paris", "10", "0"],
            ["2", "2", "bob", "", "20", "0"],
        ],
    ),
    # a condition on a port the rows update: computed by the sequential scan, row 8 reads ann2 (row 4)
    "update condition on the cache": (
        {"Insert Else Update": "YES", "Update Dynamic Cache Condition": "IN_NAME > NAME"},
        {},
        [
            ["1", "1", "ann", "paris", "10", "0"],
            ["3", "3", "cy", "rome", "21", "1"],
            ["3", "3", "cy", "rome", "21", "0"],
            ["1", "1", "ann2", "paris", "10", "2"],
            ["3", "3", "cyd", "", "21", "2"],
            ["", *NULLS, "0"],
            ["4", "4", "dan", "oslo", "22", "1"],
            ["1", "1", "ann2", "paris", "10", "0"],
            ["2", "2", "bob", "", "20", "0"],
        ],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_dynamic_cache_rows_see_what_earlier_rows_did(spark, tmp_path: Path, case: str) -> None:
    attributes, options, expected = CASES[case]
    _seed(spark, tmp_path)
    b = dynamic_lookup(attributes, lookup_ports(sequence=True, **options))
    assert _run(spark, tmp_path, b) == expected


@pytest.mark.parametrize(
    ("update_else_insert", "expected"),
    [
        (
            "NO",  # update rows never insert: new keys stay out of the cache
            [
                ["1", "1", "ann", "paris", "10", "0"],
                ["3", *NULLS, "0"],
                ["3", *NULLS, "0"],
                ["1", "1", "ann2", "paris", "10", "2"],
                ["3", *NULLS, "0"],
                ["", *NULLS, "0"],
                ["4", *NULLS, "0"],
                ["1", "1", "ann2", "", "10", "2"],
                ["2", "2", "bob", "", "20", "0"],
            ],
        ),
        (
            "YES",
            [
                ["1", "1", "ann", "paris", "10", "0"],
                ["3", "3", "cy", "rome", "21", "1"],
                ["3", "3", "cy", "rome", "21", "0"],
                ["1", "1", "ann2", "paris", "10", "2"],
                ["3", "3", "cyd", "", "21", "2"],
                ["", *NULLS, "0"],
                ["4", "4", "dan", "oslo", "22", "1"],
                ["1", "1", "ann2", "", "10", "2"],
                ["2", "2", "bob", "", "20", "0"],
            ],
        ),
    ],
)
def test_rows_marked_for_update(spark, tmp_path: Path, update_else_insert: str, expected: list) -> None:
    _seed(spark, tmp_path)
    b = dynamic_lookup(
        {"Update Else Insert": update_else_insert},
        lookup_ports(sequence=True),
        session={"Treat source rows as": "Update"},
    )
    assert _run(spark, tmp_path, b) == expected


def test_new_lookup_row_routes_inserts_and_updates(spark, tmp_path: Path) -> None:
    _seed(spark, tmp_path)
    b = dynamic_lookup(
        {"Insert Else Update": "YES"}, lookup_ports(ignore_nulls=("CITY",), sequence=True), True
    )
    assert _run(spark, tmp_path, b, "INS") == [
        ["3", "3", "cy", "rome", "21", "1"],
        ["4", "4", "dan", "oslo", "22", "1"],
    ]
    assert read_csv(tmp_path / "tgt" / "upd.out") == [
        ["1", "1", "ann2", "paris", "10", "2"],
        ["3", "3", "cyd", "rome", "21", "2"],
    ]


def _flag_rows(b: MappingBuilder, expression: str) -> None:
    """An Update Strategy between SQ_CUST and LKP_CUST, in a Data Driven session."""
    b.mapping.connectors.clear()
    b.add(
        Transformation(
            "UPD_FLAG",
            "Update Strategy",
            ports=[port("ID", INT), port("NAME", S), port("CITY", S)],
            attributes=Attributes({"Update Strategy Expression": expression}),
        )
    )
    b.connect("CUST", "SQ_CUST", ["ID", "NAME", "CITY"])
    b.connect("SQ_CUST", "UPD_FLAG", ["ID", "NAME", "CITY"])
    b.connect("UPD_FLAG", "LKP_CUST", {"ID": "IN_ID", "NAME": "IN_NAME", "CITY": "IN_CITY"})
    outputs = [
        p.name
        for p in next(t for t in b.mapping.transformations if t.name == "LKP_CUST").ports
        if p.is_output
    ]
    b.connect("LKP_CUST", "OUT", outputs)
    b.with_session({"Treat source rows as": "Data Driven"})


def test_rows_flagged_by_an_update_strategy(spark, tmp_path: Path) -> None:
    """Data Driven: rows of key 3 are marked for update, the others for insert (Update Else Insert NO)."""
    _seed(spark, tmp_path)
    b = dynamic_lookup({"Insert Else Update": "NO"}, lookup_ports(sequence=True))
    _flag_rows(b, "IIF(ID = 3, DD_UPDATE, DD_INSERT)")
    assert _run(spark, tmp_path, b) == [
        ["1", "1", "ann", "paris", "10", "0"],
        ["3", *NULLS, "0"],  # an update row of a new key: no insert
        ["3", *NULLS, "0"],
        ["1", "1", "ann", "paris", "10", "0"],  # an insert row of a cached key: no update
        ["3", *NULLS, "0"],
        ["", *NULLS, "0"],
        ["4", "4", "dan", "oslo", "21", "1"],
        ["1", "1", "ann", "paris", "10", "0"],
        ["2", "2", "bob", "", "20", "0"],
    ]


def test_an_empty_lookup_source_numbers_from_one(spark, tmp_path: Path) -> None:
    _seed(spark, tmp_path, cache=[])
    out = _run(spark, tmp_path, dynamic_lookup({}, lookup_ports(sequence=True)))
    assert [(r[0], r[4], r[5]) for r in out] == [
        ("1", "1", "1"),
        ("3", "2", "1"),
        ("3", "2", "0"),
        ("1", "1", "0"),
        ("3", "2", "0"),
        ("", "", "0"),
        ("4", "3", "1"),
        ("1", "1", "0"),
        ("2", "4", "1"),
    ]


def test_report_error_fails_on_a_lookup_source_with_two_rows_for_a_key(spark, tmp_path: Path) -> None:
    _seed(spark, tmp_path, cache=[*CACHE, [1, "zed", "rome", 11]])
    job = dynamic_lookup({}, lookup_ports(sequence=True)).render()
    with pytest.raises(Exception, match="LKP_CUST: the lookup source has several rows for one key"):
        run_job(job, spark, tmp_path)


def test_use_first_value_starts_from_the_first_row_of_a_key(spark, tmp_path: Path) -> None:
    _seed(spark, tmp_path, cache=[*CACHE, [1, "al", "rome", 11]])
    out = _run(spark, tmp_path, dynamic_lookup({"Lookup policy on multiple match": "Use First Value"}))
    assert out[0] == ["1", "1", "al", "rome", "0"]  # cache order: ID, then NAME, CITY... ascending


def _random_rows(seed: int, n: int = 60) -> list[Row]:
    rnd = random.Random(seed)
    return [
        (
            rnd.choice([1, 2, 3, 4, 5, 6, None]),
            rnd.choice(["a", "b", None]),
            rnd.choice(["x", "y", None]),
        )
        for _ in range(n)
    ]


RANDOM_CACHE: dict[int, Cached] = {
    1: {"NAME": "a", "CITY": "x", "CUST_KEY": 7},
    2: {"NAME": "b", "CITY": None, "CUST_KEY": 3},
    3: {"NAME": None, "CITY": "y", "CUST_KEY": None},
}

SIMULATED = [
    Options(),
    Options(insert_else_update=True),
    Options(insert_else_update=True, old_values=True, ignore_nulls=("NAME", "CITY")),
    Options(insert_else_update=True, ignore_in_compare=("CITY",), ignore_nulls=("CITY",)),
    Options(rows_marked="update"),
    Options(rows_marked="update", update_else_insert=True, ignore_in_compare=("NAME",)),
    Options(rows_marked="even keys update", update_else_insert=True),
    Options(rows_marked="even keys update", insert_else_update=True, ignore_nulls=("NAME",)),
    Options(
        insert_else_update=True,
        condition=lambda row, cached: row[2] is not None,
        attributes={"Update Dynamic Cache Condition": "NOT ISNULL(IN_CITY)"},
    ),
    Options(
        insert_else_update=True,
        condition=lambda row, cached: cached["CITY"] is None or row[2] == "y",
        attributes={"Update Dynamic Cache Condition": "ISNULL(CITY) OR IN_CITY = 'y'"},  # the scan
    ),
]


@pytest.mark.parametrize("index", range(len(SIMULATED)))
def test_the_job_computes_what_the_row_by_row_cache_computes(spark, tmp_path: Path, index: int) -> None:
    """Random rows (repeated keys, NULL keys and values) against the row-by-row reference of
    dynamic_lookup_sim.py, for each combination of options."""
    o = SIMULATED[index]
    rows = _random_rows(index)
    cache = [[k, v["NAME"], v["CITY"], v["CUST_KEY"]] for k, v in RANDOM_CACHE.items()]
    _seed(spark, tmp_path, cache=cache)
    write_csv(tmp_path / "src" / "cust.dat", ["ID", "NAME", "CITY"], [list(r) for r in rows])
    attributes = {
        "Insert Else Update": "YES" if o.insert_else_update else "NO",
        "Update Else Insert": "YES" if o.update_else_insert else "NO",
        "Output Old Value On Update": "YES" if o.old_values else "NO",
        **o.attributes,
    }
    ports = lookup_ports(o.ignore_nulls, o.ignore_in_compare, sequence=True)
    session = {"Treat source rows as": "Update"} if o.rows_marked == "update" else None
    b = dynamic_lookup(attributes, ports, session=session)
    if o.rows_marked == "even keys update":
        _flag_rows(b, "IIF(MOD(ID, 2) = 0, DD_UPDATE, DD_INSERT)")
    expected = [["" if v is None else str(v) for v in r] for r in simulate(RANDOM_CACHE, rows, o)]
    assert _run(spark, tmp_path, b) == expected


def test_the_cache_starts_from_the_filtered_lookup_source(spark, tmp_path: Path) -> None:
    """Lookup Source Filter CUST_KEY < 15 leaves key 2 out of the cache: its row is inserted, numbered after
    the largest Sequence-ID of the filtered source (10)."""
    _seed(spark, tmp_path)
    b = dynamic_lookup({"Lookup Source Filter": "CUST_KEY < 15"}, lookup_ports(sequence=True))
    assert _run(spark, tmp_path, b)[-1] == ["2", "2", "bob", "", "13", "1"]


def test_the_cache_starts_from_a_flat_file(spark, tmp_path: Path) -> None:
    write_csv(tmp_path / "src" / "dim_cust.csv", ["ID", "NAME", "CITY", "CUST_KEY"], CACHE)
    write_csv(tmp_path / "src" / "cust.dat", ["ID", "NAME", "CITY"], ROWS)
    attributes = {
        "Source Type": "Flat File",
        "Lookup source filename": "dim_cust.csv",
        "Lookup table name": "",
        "Connection Information": "",
    }
    b = dynamic_lookup(attributes, lookup_ports(sequence=True))
    lkp = next(t for t in b.mapping.transformations if t.name == "LKP_CUST")
    lkp.flatfile = FlatFile(
        {"DELIMITED": "YES", "DELIMITERS": ",", "QUOTE_CHARACTER": "DOUBLE", "SKIPROWS": "1"}
    )
    assert _run(spark, tmp_path, b) == CASES["insert only"][2]
