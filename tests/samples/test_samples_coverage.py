"""The sample exports together cover every task type and the common transformations, are internally
consistent (links, connectors, shortcuts, parameter-file headings name things that exist) and match
their generator and expected outputs. Plain lxml: these tests do not depend on the loader."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
EXPORTS = {
    "orders": SAMPLES / "orders" / "wf_orders_daily.xml",
    "retail_dw": SAMPLES / "retail_dw" / "wf_retail_nightly.xml",
    "inventory": SAMPLES / "inventory" / "wf_inventory_alerts.xml",
}

TASK_TYPES = {
    "Start",
    "Session",
    "Command",
    "Decision",
    "Assignment",
    "Timer",
    "Email",
    "Control",
    "Event Wait",
    "Event Raise",
    "Worklet",
}
TRANSFORMATION_TYPES = {
    "Source Qualifier",
    "Expression",
    "Filter",
    "Joiner",
    "Lookup Procedure",
    "Aggregator",
    "Router",
    "Sorter",
    "Rank",
    "Custom Transformation",
    "Update Strategy",
    "Sequence",
    "Normalizer",
    "Input Transformation",
    "Output Transformation",
    "Mapplet",
}


def _tree(path: Path) -> etree._ElementTree:
    return etree.parse(str(path), etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False))


@pytest.fixture(scope="module")
def roots() -> dict[str, etree._Element]:
    return {name: _tree(path).getroot() for name, path in EXPORTS.items()}


def _all(roots: dict[str, etree._Element], xpath: str) -> list[etree._Element]:
    return [e for r in roots.values() for e in r.xpath(xpath)]


def test_every_task_type_is_used(roots: dict[str, etree._Element]) -> None:
    used = {t.get("TASKTYPE") for t in _all(roots, "//TASKINSTANCE")}
    assert TASK_TYPES <= used, TASK_TYPES - used


def test_every_common_transformation_type_is_used(roots: dict[str, etree._Element]) -> None:
    used = {t.get("TYPE") for t in _all(roots, "//TRANSFORMATION")}
    assert TRANSFORMATION_TYPES <= used, TRANSFORMATION_TYPES - used
    assert _all(roots, "//TRANSFORMATION[@TEMPLATENAME='Union Transformation']")
    assert _all(roots, "//INSTANCE[@TYPE='MAPPLET']")


def test_transformation_features(roots: dict[str, etree._Element]) -> None:
    sq = _all(roots, "//TRANSFORMATION[@TYPE='Source Qualifier']")
    attr = {(t.get("NAME"), a.get("NAME")): a.get("VALUE") for t in sq for a in t.iter("TABLEATTRIBUTE")}
    assert any(k[1] == "Source Filter" and v for k, v in attr.items())
    assert any(k[1] == "Sql Query" and v for k, v in attr.items())
    assert any(len(i.findall("ASSOCIATED_SOURCE_INSTANCE")) == 2 for i in _all(roots, "//INSTANCE"))
    assert _all(roots, "//TRANSFORMFIELD[@PORTTYPE='LOCAL VARIABLE']")
    assert _all(roots, "//TRANSFORMATION[@TYPE='Aggregator']/TRANSFORMFIELD[@EXPRESSIONTYPE='GROUPBY']")
    assert _all(roots, "//TRANSFORMATION[@TYPE='Rank']/TRANSFORMFIELD[@EXPRESSIONTYPE='RANKPORT']")
    assert _all(roots, "//TRANSFORMFIELD[contains(@EXPRESSION, ':LKP.')]")
    assert _all(roots, "//TRANSFORMATION[@TYPE='Router']/GROUP[@TYPE='OUTPUT/DEFAULT']")
    assert len(_all(roots, "//TRANSFORMATION[@TYPE='Router']/GROUP[@TYPE='OUTPUT']")) >= 2
    join_types = {
        a.get("VALUE")
        for a in _all(roots, "//TRANSFORMATION[@TYPE='Joiner']/TABLEATTRIBUTE[@NAME='Join Type']")
    }
    assert "Normal Join" in join_types and join_types - {"Normal Join"}
    assert _all(roots, "//SOURCE[@DATABASETYPE='Flat File']") and _all(
        roots, "//SOURCE[@DATABASETYPE!='Flat File']"
    )
    assert _all(roots, "//TARGET[@DATABASETYPE='Flat File']") and _all(
        roots, "//TARGET[@DATABASETYPE!='Flat File']"
    )


def test_workflow_features(roots: dict[str, etree._Element]) -> None:
    instances = _all(roots, "//TASKINSTANCE")
    assert {i.get("REUSABLE") for i in instances if i.get("TASKTYPE") == "Session"} == {"YES", "NO"}
    assert {i.get("REUSABLE") for i in instances if i.get("TASKTYPE") == "Worklet"} == {"YES", "NO"}
    assert {i.get("REUSABLE") for i in instances if i.get("TASKTYPE") in ("Command", "Email")} == {
        "YES",
        "NO",
    }
    assert any(i.get("ISENABLED") == "NO" for i in instances)
    assert any(i.get("FAIL_PARENT_IF_INSTANCE_FAILS") == "YES" for i in instances)
    # a worklet nested in a worklet, with an instance of it in the outer worklet
    nested = _all(roots, "//WORKLET/WORKLET")
    assert nested
    outer = nested[0].getparent()
    assert outer.xpath(f"TASKINSTANCE[@TASKTYPE='Worklet'][@TASKNAME='{nested[0].get('NAME')}']")
    variables = _all(roots, "//WORKFLOWVARIABLE[@USERDEFINED='YES']")
    assert any(v.get("ISPERSISTENT") == "YES" for v in variables)
    conditions = " ".join(link.get("CONDITION", "") for link in _all(roots, "//WORKFLOWLINK"))
    for pattern in (r"\.Status = SUCCEEDED", r"\.Status = FAILED", r"\.Condition = TRUE", r"\$\$\w+ [<>]"):
        assert re.search(pattern, conditions), pattern
    # one reusable session behind two instances
    names = [
        i.get("TASKNAME") for i in instances if i.get("TASKTYPE") == "Session" and i.get("REUSABLE") == "YES"
    ]
    assert any(names.count(n) >= 2 for n in names)


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_links_and_instances_are_consistent(name: str, roots: dict[str, etree._Element]) -> None:
    root = roots[name]
    for flow in root.xpath("//WORKFLOW | //WORKLET"):
        inst = {i.get("NAME"): i for i in flow.findall("TASKINSTANCE")}
        assert sum(1 for i in inst.values() if i.get("TASKTYPE") == "Start") == 1, flow.get("NAME")
        for link in flow.findall("WORKFLOWLINK"):
            assert link.get("FROMTASK") in inst and link.get("TOTASK") in inst, (
                flow.get("NAME"),
                link.attrib,
            )
        for i in inst.values():
            kind = {"Session": "SESSION", "Worklet": "WORKLET"}.get(i.get("TASKTYPE"), "TASK")
            where = flow if i.get("REUSABLE") == "NO" else flow.getparent()
            found = where.xpath(f"{kind}[@NAME='{i.get('TASKNAME')}']")
            assert found, (flow.get("NAME"), i.get("NAME"))
            if kind == "TASK":
                assert found[0].get("TYPE") == i.get("TASKTYPE")
        declared = {v.get("NAME") for v in flow.findall("WORKFLOWVARIABLE")}
        for iname in inst:
            assert f"${iname}.Status" in declared, (flow.get("NAME"), iname)


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_connectors_reference_existing_ports(name: str, roots: dict[str, etree._Element]) -> None:
    root = roots[name]
    definitions: dict[tuple[str, str], set[str]] = {}
    for fld in root.iter("FOLDER"):
        for s in fld.findall("SOURCE"):
            definitions[(fld.get("NAME"), s.get("NAME"))] = {f.get("NAME") for f in s.findall("SOURCEFIELD")}
        for t in fld.findall("TARGET"):
            definitions[(fld.get("NAME"), t.get("NAME"))] = {f.get("NAME") for f in t.findall("TARGETFIELD")}
        for m in fld.findall("MAPPLET"):
            iface = m.find("TRANSFORMATION[@TYPE='Mapplet']")
            definitions[(fld.get("NAME"), m.get("NAME"))] = {
                f.get("NAME") for f in iface.findall("TRANSFORMFIELD")
            }
        for sc in fld.findall("SHORTCUT"):
            definitions[(fld.get("NAME"), sc.get("NAME"))] = definitions.get(
                (sc.get("FOLDERNAME"), sc.get("REFOBJECTNAME")), set()
            )
    for fld in root.iter("FOLDER"):
        for m in fld.findall("MAPPING") + fld.findall("MAPPLET"):
            ports: dict[str, set[str]] = {}
            local = {
                t.get("NAME"): {f.get("NAME") for f in t.findall("TRANSFORMFIELD")}
                for t in m.findall("TRANSFORMATION")
            }
            for inst in m.findall("INSTANCE"):
                ref = inst.get("TRANSFORMATION_NAME")
                ports[inst.get("NAME")] = (
                    local[ref]
                    if inst.get("TYPE") == "TRANSFORMATION"
                    else definitions[(fld.get("NAME"), ref)]
                )
            assert all(ports.values()), (m.get("NAME"), [k for k, v in ports.items() if not v])
            for c in m.findall("CONNECTOR"):
                assert c.get("FROMFIELD") in ports[c.get("FROMINSTANCE")], (m.get("NAME"), c.attrib)
                assert c.get("TOFIELD") in ports[c.get("TOINSTANCE")], (m.get("NAME"), c.attrib)
            for e in m.xpath(".//TRANSFORMFIELD[contains(@EXPRESSION, ':LKP.')]"):
                lkp = re.search(r":LKP\.(\w+)", e.get("EXPRESSION")).group(1)
                assert lkp in ports, (m.get("NAME"), lkp)


def test_shortcuts_point_into_another_folder_of_the_same_file(roots: dict[str, etree._Element]) -> None:
    shortcuts = _all(roots, "//SHORTCUT")
    assert shortcuts
    for sc in shortcuts:
        root = sc.getroottree().getroot()
        folder = sc.getparent().get("NAME")
        assert sc.get("FOLDERNAME") != folder
        tag = {"SOURCE": "SOURCE", "MAPPING": "MAPPING", "TARGET": "TARGET", "MAPPLET": "MAPPLET"}[
            sc.get("OBJECTTYPE")
        ]
        assert root.xpath(
            f"//FOLDER[@NAME='{sc.get('FOLDERNAME')}']/{tag}[@NAME='{sc.get('REFOBJECTNAME')}']"
        )
    sessions = _all(roots, "//SESSION")
    assert any(s.get("MAPPINGNAME").startswith("Shortcut_to_") for s in sessions)


HEADING = re.compile(r"^\[(?P<folder>[^.\]]+)\.WF:(?P<wf>[^.\]]+)(?P<rest>(\.(WT|ST):[^.\]]+)*)\]$")


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_parameter_file_headings_name_existing_objects(name: str, roots: dict[str, etree._Element]) -> None:
    root = roots[name]
    par = next((SAMPLES / name / "params").glob("*.par"))
    headings = [ln.strip() for ln in par.read_text(encoding="utf-8").splitlines() if ln.startswith("[")]
    assert "[Global]" in headings
    for h in headings:
        if h == "[Global]":
            continue
        m = HEADING.match(h)
        assert m, h
        flow = root.xpath(f"//FOLDER[@NAME='{m['folder']}']/WORKFLOW[@NAME='{m['wf']}']")
        assert flow, h
        scope = flow[0]
        for part in filter(None, m["rest"].split(".")):
            kind, inst = part.split(":")
            ti = scope.xpath(f"TASKINSTANCE[@NAME='{inst}']")
            assert ti and ti[0].get("TASKTYPE") == {"WT": "Worklet", "ST": "Session"}[kind], h
            if kind == "WT":
                here = scope if ti[0].get("REUSABLE") == "NO" else scope.getparent()
                scope = here.xpath(f"WORKLET[@NAME='{ti[0].get('TASKNAME')}']")[0]


def test_parameter_files_use_every_scope_kind() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in SAMPLES.glob("*/params/*.par"))
    assert "[Global]" in text
    assert re.search(r"^\[\w+\.WF:\w+\]$", text, re.M)
    assert re.search(r"^\[\w+\.WF:\w+\.WT:\w+\]$", text, re.M)
    assert re.search(r"^\[\w+\.WF:\w+\.WT:\w+\.WT:\w+\]$", text, re.M)
    assert re.search(r"^\[\w+\.WF:\w+\.ST:\w+\]$", text, re.M)


@pytest.mark.parametrize(
    ("expected", "target", "export"),
    [
        ("orders/expected/customers_dim.csv", "customers_dim", "orders"),
        ("orders/expected/order_facts.csv", "order_facts", "orders"),
        ("orders/expected/high_value_orders.csv", "high_value_orders", "orders"),
        ("orders/expected/electronics_orders.csv", "electronics_orders", "orders"),
        ("orders/expected/other_orders.csv", "other_orders", "orders"),
        ("orders/expected/customer_order_history.csv", "customer_order_history", "orders"),
        ("inventory/expected/stock_alerts_eu.csv", "stock_alerts", "inventory"),
        ("inventory/expected/stock_alerts_us.csv", "stock_alerts", "inventory"),
    ],
)
def test_expected_outputs_have_the_target_columns(
    expected: str, target: str, export: str, roots: dict[str, etree._Element]
) -> None:
    fields = [f.get("NAME") for f in roots[export].xpath(f"//TARGET[@NAME='{target}']/TARGETFIELD")]
    with open(SAMPLES / expected, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == fields
    assert all(len(r) == len(fields) for r in rows)


def _instance_paths(flow: etree._Element, prefix: str = "") -> set[str]:
    """Instance paths as the runtime names them: worklet members are 'worklet_instance/task'."""
    paths = set()
    for inst in flow.findall("TASKINSTANCE"):
        path = prefix + inst.get("NAME")
        paths.add(path)
        if inst.get("TASKTYPE") == "Worklet":
            where = flow if inst.get("REUSABLE") == "NO" else flow.getparent()
            worklet = where.xpath(f"WORKLET[@NAME='{inst.get('TASKNAME')}']")[0]
            paths |= _instance_paths(worklet, path + "/")
    return paths


@pytest.mark.parametrize("name", ["orders", "inventory", "retail_dw"])
def test_expected_statuses_name_every_task_instance(name: str, roots: dict[str, etree._Element]) -> None:
    wf = roots[name].find(".//WORKFLOW")
    with open(SAMPLES / name / "expected" / "task_statuses.csv", newline="", encoding="utf-8") as fh:
        statuses = {r["TASK_INSTANCE"]: r["STATUS"] for r in csv.DictReader(fh)}
    assert set(statuses) == _instance_paths(wf) | {wf.get("NAME")}
    assert set(statuses.values()) <= {"SUCCEEDED", "FAILED", "NOTSTARTED", "DISABLED", "STOPPED", "ABORTED"}


def test_generated_exports_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(SAMPLES / "_generator" / "build.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
