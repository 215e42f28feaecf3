"""Validation of an export against infaflow's XSD of the PowerCenter export format.

The schema is ``informatica_xsd_xml/powrmart.xsd`` of the source tree when it is there (the file people
read and edit), else the identical copy shipped in the package (``infaflow/export/schema/powrmart.xsd``; a
test keeps the two identical). libxml2's validator (through lxml) does the work: it validates a 100 MB
export in about a second where a pure-Python validator takes minutes. Its messages are rewritten into one
plain sentence per problem, each with the line of the offending element.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from infaflow.errors import InputError, Problem
from infaflow.export import xmlsource

SCHEMA_FILE = "powrmart.xsd"
#: The schema as shipped inside the package.
PACKAGE_SCHEMA = Path(__file__).resolve().parent / "schema" / SCHEMA_FILE
#: The schema in the source tree: informatica_xsd_xml/ at the repository root.
REPOSITORY_SCHEMA = Path(__file__).resolve().parents[3] / "informatica_xsd_xml" / SCHEMA_FILE
#: Problems reported per file at most; one more line says how many were left out.
MAX_PROBLEMS = 100

_XS = "{http://www.w3.org/2001/XMLSchema}"


def schema_path() -> Path:
    """The XSD in use: the source tree's ``informatica_xsd_xml/powrmart.xsd``, else the package copy."""
    return REPOSITORY_SCHEMA if REPOSITORY_SCHEMA.is_file() else PACKAGE_SCHEMA


@functools.cache
def _schema(path: Path) -> etree.XMLSchema:
    doc = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    return etree.XMLSchema(doc)


@functools.cache
def _element_names(path: Path) -> frozenset[str]:
    """Names of the elements the schema declares (the export format's vocabulary)."""
    doc = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    return frozenset(el.get("name") for el in doc.getroot().iter(f"{_XS}element") if el.get("name"))


def validate_tree(tree: etree._ElementTree, path: str | Path) -> list[Problem]:
    """Every schema problem of an export already parsed by :func:`xmlsource.parse`, in document order;
    an empty list when the export is valid."""
    name = str(path)
    schema_file = schema_path()
    schema = _schema(schema_file)
    if schema.validate(tree):
        return []
    known = _element_names(schema_file)
    problems: list[Problem] = []
    seen: set[tuple[int, str]] = set()
    entries = list(schema.error_log)
    for entry in entries:
        message = describe(entry.message, _parent_of(tree, entry.path), known)
        if (entry.line, message) in seen:
            continue
        seen.add((entry.line, message))
        problems.append(Problem("error", message, name, entry.line))
    if len(problems) > MAX_PROBLEMS:
        left_out = len(problems) - MAX_PROBLEMS
        last = problems[MAX_PROBLEMS - 1]
        problems = problems[:MAX_PROBLEMS]
        problems.append(Problem("error", f"{left_out} more schema problems not shown", name, last.line))
    return problems


def validate_file(path: str | Path) -> list[Problem]:
    """Parse ``path`` safely and validate it; a file that cannot be read or parsed gives one problem."""
    try:
        tree = xmlsource.parse(path)
    except InputError as exc:
        return [Problem("error", exc.message, exc.file or str(path), exc.line)]
    return validate_tree(tree, path)


# --------------------------------------------------------------------------------------------------
# libxml2's messages, rewritten


def _parent_of(tree: etree._ElementTree, xpath: str | None) -> str:
    """The parent of the element at ``xpath`` as a user sees it: ``<WORKFLOW NAME="wf_x">``."""
    if not xpath:
        return ""
    try:
        found = tree.xpath(xpath)
    except etree.XPathError:
        return ""
    if not found or not isinstance(found[0], etree._Element):
        return ""
    parent = found[0].getparent()
    if parent is None:
        return ""
    name = parent.get("NAME")
    return f'<{parent.tag} NAME="{name}">' if name is not None else f"<{parent.tag}>"


#: libxml2 lists at most this many expected elements; a full list may have been cut short.
_LIBXML2_EXPECTED_MAX = 10


def _expected(text: str) -> str:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if len(names) == 1:
        return names[0]
    more = ", ..." if len(names) >= _LIBXML2_EXPECTED_MAX else ""
    return "one of " + ", ".join(names) + more


def _placement(element: str, expected: str, parent: str, known: frozenset[str]) -> str:
    inside = f" inside {parent}" if parent else ""
    if element not in known:
        head = f"<{element}> is not an element of the PowerCenter export format (powrmart.dtd){inside}"
    else:
        head = f"<{element}> is not allowed here{inside}"
    return f"{head}; expected {_expected(expected)}" if expected else head


def _not_expected(m: re.Match[str], parent: str, known: frozenset[str]) -> str:
    return _placement(m["element"], m["expected"], parent, known)


def _not_expected_at_all(m: re.Match[str], parent: str, known: frozenset[str]) -> str:
    return _placement(m["element"], "", parent, known)


def _attribute_not_allowed(m: re.Match[str], parent: str, known: frozenset[str]) -> str:
    return f"<{m['element']}>: attribute {m['attribute']} is not allowed (powrmart.dtd does not declare it)"


def _attribute_missing(m: re.Match[str], parent: str, known: frozenset[str]) -> str:
    return f"<{m['element']}>: required attribute {m['attribute']} is missing"


def _enumeration(m: re.Match[str], parent: str, known: frozenset[str]) -> str:
    allowed = ", ".join(v.strip().strip("'") for v in m["set"].split(","))
    return f'<{m["element"]}>: {m["attribute"]}="{m["value"]}" is not one of {allowed}'


def _pattern(m: re.Match[str], parent: str, known: frozenset[str]) -> str:
    if m["attribute"] in ("TASKTYPE", "TYPE") and m["element"] in ("TASK", "TASKINSTANCE"):
        return (
            f'<{m["element"]}>: unknown task type {m["attribute"]}="{m["value"]}" (PowerCenter\'s are '
            "Start, Session, Command, Decision, Assignment, Timer, Email, Control, Event Wait, "
            "Event Raise, Worklet)"
        )
    return f'<{m["element"]}>: {m["attribute"]}="{m["value"]}" has not the expected form'


def _missing_child(m: re.Match[str], parent: str, known: frozenset[str]) -> str:
    return f"<{m['element']}>: missing child element {_expected(m['expected'])}"


def _duplicate(m: re.Match[str], parent: str, known: frozenset[str]) -> str:
    scope = "worklet" if m["constraint"].startswith("Worklet") else "workflow"
    return f"<{m['element']}>: duplicate task instance name {m['value']} in {parent or 'this ' + scope}"


def _text_content(m: re.Match[str], parent: str, known: frozenset[str]) -> str:
    return f"<{m['element']}>: text is not allowed inside this element"


_Rule = Callable[[re.Match[str], str, frozenset[str]], str]

#: libxml2 message patterns and how each is said to a PowerCenter user, tried in order.
_RULES: tuple[tuple[re.Pattern[str], _Rule], ...] = (
    (
        re.compile(
            r"Element '(?P<element>[^']+)': This element is not expected\. Expected is (?:one of )?"
            r"\( (?P<expected>[^)]*) \)"
        ),
        _not_expected,
    ),
    (re.compile(r"Element '(?P<element>[^']+)': This element is not expected\."), _not_expected_at_all),
    (
        re.compile(
            r"Element '(?P<element>[^']+)', attribute '(?P<attribute>[^']+)': The attribute '[^']+' is "
            r"not allowed"
        ),
        _attribute_not_allowed,
    ),
    (
        re.compile(
            r"Element '(?P<element>[^']+)': The attribute '(?P<attribute>[^']+)' is required but "
            r"missing"
        ),
        _attribute_missing,
    ),
    (
        re.compile(
            r"Element '(?P<element>[^']+)', attribute '(?P<attribute>[^']+)': \[facet 'enumeration'\] "
            r"The value '(?P<value>.*)' is not an element of the set \{(?P<set>.*)\}"
        ),
        _enumeration,
    ),
    (
        re.compile(
            r"Element '(?P<element>[^']+)', attribute '(?P<attribute>[^']+)': \[facet 'pattern'\] "
            r"The value '(?P<value>.*)' is not accepted by the pattern"
        ),
        _pattern,
    ),
    (
        re.compile(
            r"Element '(?P<element>[^']+)': Missing child element\(s\)\. Expected is (?:one of )?"
            r"\( (?P<expected>[^)]*) \)"
        ),
        _missing_child,
    ),
    (
        re.compile(
            r"Element '(?P<element>[^']+)': Duplicate key-sequence \[(?P<value>.*)\] in unique "
            r"identity-constraint '(?P<constraint>[^']+)'"
        ),
        _duplicate,
    ),
    (
        re.compile(r"Element '(?P<element>[^']+)': Character content other than whitespace is not allowed"),
        _text_content,
    ),
)


def describe(message: str, parent: str = "", known: frozenset[str] = frozenset()) -> str:
    """One plain sentence for a libxml2 schema message; ``parent`` names the offending element's parent
    (``<WORKFLOW NAME="wf_x">``) and ``known`` the element names of the format."""
    text = message.strip()
    for pattern, rule in _RULES:
        match = pattern.match(text)
        if match is not None:
            return rule(match, parent, known)
    generic = re.match(
        r"Element '(?P<element>[^']+)'(?:, attribute '(?P<attribute>[^']+)')?: (?P<rest>.*)", text
    )
    if generic is None:
        return text.rstrip(".")
    where = f"<{generic['element']}>" + (f" {generic['attribute']}" if generic["attribute"] else "")
    return f"{where}: {generic['rest'].rstrip('.')}"
