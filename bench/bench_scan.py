"""What the sequential scan of variable ports costs against a window, on the same rows.

Rows: ``_row_id``, a key K (runs of 50 rows) and a value X. Three computations of a per-key running total:

- window: the running sum class (``IIF(K = v_PK, v_T + X, X)``): a segment number, then a sum per segment;
- segmented scan: ``job.scan`` folding each run of K on its own (as for ``IIF(K = v_PK, v_T * 2 + X, X)``);
- scan: ``job.scan`` folding every row in one array (a recurrence with no restart).

    python3 bench/bench_scan.py [--rows 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Any

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from infaflow.codegen import support
from infaflow.codegen.executor import local_spark


def rows(spark: Any, n: int) -> DataFrame:
    return spark.range(n).select(
        F.col("id").alias("_row_id"),
        (F.col("id") / 50).cast("int").alias("K"),
        (F.col("id") % 7).cast("int").alias("X"),
    )


def step(state: Column, row: Column) -> Column:
    v_T = F.when(row["K"] == state["v_PK"], state["v_T"] + row["X"]).otherwise(row["X"]).cast("int")
    return F.struct(v_T.alias("v_T"), row["K"].cast("int").alias("v_PK"))


def initial() -> Column:
    return F.struct(F.lit(0).cast("int").alias("v_T"), F.lit(0).cast("int").alias("v_PK"))


def window(df: DataFrame) -> DataFrame:
    order = Window.orderBy("_row_id")
    df = df.withColumn(
        "_seg",
        F.sum(F.when(F.col("K") != F.lag("K", 1, 0).over(order), 1).otherwise(0)).over(
            order.rowsBetween(Window.unboundedPreceding, 0)
        ),
    )
    return df.withColumn("v_T", F.sum("X").over(Window.partitionBy("_seg").orderBy("_row_id")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    spark = local_spark()
    job = support.Job(spark, "bench", {})
    segment = F.sum(
        F.when(F.col("K") != F.lag("K", 1, 0).over(Window.orderBy("_row_id")), 1).otherwise(0)
    ).over(Window.orderBy("_row_id").rowsBetween(Window.unboundedPreceding, 0))
    runs = {
        "window": lambda df: window(df),
        "segmented scan": lambda df: job.scan("bench", df, step, initial(), segment=segment),
        "scan": lambda df: job.scan("bench", df, step, initial()),
    }
    times: dict[str, list[float]] = {k: [] for k in runs}
    for i in range(args.repeat + 1):
        for name, run in runs.items():
            start = time.perf_counter()
            total = run(rows(spark, args.rows)).agg(F.sum("v_T")).first()[0]
            if i:  # the first round warms up the JVM
                times[name].append(time.perf_counter() - start)
            print(f"{name}: {time.perf_counter() - start:.2f} s (sum {total})", file=sys.stderr)
    base = statistics.median(times["window"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:15s} {median:7.2f} s  ratio {median / base:5.1f}  ({args.rows} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
