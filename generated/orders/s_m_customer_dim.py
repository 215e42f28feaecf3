r"""Session s_m_customer_dim as a PySpark job.

Converted by infaflow from mapping m_customer_dim (folder ORDERS), session s_m_customer_dim.
Defined at samples/orders/wf_orders_daily.xml:670.
Run it with:
    spark-submit s_m_customer_dim.py \
        --param '$PMSourceFileDir=...' --param '$PMTargetFileDir=...'
"""

from __future__ import annotations

from infaflow_support import Job, SessionResult, main, require_version
from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F

require_version(4)  # the version of infaflow_support.py this job was converted for

SESSION = "s_m_customer_dim"
# Mapping parameters and variables and built-in names: name -> (Spark type, default value).
PARAMETERS = {
    "$PMMappingName": ("string", "m_customer_dim"),
    "$PMSessionName": ("string", "s_m_customer_dim"),
    "$PMFolderName": ("string", "ORDERS"),
}


def run(spark: SparkSession, params: dict | None = None) -> SessionResult:
    """Run s_m_customer_dim: read the sources, apply the mapping, write the targets."""
    job = Job(spark, SESSION, params, PARAMETERS)

    # Source Definition customers
    # flat file, 6 fields
    customers = job.read_flat_file(
        "customers",
        job.path("$PMSourceFileDir/", "customers.csv"),
        [
            ("CUSTOMER_ID", "decimal(10,0)"),
            ("FIRST_NAME", "string"),
            ("LAST_NAME", "string"),
            ("EMAIL", "string"),
            ("COUNTRY_CODE", "string"),
            ("SIGNUP_DATE", "string"),
        ],
        delimiter=",",
        quote='"',
        skip_rows=1,
        codepage="MS1252",
    )

    # Source Qualifier SQ_customers
    sq_customers = customers.select(
        "CUSTOMER_ID",
        "FIRST_NAME",
        "LAST_NAME",
        "EMAIL",
        "COUNTRY_CODE",
        "SIGNUP_DATE",
        "_row_id",
    )

    # Filter fil_has_customer_id
    # condition: NOT ISNULL(CUSTOMER_ID)
    fil_has_customer_id = sq_customers.select(
        "CUSTOMER_ID",
        "FIRST_NAME",
        "LAST_NAME",
        "EMAIL",
        "COUNTRY_CODE",
        "SIGNUP_DATE",
        "_row_id",
    )
    fil_has_customer_id = fil_has_customer_id.where(~F.col("CUSTOMER_ID").isNull())

    # Sorter srt_customers_distinct
    # keys: CUSTOMER_ID ASCENDING
    srt_customers_distinct = fil_has_customer_id.select(
        "CUSTOMER_ID",
        "FIRST_NAME",
        "LAST_NAME",
        "EMAIL",
        "COUNTRY_CODE",
        "SIGNUP_DATE",
        "_row_id",
    )
    srt_customers_distinct = srt_customers_distinct.dropDuplicates(
        ["CUSTOMER_ID", "FIRST_NAME", "LAST_NAME", "EMAIL", "COUNTRY_CODE", "SIGNUP_DATE"]
    )
    srt_customers_distinct = srt_customers_distinct.orderBy(
        F.col("CUSTOMER_ID").asc_nulls_last(),
        F.col("FIRST_NAME").asc_nulls_last(),
        F.col("LAST_NAME").asc_nulls_last(),
        F.col("EMAIL").asc_nulls_last(),
        F.col("COUNTRY_CODE").asc_nulls_last(),
        F.col("SIGNUP_DATE").asc_nulls_last(),
        "_row_id",
    )
    srt_customers_distinct = srt_customers_distinct.withColumn("_row_id", F.monotonically_increasing_id())

    # Sequence seq_customer_sk
    # values are numbered where NEXTVAL is connected
    seq_customer_sk = job.sequence(
        "ORDERS.m_customer_dim.seq_customer_sk",
        start=1,
        increment=1,
        end=9223372036854775807,
        cycle=False,
        current=1,
        reset=True,
    )

    # Expression exp_clean_customer
    exp_clean_customer = srt_customers_distinct.select(
        "CUSTOMER_ID",
        "FIRST_NAME",
        "LAST_NAME",
        "EMAIL",
        "COUNTRY_CODE",
        "SIGNUP_DATE",
        "_row_id",
    )
    exp_clean_customer = seq_customer_sk.number(exp_clean_customer, nextval="NEXTVAL")
    exp_clean_customer = exp_clean_customer.select(
        "CUSTOMER_ID",
        # o_CUSTOMER_SK = NEXTVAL
        F.col("NEXTVAL").cast("bigint").alias("o_CUSTOMER_SK"),
        # o_FULL_NAME = RTRIM(LTRIM(RTRIM(FIRST_NAME)) || ' ' || UPPER(LTRIM(RTRIM(LAST_NAME))))
        F.rtrim(
            F.concat_ws(
                "",
                F.ltrim(F.rtrim(F.col("FIRST_NAME"))),
                F.lit(" "),
                F.upper(F.ltrim(F.rtrim(F.col("LAST_NAME")))),
            )
        )
        .cast("string")
        .alias("o_FULL_NAME"),
        # o_EMAIL = IIF(ISNULL(EMAIL) OR LENGTH(LTRIM(RTRIM(EMAIL))) = 0, 'unknown',
        #     LOWER(LTRIM(RTRIM(EMAIL))))
        F.when(
            (F.col("EMAIL").isNull() | (F.length(F.ltrim(F.rtrim(F.col("EMAIL")))) == F.lit(0))),
            F.lit("unknown"),
        )
        .otherwise(F.lower(F.ltrim(F.rtrim(F.col("EMAIL")))))
        .cast("string")
        .alias("o_EMAIL"),
        # o_COUNTRY_CODE = UPPER(LTRIM(RTRIM(COUNTRY_CODE)))
        F.upper(F.ltrim(F.rtrim(F.col("COUNTRY_CODE")))).cast("string").alias("o_COUNTRY_CODE"),
        # o_SIGNUP_YEAR = IIF(IS_DATE(SIGNUP_DATE, 'YYYY-MM-DD'), GET_DATE_PART(TO_DATE(SIGNUP_DATE,
        #     'YYYY-MM-DD'), 'YYYY'), NULL)
        F.when(
            F.when(
                F.col("SIGNUP_DATE").isNotNull(),
                F.when(
                    F.col("SIGNUP_DATE").rlike("^([0-9]{1,4})-([0-9]{1,2})-([0-9]{1,2})\\z"),
                    F.try_to_timestamp(F.col("SIGNUP_DATE"), F.lit("y-M-d")),
                ).isNotNull(),
            ),
            F.year(
                F.when(
                    F.col("SIGNUP_DATE").rlike("^([0-9]{1,4})-([0-9]{1,2})-([0-9]{1,2})\\z"),
                    F.try_to_timestamp(F.col("SIGNUP_DATE"), F.lit("y-M-d")),
                )
            ),
        )
        .cast("int")
        .alias("o_SIGNUP_YEAR"),
        F.when(
            F.when(
                F.col("SIGNUP_DATE").isNotNull(),
                F.when(
                    F.col("SIGNUP_DATE").rlike("^([0-9]{1,4})-([0-9]{1,2})-([0-9]{1,2})\\z"),
                    F.try_to_timestamp(F.col("SIGNUP_DATE"), F.lit("y-M-d")),
                ).isNotNull(),
            ),
            F.when(
                F.when(
                    F.col("SIGNUP_DATE").rlike("^([0-9]{1,4})-([0-9]{1,2})-([0-9]{1,2})\\z"),
                    F.try_to_timestamp(F.col("SIGNUP_DATE"), F.lit("y-M-d")),
                ).isNull()
                & F.col("SIGNUP_DATE").isNotNull(),
                F.lit("TO_DATE: value does not match the format YYYY-MM-DD"),
            ),
        ).alias("_row_error"),
        "_row_id",
    )
    # rows with a row error are rejected: counted, written to the row-error file
    exp_clean_customer = job.reject_errors("exp_clean_customer", exp_clean_customer)

    # Lookup Procedure lkp_country
    # Use Any Value; condition COUNTRY_CODE = in_COUNTRY_CODE
    lkp_country_cache = job.read_flat_file(
        "lkp_country",
        job.path("$PMSourceFileDir/", "countries.csv"),
        [("COUNTRY_CODE", "string"), ("COUNTRY_NAME", "string"), ("REGION", "string")],
        delimiter=",",
        quote='"',
        skip_rows=1,
        codepage="MS1252",
        count=False,
    )
    lkp_country_cache = lkp_country_cache.drop("_row_id")
    # Use Any Value: the first row per key in cache order
    lkp_country_cache = lkp_country_cache.withColumn(
        "_lkp_order",
        F.row_number().over(
            Window.partitionBy("COUNTRY_CODE").orderBy(
                F.col("COUNTRY_CODE").asc_nulls_last(),
                F.col("COUNTRY_NAME").asc_nulls_last(),
                F.col("REGION").asc_nulls_last(),
            )
        ),
    )
    lkp_country_cache = lkp_country_cache.where(F.col("_lkp_order") == 1)
    lkp_country_cache = lkp_country_cache.select(
        F.col("COUNTRY_CODE").alias("lkp_country_COUNTRY_CODE"),
        "COUNTRY_NAME",
        "REGION",
        "_lkp_order",
    )
    lkp_country = exp_clean_customer.join(
        lkp_country_cache.withColumn("_lkp_hit", F.lit(True)),
        exp_clean_customer["o_COUNTRY_CODE"].eqNullSafe(lkp_country_cache["lkp_country_COUNTRY_CODE"]),
        "left",
    )
    lkp_country = lkp_country.drop("_lkp_hit", "_lkp_order")

    # Target Definition customers_dim
    # flat file customers_dim.csv
    customers_dim = lkp_country.select(
        F.col("o_CUSTOMER_SK").alias("CUSTOMER_SK"),
        "CUSTOMER_ID",
        F.col("o_FULL_NAME").alias("FULL_NAME"),
        F.col("o_EMAIL").alias("EMAIL"),
        F.col("o_COUNTRY_CODE").alias("COUNTRY_CODE"),
        F.col("o_SIGNUP_YEAR").alias("SIGNUP_YEAR"),
        "COUNTRY_NAME",
        "REGION",
        "_row_id",
    )
    job.write_flat_file(
        "customers_dim",
        customers_dim,
        job.path("$PMTargetFileDir/", "customers_dim.csv"),
        [
            ("CUSTOMER_SK", "decimal(10,0)"),
            ("CUSTOMER_ID", "decimal(10,0)"),
            ("FULL_NAME", "string"),
            ("EMAIL", "string"),
            ("COUNTRY_CODE", "string"),
            ("COUNTRY_NAME", "string"),
            ("REGION", "string"),
            ("SIGNUP_YEAR", "decimal(4,0)"),
        ],
        delimiter=",",
        quote="",
        header=True,
        codepage="MS1252",
    )

    return job.finish()


if __name__ == "__main__":
    raise SystemExit(main(run))
