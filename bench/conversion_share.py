"""How much of a directory of PowerCenter exports converts fully, and what blocks the rest.

Every export file of DIR is loaded on its own (lenient, as tests/codegen/test_corpus.py does) and
converted; the files of each repository (``<owner>__<repo>__`` name prefix) are also loaded as one
export set, so that a session finds its mapping in a sibling file. Printed: files, mappings, the share
of mappings and of mapping files converted fully, and a histogram of gap reasons (messages with names and
numbers replaced by placeholders) with the mappings each blocks, split into the gaps the project works on, the
accepted ones (Java, HTTP, compiled plug-in functions, mappings the export marks invalid) and those of other
areas (SQL transformations, XML sources). Every generated module is checked with py_compile and ruff.

    python bench/conversion_share.py DIR [--json F] [--no-lint] [--show N]
"""

from __future__ import annotations

import argparse
import json
import py_compile
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from infaflow.codegen.formatting import LINT_ARGS, find_ruff
from infaflow.codegen.project import Conversion, convert_export
from infaflow.errors import InputError
from infaflow.export import load, load_repository

# Gap reasons that are not the converter's to close: (category, pattern on the message).
CATEGORIES: list[tuple[str, re.Pattern[str]]] = [
    ("accepted: mapping marked invalid", re.compile(r"marks mapping .* invalid|ISVALID=NO", re.I)),
    ("accepted: Java transformation", re.compile(r"\bJava\b", re.I)),
    ("accepted: HTTP / web service", re.compile(r"\bHTTP\b|web service", re.I)),
    ("accepted: compiled plug-in function", re.compile(r"plug-?in|custom function|\bCUSTOM_|:PLUGIN", re.I)),
    ("other area: SQL transformation", re.compile(r"SQL Transform", re.I)),
    ("other area: XML source/target", re.compile(r"\bXML\b", re.I)),
    # Objects the export names but does not define, or a Source Qualifier with no link from its source:
    # files written by hand or by a generator rather than exported by the Repository Manager.
    (
        "other area: look-alike or incomplete export",
        re.compile(r"is not in the export|not connected to a source column", re.I),
    ),
]
OPEN = "open"

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")
_NUMBER = re.compile(r"\b\d+(\.\d+)?\b")
_DOLLAR = re.compile(r"\$\$?\w+")


def normalise(message: str) -> str:
    """A gap message with its particulars (quoted names, numbers, parameters) replaced by placeholders,
    so that the same reason in different mappings counts as one."""
    text = message.split(";")[0].strip()
    text = _QUOTED.sub("<name>", text)
    text = _DOLLAR.sub("<param>", text)
    text = _NUMBER.sub("<n>", text)
    return re.sub(r"\s+", " ", text)[:160]


def category(message: str) -> str:
    for name, pattern in CATEGORIES:
        if pattern.search(message):
            return name
    return OPEN


@dataclass
class Mapping:
    file: str
    folder: str
    name: str
    complete: bool = True
    reasons: set[str] = field(default_factory=set)  # normalised messages
    categories: set[str] = field(default_factory=set)


@dataclass
class Measure:
    files: int = 0
    unreadable: dict[str, str] = field(default_factory=dict)  # file -> error
    mappings: dict[tuple[str, str, str], Mapping] = field(default_factory=dict)
    modules: list[tuple[str, str]] = field(default_factory=list)  # (label, code)
    sessions_without_mapping: int = 0


def export_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() == ".xml")


def record(measure: Measure, conv: Conversion, file_label: str) -> None:
    for j in conv.jobs:
        if not j.job.code:  # a session whose mapping lives in another export
            measure.sessions_without_mapping += 1
            continue
        key = (file_label, j.folder, j.mapping)
        entry = measure.mappings.setdefault(key, Mapping(file_label, j.folder, j.mapping))
        entry.complete = entry.complete and j.job.complete
        for gap in j.job.gaps:
            entry.reasons.add(normalise(gap.message))
            entry.categories.add(category(gap.message))
        measure.modules.append((f"{Path(file_label).stem}__{j.file}", j.job.code))


def measure_files(files: Iterable[Path]) -> Measure:
    """Each export file loaded and converted on its own."""
    measure = Measure()
    for path in files:
        measure.files += 1
        try:
            conv = convert_export(load(path, lenient=True))
        except InputError as exc:
            measure.unreadable[path.name] = f"{exc.message} (line {exc.line})"
            continue
        record(measure, conv, path.name)
    return measure


def repositories(files: list[Path]) -> dict[str, list[Path]]:
    """Files grouped by the repository they come from: files named ``<owner>__<repo>__<path>`` (as the
    corpus manifests name them) by ``<owner>__<repo>``, any other file in one group. Two repositories'
    folders of the same name are different folders, so they must not be merged."""
    groups: dict[str, list[Path]] = {}
    for path in files:
        parts = path.name.split("__")
        groups.setdefault("__".join(parts[:2]) if len(parts) >= 3 else "<directory>", []).append(path)
    return groups


def measure_repository(root: Path) -> Measure:
    """Each repository of the directory loaded as one export set: sessions find mappings defined in
    sibling files."""
    measure = Measure()
    for name, files in repositories(export_files(root)).items():
        try:
            export = load_repository(files, lenient=True)
        except InputError as exc:
            measure.unreadable[name] = exc.message
            continue
        measure.files += len(files)
        record(measure, convert_export(export), name)
    return measure


def lint(modules: list[tuple[str, str]]) -> dict[str, list[str]]:
    """py_compile and ruff on every generated module: the failing modules per check."""
    failures: dict[str, list[str]] = {"py_compile": [], "ruff": []}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for i, (label, code) in enumerate(modules):
            path = root / f"m{i:04d}_{re.sub(r'[^A-Za-z0-9_]', '_', label)}"
            path = path.with_suffix(".py")
            path.write_text(code)
            try:
                py_compile.compile(str(path), cfile=str(root / "x.pyc"), doraise=True)
            except py_compile.PyCompileError as exc:
                failures["py_compile"].append(f"{label}: {exc.msg.splitlines()[-1]}")
        ruff = find_ruff()
        if ruff is None:
            failures["ruff"].append("ruff is not installed")
            return failures
        result = subprocess.run(
            [ruff, *LINT_ARGS, "--output-format", "concise", str(root)], capture_output=True, text=True
        )
        for line in result.stdout.splitlines():
            if line.startswith(str(root)):
                failures["ruff"].append(line[len(str(root)) + 1 :])
    return failures


def summary(measure: Measure) -> dict:
    maps = list(measure.mappings.values())
    complete = sum(m.complete for m in maps)
    by_file: dict[str, bool] = {}
    for m in maps:
        by_file[m.file] = by_file.get(m.file, True) and m.complete
    histogram: dict[str, dict] = {}
    for m in maps:
        for reason in m.reasons:
            entry = histogram.setdefault(reason, {"category": category(reason), "mappings": []})
            entry["mappings"].append(f"{m.file}:{m.folder}.{m.name}")
    blocked_only_by_accepted = sum(
        1
        for m in maps
        if not m.complete and m.categories and all(c.startswith("accepted") for c in m.categories)
    )
    blocked_by_other_area = sum(
        1
        for m in maps
        if not m.complete
        and any(c.startswith("other area") for c in m.categories)
        and OPEN not in m.categories
    )
    return {
        "files": measure.files,
        "unreadable": measure.unreadable,
        "mapping_files": len(by_file),
        "mapping_files_complete": sum(by_file.values()),
        "mappings": len(maps),
        "mappings_complete": complete,
        "mappings_blocked_only_by_accepted_gaps": blocked_only_by_accepted,
        "mappings_blocked_by_other_areas_only": blocked_by_other_area,
        "sessions_without_mapping": measure.sessions_without_mapping,
        "histogram": dict(sorted(histogram.items(), key=lambda kv: (-len(kv[1]["mappings"]), kv[0]))),
        "incomplete": sorted(f"{m.file}:{m.folder}.{m.name}" for m in maps if not m.complete),
    }


def share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "n/a"


def print_summary(title: str, s: dict, show: int) -> None:
    print(f"== {title}")
    print(
        f"files: {s['files']} ({len(s['unreadable'])} unreadable), mapping files: {s['mapping_files']}, "
        f"mappings: {s['mappings']}, sessions whose mapping is elsewhere: {s['sessions_without_mapping']}"
    )
    print(
        f"mappings fully converted: {s['mappings_complete']}/{s['mappings']} "
        f"({share(s['mappings_complete'], s['mappings'])}); "
        f"mapping files fully converted: {s['mapping_files_complete']}/{s['mapping_files']} "
        f"({share(s['mapping_files_complete'], s['mapping_files'])})"
    )
    print(
        f"blocked only by accepted gaps: {s['mappings_blocked_only_by_accepted_gaps']}, "
        f"by other areas' gaps only: {s['mappings_blocked_by_other_areas_only']}"
    )
    for name, error in s["unreadable"].items():
        print(f"  unreadable: {name}: {error[:150]}")
    if s["histogram"]:
        print("gap reasons (mappings blocked, category, reason):")
    for reason, entry in s["histogram"].items():
        print(f"  {len(entry['mappings']):3d}  [{entry['category']}]  {reason}")
        for m in entry["mappings"][:show]:
            print(f"         {m}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--json", type=Path, help="write the figures and the histogram to this file")
    parser.add_argument("--no-lint", action="store_true", help="skip py_compile and ruff")
    parser.add_argument("--show", type=int, default=3, help="mappings listed under each reason")
    args = parser.parse_args(argv)
    if not args.dir.is_dir():
        print(f"{args.dir}: not a directory", file=sys.stderr)
        return 2
    started = time.perf_counter()
    files = export_files(args.dir)
    per_file = measure_files(files)
    repository = measure_repository(args.dir)
    result = {"dir": str(args.dir), "per_file": summary(per_file), "repository": summary(repository)}
    print_summary(f"{args.dir}: each file on its own", result["per_file"], args.show)
    print_summary(f"{args.dir}: each repository as one export set", result["repository"], args.show)
    if not args.no_lint:
        failures = lint(per_file.modules + repository.modules)
        result["lint"] = {"modules": len(per_file.modules) + len(repository.modules), **failures}
        print(
            f"generated modules: {result['lint']['modules']}, py_compile failures: "
            f"{len(failures['py_compile'])}, ruff findings: {len(failures['ruff'])}"
        )
        for line in (failures["py_compile"] + failures["ruff"])[:20]:
            print(f"  {line}")
    print(f"measured in {time.perf_counter() - started:.1f} s")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, sort_keys=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
