"""Port-to-port data conversion (Designer Guide, Datatype Reference, "Converting Strings to Numbers"): a
string linked into a Decimal, Double or integer port becomes the number its text begins with, 0 when it
begins with none; NULL stays NULL. Seen outside the corpus: a cleaned-up balance (string) linked into a
Rank's decimal RANKPORT, which must rank numerically, not as text."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.model import Attributes, Transformation

S, DEC, INT, DBL = "string", "decimal", "integer", "double"


def _mapping() -> MappingBuilder:
    """SRC(ID, TXT) -> EXP_TEXT (TXT as a string output) -> EXP_NUM (decimal, integer and double inputs fed
    by that string) -> OUT."""
    b = MappingBuilder()
    b.flat_source("SRC", [("ID", INT), ("TXT", S)])
    b.add(
        Transformation(
            "EXP_TEXT",
            "Expression",
            ports=[port("ID", INT), port("TXT", S, "INPUT"), port("O_TXT", S, "OUTPUT", "TXT")],
        )
    )
    b.connect("SQ_SRC", "EXP_TEXT", ["ID", "TXT"])
    b.add(
        Transformation(
            "EXP_NUM",
            "Expression",
            ports=[
                port("ID", INT),
                port("D", DEC, "INPUT", precision=10, scale=3),
                port("I", INT, "INPUT"),
                port("X", DBL, "INPUT"),
                port("O_D", DEC, "OUTPUT", "D", precision=10, scale=3),
                port("O_I", INT, "OUTPUT", "I"),
                port("O_X", DBL, "OUTPUT", "X"),
                port("O_NEXT", INT, "OUTPUT", "I + 1"),
            ],
        )
    )
    b.connect("EXP_TEXT", "EXP_NUM", {"ID": "ID", "O_TXT": "D"})
    b.connect("EXP_TEXT", "EXP_NUM", {"O_TXT": "I"})
    b.connect("EXP_TEXT", "EXP_NUM", {"O_TXT": "X"})
    b.flat_target("OUT", [("ID", INT), ("O_D", DEC), ("O_I", INT), ("O_X", DBL), ("O_NEXT", INT)])
    b.connect("EXP_NUM", "OUT", ["ID", "O_D", "O_I", "O_X", "O_NEXT"])
    return b


def test_string_into_numeric_ports_is_converted_in_the_select() -> None:
    code = _mapping().render().code
    assert 'F.regexp_extract(F.col("O_TXT"), r"^\\s*([+-]?(?:\\d+\\.?\\d*|\\.\\d+))", 1)' in code  # decimal
    assert 'F.regexp_extract(F.col("O_TXT"), r"^\\s*([+-]?\\d+)", 1)' in code  # integer
    assert '.cast("decimal(10,3)").alias("D")' in code and '.alias("X")' in code


def test_links_of_the_same_family_and_source_fields_are_not_converted() -> None:
    b = MappingBuilder()
    b.flat_source("SRC", [("ID", INT), ("TXT", S)])  # SQ ports are typed by the reader, not converted here
    b.add(
        Transformation(
            "EXP",
            "Expression",
            ports=[port("ID", DEC, "INPUT"), port("TXT", S, "INPUT"), port("O", DEC, "OUTPUT", "ID")],
        )
    )
    b.connect("SQ_SRC", "EXP", ["ID", "TXT"])
    b.flat_target("OUT", [("O", DEC)])
    b.connect("EXP", "OUT", ["O"])
    code = b.render().code
    assert "regexp_extract" not in code


@pytest.mark.spark
def test_numeric_prefix_rule_on_rows(spark, tmp_path: Path) -> None:
    job = _mapping().render()
    assert job.complete, job.gaps
    # (text, Decimal, Integer, Double) as the Designer Guide's table converts them, plus blanks, signs,
    # a leading point and NULL.
    # The target field is decimal(20,4).
    cases = [
        ("18e-3", "18.0000", "18", "18"),
        ("123abc", "123.0000", "123", "123"),
        ("A123cb", "0.0000", "0", "0"),
        ("abc", "0.0000", "0", "0"),
        ("  7.5", "7.5000", "7", "7.5"),
        ("-2.25x", "-2.2500", "-2", "-2.25"),
        (".5", "0.5000", "0", "0.5"),
        ("+4e2", "4.0000", "4", "400"),
        (None, "", "", ""),
    ]
    write_csv(tmp_path / "src" / "src.dat", ["ID", "TXT"], [[i, t] for i, (t, *_) in enumerate(cases)])
    run_job(job, spark, tmp_path)
    out = {r[0]: r[1:] for r in read_csv(tmp_path / "tgt" / "out.out")}
    for i, (text, dec, integer, _double) in enumerate(cases):
        assert out[str(i)][:2] == [dec, integer], (text, out[str(i)])
        assert out[str(i)][3] == (str(int(integer) + 1) if integer else ""), text
    doubles = {str(i): d for i, (_t, _d, _n, d) in enumerate(cases)}
    assert float(out["0"][2]) == pytest.approx(0.018)  # a Double port reads the exponent
    for key in ("1", "4", "5", "6", "7"):
        assert float(out[key][2]) == pytest.approx(float(doubles[key]))
    assert out["8"][2] == ""


@pytest.mark.spark
def test_rank_on_a_numeric_port_fed_by_text_ranks_numbers(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    b.flat_source("SRC", [("ID", INT), ("BAL", S)])
    b.add(
        Transformation(
            "EXP",
            "Expression",
            ports=[
                port("ID", INT),
                port("BAL", S, "INPUT"),
                port("CLEAN", S, "OUTPUT", "REPLACESTR(0, BAL, '$', ',', '')"),
            ],
        )
    )
    b.connect("SQ_SRC", "EXP", ["ID", "BAL"])
    b.add(
        Transformation(
            "RNK",
            "Rank",
            ports=[
                port("RANKINDEX", INT, "OUTPUT", "RANKINDEX", expression_type="RANKINDEX"),
                port("ID", INT),
                port("AMOUNT", DEC, expression="AMOUNT", expression_type="RANKPORT", precision=11, scale=2),
            ],
            attributes=Attributes({"Top/Bottom": "Top", "Number of Ranks": "2"}),
        )
    )
    b.connect("EXP", "RNK", {"ID": "ID", "CLEAN": "AMOUNT"})
    b.flat_target("OUT", [("ID", INT), ("AMOUNT", DEC), ("RANKINDEX", INT)])
    b.connect("RNK", "OUT", ["ID", "AMOUNT", "RANKINDEX"])
    job = b.render()
    assert job.complete, job.gaps
    write_csv(
        tmp_path / "src" / "src.dat",
        ["ID", "BAL"],
        [[1, "$9.50"], [2, "$1,200.00"], [3, "$15.25"], [4, "$850"]],
    )
    run_job(job, spark, tmp_path)
    got = sorted(read_csv(tmp_path / "tgt" / "out.out"), key=lambda r: r[2])
    # As text "9.50" would rank first and "850" second; as numbers 1200 and 850 are the top two.
    assert got == [["2", "1200.0000", "1"], ["4", "850.0000", "2"]]
