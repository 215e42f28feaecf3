"""Flat-file properties in generated code, without Spark: for each FLATFILE setting and session reader /
writer attribute, the exact arguments of the generated call, or the exact gap message."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port

from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.flatfile import characters, delimited_reader_args, fixed_width_args, writer_args
from infaflow.export.loader import load
from infaflow.model import Attributes, FlatFile, SessionExtension, SessTransformationInst, Transformation

S = "string"


def _call(code: str, name: str) -> list[str]:
    """The lines of the first ``job.<name>(...)`` call, without the column list."""
    start = code.index(f"job.{name}(")
    lines = code[start : code.index("\n    )", start)].splitlines()
    return [line.strip() for line in lines if "=" in line and not line.strip().startswith("(")]


@pytest.mark.parametrize(
    ("attrs", "session", "expected"),
    [
        ({}, {}, {"delimiter": ",", "quote": "", "skip_rows": 0}),
        (
            {"DELIMITERS": "\\011,", "QUOTE_CHARACTER": "DOUBLE", "SKIPROWS": "1"},
            {},
            {"delimiter": "\t,", "quote": '"', "skip_rows": 1},
        ),
        (
            {"DELIMITERS": "~|", "MULTIDELIMITERSASAND": "YES", "CONSECDELIMITERSASONE": "YES"},
            {},
            {
                "delimiter": "~|",
                "quote": "",
                "skip_rows": 0,
                "delimiters_as_and": True,
                "consecutive_delimiters_as_one": True,
            },
        ),
        # AND with a single delimiter is the same as one delimiter.
        (
            {"DELIMITERS": ";", "MULTIDELIMITERSASAND": "YES"},
            {},
            {"delimiter": ";", "quote": "", "skip_rows": 0},
        ),
        (
            {"ESCAPE_CHARACTER": "\\", "KEEPESCAPECHAR": "YES", "CODEPAGE": "MS1252", "ROWDELIMITER": "124"},
            {},
            {
                "delimiter": ",",
                "quote": "",
                "skip_rows": 0,
                "escape": "\\",
                "keep_escape": True,
                "codepage": "MS1252",
                "row_delimiter": "|",
            },
        ),
        # KEEPESCAPECHAR without an escape character says nothing; UTF-8 and line feed are the defaults.
        (
            {"KEEPESCAPECHAR": "YES", "CODEPAGE": "UTF-8", "ROWDELIMITER": "10"},
            {"File Reader Truncate String Null": "NO", "Codepage Parameter": ""},
            {"delimiter": ",", "quote": "", "skip_rows": 0},
        ),
    ],
)
def test_delimited_reader_arguments(attrs: dict[str, str], session: dict[str, str], expected: dict) -> None:
    assert delimited_reader_args(FlatFile(attrs), session) == expected


@pytest.mark.parametrize(
    ("attrs", "session", "message"),
    [
        ({"CODEPAGE": "Klingon"}, {}, "code page Klingon of the flat file is not supported"),
        ({"SHIFTSENSITIVEDATA": "YES"}, {}, "shift-sensitive data (SHIFTSENSITIVEDATA=YES) is not supported"),
        (
            {},
            {"Codepage Parameter": "$ParamCP"},
            "a code page given by the session's Codepage Parameter is not supported",
        ),
        (
            {},
            {"File Reader Truncate String Null": "YES"},
            "File Reader Truncate String Null (strings cut at a NUL byte) is not supported",
        ),
    ],
)
def test_delimited_reader_gaps(attrs: dict[str, str], session: dict[str, str], message: str) -> None:
    with pytest.raises(ConversionError) as err:
        delimited_reader_args(FlatFile(attrs), session)
    assert str(err.value) == message


def test_fixed_width_reader_arguments() -> None:
    attrs = {"DELIMITED": "NO", "NULL_CHARACTER": "0", "NULLCHARTYPE": "BINARY", "REPEATABLE": "YES"}
    assert fixed_width_args(FlatFile({**attrs, "CODEPAGE": "Latin1", "PADBYTES": "2"}), {}) == {
        "line_sequential": False,
        "pad_bytes": 2,
        "skip_rows": 0,
        "strip_trailing_blanks": False,
        "null_character": "\x00",
        "repeat_null": True,
        "codepage": "Latin1",
    }
    with pytest.raises(ConversionError, match="binary null character '300' is not a byte value"):
        fixed_width_args(FlatFile({**attrs, "NULL_CHARACTER": "300"}), {})
    with pytest.raises(ConversionError, match=r"a fixed-width file in code page UTF-16LE \(byte offsets"):
        fixed_width_args(FlatFile({**attrs, "CODEPAGE": "UTF-16LE"}), {})


@pytest.mark.parametrize(
    ("attrs", "session", "expected"),
    [
        (
            {"DELIMITERS": ";|"},
            {"Header Options": "No Header"},
            {"delimiter": ";", "quote": "", "header": False},
        ),
        (
            {"QUOTE_CHARACTER": "SINGLE", "CODEPAGE": "MS1252"},
            {"Header Options": "Output Field Names", "Append if Exists": "YES"},
            {"delimiter": ",", "quote": "'", "header": True, "codepage": "MS1252", "append": True},
        ),
        (
            {"CODEPAGE": "MS932"},  # multibyte code pages are written exactly
            {
                "Header Options": "Use header command output",
                "Header Command": "cat head.txt",
                "Footer Command": "echo done",
                "Output Type": "Command",
                "Command": "gzip > out.gz",
            },
            {
                "delimiter": ",",
                "quote": "",
                "header": False,
                "codepage": "MS932",
                "header_command": "cat head.txt",
                "footer_command": "echo done",
                "output_command": "gzip > out.gz",
            },
        ),
    ],
)
def test_writer_arguments(attrs: dict[str, str], session: dict[str, str], expected: dict) -> None:
    assert writer_args(FlatFile(attrs), session, fixed_width=False) == expected


def test_writer_gaps() -> None:
    with pytest.raises(ConversionError, match="no Header Command is set"):
        writer_args(FlatFile({}), {"Header Options": "Use header command output"}, fixed_width=False)
    with pytest.raises(ConversionError, match="Output Type is Command, but no Command is set"):
        writer_args(FlatFile({}), {"Output Type": "Command"}, fixed_width=False)


def test_octal_escapes_name_unprintable_characters() -> None:
    assert characters("\\011") == "\t" and characters("\\011,") == "\t," and characters("*$") == "*$"


def _mapping() -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source("SRC", [("A", S), ("B", S)], header=False)
    b.flat_target("OUT", [("A", S), ("B", S)])
    b.connect("SQ_SRC", "OUT", ["A", "B"])
    return b


def test_the_sessions_file_properties_override_the_definitions() -> None:
    """Workflow Basics Guide, "Configuring Delimited File Properties": the session's file properties
    override those of the source definition (and of the target's, written by its File Writer)."""
    b = _mapping().with_session()
    assert b.session is not None
    b.session.transformation_instances = [
        SessTransformationInst("SRC", flatfile=FlatFile({"DELIMITERS": ";", "CODEPAGE": "Latin1"})),
        SessTransformationInst("OUT", flatfile=FlatFile({"DELIMITED": "NO", "NULL_CHARACTER": "#"})),
    ]
    job = b.render()
    assert job.complete, job.gaps
    assert _call(job.code, "read_flat_file") == [
        'delimiter=";",',
        "quote='\"',",  # not in the session's FLATFILE: the definition's
        "skip_rows=0,",
        'codepage="Latin1",',
    ]
    assert _call(job.code, "write_fixed_width") == ['null_character="#",', "repeat_null=False,"]


def test_a_relational_target_written_by_the_file_writer_is_a_flat_file() -> None:
    b = MappingBuilder()
    b.flat_source("SRC", [("A", S)], header=False)
    b.table_target("T_ORA", [("A", S)])
    b.connect("SQ_SRC", "T_ORA", ["A"])
    b.with_session()
    assert b.session is not None
    b.session.extensions.append(
        SessionExtension(
            type="WRITER",
            subtype="File Writer",
            sinstance_name="T_ORA",
            attributes=Attributes({"Output filename": "t_ora1.out", "Header Options": "Output Field Names"}),
        )
    )
    b.session.transformation_instances = [
        SessTransformationInst("T_ORA", flatfile=FlatFile({"DELIMITED": "YES", "DELIMITERS": "|"}))
    ]
    job = b.render()
    assert job.complete, job.gaps
    assert "job.write_table(" not in job.code
    assert 'job.path("$PMTargetFileDir", "t_ora1.out")' in job.code
    assert _call(job.code, "write_flat_file") == ['delimiter="|",', 'quote="",', "header=True,"]


def test_a_flat_file_lookup_reads_with_its_file_properties() -> None:
    b = _mapping()
    lookup = Transformation(
        "LKP",
        "Lookup Procedure",
        ports=[port("IN_A", S, "INPUT"), port("A", S, "LOOKUP/OUTPUT"), port("B", S, "LOOKUP/OUTPUT")],
        attributes=Attributes({"Source Type": "Flat File", "Lookup condition": "A = IN_A"}),
        flatfile=FlatFile({"DELIMITERS": "\\011", "QUOTE_CHARACTER": "DOUBLE", "CODEPAGE": "MS1252"}),
    )
    b.add(lookup)
    b.connect("SQ_SRC", "LKP", {"A": "IN_A"})
    b.flat_target("OUT2", [("B", S)])
    b.connect("LKP", "OUT2", ["B"])
    job = b.render()
    assert job.complete, job.gaps
    start = job.code.index('job.read_flat_file(\n        "LKP"')
    assert _call(job.code[start:], "read_flat_file") == [
        'delimiter="\\t",',
        "quote='\"',",
        "skip_rows=0,",
        'codepage="MS1252",',
        "count=False,",
    ]


def test_the_loader_keeps_the_sessions_file_properties(tmp_path: Path) -> None:
    path = tmp_path / "s.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<POWERMART CREATION_DATE="" REPOSITORY_VERSION="186.95">\n'
        '<REPOSITORY NAME="r" VERSION="186" CODEPAGE="UTF-8" DATABASETYPE="Oracle">\n'
        '<FOLDER NAME="F" OWNER="o" SHARED="NOTSHARED">\n'
        '<SESSION NAME="s_x" MAPPINGNAME="m_x" REUSABLE="YES" ISVALID="YES">\n'
        '<SESSTRANSFORMATIONINST SINSTANCENAME="SRC" TRANSFORMATIONNAME="SRC" '
        'TRANSFORMATIONTYPE="Source Definition" PIPELINE="0" STAGE="0">\n'
        '<FLATFILE CODEPAGE="MS1252" DELIMITED="YES" DELIMITERS=";" SKIPROWS="1"/>\n'
        "</SESSTRANSFORMATIONINST>\n</SESSION>\n</FOLDER>\n</REPOSITORY>\n</POWERMART>\n"
    )
    export = load(path, lenient=True, validate=False)
    session = next(s for r in export.repositories for f in r.folders for s in f.all_sessions())
    flatfile = session.transformation_instances[0].flatfile
    assert flatfile is not None
    assert flatfile.attrs == {"CODEPAGE": "MS1252", "DELIMITED": "YES", "DELIMITERS": ";", "SKIPROWS": "1"}
    assert flatfile.location.line == 7
