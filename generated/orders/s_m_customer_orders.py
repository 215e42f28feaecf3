r"""Session s_m_customer_orders as a PySpark job.

Converted by infaflow from mapping m_customer_orders (folder ORDERS), session s_m_customer_orders.
Defined at samples/orders/wf_orders_daily.xml:908.
Run it with:
    spark-submit s_m_customer_orders.py \
        --param '$PMSourceFileDir=...' --param '$PMTargetFileDir=...'
"""

from __future__ import annotations

from infaflow_support import Job, SessionResult, main, require_version
from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F

require_version(4)  # the version of infaflow_support.py this job was converted for

SESSION = "s_m_customer_orders"
# Mapping parameters and variables and built-in names: name -> (Spark type, default value).
PARAMETERS = {
    "$PMMappingName": ("string", "m_customer_orders"),
    "$PMSessionName": ("string", "s_m_customer_orders"),
    "$PMFolderName": ("string", "ORDERS"),
}


def run(spark: SparkSession, params: dict | None = None) -> SessionResult:
    """Run s_m_customer_orders: read the sources, apply the mapping, write the targets."""
    job = Job(spark, SESSION, params, PARAMETERS)

    # Source Definition order_facts_in
    # flat file, 6 fields
    order_facts_in = job.read_flat_file(
        "order_facts_in",
        job.path("$PMTargetFileDir/", "order_facts.csv"),
        [
            ("ORDER_ID", "decimal(10,0)"),
            ("CUSTOMER_ID", "decimal(10,0)"),
            ("ORDER_DATE", "string"),
            ("ORDER_TOTAL", "decimal(12,2)"),
            ("LINE_COUNT", "decimal(10,0)"),
            ("ELECTRONICS_AMOUNT", "decimal(12,2)"),
        ],
        delimiter=",",
        quote='"',
        skip_rows=1,
        codepage="MS1252",
    )

    # Source Qualifier SQ_order_facts
    sq_order_facts = order_facts_in.select(
        "ORDER_ID",
        "CUSTOMER_ID",
        "ORDER_DATE",
        "ORDER_TOTAL",
        "LINE_COUNT",
        "ELECTRONICS_AMOUNT",
        "_row_id",
    )

    # Sorter srt_customer_date
    # keys: CUSTOMER_ID ASCENDING, ORDER_DATE ASCENDING, ORDER_ID ASCENDING
    srt_customer_date = sq_order_facts.select(
        "CUSTOMER_ID",
        "ORDER_DATE",
        "ORDER_ID",
        "ORDER_TOTAL",
        "_row_id",
    )
    srt_customer_date = srt_customer_date.orderBy(
        F.col("CUSTOMER_ID").asc_nulls_last(),
        F.col("ORDER_DATE").asc_nulls_last(),
        F.col("ORDER_ID").asc_nulls_last(),
        "_row_id",
    )
    srt_customer_date = srt_customer_date.withColumn("_row_id", F.monotonically_increasing_id())

    # Expression exp_running_total
    exp_running_total = srt_customer_date
    # v_AMOUNT = IIF(ISNULL(ORDER_TOTAL), 0, ORDER_TOTAL)
    exp_running_total = exp_running_total.withColumn(
        "v_AMOUNT",
        F.when(F.col("ORDER_TOTAL").isNull(), F.lit(0)).otherwise(F.col("ORDER_TOTAL")).cast("decimal(12,2)"),
    )
    # v_PREV_CUSTOMER_ID = CUSTOMER_ID
    exp_running_total = exp_running_total.withColumn(
        "v_PREV_CUSTOMER_ID", F.col("CUSTOMER_ID").cast("decimal(10,0)")
    )
    exp_running_total_row_order = Window.orderBy("_row_id")
    # v_IS_NEW_CUSTOMER = IIF(CUSTOMER_ID = v_PREV_CUSTOMER_ID, 0, 1)
    exp_running_total = exp_running_total.withColumn(
        "v_IS_NEW_CUSTOMER",
        F.when(
            (
                F.col("CUSTOMER_ID")
                == F.lag(F.col("v_PREV_CUSTOMER_ID"), 1, 0).over(exp_running_total_row_order)
            ),
            F.lit(0),
        )
        .otherwise(F.lit(1))
        .cast("int"),
    )
    # v_RUNNING_TOTAL = IIF(v_IS_NEW_CUSTOMER = 1, v_AMOUNT, v_RUNNING_TOTAL + v_AMOUNT)
    exp_running_total = exp_running_total.withColumn(
        "_v_RUNNING_TOTAL_run",
        F.sum(F.when((F.col("v_IS_NEW_CUSTOMER") == F.lit(1)), 1).otherwise(0)).over(
            exp_running_total_row_order.rowsBetween(Window.unboundedPreceding, 0)
        ),
    )
    exp_running_total = exp_running_total.withColumn(
        "v_RUNNING_TOTAL",
        F.when((F.col("v_IS_NEW_CUSTOMER") == F.lit(1)), F.col("v_AMOUNT"))
        .otherwise(F.col("v_AMOUNT"))
        .cast("decimal(14,2)"),
    )
    exp_running_total = exp_running_total.withColumn(
        "v_RUNNING_TOTAL",
        F.when(
            F.count_if(F.col("v_RUNNING_TOTAL").isNull()).over(
                Window.partitionBy("_v_RUNNING_TOTAL_run").orderBy("_row_id")
            )
            == 0,
            F.sum("v_RUNNING_TOTAL").over(Window.partitionBy("_v_RUNNING_TOTAL_run").orderBy("_row_id")),
        ).cast("decimal(14,2)"),
    )
    exp_running_total = exp_running_total.drop("_v_RUNNING_TOTAL_run")
    # v_ORDER_SEQ = IIF(v_IS_NEW_CUSTOMER = 1, 1, v_ORDER_SEQ + 1)
    exp_running_total = exp_running_total.withColumn(
        "_v_ORDER_SEQ_run",
        F.sum(F.when((F.col("v_IS_NEW_CUSTOMER") == F.lit(1)), 1).otherwise(0)).over(
            exp_running_total_row_order.rowsBetween(Window.unboundedPreceding, 0)
        ),
    )
    exp_running_total = exp_running_total.withColumn(
        "v_ORDER_SEQ",
        F.when((F.col("v_IS_NEW_CUSTOMER") == F.lit(1)), F.lit(1)).otherwise(F.lit(1)).cast("int"),
    )
    exp_running_total = exp_running_total.withColumn(
        "v_ORDER_SEQ",
        F.when(
            F.count_if(F.col("v_ORDER_SEQ").isNull()).over(
                Window.partitionBy("_v_ORDER_SEQ_run").orderBy("_row_id")
            )
            == 0,
            F.sum("v_ORDER_SEQ").over(Window.partitionBy("_v_ORDER_SEQ_run").orderBy("_row_id")),
        ).cast("int"),
    )
    exp_running_total = exp_running_total.drop("_v_ORDER_SEQ_run")
    exp_running_total = exp_running_total.withColumns(
        {
            # o_CUSTOMER_ORDER_SEQ = v_ORDER_SEQ
            "o_CUSTOMER_ORDER_SEQ": F.col("v_ORDER_SEQ").cast("int"),
            # o_RUNNING_TOTAL = v_RUNNING_TOTAL
            "o_RUNNING_TOTAL": F.col("v_RUNNING_TOTAL").cast("decimal(14,2)"),
        }
    ).drop("v_AMOUNT", "v_IS_NEW_CUSTOMER", "v_RUNNING_TOTAL", "v_ORDER_SEQ", "v_PREV_CUSTOMER_ID")

    # Target Definition customer_order_history
    # flat file customer_order_history.csv
    customer_order_history = exp_running_total.select(
        "CUSTOMER_ID",
        "ORDER_ID",
        "ORDER_DATE",
        "ORDER_TOTAL",
        F.col("o_CUSTOMER_ORDER_SEQ").alias("CUSTOMER_ORDER_SEQ"),
        F.col("o_RUNNING_TOTAL").alias("RUNNING_TOTAL"),
        "_row_id",
    )
    job.write_flat_file(
        "customer_order_history",
        customer_order_history,
        job.path("$PMTargetFileDir/", "customer_order_history.csv"),
        [
            ("CUSTOMER_ID", "decimal(10,0)"),
            ("ORDER_ID", "decimal(10,0)"),
            ("ORDER_DATE", "string"),
            ("ORDER_TOTAL", "decimal(12,2)"),
            ("CUSTOMER_ORDER_SEQ", "decimal(10,0)"),
            ("RUNNING_TOTAL", "decimal(14,2)"),
        ],
        delimiter=",",
        quote="",
        header=True,
        codepage="MS1252",
    )

    return job.finish()


if __name__ == "__main__":
    raise SystemExit(main(run))
