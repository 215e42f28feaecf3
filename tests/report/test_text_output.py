"""``infaflow inspect`` text when piped: no trailing padding, names never wrapped, free text wrapped between
words."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from infaflow.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtime"))

from runtime_xml import Flow, write_export  # noqa: E402

LONG = [f"s_stgTrialBalance{i}_LoadDataToFDM_GeneralLedgerSnapshotFactWithAVeryLongName" for i in range(3)]
CONDITION = " OR ".join(f"${name}.Status = FAILED" for name in LONG)


def long_names_export(tmp_path: Path) -> Path:
    flow = Flow("wf_with_some_rather_long_names_for_a_terminal")
    for name in LONG:
        flow.cmd(name, "true").link("Start", name)
    flow.cmd("cmd_report_the_failure_of_any_of_the_long_named_loads", "true")
    flow.cmd("cmd_orphan_that_never_runs_because_nothing_links_to_it", "true")
    flow.link(LONG[0], "cmd_report_the_failure_of_any_of_the_long_named_loads", CONDITION)
    return write_export(tmp_path, flow)


def test_piped_text_has_no_padding_and_never_wraps_a_name(tmp_path):
    res = CliRunner().invoke(main, ["inspect", str(long_names_export(tmp_path))])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert not [line for line in lines if line != line.rstrip()]
    tasks = lines[next(i for i, line in enumerate(lines) if line == "Tasks") :]
    for name in [*LONG, "cmd_report_the_failure_of_any_of_the_long_named_loads"]:
        assert any(re.search(rf"(^|\s){name}(\s|$)", line) for line in tasks), name
    assert re.search(
        r"^\s+-\s+cmd_orphan_that_never_runs_because_nothing_links_to_it\s.*\s"
        r"\(unreachable: never runs\)$",
        res.output,
        flags=re.M,
    )
    # the long condition wraps between its words: every word is whole on some line
    links = "\n".join(lines[next(i for i, line in enumerate(lines) if line == "Links") :])
    assert CONDITION not in links  # it is wrapped...
    for word in CONDITION.split():
        assert re.search(rf"(^|\s){re.escape(word)}(\s|$)", links, flags=re.M), word  # ...between words
    assert sum(1 for line in links.splitlines() if "FAILED" in line) >= 2


@pytest.mark.corpus
def test_financial_data_mart_text(corpus_dir: Path) -> None:
    from test_browser import FDM

    res = CliRunner().invoke(main, ["inspect", str(corpus_dir / "files" / FDM)])
    assert res.exit_code == 0
    lines = res.output.splitlines()
    assert not [line for line in lines if line != line.rstrip()]
    assert any(
        re.search(
            r"\s-\s+s_stgTrialBalance3_LoadDataToFDM_GeneralLedgerSnapshotFact\s.*\s"
            r"\(mapping not loaded\) \(unreachable: never runs\)$",
            line,
        )
        for line in lines
    )
    assert max(len(line) for line in lines) < 300


@pytest.mark.parametrize("width", [100, 120, 160])
def test_on_a_terminal_tables_fit_its_width_cutting_names_rather_than_wrapping_them(tmp_path, width):
    import io

    from rich.console import Console

    from infaflow.export import load
    from infaflow.report.summary import inspect_export
    from infaflow.report.text import render_text

    report = inspect_export(load(str(long_names_export(tmp_path))))
    buffer = io.StringIO()
    render_text(report, report.workflows, Console(file=buffer, width=width, color_system=None))
    lines = buffer.getvalue().splitlines()
    assert max(len(line) for line in lines) <= width
    start = next(i for i, line in enumerate(lines) if line.strip() == "Tasks")
    tasks = lines[start + 2 :]
    tasks = tasks[: next(i for i, line in enumerate(tasks) if not line.strip())]
    header = tasks[0].split()
    assert header[:9] == ["level", "task", "type", "duration", "start", "slack", "in", "out", "critical"]
    rows = [line for line in tasks[2:] if line.strip()]
    names = {
        *LONG,
        "cmd_report_the_failure_of_any_of_the_long_named_loads",
        "cmd_orphan_that_never_runs_because_nothing_links_to_it",
        "Start",
    }
    seen = []
    for row in rows:
        cells = row.split()
        if cells[0] in (
            "-",
            *map(str, range(10)),
        ):  # a task's first line: its level, then its name whole or cut
            name = cells[1]
            assert name in names or (name.endswith("…") and any(n.startswith(name[:-1]) for n in names)), row
            assert cells[2] in ("Start", "Command") and re.fullmatch(
                r"[\d.]+s|\d+m \d+s", " ".join(cells[3:4])
            )
            seen.append(name)
        else:  # a continuation line only carries wrapped free text (the note), never a piece of a name
            assert not any(piece in row for n in names for piece in (n[4:12], n[-10:])), row
    assert len(seen) == len(names)
