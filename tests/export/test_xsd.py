"""Our XSD follows the vendor DTD, ships identically in the package, accepts every real export and rejects
the look-alikes with line-numbered messages."""

from __future__ import annotations

from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from infaflow.export import validate as validation
from infaflow.export.xmlsource import parse

ROOT = Path(__file__).resolve().parents[2]
XSD = ROOT / "informatica_xsd_xml" / "powrmart.xsd"
PACKAGE_XSD = ROOT / "src" / "infaflow" / "export" / "schema" / "powrmart.xsd"
DTD = (ROOT / ".." / "shared" / "reference" / "powrmart.dtd").resolve()
XS = "{http://www.w3.org/2001/XMLSchema}"

#: Where the XSD deliberately differs from the DTD (documented in informatica_xsd_xml/README.md).
TIGHTENED_ATTRIBUTES = {("TASK", "TYPE"), ("TASKINSTANCE", "TASKTYPE")}


def test_package_copy_is_identical_to_the_repository_schema() -> None:
    assert PACKAGE_XSD.read_bytes() == XSD.read_bytes(), (
        "src/infaflow/export/schema/powrmart.xsd must be a copy of informatica_xsd_xml/powrmart.xsd: "
        "cp informatica_xsd_xml/powrmart.xsd src/infaflow/export/schema/"
    )


def test_validation_uses_the_repository_schema_in_a_checkout() -> None:
    assert validation.schema_path() == XSD


def test_schema_is_standard_xsd_for_both_validators() -> None:
    etree.XMLSchema(etree.parse(str(XSD)))
    schema = xmlschema.XMLSchema(str(XSD))
    assert "POWERMART" in schema.elements


# --------------------------------------------------------------------------------------------------
# The XSD follows the DTD: names, attributes, enumerations, required-ness, content models


def _dtd() -> etree.DTD:
    if not DTD.is_file():
        pytest.skip("../shared/reference/powrmart.dtd is absent")
    return etree.DTD(str(DTD))


def _dtd_model(content: etree._DTDElementContentDecl | None) -> str:
    """The DTD content model as a normalised string, e.g. ``(A?,B*,(C|D)*)``."""
    if content is None:
        return "EMPTY"
    suffix = {"once": "", "opt": "?", "mult": "*", "plus": "+"}[content.occur]
    if content.type == "element":
        return content.name + suffix

    def flat(node: etree._DTDElementContentDecl | None) -> list[str]:
        if node is None:
            return []
        if node.type == content.type and node.occur == "once":
            return flat(node.left) + flat(node.right)
        return [_dtd_model(node)]

    sep = "," if content.type == "seq" else "|"
    return "(" + sep.join(flat(content.left) + flat(content.right)) + ")" + suffix


def _xsd_model(particle: etree._Element) -> str:
    """The same normalised string for an XSD particle (xs:sequence/xs:choice/xs:element ref)."""
    lo, hi = particle.get("minOccurs", "1"), particle.get("maxOccurs", "1")
    suffix = {("1", "1"): "", ("0", "1"): "?", ("0", "unbounded"): "*", ("1", "unbounded"): "+"}[(lo, hi)]
    if particle.tag == f"{XS}element":
        return particle.get("ref") + suffix
    sep = "," if particle.tag == f"{XS}sequence" else "|"
    return (
        "("
        + sep.join(
            _xsd_model(child)
            for child in particle
            if isinstance(child.tag, str) and child.tag != f"{XS}annotation"
        )
        + ")"
        + suffix
    )


def _xsd_elements() -> dict[str, etree._Element]:
    root = etree.parse(str(XSD)).getroot()
    return {el.get("name"): el for el in root.findall(f"{XS}element")}


def _xsd_enumeration(attribute: etree._Element, schema_root: etree._Element) -> list[str]:
    simple = attribute.find(f"{XS}simpleType")
    if simple is None and attribute.get("type") and not attribute.get("type").startswith("xs:"):
        simple = schema_root.find(f"{XS}simpleType[@name='{attribute.get('type')}']")
    if simple is None:
        return []
    return [e.get("value") for e in simple.iter(f"{XS}enumeration")]


def test_xsd_declares_exactly_the_dtd_elements() -> None:
    dtd_names = {el.name for el in _dtd().iterelements()}
    assert set(_xsd_elements()) == dtd_names


def test_xsd_attributes_follow_the_dtd() -> None:
    xsd = _xsd_elements()
    schema_root = next(iter(xsd.values())).getparent()
    for element in _dtd().iterelements():
        declared = {a.get("name"): a for a in xsd[element.name].iter(f"{XS}attribute")}
        expected = {a.name: a for a in element.iterattributes()}
        assert set(declared) == set(expected), element.name
        for name, attr in expected.items():
            xsd_attr = declared[name]
            assert (xsd_attr.get("use") == "required") == (attr.default == "required"), (element.name, name)
            if (element.name, name) in TIGHTENED_ATTRIBUTES:
                assert attr.type == "cdata" and xsd_attr.get("type") == "TaskType"
            elif attr.type == "enumeration":
                assert _xsd_enumeration(xsd_attr, schema_root) == attr.values(), (element.name, name)
            else:
                assert attr.type == "cdata" and xsd_attr.get("type") == "xs:string", (element.name, name)


def test_xsd_content_models_follow_the_dtd() -> None:
    xsd = _xsd_elements()
    for element in _dtd().iterelements():
        complex_type = xsd[element.name].find(f"{XS}complexType")
        particles = [c for c in complex_type if c.tag in (f"{XS}sequence", f"{XS}choice")]
        if element.type == "empty":
            assert particles == [], element.name
            continue
        model = _dtd_model(element.content)
        if not model.startswith("("):  # a single child: the XSD wraps it in a sequence
            model = f"({model})"
        assert _xsd_model(particles[0]) == model, element.name


def test_dtd_order_is_enforced() -> None:
    doc = etree.fromstring(
        b'<POWERMART><REPOSITORY NAME="r"><FOLDER NAME="f"><WORKFLOW NAME="w">'
        b'<TASKINSTANCE NAME="Start" TASKNAME="Start" TASKTYPE="Start" REUSABLE="NO"/>'
        b'<TASK NAME="Start" TYPE="Start" REUSABLE="NO"/>'
        b"</WORKFLOW></FOLDER></REPOSITORY></POWERMART>"
    )
    problems = validation.validate_tree(doc.getroottree(), "order.xml")
    assert [(p.line, p.message) for p in problems] == [
        (
            1,
            '<TASK> is not allowed here inside <WORKFLOW NAME="w">; expected one of TASKINSTANCE, '
            "WORKFLOWLINK, WORKFLOWVARIABLE, WORKFLOWEVENT, ATTRIBUTE, METADATAEXTENSION, CONWFRUNINFO",
        )
    ]


# --------------------------------------------------------------------------------------------------
# Real exports


@pytest.mark.corpus
def test_every_exported_corpus_file_validates_and_look_alikes_are_rejected(
    corpus_dir: Path, corpus_manifest: list[dict[str, str]]
) -> None:
    exported = [r for r in corpus_manifest if r["looks_exported"] == "yes"]
    look_alikes = [r for r in corpus_manifest if r["looks_exported"] != "yes"]
    invalid: dict[str, list[str]] = {}
    for row in exported:
        problems = validation.validate_file(corpus_dir / "files" / row["file"])
        if problems:
            invalid[row["file"]] = [str(p) for p in problems[:3]]
    accepted: list[str] = []
    for row in look_alikes:
        problems = validation.validate_file(corpus_dir / "files" / row["file"])
        if not problems:
            accepted.append(row["file"])
        for problem in problems:
            assert problem.severity == "error" and problem.line > 0 and problem.message, problem
            assert "Element '" not in problem.message  # rewritten, not libxml2's wording
    print(
        f"\ncorpus: {len(exported) - len(invalid)}/{len(exported)} exported files valid; "
        f"{len(look_alikes) - len(accepted)}/{len(look_alikes)} look-alikes rejected"
    )
    assert invalid == {}
    assert accepted == []
    assert len(exported) > 100 and look_alikes


@pytest.mark.corpus
def test_look_alike_messages_name_the_line_and_the_problem(
    corpus_dir: Path, corpus_manifest: list[dict[str, str]]
) -> None:
    by_error = {r["dtd_first_error"]: r["file"] for r in corpus_manifest if r["looks_exported"] != "yes"}
    plugin = next(f for e, f in by_error.items() if "PLUGIN" in e)
    problems = validation.validate_file(corpus_dir / "files" / plugin)
    text = [(p.line, p.message) for p in problems]
    assert (4, "<REPOSITORY>: required attribute NAME is missing") in text
    assert (
        7,
        "<PLUGIN> is not an element of the PowerCenter export format (powrmart.dtd) inside "
        "<REPOSITORY>; expected FOLDER",
    ) in text, text
    nullable = next(f for e, f in by_error.items() if "NULLABLE" in e)
    first = validation.validate_file(corpus_dir / "files" / nullable)[0]
    assert first.message == '<SOURCEFIELD>: NULLABLE="NULLABLE" is not one of NOTNULL, NULL'
    owner = next(f for e, f in by_error.items() if "OWNERNAME" in e)
    first = validation.validate_file(corpus_dir / "files" / owner)[0]
    assert first.message == "<TARGET>: attribute OWNERNAME is not allowed (powrmart.dtd does not declare it)"


@pytest.mark.corpus
def test_xmlschema_agrees_with_libxml2_on_the_look_alikes_and_small_exports(
    corpus_dir: Path, corpus_manifest: list[dict[str, str]]
) -> None:
    """The schema means the same to a second, independent validator (xmlschema, pure Python)."""
    schema = xmlschema.XMLSchema(str(XSD))
    rows = [r for r in corpus_manifest if r["looks_exported"] != "yes"]
    rows += sorted(
        (r for r in corpus_manifest if r["looks_exported"] == "yes"), key=lambda r: int(r["bytes"])
    )[:20]
    for row in rows:
        tree = parse(corpus_dir / "files" / row["file"])
        assert schema.is_valid(tree) == (row["looks_exported"] == "yes"), row["file"]


def test_many_problems_are_capped_with_a_count() -> None:
    fields = "".join(f'<SOURCEFIELD NAME="f{i}" NULLABLE="MAYBE"/>\n' for i in range(150))
    doc = etree.fromstring(
        f'<POWERMART><REPOSITORY NAME="r"><FOLDER NAME="f">\n<SOURCE NAME="s" DATABASETYPE="Oracle">\n'
        f"{fields}</SOURCE></FOLDER></REPOSITORY></POWERMART>".encode()
    )
    problems = validation.validate_tree(doc.getroottree(), "many.xml")
    assert len(problems) == validation.MAX_PROBLEMS + 1
    assert problems[-1].message == "50 more schema problems not shown"
    assert problems[0].line == 3


def test_every_sample_validates_against_our_xsd_and_the_vendor_dtd(samples_dir: Path) -> None:
    exports = sorted(
        p
        for p in samples_dir.rglob("*")
        if p.suffix.lower() == ".xml" and b"<POWERMART" in p.read_bytes()[:4096]
    )
    if not exports:
        pytest.skip("no sample exports yet")
    dtd = _dtd()
    for path in exports:
        assert validation.validate_file(path) == [], path
        assert dtd.validate(parse(path)), (path, dtd.error_log.filter_from_errors()[:3])


@pytest.mark.corpus
def test_validate_command_checks_pass_on_every_exported_corpus_file(
    corpus_dir: Path, corpus_manifest: list[dict[str, str]]
) -> None:
    """What ``infaflow validate`` does per file (XSD, model, workflow checks): no error on real exports."""
    from infaflow.cli.validate import check_file

    failing: dict[str, list[str]] = {}
    warnings = 0
    exported = [r for r in corpus_manifest if r["looks_exported"] == "yes"]
    for row in exported:
        report = check_file(str(corpus_dir / "files" / row["file"]))
        warnings += len(report.warnings)
        if not report.valid:
            failing[row["file"]] = [str(p) for p in report.errors[:3]]
    print(
        f"\ninfaflow validate: {len(exported) - len(failing)}/{len(exported)} exported corpus files valid "
        f"({warnings} warnings)"
    )
    assert failing == {}
