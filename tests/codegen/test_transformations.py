"""Each transformation type, converted and run on small files; rows compared with SPEC.md's semantics."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.codegen.store import load_csv
from infaflow.codegen.support import store_table_path
from infaflow.model import Attributes, Group, Transformation

pytestmark = pytest.mark.spark

INT, S = "integer", "string"


def rows(tmp: Path, name: str) -> list[list[str]]:
    return read_csv(tmp / "tgt" / f"{name.lower()}.out")


def test_expression_filter_nulls(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    b.flat_source("CUST", [("ID", INT), ("NAME", S), ("AMT", INT)])
    b.add(
        Transformation(
            "EXP",
            "Expression",
            ports=[
                port("ID", INT),
                port("NAME", S),
                port("AMT", INT, "INPUT"),
                port("AMT2", INT, "OUTPUT", "AMT * 2"),
                port("LABEL", S, "OUTPUT", "IIF(ISNULL(NAME), 'none', UPPER(NAME))"),
            ],
        )
    )
    b.connect("SQ_CUST", "EXP", ["ID", "NAME", "AMT"])
    b.add(
        Transformation(
            "FIL",
            "Filter",
            ports=[port("ID", INT), port("LABEL", S), port("AMT2", INT)],
            attributes=Attributes({"Filter Condition": "AMT2 > 5"}),
        )
    )
    b.connect("EXP", "FIL", ["ID", "LABEL", "AMT2"])
    b.flat_target("OUT", [("ID", INT), ("LABEL", S), ("AMT2", INT)])
    b.connect("FIL", "OUT", ["ID", "LABEL", "AMT2"])
    job = b.render()
    assert job.complete, job.gaps
    write_csv(
        tmp_path / "src" / "cust.dat",
        ["ID", "NAME", "AMT"],
        [[1, "a", 1], [2, "b", 3], [3, None, 10], [4, "d", None]],
    )
    result = run_job(job, spark, tmp_path)
    # AMT NULL -> AMT2 NULL -> condition NULL -> dropped; file order is source order.
    assert rows(tmp_path, "OUT") == [["2", "B", "6"], ["3", "none", "20"]]
    assert result.source_rows == {"CUST": 4} and result.target_rows == {"OUT": 2}


def _joiner(join_type: str) -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source("ORD", [("OID", INT), ("CID", INT)])  # detail
    b.flat_source("CUS", [("CID", INT), ("NAME", S)])  # master
    b.add(
        Transformation(
            "JNR",
            "Joiner",
            ports=[
                port("OID", INT),
                port("CID", INT),
                port("M_CID", INT, "INPUT/OUTPUT/MASTER"),
                port("NAME", S, "INPUT/OUTPUT/MASTER"),
            ],
            attributes=Attributes({"Join Type": join_type, "Join Condition": "M_CID = CID"}),
        )
    )
    b.connect("SQ_ORD", "JNR", ["OID", "CID"])
    b.connect("SQ_CUS", "JNR", {"CID": "M_CID", "NAME": "NAME"})
    b.flat_target("OUT", [("OID", INT), ("CID", INT), ("NAME", S)])
    b.connect("JNR", "OUT", {"OID": "OID", "M_CID": "CID", "NAME": "NAME"})
    return b


@pytest.mark.parametrize(
    ("join_type", "expected"),
    [
        ("Normal Join", [("1", "10", "ann")]),
        ("Master Outer Join", [("1", "10", "ann"), ("2", "", "")]),  # every detail row
        # every master row; the NULL master key matches nothing
        ("Detail Outer Join", [("1", "10", "ann"), ("", "30", "cy"), ("", "", "nul")]),
        ("Full Outer Join", [("1", "10", "ann"), ("2", "", ""), ("", "30", "cy"), ("", "", "nul")]),
    ],
)
def test_joiner_types_use_powercenter_master_and_detail(
    spark, tmp_path: Path, join_type: str, expected: list[tuple[str, ...]]
) -> None:
    job = _joiner(join_type).render()
    assert job.complete, job.gaps
    write_csv(tmp_path / "src" / "ord.dat", ["OID", "CID"], [[1, 10], [2, 20]])
    write_csv(tmp_path / "src" / "cus.dat", ["CID", "NAME"], [[10, "ann"], [30, "cy"], [None, "nul"]])
    run_job(job, spark, tmp_path)
    assert sorted(tuple(r) for r in rows(tmp_path, "OUT")) == sorted(expected)


def _lookup(policy: str, default: str = "") -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source("ORD", [("OID", INT), ("CID", INT)])
    b.add(
        Transformation(
            "LKP",
            "Lookup Procedure",
            ports=[
                port("IN_CID", INT, "INPUT"),
                port("CID", INT, "LOOKUP/OUTPUT"),
                port("NAME", S, "LOOKUP/OUTPUT", default_value=default),
            ],
            attributes=Attributes(
                {
                    "Lookup table name": "CUSTOMERS",
                    "Lookup condition": "CID = IN_CID",
                    "Lookup policy on multiple match": policy,
                    "Connection Information": "DWH",
                }
            ),
        )
    )
    b.connect("SQ_ORD", "LKP", {"CID": "IN_CID"})
    b.flat_target("OUT", [("OID", INT), ("NAME", S)])
    b.connect("SQ_ORD", "OUT", ["OID"])
    b.connect("LKP", "OUT", ["NAME"])
    return b


def _seed_customers(spark, tmp: Path) -> None:
    csv = tmp / "customers.csv"
    write_csv(csv, ["CID", "NAME"], [[10, "bob"], [10, "al"], [20, "cy"], [10, "zed"]])
    load_csv(spark, tmp / "store", "DWH", "CUSTOMERS", csv)
    assert store_table_path(tmp / "store", "DWH", "customers").is_dir()


@pytest.mark.parametrize(
    ("policy", "name_for_10"),
    [
        ("Use First Value", "al"),  # cache order: condition port, then the other lookup ports ascending
        ("Use Last Value", "zed"),
        ("Use Any Value", "al"),
    ],
)
def test_lookup_multiple_match_policies_and_no_match(
    spark, tmp_path: Path, policy: str, name_for_10: str
) -> None:
    _seed_customers(spark, tmp_path)
    job = _lookup(policy, default="'?'").render()
    assert job.complete, job.gaps
    write_csv(tmp_path / "src" / "ord.dat", ["OID", "CID"], [[1, 10], [2, 20], [3, 99], [4, None]])
    run_job(job, spark, tmp_path)
    assert rows(tmp_path, "OUT") == [["1", name_for_10], ["2", "cy"], ["3", "?"], ["4", "?"]]


def test_lookup_report_error_rejects_rows_with_several_matches(spark, tmp_path: Path) -> None:
    _seed_customers(spark, tmp_path)
    job = _lookup("Report Error").render()
    write_csv(tmp_path / "src" / "ord.dat", ["OID", "CID"], [[1, 10], [2, 20]])
    result = run_job(job, spark, tmp_path)
    assert rows(tmp_path, "OUT") == [["2", "cy"]]
    assert result.trans_errors == 1


def test_unconnected_lookup_in_expression(spark, tmp_path: Path) -> None:
    _seed_customers(spark, tmp_path)
    b = MappingBuilder()
    b.flat_source("ORD", [("OID", INT), ("CID", INT)])
    b.add(
        Transformation(
            "lkp_name",
            "Lookup Procedure",
            ports=[
                port("IN_CID", INT, "INPUT"),
                port("CID", INT, "LOOKUP/OUTPUT"),
                port("NAME", S, "LOOKUP/RETURN/OUTPUT"),
            ],
            attributes=Attributes(
                {
                    "Lookup table name": "CUSTOMERS",
                    "Lookup condition": "CID = IN_CID",
                    "Lookup policy on multiple match": "Use Last Value",
                    "Connection Information": "DWH",
                }
            ),
        )
    )
    b.add(
        Transformation(
            "EXP",
            "Expression",
            ports=[
                port("OID", INT),
                port("CID", INT, "INPUT"),
                port("NAME", S, "OUTPUT", "IIF(ISNULL(:LKP.lkp_name(CID)), 'unknown', :LKP.lkp_name(CID))"),
            ],
        )
    )
    b.connect("SQ_ORD", "EXP", ["OID", "CID"])
    b.flat_target("OUT", [("OID", INT), ("NAME", S)])
    b.connect("EXP", "OUT", ["OID", "NAME"])
    job = b.render()
    assert job.complete, job.gaps
    write_csv(tmp_path / "src" / "ord.dat", ["OID", "CID"], [[1, 10], [2, 99]])
    run_job(job, spark, tmp_path)
    assert rows(tmp_path, "OUT") == [["1", "zed"], ["2", "unknown"]]


def test_aggregator_group_by_sum_and_last_row(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("K", S), ("V", INT), ("NOTE", S)])
    b.add(
        Transformation(
            "AGG",
            "Aggregator",
            ports=[
                port("K", S, expression_type="GROUPBY"),
                port("V", INT, "INPUT"),
                port("NOTE", S),
                port("TOTAL", INT, "OUTPUT", "SUM(V)"),
                port("CNT", INT, "OUTPUT", "COUNT(V)"),
                port("BIG", INT, "OUTPUT", "SUM(V, V > 1)"),
            ],
        )
    )
    b.connect("SQ_S", "AGG", ["K", "V", "NOTE"])
    b.flat_target("OUT", [("K", S), ("TOTAL", INT), ("CNT", INT), ("BIG", INT), ("NOTE", S)])
    b.connect("AGG", "OUT", ["K", "TOTAL", "CNT", "BIG", "NOTE"])
    job = b.render()
    assert job.complete, job.gaps
    write_csv(
        tmp_path / "src" / "s.dat",
        ["K", "V", "NOTE"],
        [["a", 1, "first"], ["b", None, "only"], ["a", 2, "mid"], ["a", 3, None]],
    )
    run_job(job, spark, tmp_path)
    # NOTE is not aggregated: the last row of the group ('a' ends with a NULL note).
    assert sorted(rows(tmp_path, "OUT")) == [["a", "6", "3", "5", ""], ["b", "", "0", "", "only"]]


def test_router_sends_rows_to_every_true_group_and_default(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT), ("AMT", INT)])
    b.add(
        Transformation(
            "RTR",
            "Router",
            groups=[
                Group("INPUT", "INPUT"),
                Group("BIG", "OUTPUT", expression="AMT > 10"),
                Group("EVEN", "OUTPUT", expression="MOD(AMT, 2) = 0"),
                Group("DEFAULT1", "OUTPUT/DEFAULT"),
            ],
            ports=[
                port("ID", INT, "INPUT", group="INPUT"),
                port("AMT", INT, "INPUT", group="INPUT"),
                *[
                    p
                    for g in ("BIG", "EVEN", "DEFAULT1")
                    for p in (
                        port(f"ID_{g}", INT, "OUTPUT", group=g, ref_field="ID"),
                        port(f"AMT_{g}", INT, "OUTPUT", group=g, ref_field="AMT"),
                    )
                ],
            ],
        )
    )
    b.connect("SQ_S", "RTR", ["ID", "AMT"])
    for g in ("BIG", "EVEN", "DEFAULT1"):
        b.flat_target(f"T_{g}", [("ID", INT)])
        b.connect("RTR", f"T_{g}", {f"ID_{g}": "ID"})
    job = b.render()
    assert job.complete, job.gaps
    write_csv(tmp_path / "src" / "s.dat", ["ID", "AMT"], [[1, 12], [2, 3], [3, 4], [4, None]])
    run_job(job, spark, tmp_path)
    assert rows(tmp_path, "T_BIG") == [["1"]]
    assert rows(tmp_path, "T_EVEN") == [["1"], ["3"]]  # row 1 goes to both groups
    assert rows(tmp_path, "T_DEFAULT1") == [["2"], ["4"]]  # NULL condition is not TRUE


def test_sorter_keys_nulls_high_and_distinct(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("A", S), ("B", INT)])
    b.add(
        Transformation(
            "SRT",
            "Sorter",
            ports=[
                port("A", S, is_sort_key=True, sort_direction="ASCENDING"),
                port("B", INT, is_sort_key=True, sort_direction="DESCENDING"),
            ],
            attributes=Attributes({"Distinct": "YES"}),
        )
    )
    b.connect("SQ_S", "SRT", ["A", "B"])
    b.flat_target("OUT", [("A", S), ("B", INT)])
    b.connect("SRT", "OUT", ["A", "B"])
    job = b.render()
    write_csv(
        tmp_path / "src" / "s.dat",
        ["A", "B"],
        [["b", 1], [None, 5], ["a", 1], ["a", 2], ["b", 1], ["a", None]],
    )
    run_job(job, spark, tmp_path)
    # NULL is the highest value: last ascending, first descending.
    assert rows(tmp_path, "OUT") == [["a", ""], ["a", "2"], ["a", "1"], ["b", "1"], ["", "5"]]


def test_rank_top_n_per_group_with_ties(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("G", S), ("ID", INT), ("V", INT)])
    b.add(
        Transformation(
            "RNK",
            "Rank",
            ports=[
                port("G", S, expression_type="GROUPBY"),
                port("ID", INT),
                port("V", INT, expression_type="RANKPORT"),
                port("RANKINDEX", INT, "OUTPUT", expression_type="RANKINDEX"),
            ],
            attributes=Attributes({"Top/Bottom": "Top", "Number of Ranks": "2"}),
        )
    )
    b.connect("SQ_S", "RNK", ["G", "ID", "V"])
    b.flat_target("OUT", [("G", S), ("ID", INT), ("RANKINDEX", INT)])
    b.connect("RNK", "OUT", ["G", "ID", "RANKINDEX"])
    job = b.render()
    assert job.complete, job.gaps
    write_csv(
        tmp_path / "src" / "s.dat",
        ["G", "ID", "V"],
        [["x", 1, 5], ["x", 2, 9], ["x", 3, 9], ["x", 4, 1], ["y", 5, 2]],
    )
    run_job(job, spark, tmp_path)
    # Ties share a rank index; the next index is skipped (RANK semantics).
    assert sorted(rows(tmp_path, "OUT")) == [["x", "2", "1"], ["x", "3", "1"], ["y", "5", "1"]]


def test_union_all_of_input_groups(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    b.flat_source("A", [("ID", INT)])
    b.flat_source("B", [("ID", INT)])
    b.add(
        Transformation(
            "UNI",
            "Custom Transformation",
            template_name="Union Transformation",
            groups=[Group("G1", "INPUT"), Group("G2", "INPUT"), Group("OUTPUT", "OUTPUT")],
            ports=[
                port("ID1", INT, "INPUT", group="G1"),
                port("ID2", INT, "INPUT", group="G2"),
                port("ID", INT, "OUTPUT", group="OUTPUT"),
            ],
        )
    )
    b.connect("SQ_A", "UNI", {"ID": "ID1"})
    b.connect("SQ_B", "UNI", {"ID": "ID2"})
    b.flat_target("OUT", [("ID", INT)])
    b.connect("UNI", "OUT", ["ID"])
    job = b.render()
    assert job.complete, job.gaps
    write_csv(tmp_path / "src" / "a.dat", ["ID"], [[1], [2]])
    write_csv(tmp_path / "src" / "b.dat", ["ID"], [[2], [3]])
    run_job(job, spark, tmp_path)
    assert sorted(rows(tmp_path, "OUT")) == [["1"], ["2"], ["2"], ["3"]]


def test_sequence_values_persist_across_runs(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("NAME", S)])
    b.add(
        Transformation(
            "SEQ",
            "Sequence",
            ports=[port("NEXTVAL", "bigint", "OUTPUT"), port("CURRVAL", "bigint", "OUTPUT")],
            attributes=Attributes(
                {
                    "Start Value": "1",
                    "Increment By": "5",
                    "Current Value": "100",
                    "End Value": "1000",
                    "Cycle": "NO",
                    "Reset": "NO",
                }
            ),
        )
    )
    b.flat_target("OUT", [("ID", INT), ("NEXT", INT), ("NAME", S)])
    b.connect("SEQ", "OUT", {"NEXTVAL": "ID", "CURRVAL": "NEXT"})
    b.connect("SQ_S", "OUT", {"NAME": "NAME"})
    job = b.render()
    assert job.complete, job.gaps
    write_csv(tmp_path / "src" / "s.dat", ["NAME"], [["a"], ["b"], ["c"]])
    run_job(job, spark, tmp_path)
    assert rows(tmp_path, "OUT") == [["100", "105", "a"], ["105", "110", "b"], ["110", "115", "c"]]
    run_job(job, spark, tmp_path)
    assert rows(tmp_path, "OUT") == [["115", "120", "a"], ["120", "125", "b"], ["125", "130", "c"]]


def test_variable_ports_previous_row_and_running_total(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("CID", INT), ("AMT", INT)])
    b.add(
        Transformation(
            "EXP",
            "Expression",
            ports=[
                port("CID", INT),
                port("AMT", INT),
                port("v_NEW", INT, "LOCAL VARIABLE", "IIF(CID = v_PREV, 0, 1)"),
                port("v_TOTAL", INT, "LOCAL VARIABLE", "IIF(v_NEW = 1, AMT, v_TOTAL + AMT)"),
                port("v_SEQ", INT, "LOCAL VARIABLE", "IIF(v_NEW = 1, 1, v_SEQ + 1)"),
                port("v_PREV", INT, "LOCAL VARIABLE", "CID"),
                port("o_TOTAL", INT, "OUTPUT", "v_TOTAL"),
                port("o_SEQ", INT, "OUTPUT", "v_SEQ"),
            ],
        )
    )
    b.connect("SQ_S", "EXP", ["CID", "AMT"])
    b.flat_target("OUT", [("CID", INT), ("TOTAL", INT), ("SEQ", INT)])
    b.connect("EXP", "OUT", {"CID": "CID", "o_TOTAL": "TOTAL", "o_SEQ": "SEQ"})
    job = b.render()
    assert job.complete, job.gaps
    write_csv(tmp_path / "src" / "s.dat", ["CID", "AMT"], [[1, 5], [1, 7], [2, 1], [2, None], [2, 4], [1, 2]])
    run_job(job, spark, tmp_path)
    # v_TOTAL + NULL is NULL and stays NULL until the customer changes.
    assert rows(tmp_path, "OUT") == [
        ["1", "5", "1"],
        ["1", "12", "2"],
        ["2", "1", "1"],
        ["2", "", "2"],
        ["2", "", "3"],
        ["1", "2", "1"],
    ]


def test_variable_carried_through_another_variable_is_scanned(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("X", INT)])
    b.add(
        Transformation(
            "EXP",
            "Expression",
            ports=[
                port("X", INT),
                port("v_A", INT, "LOCAL VARIABLE", "v_B * 2 + X", line=41),
                port("v_B", INT, "LOCAL VARIABLE", "v_A + 1", line=42),
                port("OUT", INT, "OUTPUT", "v_B"),
            ],
        )
    )
    b.connect("SQ_S", "EXP", ["X"])
    b.flat_target("T", [("X", INT), ("OUT", INT)])
    b.connect("EXP", "T", ["X", "OUT"])
    job = b.render()
    assert job.complete, job.gaps
    assert [(n.instance, n.ports, n.line) for n in job.scans] == [("EXP", ["v_A", "v_B"], 41)]
    write_csv(tmp_path / "src" / "s.dat", ["X"], [[1], [2], [None], [3]])
    run_job(job, spark, tmp_path)
    # v_A reads v_B of the previous row (0 before the first): 1, 6, NULL, NULL; v_B = v_A + 1.
    assert rows(tmp_path, "T") == [["1", "2"], ["2", "7"], ["", ""], ["3", ""]]


def test_update_strategy_data_driven_on_relational_target(spark, tmp_path: Path) -> None:
    seed = tmp_path / "dim.csv"
    write_csv(seed, ["ID", "NAME"], [[1, "old1"], [2, "old2"], [3, "old3"]])
    load_csv(spark, tmp_path / "store", "DW", "DIM", seed)
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT), ("NAME", S), ("OP", S)])
    b.add(
        Transformation(
            "UPD",
            "Update Strategy",
            ports=[port("ID", INT), port("NAME", S), port("OP", S)],
            attributes=Attributes(
                {
                    "Update Strategy Expression": (
                        "DECODE(OP, 'I', DD_INSERT, 'U', DD_UPDATE, 'D', DD_DELETE, DD_REJECT)"
                    )
                }
            ),
        )
    )
    b.connect("SQ_S", "UPD", ["ID", "NAME", "OP"])
    b.table_target("DIM", [("ID", INT), ("NAME", S)], keys=("ID",))
    b.connect("UPD", "DIM", ["ID", "NAME"])
    b.with_session(
        {"Treat source rows as": "Data Driven", "$Target connection value": "DW"},
        writers={"DIM": {"Insert": "YES", "Update as Update": "YES", "Delete": "YES"}},
    )
    job = b.render()
    assert job.complete, job.gaps
    write_csv(
        tmp_path / "src" / "s.dat",
        ["ID", "NAME", "OP"],
        [[4, "new4", "I"], [2, "upd2", "U"], [3, "", "D"], [9, "upd9", "U"], [5, "bad", "X"]],
    )
    result = run_job(job, spark, tmp_path)
    table = spark.read.parquet(str(store_table_path(tmp_path / "store", "DW", "DIM")))
    assert sorted((r["ID"], r["NAME"]) for r in table.collect()) == [(1, "old1"), (2, "upd2"), (4, "new4")]
    assert result.rejected_rows == {"DIM": 1}
    assert result.target_rows == {"DIM": 4}  # applied: insert 4, update 2, delete 3, update 9
    assert result.affected_rows == {"DIM": 3}  # the update of 9 touches nothing
    # Reject file: row indicator, then each value with its column indicator.
    assert read_csv(tmp_path / "bad" / "dim.bad") == [["3", "5", "D", "bad", "D"]]


def test_normalizer_one_row_per_occurrence(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("STORE", INT), ("Q1", INT), ("Q2", INT)])
    b.add(
        Transformation(
            "NRM",
            "Normalizer",
            ports=[
                port("STORE_in", INT, "INPUT"),
                port("AMT_in1", INT, "INPUT"),
                port("AMT_in2", INT, "INPUT"),
                port("STORE", INT, "OUTPUT"),
                port("AMT", INT, "OUTPUT"),
                port("GCID_AMT", INT, "GENERATED COLUMN ID/OUTPUT"),
            ],
        )
    )
    b.connect("SQ_S", "NRM", {"STORE": "STORE_in", "Q1": "AMT_in1", "Q2": "AMT_in2"})
    b.flat_target("OUT", [("STORE", INT), ("Q", INT), ("AMT", INT)])
    b.connect("NRM", "OUT", {"STORE": "STORE", "GCID_AMT": "Q", "AMT": "AMT"})
    job = b.render()
    assert job.complete, job.gaps
    write_csv(tmp_path / "src" / "s.dat", ["STORE", "Q1", "Q2"], [[1, 10, 20], [2, None, 5]])
    run_job(job, spark, tmp_path)
    assert rows(tmp_path, "OUT") == [["1", "1", "10"], ["1", "2", "20"], ["2", "1", ""], ["2", "2", "5"]]


@pytest.mark.parametrize("kind", ["External Procedure", "Java Transformation"])
def test_unsupported_transformation_is_reported_with_location_and_stops_the_job(
    spark, tmp_path: Path, kind: str
) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT)])
    b.add(Transformation("XT", kind, ports=[port("ID", INT)]))
    b.connect("SQ_S", "XT", ["ID"])
    b.flat_target("OUT", [("ID", INT)])
    b.connect("XT", "OUT", ["ID"])
    job = b.render()
    assert [(g.instance, g.line) for g in job.gaps] == [("XT", 6)]
    assert kind in job.gaps[0].message
    write_csv(tmp_path / "src" / "s.dat", ["ID"], [[1]])
    from infaflow.codegen.support import NotConverted

    with pytest.raises(NotConverted, match="XT: not converted"):
        run_job(job, spark, tmp_path)
    assert not (tmp_path / "tgt" / "out.out").exists()


def test_variable_port_holding_a_value_until_reassigned(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("K", INT), ("NAME", S)])
    b.add(
        Transformation(
            "EXP",
            "Expression",
            ports=[
                port("K", INT),
                port("NAME", S, "INPUT"),
                port("v_LAST", S, "LOCAL VARIABLE", "IIF(ISNULL(NAME), v_LAST, NAME)"),  # mirrored form
                port("v_FIRST_BIG", S, "LOCAL VARIABLE", "IIF(K > 2, NAME, v_FIRST_BIG)"),
                port("o_LAST", S, "OUTPUT", "v_LAST"),
                port("o_BIG", S, "OUTPUT", "v_FIRST_BIG"),
            ],
        )
    )
    b.connect("SQ_S", "EXP", ["K", "NAME"])
    b.flat_target("OUT", [("K", INT), ("LAST", S), ("BIG", S)])
    b.connect("EXP", "OUT", {"K": "K", "o_LAST": "LAST", "o_BIG": "BIG"})
    job = b.render()
    assert job.complete, job.gaps
    write_csv(
        tmp_path / "src" / "s.dat", ["K", "NAME"], [[1, "a"], [2, None], [3, "c"], [None, None], [1, "e"]]
    )
    run_job(job, spark, tmp_path)
    # ISNULL(NULL) keeps the value; K NULL makes 'K > 2' NULL: the value is kept too.
    assert rows(tmp_path, "OUT") == [
        ["1", "a", ""],
        ["2", "a", ""],
        ["3", "c", "c"],
        ["", "c", "c"],
        ["1", "e", "c"],
    ]


@pytest.mark.parametrize(("cycle", "expected"), [("YES", ["2", "3", "1", "2"]), ("NO", None)])
def test_sequence_cycle_or_end_value(spark, tmp_path: Path, cycle: str, expected: list[str] | None) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("NAME", S)])
    b.add(
        Transformation(
            "SEQ",
            "Sequence",
            ports=[port("NEXTVAL", "bigint", "OUTPUT")],
            attributes=Attributes(
                {
                    "Start Value": "1",
                    "Increment By": "1",
                    "Current Value": "2",
                    "End Value": "3",
                    "Cycle": cycle,
                }
            ),
        )
    )
    b.flat_target("OUT", [("ID", INT), ("NAME", S)])
    b.connect("SEQ", "OUT", {"NEXTVAL": "ID"})
    b.connect("SQ_S", "OUT", ["NAME"])
    job = b.render()
    write_csv(tmp_path / "src" / "s.dat", ["NAME"], [["a"], ["b"], ["c"], ["d"]])
    if expected is None:
        with pytest.raises(Exception, match="passes End Value 3"):
            run_job(job, spark, tmp_path)
        return
    run_job(job, spark, tmp_path)
    assert [r[0] for r in rows(tmp_path, "OUT")] == expected


def test_lookup_condition_matches_null_values(spark, tmp_path: Path) -> None:
    """Transformation Guide, Lookup Condition: "The Integration Service matches null values": a NULL input
    finds the lookup rows whose condition column is NULL; a value never matches a NULL."""
    csv = tmp_path / "customers.csv"
    write_csv(csv, ["CID", "NAME"], [[10, "bob"], [None, "nobody"]])
    load_csv(spark, tmp_path / "store", "DWH", "CUSTOMERS", csv)
    job = _lookup("Use First Value", default="'?'").render()
    assert ".eqNullSafe(" in job.code
    write_csv(tmp_path / "src" / "ord.dat", ["OID", "CID"], [[1, 10], [2, None], [3, 20]])
    run_job(job, spark, tmp_path)
    assert rows(tmp_path, "OUT") == [["1", "bob"], ["2", "nobody"], ["3", "?"]]
