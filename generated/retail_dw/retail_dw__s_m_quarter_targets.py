r"""Session s_m_quarter_targets as a PySpark job.

Converted by infaflow from mapping m_quarter_targets (folder RETAIL_DW), session s_m_quarter_targets.
Defined at samples/retail_dw/wf_retail_nightly.xml:1044.
Run it with:
    spark-submit retail_dw__s_m_quarter_targets.py \
        --param '$PMSourceFileDir=...' --param '$PMTargetFileDir=...'
"""

from __future__ import annotations

from infaflow_support import Job, SessionResult, main, require_version
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

require_version(4)  # the version of infaflow_support.py this job was converted for

SESSION = "s_m_quarter_targets"
# Mapping parameters and variables and built-in names: name -> (Spark type, default value).
PARAMETERS = {
    "$PMMappingName": ("string", "m_quarter_targets"),
    "$PMSessionName": ("string", "s_m_quarter_targets"),
    "$PMFolderName": ("string", "RETAIL_DW"),
}


def run(spark: SparkSession, params: dict | None = None) -> SessionResult:
    """Run s_m_quarter_targets: read the sources, apply the mapping, write the targets."""
    job = Job(spark, SESSION, params, PARAMETERS)

    # Source Definition sales_targets
    # flat file, 5 fields
    sales_targets = job.read_flat_file(
        "sales_targets",
        job.path("$PMSourceFileDir/", "sales_targets.csv"),
        [
            ("STORE_ID", "decimal(10,0)"),
            ("TARGET_Q1", "decimal(12,2)"),
            ("TARGET_Q2", "decimal(12,2)"),
            ("TARGET_Q3", "decimal(12,2)"),
            ("TARGET_Q4", "decimal(12,2)"),
        ],
        delimiter=",",
        quote='"',
        skip_rows=1,
        codepage="MS1252",
    )

    # Source Qualifier SQ_sales_targets
    sq_sales_targets = sales_targets.select(
        "STORE_ID",
        "TARGET_Q1",
        "TARGET_Q2",
        "TARGET_Q3",
        "TARGET_Q4",
        "_row_id",
    )

    # Normalizer nrm_quarters
    # 4 occurrences per input row
    nrm_quarters = sq_sales_targets.select(
        F.col("STORE_ID").alias("STORE_ID_in"),
        F.col("TARGET_Q1").alias("TARGET_AMOUNT_in1"),
        F.col("TARGET_Q2").alias("TARGET_AMOUNT_in2"),
        F.col("TARGET_Q3").alias("TARGET_AMOUNT_in3"),
        F.col("TARGET_Q4").alias("TARGET_AMOUNT_in4"),
        "_row_id",
    )
    nrm_quarters_gk_target_amount = job.generated_key(
        "RETAIL_DW.m_quarter_targets.nrm_quarters.GK_TARGET_AMOUNT",
        value=1,
        reset=True,
        restart=False,
    )
    nrm_quarters = nrm_quarters_gk_target_amount.number(nrm_quarters, "GK_TARGET_AMOUNT")
    nrm_quarters = nrm_quarters.withColumn(
        "_occurs",
        F.explode(
            F.array(
                F.struct(F.lit(1).alias("occurrence"), F.col("TARGET_AMOUNT_in1").alias("TARGET_AMOUNT")),
                F.struct(F.lit(2).alias("occurrence"), F.col("TARGET_AMOUNT_in2").alias("TARGET_AMOUNT")),
                F.struct(F.lit(3).alias("occurrence"), F.col("TARGET_AMOUNT_in3").alias("TARGET_AMOUNT")),
                F.struct(F.lit(4).alias("occurrence"), F.col("TARGET_AMOUNT_in4").alias("TARGET_AMOUNT")),
            )
        ),
    )
    nrm_quarters = nrm_quarters.select(
        F.col("STORE_ID_in").alias("STORE_ID"),
        F.col("_occurs.TARGET_AMOUNT").alias("TARGET_AMOUNT"),
        "GK_TARGET_AMOUNT",
        F.col("_occurs.occurrence").alias("GCID_TARGET_AMOUNT"),
        F.struct("_row_id", "_occurs.occurrence").alias("_row_id"),
    )

    # Target Definition STORE_QUARTER_TARGET
    # relational table STORE_QUARTER_TARGET; treat source rows as Insert
    store_quarter_target = nrm_quarters.select(
        "STORE_ID",
        F.col("GCID_TARGET_AMOUNT").alias("QUARTER_NO"),
        "TARGET_AMOUNT",
        "_row_id",
    )
    job.write_table(
        "STORE_QUARTER_TARGET",
        store_quarter_target,
        job.connection("TARGET", "$DBConnection_DW"),
        "STORE_QUARTER_TARGET",
        [
            ("STORE_ID", "decimal(10,0)"),
            ("QUARTER_NO", "decimal(1,0)"),
            ("TARGET_AMOUNT", "decimal(12,2)"),
        ],
        keys=[],
        treat_rows_as="Insert",
        insert=True,
        update="Update as Update",
        delete=True,
        truncate=True,
    )

    return job.finish()


if __name__ == "__main__":
    raise SystemExit(main(run))
