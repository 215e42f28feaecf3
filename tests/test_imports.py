"""The import graph of ``src/infaflow`` has no cycle, and no ``_private`` name crosses a module boundary.

The graph is read from the import statements (static analysis, nothing is imported): every ``import`` and
``from ... import`` counts, at module level and inside functions alike, since a function-level import that
closes a cycle only hides it until the function runs. Imports under ``if TYPE_CHECKING:`` are left out:
they never run, and naming a type of a module above is how a lower module refers to it (a codegen handler
names ``Generator`` that way). An edge goes to the module named; ``from package import name`` goes to the
submodule ``package.name`` when there is one, else to the package. The parent packages that Python
initialises on the way are not edges (as in import-linter and pylint): a package ``__init__`` that
re-exports its modules would otherwise close a cycle with every module below it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

SRC = Path(__file__).resolve().parent.parent / "src"


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    names: tuple[str, ...]


def modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module under ``root``."""
    found = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for n in ast.walk(node) if n not in node.orelse)
    return skipped


def import_edges(root: Path) -> list[Edge]:
    """Every import of one module of ``root`` by another (TYPE_CHECKING imports left out)."""
    known = modules(root)
    edges: list[Edge] = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        skipped = _type_checking_nodes(tree)
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                edges += [Edge(name, a.name, node.lineno, ()) for a in node.names if a.name in known]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package[: len(package) - node.level + 1]
                    base = ".".join([*parent, *([node.module] if node.module else [])])
                for alias in node.names:
                    target = f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                    if target in known:
                        edges.append(Edge(name, target, node.lineno, (alias.name,)))
    return edges


def cycles(root: Path) -> list[list[Edge]]:
    """The import cycles of ``root``: one cycle (as its edges) for each strongly connected group."""
    graph = nx.DiGraph()
    for edge in import_edges(root):
        if edge.source != edge.target:
            graph.add_edge(edge.source, edge.target, edge=edge)
    found = []
    for group in nx.strongly_connected_components(graph):
        if len(group) > 1:
            cycle = nx.find_cycle(graph.subgraph(group))
            found.append([graph.edges[a, b]["edge"] for a, b in cycle])
    return found


def _describe(cycle: list[Edge]) -> str:
    return " -> ".join(f"{e.source} (line {e.line})" for e in cycle) + f" -> {cycle[0].source}"


def test_src_has_no_import_cycle() -> None:
    found = cycles(SRC)
    assert not found, "import cycles:\n" + "\n".join(_describe(c) for c in found)


def test_no_private_name_is_imported_from_another_module() -> None:
    crossing = [
        f"{e.source}:{e.line} imports {n} from {e.target}"
        for e in import_edges(SRC)
        for n in e.names
        if n.startswith("_") and not n.startswith("__")
    ]
    assert not crossing, "\n".join(crossing)


def _package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.mark.parametrize(
    "b_imports_a, cyclic",
    [
        ("from pkg import a\n", True),  # module level
        ("def f():\n    from pkg.a import X\n    return X\n", True),  # inside a function: still a cycle
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import X\n",
            False,
        ),  # never runs
        ("from . import a\n", True),  # relative
        ("import pkg.c\n", False),
    ],
)
def test_the_check_finds_cycles_however_the_import_is_written(
    tmp_path: Path, b_imports_a: str, cyclic: bool
) -> None:
    root = _package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import Y\nX = 1\n",
            "pkg/b.py": b_imports_a + "Y = 2\n",
            "pkg/c.py": "",
        },
    )
    found = cycles(root)
    assert bool(found) is cyclic
    if cyclic:
        assert {e.source for e in found[0]} == {"pkg.a", "pkg.b"}
        assert "pkg.a (line 1)" in _describe(found[0])


def test_the_check_names_a_private_import(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {"pkg/__init__.py": "", "pkg/a.py": "_HIDDEN = 1\n", "pkg/b.py": "from pkg.a import _HIDDEN\n"},
    )
    assert [(e.source, e.names) for e in import_edges(root)] == [("pkg.b", ("_HIDDEN",))]
