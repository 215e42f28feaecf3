"""What PowerCenter's row-error semantics cost in a generated job, measured in the same run.

The mapping: a flat file (1,000,000 rows by default; ID, a date as text, an amount) -> an Expression
with ``TO_DATE(DT_TEXT, 'YYYY-MM-DD')`` and ``AMOUNT / QTY`` -> a flat-file target. 1 row in 1000 has a
bad date and 1 in 1000 a zero quantity. Three jobs from the same mapping, run alternately after a warm-up:

- baseline: the translation before row errors (a row error fails the job; run on data without bad rows);
- reject: the converted job (bad rows rejected, counted, written to the row-error file);
- stop on errors: the same with `Stop on errors` = 100000 (errors counted before the targets are written).

    python3 bench/bench_row_errors.py [--rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

from infaflow.codegen import exprs, support
from infaflow.codegen.executor import local_spark
from infaflow.codegen.job import render_plan
from infaflow.codegen.plan import build_plan
from infaflow.model import (
    Attributes,
    Connector,
    Field,
    FlatFile,
    Folder,
    Instance,
    Mapping,
    Port,
    Session,
    Source,
    Target,
    Transformation,
)

sys.modules.setdefault("infaflow_support", support)


def make_data(path: Path, rows: int, bad: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ID", "DT_TEXT", "AMOUNT", "QTY"])
        for i in range(rows):
            date = "2024-13-45" if bad and i % 1000 == 7 else f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}"
            qty = 0 if bad and i % 1000 == 501 else i % 9 + 1
            w.writerow([i, date, f"{(i * 37) % 50000 / 100:.2f}", qty])


def mapping(stop_on_errors: str | None) -> tuple[Mapping, Session | None, Folder]:
    folder = Folder("F")
    fields = [
        Field("ID", "integer", precision=10),
        Field("DT_TEXT", "string", precision=10),
        Field("AMOUNT", "decimal", precision=10, scale=2),
        Field("QTY", "integer", precision=10),
    ]
    src = Source(
        "ORDERS",
        database_type="Flat File",
        fields=fields,
        flatfile=FlatFile(
            {"DELIMITED": "YES", "DELIMITERS": ",", "QUOTE_CHARACTER": "DOUBLE", "SKIPROWS": "1"}
        ),
    )
    tgt = Target(
        "OUT",
        database_type="Flat File",
        fields=[
            Field("ID", "integer", precision=10),
            Field("DT", "date", precision=19),
            Field("UNIT", "decimal", precision=12, scale=4),
        ],
        flatfile=FlatFile({"DELIMITED": "YES", "DELIMITERS": ",", "QUOTE_CHARACTER": "DOUBLE"}),
    )
    folder.sources.append(src)
    folder.targets.append(tgt)
    sq = Transformation(
        "SQ_ORDERS",
        "Source Qualifier",
        ports=[
            Port("ID", "integer", "INPUT/OUTPUT", 10, 0),
            Port("DT_TEXT", "string", "INPUT/OUTPUT", 10, 0),
            Port("AMOUNT", "decimal", "INPUT/OUTPUT", 10, 2),
            Port("QTY", "integer", "INPUT/OUTPUT", 10, 0),
        ],
    )
    exp = Transformation(
        "EXP",
        "Expression",
        ports=[
            Port("ID", "integer", "INPUT/OUTPUT", 10, 0),
            Port("DT_TEXT", "string", "INPUT", 10, 0),
            Port("AMOUNT", "decimal", "INPUT", 10, 2),
            Port("QTY", "integer", "INPUT", 10, 0),
            Port("DT", "date/time", "OUTPUT", 19, 0, expression="TO_DATE(DT_TEXT, 'YYYY-MM-DD')"),
            Port("UNIT", "decimal", "OUTPUT", 12, 4, expression="AMOUNT / QTY"),
        ],
    )
    m = Mapping("m_bench", folder="F", transformations=[sq, exp])
    m.instances += [
        Instance("ORDERS", "SOURCE", "ORDERS", "Source Definition", definition=src),
        Instance(
            "SQ_ORDERS",
            "TRANSFORMATION",
            "SQ_ORDERS",
            "Source Qualifier",
            definition=sq,
            associated_source_instances=["ORDERS"],
        ),
        Instance("EXP", "TRANSFORMATION", "EXP", "Expression", definition=exp),
        Instance("OUT", "TARGET", "OUT", "Target Definition", definition=tgt),
    ]
    for p in ("ID", "DT_TEXT", "AMOUNT", "QTY"):
        m.connectors += [Connector("ORDERS", p, "SQ_ORDERS", p), Connector("SQ_ORDERS", p, "EXP", p)]
    m.connectors += [Connector("EXP", p, "OUT", p) for p in ("ID", "DT", "UNIT")]
    folder.mappings.append(m)
    session = None
    if stop_on_errors is not None:
        session = Session("s_bench", m.name, attributes=Attributes({"Stop on errors": stop_on_errors}))
        session.mapping = m
    return m, session, folder


def load(code: str, tmp: Path, name: str) -> Any:
    path = tmp / f"{name}.py"
    path.write_text(code)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_rowerr_"))
    try:
        make_data(tmp / "clean" / "ordersclean.dat", args.rows, bad=False)
        make_data(tmp / "bad" / "orders.dat", args.rows, bad=True)
        (tmp / "clean" / "ordersclean.dat").rename(tmp / "clean" / "orders.dat")
        m, s, f = mapping(None)
        with mock.patch.object(
            exprs, "to_checked_code", lambda *a, **k: (exprs.to_code(*a, **k), "")
        ):  # the translation before row errors
            baseline = load(render_plan(build_plan(m, s, f), "baseline").code, tmp, "baseline")
        reject = load(render_plan(build_plan(m, s, f), "reject").code, tmp, "reject")
        m2, s2, f2 = mapping("100000")
        stop = load(render_plan(build_plan(m2, s2, f2), "stop").code, tmp, "stop")
        spark = local_spark("bench-row-errors")
        runs = {
            "baseline (no bad rows, errors fail the job)": (baseline, "clean"),
            "reject (0.2% bad rows rejected)": (reject, "bad"),
            "reject, data without bad rows": (reject, "clean"),
            "stop on errors = 100000 (0.2% bad)": (stop, "bad"),
        }
        times: dict[str, list[float]] = {k: [] for k in runs}
        results: dict[str, Any] = {}
        for i in range(args.repeat + 1):
            for label, (module, data) in runs.items():
                params = {
                    "$PMSourceFileDir": str(tmp / data),
                    "$PMTargetFileDir": str(tmp / "out" / label[:8]),
                    "$PMBadFileDir": str(tmp / "badfiles"),
                }
                t0 = time.perf_counter()
                results[label] = module.run(spark, params)
                if i:
                    times[label].append(time.perf_counter() - t0)
        base = statistics.median(times[next(iter(runs))])
        print(f"rows: {args.rows:,}, repeat {args.repeat}, medians")
        for label, ts in times.items():
            r = results[label]
            print(
                f"  {label:45s} {statistics.median(ts):6.2f} s  ratio {statistics.median(ts) / base:4.2f}  "
                f"written {r.tgt_success_rows:,} trans errors {r.trans_errors:,}"
            )
        spark.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
