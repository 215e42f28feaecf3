"""Flat files read and written as PowerCenter reads and writes them, on files whose bytes the tests choose
from the documented rules (Designer Guide, "Working with Flat Files"; Workflow Basics Guide, "Working with
File Sources" and "Integration Service Handling for File Targets"). One job run per test, several
sources and targets in it, to keep the Spark work small."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, run_job

from infaflow.model import FlatFile

pytestmark = pytest.mark.spark

S = "string"
ABC = ["A", "B", "C", "D", "E", "F", "G", "H", "I"]


def _source(
    b: MappingBuilder, name: str, fields: list[str], attrs: dict[str, str], *, target: str = ""
) -> None:
    """A delimited source ``name`` read from ``<name>.dat`` and written unchanged to ``<target>.out``."""
    b.flat_source(name, [(f, S) for f in fields])
    b.folder.sources[-1].flatfile = FlatFile({"DELIMITED": "YES", "SKIPROWS": "0", **attrs})
    out = target or f"OUT_{name}"
    b.flat_target(out, [(f, S) for f in fields])
    b.connect(f"SQ_{name}", out, fields)


def _write(tmp: Path, name: str, data: bytes) -> None:
    path = tmp / "src" / f"{name.lower()}.dat"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _out(tmp: Path, name: str) -> bytes:
    return (tmp / "tgt" / f"{name.lower()}.out").read_bytes()


def test_delimited_sources_split_fields_by_the_documented_rules(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    record = b"abc~def|ghi~|~|jkl|~mno\n"  # the Workflow Basics Guide's example record
    _source(b, "ANY", ABC, {"DELIMITERS": "~|", "QUOTE_CHARACTER": "NONE"})
    _source(b, "SEQ", ABC[:3], {"DELIMITERS": "~|", "MULTIDELIMITERSASAND": "YES", "QUOTE_CHARACTER": "NONE"})
    _source(
        b, "ONE", ABC[:5], {"DELIMITERS": "~|", "CONSECDELIMITERSASONE": "YES", "QUOTE_CHARACTER": "NONE"}
    )
    # Quotes, an escape character, a tab given as the Designer's octal escape, MS1252 bytes, 2 lines skipped.
    _source(
        b,
        "QUO",
        ABC[:4],
        {
            "DELIMITERS": "\\011,",
            "QUOTE_CHARACTER": "DOUBLE",
            "ESCAPE_CHARACTER": "\\",
            "CODEPAGE": "MS1252",
            "SKIPROWS": "2",
        },
    )
    _source(
        b,
        "KEEP",
        ABC[:2],
        {"DELIMITERS": ",", "QUOTE_CHARACTER": "SINGLE", "ESCAPE_CHARACTER": "\\", "KEEPESCAPECHAR": "YES"},
    )
    job = b.render()
    assert job.complete, job.gaps
    assert "udf" not in job.code.lower()
    for name in ("ANY", "SEQ", "ONE"):
        _write(tmp_path, name, record)
    _write(
        tmp_path,
        "QUO",
        b"header line 1\r\n"
        b"header, line 2\r\n"
        b'"caf\xe9, cr\xe8me"\t1\\,5,"say ""hi"" \\"there\\""junk,\x80\r\n'
        b"\r\n"  # a blank line: a row of NULLs
        b"short\r\n",
    )
    _write(tmp_path, "KEEP", b"'it\\'s',a\\,b\n")
    result = run_job(job, spark, tmp_path)
    assert _out(tmp_path, "OUT_ANY") == b"abc,def,ghi,,,,jkl,,mno\n"
    assert _out(tmp_path, "OUT_SEQ") == b"abc~def|ghi,,jkl|~mno\n"
    assert _out(tmp_path, "OUT_ONE") == b"abc,def,ghi,jkl,mno\n"
    # Quoted fields keep their delimiters, doubled and escaped quotes are single, text after the closing
    # quote is dropped, the escape character before a delimiter is removed (1,5 is one field); the file is
    # MS1252 (0x80 is the euro sign).
    assert _out(tmp_path, "OUT_QUO").decode("utf-8").splitlines() == [
        '"café, crème","1,5","say ""hi"" ""there""",€',
        ",,,",
        "short,,,",
    ]
    assert result.source_rows["QUO"] == 3
    # Remove Escape Character From Data cleared: the escape character stays.
    assert _out(tmp_path, "OUT_KEEP") == b'it\\\'s,"a\\,b"\n'


def test_flat_file_targets_write_header_code_page_commands_and_append(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    _source(b, "SRC", ["A", "B"], {"DELIMITERS": ",", "QUOTE_CHARACTER": "NONE"}, target="NAMES")
    b.flat_target("LATIN", [("A", S), ("B", S)])
    b.connect("SQ_SRC", "LATIN", ["A", "B"])
    b.folder.targets[-1].flatfile = FlatFile({"DELIMITED": "YES", "DELIMITERS": ";|", "CODEPAGE": "Latin1"})
    b.flat_target("CMDS", [("A", S), ("B", S)])
    b.connect("SQ_SRC", "CMDS", ["A", "B"])
    b.with_session(
        writers={
            "NAMES": {"Header Options": "Output Field Names"},
            "LATIN": {"Append if Exists": "YES"},
            "CMDS": {
                "Header Options": "Use header command output",
                "Header Command": "echo HDR $$RUN",
                "Footer Command": "printf 'END\\n'",
            },
        }
    )
    job = b.render()
    assert job.complete, job.gaps
    _write(tmp_path, "SRC", "né,1\nx,2\n".encode())
    latin = tmp_path / "tgt" / "latin.out"
    latin.parent.mkdir(parents=True)
    latin.write_bytes(b"old;0\n")
    run_job(job, spark, tmp_path, params={"$$RUN": "7"})
    # The field names after a "#" (Workflow Basics Guide, "Writing Metadata to Flat File Targets").
    assert _out(tmp_path, "NAMES") == "#A,B\nné,1\nx,2\n".encode()
    # Appended, in ISO-8859-1, with the first of the target's delimiters.
    assert latin.read_bytes() == b"old;0\nn\xe9;1\nx;2\n"
    assert _out(tmp_path, "CMDS") == "HDR 7\nné,1\nx,2\nEND\n".encode()


def test_fixed_width_sources_count_bytes_and_read_null_characters(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    layout = [("A", 0, 3), ("B", 3, 4), ("C", 7, 3)]
    for name, attrs in (
        ("U8", {"CODEPAGE": "UTF-8", "NULL_CHARACTER": "*", "REPEATABLE": "NO"}),
        ("CP", {"CODEPAGE": "MS1252", "NULL_CHARACTER": "*", "REPEATABLE": "YES"}),
        ("BIN", {"CODEPAGE": "MS1252", "NULL_CHARACTER": "0", "NULLCHARTYPE": "BINARY", "REPEATABLE": "NO"}),
    ):
        b.flat_source(name, [(n, S) for n, _o, _l in layout])
        src = b.folder.sources[-1]
        src.flatfile = FlatFile({"DELIMITED": "NO", "LINESEQUENTIAL": "YES", "PADBYTES": "0", **attrs})
        for f, (_n, offset, length) in zip(src.fields, layout, strict=True):
            f.attrs = {"PHYSICALOFFSET": str(offset), "PHYSICALLENGTH": str(length)}
        b.flat_target(f"OUT_{name}", [(n, S) for n, _o, _l in layout])
        b.connect(f"SQ_{name}", f"OUT_{name}", [n for n, _o, _l in layout])
    job = b.render()
    assert job.complete, job.gaps
    # UTF-8: "é" is two bytes, so "aé" fills the 3-byte field A. Non-repeating null character: a field
    # whose first character is "*" is NULL, whatever follows.
    _write(tmp_path, "U8", "aébcd**yzok\n".encode())
    # Repeating: NULL only when the field is all null characters; MS1252 bytes decoded.
    _write(tmp_path, "CP", b"***\xe9*x*****\n")
    # Binary null character 0: a field starting with a NUL byte is NULL.
    _write(tmp_path, "BIN", b"\x00zzabcd\x80\x00\x00\n")
    run_job(job, spark, tmp_path)
    assert _out(tmp_path, "OUT_U8").decode() == "aé,bcd*,\n"
    assert _out(tmp_path, "OUT_CP").decode() == ",é*x*,\n"
    assert _out(tmp_path, "OUT_BIN").decode() == ",abcd,€\x00\x00\n"


def test_unicode_sources_row_delimiters_and_fixed_width_headers(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    _source(b, "U16", ["A", "B"], {"DELIMITERS": ",", "CODEPAGE": "UTF-16LE"}, target="FIX")
    fix = b.folder.targets[-1]
    fix.flatfile = FlatFile(
        {"DELIMITED": "NO", "NULL_CHARACTER": "*", "REPEATABLE": "YES", "CODEPAGE": "MS1252"}
    )
    fix.fields[0].precision, fix.fields[1].precision = 4, 3
    # ROWDELIMITER 59 (";"): records end at a semicolon, line feeds are data.
    _source(b, "ROWS", ["A", "B"], {"DELIMITERS": ",", "ROWDELIMITER": "59"}, target="PIPED")
    b.with_session(
        writers={
            "FIX": {"Header Options": "Output Field Names"},
            "PIPED": {"Output Type": "Command", "Command": f"tr a-z A-Z > {tmp_path}/piped.txt"},
        }
    )
    job = b.render()
    assert job.complete, job.gaps
    _write(tmp_path, "U16", "né,€\r\nlonger,\r\n".encode("utf-16-le"))
    _write(tmp_path, "ROWS", b"a,b;c\nd,e;")
    run_job(job, spark, tmp_path)
    # Fixed-width header: "#" and the names cut to their widths; NULL repeated over the field; MS1252 bytes.
    assert _out(tmp_path, "FIX") == b"#A  B  \nn\xe9  \x80  \nlong***\n"
    assert (tmp_path / "piped.txt").read_bytes() == b'A,B\n"C\nD",E\n'
    assert not (tmp_path / "tgt" / "piped.out").exists()


def test_rows_to_skip_are_the_files_first_lines_when_it_is_read_in_several_splits(
    spark, tmp_path: Path
) -> None:
    # Splits of 4 KB: the 3,000-line file is read by several tasks; only its first 2 lines are skipped,
    # and the rows keep the file's order.
    b = MappingBuilder()
    _source(b, "BIG", ["N", "TEXT"], {"DELIMITERS": ",", "QUOTE_CHARACTER": "NONE", "SKIPROWS": "2"})
    job = b.render()
    lines = ["N,TEXT", "-,header"] + [f"{i},line {i:05d}" for i in range(3000)]
    _write(tmp_path, "BIG", ("\n".join(lines) + "\n").encode())
    saved = {
        k: spark.conf.get(k) for k in ("spark.sql.files.maxPartitionBytes", "spark.sql.files.openCostInBytes")
    }
    try:
        for key in saved:
            spark.conf.set(key, "4096")
        assert spark.read.text(str(tmp_path / "src" / "big.dat")).rdd.getNumPartitions() > 3
        result = run_job(job, spark, tmp_path)
    finally:
        for key, value in saved.items():
            spark.conf.set(key, value)
    assert _out(tmp_path, "OUT_BIG").decode().splitlines() == lines[2:]
    assert result.source_rows["BIG"] == 3000
