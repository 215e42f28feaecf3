r"""Session s_m_stores_dim as a PySpark job.

Converted by infaflow from mapping m_stores_dim (folder RETAIL_DW), session s_m_stores_dim.
Defined at samples/retail_dw/wf_retail_nightly.xml:759.
Run it with:
    spark-submit retail_dw__s_m_stores_dim.py \
        --param '$PMSourceFileDir=...' --param '$PMTargetFileDir=...'
"""

from __future__ import annotations

from infaflow_support import Job, SessionResult, main, require_version
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

require_version(4)  # the version of infaflow_support.py this job was converted for

SESSION = "s_m_stores_dim"
# Mapping parameters and variables and built-in names: name -> (Spark type, default value).
PARAMETERS = {
    "$$DEFAULT_CITY": ("string", "UNKNOWN"),
    "$PMMappingName": ("string", "m_stores_dim"),
    "$PMSessionName": ("string", "s_m_stores_dim"),
    "$PMFolderName": ("string", "RETAIL_DW"),
}


def run(spark: SparkSession, params: dict | None = None) -> SessionResult:
    """Run s_m_stores_dim: read the sources, apply the mapping, write the targets."""
    job = Job(spark, SESSION, params, PARAMETERS)

    # Source Definition STORES
    # relational table STORES: read by its Source Qualifier

    # Source Definition REGIONS
    # relational table REGIONS: read by its Source Qualifier

    # Source Qualifier SQ_stores_regions
    sq_stores_regions = job.query(
        "STORES",
        job.connection("RETAIL_OLTP", "$DBConnection_OLTP"),
        spark_sql=(
            "SELECT STORES.STORE_ID, STORES.STORE_NAME, STORES.CITY, REGIONS.REGION_NAME"
            " FROM {STORES} AS STORES, {REGIONS} AS REGIONS"
            " WHERE (STORES.REGION_ID = REGIONS.REGION_ID) AND (STORES.IS_ACTIVE = 'Y')"
            " ORDER BY STORES.STORE_ID NULLS LAST"
        ),
        source_sql=(
            "SELECT STORES.STORE_ID, STORES.STORE_NAME, STORES.CITY, REGIONS.REGION_NAME"
            " FROM STORES, REGIONS WHERE (STORES.REGION_ID = REGIONS.REGION_ID)"
            " AND (STORES.IS_ACTIVE = 'Y') ORDER BY STORES.STORE_ID"
        ),
        tables=["STORES", "REGIONS"],
        columns=[
            ("STORE_ID", "decimal(10,0)"),
            ("STORE_NAME", "string"),
            ("CITY", "string"),
            ("REGION_NAME", "string"),
        ],
    )

    # Sequence seq_store_sk
    # values are numbered where NEXTVAL is connected
    seq_store_sk = job.sequence(
        "RETAIL_DW.m_stores_dim.seq_store_sk",
        start=1,
        increment=1,
        end=9223372036854775807,
        cycle=False,
        current=100,
        reset=False,
    )

    # Expression exp_store
    exp_store = sq_stores_regions.select("STORE_ID", "STORE_NAME", "CITY", "REGION_NAME", "_row_id")
    exp_store = seq_store_sk.number(exp_store, nextval="NEXTVAL")
    exp_store = exp_store.select(
        "STORE_ID",
        "STORE_NAME",
        "REGION_NAME",
        # o_STORE_SK = NEXTVAL
        F.col("NEXTVAL").cast("bigint").alias("o_STORE_SK"),
        # o_CITY = IIF(ISNULL(CITY), $$DEFAULT_CITY, UPPER(CITY))
        F.when(F.col("CITY").isNull(), job.param("$$DEFAULT_CITY"))
        .otherwise(F.upper(F.col("CITY")))
        .cast("string")
        .alias("o_CITY"),
        "_row_id",
    )

    # Target Definition DIM_STORE
    # relational table DIM_STORE; treat source rows as Insert
    dim_store = exp_store.select(
        F.col("o_STORE_SK").alias("STORE_SK"),
        "STORE_ID",
        "STORE_NAME",
        F.col("o_CITY").alias("CITY"),
        "REGION_NAME",
        "_row_id",
    )
    job.write_table(
        "DIM_STORE",
        dim_store,
        job.connection("TARGET", "$DBConnection_DW"),
        "DIM_STORE",
        [
            ("STORE_SK", "decimal(10,0)"),
            ("STORE_ID", "decimal(10,0)"),
            ("STORE_NAME", "string"),
            ("CITY", "string"),
            ("REGION_NAME", "string"),
        ],
        keys=["STORE_SK"],
        treat_rows_as="Insert",
        insert=True,
        update="Update as Update",
        delete=True,
        truncate=False,
    )

    return job.finish()


if __name__ == "__main__":
    raise SystemExit(main(run))
