"""What a dynamic lookup cache costs against a static lookup of the same source, on the same rows.

Rows: customers (ID, NAME, CITY), ``--rows`` of them with IDs drawn from ``rows / 5`` keys (so keys repeat and
later rows see the inserts and updates of earlier ones); the lookup source holds ``rows / 10`` keys. Three
generated jobs, one flat-file target each:

- static: the Lookup with a static cache (Use Any Value): a left join;
- dynamic: Dynamic Lookup Cache, Insert Else Update, a Sequence-ID port: windows per key, plus one window
  over every row for the Sequence-ID;
- dynamic, scan: the same with ``Update Dynamic Cache Condition`` = ``IN_NAME > NAME``, which reads a port
  the rows update: a sequential scan per key.

    python3 bench/bench_dynamic_lookup.py [--rows 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from infaflow.codegen import support
from infaflow.codegen.executor import local_spark
from infaflow.codegen.job import render_plan
from infaflow.codegen.plan import build_plan
from infaflow.codegen.store import load_csv
from infaflow.model import (
    Attributes,
    Connector,
    Field,
    FlatFile,
    Folder,
    Instance,
    Mapping,
    Port,
    Source,
    Target,
    Transformation,
)

sys.modules.setdefault("infaflow_support", support)

FF = {"DELIMITED": "YES", "DELIMITERS": ",", "QUOTE_CHARACTER": "DOUBLE", "SKIPROWS": "1"}


def make_data(root: Path, rows: int) -> None:
    rnd = random.Random(11)
    (root / "src").mkdir(parents=True, exist_ok=True)
    names = ["ann", "bob", "cy", "dan", "eve", "fay"]
    with open(root / "src" / "cust.dat", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ID", "NAME", "CITY"])
        for _ in range(rows):
            w.writerow(
                [rnd.randrange(max(1, rows // 5)), rnd.choice(names), rnd.choice(["paris", "rome", ""])]
            )
    with open(root / "dim_cust.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ID", "NAME", "CITY", "CUST_KEY"])
        for i in range(max(1, rows // 10)):
            w.writerow([i * 2, rnd.choice(names), "paris", i + 1])


def _port(name: str, datatype: str, port_type: str, **kw: Any) -> Port:
    return Port(name, datatype, port_type, 10 if datatype == "integer" else 20, 0, **kw)


def make_mapping(variant: str) -> tuple[Mapping, Folder]:
    folder = Folder("BENCH")
    m = Mapping(f"m_{variant}", folder="BENCH")
    fields = [("ID", "integer"), ("NAME", "string"), ("CITY", "string")]
    source = Source("cust", "Flat File", fields=[Field(n, t, 20) for n, t in fields], flatfile=FlatFile(FF))
    dynamic = variant != "static"
    ports = [
        _port("IN_ID", "integer", "INPUT/OUTPUT"),
        _port("IN_NAME", "string", "INPUT"),
        _port("IN_CITY", "string", "INPUT"),
        _port("ID", "integer", "LOOKUP/OUTPUT", ref_field="IN_ID"),
        _port("NAME", "string", "LOOKUP/OUTPUT", ref_field="IN_NAME"),
        _port("CITY", "string", "LOOKUP/OUTPUT", ref_field="IN_CITY"),
        _port("CUST_KEY", "integer", "LOOKUP/OUTPUT", ref_field="Sequence-ID"),
    ]
    if dynamic:
        ports.append(_port("NewLookupRow", "integer", "OUTPUT"))
    attrs = {
        "Lookup table name": "DIM_CUST",
        "Lookup condition": "ID = IN_ID",
        "Lookup policy on multiple match": "Report Error" if dynamic else "Use Any Value",
        "Connection Information": "BENCH",
        "Dynamic Lookup Cache": "YES" if dynamic else "NO",
        "Insert Else Update": "YES",
        "Update Dynamic Cache Condition": "IN_NAME > NAME" if variant == "scan" else "TRUE",
    }
    outputs = [p for p in ports if p.is_output]
    target = Target(
        "out", "Flat File", fields=[Field(p.name, p.datatype, 20) for p in outputs], flatfile=FlatFile(FF)
    )
    ts = [
        Transformation("SQ_cust", "Source Qualifier", ports=[_port(n, t, "INPUT/OUTPUT") for n, t in fields]),
        Transformation("LKP_CUST", "Lookup Procedure", ports=ports, attributes=Attributes(attrs)),
    ]
    m.transformations = ts
    m.instances = [
        Instance("cust", "SOURCE", "cust", definition=source),
        Instance(
            "SQ_cust",
            "TRANSFORMATION",
            "SQ_cust",
            ts[0].type,
            associated_source_instances=["cust"],
            definition=ts[0],
        ),
        Instance("LKP_CUST", "TRANSFORMATION", "LKP_CUST", ts[1].type, definition=ts[1]),
        Instance("out", "TARGET", "out", definition=target),
    ]
    m.connectors = [
        *[Connector("cust", n, "SQ_cust", n) for n, _ in fields],
        *[Connector("SQ_cust", n, "LKP_CUST", f"IN_{n}") for n, _ in fields],
        *[Connector("LKP_CUST", p.name, "out", p.name) for p in outputs],
    ]
    folder.mappings.append(m)
    return m, folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="infaflow-bench-"))
    try:
        make_data(root, args.rows)
        spark = local_spark("infaflow-bench")
        types = {"ID": "int", "NAME": "string", "CITY": "string", "CUST_KEY": "int"}
        load_csv(spark, root / "store", "BENCH", "DIM_CUST", root / "dim_cust.csv", types=types)
        params = {
            "$PMSourceFileDir": str(root / "src"),
            "$PMTargetFileDir": str(root / "tgt"),
            "$INFAFLOWSTORE": str(root / "store"),
            "$PMStorageDir": str(root / "storage"),
        }
        runs = {}
        for variant in ("static", "dynamic", "scan"):
            mapping, folder = make_mapping(variant)
            job = render_plan(build_plan(mapping, None, folder), f"m_{variant}")
            assert job.complete, job.gaps
            path = root / f"m_{variant}.py"
            path.write_text(job.code)
            spec = importlib.util.spec_from_file_location(f"bench_{variant}", path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            runs[variant] = module.run
        times: dict[str, list[float]] = {v: [] for v in runs}
        for run in runs.values():
            run(spark, params)  # warm-up
        for _ in range(args.repeat):
            for variant, run in runs.items():
                start = time.perf_counter()
                run(spark, params)
                times[variant].append(time.perf_counter() - start)
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"{args.rows:,} rows, {args.rows // 5:,} keys, lookup source {args.rows // 10:,} rows")
        for name, values in times.items():
            ratio = med[name] / med["static"]
            print(f"{name:>8}: median {med[name]:.2f}s ({ratio:.1f} x static)  runs {values}")
        spark.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
