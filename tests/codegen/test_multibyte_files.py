"""Flat files in multibyte (CJK) code pages read as PowerCenter reads them: delimited lines split on the
row delimiter's byte and decoded before their fields are split, fixed-width fields taken by byte offset and
decoded on their own (Designer Guide, "Working with Flat Files": "Fixed-width files are byte-oriented";
"Delimited files are character-oriented"). The files' bytes are written here with Python's codecs, with
the traps of these code pages: second bytes equal to a delimiter, an escape character or a row delimiter
(Shift-JIS 0x5C in 表, ソ, 十 and 0x7C in ポ; Big5 0x5C in 許, 功, 蓋), characters of three and four
bytes, and characters a fixed-width field boundary cuts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, run_job
from pyspark.sql import functions as F

from infaflow.codegen import engine, support
from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.flatfile import delimited_reader_args, fixed_width_args
from infaflow.model import Attributes, FlatFile, Transformation

S = "string"
ROOT = Path(__file__).resolve().parents[2]

# PowerCenter code page names (the Administrator Guide's code page list: MS932 "MS Windows Japanese,
# superset of Shift-JIS", JapanEUC, MS936, MS949, MS950, GB18030; and the plain encoding names) -> the
# Python codec the writer encodes with and the Java charset the reader decodes with.
NAMES = {
    "MS932": ("cp932", "windows-31j"),
    "Shift-JIS": ("shift_jis", "Shift_JIS"),
    "JapanEUC": ("euc_jp", "EUC-JP"),
    "MS936": ("gbk", "GBK"),
    "GB2312": ("gb2312", "GB2312"),
    "GB18030": ("gb18030", "GB18030"),
    "MS949": ("cp949", "x-windows-949"),
    "EUC-KR": ("euc_kr", "EUC-KR"),
    "MS950": ("cp950", "x-windows-950"),
    "Big5": ("big5", "Big5"),
}
# Text of each code page, with characters whose second byte is an ASCII character where there are any.
SAMPLES = {
    "MS932": "表ソ十ポ ｱｲｳ ①㈱ 髙",
    "Shift-JIS": "表ソ十ポ ｱｲｳ",
    "JapanEUC": "丂表ｱ",
    "MS936": "亊倊儈 中文",
    "GB2312": "中文简体",
    "GB18030": "\u0080𠀀亅€",
    "MS949": "한국 갂괔",
    "EUC-KR": "한국어",
    "MS950": "許功蓋 四帆",
    "Big5": "許功蓋",
}


def _second_bytes(codec: str) -> tuple[set[int], set[int]]:
    """The first and second bytes of every two-byte character ``codec`` decodes."""
    first, second = set(), set()
    for a in range(0x80, 0x100):
        for b in range(0x100):
            try:
                if len(bytes([a, b]).decode(codec)) == 1:
                    first.add(a)
                    second.add(b)
            except UnicodeDecodeError:
                pass
    return first, second


@pytest.mark.parametrize("codec", sorted(support.MULTIBYTE_CODE_PAGES))
def test_each_code_pages_layout_matches_its_encoding(codec: str) -> None:
    """Every two-byte character of the encoding is one ``char``; its first byte alone is ``partial``; its
    second byte is in ``follow``, which never holds a line feed or a carriage return (so lines split on
    bytes), and holds the ASCII bytes the encoding does use as second bytes."""
    layout = support.MULTIBYTE_CODE_PAGES[codec]
    char, partial = re.compile(f"(?:{layout.char})"), re.compile(f"(?:{layout.partial})")
    follow = re.compile(f"[{layout.follow}]")
    first, second = _second_bytes(codec)
    for a in first:
        assert partial.fullmatch(chr(a)), hex(a)
        assert not char.fullmatch(chr(a)), hex(a)
    for b in second:
        assert follow.fullmatch(chr(b)), hex(b)
    assert not follow.match("\n") and not follow.match("\r")
    assert all(char.fullmatch(chr(b)) for b in range(0x80))  # ASCII bytes are characters of their own
    ascii_second = {chr(b) for b in second if b < 0x80}
    expected = {
        "cp932": "@\\|~",
        "shift_jis": "@\\|~",
        "gbk": "@\\|~",
        "gb18030": "@\\|~",
        "cp950": "@\\|~",
        "big5": "@\\|~",
        "cp949": "AZaz",
    }.get(codec, "")
    assert set(expected) <= ascii_second
    if not expected:  # EUC: second bytes are A1-FE only
        assert not ascii_second


@pytest.mark.parametrize(
    ("codec", "text"), [("euc_jp", "丂"), ("gb18030", "\u0080"), ("gb18030", "𠀀"), ("gb18030", "€")]
)
def test_longer_characters_are_one_character_and_their_heads_are_partial(codec: str, text: str) -> None:
    layout = support.MULTIBYTE_CODE_PAGES[codec]
    raw = text.encode(codec).decode("latin-1")
    assert re.fullmatch(f"(?:{layout.char})", raw)
    for cut in range(1, len(raw)):
        assert re.fullmatch(f"(?:{layout.partial})", raw[:cut]), (text, cut)


@pytest.mark.parametrize(("name", "expected"), sorted(NAMES.items()))
def test_powercenter_code_page_names_map_to_their_charsets(name: str, expected: tuple[str, str]) -> None:
    codec, charset = expected
    for spelling in (name, name.upper(), name.lower(), name.replace("-", "_")):
        assert support.flat_file_code_page(spelling) == (codec, "multibyte")
    assert support.MULTIBYTE_CODE_PAGES[codec].charset == charset
    # Read and written: the reader arguments carry the code page, as the writer's do.
    assert delimited_reader_args(FlatFile({"CODEPAGE": name}), {})["codepage"] == name
    fixed = fixed_width_args(FlatFile({"DELIMITED": "NO", "CODEPAGE": name}), {})
    assert fixed["codepage"] == name


def test_fixed_width_utf16_stays_a_gap() -> None:
    with pytest.raises(ConversionError, match="fixed-width file in code page UTF-16LE"):
        fixed_width_args(FlatFile({"DELIMITED": "NO", "CODEPAGE": "UTF-16LE"}), {})


@pytest.mark.parametrize(
    ("codec", "delimiter", "on_bytes"),
    [
        ("cp932", "\n", True),
        ("cp932", ";", True),  # below 0x40: never a second byte
        ("cp932", "|", False),  # the second byte of ポ
        ("cp949", "|", True),  # UHC second bytes are letters and 0x81-0xFE
        ("cp949", "A", False),
        ("euc_jp", "|", True),
        ("gb18030", "5", False),  # the second and fourth bytes of a four-byte character are digits
        ("big5", "\\", False),
        ("gbk", "\u00e9", False),  # not one ASCII byte
    ],
)
def test_lines_split_on_bytes_only_where_the_row_delimiter_never_ends_a_character(
    codec: str, delimiter: str, on_bytes: bool
) -> None:
    assert support._splits_on_bytes(codec, delimiter) is on_bytes


# -- Spark ---------------------------------------------------------------------------------------------


def _source(
    b: MappingBuilder,
    name: str,
    fields: list[str],
    attrs: dict[str, str],
    *,
    target_attrs: dict | None = None,
) -> None:
    """A delimited source ``name`` read from ``<name>.dat`` and written unchanged to ``OUT_<name>``
    (UTF-8, or ``target_attrs``)."""
    b.flat_source(name, [(f, S) for f in fields])
    b.folder.sources[-1].flatfile = FlatFile({"DELIMITED": "YES", "SKIPROWS": "0", **attrs})
    b.flat_target(f"OUT_{name}", [(f, S) for f in fields])
    if target_attrs:
        b.folder.targets[-1].flatfile = FlatFile({"DELIMITED": "YES", **target_attrs})
    b.connect(f"SQ_{name}", f"OUT_{name}", fields)


def _fixed_source(b: MappingBuilder, name: str, layout: list[tuple[str, str, int, int]], attrs: dict) -> None:
    b.flat_source(name, [(n, t) for n, t, _o, _l in layout])
    src = b.folder.sources[-1]
    src.flatfile = FlatFile({"DELIMITED": "NO", "PADBYTES": "0", "NULL_CHARACTER": "*", **attrs})
    for f, (_n, _t, offset, length) in zip(src.fields, layout, strict=True):
        f.attrs = {"PHYSICALOFFSET": str(offset), "PHYSICALLENGTH": str(length)}
    b.flat_target(f"OUT_{name}", [(n, t) for n, t, _o, _l in layout])
    b.connect(f"SQ_{name}", f"OUT_{name}", [n for n, _t, _o, _l in layout])


def _write(tmp: Path, name: str, data: bytes) -> None:
    path = tmp / "src" / f"{name.lower()}.dat"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _out(tmp: Path, name: str) -> bytes:
    return (tmp / "tgt" / f"{name.lower()}.out").read_bytes()


def _lines(tmp: Path, name: str) -> list[str]:
    return _out(tmp, name).decode("utf-8").splitlines()


@pytest.fixture
def fresh_spark(spark):  # noqa: ANN001, ANN201
    """The shared session without the Java-charset setting, so that each job shows it sets it itself."""
    spark.conf.unset(support.JAVA_CHARSETS_CONF)
    yield spark
    spark.conf.unset(support.JAVA_CHARSETS_CONF)


@pytest.mark.spark
def test_the_java_charsets_decode_each_code_page_as_its_encoding(fresh_spark) -> None:
    """The Java charset of each PowerCenter name decodes the sample's bytes (written with the Python codec
    the writers use) to the same text, once the job has allowed Java charsets."""
    spark = fresh_spark
    spark.conf.set(support.JAVA_CHARSETS_CONF, "true")
    raws = {name: SAMPLES[name].encode(codec).decode("latin-1") for name, (codec, _c) in NAMES.items()}
    row = spark.createDataFrame([tuple(raws.values())], ", ".join(f"c{i} string" for i in range(len(raws))))
    decoded = row.select(
        *[
            support._decoded(F.col(f"c{i}"), NAMES[name][0], "multibyte").alias(name)
            for i, name in enumerate(raws)
        ]
    ).first()
    assert decoded is not None
    assert decoded.asDict() == SAMPLES


def _delimited_job() -> MappingBuilder:
    b = MappingBuilder()
    # Second bytes 0x5C (表, ソ, 十) next to the escape character, 0x7C (ポ) as the delimiter; quotes.
    _source(
        b,
        "MJ",
        ["A", "B", "C"],
        {
            "CODEPAGE": "MS932",
            "DELIMITERS": "|",
            "QUOTE_CHARACTER": "DOUBLE",
            "ESCAPE_CHARACTER": "\\",
            "SKIPROWS": "1",
        },
    )
    _source(b, "GB", ["A", "B", "C"], {"CODEPAGE": "MS936", "DELIMITERS": "~", "QUOTE_CHARACTER": "NONE"})
    _source(b, "G4", ["A", "B"], {"CODEPAGE": "GB18030", "DELIMITERS": ",", "QUOTE_CHARACTER": "NONE"})
    _source(b, "KR", ["A", "B"], {"CODEPAGE": "MS949", "DELIMITERS": ",", "QUOTE_CHARACTER": "DOUBLE"})
    _source(
        b,
        "TW",
        ["A", "B"],
        {"CODEPAGE": "MS950", "DELIMITERS": ",", "QUOTE_CHARACTER": "NONE", "ESCAPE_CHARACTER": "\\"},
    )
    _source(b, "EJ", ["A", "B"], {"CODEPAGE": "JapanEUC", "DELIMITERS": "|", "QUOTE_CHARACTER": "NONE"})
    # Row delimiter "|" (124), the second byte of ポ: the file is decoded whole, then split.
    _source(
        b,
        "RD",
        ["A", "B"],
        {"CODEPAGE": "MS932", "DELIMITERS": ",", "QUOTE_CHARACTER": "NONE", "ROWDELIMITER": "124"},
    )
    # Read in MS932 and written in MS932.
    _source(
        b,
        "RT",
        ["A", "B"],
        {"CODEPAGE": "MS932", "DELIMITERS": ",", "QUOTE_CHARACTER": "DOUBLE"},
        target_attrs={"DELIMITERS": ",", "QUOTE_CHARACTER": "DOUBLE", "CODEPAGE": "MS932"},
    )
    # A lookup cache read from an MS932 file (the lookup's FLATFILE), keyed by text with 0x5C/0x7C bytes.
    b.flat_source("KEYS", [("K", S)])
    b.folder.sources[-1].flatfile = FlatFile({"DELIMITED": "YES", "DELIMITERS": ",", "SKIPROWS": "0"})
    b.add(
        Transformation(
            "LKP",
            "Lookup Procedure",
            ports=[port("IN_K", S, "INPUT"), port("K", S, "LOOKUP/OUTPUT"), port("V", S, "LOOKUP/OUTPUT")],
            attributes=Attributes(
                {
                    "Source Type": "Flat File",
                    "Lookup condition": "K = IN_K",
                    "Lookup source filename": "lkp.dat",
                }
            ),
            flatfile=FlatFile(
                {"DELIMITED": "YES", "DELIMITERS": "|", "QUOTE_CHARACTER": "NONE", "CODEPAGE": "MS932"}
            ),
        )
    )
    b.connect("SQ_KEYS", "LKP", {"K": "IN_K"})
    b.flat_target("OUT_LKP", [("K", S), ("V", S)])
    b.connect("SQ_KEYS", "OUT_LKP", ["K"])
    b.connect("LKP", "OUT_LKP", ["V"])
    return b


def _write_delimited_files(tmp: Path) -> None:
    _write(
        tmp,
        "MJ",
        (
            "見出し|ヘッダ|表\r\n"  # skipped
            '表示|"ソフト|ポ""十"""|十\\|ポ\r\n'
            "\r\n"  # a blank line: a row of NULLs
            "ｱｲｳ|能\r\n"  # short: C is NULL
        ).encode("cp932"),
    )
    _write(tmp, "GB", "亊~倊|儈~剘\n".encode("gbk"))
    _write(tmp, "G4", "\u0080𠀀,亅€\n".encode("gb18030"))
    _write(tmp, "KR", '"한국, 서울",갂괔\n'.encode("cp949"))
    _write(tmp, "TW", "許功蓋,四\\,帆\n".encode("cp950"))
    _write(tmp, "EJ", "丂|ｱ表\n".encode("euc_jp"))
    _write(tmp, "RD", "ポ,a|表,ソ\n|".encode("cp932"))
    _write(tmp, "RT", '表示,ソ\nｱｲｳ,"十,ポ"\n①,㈱\n'.encode("cp932"))
    _write(tmp, "KEYS", "表\nポ\nx\n".encode())
    _write(tmp, "LKP", "表|ソフト\nポ|十円\n".encode("cp932"))


@pytest.mark.spark
def test_delimited_multibyte_files_decode_each_line_before_splitting_its_fields(
    fresh_spark, tmp_path: Path
) -> None:
    spark = fresh_spark
    job = _delimited_job().render()
    assert job.complete, job.gaps
    assert "udf" not in job.code.lower()
    _write_delimited_files(tmp_path)
    result = run_job(job, spark, tmp_path)
    # 0x5C second bytes are not escape characters, the 0x7C second byte of ポ is not a delimiter; a quoted
    # field keeps the delimiter and its doubled quotes are one; the escaped delimiter is data.
    assert _lines(tmp_path, "OUT_MJ") == ['表示,"ソフト|ポ""十""",十|ポ', ",,", "ｱｲｳ,能,"]
    assert result.source_rows["MJ"] == 3
    assert _lines(tmp_path, "OUT_GB") == ["亊,倊|儈,剘"]
    assert _lines(tmp_path, "OUT_G4") == ["\u0080𠀀,亅€"]
    assert _lines(tmp_path, "OUT_KR") == ['"한국, 서울",갂괔']
    assert _lines(tmp_path, "OUT_TW") == ['許功蓋,"四,帆"']
    assert _lines(tmp_path, "OUT_EJ") == ["丂,ｱ表"]
    # Rows end at "|" only where it is a character: the line feed is data.
    assert _out(tmp_path, "OUT_RD").decode() == 'ポ,a\n表,"ソ\n"\n'
    # The round trip: the same bytes.
    assert _out(tmp_path, "OUT_RT") == (tmp_path / "src" / "rt.dat").read_bytes()
    assert _lines(tmp_path, "OUT_LKP") == ["表,ソフト", "ポ,十円", "x,"]


@pytest.mark.spark
def test_fixed_width_multibyte_fields_are_bytes_decoded_on_their_own(fresh_spark, tmp_path: Path) -> None:
    spark = fresh_spark
    b = MappingBuilder()
    _fixed_source(
        b,
        "FW",
        [("A", S, 0, 4), ("B", S, 4, 3), ("C", S, 7, 4)],
        {"CODEPAGE": "MS932", "LINESEQUENTIAL": "YES"},
    )
    _fixed_source(
        b,
        "FB",
        [("A", S, 0, 3), ("B", S, 3, 4)],
        {"CODEPAGE": "JapanEUC", "PADBYTES": "1", "SKIPROWS": "1", "STRIPTRAILINGBLANKS": "YES"},
    )
    _fixed_source(
        b,
        "FG",
        [("A", S, 0, 4), ("B", S, 4, 2), ("N", "integer", 6, 3)],
        {"CODEPAGE": "GB18030", "LINESEQUENTIAL": "YES", "NULL_CHARACTER": "＊"},
    )
    job = b.render()
    assert job.complete, job.gaps
    _write(
        tmp_path,
        "FW",
        "表示".encode("cp932")
        + "ｱ十".encode("cp932")  # 1 + 2 bytes
        + b"ab  \n"
        # 表 fits A's last bytes but 示 (8E A6) is cut after its first byte: A ends with U+FFFD and B
        # starts with A6, the half-width katakana ｦ when it stands alone.
        + b"a"
        + "表示ポ".encode("cp932")
        + b"1234\n"
        + b"****"
        + "十 ".encode("cp932")
        + b"x\n",
    )
    head = b"HEADER!\n"  # one record skipped (SKIPROWS), then records of 7 bytes and a line feed
    _write(
        tmp_path,
        "FB",
        head
        + "丂".encode("euc_jp")
        + "ｱｲ".encode("euc_jp")
        + b"\n"
        # The three-byte 丂 (8F B0 A1) cut after 8F: A is "ab" and U+FFFD, B starts with B0 A1 (亜).
        + b"ab\x8f\xb0\xa1cd\n",
    )
    _write(
        tmp_path,
        "FG",
        "\u0080".encode("gb18030")
        + "亅".encode("gb18030")
        + b" 42\n"
        + "＊＊".encode("gb18030")
        + b"\xa2\xe3  7\n"
        # Four-byte characters (81 30 81 30) cut after two bytes, at the end of A and of B.
        + "亅".encode("gb18030")
        + b"\x81\x30\x81\x30  1\n",
    )
    result = run_job(job, spark, tmp_path)
    assert _lines(tmp_path, "OUT_FW") == ["表示,ｱ十,ab  ", "a表\ufffd,ｦポ,1234", ",十 ,x"]
    assert _lines(tmp_path, "OUT_FB") == ["丂,ｱｲ", "ab\ufffd,亜cd"]
    # A two-byte null character (＊, A3 AA) at the start of a field: NULL.
    assert _lines(tmp_path, "OUT_FG") == ["\u0080,亅,42", ",€,7", "亅\ufffd,\ufffd,1"]
    assert result.source_rows == {"FW": 3, "FB": 2, "FG": 3}


# -- Spark Connect -------------------------------------------------------------------------------------

_CONNECT_RUN = """
import importlib.util, sys
from infaflow.codegen import support
from infaflow.codegen.executor import remote_spark
sys.modules["infaflow_support"] = support  # the generated job imports its support module by that name
spec = importlib.util.spec_from_file_location("job_mb", sys.argv[2])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
spark = remote_spark(sys.argv[1])
tmp = sys.argv[3]
result = module.run(spark, {
    "$PMSourceFileDir": tmp + "/src", "$PMTargetFileDir": tmp + "/tgt", "$PMBadFileDir": tmp + "/bad",
    "$PMLookupFileDir": tmp + "/src", "$PMStorageDir": tmp + "/storage", "$INFAFLOWSTORE": tmp + "/store",
})
print(result.source_rows)
spark.stop()
"""


@pytest.mark.slow
def test_multibyte_files_read_through_spark_connect(tmp_path: Path) -> None:
    """The same delimited job on a Spark Connect server (``infaflow engine start``'s own code), run by a
    child process (a process holds classic or Connect sessions, not both): the Java-charset setting is a
    runtime SQL setting the client sets on its server session."""
    job = _delimited_job().render()
    assert job.complete, job.gaps
    _write_delimited_files(tmp_path)
    module = tmp_path / "job_mb.py"
    module.write_text(job.code)
    state = tmp_path / "engine"
    try:
        started = engine.start(
            state,
            port=engine.free_port(),
            master="local[1]",
            conf={"spark.ui.enabled": "false", "spark.driver.memory": "1g"},
            timeout=300,
        )
        env = {k: v for k, v in os.environ.items() if k not in ("SPARK_REMOTE",)}
        env.update(PYTHONPATH=str(ROOT / "src"), SPARK_LOCAL_IP="127.0.0.1")
        run = subprocess.run(
            [sys.executable, "-c", _CONNECT_RUN, started.url, str(module), str(tmp_path)],
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
            check=False,
        )
    finally:
        engine.stop(state)
    assert run.returncode == 0, run.stderr[-3000:]
    assert _lines(tmp_path, "OUT_MJ") == ['表示,"ソフト|ポ""十""",十|ポ', ",,", "ｱｲｳ,能,"]
    assert _out(tmp_path, "OUT_RD").decode() == 'ポ,a\n表,"ソ\n"\n'
    assert _out(tmp_path, "OUT_RT") == (tmp_path / "src" / "rt.dat").read_bytes()
    assert _lines(tmp_path, "OUT_LKP") == ["表,ソフト", "ポ,十円", "x,"]
