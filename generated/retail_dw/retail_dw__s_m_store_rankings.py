r"""Session s_m_store_rankings as a PySpark job.

Converted by infaflow from mapping m_store_rankings (folder RETAIL_DW), session s_m_store_rankings.
Defined at samples/retail_dw/wf_retail_nightly.xml:928.
Run it with:
    spark-submit retail_dw__s_m_store_rankings.py \
        --param '$PMSourceFileDir=...' --param '$PMTargetFileDir=...'
"""

from __future__ import annotations

from infaflow_support import Job, SessionResult, main, require_version
from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F

require_version(4)  # the version of infaflow_support.py this job was converted for

SESSION = "s_m_store_rankings"
# Mapping parameters and variables and built-in names: name -> (Spark type, default value).
PARAMETERS = {
    "$$MIN_AMOUNT": ("decimal(12,2)", "0"),
    "$PMMappingName": ("string", "m_store_rankings"),
    "$PMSessionName": ("string", "s_m_store_rankings"),
    "$PMFolderName": ("string", "RETAIL_DW"),
}


def run(spark: SparkSession, params: dict | None = None) -> SessionResult:
    """Run s_m_store_rankings: read the sources, apply the mapping, write the targets."""
    job = Job(spark, SESSION, params, PARAMETERS)

    # Source Definition SALES
    # relational table SALES: read by its Source Qualifier

    # Source Qualifier SQ_sales_positive
    sq_sales_positive = job.query(
        "SALES",
        job.connection("RETAIL_OLTP", "$DBConnection_OLTP"),
        spark_sql=(
            "SELECT SALES.SALE_ID, SALES.STORE_ID, SALES.AMOUNT FROM {SALES} AS SALES"
            " WHERE SALES.AMOUNT > $$MIN_AMOUNT"
        ),
        source_sql=(
            "SELECT SALES.SALE_ID, SALES.STORE_ID, SALES.AMOUNT FROM SALES WHERE SALES.AMOUNT > $$MIN_AMOUNT"
        ),
        tables=["SALES"],
        columns=[
            ("SALE_ID", "decimal(12,0)"),
            ("STORE_ID", "decimal(10,0)"),
            ("AMOUNT", "decimal(12,2)"),
        ],
    )

    # Aggregator agg_store_revenue
    # group by STORE_ID
    agg_store_revenue = sq_sales_positive.select("STORE_ID", "SALE_ID", "AMOUNT", "_row_id")
    agg_store_revenue = agg_store_revenue.groupBy("STORE_ID").agg(
        F.sum(F.col("AMOUNT")).cast("decimal(14,2)").alias("o_REVENUE"),
        F.count(F.col("SALE_ID")).cast("int").alias("o_SALES_COUNT"),
    )
    agg_store_revenue = agg_store_revenue.withColumn("_row_id", F.monotonically_increasing_id())

    # Lookup Procedure lkp_store_region
    # Use First Value; condition STORE_ID = in_STORE_ID
    lkp_store_region_cache = job.query(
        "lkp_store_region",
        job.connection("STORES", "$DBConnection_OLTP"),
        spark_sql="SELECT STORE_ID, REGION_ID FROM {STORES} AS STORES",
        source_sql="SELECT STORE_ID, REGION_ID FROM STORES",
        tables=["STORES"],
        columns=[
            ("STORE_ID", "decimal(10,0)"),
            ("REGION_ID", "decimal(5,0)"),
        ],
        count=False,
    )
    lkp_store_region_cache = lkp_store_region_cache.drop("_row_id")
    # Use First Value: the first row per key in cache order
    lkp_store_region_cache = lkp_store_region_cache.withColumn(
        "_lkp_order",
        F.row_number().over(
            Window.partitionBy("STORE_ID").orderBy(
                F.col("STORE_ID").asc_nulls_last(), F.col("REGION_ID").asc_nulls_last()
            )
        ),
    )
    lkp_store_region_cache = lkp_store_region_cache.where(F.col("_lkp_order") == 1)
    lkp_store_region_cache = lkp_store_region_cache.select(
        F.col("STORE_ID").alias("lkp_store_region_STORE_ID"),
        "REGION_ID",
        "_lkp_order",
    )
    lkp_store_region = agg_store_revenue.join(
        lkp_store_region_cache.withColumn("_lkp_hit", F.lit(True)),
        agg_store_revenue["STORE_ID"].eqNullSafe(lkp_store_region_cache["lkp_store_region_STORE_ID"]),
        "left",
    )
    lkp_store_region = lkp_store_region.drop("_lkp_hit", "_lkp_order")

    # Rank rnk_top_stores
    # top 2 by REVENUE per REGION_ID
    rnk_top_stores = lkp_store_region.select(
        "REGION_ID",
        "STORE_ID",
        F.col("o_REVENUE").alias("REVENUE"),
        F.col("o_SALES_COUNT").alias("SALES_COUNT"),
        "_row_id",
    )
    rnk_top_stores = rnk_top_stores.withColumn(
        "RANKINDEX",
        F.rank().over(Window.partitionBy("REGION_ID").orderBy(F.col("REVENUE").desc_nulls_last())),
    )
    rnk_top_stores = rnk_top_stores.where(F.col("RANKINDEX") <= 2)
    rnk_top_stores = rnk_top_stores.select(
        "REGION_ID",
        "STORE_ID",
        "REVENUE",
        "SALES_COUNT",
        "RANKINDEX",
        "_row_id",
    )

    # Target Definition STORE_RANKING
    # relational table STORE_RANKING; treat source rows as Insert
    store_ranking = rnk_top_stores.select(
        "REGION_ID",
        "STORE_ID",
        "REVENUE",
        "SALES_COUNT",
        F.col("RANKINDEX").alias("REVENUE_RANK"),
        "_row_id",
    )
    job.write_table(
        "STORE_RANKING",
        store_ranking,
        job.connection("RETAIL_DW", "$DBConnection_DW"),
        "STORE_RANKING",
        [
            ("REGION_ID", "decimal(5,0)"),
            ("STORE_ID", "decimal(10,0)"),
            ("REVENUE", "decimal(14,2)"),
            ("SALES_COUNT", "decimal(10,0)"),
            ("REVENUE_RANK", "decimal(5,0)"),
        ],
        keys=[],
        treat_rows_as="Insert",
        insert=True,
        update="Update as Update",
        delete=True,
        truncate=False,
    )

    return job.finish()


if __name__ == "__main__":
    raise SystemExit(main(run))
