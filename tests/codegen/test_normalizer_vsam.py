"""VSAM Normalizer over a COBOL source (Transformation Guide, "VSAM Normalizer Transformation"): the
sales file of the guide's example, scaled down, with two record types told apart by HDR_REC_TYPE (store
records, and detail records whose DETAIL_DATA REDEFINES STORE_DATA and whose SUPPLIER_INFO group OCCURS 4
times). Records are written here in EBCDIC (IBM037) byte by byte from the COBOL rules: zoned decimals
with the sign overpunched in the last digit, a packed decimal (COMP-3) price, binary (COMP) counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import FILE, MappingBuilder, port, read_csv, run_job

from infaflow.codegen import cobol
from infaflow.codegen.exprs import ConversionError
from infaflow.errors import Location
from infaflow.model import Attributes, Field, FlatFile, Instance, Source, Transformation

S, DEC = "string", "decimal"


def item(
    name: str,
    pic: str,
    offset: int,
    length: int,
    level: int = 5,
    usage: str = "DISPLAY",
    flags: str = "TRAILING_SIGN",
    occurs: int = 0,
    redefines: str = "",
    children: list[Field] | None = None,
) -> Field:
    kind = "GROUP" if children is not None else "ELEMITEM"
    return Field(
        name,
        "string" if "X" in pic or kind == "GROUP" else "number",
        attrs={
            "PICTURETEXT": pic,
            "PHYSICALOFFSET": str(offset),
            "PHYSICALLENGTH": str(length),
            "OFFSET": str(offset),
            "LENGTH": str(length),
            "LEVEL": str(level),
            "USAGE": usage,
            "USAGE_FLAGS": flags,
            "OCCURS": str(occurs),
            "REDEFINES": redefines,
            "FIELDTYPE": kind,
        },
        children=children or [],
    )


def group(name: str, level: int, children: list[Field], occurs: int = 0, redefines: str = "") -> Field:
    return item(name, "", 0, 0, level, occurs=occurs, redefines=redefines, children=children)


# 01 SALES_RECORD.                                   bytes
#    03 HDR_DATA.
#       05 HDR_REC_TYPE     PIC X.                    0
#       05 HDR_STORE        PIC X(2).                 1-2
#    03 STORE_DATA.
#       05 STORE_NAME       PIC X(10).                3-12
#       05 STORE_CITY       PIC X(8).                 13-20
#       05 STORE_STAFF      PIC S9(4) COMP.           21-22
#       05 FILLER           PIC X(10).                23-32
#    03 DETAIL_DATA REDEFINES STORE_DATA.
#       05 DETAIL_ITEM      PIC 9(3).                 3-5
#       05 DETAIL_DESC      PIC X(5).                 6-10
#       05 DETAIL_PRICE     PIC S9(3)V99 COMP-3.      11-13
#       05 DETAIL_QTY       PIC S9(3).                14-16 (sign overpunched in the last digit)
#       05 SUPPLIER_INFO OCCURS 4 TIMES.              17-32, 4 bytes each
#          10 SUPPLIER_CODE PIC XX.
#          10 SUPPLIER_NAME PIC XX.
SALES_RECORD = group(
    "SALES_RECORD",
    1,
    [
        group("HDR_DATA", 3, [item("HDR_REC_TYPE", "X", 0, 1), item("HDR_STORE", "X(2)", 1, 2)]),
        group(
            "STORE_DATA",
            3,
            [
                item("STORE_NAME", "X(10)", 3, 10),
                item("STORE_CITY", "X(8)", 13, 8),
                item("STORE_STAFF", "S9(4)", 21, 2, usage="COMP"),
                item("FILLER", "X(10)", 23, 10),
            ],
        ),
        group(
            "DETAIL_DATA",
            3,
            redefines="STORE_DATA",
            children=[
                item("DETAIL_ITEM", "9(3)", 3, 3),
                item("DETAIL_DESC", "X(5)", 6, 5),
                item("DETAIL_PRICE", "S9(3)V99", 11, 3, usage="COMP-3"),
                item("DETAIL_QTY", "S9(3)", 14, 3),
                group(
                    "SUPPLIER_INFO",
                    5,
                    occurs=4,
                    children=[
                        item("SUPPLIER_CODE", "XX", 17, 2, level=10),
                        item("SUPPLIER_NAME", "XX", 19, 2, level=10),
                    ],
                ),
            ],
        ),
    ],
)


def test_layout_of_the_sales_record() -> None:
    items = {i.name: i for i in cobol.layout([SALES_RECORD])}
    assert items["HDR_STORE"] == cobol.Item("HDR_STORE", "text", (1,), 2, 2, 0, "none")
    assert items["STORE_STAFF"] == cobol.Item("STORE_STAFF", "binary", (21,), 2, 4, 0, "trailing")
    # REDEFINES: DETAIL_ITEM reads the bytes STORE_NAME reads.
    assert items["DETAIL_ITEM"].offsets == items["STORE_NAME"].offsets == (3,)
    assert items["DETAIL_PRICE"] == cobol.Item("DETAIL_PRICE", "packed", (11,), 3, 5, 2, "trailing")
    assert items["DETAIL_QTY"] == cobol.Item("DETAIL_QTY", "display", (14,), 3, 3, 0, "trailing")
    assert items["SUPPLIER_NAME"] == cobol.Item(
        "SUPPLIER_NAME", "text", (19, 23, 27, 31), 2, 2, 0, "none", "SUPPLIER_INFO"
    )
    assert cobol.record_length(list(items.values())) == 33


@pytest.mark.parametrize(
    ("pic", "flags", "expected"),
    [
        ("S9(3)", None, "trailing"),  # no USAGE_FLAGS: COBOL's default, the last digit overpunched
        ("S9(3)", "TRAILING_SIGN", "trailing"),
        ("S9(3)", "", "leading"),  # Trailing sign (T) not set: the sign is in the first character
        ("S9(3)", "TRAILING_SIGN SEPARATE_SIGN", "trailing separate"),
        ("S9(3)", "LEADING SEPARATE", "leading separate"),
        ("9(3)", "TRAILING_SIGN", "none"),  # unsigned: T alone does not make it signed
        ("9(3)", "SIGNED TRAILING_SIGN", "trailing"),
        ("9(3)", "UNSIGNED", "none"),
    ],
)
def test_where_a_number_keeps_its_sign(pic: str, flags: str | None, expected: str) -> None:
    field = Field(
        "N", "number", attrs={"PICTURETEXT": pic, **({} if flags is None else {"USAGE_FLAGS": flags})}
    )
    assert cobol.sign_of(field, cobol.picture(pic)[3]) == expected


def test_a_picture_with_a_real_decimal_point() -> None:
    assert cobol.picture("9(3).99") == ("number", 5, 2, False)
    (only,) = cobol.layout([item("P", "9(3).99", 0, 6)])
    assert (only.usage, only.digits, only.scale, only.length) == ("display-point", 5, 2, 6)


def test_the_same_layout_from_fields_listed_flat_with_their_level_numbers() -> None:
    def flat(f: Field) -> list[Field]:
        return [Field(f.name, f.datatype, attrs=f.attrs), *[x for c in f.children for x in flat(c)]]

    assert cobol.layout(flat(SALES_RECORD)) == cobol.layout([SALES_RECORD])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("X(30)", ("text", 30, 0, False)),
        ("9(4)V99", ("number", 6, 2, False)),
        ("S9(5)", ("number", 5, 0, True)),
        ("S999V9", ("number", 4, 1, True)),
        ("XX", ("text", 2, 0, False)),
    ],
)
def test_picture(text: str, expected: tuple[str, int, int, bool]) -> None:
    assert cobol.picture(text) == expected


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            [group("A", 1, [group("B", 3, occurs=2, children=[item("C", "X", 0, 1, occurs=3)])])],
            "C is inside nested OCCURS (B, C)",
        ),
        ([item("F", "S9(4)", 0, 4, usage="COMP-1")], "COMP-1/COMP-2 floating-point"),
        ([item("P", "9(3)PP", 0, 3)], "scaling positions (P)"),
    ],
)
def test_layouts_that_are_reported(fields: list[Field], message: str) -> None:
    with pytest.raises(ConversionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        cobol.layout(fields)


def ebcdic(text: str) -> bytes:
    return text.encode("cp037")


def packed(digits: str, negative: bool) -> bytes:
    nibbles = digits + ("D" if negative else "C")
    return bytes.fromhex(nibbles if len(nibbles) % 2 == 0 else "0" + nibbles)


RECORDS = [
    # a store record: STORE_STAFF 12 as a 2-byte big-endian binary
    ebcdic("S01MAIN ST   LEEDS   ") + (12).to_bytes(2, "big", signed=True) + ebcdic(" " * 10),
    # detail records: price 12.34 packed (01 23 4C), quantity -5 (last digit overpunched: N)
    ebcdic("D01123WIDGT") + packed("01234", False) + ebcdic("00N" + "A1XXB2YY    C3ZZ"),
    ebcdic("D02007BOLT ") + packed("00050", True) + ebcdic("01B" + "D4WW" + " " * 12),
]


def _mapping(reset: bool = False, restart: bool = False, style: str = "in/out") -> MappingBuilder:
    """``style``: the Normalizer's ports as INPUT/OUTPUT ports ("in/out"), as NAME_in inputs and NAME outputs
    ("_in"), or "_in" without CONNECTORs from the source (the instance names its associated source)."""
    b = MappingBuilder()
    src = Source(
        "SALES_FILE",
        database_type="VSAM",
        fields=[SALES_RECORD],
        flatfile=FlatFile(
            {
                "DELIMITED": "NO",
                "CODEPAGE": "IBM037",
                "PADBYTES": "0",
                "LINESEQUENTIAL": "NO",
                "SKIPROWS": "0",
            }
        ),
    )
    b.folder.sources.append(src)
    b.mapping.instances.append(
        Instance(
            "SALES_FILE",
            "SOURCE",
            "SALES_FILE",
            "Source Definition",
            definition=src,
            location=Location(FILE, 2),
        )
    )
    names = [i.name for i in cobol.layout([SALES_RECORD]) if i.name != "FILLER"]
    types = {
        i.name: (S if i.usage == "text" else DEC, i.digits, i.scale) for i in cobol.layout([SALES_RECORD])
    }
    nrm = Transformation(
        "NRM_SALES",
        "Normalizer",
        attrs={"ISVSAM_NORMALIZER": "YES"},
        attributes=Attributes({"Reset": "YES" if reset else "NO", "Restart": "YES" if restart else "NO"}),
        ports=_ports(names, types, style)
        + [
            port(
                "GK_SUPPLIER_INFO",
                "bigint",
                "GENERATED KEY/OUTPUT",
                attrs={"SEQUENCE_GENERATOR_VALUE": "100"},
            ),
            port("GCID_SUPPLIER_INFO", "integer", "GENERATED COLUMN ID/OUTPUT"),
        ],
    )
    b.add(nrm, associated=["SALES_FILE"] if style == "unconnected" else None)
    if style != "unconnected":
        b.connect("SALES_FILE", "NRM_SALES", {n: n if style == "in/out" else f"{n}_in" for n in names})
    stores = ["HDR_STORE", "STORE_NAME", "STORE_CITY", "STORE_STAFF", "GK_SUPPLIER_INFO"]
    details = [
        "GK_SUPPLIER_INFO",
        "HDR_STORE",
        "DETAIL_ITEM",
        "DETAIL_DESC",
        "DETAIL_PRICE",
        "DETAIL_QTY",
        "GCID_SUPPLIER_INFO",
        "SUPPLIER_CODE",
        "SUPPLIER_NAME",
    ]
    for fil, condition, ports in (
        ("FIL_STORE", "HDR_REC_TYPE = 'S' AND GCID_SUPPLIER_INFO = 1", stores),
        ("FIL_DETAIL", "HDR_REC_TYPE = 'D'", details),
    ):
        wanted = list(dict.fromkeys(["HDR_REC_TYPE", "GCID_SUPPLIER_INFO", *ports]))
        b.add(
            Transformation(
                fil,
                "Filter",
                ports=[port(n, "string") for n in wanted],
                attributes=Attributes({"Filter Condition": condition}),
            )
        )
        b.connect("NRM_SALES", fil, wanted)
        target = "STORES" if fil == "FIL_STORE" else "DETAILS"
        b.flat_target(target, [(n, "string") for n in ports])
        b.connect(fil, target, ports)
    return b


def _ports(names: list[str], types: dict[str, tuple[str, int, int]], style: str) -> list:  # type: ignore[type-arg]
    if style == "in/out":
        return [port(n, types[n][0], "INPUT/OUTPUT", precision=types[n][1], scale=types[n][2]) for n in names]
    inputs = [
        port(
            f"{n}_in",
            types[n][0],
            "INPUT",
            precision=types[n][1],
            scale=types[n][2],
            attrs={"REF_SOURCE_FIELD": n},
        )
        for n in names
    ]
    return inputs + [
        port(
            n, types[n][0], "OUTPUT", precision=types[n][1], scale=types[n][2], attrs={"REF_SOURCE_FIELD": n}
        )
        for n in names
    ]


def test_generated_reader_lists_every_item_with_its_occurrences() -> None:
    job = _mapping().render()
    assert job.complete, job.gaps
    assert '("SUPPLIER_CODE", "text", (17, 21, 25, 29,), 2, 2, 0, "none"),' in job.code
    assert '("DETAIL_PRICE", "packed", (11,), 3, 5, 2, "trailing"),' in job.code
    assert 'F.posexplode(F.arrays_zip(F.col("SUPPLIER_CODE"), F.col("SUPPLIER_NAME")))' in job.code
    assert (
        'job.generated_key(\n        "F.m_test.NRM_SALES.GK_SUPPLIER_INFO",\n'
        "        value=100, reset=False, restart=False,\n    )"
    ) in job.code


def _write(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir(parents=True, exist_ok=True)
    (tmp_path / "src" / "sales_file.dat").write_bytes(b"".join(RECORDS))


@pytest.mark.parametrize("style", ["_in", "unconnected"])
def test_normalizer_ports_named_in_with_or_without_connectors(style: str) -> None:
    job = _mapping(style=style).render()
    assert job.complete, job.gaps
    assert 'F.posexplode(F.arrays_zip(F.col("SUPPLIER_CODE_in"), F.col("SUPPLIER_NAME_in")))' in job.code
    assert 'F.col("_occurs.SUPPLIER_CODE_in").alias("SUPPLIER_CODE"),' in job.code
    assert 'F.col("HDR_STORE_in").alias("HDR_STORE"),' in job.code


@pytest.mark.spark
@pytest.mark.parametrize("style", ["in/out", "unconnected"])
def test_records_types_redefines_and_occurs(spark, tmp_path: Path, style: str) -> None:
    job = _mapping(style=style).render()
    _write(tmp_path)
    result = run_job(job, spark, tmp_path)
    assert result.source_rows == {"SALES_FILE": 3}
    assert read_csv(tmp_path / "tgt" / "stores.out") == [["01", "MAIN ST   ", "LEEDS   ", "12", "100"]]
    # Every record gives 4 rows (one per SUPPLIER_INFO occurrence) with the record's generated key.
    assert read_csv(tmp_path / "tgt" / "details.out") == [
        ["101", "01", "123", "WIDGT", "12.34", "-5", "1", "A1", "XX"],
        ["101", "01", "123", "WIDGT", "12.34", "-5", "2", "B2", "YY"],
        ["101", "01", "123", "WIDGT", "12.34", "-5", "3", "  ", "  "],
        ["101", "01", "123", "WIDGT", "12.34", "-5", "4", "C3", "ZZ"],
        ["102", "02", "7", "BOLT ", "-0.50", "12", "1", "D4", "WW"],
        ["102", "02", "7", "BOLT ", "-0.50", "12", "2", "  ", "  "],
        ["102", "02", "7", "BOLT ", "-0.50", "12", "3", "  ", "  "],
        ["102", "02", "7", "BOLT ", "-0.50", "12", "4", "  ", "  "],
    ]
    # The next session goes on from the saved key (100, 101, 102 used: 103).
    run_job(job, spark, tmp_path)
    assert read_csv(tmp_path / "tgt" / "stores.out")[0][-1] == "103"


@pytest.mark.spark
@pytest.mark.parametrize(("reset", "restart", "second"), [(True, False, "100"), (False, True, "1")])
def test_reset_and_restart_of_the_generated_key(
    spark, tmp_path: Path, reset: bool, restart: bool, second: str
) -> None:
    job = _mapping(reset=reset, restart=restart).render()
    _write(tmp_path)
    run_job(job, spark, tmp_path)
    run_job(job, spark, tmp_path)
    assert read_csv(tmp_path / "tgt" / "stores.out")[0][-1] == second


# (item spec as the generated reader lists it, bytes of the item, expected value). Each case is the rule
# of its usage written out: zoned digits with the sign overpunched (C zone +, D zone -) or separate,
# packed decimal (two digits a byte, the sign in the last half byte: C/F +, D -), big-endian binary.
DECODING = [
    (("display", 5, 5, 2, "none"), ebcdic("01234"), "12.34"),
    (("display", 3, 3, 0, "trailing"), ebcdic("12J"), "-121"),
    (("display", 3, 3, 0, "trailing"), ebcdic("12{"), "120"),
    (("display", 3, 3, 0, "trailing"), ebcdic("123"), "123"),  # no zone punch: positive
    (("display", 3, 3, 1, "leading"), ebcdic("}45"), "-4.5"),
    (("display", 4, 3, 0, "trailing separate"), ebcdic("007-"), "-7"),
    (("display", 4, 3, 0, "leading separate"), ebcdic("+042"), "42"),
    (("display", 3, 3, 0, "none"), ebcdic("   "), None),  # blanks: NULL
    (("display", 3, 3, 0, "none"), ebcdic("MAI"), None),  # another record type's text: NULL
    (("packed", 3, 5, 2, "trailing"), bytes.fromhex("12345D"), "-123.45"),
    (("packed", 2, 3, 0, "none"), bytes.fromhex("123F"), "123"),
    (("packed", 2, 3, 0, "trailing"), bytes.fromhex("4040"), None),  # EBCDIC blanks are not packed digits
    (("binary", 2, 4, 0, "trailing"), (-2).to_bytes(2, "big", signed=True), "-2"),
    (("binary", 4, 9, 2, "trailing"), (123456).to_bytes(4, "big", signed=True), "1234.56"),
    (("binary", 4, 9, 2, "trailing"), (-5).to_bytes(4, "big", signed=True), "-0.05"),
    (("binary", 2, 4, 0, "none"), (65535).to_bytes(2, "big"), None),  # 65535 does not fit PIC 9(4)
    (("text", 4, 4, 0, "none"), ebcdic("Ab1 "), "Ab1 "),
    (("display-point", 6, 5, 2, "none"), ebcdic("123.45"), "123.45"),  # PIC 999.99: a real decimal point
    (("display-point", 4, 3, 1, "trailing"), ebcdic("12.L"), "-12.3"),  # PIC S99.9
]


@pytest.mark.spark
def test_each_usage_decodes_as_cobol_stores_it(spark, tmp_path: Path) -> None:
    from infaflow.codegen.support import Job

    offset, specs, record = 0, [], b""
    for i, ((usage, length, digits, scale, sign), raw, _expected) in enumerate(DECODING):
        assert len(raw) == length
        specs.append((f"F{i}", usage, (offset,), length, digits, scale, sign))
        record += raw
        offset += length
    path = tmp_path / "f.dat"
    path.write_bytes(record * 2)  # two identical records, no bytes between them
    job = Job(spark, "s", {"$PMStorageDir": str(tmp_path)})
    df = job.read_cobol("F", str(path), specs, record_length=offset, codepage="IBM037")
    rows = [r.asDict() for r in df.orderBy("_row_id").collect()]
    assert [r["_row_id"] for r in rows] == [0, 1]
    got = [None if rows[0][f"F{i}"] is None else str(rows[0][f"F{i}"]) for i in range(len(DECODING))]
    assert got == [expected for _s, _r, expected in DECODING]


@pytest.mark.spark
def test_line_sequential_ascii_file(spark, tmp_path: Path) -> None:
    """An ASCII (Latin-1) COBOL file with one record per line: CR LF ends, a last line without one."""
    from infaflow.codegen.support import Job

    path = tmp_path / "f.dat"
    path.write_bytes(b"A12J\r\nB00p\r\nC99{")
    specs = [("TYPE", "text", (0,), 1, 1, 0, "none"), ("N", "display", (1,), 3, 3, 0, "trailing")]
    job = Job(spark, "s", {"$PMStorageDir": str(tmp_path)})
    df = job.read_cobol("F", str(path), specs, record_length=4, line_sequential=True, codepage="MS1252")
    assert [(r["TYPE"], str(r["N"])) for r in df.orderBy("_row_id").collect()] == [
        ("A", "-121"),
        ("B", "0"),
        ("C", "990"),
    ]


@pytest.mark.parametrize("codepage", ["IBM037", "IBM273", "IBM500", "IBM1047"])
def test_zoned_digits_read_the_same_in_every_ebcdic_code_page(codepage: str) -> None:
    """C0 (+0) and D0 (-0) print as other letters in national EBCDIC pages (IBM273: a umlaut, u umlaut):
    zoned decimals are read through IBM037 whatever the file's text code page."""
    from infaflow.codegen.support import _zoned_digit_table

    table = _zoned_digit_table(codepage)
    assert table is not None
    assert [table[b] for b in (0xC0, 0xD0, 0xC1, 0xD9, 0xF0, 0xF9, 0x4E, 0x60)] == list("{}AR09+-")
    assert _zoned_digit_table("MS1252") is None


def test_occurs_on_an_item_and_on_a_group_with_slack_bytes() -> None:
    fields = [
        item("Q", "9(3)", 0, 3, occurs=4),  # an elementary item that occurs: its own length apart
        group(
            "G",
            5,
            occurs=3,
            children=[item("A", "X(2)", 12, 2, level=10), item("B", "X(2)", 14, 2, level=10)],
        ),
    ]
    fields[1].attrs["PHYSICALLENGTH"] = "15"  # 5 bytes per occurrence: one slack byte after B
    items = {i.name: i for i in cobol.layout(fields)}
    assert items["Q"].offsets == (0, 3, 6, 9) and items["Q"].group == "Q"
    assert items["A"].offsets == (12, 17, 22) and items["B"].offsets == (14, 19, 24)
    assert cobol.record_length(list(items.values())) == 26


EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE POWERMART SYSTEM "powrmart.dtd">
<POWERMART CREATION_DATE="12/04/2026 10:00:00" REPOSITORY_VERSION="186.95">
<REPOSITORY NAME="R" VERSION="186" CODEPAGE="UTF-8" DATABASETYPE="Oracle">
<FOLDER NAME="F" GROUP="" OWNER="o" SHARED="NOTSHARED" DESCRIPTION="" PERMISSIONS="rwx---r--" UUID="u">
<SOURCE BUSINESSNAME="" DATABASETYPE="VSAM" DBDNAME="cobol" DESCRIPTION="" NAME="ORDERS" OBJECTVERSION="1"
 OWNERNAME="" VERSIONNUMBER="1">
  <FLATFILE CODEPAGE="MS1252" DELIMITED="NO" LINESEQUENTIAL="YES" NULL_CHARACTER="*" PADBYTES="0"
   REPEATABLE="NO" SKIPROWS="0" STRIPTRAILINGBLANKS="NO"/>
  <SOURCEFIELD BUSINESSNAME="" DATATYPE="string" DESCRIPTION="" FIELDNUMBER="1" FIELDTYPE="GROUP" LEVEL="1"
   NAME="ORDER_REC" OCCURS="0" OFFSET="0" PHYSICALLENGTH="0" PHYSICALOFFSET="0" PICTURETEXT="" PRECISION="0"
   SCALE="0" USAGE_FLAGS="">
    <SOURCEFIELD DATATYPE="string" FIELDNUMBER="2" FIELDTYPE="ELEMITEM" LEVEL="5" NAME="ORDER_NO" OCCURS="0"
     OFFSET="0" PHYSICALLENGTH="4" PHYSICALOFFSET="0" PICTURETEXT="X(4)" PRECISION="4" SCALE="0" USAGE_FLAGS=""/>
    <SOURCEFIELD DATATYPE="string" FIELDNUMBER="3" FIELDTYPE="GROUP" LEVEL="5" NAME="LINES" OCCURS="2"
     OFFSET="4" PHYSICALLENGTH="0" PHYSICALOFFSET="4" PICTURETEXT="" PRECISION="0" SCALE="0" USAGE_FLAGS="">
      <SOURCEFIELD DATATYPE="number" FIELDNUMBER="4" FIELDTYPE="ELEMITEM" LEVEL="10" NAME="QTY" OCCURS="0"
       OFFSET="4" PHYSICALLENGTH="3" PHYSICALOFFSET="4" PICTURETEXT="S9(3)" PRECISION="3" SCALE="0"
       USAGE_FLAGS="TRAILING_SIGN"/>
    </SOURCEFIELD>
  </SOURCEFIELD>
</SOURCE>
<TARGET BUSINESSNAME="" CONSTRAINT="" DATABASETYPE="Flat File" DESCRIPTION="" NAME="OUT" OBJECTVERSION="1"
 TABLEOPTIONS="" VERSIONNUMBER="1">
  <FLATFILE CODEPAGE="MS1252" DELIMITED="YES" DELIMITERS="," QUOTE_CHARACTER="NONE" SKIPROWS="0"/>
  <TARGETFIELD DATATYPE="string" FIELDNUMBER="1" KEYTYPE="NOT A KEY" NAME="ORDER_NO" NULLABLE="NULL"
   PRECISION="4" SCALE="0"/>
  <TARGETFIELD DATATYPE="number" FIELDNUMBER="2" KEYTYPE="NOT A KEY" NAME="QTY" NULLABLE="NULL" PRECISION="3"
   SCALE="0"/>
  <TARGETFIELD DATATYPE="number" FIELDNUMBER="3" KEYTYPE="NOT A KEY" NAME="LINE" NULLABLE="NULL" PRECISION="3"
   SCALE="0"/>
  <TARGETFIELD DATATYPE="number" FIELDNUMBER="4" KEYTYPE="NOT A KEY" NAME="ORD" NULLABLE="NULL" PRECISION="10"
   SCALE="0"/>
</TARGET>
<MAPPING DESCRIPTION="" ISVALID="YES" NAME="m_orders" OBJECTVERSION="1" VERSIONNUMBER="1">
  <TRANSFORMATION DESCRIPTION="" ISVSAM_NORMALIZER="YES" NAME="NRM_ORDERS" OBJECTVERSION="1" REUSABLE="NO"
   REF_SOURCE_NAME="ORDERS" TYPE="Normalizer" VERSIONNUMBER="1">
    <TRANSFORMFIELD DATATYPE="string" DEFAULTVALUE="" DESCRIPTION="" NAME="ORDER_NO" PICTURETEXT=""
     PORTTYPE="INPUT/OUTPUT" PRECISION="4" REF_SOURCE_FIELD="ORDER_NO" SCALE="0"/>
    <TRANSFORMFIELD DATATYPE="decimal" DEFAULTVALUE="" DESCRIPTION="" NAME="QTY" PICTURETEXT=""
     PORTTYPE="INPUT/OUTPUT" PRECISION="3" REF_SOURCE_FIELD="QTY" SCALE="0"/>
    <TRANSFORMFIELD DATATYPE="bigint" DEFAULTVALUE="" DESCRIPTION="" NAME="GK_ORDER_REC" PICTURETEXT=""
     PORTTYPE="GENERATED KEY/OUTPUT" PRECISION="19" REF_SOURCE_FIELD="ORDER_REC" SCALE="0"
     SEQUENCE_GENERATOR_VALUE="1"/>
    <TRANSFORMFIELD DATATYPE="integer" DEFAULTVALUE="" DESCRIPTION="" NAME="GCID_LINES" PICTURETEXT=""
     PORTTYPE="GENERATED COLUMN ID/OUTPUT" PRECISION="10" REF_SOURCE_FIELD="LINES" SCALE="0"/>
    <TABLEATTRIBUTE NAME="Reset" VALUE="NO"/>
    <TABLEATTRIBUTE NAME="Restart" VALUE="NO"/>
    <TABLEATTRIBUTE NAME="Tracing Level" VALUE="Normal"/>
  </TRANSFORMATION>
  <INSTANCE DESCRIPTION="" NAME="NRM_ORDERS" REUSABLE="NO" TRANSFORMATION_NAME="NRM_ORDERS"
   TRANSFORMATION_TYPE="Normalizer" TYPE="TRANSFORMATION">
    <ASSOCIATED_SOURCE_INSTANCE NAME="ORDERS"/>
  </INSTANCE>
  <INSTANCE DBDNAME="cobol" DESCRIPTION="" NAME="ORDERS" TRANSFORMATION_NAME="ORDERS"
   TRANSFORMATION_TYPE="Source Definition" TYPE="SOURCE"/>
  <INSTANCE DESCRIPTION="" NAME="OUT" TRANSFORMATION_NAME="OUT" TRANSFORMATION_TYPE="Target Definition"
   TYPE="TARGET"/>
  <CONNECTOR FROMFIELD="ORDER_NO" FROMINSTANCE="ORDERS" FROMINSTANCETYPE="Source Definition" TOFIELD="ORDER_NO"
   TOINSTANCE="NRM_ORDERS" TOINSTANCETYPE="Normalizer"/>
  <CONNECTOR FROMFIELD="QTY" FROMINSTANCE="ORDERS" FROMINSTANCETYPE="Source Definition" TOFIELD="QTY"
   TOINSTANCE="NRM_ORDERS" TOINSTANCETYPE="Normalizer"/>
  <CONNECTOR FROMFIELD="ORDER_NO" FROMINSTANCE="NRM_ORDERS" FROMINSTANCETYPE="Normalizer" TOFIELD="ORDER_NO"
   TOINSTANCE="OUT" TOINSTANCETYPE="Target Definition"/>
  <CONNECTOR FROMFIELD="QTY" FROMINSTANCE="NRM_ORDERS" FROMINSTANCETYPE="Normalizer" TOFIELD="QTY"
   TOINSTANCE="OUT" TOINSTANCETYPE="Target Definition"/>
  <CONNECTOR FROMFIELD="GCID_LINES" FROMINSTANCE="NRM_ORDERS" FROMINSTANCETYPE="Normalizer" TOFIELD="LINE"
   TOINSTANCE="OUT" TOINSTANCETYPE="Target Definition"/>
  <CONNECTOR FROMFIELD="GK_ORDER_REC" FROMINSTANCE="NRM_ORDERS" FROMINSTANCETYPE="Normalizer" TOFIELD="ORD"
   TOINSTANCE="OUT" TOINSTANCETYPE="Target Definition"/>
  <TARGETLOADORDER ORDER="1" TARGETINSTANCE="OUT"/>
</MAPPING>
</FOLDER>
</REPOSITORY>
</POWERMART>
"""


@pytest.mark.spark
def test_an_export_with_a_cobol_source_converts_and_runs(spark, tmp_path: Path) -> None:
    """From XML: nested SOURCEFIELDs and ISVSAM_NORMALIZER reach the converter; an ASCII line-sequential
    file with two order lines per record (quantity sign overpunched: 00J is -1)."""
    from infaflow.codegen.project import convert_export
    from infaflow.export import load

    xml = tmp_path / "orders.xml"
    xml.write_text(EXPORT)
    conv = convert_export(load(xml))
    (job,) = [j.job for j in conv.jobs]
    assert job.complete, job.gaps
    assert '("QTY", "display", (4, 7,), 3, 3, 0, "trailing"),' in job.code
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "orders.dat").write_bytes(b"A001010012\nB00200J003\n")
    run_job(job, spark, tmp_path)
    assert read_csv(tmp_path / "tgt" / "out.out") == [
        ["A001", "10", "1", "1"],
        ["A001", "12", "2", "1"],
        ["B002", "-1", "1", "2"],
        ["B002", "3", "2", "2"],
    ]
