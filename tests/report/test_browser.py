"""The HTML report in a real headless browser (chromium): no console errors; one scroll for the page (no
nested scroll boxes, nothing wider than the window); each drawing within its column with every link inside
it; task names within their boxes; boxes never overlapping; the Gantt chart of a run drawn. Screenshots are
written for a person to look at."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from infaflow.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtime"))

from toolpaths import find_tool  # noqa: E402

FDM = "thomasluizzi__Informatica_XML_Parser_v2__Informatica_XML_Parser_v2_FinancialDataMart.XML"
CHROMIUM = find_tool("chromium") or find_tool("chromium-browser")
WINDOW = (1600, 1200)

# Collects errors from the first moment the page parses (inserted first in <head>).
CATCH = """<script>window.__errors = [];
addEventListener('error', e => __errors.push(String(e.message || (e.target && (e.target.src || e.target.href)))), true);
</script>"""

# Measures the rendered page (inserted last in <body>).
PROBE = """<script>
const out = {errors: window.__errors, tasks: 0, clipped: [], overlaps: 0, minFont: 99,
             svgs: document.querySelectorAll('svg.dag').length, outside: [], cut: [], scrollBoxes: [],
             overflowing: [], pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
             gantt: 0, bars: 0, ganttNames: [], ganttOutside: []};
function inside(b, vb) {
  return b.x >= vb.x - 0.5 && b.y >= vb.y - 0.5 && b.x + b.width <= vb.x + vb.width + 0.5 &&
         b.y + b.height <= vb.y + vb.height + 0.5;
}
for (const svg of document.querySelectorAll('svg.dag, svg.gantt, svg.legend')) {
  const r = svg.getBoundingClientRect(), p = svg.parentElement.getBoundingClientRect();
  if (r.left < p.left - 0.5 || r.right > p.right + 0.5) out.outside.push(svg.getAttribute('class'));
  const vb = svg.viewBox.baseVal;
  for (const el of svg.querySelectorAll('path, text, rect, polygon, line')) {
    if (el.closest('marker')) continue;
    if (!inside(el.getBBox(), vb)) out.cut.push(el.tagName + ' ' + (el.textContent || el.getAttribute('d')).slice(0, 60));
  }
}
for (const svg of document.querySelectorAll('svg.dag')) {
  const boxes = [];
  for (const g of svg.querySelectorAll('g.task')) {
    const shape = g.querySelector('rect,polygon').getBBox();
    out.tasks += 1;
    for (const text of g.querySelectorAll('text')) {
      if (text.getComputedTextLength() > shape.width - 4) out.clipped.push(text.textContent);
    }
    const name = g.querySelector('text');
    out.minFont = Math.min(out.minFont, parseFloat(getComputedStyle(name).fontSize));
    boxes.push(shape);
  }
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) out.overlaps++;
  }
}
for (const svg of document.querySelectorAll('svg.gantt')) {
  out.gantt += 1;
  out.bars += svg.querySelectorAll('rect.bar').length;
  const origin = Math.min(...[...svg.querySelectorAll('line')].map(l => l.x1.baseVal.value));
  for (const name of svg.querySelectorAll('text.name')) {
    const b = name.getBBox();
    if (b.x + b.width > origin) out.ganttNames.push(name.textContent);
  }
}
for (const el of document.querySelectorAll('body *')) {
  const cs = getComputedStyle(el);
  const scrolls = /auto|scroll/.test(cs.overflowX + ' ' + cs.overflowY);
  if (scrolls && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1))
    out.scrollBoxes.push(el.tagName + '.' + el.className);
}
for (const el of document.querySelectorAll('td, th, aside, li, h2, h3, p, summary')) {
  if (el.scrollWidth > el.clientWidth + 1) out.overflowing.push(el.tagName + ': ' + el.textContent.slice(0, 60));
}
document.body.insertAdjacentHTML('beforeend', '<pre id="probe">' + JSON.stringify(out) + '</pre>');
</script>"""


def chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def probe(report: Path, tmp_path: Path) -> dict:
    """Render ``report`` in chromium and measure it; also writes ``report.png`` beside it."""
    shot = report.with_suffix(".png")
    chromium([f"--screenshot={shot}", report.as_uri()], tmp_path / "profile1")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 30_000  # a blank page compresses to a few kB
    html = report.read_text(encoding="utf-8")
    probed = report.with_name("probed.html")
    probed.write_text(
        html.replace("<head>", "<head>" + CATCH, 1).replace("</body>", PROBE + "</body>"), encoding="utf-8"
    )
    done = chromium(["--dump-dom", probed.as_uri()], tmp_path / "profile2")
    found = re.search(r'<pre id="probe">(\{.*?)</pre>', done.stdout)
    assert found, done.stdout[-2000:]
    result = json.loads(found.group(1))
    result["console"] = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    print(result)
    return result


def assert_legible(result: dict) -> None:
    assert result["errors"] == [] and result["console"] == []
    assert result["pageOverflow"] <= 0  # nothing makes the page wider than the window
    assert result["scrollBoxes"] == []  # one scroll: the page's
    assert result["overflowing"] == []
    assert result["outside"] == []  # every drawing within its column
    assert result["cut"] == []  # every link, label and task inside its drawing
    assert result["overlaps"] == 0
    assert result["minFont"] >= 11
    # names too long for the widest box are cut with an ellipsis by us, never clipped by the browser
    assert result["clipped"] == []


needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


@pytest.mark.browser
@needs_chromium
def test_financial_data_mart_report_is_legible(corpus_dir: Path, tmp_path: Path) -> None:
    export = corpus_dir / "files" / FDM
    if not export.is_file():
        pytest.skip("the corpus is absent")
    report = tmp_path / "fdm.html"
    res = CliRunner().invoke(main, ["report", str(export), "-o", str(report), "--no-recorded"])
    assert res.exit_code == 0, res.output
    result = probe(report, tmp_path)
    assert_legible(result)
    assert result["svgs"] == 1 and result["tasks"] == 135


@pytest.mark.browser
@needs_chromium
def test_samples_report_is_legible(samples_dir: Path, tmp_path: Path) -> None:
    report = tmp_path / "samples.html"
    res = CliRunner().invoke(main, ["report", str(samples_dir), "-o", str(report), "--no-recorded"])
    assert res.exit_code == 0, res.output
    result = probe(report, tmp_path)
    assert_legible(result)
    assert result["svgs"] >= 3 and result["tasks"] >= 9


@pytest.mark.browser
@needs_chromium
def test_run_report_draws_the_gantt_chart(tmp_path: Path) -> None:
    from test_run_view import gantt_export

    export = gantt_export(tmp_path)
    state = tmp_path / "state"
    runner = CliRunner()
    assert "run 1:" in runner.invoke(main, ["run", str(export), "--state-dir", str(state)]).output
    report = tmp_path / "run.html"
    res = runner.invoke(
        main, ["report", str(export), "--run", "1", "--state-dir", str(state), "-o", str(report)]
    )
    assert res.exit_code == 0, res.output
    result = probe(report, tmp_path)
    assert_legible(result)
    assert result["gantt"] == 1 and result["bars"] == 11  # every task that ran; one never started
    assert result["ganttNames"] == []
