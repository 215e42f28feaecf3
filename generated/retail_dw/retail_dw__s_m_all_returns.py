r"""Session s_m_all_returns as a PySpark job.

Converted by infaflow from mapping m_all_returns (folder RETAIL_DW), session s_m_all_returns.
Defined at samples/retail_dw/wf_retail_nightly.xml:979.
Run it with:
    spark-submit retail_dw__s_m_all_returns.py \
        --param '$PMSourceFileDir=...' --param '$PMTargetFileDir=...'
"""

from __future__ import annotations

from infaflow_support import Job, SessionResult, main, require_version
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

require_version(4)  # the version of infaflow_support.py this job was converted for

SESSION = "s_m_all_returns"
# Mapping parameters and variables and built-in names: name -> (Spark type, default value).
PARAMETERS = {
    "$PMMappingName": ("string", "m_all_returns"),
    "$PMSessionName": ("string", "s_m_all_returns"),
    "$PMFolderName": ("string", "RETAIL_DW"),
}


def run(spark: SparkSession, params: dict | None = None) -> SessionResult:
    """Run s_m_all_returns: read the sources, apply the mapping, write the targets."""
    job = Job(spark, SESSION, params, PARAMETERS)

    # Source Definition WEB_RETURNS
    # relational table WEB_RETURNS: read by its Source Qualifier

    # Source Definition store_returns
    # flat file, 4 fields
    store_returns = job.read_flat_file(
        "store_returns",
        job.path("$PMSourceFileDir/", "store_returns.csv"),
        [
            ("RETURN_ID", "decimal(12,0)"),
            ("SKU", "string"),
            ("AMOUNT", "decimal(12,2)"),
            ("RETURN_DATE", "string"),
        ],
        delimiter=",",
        quote='"',
        skip_rows=1,
        codepage="MS1252",
    )

    # Source Qualifier SQ_web_returns
    sq_web_returns = job.query(
        "WEB_RETURNS",
        job.connection("RETAIL_OLTP", "$DBConnection_OLTP"),
        spark_sql=(
            "SELECT WEB_RETURNS.RETURN_ID, WEB_RETURNS.SKU, WEB_RETURNS.AMOUNT,"
            " WEB_RETURNS.RETURN_DATE FROM {WEB_RETURNS} AS WEB_RETURNS"
        ),
        source_sql=(
            "SELECT WEB_RETURNS.RETURN_ID, WEB_RETURNS.SKU, WEB_RETURNS.AMOUNT,"
            " WEB_RETURNS.RETURN_DATE FROM WEB_RETURNS"
        ),
        tables=["WEB_RETURNS"],
        columns=[
            ("RETURN_ID", "decimal(12,0)"),
            ("SKU", "string"),
            ("AMOUNT", "decimal(12,2)"),
            ("RETURN_DATE", "timestamp"),
        ],
    )

    # Source Qualifier SQ_store_returns
    sq_store_returns = store_returns.select("RETURN_ID", "SKU", "AMOUNT", "RETURN_DATE", "_row_id")

    # Expression exp_web_channel
    exp_web_channel = sq_web_returns.withColumns(
        {
            # o_CHANNEL = 'WEB'
            "o_CHANNEL": F.lit("WEB").cast("string"),
        }
    )

    # Expression exp_store_channel
    exp_store_channel = sq_store_returns.withColumns(
        {
            # o_SKU = UPPER(LTRIM(RTRIM(SKU)))
            "o_SKU": F.upper(F.ltrim(F.rtrim(F.col("SKU")))).cast("string"),
            # o_RETURN_DATE = TO_DATE(RETURN_DATE, 'YYYY-MM-DD')
            "o_RETURN_DATE": F.when(
                F.col("RETURN_DATE").rlike("^([0-9]{1,4})-([0-9]{1,2})-([0-9]{1,2})\\z"),
                F.try_to_timestamp(F.col("RETURN_DATE"), F.lit("y-M-d")),
            ).cast("timestamp"),
            # o_CHANNEL = 'STORE'
            "o_CHANNEL": F.lit("STORE").cast("string"),
            "_row_error": F.when(
                F.when(
                    F.col("RETURN_DATE").rlike("^([0-9]{1,4})-([0-9]{1,2})-([0-9]{1,2})\\z"),
                    F.try_to_timestamp(F.col("RETURN_DATE"), F.lit("y-M-d")),
                ).isNull()
                & F.col("RETURN_DATE").isNotNull(),
                F.lit("TO_DATE: value does not match the format YYYY-MM-DD"),
            ),
        }
    )
    # rows with a row error are rejected: counted, written to the row-error file
    exp_store_channel = job.reject_errors("exp_store_channel", exp_store_channel)

    # Union Transformation un_returns
    # UNION ALL of 2 groups
    un_returns_web = exp_web_channel.select(
        F.col("RETURN_ID").alias("RETURN_ID1"),
        F.col("SKU").alias("SKU1"),
        F.col("AMOUNT").alias("AMOUNT1"),
        F.col("RETURN_DATE").alias("RETURN_DATE1"),
        F.col("o_CHANNEL").alias("CHANNEL1"),
        "_row_id",
    )
    un_returns_web = un_returns_web.select(
        F.col("RETURN_ID1").alias("RETURN_ID"),
        F.col("SKU1").alias("SKU"),
        F.col("AMOUNT1").alias("AMOUNT"),
        F.col("RETURN_DATE1").alias("RETURN_DATE"),
        F.col("CHANNEL1").alias("CHANNEL"),
        "_row_id",
    )
    un_returns_store = exp_store_channel.select(
        F.col("RETURN_ID").alias("RETURN_ID2"),
        F.col("o_SKU").alias("SKU2"),
        F.col("AMOUNT").alias("AMOUNT2"),
        F.col("o_RETURN_DATE").alias("RETURN_DATE2"),
        F.col("o_CHANNEL").alias("CHANNEL2"),
        "_row_id",
    )
    un_returns_store = un_returns_store.select(
        F.col("RETURN_ID2").alias("RETURN_ID"),
        F.col("SKU2").alias("SKU"),
        F.col("AMOUNT2").alias("AMOUNT"),
        F.col("RETURN_DATE2").alias("RETURN_DATE"),
        F.col("CHANNEL2").alias("CHANNEL"),
        "_row_id",
    )
    un_returns = un_returns_web.unionByName(un_returns_store).withColumn(
        "_row_id", F.monotonically_increasing_id()
    )

    # Target Definition ALL_RETURNS
    # relational table ALL_RETURNS; treat source rows as Insert
    all_returns = un_returns.select("RETURN_ID", "SKU", "AMOUNT", "RETURN_DATE", "CHANNEL", "_row_id")
    job.write_table(
        "ALL_RETURNS",
        all_returns,
        job.connection("TARGET", "$DBConnection_DW"),
        "ALL_RETURNS",
        [
            ("RETURN_ID", "decimal(12,0)"),
            ("SKU", "string"),
            ("AMOUNT", "decimal(12,2)"),
            ("RETURN_DATE", "timestamp"),
            ("CHANNEL", "string"),
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
