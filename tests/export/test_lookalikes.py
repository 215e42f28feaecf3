"""Look-alike exports (written by hand or by a tool, never by PowerCenter): INSTANCE TYPE holding a
transformation type, TRANSFORMATION instead of TRANSFORMATION_NAME, Source Qualifiers with no source,
flat-file settings as TABLEATTRIBUTEs. The lenient loader (convert --lenient, inspect, report) reads them as
their intent is unambiguous, with a warning at file:line; strict loading and ``validate`` keep reporting
them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from infaflow.cli.validate import check_file
from infaflow.codegen.project import convert_export
from infaflow.errors import InputError
from infaflow.export import load

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "codegen"))
from codegen_builders import read_csv, run_job  # noqa: E402

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "files"
GSE = (
    "ad25343__InformaticaProjectAnalysis__ConversionFolder_app_.claude_worktrees_sharp-edison_app_sample_xml_"
    "simple_m_GSE_UNION_DELIVERY.xml"
)

_FIELDS = [("LOAN_ID", "string", 10), ("UPB", "decimal", 12), ("TERM", "integer", 3)]


def _source(name: str, *, settings: str = "") -> str:
    settings = (
        settings
        or """  <TABLEATTRIBUTE NAME="File Type" VALUE="Delimited"/>
  <TABLEATTRIBUTE NAME="Delimiter" VALUE="|"/>
  <TABLEATTRIBUTE NAME="Quote Character" VALUE="None"/>
  <TABLEATTRIBUTE NAME="Skip Rows" VALUE="1"/>"""
    )
    fields = "\n".join(
        f'  <SOURCEFIELD DATATYPE="{t}" FIELDNUMBER="{i}" NAME="{n}" NULLABLE="NULLABLE" '
        f'PRECISION="{p}" SCALE="{2 if t == "decimal" else 0}"/>'
        for i, (n, t, p) in enumerate(_FIELDS, 1)
    )
    return (
        f'<SOURCE DATABASETYPE="FLAT FILE" DBDNAME="" NAME="{name}" '
        f'OWNERNAME="">\n{settings}\n{fields}\n</SOURCE>'
    )


def export_text(sources: list[str], qualifier: str = "SQ_LOAN_TAPE", settings: str = "") -> str:
    """A look-alike export: flat-file sources without FLATFILE, a qualifier with no source instance, an
    Expression and a flat-file target, instances typed by their transformation type."""
    ports = "\n".join(
        f'    <TRANSFORMFIELD DATATYPE="{t}" NAME="{n}" PORTTYPE="INPUT/OUTPUT" PRECISION="{p}" '
        f'SCALE="{2 if t == "decimal" else 0}"/>'
        for n, t, p in _FIELDS
    )
    exp_in = "\n".join(
        f'    <TRANSFORMFIELD DATATYPE="{t}" NAME="{n}" PORTTYPE="INPUT" PRECISION="{p}" '
        f'SCALE="{2 if t == "decimal" else 0}"/>'
        for n, t, p in _FIELDS
    )
    connectors = "\n".join(
        f'  <CONNECTOR FROMFIELD="{n}" FROMINSTANCE="{qualifier}" FROMINSTANCETYPE="Source Qualifier" '
        f'TOFIELD="{n}" TOINSTANCE="EXP_BALANCE" TOINSTANCETYPE="Expression"/>'
        for n, _t, _p in _FIELDS
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE POWERMART SYSTEM "powrmart.dtd">
<POWERMART CREATION_DATE="02/15/2026 11:00:00" REPOSITORY_VERSION="186.94">
<REPOSITORY NAME="R" VERSION="186" CODEPAGE="UTF-8" DATABASETYPE="Oracle">
<FOLDER NAME="LOANS" GROUP="" DESCRIPTION="" PERMISSIONS="rwx---r--" SHARED="SHARED">
{chr(10).join(_source(s, settings=settings) for s in sources)}
<TARGET DATABASETYPE="Flat File" NAME="T_BALANCE">
  <FLATFILE DELIMITED="YES" DELIMITERS="," QUOTE_CHARACTER="NONE" SKIPROWS="0"/>
  <TARGETFIELD DATATYPE="string" FIELDNUMBER="1" KEYTYPE="NOT A KEY" NAME="LOAN_ID" NULLABLE="NULL" \
PRECISION="10" SCALE="0"/>
  <TARGETFIELD DATATYPE="decimal" FIELDNUMBER="2" KEYTYPE="NOT A KEY" NAME="MONTHLY" NULLABLE="NULL" \
PRECISION="12" SCALE="2"/>
</TARGET>
<MAPPING DESCRIPTION="" ISVALID="YES" NAME="m_balance" OBJECTVERSION="1" VERSIONNUMBER="1">
  <TRANSFORMATION NAME="{qualifier}" REUSABLE="NO" TYPE="Source Qualifier">
{ports}
  </TRANSFORMATION>
  <TRANSFORMATION NAME="EXP_BALANCE" REUSABLE="NO" TYPE="Expression">
{exp_in}
    <TRANSFORMFIELD DATATYPE="decimal" EXPRESSION="ROUND(UPB / TERM, 2)" NAME="MONTHLY" PORTTYPE="OUTPUT" \
PRECISION="12" SCALE="2"/>
    <TRANSFORMFIELD DATATYPE="string" EXPRESSION="LOAN_ID" NAME="o_LOAN_ID" PORTTYPE="OUTPUT" \
PRECISION="10" SCALE="0"/>
  </TRANSFORMATION>
{connectors}
  <CONNECTOR FROMFIELD="o_LOAN_ID" FROMINSTANCE="EXP_BALANCE" FROMINSTANCETYPE="Expression" \
TOFIELD="LOAN_ID" TOINSTANCE="T_BALANCE" TOINSTANCETYPE="Target Definition"/>
  <CONNECTOR FROMFIELD="MONTHLY" FROMINSTANCE="EXP_BALANCE" FROMINSTANCETYPE="Expression" TOFIELD="MONTHLY" \
TOINSTANCE="T_BALANCE" TOINSTANCETYPE="Target Definition"/>
  <INSTANCE NAME="{qualifier}" REUSABLE="NO" TRANSFORMATION="{qualifier}" TYPE="Source Qualifier"/>
  <INSTANCE NAME="EXP_BALANCE" REUSABLE="NO" TRANSFORMATION="EXP_BALANCE" TYPE="Expression"/>
  <INSTANCE NAME="T_BALANCE" REUSABLE="NO" TRANSFORMATION="T_BALANCE" TYPE="Target Definition"/>
</MAPPING>
</FOLDER>
</REPOSITORY>
</POWERMART>
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m_balance.xml"
    path.write_text(text)
    return path


def _mapping_job(path: Path):  # noqa: ANN202 - the JobSource of m_balance
    [job] = [j.job for j in convert_export(load(path, lenient=True)).jobs if j.mapping == "m_balance"]
    return job


def test_instance_types_and_the_qualifier_source_are_read_with_warnings(tmp_path: Path) -> None:
    path = _write(tmp_path, export_text(["LOAN_TAPE", "LOAN_TAPE_ARCHIVE"]))
    export = load(path, lenient=True)
    mapping = export.folders[0].mappings[0]
    kinds = {i.name: (i.type, i.transformation_type, i.transformation_name) for i in mapping.instances}
    assert kinds["SQ_LOAN_TAPE"] == ("TRANSFORMATION", "Source Qualifier", "SQ_LOAN_TAPE")
    assert kinds["T_BALANCE"] == ("TARGET", "Target Definition", "T_BALANCE")
    # Designer's naming rule: SQ_LOAN_TAPE is the qualifier of LOAN_TAPE, not of LOAN_TAPE_ARCHIVE.
    assert kinds["LOAN_TAPE"] == ("SOURCE", "Source Definition", "LOAN_TAPE")
    assert mapping.instance("SQ_LOAN_TAPE").associated_source_instances == ["LOAN_TAPE"]  # type: ignore[union-attr]
    warnings = [f"{p.line}: {p.message}" for p in export.problems]
    assert (
        "47: instance 'SQ_LOAN_TAPE': TYPE='Source Qualifier' is not an INSTANCE TYPE (SOURCE, TARGET, "
        'TRANSFORMATION, MAPPLET); read as TYPE="TRANSFORMATION" TRANSFORMATION_TYPE="Source Qualifier"'
        in warnings
    )
    assert (
        "49: instance 'T_BALANCE': TYPE='Target Definition' is not an INSTANCE TYPE (SOURCE, TARGET, "
        'TRANSFORMATION, MAPPLET); read as TYPE="TARGET" TRANSFORMATION_TYPE="Target Definition"' in warnings
    )
    assert any(
        w.startswith("47: source qualifier 'SQ_LOAN_TAPE' in mapping 'm_balance' names no source")
        and "read as the qualifier of source 'LOAN_TAPE'" in w
        for w in warnings
    )
    assert _mapping_job(path).complete


def test_the_words_of_the_name_choose_among_sources_whose_fields_agree(tmp_path: Path) -> None:
    path = _write(tmp_path, export_text(["FNMA_LOAN_TAPE", "FHLMC_LOAN_TAPE"], qualifier="SQ_FNMA_TAPE"))
    mapping = load(path, lenient=True).folders[0].mappings[0]
    assert mapping.instance("SQ_FNMA_TAPE").associated_source_instances == ["FNMA_LOAN_TAPE"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "sources, qualifier",
    [
        (["FNMA_LOAN_TAPE", "FNMA_LOAN_TAPE_2"], "SQ_LOAN_TAPE_X"),  # no source matches by name
        (["A_LOAN_TAPE", "B_LOAN_TAPE"], "SQ_LOAN_TAPE"),  # two match by words: ambiguous
    ],
)
def test_no_unambiguous_source_leaves_the_gap(tmp_path: Path, sources: list[str], qualifier: str) -> None:
    path = _write(tmp_path, export_text(sources, qualifier=qualifier))
    mapping = load(path, lenient=True).folders[0].mappings[0]
    assert mapping.instance(qualifier).associated_source_instances == []  # type: ignore[union-attr]
    job = _mapping_job(path)
    assert [(g.instance, g.line, g.message) for g in job.gaps] == [
        (qualifier, 47, "no source definition feeds this Source Qualifier")
    ]


def test_fields_that_do_not_agree_leave_the_gap(tmp_path: Path) -> None:
    text = export_text(["LOAN_TAPE"]).replace('NAME="TERM" NULLABLE', 'NAME="TERM_MONTHS" NULLABLE')
    path = _write(tmp_path, text)
    assert (
        load(path, lenient=True).folders[0].mappings[0].instance("SQ_LOAN_TAPE").associated_source_instances
        == []
    )  # type: ignore[union-attr]


def test_flat_file_settings_not_understood_are_reported(tmp_path: Path) -> None:
    settings = '  <TABLEATTRIBUTE NAME="File Type" VALUE="Fixed Width"/>'
    path = _write(tmp_path, export_text(["LOAN_TAPE"], settings=settings))
    export = load(path, lenient=True)
    assert export.folders[0].sources[0].flatfile is None
    assert any(
        "File Type 'Fixed Width': only a delimited file's layout can be read from attributes" in p.message
        for p in export.problems
    )


def test_strict_loading_and_validate_still_report_the_lookalike(tmp_path: Path) -> None:
    path = _write(tmp_path, export_text(["LOAN_TAPE"]))
    with pytest.raises(InputError):
        load(path)
    report = check_file(str(path))
    assert any("INSTANCE" in p.message for p in report.errors), [p.message for p in report.errors][:5]


@pytest.mark.spark
def test_the_lookalike_mapping_runs_on_spark(spark, tmp_path: Path) -> None:  # noqa: ANN001
    job = _mapping_job(_write(tmp_path, export_text(["LOAN_TAPE"])))
    (tmp_path / "src").mkdir()
    # Pipe-delimited with a header line (Delimiter "|", Skip Rows 1 from the TABLEATTRIBUTEs).
    (tmp_path / "src" / "loan_tape.dat").write_text(
        "LOAN_ID|UPB|TERM\nL1|1200.00|12\nL2|1000.00|3\nL3||360\n"
    )
    run_job(job, spark, tmp_path)
    assert read_csv(tmp_path / "tgt" / "t_balance.out") == [["L1", "100.00"], ["L2", "333.33"], ["L3", ""]]


@pytest.mark.skipif(not (CORPUS / GSE).is_file(), reason="the shared corpus is not beside the worktree")
def test_corpus_lookalike_qualifiers_get_their_sources() -> None:
    export = load(CORPUS / GSE, lenient=True)
    mapping = export.folders[0].mappings[0]
    assert {i.name: i.associated_source_instances for i in mapping.instances if i.name.startswith("SQ_")} == {
        "SQ_FNMA_DELIVERY": ["FNMA_DELIVERY_MONTHLY"],
        "SQ_FHLMC_DELIVERY": ["FHLMC_DELIVERY_MONTHLY"],
    }
    [job] = [j.job for j in convert_export(export).jobs]
    # The 'Filter' attributes become Filters, the Union's groups come from INPUTGROUPNAME and its SOURCE_TAG
    # output carries the value its description gives each group.
    assert job.complete, [g.message for g in job.gaps]
    assert (
        "# Expression EXP_FNMA_GROUP_SOURCE_TAG" in job.code and "# Filter FIL_SQ_FHLMC_DELIVERY" in job.code
    )


PAYMENT = GSE.replace("simple_m_GSE_UNION_DELIVERY", "medium_m_PAYMENT_HISTORY_NORMALIZE")
SCD2 = GSE.replace("simple_m_GSE_UNION_DELIVERY", "complex_m_FNMA_LOAN_DELIVERY_SCD2")


@pytest.mark.skipif(not (CORPUS / PAYMENT).is_file(), reason="the shared corpus is not beside the worktree")
def test_corpus_occurstimes_normalizer_converts() -> None:
    [job] = [j.job for j in convert_export(load(CORPUS / PAYMENT, lenient=True)).jobs]
    assert job.complete, [g.message for g in job.gaps]
    assert "12 occurrences per input row" in job.code


@pytest.mark.skipif(not (CORPUS / SCD2).is_file(), reason="the shared corpus is not beside the worktree")
def test_corpus_scd2_lookalike_keeps_what_the_file_does_not_say_as_gaps() -> None:
    [job] = [j.job for j in convert_export(load(CORPUS / SCD2, lenient=True)).jobs]
    # The join type and the filter are read; the rest is not settled by the file: a qualifier whose ports
    # are aliases of a SQL query, a lookup that names no lookup columns, a Router with three groups and
    # links from its input ports (downstream of an Expression that merges two pipelines).
    assert sorted((g.instance, g.message) for g in job.gaps) == [
        ("LKP_MSA_PROPERTIES", "the lookup has no lookup ports"),
        ("RTR_LOAN_CHANGE", "EXP_DERIVE has no output port LOAN_IDENTIFIER"),
        ("SQ_DIM_LOAN_STATUS", "no source definition feeds this Source Qualifier"),
    ]


def test_convert_lenient_reads_the_lookalike_and_prints_the_warnings(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from infaflow.cli import main

    path = _write(tmp_path, export_text(["LOAN_TAPE"]))
    strict = CliRunner().invoke(main, ["convert", str(path), "-o", str(tmp_path / "strict")])
    assert strict.exit_code == 2
    result = CliRunner().invoke(main, ["convert", "--lenient", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (
        f"{path}:38: warning: instance 'SQ_LOAN_TAPE': TYPE='Source Qualifier' is not an INSTANCE TYPE"
        in result.stderr
    )
    assert (tmp_path / "out" / "m_balance.py").is_file()
