"""Jobs with gaps (``infaflow convert --allow-partial``) are clean Python: every name they read is defined and
every variable they assign is read (ruff F821, F841, F401), whichever step could not be converted."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port
from toolpaths import find_tool

import infaflow.codegen.handlers as handlers
from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.formatting import LINT_ARGS
from infaflow.codegen.generate import uses_name
from infaflow.codegen.job import render_plan
from infaflow.codegen.plan import build_plan
from infaflow.export import load
from infaflow.model import Attributes, Group, Transformation

ROOT = Path(__file__).resolve().parents[2]
INT, S = "integer", "string"


def _ruff(files: list[Path]) -> str:
    """ruff's findings on ``files`` ("" when clean)."""
    ruff = find_tool("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    result = subprocess.run(
        [ruff, *LINT_ARGS, "--output-format", "concise", *map(str, files)], capture_output=True, text=True
    )
    return "" if result.returncode == 0 else result.stdout


def _router_with_a_failing_group() -> MappingBuilder:
    """Groups BIG and DEFAULT1 are connected; ODD calls a function that does not exist."""
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT), ("AMT", INT)])
    b.add(
        Transformation(
            "RTR",
            "Router",
            groups=[
                Group("INPUT", "INPUT"),
                Group("BIG", "OUTPUT", expression="AMT > 10"),
                Group("ODD", "OUTPUT", expression="NO_SUCH(AMT)"),
                Group("DEFAULT1", "OUTPUT/DEFAULT"),
            ],
            ports=[
                port("ID", INT, "INPUT", group="INPUT"),
                port("AMT", INT, "INPUT", group="INPUT"),
                *[
                    p
                    for g in ("BIG", "ODD", "DEFAULT1")
                    for p in (
                        port(f"ID_{g}", INT, "OUTPUT", group=g, ref_field="ID"),
                        port(f"AMT_{g}", INT, "OUTPUT", group=g, ref_field="AMT"),
                    )
                ],
            ],
        )
    )
    b.connect("SQ_S", "RTR", ["ID", "AMT"])
    for g in ("BIG", "DEFAULT1"):
        b.flat_target(f"T_{g}", [("ID", INT)])
        b.connect("RTR", f"T_{g}", {f"ID_{g}": "ID"})
    return b


def _expression_with_an_unknown_function() -> MappingBuilder:
    """An Expression extending its input frame, with a gap recorded part way (a carried variable port that
    calls a function the language does not know)."""
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT), ("AMT", INT)])
    b.add(
        Transformation(
            "EXP",
            "Expression",
            ports=[
                port("ID", INT),
                port("AMT", INT),
                port("v_A", INT, "LOCAL VARIABLE", "v_B + NO_SUCH(AMT)"),
                port("v_B", INT, "LOCAL VARIABLE", "v_A * 2"),
                port("OUT", INT, "OUTPUT", "v_A"),
            ],
        )
    )
    b.connect("SQ_S", "EXP", ["ID", "AMT"])
    b.flat_target("T", [("ID", INT), ("AMT", INT), ("OUT", INT)])
    b.connect("EXP", "T", ["ID", "AMT", "OUT"])
    return b


def _unconnected_lookup_that_fails() -> MappingBuilder:
    """The lookup names no table: its cache does not exist, so its caller cannot be converted either."""
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT), ("CID", INT)])
    b.add(
        Transformation(
            "lkp_name",
            "Lookup Procedure",
            ports=[
                port("IN_CID", INT, "INPUT"),
                port("CID", INT, "LOOKUP/OUTPUT"),
                port("NAME", S, "LOOKUP/RETURN/OUTPUT"),
            ],
            attributes=Attributes({"Lookup condition": "CID = IN_CID"}),
        )
    )
    b.add(
        Transformation(
            "EXP",
            "Expression",
            ports=[
                port("ID", INT),
                port("CID", INT, "INPUT"),
                port("NAME", S, "OUTPUT", ":LKP.lkp_name(CID)"),
            ],
        )
    )
    b.connect("SQ_S", "EXP", ["ID", "CID"])
    b.flat_target("T", [("ID", INT), ("NAME", S)])
    b.connect("EXP", "T", ["ID", "NAME"])
    return b


def _relational_source_that_fails() -> MappingBuilder:
    """A relational Source read by its Source Qualifier's own query: nothing reads the Source's frame."""
    b = MappingBuilder()
    b.relational_source("SALES", [("ID", INT)])
    b.flat_target("T", [("ID", INT)])
    b.connect("SQ_SALES", "T", ["ID"])
    return b


PARTIAL: list[tuple[str, Callable[[], MappingBuilder], str, str]] = [
    # (case, mapping, the step with the gap, a line of the job)
    (
        "router group",
        _router_with_a_failing_group,
        "RTR",
        (
            'rtr = job.not_converted("RTR", "expression \'NO_SUCH(AMT)\': unknown function NO_SUCH (at '
            '1:1)", sq_s)'
        ),
    ),
    ("expression", _expression_with_an_unknown_function, "EXP", "exp = job.not_converted("),
    (
        "unconnected lookup",
        _unconnected_lookup_that_fails,
        "EXP",
        'exp = job.not_converted("EXP", ":LKP.lkp_name: the lookup is not converted", sq_s)',
    ),
    ("relational source", _relational_source_that_fails, "SALES", 'job.not_converted("SALES", "forced")'),
]


@pytest.mark.parametrize(("case", "build", "failing", "line"), PARTIAL, ids=[c[0] for c in PARTIAL])
def test_a_partial_job_is_ruff_clean(
    case: str,
    build: Callable[[], MappingBuilder],
    failing: str,
    line: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if case == "relational source":
        _force_gap_in(monkeypatch, "SALES")
    job = build().render()
    assert failing in {g.instance for g in job.gaps}, job.gaps
    assert line in job.code
    path = tmp_path / "job.py"
    path.write_text(job.code)
    assert _ruff([path]) == ""


def _force_gap_in(monkeypatch: pytest.MonkeyPatch, victim: str) -> None:
    """Make the handler of step ``victim`` report a gap ("forced")."""
    real = handlers.handler_for

    def handler_for(kind: str):  # type: ignore[no-untyped-def]
        handler = real(kind)
        if handler is None:
            return None

        def generate(step, gen):  # type: ignore[no-untyped-def]
            if step.name == victim:
                raise ConversionError("forced")
            return handler(step, gen)

        return generate

    monkeypatch.setattr(handlers, "handler_for", handler_for)


def _each_step_failing(exports: list[Path], tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """For every step of every mapping of ``exports``, the mapping's job with that step not converted."""
    written: list[Path] = []
    for export in exports:
        for folder in load(export, lenient=True).folders:
            for mapping in folder.mappings:
                for step in build_plan(mapping, None, folder).steps:
                    with monkeypatch.context() as m:
                        _force_gap_in(m, step.name)
                        job = render_plan(build_plan(mapping, None, folder), "job")
                    assert step.name in {g.instance for g in job.gaps}
                    path = tmp / f"job_{len(written)}.py"
                    path.write_text(f"# {export.name} {mapping.name}: {step.name} not converted\n{job.code}")
                    written.append(path)
    return written


def test_every_step_of_the_samples_failing_in_turn_leaves_a_ruff_clean_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = _each_step_failing(sorted((ROOT / "samples").glob("*/*.xml")), tmp_path, monkeypatch)
    assert len(written) >= 50
    assert _ruff(written) == ""


@pytest.mark.slow
@pytest.mark.corpus
def test_every_step_of_the_corpus_failing_in_turn_leaves_a_ruff_clean_job(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """About 1,500 jobs (2 to 5 minutes on a shared 2-core machine)."""
    written = _each_step_failing(sorted((corpus_dir / "files").iterdir()), tmp_path, monkeypatch)
    assert len(written) >= 1000
    assert _ruff(written) == ""


@pytest.mark.parametrize(
    ("code", "name", "attribute", "expected"),
    [
        ('x = F.col("A")', "F", True, True),
        ('seq = job.sequence("TEST.m_DB_FF.SEQ")', "F", True, False),  # inside a string
        ("sales_2 = sales.select('ID')", "sales", False, True),
        ('q = job.query("sales", spark_sql="SELECT * FROM {sales} AS sales")', "sales", False, False),
        ("x = sq_sales.select()", "sales", False, False),
        ("x = F.col('it''s')  # Window.orderBy", "Window", True, True),  # comments are not told apart
    ],
)
def test_uses_name_ignores_string_literals(code: str, name: str, attribute: bool, expected: bool) -> None:
    assert uses_name(code, name, attribute) is expected
