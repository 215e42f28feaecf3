r"""Session s_m_sales_fact as a PySpark job.

Converted by infaflow from mapping m_sales_fact (folder RETAIL_DW), session s_m_sales_fact.
Defined at samples/retail_dw/wf_retail_nightly.xml:696.
Run it with:
    spark-submit retail_dw__s_m_sales_fact.py \
        --param '$PMSourceFileDir=...' --param '$PMTargetFileDir=...'
"""

from __future__ import annotations

from infaflow_support import Job, SessionResult, main, require_version
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

require_version(4)  # the version of infaflow_support.py this job was converted for

SESSION = "s_m_sales_fact"
# Mapping parameters and variables and built-in names: name -> (Spark type, default value).
PARAMETERS = {
    "$$LOAD_FROM_DATE": ("string", "1900-01-01"),
    "$PMMappingName": ("string", "m_sales_fact"),
    "$PMSessionName": ("string", "s_m_sales_fact"),
    "$PMFolderName": ("string", "RETAIL_DW"),
}
# Mapping variables: name -> aggregation type.
# The job returns their final values (SessionResult.mapping_variables).
MAPPING_VARIABLES = {
    "$$LOAD_FROM_DATE": "MAX",
}


def run(spark: SparkSession, params: dict | None = None) -> SessionResult:
    """Run s_m_sales_fact: read the sources, apply the mapping, write the targets."""
    job = Job(
        spark, SESSION, params, PARAMETERS, variables=MAPPING_VARIABLES
    )  # the session's mapping variables

    # Source Definition SALES
    # relational table SALES: read by its Source Qualifier

    # Source Definition Shortcut_to_STORES
    # relational table STORES: read by its Source Qualifier

    # Source Qualifier SQ_sales
    # Sql Query override
    sq_sales = job.query(
        "SALES",
        job.connection("RETAIL_OLTP", "$DBConnection_OLTP"),
        spark_sql=(
            "SELECT SALES.SALE_ID, SALES.STORE_ID, SALES.SKU, SALES.SALE_DATE, SALES.QUANTITY,"
            " SALES.AMOUNT, SALES.IS_CORRECTION FROM {SALES} AS SALES"
            " WHERE SALES.SALE_DATE >= CAST('$$LOAD_FROM_DATE' AS DATE)"
        ),
        source_sql=(
            "SELECT SALES.SALE_ID, SALES.STORE_ID, SALES.SKU, SALES.SALE_DATE, SALES.QUANTITY,"
            " SALES.AMOUNT, SALES.IS_CORRECTION\r\n"
            "FROM SALES\r\n"
            "WHERE SALES.SALE_DATE >= DATE '$$LOAD_FROM_DATE'"
        ),
        tables=["SALES"],
        columns=[
            ("SALE_ID", "decimal(12,0)"),
            ("STORE_ID", "decimal(10,0)"),
            ("SKU", "string"),
            ("SALE_DATE", "timestamp"),
            ("QUANTITY", "decimal(7,0)"),
            ("AMOUNT", "decimal(12,2)"),
            ("IS_CORRECTION", "string"),
        ],
    )

    # Source Qualifier SQ_stores
    sq_stores = job.query(
        "STORES",
        job.connection("RETAIL_OLTP", "$DBConnection_OLTP"),
        spark_sql=(
            "SELECT STORES.STORE_ID, STORES.STORE_NAME FROM {STORES} AS STORES WHERE STORES.IS_ACTIVE = 'Y'"
        ),
        source_sql="SELECT STORES.STORE_ID, STORES.STORE_NAME FROM STORES WHERE STORES.IS_ACTIVE = 'Y'",
        tables=["STORES"],
        columns=[
            ("STORE_ID", "decimal(10,0)"),
            ("STORE_NAME", "string"),
        ],
    )

    # Joiner jnr_sales_stores
    # Master Outer Join: all detail rows; condition M_STORE_ID = STORE_ID
    jnr_sales_stores_detail = sq_sales.select(
        "SALE_ID",
        "STORE_ID",
        "SKU",
        "SALE_DATE",
        "QUANTITY",
        "AMOUNT",
        "IS_CORRECTION",
        "_row_id",
    )
    jnr_sales_stores_master = sq_stores.select(
        F.col("STORE_ID").alias("M_STORE_ID"),
        "STORE_NAME",
        "_row_id",
    )
    jnr_sales_stores_detail = jnr_sales_stores_detail.withColumnRenamed("_row_id", "_detail_row")
    jnr_sales_stores_master = jnr_sales_stores_master.withColumnRenamed("_row_id", "_master_row")
    jnr_sales_stores = jnr_sales_stores_detail.join(
        jnr_sales_stores_master,
        (jnr_sales_stores_master["M_STORE_ID"] == jnr_sales_stores_detail["STORE_ID"]),
        "left",
    )
    jnr_sales_stores = jnr_sales_stores.withColumn("_row_id", F.struct("_detail_row", "_master_row")).drop(
        "_detail_row", "_master_row"
    )

    # Input Transformation mplt_price_band.INPUT
    # passes AMOUNT, QUANTITY through from jnr_sales_stores

    # Expression mplt_price_band.exp_band
    mplt_price_band__exp_band = jnr_sales_stores
    # v_UNIT = IIF(QUANTITY = 0 OR ISNULL(QUANTITY), NULL, ROUND(AMOUNT / QUANTITY, 2))
    mplt_price_band__exp_band = mplt_price_band__exp_band.withColumn(
        "v_UNIT",
        F.when(((F.col("QUANTITY") == F.lit(0)) | F.col("QUANTITY").isNull()), F.lit(None))
        .otherwise(
            F.round(
                F.when(F.col("QUANTITY") == 0, F.lit(None)).otherwise(F.col("AMOUNT") / F.col("QUANTITY")), 2
            )
        )
        .cast("decimal(12,2)"),
    )
    mplt_price_band__exp_band = mplt_price_band__exp_band.withColumn(
        "_row_error",
        F.when(
            ~F.coalesce(((F.col("QUANTITY") == F.lit(0)) | F.col("QUANTITY").isNull()), F.lit(False)),
            F.when(
                F.when(F.col("QUANTITY") == 0, F.lit(None))
                .otherwise(F.col("AMOUNT") / F.col("QUANTITY"))
                .isNull()
                & F.col("AMOUNT").isNotNull()
                & F.col("QUANTITY").isNotNull(),
                F.lit("divide by zero"),
            ),
        ),
    )
    mplt_price_band__exp_band = mplt_price_band__exp_band.withColumns(
        {
            # o_UNIT_AMOUNT = v_UNIT
            "o_UNIT_AMOUNT": F.col("v_UNIT").cast("decimal(12,2)"),
            # o_PRICE_BAND = DECODE(TRUE, v_UNIT >= 100, 'HIGH', v_UNIT >= 20, 'MID', ISNULL(v_UNIT), 'NONE',
            #     'LOW')
            "o_PRICE_BAND": F.when(F.lit(True).eqNullSafe(F.col("v_UNIT") >= F.lit(100)), F.lit("HIGH"))
            .when(F.lit(True).eqNullSafe(F.col("v_UNIT") >= F.lit(20)), F.lit("MID"))
            .when(F.lit(True).eqNullSafe(F.col("v_UNIT").isNull()), F.lit("NONE"))
            .otherwise(F.lit("LOW"))
            .cast("string"),
        }
    ).drop("v_UNIT")
    # rows with a row error are rejected: counted, written to the row-error file
    mplt_price_band__exp_band = job.reject_errors("mplt_price_band.exp_band", mplt_price_band__exp_band)

    # Output Transformation mplt_price_band.OUTPUT
    # passes UNIT_AMOUNT, PRICE_BAND through from mplt_price_band__exp_band

    # Update Strategy upd_sales
    # flag: IIF(AMOUNT < 0, DD_REJECT, IIF(IS_CORRECTION = 'Y', DD_UPDATE, DD_INSERT))
    upd_sales = mplt_price_band__exp_band.withColumn(
        "_row_type",
        F.when((F.col("AMOUNT") < F.lit(0)), F.lit(3))
        .when((F.col("IS_CORRECTION") == F.lit("Y")), F.lit(1))
        .otherwise(F.lit(0))
        .cast("int"),
    )

    # Target Definition FACT_SALES
    # relational table FACT_SALES; treat source rows as Data Driven
    fact_sales = upd_sales.select(
        "SALE_ID",
        "STORE_ID",
        "STORE_NAME",
        "SKU",
        "SALE_DATE",
        "QUANTITY",
        "AMOUNT",
        F.col("o_UNIT_AMOUNT").alias("UNIT_AMOUNT"),
        F.col("o_PRICE_BAND").alias("PRICE_BAND"),
        "_row_id",
        "_row_type",
    )
    job.write_table(
        "FACT_SALES",
        fact_sales,
        job.connection("TARGET", "$DBConnection_DW"),
        "FACT_SALES",
        [
            ("SALE_ID", "decimal(12,0)"),
            ("STORE_ID", "decimal(10,0)"),
            ("STORE_NAME", "string"),
            ("SKU", "string"),
            ("SALE_DATE", "timestamp"),
            ("QUANTITY", "decimal(7,0)"),
            ("AMOUNT", "decimal(12,2)"),
            ("UNIT_AMOUNT", "decimal(12,2)"),
            ("PRICE_BAND", "string"),
        ],
        keys=["SALE_ID"],
        treat_rows_as="Data Driven",
        insert=True,
        update="Update as Update",
        delete=True,
        truncate=False,
    )

    return job.finish()


if __name__ == "__main__":
    raise SystemExit(main(run))
