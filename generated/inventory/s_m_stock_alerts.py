r"""Session s_m_stock_alerts as a PySpark job.

Converted by infaflow from mapping m_stock_alerts (folder INVENTORY), session s_m_stock_alerts.
Defined at samples/inventory/wf_inventory_alerts.xml:123.
Run it with:
    spark-submit s_m_stock_alerts.py \
        --param '$PMSourceFileDir=...' --param '$PMTargetFileDir=...'
"""

from __future__ import annotations

from infaflow_support import Job, SessionResult, main, require_version
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

require_version(4)  # the version of infaflow_support.py this job was converted for

SESSION = "s_m_stock_alerts"
# Mapping parameters and variables and built-in names: name -> (Spark type, default value).
PARAMETERS = {
    "$PMMappingName": ("string", "m_stock_alerts"),
    "$PMSessionName": ("string", "s_m_stock_alerts"),
    "$PMFolderName": ("string", "INVENTORY"),
}


def run(spark: SparkSession, params: dict | None = None) -> SessionResult:
    """Run s_m_stock_alerts: read the sources, apply the mapping, write the targets."""
    job = Job(spark, SESSION, params, PARAMETERS)

    # Source Definition stock
    # flat file, 4 fields
    stock = job.read_flat_file(
        "stock",
        job.path("$PMSourceFileDir/", "$InputFile_Stock"),
        [
            ("SKU", "string"),
            ("WAREHOUSE", "string"),
            ("QTY_ON_HAND", "decimal(7,0)"),
            ("REORDER_LEVEL", "decimal(7,0)"),
        ],
        delimiter=",",
        quote='"',
        skip_rows=1,
        codepage="MS1252",
    )

    # Source Qualifier SQ_stock
    sq_stock = stock.select("SKU", "WAREHOUSE", "QTY_ON_HAND", "REORDER_LEVEL", "_row_id")

    # Filter fil_below_reorder_level
    # condition: QTY_ON_HAND < REORDER_LEVEL
    fil_below_reorder_level = sq_stock.select(
        "SKU",
        "WAREHOUSE",
        "QTY_ON_HAND",
        "REORDER_LEVEL",
        "_row_id",
    )
    fil_below_reorder_level = fil_below_reorder_level.where(F.col("QTY_ON_HAND") < F.col("REORDER_LEVEL"))

    # Expression exp_reorder
    exp_reorder = fil_below_reorder_level.withColumns(
        {
            # o_REORDER_QTY = REORDER_LEVEL * 2 - QTY_ON_HAND
            "o_REORDER_QTY": (F.col("REORDER_LEVEL") * F.lit(2) - F.col("QTY_ON_HAND")).cast("decimal(7,0)"),
            # o_URGENCY = IIF(QTY_ON_HAND <= 0, 'OUT', 'LOW')
            "o_URGENCY": F.when((F.col("QTY_ON_HAND") <= F.lit(0)), F.lit("OUT"))
            .otherwise(F.lit("LOW"))
            .cast("string"),
        }
    )

    # Target Definition stock_alerts
    # flat file $OutputFile_Alerts
    stock_alerts = exp_reorder.select(
        "SKU",
        "WAREHOUSE",
        "QTY_ON_HAND",
        F.col("o_REORDER_QTY").alias("REORDER_QTY"),
        F.col("o_URGENCY").alias("URGENCY"),
        "_row_id",
    )
    job.write_flat_file(
        "stock_alerts",
        stock_alerts,
        job.path("$PMTargetFileDir/", "$OutputFile_Alerts"),
        [
            ("SKU", "string"),
            ("WAREHOUSE", "string"),
            ("QTY_ON_HAND", "decimal(7,0)"),
            ("REORDER_QTY", "decimal(7,0)"),
            ("URGENCY", "string"),
        ],
        delimiter=",",
        quote="",
        header=True,
        codepage="MS1252",
    )

    return job.finish()


if __name__ == "__main__":
    raise SystemExit(main(run))
