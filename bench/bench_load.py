"""Benchmark: validate + load throughput and peak memory, against a plain ``lxml.etree.parse`` baseline.

Inputs: the largest real exports of ../shared/corpus (``looks_exported=yes``) and a synthetic export of at
least 100 MB made by repeating the folders of the largest corpus export (or ``--source FILE``), written to a
temporary directory and deleted afterwards. Each measurement runs in its own Python process, so its peak RSS
(``ru_maxrss``) is its own. For every file it prints, measured in the same run:

- ``lxml``: ``lxml.etree.parse`` of the file (the baseline: the least any XML reader must do);
- ``parse+xsd``: infaflow's safe parse and XSD validation (``xmlsource.parse`` + ``validate_tree``);
- ``load``: ``infaflow.load`` (safe parse, XSD validation, model, references resolved);

with MB/s, peak RSS and the ratio to the baseline. Targets (issue 2): 100 MB in under 30 s and under
2 GB RSS on a 2-core machine.

    python bench/bench_load.py                 # 3 largest corpus files + a 100 MB synthetic export
    python bench/bench_load.py --size-mb 200 --largest 5 --repeat 3
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = (ROOT / ".." / "shared" / "corpus").resolve()
TARGET_SECONDS = 30.0
TARGET_RSS_MB = 2048.0
MODES = ("lxml", "parse+xsd", "load")


# --------------------------------------------------------------------------------------------------
# One measurement, in a child process


def _measure(mode: str, path: str) -> dict[str, float]:
    start = time.perf_counter()
    if mode == "lxml":
        from lxml import etree

        etree.parse(path)
    elif mode == "parse+xsd":
        from infaflow.export import xmlsource
        from infaflow.export.validate import validate_tree

        problems = validate_tree(xmlsource.parse(path), path)
        if problems:
            raise SystemExit(f"{path}: not valid: {problems[0]}")
    elif mode == "load":
        import infaflow

        infaflow.load(path)
    else:
        raise SystemExit(f"unknown mode {mode}")
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_rss_mb": peak_mb}


def _run_child(mode: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", mode, str(path)], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"{mode} on {path} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------------
# Inputs


def largest_corpus_files(count: int) -> list[Path]:
    """The ``count`` largest exports of the corpus (empty when the corpus is absent)."""
    manifest = CORPUS / "manifest.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["looks_exported"] == "yes"]
    rows.sort(key=lambda r: int(r["bytes"]), reverse=True)
    return [CORPUS / "files" / r["file"] for r in rows[:count]]


def synthetic_export(source: Path, size_mb: float, out_dir: Path) -> Path:
    """An export of at least ``size_mb`` MB: ``source``'s folders repeated, each copy renamed
    ``NAME_0001``... so every folder stays distinct; the XML declaration and encoding are kept."""
    data = source.read_bytes()
    start = data.index(b"<FOLDER ")
    end = data.rindex(b"</FOLDER>") + len(b"</FOLDER>")
    folders = data[start:end]
    copies = max(1, int(size_mb * 1_000_000 // len(folders)) + 1)
    pattern = re.compile(rb'(<FOLDER NAME=")([^"]*)(")')
    path = out_dir / f"synthetic_{size_mb:g}MB.XML"
    with path.open("wb") as fh:
        fh.write(data[:start])
        for i in range(copies):
            fh.write(pattern.sub(lambda m, i=i: m[1] + m[2] + b"_%04d" % i + m[3], folders))
            fh.write(b"\n")
        fh.write(data[end:])
    return path


# --------------------------------------------------------------------------------------------------
# Report


@dataclass
class Row:
    """The measurements of one file."""

    name: str
    megabytes: float
    seconds: dict[str, float]
    peak_mb: dict[str, float]


def measure_file(path: Path, repeat: int) -> Row:
    seconds: dict[str, float] = {}
    peak: dict[str, float] = {}
    for mode in MODES:
        runs = [_run_child(mode, path) for _ in range(repeat)]
        seconds[mode] = statistics.median(r["seconds"] for r in runs)
        peak[mode] = max(r["peak_rss_mb"] for r in runs)
    return Row(path.name, path.stat().st_size / 1_000_000, seconds, peak)


def _print(rows: list[Row]) -> None:
    head = (
        f"{'file':<44} {'MB':>7} | {'lxml s':>7} {'xsd s':>7} {'load s':>7} | {'load MB/s':>9} | "
        f"{'x lxml':>6} | {'RSS lxml':>8} {'RSS load':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        base, load = r.seconds["lxml"], r.seconds["load"]
        name = r.name if len(r.name) <= 44 else r.name[:20] + "..." + r.name[-21:]
        print(
            f"{name:<44} {r.megabytes:7.1f} | {base:7.2f} {r.seconds['parse+xsd']:7.2f} {load:7.2f} | "
            f"{r.megabytes / load:9.1f} | {load / base:6.1f} | "
            f"{r.peak_mb['lxml']:7.0f}M {r.peak_mb['load']:7.0f}M"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--largest", type=int, default=3, help="how many of the largest corpus files")
    parser.add_argument("--size-mb", type=float, default=100.0, help="size of the synthetic export")
    parser.add_argument("--source", type=Path, help="export whose folders are repeated (default: largest)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (median time)")
    parser.add_argument("--measure", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(_measure(*args.measure)))
        return 0

    files = largest_corpus_files(max(args.largest, 1))
    source = args.source or (files[0] if files else None)
    if source is None:
        print("no corpus and no --source: nothing to measure", file=sys.stderr)
        return 2
    rows = [measure_file(path, args.repeat) for path in files[: args.largest]]
    with tempfile.TemporaryDirectory(prefix="infaflow-bench-") as tmp:
        synthetic = synthetic_export(source, args.size_mb, Path(tmp))
        big = measure_file(synthetic, args.repeat)
        rows.append(big)
        _print(rows)
    load_s, rss = big.seconds["load"], big.peak_mb["load"]
    ok = big.megabytes >= 100 and load_s < TARGET_SECONDS and rss < TARGET_RSS_MB
    print(
        f"\nsynthetic {big.megabytes:.0f} MB (folders of {source.name} repeated): load {load_s:.1f} s "
        f"(target < {TARGET_SECONDS:.0f} s), peak RSS {rss:.0f} MB (target < {TARGET_RSS_MB:.0f} MB), "
        f"{load_s / big.seconds['lxml']:.1f}x plain lxml.etree.parse: {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
