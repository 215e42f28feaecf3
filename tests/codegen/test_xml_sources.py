"""XML sources and the XML Source Qualifier: an export with an XML source definition written from the XML
Guide's rules (groups at element paths, generated primary and foreign keys, element and attribute fields,
multiple-occurring elements normalised into their group's rows), converted and run on an XML file."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import read_csv, run_job

from infaflow.codegen.project import convert_export
from infaflow.export import load

# Orders/Order/Lines/Line: an order has lines (a child group whose FK_Order holds the order's key) and
# repeating <Tag> text elements (a group of their own). Order/@id is an attribute, Order/Customer/Name a
# nested element read into the order's row, Order/Note an optional element.
_METATABLE = (
    '<?xml version="1.0" encoding="utf-8"?>\n<METATABLE version="7.01">\n'
    '<GROUP GROUPNAME="X_Orders"><GROUPSAT>Orders</GROUPSAT></GROUP>\n'
    '<GROUP GROUPNAME="X_Order"><GROUPSAT>Orders/Order</GROUPSAT>'
    '<COLUMN COLUMN_NAME="FK_Orders" RELATIONSHIP="hierarchy"/></GROUP>\n'
    '<GROUP GROUPNAME="X_Line"><GROUPSAT>Orders/Order/Lines/Line</GROUPSAT>'
    '<COLUMN COLUMN_NAME="FK_Order" RELATIONSHIP="hierarchy"/></GROUP>\n'
    '<GROUP GROUPNAME="X_Tag"><GROUPSAT>Orders/Order/Tag</GROUPSAT>'
    '<COLUMN COLUMN_NAME="FK_Order2" RELATIONSHIP="hierarchy"/></GROUP>\n'
    "</METATABLE>\n"
)

# (name, group, datatype, precision, key type, XML Mapping, referenced field[, PivotNumber])
_FIELDS = [
    ("XPK_Orders", "X_Orders", "integer", 19, "PRIMARY/GENERATED KEY", "", ""),
    ("BATCH", "X_Orders", "string", 10, "NOT A KEY", "./@batch", ""),
    ("XPK_Order", "X_Order", "integer", 19, "PRIMARY/GENERATED KEY", "", ""),
    ("FK_Orders", "X_Order", "integer", 19, "FOREIGN KEY", "", "XPK_Orders"),
    ("ORDER_ID", "X_Order", "integer", 10, "NOT A KEY", "./@id", ""),
    ("CUSTOMER", "X_Order", "string", 20, "NOT A KEY", "./Customer/Name", ""),
    ("NOTE", "X_Order", "string", 20, "NOT A KEY", "./Note", ""),
    ("ORDERED", "X_Order", "dateTime", 29, "NOT A KEY", "./Date", ""),
    ("AMOUNT", "X_Order", "decimal", 10, "NOT A KEY", "./Amount", ""),
    ("CURRENCY", "X_Order", "string", 3, "NOT A KEY", "./Amount/@currency", ""),
    ("PHONE2", "X_Order", "string", 10, "NOT A KEY", "./Phone", "", 2),
    ("XPK_Line", "X_Line", "integer", 19, "PRIMARY/GENERATED KEY", "", ""),
    ("FK_Order", "X_Line", "integer", 19, "FOREIGN KEY", "", "XPK_Order"),
    ("LINE_NO", "X_Line", "integer", 10, "NOT A KEY", "./@no", ""),
    ("SKU", "X_Line", "string", 10, "NOT A KEY", "./Sku", ""),
    ("QTY", "X_Line", "integer", 10, "NOT A KEY", "./Qty", ""),
    ("XPK_Tag", "X_Tag", "integer", 19, "PRIMARY/GENERATED KEY", "", ""),
    ("FK_Order2", "X_Tag", "integer", 19, "FOREIGN KEY", "", "XPK_Order"),
    ("TAG", "X_Tag", "string", 10, "NOT A KEY", ".", ""),
]
_SQ_TYPES = {"integer": "bigint", "string": "string", "dateTime": "date/time", "decimal": "decimal"}
_TARGETS = {
    "T_ORDER": [
        "XPK_Order",
        "FK_Orders",
        "ORDER_ID",
        "CUSTOMER",
        "NOTE",
        "AMOUNT",
        "CURRENCY",
        "PHONE2",
        "ORDERED",
    ],
    "T_LINE": ["XPK_Line", "FK_Order", "LINE_NO", "SKU", "QTY"],
    "T_TAG": ["XPK_Tag", "FK_Order2", "TAG"],
}


def _esc(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#xA;")
    )


def export_text(*, restart: str = "NO", key_start: int = 1, empty_as_null: str = "NO") -> str:
    """A PowerCenter export with the XML source ORDERS, its qualifier and three flat-file targets."""
    fields = "\n".join(
        f'<SOURCEFIELD BUSINESSNAME="" DATATYPE="{dt}" DESCRIPTION="" FIELDNUMBER="{i}" FIELDPROPERTY="0" '
        f'FIELDTYPE="ELEMITEM" GROUP="{g}" HIDDEN="NO" KEYTYPE="{kt}" LENGTH="{p}" LEVEL="0" NAME="{n}" '
        f'NULLABLE="NULL" OCCURS="0" OFFSET="0" PHYSICALLENGTH="{p}" PHYSICALOFFSET="0" PICTURETEXT="" '
        f'PRECISION="{p}" SCALE="0" USAGE_FLAGS=""'
        + (f' REFERENCEDDBD="XML_File" REFERENCEDFIELD="{ref}" REFERENCEDTABLE="ORDERS"' if ref else "")
        + f'>\n<FIELDATTRIBUTE NAME="XML Mapping" VALUE="{xp}"/>\n'
        f'<FIELDATTRIBUTE NAME="PivotNumber" VALUE="{pivot[0] if pivot else 0}"/>\n</SOURCEFIELD>'
        for i, (n, g, dt, p, kt, xp, ref, *pivot) in enumerate(_FIELDS, 1)
    )
    groups = "\n".join(
        f'<GROUP DESCRIPTION="" NAME="{g}" ORDER="{i}" TYPE="OUTPUT"/>'
        for i, g in enumerate(dict.fromkeys(f[1] for f in _FIELDS), 1)
    )
    sq_groups = groups.replace('TYPE="OUTPUT"', 'TYPE="INPUT/OUTPUT"')
    sq_ports = "\n".join(
        f'<TRANSFORMFIELD DATATYPE="{_SQ_TYPES[dt]}" DEFAULTVALUE="" DESCRIPTION="" GROUP="{g}" NAME="{n}" '
        f'PICTURETEXT="" PORTTYPE="{"GENERATED KEY/INPUT/OUTPUT" if "GENERATED" in kt else "INPUT/OUTPUT"}" '
        f'PRECISION="{p}" REF_SOURCE_FIELD="{n}" SCALE="{2 if dt == "decimal" else 0}"'
        + (f' SEQUENCE_GENERATOR_VALUE="{key_start}"' if "GENERATED" in kt else "")
        + "/>"
        for n, g, dt, p, kt, _xp, _ref, *_pivot in _FIELDS
    )
    targets = "\n".join(
        f'<TARGET BUSINESSNAME="" CONSTRAINT="" DATABASETYPE="Flat File" DESCRIPTION="" NAME="{t}" '
        'OBJECTVERSION="1" TABLEOPTIONS="" VERSIONNUMBER="1">\n'
        '<FLATFILE CODEPAGE="UTF-8" CONSECDELIMITERSASONE="NO" DELIMITED="YES" DELIMITERS="," '
        'ESCAPE_CHARACTER="" KEEPESCAPECHAR="NO" LINESEQUENTIAL="NO" MULTIDELIMITERSASAND="NO" '
        'NULLCHARTYPE="ASCII" NULL_CHARACTER="*" PADBYTES="1" QUOTE_CHARACTER="NONE" REPEATABLE="NO" '
        'ROWDELIMITER="0" SKIPROWS="0" STRIPTRAILINGBLANKS="NO"/>\n'
        + "\n".join(
            f'<TARGETFIELD BUSINESSNAME="" DATATYPE="string" DESCRIPTION="" FIELDNUMBER="{i}" '
            f'KEYTYPE="NOT A KEY" NAME="{c}" NULLABLE="NULL" PICTURETEXT="" PRECISION="20" SCALE="0"/>'
            for i, c in enumerate(cols, 1)
        )
        + "\n</TARGET>"
        for t, cols in _TARGETS.items()
    )
    connectors = [
        f'<CONNECTOR FROMFIELD="{n}" FROMINSTANCE="ORDERS" FROMINSTANCETYPE="Source Definition" '
        f'TOFIELD="{n}" TOINSTANCE="XMLDSQ_ORDERS" TOINSTANCETYPE="XML Source Qualifier"/>'
        for n, *_rest in _FIELDS
    ]
    connectors += [
        f'<CONNECTOR FROMFIELD="{c}" FROMINSTANCE="XMLDSQ_ORDERS" FROMINSTANCETYPE="XML Source '
        f'Qualifier" TOFIELD="{c}" TOINSTANCE="{t}" TOINSTANCETYPE="Target Definition"/>'
        for t, cols in _TARGETS.items()
        for c in cols
    ]
    instances = [
        f'<INSTANCE DESCRIPTION="" NAME="{t}" TRANSFORMATION_NAME="{t}" TRANSFORMATION_TYPE="Target '
        'Definition" TYPE="TARGET"/>'
        for t in _TARGETS
    ]
    instances += [
        '<INSTANCE DBDNAME="XML_File" DESCRIPTION="" NAME="ORDERS" TRANSFORMATION_NAME="ORDERS" '
        'TRANSFORMATION_TYPE="Source Definition" TYPE="SOURCE"/>',
        '<INSTANCE DESCRIPTION="" NAME="XMLDSQ_ORDERS" REUSABLE="NO" TRANSFORMATION_NAME="XMLDSQ_ORDERS" '
        'TRANSFORMATION_TYPE="XML Source Qualifier" TYPE="TRANSFORMATION"/>',
    ]
    writers = "\n".join(
        f'<SESSIONEXTENSION NAME="File Writer" SINSTANCENAME="{t}" SUBTYPE="File Writer" '
        f'TRANSFORMATIONTYPE="Target Definition" TYPE="WRITER">\n'
        f'<ATTRIBUTE NAME="Output filename" VALUE="{t.lower()}.csv"/>\n</SESSIONEXTENSION>'
        for t in _TARGETS
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE POWERMART SYSTEM "powrmart.dtd">
<POWERMART CREATION_DATE="01/01/2026 00:00:00" REPOSITORY_VERSION="188.97">
<REPOSITORY NAME="REP" VERSION="188" CODEPAGE="UTF-8" DATABASETYPE="Oracle">
<FOLDER NAME="XMLF" GROUP="" OWNER="a" SHARED="NOTSHARED" DESCRIPTION="" PERMISSIONS="rwx---r--" UUID="u">
<SOURCE BUSINESSNAME="" DATABASETYPE="XML" DBDNAME="XML_File" DESCRIPTION="" NAME="ORDERS" OBJECTVERSION="1" OWNERNAME="" VERSIONNUMBER="1">
<XMLINFO>
<XMLTEXT TEXT="{_esc(_METATABLE)}" TYPE="TABLE"/>
</XMLINFO>
{groups}
{fields}
</SOURCE>
{targets}
<MAPPING DESCRIPTION="" ISVALID="YES" NAME="m_xml_orders" OBJECTVERSION="1" VERSIONNUMBER="1">
<TRANSFORMATION DESCRIPTION="" NAME="XMLDSQ_ORDERS" OBJECTVERSION="1" REF_DBD_NAME="XML_File" REF_SOURCE_NAME="ORDERS" REUSABLE="NO" TYPE="XML Source Qualifier" VERSIONNUMBER="1">
{sq_groups}
{sq_ports}
<TABLEATTRIBUTE NAME="Reset" VALUE="NO"/>
<TABLEATTRIBUTE NAME="Restart" VALUE="{restart}"/>
</TRANSFORMATION>
{chr(10).join(instances)}
{chr(10).join(connectors)}
</MAPPING>
<WORKFLOW DESCRIPTION="" ISENABLED="YES" ISVALID="YES" NAME="wf_xml" REUSABLE_SCHEDULER="NO" SCHEDULERNAME="Scheduler" SERVERNAME="IS" SERVER_DOMAINNAME="D" SUSPEND_ON_ERROR="NO" TASKS_MUST_RUN_ON_SERVER="NO" VERSIONNUMBER="1">
<TASK DESCRIPTION="" NAME="Start" REUSABLE="NO" TYPE="Start" VERSIONNUMBER="1"/>
<SESSION DESCRIPTION="" ISVALID="YES" MAPPINGNAME="m_xml_orders" NAME="s_xml_orders" REUSABLE="NO" SORTORDER="Binary" VERSIONNUMBER="1">
<SESSIONEXTENSION DSQINSTNAME="XMLDSQ_ORDERS" DSQINSTTYPE="XML Source Qualifier" NAME="XML Reader" SINSTANCENAME="ORDERS" SUBTYPE="XML Reader" TRANSFORMATIONTYPE="Source Definition" TYPE="READER">
<ATTRIBUTE NAME="Treat empty content as NULL" VALUE="{empty_as_null}"/>
<ATTRIBUTE NAME="Source file directory" VALUE="$PMSourceFileDir&#x5c;"/>
<ATTRIBUTE NAME="Source filename" VALUE="orders.xml"/>
</SESSIONEXTENSION>
{writers}
</SESSION>
<TASKINSTANCE DESCRIPTION="" ISENABLED="YES" NAME="Start" REUSABLE="NO" TASKNAME="Start" TASKTYPE="Start"/>
<TASKINSTANCE DESCRIPTION="" FAIL_PARENT_IF_INSTANCE_DID_NOT_RUN="NO" FAIL_PARENT_IF_INSTANCE_FAILS="YES" ISENABLED="YES" NAME="s_xml_orders" REUSABLE="NO" TASKNAME="s_xml_orders" TASKTYPE="Session" TREAT_INPUTLINK_AS_AND="YES"/>
<WORKFLOWLINK CONDITION="" FROMTASK="Start" TOTASK="s_xml_orders"/>
</WORKFLOW>
</FOLDER>
</REPOSITORY>
</POWERMART>
"""


DOCUMENT = """<?xml version="1.0" encoding="UTF-8"?>
<Orders batch="B7">
  <Order id="100">
    <Customer><Name>Ada</Name></Customer>
    <Note>rush</Note>
    <Date>2024-03-15T10:20:30</Date>
    <Amount currency="EUR"> 12.50 </Amount>
    <Phone>111</Phone><Phone>222</Phone>
    <Lines>
      <Line no="1"><Sku>A-1</Sku><Qty>2</Qty></Line>
      <Line no="2"><Sku>B-2</Sku><Qty>5</Qty></Line>
    </Lines>
    <Tag>new</Tag><Tag>vip</Tag>
  </Order>
  <Order id="200">
    <Customer><Name>Bob</Name></Customer>
    <Amount>7</Amount>
    <Phone>333</Phone>
    <Lines/>
  </Order>
  <Order id="300">
    <Customer><Name>Cy</Name></Customer>
    <Date>2024-03-17</Date>
    <Note></Note>
    <Lines><Line no="1"><Sku>C-3</Sku></Line></Lines>
    <Tag>old</Tag>
  </Order>
</Orders>
"""


def _job(tmp_path: Path, **options: str):  # noqa: ANN202 - a JobSource
    path = tmp_path / "export.xml"
    path.write_text(export_text(**options))
    conv = convert_export(load(path))
    [job] = [j.job for j in conv.jobs if j.job.code]
    return job


def test_the_qualifier_converts_every_group_with_its_path_keys_and_xpaths(tmp_path: Path) -> None:
    job = _job(tmp_path)
    assert job.complete, [g.message for g in job.gaps]
    code = job.code
    assert 'job.read_xml(\n        "ORDERS",' in code
    assert '("X_Line", "Orders/Order/Lines/Line", "X_Order", "XPK_Line", "FK_Order", [' in code
    assert '("ORDER_ID", "./@id", "bigint"),' in code
    assert '("TAG", ".", "string"),' in code
    assert '("PHONE2", "./Phone[2]", "string"),' in code
    assert '("ORDERED", "./Date", "timestamp"),' in code
    assert 'value=1, reset=False, restart=False, store="xml",' in code
    # X_Orders has no connected port but encloses the groups that do: read for their foreign keys.
    assert '("X_Orders", "Orders", None, "XPK_Orders", None, [' in code
    compile(code, "job.py", "exec")


@pytest.mark.spark
def test_groups_keys_attributes_and_missing_elements_on_spark(spark, tmp_path: Path) -> None:  # noqa: ANN001
    job = _job(tmp_path, restart="YES")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "orders.xml").write_text(DOCUMENT)
    result = run_job(job, spark, tmp_path)
    orders = read_csv(tmp_path / "tgt" / "t_order.csv")
    lines = read_csv(tmp_path / "tgt" / "t_line.csv")
    tags = read_csv(tmp_path / "tgt" / "t_tag.csv")
    # Keys number each group's rows in document order; a child's foreign key is its parent row's key.
    # A missing element is NULL (empty field); an empty one is an empty string ("Treat empty content as
    # NULL" is NO).
    # An attribute of a text element (Amount/@currency), the 2nd occurrence of a pivoted element (Phone).
    assert orders == [
        ["1", "1", "100", "Ada", "rush", "12.50", "EUR", "222", "03/15/2024 10:20:30.000000"],
        ["2", "1", "200", "Bob", "", "7.00", "", "", ""],
        ["3", "1", "300", "Cy", "", "", "", "", "03/17/2024 00:00:00.000000"],
    ]
    assert lines == [["1", "1", "1", "A-1", "2"], ["2", "1", "2", "B-2", "5"], ["3", "3", "1", "C-3", ""]]
    assert tags == [["1", "1", "new"], ["2", "1", "vip"], ["3", "3", "old"]]
    assert result.source_rows == {
        "ORDERS.X_Orders": 1,
        "ORDERS.X_Order": 3,
        "ORDERS.X_Line": 3,
        "ORDERS.X_Tag": 3,
    }


@pytest.mark.spark
def test_generated_keys_continue_from_the_saved_value_unless_restart(spark, tmp_path: Path) -> None:  # noqa: ANN001
    job = _job(tmp_path, key_start=10)
    (tmp_path / "src").mkdir()
    # Namespace prefixes (on the root element too) do not change which elements a group reads.
    namespaced = (
        DOCUMENT.replace("<Orders ", '<o:Orders xmlns:o="urn:orders" ')
        .replace("</Orders>", "</o:Orders>")
        .replace("<Line ", "<o:Line ")
        .replace("</Line>", "</o:Line>")
    )
    (tmp_path / "src" / "orders.xml").write_text(namespaced)
    run_job(job, spark, tmp_path)
    first = read_csv(tmp_path / "tgt" / "t_line.csv")
    run_job(job, spark, tmp_path)
    second = read_csv(tmp_path / "tgt" / "t_line.csv")
    assert [r[:2] for r in first] == [["10", "10"], ["11", "10"], ["12", "12"]]
    assert [r[:2] for r in second] == [["13", "13"], ["14", "13"], ["15", "15"]]


@pytest.mark.parametrize(
    "xpath", ["../Note", "/Orders/Order/Note", "./ns:Note", "./Line[@no='1']/Sku", "text()"]
)
def test_xpaths_beyond_the_group_element_are_reported(tmp_path: Path, xpath: str) -> None:
    path = tmp_path / "export.xml"
    path.write_text(export_text().replace('VALUE="./Note"', f'VALUE="{xpath}"'))
    [job] = [j.job for j in convert_export(load(path)).jobs if j.job.code]
    assert [g.message for g in job.gaps] == [
        f"field NOTE: XPath {xpath!r} is not supported (only child elements, attributes and the element's own "
        "text of the group's element: ./A/B, ./@a, .)"
    ]


@pytest.mark.spark
def test_iso_dates_and_values_that_do_not_convert(spark, tmp_path: Path) -> None:  # noqa: ANN001
    job = _job(tmp_path, restart="YES")
    (tmp_path / "src").mkdir()
    document = DOCUMENT.replace("<Amount>7</Amount>", "<Amount>seven</Amount>")
    (tmp_path / "src" / "orders.xml").write_text(document)
    result = run_job(job, spark, tmp_path)
    orders = read_csv(tmp_path / "tgt" / "t_order.csv")
    # Order 200's Amount is no decimal: the reader rejects its row (its key is still used).
    assert [r[:3] for r in orders] == [["1", "1", "100"], ["3", "1", "300"]]
    assert result.source_rejected_rows["ORDERS.X_Order"] == 1
