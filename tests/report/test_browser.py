"""The HTML report in a real headless browser (Debian's chromium): it renders, task names fit their boxes,
boxes never overlap, and a screenshot is written for a person to look at."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from infaflow.cli import main

FDM = "thomasluizzi__Informatica_XML_Parser_v2__Informatica_XML_Parser_v2_FinancialDataMart.XML"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# Measures the rendered drawing: per task, its shape's box and the width of its name as laid out by the browser.
PROBE = """<script>
const out = {tasks: 0, clipped: [], overlaps: 0, minFont: 99, svgs: document.querySelectorAll('svg.dag').length};
for (const svg of document.querySelectorAll('svg.dag')) {
  const boxes = [];
  for (const g of svg.querySelectorAll('g.task')) {
    const shape = g.querySelector('rect,polygon').getBBox();
    const name = g.querySelector('text');
    out.tasks += 1;
    out.minFont = Math.min(out.minFont, parseFloat(getComputedStyle(name).fontSize));
    if (name.getComputedTextLength() > shape.width - 4) out.clipped.push(name.textContent);
    boxes.push(shape);
  }
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) out.overlaps++;
  }
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
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def export_file(samples_dir: Path) -> Path:
    corpus = (samples_dir.parent / ".." / "shared" / "corpus" / "files" / FDM).resolve()
    if corpus.is_file():
        return corpus
    sample = samples_dir / "orders" / "wf_orders_daily.xml"
    if not sample.is_file():
        pytest.skip("neither the corpus nor samples/orders is present")
    return sample


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_report_renders_legibly_in_chromium(export_file: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    res = CliRunner().invoke(main, ["report", str(export_file), "-o", str(report)])
    assert res.exit_code == 0, res.output
    shot = tmp_path / "report.png"
    chromium([f"--screenshot={shot}", "--window-size=1600,1200", report.as_uri()], tmp_path / "profile1")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 30_000  # a blank page compresses to a few kB
    probed = tmp_path / "probed.html"
    probed.write_text(
        report.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8"
    )
    dom = chromium(["--dump-dom", probed.as_uri()], tmp_path / "profile2").stdout
    found = re.search(r'<pre id="probe">(\{.*?)</pre>', dom)
    assert found, dom[-2000:]
    result = json.loads(found.group(1))
    print(result)
    assert result["svgs"] >= 1 and result["tasks"] >= 9
    assert result["overlaps"] == 0
    assert result["minFont"] >= 11
    # names too long for the widest box are cut with an ellipsis by us, never clipped by the browser
    assert result["clipped"] == []
