"""Generated job vs hand-written PySpark on the same logic, measured in the same run.

The mapping: orders (flat file, 1,000,000 rows by default) joined to customers (flat file, master),
a connected lookup of the product category in the embedded store (Use Any Value), an aggregator by
region and category (SUM, COUNT), a flat-file target. The hand-written job does the same work the way
a Spark engineer would write it (explicit schemas with the mapping's types, join, dropDuplicates for the
lookup, groupBy, one CSV file); a second hand-written run with INT keys shows what narrower types are
worth. All run in one local SparkSession, alternately, after a warm-up; the medians are compared.

    python3 bench/bench_codegen.py [--rows 1000000] [--repeat 3]
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


def make_data(root: Path, rows: int) -> None:
    """Orders, customers and products as CSV files (deterministic)."""
    rnd = random.Random(7)
    (root / "src").mkdir(parents=True, exist_ok=True)
    customers = max(1000, rows // 10)
    with open(root / "src" / "orders.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ORDER_ID", "CUSTOMER_ID", "PRODUCT_ID", "AMOUNT"])
        for i in range(rows):
            w.writerow([i, rnd.randrange(customers), rnd.randrange(1000), f"{rnd.random() * 500:.2f}"])
    with open(root / "src" / "customers.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["CUSTOMER_ID", "REGION"])
        for i in range(customers):
            w.writerow([i, f"R{i % 17}"])
    with open(root / "products.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["PRODUCT_ID", "CATEGORY"])
        for i in range(1000):
            w.writerow([i, f"C{i % 23}"])


def _port(name: str, datatype: str, port_type: str, expression: str = "", **kw: object) -> Port:
    return Port(
        name,
        datatype,
        port_type,
        18 if datatype == "decimal" else 10,
        2 if datatype == "decimal" else 0,
        expression=expression,
        **kw,
    )  # type: ignore[arg-type]


def make_mapping() -> tuple[Mapping, Folder]:
    folder = Folder("BENCH")
    m = Mapping("m_sales_by_region", folder="BENCH")
    ff = FlatFile({"DELIMITED": "YES", "DELIMITERS": ",", "QUOTE_CHARACTER": "DOUBLE", "SKIPROWS": "1"})
    orders = Source(
        "orders",
        "Flat File",
        fields=[
            Field("ORDER_ID", "number", 10),
            Field("CUSTOMER_ID", "number", 10),
            Field("PRODUCT_ID", "number", 10),
            Field("AMOUNT", "number", 12, 2),
        ],
        flatfile=ff,
    )
    customers = Source(
        "customers",
        "Flat File",
        fields=[Field("CUSTOMER_ID", "number", 10), Field("REGION", "string", 10)],
        flatfile=ff,
    )
    target = Target(
        "sales_by_region",
        "Flat File",
        fields=[
            Field("REGION", "string", 10),
            Field("CATEGORY", "string", 10),
            Field("TOTAL", "number", 18, 2),
            Field("ORDERS", "number", 10),
        ],
        flatfile=ff,
    )
    ts = [
        Transformation(
            "SQ_orders",
            "Source Qualifier",
            ports=[
                _port("ORDER_ID", "integer", "INPUT/OUTPUT"),
                _port("CUSTOMER_ID", "integer", "INPUT/OUTPUT"),
                _port("PRODUCT_ID", "integer", "INPUT/OUTPUT"),
                _port("AMOUNT", "decimal", "INPUT/OUTPUT"),
            ],
        ),
        Transformation(
            "SQ_customers",
            "Source Qualifier",
            ports=[
                _port("CUSTOMER_ID", "integer", "INPUT/OUTPUT"),
                _port("REGION", "string", "INPUT/OUTPUT"),
            ],
        ),
        Transformation(
            "jnr_customer",
            "Joiner",
            ports=[
                _port("ORDER_ID", "integer", "INPUT/OUTPUT"),
                _port("CUSTOMER_ID", "integer", "INPUT/OUTPUT"),
                _port("PRODUCT_ID", "integer", "INPUT/OUTPUT"),
                _port("AMOUNT", "decimal", "INPUT/OUTPUT"),
                _port("M_CUSTOMER_ID", "integer", "INPUT/OUTPUT/MASTER"),
                _port("REGION", "string", "INPUT/OUTPUT/MASTER"),
            ],
            attributes=Attributes(
                {"Join Type": "Normal Join", "Join Condition": "M_CUSTOMER_ID = CUSTOMER_ID"}
            ),
        ),
        Transformation(
            "lkp_category",
            "Lookup Procedure",
            ports=[
                _port("IN_PRODUCT_ID", "integer", "INPUT"),
                _port("PRODUCT_ID", "integer", "LOOKUP"),
                _port("CATEGORY", "string", "LOOKUP/OUTPUT"),
            ],
            attributes=Attributes(
                {
                    "Lookup table name": "PRODUCTS",
                    "Lookup condition": "PRODUCT_ID = IN_PRODUCT_ID",
                    "Lookup policy on multiple match": "Use Any Value",
                    "Connection Information": "BENCH",
                }
            ),
        ),
        Transformation(
            "agg_region",
            "Aggregator",
            ports=[
                _port("REGION", "string", "INPUT/OUTPUT", expression_type="GROUPBY"),
                _port("CATEGORY", "string", "INPUT/OUTPUT", expression_type="GROUPBY"),
                _port("AMOUNT", "decimal", "INPUT"),
                _port("ORDER_ID", "integer", "INPUT"),
                _port("TOTAL", "decimal", "OUTPUT", "SUM(AMOUNT)"),
                _port("ORDERS", "integer", "OUTPUT", "COUNT(ORDER_ID)"),
            ],
        ),
    ]
    m.transformations = ts
    m.instances = [
        Instance("orders", "SOURCE", "orders", definition=orders),
        Instance("customers", "SOURCE", "customers", definition=customers),
        *[
            Instance(
                t.name,
                "TRANSFORMATION",
                t.name,
                t.type,
                definition=t,
                associated_source_instances=[t.name[3:]] if t.name.startswith("SQ_") else [],
            )
            for t in ts
        ],
        Instance("sales_by_region", "TARGET", "sales_by_region", definition=target),
    ]

    def link(a: str, b: str, pairs: dict[str, str]) -> None:
        m.connectors.extend(Connector(a, x, b, y) for x, y in pairs.items())

    same = {p: p for p in ("ORDER_ID", "CUSTOMER_ID", "PRODUCT_ID", "AMOUNT")}
    link("orders", "SQ_orders", same)
    link("customers", "SQ_customers", {"CUSTOMER_ID": "CUSTOMER_ID", "REGION": "REGION"})
    link("SQ_orders", "jnr_customer", same)
    link("SQ_customers", "jnr_customer", {"CUSTOMER_ID": "M_CUSTOMER_ID", "REGION": "REGION"})
    link("jnr_customer", "lkp_category", {"PRODUCT_ID": "IN_PRODUCT_ID"})
    link("jnr_customer", "agg_region", {"REGION": "REGION", "AMOUNT": "AMOUNT", "ORDER_ID": "ORDER_ID"})
    link("lkp_category", "agg_region", {"CATEGORY": "CATEGORY"})
    link(
        "agg_region",
        "sales_by_region",
        {"REGION": "REGION", "CATEGORY": "CATEGORY", "TOTAL": "TOTAL", "ORDERS": "ORDERS"},
    )
    folder.mappings.append(m)
    return m, folder


def hand_written(spark, root: Path, out: Path, id_type: str = "DECIMAL(10,0)") -> None:  # noqa: ANN001
    """The same logic, written by hand, with the mapping's types (NUMBER(10) is DECIMAL(10,0));
    ``id_type="INT"`` shows what narrower key types alone are worth."""
    from pyspark.sql import functions as F

    orders = spark.read.csv(
        str(root / "src" / "orders.csv"),
        header=True,
        schema=f"ORDER_ID {id_type}, CUSTOMER_ID {id_type}, PRODUCT_ID {id_type}, AMOUNT DECIMAL(12,2)",
    )
    customers = spark.read.csv(
        str(root / "src" / "customers.csv"), header=True, schema=f"CUSTOMER_ID {id_type}, REGION STRING"
    )
    products = spark.read.parquet(str(root / "store" / "BENCH" / "products")).dropDuplicates(["PRODUCT_ID"])
    result = (
        orders.join(customers, "CUSTOMER_ID")
        .join(products.select("PRODUCT_ID", "CATEGORY"), "PRODUCT_ID", "left")
        .groupBy("REGION", "CATEGORY")
        .agg(F.sum("AMOUNT").cast("decimal(18,2)").alias("TOTAL"), F.count("ORDER_ID").alias("ORDERS"))
    )
    tmp = out.with_suffix(".parts")
    result.coalesce(1).write.mode("overwrite").csv(str(tmp))
    part = next(tmp.glob("part-*"))
    shutil.move(str(part), out)
    shutil.rmtree(tmp)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="infaflow-bench-"))
    try:
        t0 = time.perf_counter()
        make_data(root, args.rows)
        spark = local_spark("infaflow-bench")
        load_csv(spark, root / "store", "BENCH", "PRODUCTS", root / "products.csv")
        print(f"data: {args.rows:,} orders ({time.perf_counter() - t0:.1f}s to make)")
        mapping, folder = make_mapping()
        job = render_plan(build_plan(mapping, None, folder), "m_sales_by_region")
        assert job.complete, job.gaps
        path = root / "m_sales_by_region.py"
        path.write_text(job.code)
        spec = importlib.util.spec_from_file_location("bench_job", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        params = {
            "$PMSourceFileDir": str(root / "src"),
            "$PMTargetFileDir": str(root / "tgt"),
            "$INFAFLOWSTORE": str(root / "store"),
            "$PMStorageDir": str(root / "storage"),
        }
        (root / "src" / "orders.dat").symlink_to(root / "src" / "orders.csv")
        (root / "src" / "customers.dat").symlink_to(root / "src" / "customers.csv")

        def generated() -> None:
            module.run(spark, params)

        def baseline() -> None:
            hand_written(spark, root, root / "hand.csv")

        def baseline_int() -> None:
            hand_written(spark, root, root / "hand_int.csv", "INT")

        generated()
        baseline()  # warm-up (JIT, file cache)
        baseline_int()
        times: dict[str, list[float]] = {"generated": [], "hand-written": [], "hand-written, INT keys": []}
        for _ in range(args.repeat):
            for name, fn in (
                ("hand-written", baseline),
                ("generated", generated),
                ("hand-written, INT keys", baseline_int),
            ):
                start = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - start)
        gen_rows = sorted(tuple(r) for r in csv.reader(open(root / "tgt" / "sales_by_region.out")))
        hand_rows = sorted(tuple(r) for r in csv.reader(open(root / "hand.csv")))
        assert len(gen_rows) == len(hand_rows), (len(gen_rows), len(hand_rows))
        med = {k: statistics.median(v) for k, v in times.items()}
        for name, values in times.items():
            print(f"{name:>22}: median {med[name]:.2f}s  runs {', '.join(f'{v:.2f}' for v in values)}")
        print(
            f"ratio generated / hand-written (same types): {med['generated'] / med['hand-written']:.2f} "
            f"(target <= 1.20); {len(gen_rows)} result rows, same as hand-written"
        )
        print(
            "ratio generated / hand-written with INT keys: "
            f"{med['generated'] / med['hand-written, INT keys']:.2f}"
        )
        spark.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
