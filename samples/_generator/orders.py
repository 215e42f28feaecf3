"""samples/orders: the quick-start export (flat files in, flat files out, runnable locally).

Folder ORDERS, workflow wf_orders_daily:

    Start -> cmd_prepare_target_dir -> s_m_customer_dim  --\\
                                   \\-> s_m_order_facts   ---> dec_loads_ok -(TRUE)-> asg_record_load
                                                                            \\-(FALSE)-> eml_load_problem
    asg_record_load -($$LOADED_ORDERS > 0)-> s_m_customer_orders -(SUCCEEDED)-> cmd_verify_outputs
                                                                  \\-(FAILED)-> eml_load_problem (OR join)
"""

from __future__ import annotations

from pcxml import (
    Col,
    E,
    FileIO,
    Flow,
    Mapping,
    Node,
    assignment,
    command,
    config,
    decision,
    email,
    flatfile,
    folder,
    group,
    lookup_attrs,
    port,
    powermart,
    session,
    source_flatfile,
    sq_attrs,
    target_flatfile,
    transformation,
    user_variable,
)

REPOSITORY = "rep_infaflow_demo"
FOLDER = "ORDERS"
ENCODING = "Windows-1252"
SRC_DIR = "$PMSourceFileDir/"
TGT_DIR = "$PMTargetFileDir/"

# ----------------------------------------------------------------- definitions

CUSTOMERS = [
    Col("CUSTOMER_ID", "number", 10),
    Col("FIRST_NAME", "string", 30),
    Col("LAST_NAME", "string", 30),
    Col("EMAIL", "string", 60),
    Col("COUNTRY_CODE", "string", 2),
    Col("SIGNUP_DATE", "string", 10),
]
ORDERS = [
    Col("ORDER_ID", "number", 10),
    Col("CUSTOMER_ID", "number", 10),
    Col("ORDER_DATE", "string", 10),
    Col("STATUS", "string", 12),
]
ORDER_LINES = [
    Col("ORDER_ID", "number", 10),
    Col("LINE_NO", "number", 5),
    Col("PRODUCT_ID", "string", 5),
    Col("QUANTITY", "number", 7),
    Col("UNIT_PRICE", "number", 10, 2),
    Col("DISCOUNT_PCT", "number", 5, 2),
]
ORDER_FACTS = [
    Col("ORDER_ID", "number", 10),
    Col("CUSTOMER_ID", "number", 10),
    Col("ORDER_DATE", "string", 10),
    Col("ORDER_TOTAL", "number", 12, 2),
    Col("LINE_COUNT", "number", 10),
    Col("ELECTRONICS_AMOUNT", "number", 12, 2),
]
CUSTOMERS_DIM = [
    Col("CUSTOMER_SK", "number", 10),
    Col("CUSTOMER_ID", "number", 10),
    Col("FULL_NAME", "string", 61),
    Col("EMAIL", "string", 60),
    Col("COUNTRY_CODE", "string", 2),
    Col("COUNTRY_NAME", "string", 40),
    Col("REGION", "string", 10),
    Col("SIGNUP_YEAR", "number", 4),
]
ROUTED_ORDERS = [
    Col("ORDER_ID", "number", 10),
    Col("CUSTOMER_ID", "number", 10),
    Col("ORDER_TOTAL", "number", 12, 2),
]
ELECTRONICS_ORDERS = [
    Col("ORDER_ID", "number", 10),
    Col("CUSTOMER_ID", "number", 10),
    Col("ELECTRONICS_AMOUNT", "number", 12, 2),
]
CUSTOMER_ORDER_HISTORY = [
    Col("CUSTOMER_ID", "number", 10),
    Col("ORDER_ID", "number", 10),
    Col("ORDER_DATE", "string", 10),
    Col("ORDER_TOTAL", "number", 12, 2),
    Col("CUSTOMER_ORDER_SEQ", "number", 10),
    Col("RUNNING_TOTAL", "number", 14, 2),
]


def _sq(name: str, cols: list[Col], source: str, m: Mapping) -> str:
    """A flat-file Source Qualifier passing every column through."""
    ports = [
        port(c.name, "decimal" if c.datatype == "number" else "string", "INPUT/OUTPUT", c.precision, c.scale)
        for c in cols
    ]
    m.transform(transformation(name, "Source Qualifier", ports, sq_attrs()), associated=[source])
    m.connect(source, name, [c.name for c in cols])
    return name


# ----------------------------------------------------------------- m_customer_dim


def m_customer_dim() -> Mapping:
    """customers.csv -> drop rows without id -> sort + distinct -> clean + surrogate key -> country lookup."""
    m = Mapping("m_customer_dim", "Customer dimension: de-duplicate, clean, number and enrich customers.")
    m.source("customers")
    _sq("SQ_customers", CUSTOMERS, "customers", m)
    names = [c.name for c in CUSTOMERS]

    fil = transformation(
        "fil_has_customer_id",
        "Filter",
        [
            port(c.name, "decimal" if c.datatype == "number" else "string", "INPUT/OUTPUT", c.precision)
            for c in CUSTOMERS
        ],
        [("Filter Condition", "NOT ISNULL(CUSTOMER_ID)"), ("Tracing Level", "Normal")],
    )
    m.transform(fil)
    m.connect("SQ_customers", "fil_has_customer_id", names)

    srt = transformation(
        "srt_customers_distinct",
        "Sorter",
        [
            port(
                c.name,
                "decimal" if c.datatype == "number" else "string",
                "INPUT/OUTPUT",
                c.precision,
                ISSORTKEY="YES" if c.name == "CUSTOMER_ID" else "NO",
                SORTDIRECTION="ASCENDING",
            )
            for c in CUSTOMERS
        ],
        [
            ("Sorter Cache Size", "Auto"),
            ("Case Sensitive", "YES"),
            ("Work Directory", "$PMTempDir"),
            ("Distinct", "YES"),
            ("Tracing Level", "Normal"),
            ("Null Treated Low", "NO"),
            ("Merge Only", "NO"),
            ("Partitioning", "Order records for individual partitions"),
            ("Transformation Scope", "All Input"),
        ],
    )
    m.transform(srt)
    m.connect("fil_has_customer_id", "srt_customers_distinct", names)

    seq = transformation(
        "seq_customer_sk",
        "Sequence",
        [
            port("NEXTVAL", "bigint", "OUTPUT", 19, default="ERROR('transformation error')"),
            port("CURRVAL", "bigint", "OUTPUT", 19, default="ERROR('transformation error')"),
        ],
        [
            ("Start Value", "1"),
            ("Increment By", "1"),
            ("End Value", "9223372036854775807"),
            ("Current Value", "1"),
            ("Cycle", "NO"),
            ("Number of Cached Values", "0"),
            ("Reset", "YES"),
            ("Tracing Level", "Normal"),
        ],
    )
    m.transform(seq)

    blank = "ISNULL({0}) OR LENGTH(LTRIM(RTRIM({0}))) = 0"
    exp = transformation(
        "exp_clean_customer",
        "Expression",
        [
            port("NEXTVAL", "bigint", "INPUT", 19),
            port("CUSTOMER_ID", "decimal", "INPUT/OUTPUT", 10, expr="CUSTOMER_ID"),
            port("FIRST_NAME", "string", "INPUT", 30),
            port("LAST_NAME", "string", "INPUT", 30),
            port("EMAIL", "string", "INPUT", 60),
            port("COUNTRY_CODE", "string", "INPUT", 2),
            port("SIGNUP_DATE", "string", "INPUT", 10),
            port("o_CUSTOMER_SK", "bigint", "OUTPUT", 19, expr="NEXTVAL"),
            port(
                "o_FULL_NAME",
                "string",
                "OUTPUT",
                61,
                expr="RTRIM(LTRIM(RTRIM(FIRST_NAME)) || ' ' || UPPER(LTRIM(RTRIM(LAST_NAME))))",
            ),
            port(
                "o_EMAIL",
                "string",
                "OUTPUT",
                60,
                expr=f"IIF({blank.format('EMAIL')}, 'unknown', LOWER(LTRIM(RTRIM(EMAIL))))",
            ),
            port("o_COUNTRY_CODE", "string", "OUTPUT", 2, expr="UPPER(LTRIM(RTRIM(COUNTRY_CODE)))"),
            port(
                "o_SIGNUP_YEAR",
                "integer",
                "OUTPUT",
                10,
                expr="IIF(IS_DATE(SIGNUP_DATE, 'YYYY-MM-DD'), GET_DATE_PART(TO_DATE(SIGNUP_DATE, 'YYYY-MM-DD'), 'YYYY'), NULL)",
            ),
        ],
        [("Tracing Level", "Normal")],
        description="Trims names, defaults missing e-mails to 'unknown', derives the signup year (invalid dates give NULL).",
    )
    m.transform(exp)
    m.connect("seq_customer_sk", "exp_clean_customer", ["NEXTVAL"])
    m.connect("srt_customers_distinct", "exp_clean_customer", names)

    lkp = transformation(
        "lkp_country",
        "Lookup Procedure",
        [
            port("COUNTRY_CODE", "string", "LOOKUP/OUTPUT", 2),
            port("COUNTRY_NAME", "string", "LOOKUP/OUTPUT", 40),
            port("REGION", "string", "LOOKUP/OUTPUT", 10),
            port("in_COUNTRY_CODE", "string", "INPUT", 2),
        ],
        lookup_attrs("COUNTRY_CODE = in_COUNTRY_CODE", flat_file=True),
        extra=[flatfile(1)],
        description="Connected lookup on countries.csv; customers without a known country get NULL name and region.",
    )
    m.transform(lkp)
    m.connect("exp_clean_customer", "lkp_country", [("o_COUNTRY_CODE", "in_COUNTRY_CODE")])

    m.target("customers_dim")
    m.connect(
        "exp_clean_customer",
        "customers_dim",
        [
            ("o_CUSTOMER_SK", "CUSTOMER_SK"),
            "CUSTOMER_ID",
            ("o_FULL_NAME", "FULL_NAME"),
            ("o_EMAIL", "EMAIL"),
            ("o_COUNTRY_CODE", "COUNTRY_CODE"),
            ("o_SIGNUP_YEAR", "SIGNUP_YEAR"),
        ],
    )
    m.connect("lkp_country", "customers_dim", ["COUNTRY_NAME", "REGION"])
    return m


# ----------------------------------------------------------------- m_order_facts


def m_order_facts() -> Mapping:
    """orders + order_lines -> open orders only -> join -> line amounts -> totals per order -> route."""
    m = Mapping("m_order_facts", "Order facts: one row per open order with its total, routed by value.")
    m.source("orders")
    m.source("order_lines")
    _sq("SQ_orders", ORDERS, "orders", m)
    _sq("SQ_order_lines", ORDER_LINES, "order_lines", m)

    fil = transformation(
        "fil_open_orders",
        "Filter",
        [
            port("ORDER_ID", "decimal", "INPUT/OUTPUT", 10),
            port("CUSTOMER_ID", "decimal", "INPUT/OUTPUT", 10),
            port("ORDER_DATE", "string", "INPUT/OUTPUT", 10),
            port("STATUS", "string", "INPUT/OUTPUT", 12),
        ],
        [("Filter Condition", "STATUS <> 'CANCELLED' AND LENGTH(STATUS) > 0"), ("Tracing Level", "Normal")],
        description="Cancelled orders and orders without a status (NULL condition) are dropped.",
    )
    m.transform(fil)
    m.connect("SQ_orders", "fil_open_orders", ["ORDER_ID", "CUSTOMER_ID", "ORDER_DATE", "STATUS"])

    jnr = transformation(
        "jnr_order_lines",
        "Joiner",
        [
            port("ORDER_ID", "decimal", "INPUT/OUTPUT", 10),
            port("LINE_NO", "decimal", "INPUT/OUTPUT", 5),
            port("PRODUCT_ID", "string", "INPUT/OUTPUT", 5),
            port("QUANTITY", "decimal", "INPUT/OUTPUT", 7),
            port("UNIT_PRICE", "decimal", "INPUT/OUTPUT", 10, 2),
            port("DISCOUNT_PCT", "decimal", "INPUT/OUTPUT", 5, 2),
            port("M_ORDER_ID", "decimal", "INPUT/OUTPUT/MASTER", 10),
            port("CUSTOMER_ID", "decimal", "INPUT/OUTPUT/MASTER", 10),
            port("ORDER_DATE", "string", "INPUT/OUTPUT/MASTER", 10),
        ],
        [
            ("Case Sensitive String Comparison", "YES"),
            ("Cache Directory", "$PMCacheDir"),
            ("Join Condition", "M_ORDER_ID = ORDER_ID"),
            ("Join Type", "Normal Join"),
            ("Null ordering in master", "Null Is Highest Value"),
            ("Null ordering in detail", "Null Is Highest Value"),
            ("Tracing Level", "Normal"),
            ("Joiner Data Cache Size", "Auto"),
            ("Joiner Index Cache Size", "Auto"),
            ("Sorted Input", "NO"),
            ("Master Sort Order", "Auto"),
            ("Transformation Scope", "All Input"),
        ],
        description="Master = open orders, detail = order lines; orders without lines and orphan lines are dropped.",
    )
    m.transform(jnr)
    m.connect("fil_open_orders", "jnr_order_lines", [("ORDER_ID", "M_ORDER_ID"), "CUSTOMER_ID", "ORDER_DATE"])
    m.connect(
        "SQ_order_lines",
        "jnr_order_lines",
        ["ORDER_ID", "LINE_NO", "PRODUCT_ID", "QUANTITY", "UNIT_PRICE", "DISCOUNT_PCT"],
    )

    lkp = transformation(
        "lkp_product_category",
        "Lookup Procedure",
        [
            port("PRODUCT_ID", "string", "LOOKUP/OUTPUT", 5),
            port("PRODUCT_NAME", "string", "LOOKUP/OUTPUT", 40),
            port("CATEGORY", "string", "LOOKUP/RETURN/OUTPUT", 20),
            port("in_PRODUCT_ID", "string", "INPUT", 5),
        ],
        lookup_attrs("PRODUCT_ID = in_PRODUCT_ID", flat_file=True),
        extra=[flatfile(1)],
        description="Unconnected lookup called as :LKP.lkp_product_category(PRODUCT_ID); returns CATEGORY or NULL.",
    )
    m.transform(lkp)

    amount = "ROUND(QUANTITY * UNIT_PRICE * (100 - v_DISCOUNT) / 100, 2)"
    exp = transformation(
        "exp_line_amount",
        "Expression",
        [
            port("ORDER_ID", "decimal", "INPUT/OUTPUT", 10, expr="ORDER_ID"),
            port("CUSTOMER_ID", "decimal", "INPUT/OUTPUT", 10, expr="CUSTOMER_ID"),
            port("ORDER_DATE", "string", "INPUT/OUTPUT", 10, expr="ORDER_DATE"),
            port("LINE_NO", "decimal", "INPUT/OUTPUT", 5, expr="LINE_NO"),
            port("PRODUCT_ID", "string", "INPUT", 5),
            port("QUANTITY", "decimal", "INPUT", 7),
            port("UNIT_PRICE", "decimal", "INPUT", 10, 2),
            port("DISCOUNT_PCT", "decimal", "INPUT", 5, 2),
            port(
                "v_DISCOUNT",
                "decimal",
                "LOCAL VARIABLE",
                5,
                2,
                expr="IIF(ISNULL(DISCOUNT_PCT), 0, DISCOUNT_PCT)",
            ),
            port("v_CATEGORY", "string", "LOCAL VARIABLE", 20, expr=":LKP.lkp_product_category(PRODUCT_ID)"),
            port("o_LINE_AMOUNT", "decimal", "OUTPUT", 12, 2, expr=amount),
            port(
                "o_ELECTRONICS_AMOUNT",
                "decimal",
                "OUTPUT",
                12,
                2,
                expr=f"IIF(v_CATEGORY = 'Electronics', {amount}, 0)",
            ),
        ],
        [("Tracing Level", "Normal")],
        description="Line amount after discount (a missing discount counts as 0); electronics share via the unconnected lookup.",
    )
    m.transform(exp)
    m.connect(
        "jnr_order_lines",
        "exp_line_amount",
        [
            "ORDER_ID",
            "CUSTOMER_ID",
            "ORDER_DATE",
            "LINE_NO",
            "PRODUCT_ID",
            "QUANTITY",
            "UNIT_PRICE",
            "DISCOUNT_PCT",
        ],
    )

    agg = transformation(
        "agg_order_totals",
        "Aggregator",
        [
            port("ORDER_ID", "decimal", "INPUT/OUTPUT", 10, expr="ORDER_ID", exprtype="GROUPBY"),
            port("CUSTOMER_ID", "decimal", "INPUT/OUTPUT", 10, expr="CUSTOMER_ID"),
            port("ORDER_DATE", "string", "INPUT/OUTPUT", 10, expr="ORDER_DATE"),
            port("LINE_NO", "decimal", "INPUT", 5),
            port("LINE_AMOUNT", "decimal", "INPUT", 12, 2),
            port("LINE_ELECTRONICS_AMOUNT", "decimal", "INPUT", 12, 2),
            port("o_ORDER_TOTAL", "decimal", "OUTPUT", 12, 2, expr="SUM(LINE_AMOUNT)"),
            port("o_LINE_COUNT", "integer", "OUTPUT", 10, expr="COUNT(LINE_NO)"),
            port("o_ELECTRONICS_AMOUNT", "decimal", "OUTPUT", 12, 2, expr="SUM(LINE_ELECTRONICS_AMOUNT)"),
        ],
        [
            ("Cache Directory", "$PMCacheDir"),
            ("Tracing Level", "Normal"),
            ("Sorted Input", "NO"),
            ("Aggregator Data Cache Size", "Auto"),
            ("Aggregator Index Cache Size", "Auto"),
            ("Transformation Scope", "All Input"),
        ],
        description="Group by ORDER_ID; CUSTOMER_ID and ORDER_DATE are non-aggregated (value of the last row of the group).",
    )
    m.transform(agg)
    m.connect(
        "exp_line_amount",
        "agg_order_totals",
        [
            "ORDER_ID",
            "CUSTOMER_ID",
            "ORDER_DATE",
            "LINE_NO",
            ("o_LINE_AMOUNT", "LINE_AMOUNT"),
            ("o_ELECTRONICS_AMOUNT", "LINE_ELECTRONICS_AMOUNT"),
        ],
    )

    fields = [
        ("ORDER_ID", "decimal", 10, 0),
        ("CUSTOMER_ID", "decimal", 10, 0),
        ("ORDER_TOTAL", "decimal", 12, 2),
        ("ELECTRONICS_AMOUNT", "decimal", 12, 2),
    ]
    groups = [
        group("INPUT", 1, "INPUT"),
        group("HIGH_VALUE", 2, "OUTPUT", "ORDER_TOTAL >= $$HIGH_VALUE_THRESHOLD"),
        group("HAS_ELECTRONICS", 3, "OUTPUT", "ELECTRONICS_AMOUNT > 0"),
        group(
            "DEFAULT1",
            4,
            "OUTPUT/DEFAULT",
            description="Path for the data when none of the group conditions are satisfied.",
        ),
    ]
    rports = [port(n, dt, "INPUT", p, s, GROUP="INPUT") for n, dt, p, s in fields]
    for suffix, gname in (("1", "HIGH_VALUE"), ("2", "HAS_ELECTRONICS"), ("3", "DEFAULT1")):
        rports += [port(n + suffix, dt, "OUTPUT", p, s, GROUP=gname, REF_FIELD=n) for n, dt, p, s in fields]
    rtr = transformation(
        "rtr_order_value",
        "Router",
        rports,
        [("Tracing Level", "Normal")],
        groups=groups,
        description="An order goes to every group whose condition is TRUE; DEFAULT1 gets the orders matching none.",
    )
    m.transform(rtr)
    m.connect(
        "agg_order_totals",
        "rtr_order_value",
        [
            "ORDER_ID",
            "CUSTOMER_ID",
            ("o_ORDER_TOTAL", "ORDER_TOTAL"),
            ("o_ELECTRONICS_AMOUNT", "ELECTRONICS_AMOUNT"),
        ],
    )

    m.target("order_facts")
    m.target("high_value_orders")
    m.target("electronics_orders")
    m.target("other_orders")
    m.connect(
        "agg_order_totals",
        "order_facts",
        [
            "ORDER_ID",
            "CUSTOMER_ID",
            "ORDER_DATE",
            ("o_ORDER_TOTAL", "ORDER_TOTAL"),
            ("o_LINE_COUNT", "LINE_COUNT"),
            ("o_ELECTRONICS_AMOUNT", "ELECTRONICS_AMOUNT"),
        ],
    )
    m.connect(
        "rtr_order_value",
        "high_value_orders",
        [("ORDER_ID1", "ORDER_ID"), ("CUSTOMER_ID1", "CUSTOMER_ID"), ("ORDER_TOTAL1", "ORDER_TOTAL")],
    )
    m.connect(
        "rtr_order_value",
        "electronics_orders",
        [
            ("ORDER_ID2", "ORDER_ID"),
            ("CUSTOMER_ID2", "CUSTOMER_ID"),
            ("ELECTRONICS_AMOUNT2", "ELECTRONICS_AMOUNT"),
        ],
    )
    m.connect(
        "rtr_order_value",
        "other_orders",
        [("ORDER_ID3", "ORDER_ID"), ("CUSTOMER_ID3", "CUSTOMER_ID"), ("ORDER_TOTAL3", "ORDER_TOTAL")],
    )
    m.variable("$$HIGH_VALUE_THRESHOLD", "decimal", 12, default="1000", scale=2)
    return m


# ----------------------------------------------------------------- m_customer_orders


def m_customer_orders() -> Mapping:
    """order_facts.csv (written by s_m_order_facts) -> sort by customer/date -> running totals."""
    m = Mapping(
        "m_customer_orders", "Order history per customer with a running total (variable ports across rows)."
    )
    m.source("order_facts_in", ref="order_facts_src")
    cols = ORDER_FACTS
    _sq("SQ_order_facts", cols, "order_facts_in", m)

    srt = transformation(
        "srt_customer_date",
        "Sorter",
        [
            port("CUSTOMER_ID", "decimal", "INPUT/OUTPUT", 10, ISSORTKEY="YES", SORTDIRECTION="ASCENDING"),
            port("ORDER_DATE", "string", "INPUT/OUTPUT", 10, ISSORTKEY="YES", SORTDIRECTION="ASCENDING"),
            port("ORDER_ID", "decimal", "INPUT/OUTPUT", 10, ISSORTKEY="YES", SORTDIRECTION="ASCENDING"),
            port("ORDER_TOTAL", "decimal", "INPUT/OUTPUT", 12, 2, ISSORTKEY="NO", SORTDIRECTION="ASCENDING"),
        ],
        [
            ("Sorter Cache Size", "Auto"),
            ("Case Sensitive", "YES"),
            ("Work Directory", "$PMTempDir"),
            ("Distinct", "NO"),
            ("Tracing Level", "Normal"),
            ("Null Treated Low", "NO"),
            ("Merge Only", "NO"),
            ("Partitioning", "Order records for individual partitions"),
            ("Transformation Scope", "All Input"),
        ],
    )
    m.transform(srt)
    m.connect("SQ_order_facts", "srt_customer_date", ["CUSTOMER_ID", "ORDER_DATE", "ORDER_ID", "ORDER_TOTAL"])

    exp = transformation(
        "exp_running_total",
        "Expression",
        [
            port("CUSTOMER_ID", "decimal", "INPUT/OUTPUT", 10, expr="CUSTOMER_ID"),
            port("ORDER_DATE", "string", "INPUT/OUTPUT", 10, expr="ORDER_DATE"),
            port("ORDER_ID", "decimal", "INPUT/OUTPUT", 10, expr="ORDER_ID"),
            port("ORDER_TOTAL", "decimal", "INPUT/OUTPUT", 12, 2, expr="ORDER_TOTAL"),
            port(
                "v_AMOUNT",
                "decimal",
                "LOCAL VARIABLE",
                12,
                2,
                expr="IIF(ISNULL(ORDER_TOTAL), 0, ORDER_TOTAL)",
            ),
            port(
                "v_IS_NEW_CUSTOMER",
                "integer",
                "LOCAL VARIABLE",
                10,
                expr="IIF(CUSTOMER_ID = v_PREV_CUSTOMER_ID, 0, 1)",
            ),
            port(
                "v_RUNNING_TOTAL",
                "decimal",
                "LOCAL VARIABLE",
                14,
                2,
                expr="IIF(v_IS_NEW_CUSTOMER = 1, v_AMOUNT, v_RUNNING_TOTAL + v_AMOUNT)",
            ),
            port(
                "v_ORDER_SEQ",
                "integer",
                "LOCAL VARIABLE",
                10,
                expr="IIF(v_IS_NEW_CUSTOMER = 1, 1, v_ORDER_SEQ + 1)",
            ),
            port("v_PREV_CUSTOMER_ID", "decimal", "LOCAL VARIABLE", 10, expr="CUSTOMER_ID"),
            port("o_CUSTOMER_ORDER_SEQ", "integer", "OUTPUT", 10, expr="v_ORDER_SEQ"),
            port("o_RUNNING_TOTAL", "decimal", "OUTPUT", 14, 2, expr="v_RUNNING_TOTAL"),
        ],
        [("Tracing Level", "Normal")],
        description="v_PREV_CUSTOMER_ID is read before it is reassigned, so it holds the previous row's customer.",
    )
    m.transform(exp)
    m.connect(
        "srt_customer_date", "exp_running_total", ["CUSTOMER_ID", "ORDER_DATE", "ORDER_ID", "ORDER_TOTAL"]
    )

    m.target("customer_order_history")
    m.connect(
        "exp_running_total",
        "customer_order_history",
        [
            "CUSTOMER_ID",
            "ORDER_ID",
            "ORDER_DATE",
            "ORDER_TOTAL",
            ("o_CUSTOMER_ORDER_SEQ", "CUSTOMER_ORDER_SEQ"),
            ("o_RUNNING_TOTAL", "RUNNING_TOTAL"),
        ],
    )
    return m


# ----------------------------------------------------------------- workflow


def build() -> tuple[bytes, str]:
    """Return the export bytes and its encoding."""
    return _render(folder_node()), ENCODING


def folder_node() -> Node:
    """The ORDERS folder with everything the sample holds."""
    md, mf, mc = m_customer_dim(), m_order_facts(), m_customer_orders()

    wf = Flow(
        "wf_orders_daily",
        description="Daily orders load: customer dimension, order facts, customer order history.",
    )
    wf.start()
    wf.add_task(
        command(
            "cmd_prepare_target_dir",
            [("make_target_dir", "mkdir -p $PMTargetFileDir")],
            description="Creates the target directory (portable POSIX shell).",
        )
    )
    wf.add_task(
        decision(
            "dec_loads_ok",
            "$s_m_customer_dim.Status = SUCCEEDED AND $s_m_order_facts.Status = SUCCEEDED\r\n"
            "AND $s_m_order_facts.TgtSuccessRows > 0",
        )
    )
    wf.add_task(
        email(
            "eml_load_problem",
            "$PMFailureEmailUser",
            "wf_orders_daily ($$RUN_LABEL) needs attention",
            "A load of wf_orders_daily did not complete.\r\nWorkflow: %w\r\nFolder: %n",
        )
    )
    wf.add_task(
        assignment(
            "asg_record_load",
            [
                ("$$LOADED_ORDERS", "$s_m_order_facts.TgtSuccessRows"),
                ("$$RUN_COUNT", "$$RUN_COUNT + 1"),
            ],
        )
    )
    wf.add_task(
        command(
            "cmd_verify_outputs",
            [
                ("customers_dim_not_empty", "test -s $PMTargetFileDir/customers_dim.csv"),
                ("history_not_empty", "test -s $PMTargetFileDir/customer_order_history.csv"),
            ],
            description="Fails (and, with FAIL_PARENT_IF_INSTANCE_FAILS, fails the workflow) when an output is missing or empty.",
        )
    )

    wf.add_task(
        session(
            "s_m_customer_dim",
            md,
            files={
                "customers": FileIO(SRC_DIR, "customers.csv"),
                "lkp_country": FileIO(SRC_DIR, "countries.csv"),
                "customers_dim": FileIO(TGT_DIR, "customers_dim.csv"),
            },
        )
    )
    wf.add_task(
        session(
            "s_m_order_facts",
            mf,
            files={
                "orders": FileIO(SRC_DIR, "orders.csv"),
                "order_lines": FileIO(SRC_DIR, "order_lines.csv"),
                "lkp_product_category": FileIO(SRC_DIR, "products.csv"),
                "order_facts": FileIO(TGT_DIR, "order_facts.csv"),
                "high_value_orders": FileIO(TGT_DIR, "high_value_orders.csv"),
                "electronics_orders": FileIO(TGT_DIR, "electronics_orders.csv"),
                "other_orders": FileIO(TGT_DIR, "other_orders.csv"),
            },
        )
    )
    wf.add_task(
        session(
            "s_m_customer_orders",
            mc,
            files={
                "order_facts_in": FileIO(TGT_DIR, "order_facts.csv"),
                "customer_order_history": FileIO(TGT_DIR, "customer_order_history.csv"),
            },
            description="Reads the order_facts.csv file written by s_m_order_facts.",
        )
    )

    wf.instance("cmd_prepare_target_dir", "Command")
    wf.instance("s_m_customer_dim", "Session")
    wf.instance("s_m_order_facts", "Session")
    wf.instance("dec_loads_ok", "Decision")
    wf.instance("asg_record_load", "Assignment")
    wf.instance("eml_load_problem", "Email", and_join=False)
    wf.instance("s_m_customer_orders", "Session")
    wf.instance("cmd_verify_outputs", "Command", fail_parent=True)

    wf.link("Start", "cmd_prepare_target_dir")
    wf.link("cmd_prepare_target_dir", "s_m_customer_dim", "$cmd_prepare_target_dir.Status = SUCCEEDED")
    wf.link("cmd_prepare_target_dir", "s_m_order_facts", "$cmd_prepare_target_dir.Status = SUCCEEDED")
    wf.link("s_m_customer_dim", "dec_loads_ok")
    wf.link("s_m_order_facts", "dec_loads_ok")
    wf.link("dec_loads_ok", "asg_record_load", "$dec_loads_ok.Condition = TRUE")
    wf.link("dec_loads_ok", "eml_load_problem", "$dec_loads_ok.Condition = FALSE")
    wf.link("asg_record_load", "s_m_customer_orders", "$$LOADED_ORDERS > 0")
    wf.link("s_m_customer_orders", "cmd_verify_outputs", "$s_m_customer_orders.Status = SUCCEEDED")
    wf.link("s_m_customer_orders", "eml_load_problem", "$s_m_customer_orders.Status = FAILED")

    wf.variables += [
        user_variable("$$RUN_LABEL", "string", "adhoc", description="Set to 'daily' by the parameter file."),
        user_variable(
            "$$LOADED_ORDERS",
            "integer",
            "0",
            description="Rows loaded by s_m_order_facts (set by asg_record_load).",
        ),
        user_variable(
            "$$RUN_COUNT",
            "integer",
            "0",
            persistent=True,
            description="Number of completed runs (persistent).",
        ),
    ]

    fld = folder(
        FOLDER,
        "6c1f3a52-0d5e-4f7e-9a51-3b1e2c4d5a01",
        "Quick-start sample: orders from CSV files, café-style demo data (€ prices).",
    )
    fld.add(
        source_flatfile(
            "customers", CUSTOMERS, "Customers, one row per customer (with a duplicate and dirty rows)."
        ),
        source_flatfile(
            "order_facts_src", ORDER_FACTS, "order_facts.csv as written by s_m_order_facts, read back."
        ),
        source_flatfile("order_lines", ORDER_LINES),
        source_flatfile("orders", ORDERS),
        target_flatfile("customers_dim", CUSTOMERS_DIM),
        target_flatfile("customer_order_history", CUSTOMER_ORDER_HISTORY),
        target_flatfile("electronics_orders", ELECTRONICS_ORDERS),
        target_flatfile("high_value_orders", ROUTED_ORDERS),
        target_flatfile("order_facts", ORDER_FACTS),
        target_flatfile("other_orders", ROUTED_ORDERS),
        md.node(),
        mf.node(),
        mc.node(),
        config(),
        wf.node(),
    )
    return fld


def _render(fld: Node) -> bytes:
    from pcxml import render

    return render(powermart(REPOSITORY, [fld]), ENCODING)


_ = E  # re-exported helpers used by other sample scripts
