r"""Session s_m_order_facts as a PySpark job.

Converted by infaflow from mapping m_order_facts (folder ORDERS), session s_m_order_facts.
Defined at samples/orders/wf_orders_daily.xml:747.
Run it with:
    spark-submit s_m_order_facts.py \
        --param '$PMSourceFileDir=...' --param '$PMTargetFileDir=...'
"""

from __future__ import annotations

from infaflow_support import Job, SessionResult, main, require_version
from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F

require_version(4)  # the version of infaflow_support.py this job was converted for

SESSION = "s_m_order_facts"
# Mapping parameters and variables and built-in names: name -> (Spark type, default value).
PARAMETERS = {
    "$$HIGH_VALUE_THRESHOLD": ("decimal(12,2)", "1000"),
    "$PMMappingName": ("string", "m_order_facts"),
    "$PMSessionName": ("string", "s_m_order_facts"),
    "$PMFolderName": ("string", "ORDERS"),
}


def run(spark: SparkSession, params: dict | None = None) -> SessionResult:
    """Run s_m_order_facts: read the sources, apply the mapping, write the targets."""
    job = Job(spark, SESSION, params, PARAMETERS)

    # Source Definition orders
    # flat file, 4 fields
    orders = job.read_flat_file(
        "orders",
        job.path("$PMSourceFileDir/", "orders.csv"),
        [
            ("ORDER_ID", "decimal(10,0)"),
            ("CUSTOMER_ID", "decimal(10,0)"),
            ("ORDER_DATE", "string"),
            ("STATUS", "string"),
        ],
        delimiter=",",
        quote='"',
        skip_rows=1,
        codepage="MS1252",
    )

    # Source Definition order_lines
    # flat file, 6 fields
    order_lines = job.read_flat_file(
        "order_lines",
        job.path("$PMSourceFileDir/", "order_lines.csv"),
        [
            ("ORDER_ID", "decimal(10,0)"),
            ("LINE_NO", "decimal(5,0)"),
            ("PRODUCT_ID", "string"),
            ("QUANTITY", "decimal(7,0)"),
            ("UNIT_PRICE", "decimal(10,2)"),
            ("DISCOUNT_PCT", "decimal(5,2)"),
        ],
        delimiter=",",
        quote='"',
        skip_rows=1,
        codepage="MS1252",
    )

    # Source Qualifier SQ_orders
    sq_orders = orders.select("ORDER_ID", "CUSTOMER_ID", "ORDER_DATE", "STATUS", "_row_id")

    # Source Qualifier SQ_order_lines
    sq_order_lines = order_lines.select(
        "ORDER_ID",
        "LINE_NO",
        "PRODUCT_ID",
        "QUANTITY",
        "UNIT_PRICE",
        "DISCOUNT_PCT",
        "_row_id",
    )

    # Filter fil_open_orders
    # condition: STATUS <> 'CANCELLED' AND LENGTH(STATUS) > 0
    fil_open_orders = sq_orders.select("ORDER_ID", "CUSTOMER_ID", "ORDER_DATE", "STATUS", "_row_id")
    fil_open_orders = fil_open_orders.where(
        (F.col("STATUS") != F.lit("CANCELLED")) & (F.length(F.col("STATUS")) > F.lit(0))
    )

    # Joiner jnr_order_lines
    # Normal Join; condition M_ORDER_ID = ORDER_ID
    jnr_order_lines_detail = sq_order_lines.select(
        "ORDER_ID",
        "LINE_NO",
        "PRODUCT_ID",
        "QUANTITY",
        "UNIT_PRICE",
        "DISCOUNT_PCT",
        "_row_id",
    )
    jnr_order_lines_master = fil_open_orders.select(
        F.col("ORDER_ID").alias("M_ORDER_ID"),
        "CUSTOMER_ID",
        "ORDER_DATE",
        "_row_id",
    )
    jnr_order_lines_detail = jnr_order_lines_detail.withColumnRenamed("_row_id", "_detail_row")
    jnr_order_lines_master = jnr_order_lines_master.withColumnRenamed("_row_id", "_master_row")
    jnr_order_lines = jnr_order_lines_detail.join(
        jnr_order_lines_master,
        (jnr_order_lines_master["M_ORDER_ID"] == jnr_order_lines_detail["ORDER_ID"]),
        "inner",
    )
    jnr_order_lines = jnr_order_lines.withColumn("_row_id", F.struct("_detail_row", "_master_row")).drop(
        "_detail_row", "_master_row"
    )

    # Lookup Procedure lkp_product_category
    # unconnected lookup: joined where :LKP calls it
    lkp_product_category = job.read_flat_file(
        "lkp_product_category",
        job.path("$PMSourceFileDir/", "products.csv"),
        [("PRODUCT_ID", "string"), ("PRODUCT_NAME", "string"), ("CATEGORY", "string")],
        delimiter=",",
        quote='"',
        skip_rows=1,
        codepage="MS1252",
        count=False,
    )
    lkp_product_category = lkp_product_category.drop("_row_id")
    # Use Any Value: the first row per key in cache order
    lkp_product_category = lkp_product_category.withColumn(
        "_lkp_order",
        F.row_number().over(
            Window.partitionBy("PRODUCT_ID").orderBy(
                F.col("PRODUCT_ID").asc_nulls_last(),
                F.col("PRODUCT_NAME").asc_nulls_last(),
                F.col("CATEGORY").asc_nulls_last(),
            )
        ),
    )
    lkp_product_category = lkp_product_category.where(F.col("_lkp_order") == 1)

    # Expression exp_line_amount
    exp_line_amount = jnr_order_lines
    lkp_product_category_for__lkp_1 = lkp_product_category.select(
        *[F.col(c).alias("_lkp_1_" + c) for c in lkp_product_category.columns]
    )
    exp_line_amount = exp_line_amount.withColumn("_lkp_1_in0", F.col("PRODUCT_ID"))
    exp_line_amount = exp_line_amount.join(
        lkp_product_category_for__lkp_1.withColumn("_lkp_1__lkp_hit", F.lit(True)),
        exp_line_amount["_lkp_1_in0"].eqNullSafe(lkp_product_category_for__lkp_1["_lkp_1_PRODUCT_ID"]),
        "left",
    )
    exp_line_amount = exp_line_amount.withColumn("_lkp_1", F.col("_lkp_1_CATEGORY"))
    exp_line_amount = exp_line_amount.drop(
        "_lkp_1_in0",
        "_lkp_1__lkp_hit",
        "_lkp_1__lkp_order",
        "_lkp_1_PRODUCT_ID",
        "_lkp_1_PRODUCT_NAME",
        "_lkp_1_CATEGORY",
    )
    # v_DISCOUNT = IIF(ISNULL(DISCOUNT_PCT), 0, DISCOUNT_PCT)
    exp_line_amount = exp_line_amount.withColumn(
        "v_DISCOUNT",
        F.when(F.col("DISCOUNT_PCT").isNull(), F.lit(0))
        .otherwise(F.col("DISCOUNT_PCT"))
        .cast("decimal(5,2)"),
    )
    # v_CATEGORY = :LKP.lkp_product_category(PRODUCT_ID)
    exp_line_amount = exp_line_amount.withColumn("v_CATEGORY", F.col("_lkp_1").cast("string"))
    exp_line_amount = exp_line_amount.withColumns(
        {
            # o_LINE_AMOUNT = ROUND(QUANTITY * UNIT_PRICE * (100 - v_DISCOUNT) / 100, 2)
            "o_LINE_AMOUNT": F.round(
                (F.col("QUANTITY") * F.col("UNIT_PRICE") * (F.lit(100) - F.col("v_DISCOUNT")) / F.lit(100)), 2
            ).cast("decimal(12,2)"),
            # o_ELECTRONICS_AMOUNT = IIF(v_CATEGORY = 'Electronics', ROUND(QUANTITY * UNIT_PRICE * (100 -
            #     v_DISCOUNT) / 100, 2), 0)
            "o_ELECTRONICS_AMOUNT": F.when(
                (F.col("v_CATEGORY") == F.lit("Electronics")),
                F.round(
                    (
                        F.col("QUANTITY")
                        * F.col("UNIT_PRICE")
                        * (F.lit(100) - F.col("v_DISCOUNT"))
                        / F.lit(100)
                    ),
                    2,
                ),
            )
            .otherwise(F.lit(0))
            .cast("decimal(12,2)"),
        }
    ).drop("v_DISCOUNT", "v_CATEGORY", "_lkp_1")

    # Aggregator agg_order_totals
    # group by ORDER_ID
    agg_order_totals = exp_line_amount.select(
        "ORDER_ID",
        "CUSTOMER_ID",
        "ORDER_DATE",
        "LINE_NO",
        F.col("o_LINE_AMOUNT").alias("LINE_AMOUNT"),
        F.col("o_ELECTRONICS_AMOUNT").alias("LINE_ELECTRONICS_AMOUNT"),
        "_row_id",
    )
    agg_order_totals = agg_order_totals.groupBy("ORDER_ID").agg(
        F.max_by(F.col("CUSTOMER_ID"), F.col("_row_id")).alias("CUSTOMER_ID"),
        F.max_by(F.col("ORDER_DATE"), F.col("_row_id")).alias("ORDER_DATE"),
        F.sum(F.col("LINE_AMOUNT")).cast("decimal(12,2)").alias("o_ORDER_TOTAL"),
        F.count(F.col("LINE_NO")).cast("int").alias("o_LINE_COUNT"),
        F.sum(F.col("LINE_ELECTRONICS_AMOUNT")).cast("decimal(12,2)").alias("o_ELECTRONICS_AMOUNT"),
    )
    agg_order_totals = agg_order_totals.withColumn("_row_id", F.monotonically_increasing_id())
    # computed once for the 4 targets it feeds: electronics_orders, high_value_orders, order_facts,
    #   other_orders
    agg_order_totals = job.share(agg_order_totals)

    # Router rtr_order_value
    # groups: HIGH_VALUE, HAS_ELECTRONICS, DEFAULT1
    rtr_order_value = agg_order_totals.select(
        "ORDER_ID",
        "CUSTOMER_ID",
        F.col("o_ORDER_TOTAL").alias("ORDER_TOTAL"),
        F.col("o_ELECTRONICS_AMOUNT").alias("ELECTRONICS_AMOUNT"),
        "_row_id",
    )
    # group HIGH_VALUE: ORDER_TOTAL >= $$HIGH_VALUE_THRESHOLD
    rtr_order_value_high_value = rtr_order_value.where(
        F.col("ORDER_TOTAL") >= job.param("$$HIGH_VALUE_THRESHOLD")
    ).select(
        F.col("ORDER_ID").alias("ORDER_ID1"),
        F.col("CUSTOMER_ID").alias("CUSTOMER_ID1"),
        F.col("ORDER_TOTAL").alias("ORDER_TOTAL1"),
        F.col("ELECTRONICS_AMOUNT").alias("ELECTRONICS_AMOUNT1"),
        "_row_id",
    )
    # group HAS_ELECTRONICS: ELECTRONICS_AMOUNT > 0
    rtr_order_value_has_electronics = rtr_order_value.where(F.col("ELECTRONICS_AMOUNT") > F.lit(0)).select(
        F.col("ORDER_ID").alias("ORDER_ID2"),
        F.col("CUSTOMER_ID").alias("CUSTOMER_ID2"),
        F.col("ORDER_TOTAL").alias("ORDER_TOTAL2"),
        F.col("ELECTRONICS_AMOUNT").alias("ELECTRONICS_AMOUNT2"),
        "_row_id",
    )
    # group DEFAULT1: rows no other group takes
    rtr_order_value_default1 = rtr_order_value.where(
        ~(
            F.coalesce((F.col("ORDER_TOTAL") >= job.param("$$HIGH_VALUE_THRESHOLD")), F.lit(False))
            | F.coalesce((F.col("ELECTRONICS_AMOUNT") > F.lit(0)), F.lit(False))
        )
    ).select(
        F.col("ORDER_ID").alias("ORDER_ID3"),
        F.col("CUSTOMER_ID").alias("CUSTOMER_ID3"),
        F.col("ORDER_TOTAL").alias("ORDER_TOTAL3"),
        F.col("ELECTRONICS_AMOUNT").alias("ELECTRONICS_AMOUNT3"),
        "_row_id",
    )

    # Target Definition order_facts
    # flat file order_facts.csv
    order_facts = agg_order_totals.select(
        "ORDER_ID",
        "CUSTOMER_ID",
        "ORDER_DATE",
        F.col("o_ORDER_TOTAL").alias("ORDER_TOTAL"),
        F.col("o_LINE_COUNT").alias("LINE_COUNT"),
        F.col("o_ELECTRONICS_AMOUNT").alias("ELECTRONICS_AMOUNT"),
        "_row_id",
    )
    job.write_flat_file(
        "order_facts",
        order_facts,
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
        quote="",
        header=True,
        codepage="MS1252",
        ordered=False,  # rows from an Aggregator or a Union have no defined order
    )

    # Target Definition high_value_orders
    # flat file high_value_orders.csv
    high_value_orders = rtr_order_value_high_value.select(
        F.col("ORDER_ID1").alias("ORDER_ID"),
        F.col("CUSTOMER_ID1").alias("CUSTOMER_ID"),
        F.col("ORDER_TOTAL1").alias("ORDER_TOTAL"),
        "_row_id",
    )
    job.write_flat_file(
        "high_value_orders",
        high_value_orders,
        job.path("$PMTargetFileDir/", "high_value_orders.csv"),
        [
            ("ORDER_ID", "decimal(10,0)"),
            ("CUSTOMER_ID", "decimal(10,0)"),
            ("ORDER_TOTAL", "decimal(12,2)"),
        ],
        delimiter=",",
        quote="",
        header=True,
        codepage="MS1252",
        ordered=False,  # rows from an Aggregator or a Union have no defined order
    )

    # Target Definition electronics_orders
    # flat file electronics_orders.csv
    electronics_orders = rtr_order_value_has_electronics.select(
        F.col("ORDER_ID2").alias("ORDER_ID"),
        F.col("CUSTOMER_ID2").alias("CUSTOMER_ID"),
        F.col("ELECTRONICS_AMOUNT2").alias("ELECTRONICS_AMOUNT"),
        "_row_id",
    )
    job.write_flat_file(
        "electronics_orders",
        electronics_orders,
        job.path("$PMTargetFileDir/", "electronics_orders.csv"),
        [
            ("ORDER_ID", "decimal(10,0)"),
            ("CUSTOMER_ID", "decimal(10,0)"),
            ("ELECTRONICS_AMOUNT", "decimal(12,2)"),
        ],
        delimiter=",",
        quote="",
        header=True,
        codepage="MS1252",
        ordered=False,  # rows from an Aggregator or a Union have no defined order
    )

    # Target Definition other_orders
    # flat file other_orders.csv
    other_orders = rtr_order_value_default1.select(
        F.col("ORDER_ID3").alias("ORDER_ID"),
        F.col("CUSTOMER_ID3").alias("CUSTOMER_ID"),
        F.col("ORDER_TOTAL3").alias("ORDER_TOTAL"),
        "_row_id",
    )
    job.write_flat_file(
        "other_orders",
        other_orders,
        job.path("$PMTargetFileDir/", "other_orders.csv"),
        [
            ("ORDER_ID", "decimal(10,0)"),
            ("CUSTOMER_ID", "decimal(10,0)"),
            ("ORDER_TOTAL", "decimal(12,2)"),
        ],
        delimiter=",",
        quote="",
        header=True,
        codepage="MS1252",
        ordered=False,  # rows from an Aggregator or a Union have no defined order
    )

    return job.finish()


if __name__ == "__main__":
    raise SystemExit(main(run))
