"""Benchmark: a whole directory of exports loaded as one repository, against plain ``lxml.etree.parse`` of
the same files.

Input: ``../shared/corpus/files`` (or ``--dir DIR``). Each measurement runs in its own Python process:

- ``lxml``: ``lxml.etree.parse`` of every ``*.xml`` file of the directory, one after the other (the
  baseline: the least any XML reader must do);
- ``repository``: ``infaflow.export.load_repository([DIR], lenient=True)``: every file found, parsed safely,
  validated against the XSD, built into the model, merged into one repository, references resolved across
  files (lenient, because the corpus holds look-alike files and unrelated projects that define objects of
  the same folder and name differently).

For each it prints the wall time, the peak RSS and the bytes the process read while loading
(``rchar`` of ``/proc/self/io``) as a multiple of the directory's size: 1.0x means every file was read once.
Target (issue 8): the corpus in under 3 s, no file read twice (bytes read under 1.1x the total size).

    python bench/bench_repository.py
    python bench/bench_repository.py --dir path/to/exports --repeat 3
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS_FILES = (ROOT / ".." / "shared" / "corpus" / "files").resolve()
TARGET_SECONDS = 3.0
TARGET_READ_RATIO = 1.1
MODES = ("lxml", "repository")


def _rchar() -> int:
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("rchar:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _xml_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix.lower() == ".xml")


def _measure(mode: str, directory: str) -> dict[str, float]:
    # Import everything first so that only the loading's own reads are counted.
    from lxml import etree

    from infaflow.export import load_repository
    from infaflow.export.validate import _schema, schema_path

    _schema(schema_path())
    files = _xml_files(Path(directory))
    read_before = _rchar()
    start = time.perf_counter()
    objects = 0
    if mode == "lxml":
        for f in files:
            try:
                etree.parse(str(f))
            except etree.XMLSyntaxError:
                pass
    elif mode == "repository":
        export = load_repository([directory], lenient=True)
        objects = sum(
            len(f.mappings) + len(f.workflows) + len(f.sources) + len(f.targets) for f in export.folders
        )
    else:
        raise SystemExit(f"unknown mode {mode}")
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "read_bytes": _rchar() - read_before,
        "objects": objects,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _run_child(mode: str, directory: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", mode, str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{mode} on {directory} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=CORPUS_FILES, help="directory of exports")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median time)")
    parser.add_argument("--measure", nargs=2, metavar=("MODE", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(_measure(*args.measure)))
        return 0
    if not args.dir.is_dir():
        print(f"{args.dir}: no such directory (the corpus is absent?)", file=sys.stderr)
        return 2
    files = _xml_files(args.dir)
    total = sum(f.stat().st_size for f in files)
    print(f"{args.dir}: {len(files)} files, {total / 1e6:.1f} MB")
    results = {}
    for mode in MODES:
        runs = [_run_child(mode, args.dir) for _ in range(args.repeat)]
        results[mode] = {
            "seconds": statistics.median(r["seconds"] for r in runs),
            "read": max(r["read_bytes"] for r in runs) / total,
            "rss": max(r["peak_rss_mb"] for r in runs),
            "objects": runs[0]["objects"],
        }
        r = results[mode]
        print(
            f"{mode:<11} {r['seconds']:6.2f} s   read {r['read']:4.2f}x the files   "
            f"peak RSS {r['rss']:6.0f} MB"
        )
    repo, base = results["repository"], results["lxml"]
    ok = repo["seconds"] < TARGET_SECONDS and repo["read"] < TARGET_READ_RATIO
    print(
        f"\none repository of {len(files)} files ({repo['objects']} mappings, workflows, sources, targets): "
        f"{repo['seconds']:.2f} s (target < {TARGET_SECONDS:.0f} s), "
        f"{repo['seconds'] / base['seconds']:.1f}x "
        f"plain lxml.etree.parse, bytes read {repo['read']:.2f}x the files (target < {TARGET_READ_RATIO}x): "
        f"{'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
