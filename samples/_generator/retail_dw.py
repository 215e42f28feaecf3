"""samples/retail_dw: relational retail warehouse, two folders, shortcuts, nested worklets (UTF-8).

Folder SHARED_RETAIL (shared): STORES/REGIONS sources, DIM_STORE target, mapping m_stores_dim.
Folder RETAIL_DW: shortcuts to STORES and m_stores_dim, the mapplet mplt_price_band, mappings
m_sales_fact, m_store_rankings, m_all_returns, m_quarter_targets, reusable tasks/session/worklet
and the workflow wf_retail_nightly.
"""

from __future__ import annotations

from pcxml import (
    Col,
    E,
    FileIO,
    Flow,
    Mapping,
    RelIO,
    assignment,
    command,
    config,
    control,
    decision,
    email,
    event_raise,
    event_wait_user,
    flatfile,
    folder,
    group,
    lookup_attrs,
    port,
    powermart,
    render,
    session,
    session_component,
    shortcut,
    source_flatfile,
    source_relational,
    sourcefields,
    sq_attrs,
    target_relational,
    timer_relative,
    transformation,
    user_variable,
)

REPOSITORY = "rep_infaflow_demo"
ENCODING = "UTF-8"
OLTP = RelIO(variable="$DBConnection_OLTP")
DW = RelIO(variable="$DBConnection_DW")

STORES = [
    Col("STORE_ID", "number(p,s)", 10, nullable=False, key="PRIMARY KEY"),
    Col("STORE_NAME", "varchar2", 60),
    Col("REGION_ID", "number(p,s)", 5),
    Col("CITY", "varchar2", 40),
    Col("IS_ACTIVE", "char", 1),
]
REGIONS = [
    Col("REGION_ID", "number(p,s)", 5, nullable=False, key="PRIMARY KEY"),
    Col("REGION_NAME", "varchar2", 30),
]
SALES = [
    Col("SALE_ID", "number(p,s)", 12, nullable=False, key="PRIMARY KEY"),
    Col("STORE_ID", "number(p,s)", 10),
    Col("SKU", "varchar2", 12),
    Col("SALE_DATE", "date", 19),
    Col("QUANTITY", "number(p,s)", 7),
    Col("AMOUNT", "number(p,s)", 12, 2),
    Col("IS_CORRECTION", "char", 1),
]
WEB_RETURNS = [
    Col("RETURN_ID", "number(p,s)", 12, nullable=False, key="PRIMARY KEY"),
    Col("SKU", "varchar2", 12),
    Col("AMOUNT", "number(p,s)", 12, 2),
    Col("RETURN_DATE", "date", 19),
]
STORE_RETURNS_FILE = [
    Col("RETURN_ID", "number", 12),
    Col("SKU", "string", 12),
    Col("AMOUNT", "number", 12, 2),
    Col("RETURN_DATE", "string", 10),
]
SALES_TARGETS_FILE = [Col("STORE_ID", "number", 10)] + [
    Col(f"TARGET_Q{i}", "number", 12, 2) for i in range(1, 5)
]

DIM_STORE = [
    Col("STORE_SK", "number(p,s)", 10, nullable=False, key="PRIMARY KEY"),
    Col("STORE_ID", "number(p,s)", 10),
    Col("STORE_NAME", "varchar2", 60),
    Col("CITY", "varchar2", 40),
    Col("REGION_NAME", "varchar2", 30),
]
FACT_SALES = [
    Col("SALE_ID", "number(p,s)", 12, nullable=False, key="PRIMARY KEY"),
    Col("STORE_ID", "number(p,s)", 10),
    Col("STORE_NAME", "varchar2", 60),
    Col("SKU", "varchar2", 12),
    Col("SALE_DATE", "date", 19),
    Col("QUANTITY", "number(p,s)", 7),
    Col("AMOUNT", "number(p,s)", 12, 2),
    Col("UNIT_AMOUNT", "number(p,s)", 12, 2),
    Col("PRICE_BAND", "varchar2", 4),
]
STORE_RANKING = [
    Col("REGION_ID", "number(p,s)", 5),
    Col("STORE_ID", "number(p,s)", 10),
    Col("REVENUE", "number(p,s)", 14, 2),
    Col("SALES_COUNT", "number(p,s)", 10),
    Col("REVENUE_RANK", "number(p,s)", 5),
]
ALL_RETURNS = [
    Col("RETURN_ID", "number(p,s)", 12),
    Col("SKU", "varchar2", 12),
    Col("AMOUNT", "number(p,s)", 12, 2),
    Col("RETURN_DATE", "date", 19),
    Col("CHANNEL", "varchar2", 5),
]
STORE_QUARTER_TARGET = [
    Col("STORE_ID", "number(p,s)", 10),
    Col("QUARTER_NO", "number(p,s)", 1),
    Col("TARGET_AMOUNT", "number(p,s)", 12, 2),
]

SQ_TYPES = {
    "number(p,s)": "decimal",
    "varchar2": "string",
    "char": "string",
    "date": "date/time",
    "number": "decimal",
    "string": "string",
}


def _sqports(cols: list[Col], rename: dict[str, str] | None = None) -> list:
    rename = rename or {}
    return [
        port(
            rename.get(c.name, c.name),
            SQ_TYPES[c.datatype],
            "INPUT/OUTPUT",
            29 if c.datatype == "date" else c.precision,
            9 if c.datatype == "date" else c.scale,
        )
        for c in cols
    ]


# ----------------------------------------------------------------- SHARED_RETAIL.m_stores_dim


def m_stores_dim() -> Mapping:
    """STORES joined to REGIONS inside one Source Qualifier (two associated sources, user-defined join)."""
    m = Mapping(
        "m_stores_dim", "Store dimension; active stores only, region name joined in the source database."
    )
    m.source("STORES", dbd="RETAIL_OLTP")
    m.source("REGIONS", dbd="RETAIL_OLTP")
    sq = transformation(
        "SQ_stores_regions",
        "Source Qualifier",
        _sqports(STORES) + _sqports(REGIONS, {"REGION_ID": "REGION_ID1"}),
        sq_attrs(
            join="STORES.REGION_ID = REGIONS.REGION_ID",
            source_filter="STORES.IS_ACTIVE = 'Y'",
            sorted_ports=1,
        ),
    )
    m.transform(sq, associated=["STORES", "REGIONS"])
    m.connect("STORES", "SQ_stores_regions", [c.name for c in STORES])
    m.connect("REGIONS", "SQ_stores_regions", [("REGION_ID", "REGION_ID1"), "REGION_NAME"])

    seq = transformation(
        "seq_store_sk",
        "Sequence",
        [
            port("NEXTVAL", "bigint", "OUTPUT", 19, default="ERROR('transformation error')"),
            port("CURRVAL", "bigint", "OUTPUT", 19, default="ERROR('transformation error')"),
        ],
        [
            ("Start Value", "1"),
            ("Increment By", "1"),
            ("End Value", "9223372036854775807"),
            ("Current Value", "100"),
            ("Cycle", "NO"),
            ("Number of Cached Values", "0"),
            ("Reset", "NO"),
            ("Tracing Level", "Normal"),
        ],
        description="Not reset between runs: Current Value is persisted in the repository.",
    )
    m.transform(seq)
    exp = transformation(
        "exp_store",
        "Expression",
        [
            port("NEXTVAL", "bigint", "INPUT", 19),
            port("STORE_ID", "decimal", "INPUT/OUTPUT", 10, expr="STORE_ID"),
            port("STORE_NAME", "string", "INPUT/OUTPUT", 60, expr="STORE_NAME"),
            port("CITY", "string", "INPUT", 40),
            port("REGION_NAME", "string", "INPUT/OUTPUT", 30, expr="REGION_NAME"),
            port("o_STORE_SK", "bigint", "OUTPUT", 19, expr="NEXTVAL"),
            port("o_CITY", "string", "OUTPUT", 40, expr="IIF(ISNULL(CITY), $$DEFAULT_CITY, UPPER(CITY))"),
        ],
        [("Tracing Level", "Normal")],
    )
    m.transform(exp)
    m.connect("seq_store_sk", "exp_store", ["NEXTVAL"])
    m.connect("SQ_stores_regions", "exp_store", ["STORE_ID", "STORE_NAME", "CITY", "REGION_NAME"])
    m.target("DIM_STORE")
    m.connect(
        "exp_store",
        "DIM_STORE",
        [("o_STORE_SK", "STORE_SK"), "STORE_ID", "STORE_NAME", ("o_CITY", "CITY"), "REGION_NAME"],
    )
    m.variable("$$DEFAULT_CITY", "string", 40, default="UNKNOWN")
    return m


# ----------------------------------------------------------------- RETAIL_DW.mplt_price_band


def mplt_price_band() -> tuple[Mapping, object]:
    """Mapplet: AMOUNT, QUANTITY in; UNIT_AMOUNT and PRICE_BAND out."""
    m = Mapping(
        "mplt_price_band", "Price band of a sale line (HIGH >= 100, MID >= 20, else LOW).", mapplet=True
    )
    inp = transformation(
        "INPUT",
        "Input Transformation",
        [port("AMOUNT", "decimal", "OUTPUT", 12, 2), port("QUANTITY", "decimal", "OUTPUT", 7)],
    )
    m.transform(inp)
    exp = transformation(
        "exp_band",
        "Expression",
        [
            port("AMOUNT", "decimal", "INPUT", 12, 2),
            port("QUANTITY", "decimal", "INPUT", 7),
            port(
                "v_UNIT",
                "decimal",
                "LOCAL VARIABLE",
                12,
                2,
                expr="IIF(QUANTITY = 0 OR ISNULL(QUANTITY), NULL, ROUND(AMOUNT / QUANTITY, 2))",
            ),
            port("o_UNIT_AMOUNT", "decimal", "OUTPUT", 12, 2, expr="v_UNIT"),
            port(
                "o_PRICE_BAND",
                "string",
                "OUTPUT",
                4,
                expr="DECODE(TRUE, v_UNIT >= 100, 'HIGH', v_UNIT >= 20, 'MID', ISNULL(v_UNIT), 'NONE', 'LOW')",
            ),
        ],
        [("Tracing Level", "Normal")],
    )
    m.transform(exp)
    out = transformation(
        "OUTPUT",
        "Output Transformation",
        [port("UNIT_AMOUNT", "decimal", "INPUT", 12, 2), port("PRICE_BAND", "string", "INPUT", 4)],
    )
    m.transform(out)
    m.connect("INPUT", "exp_band", ["AMOUNT", "QUANTITY"])
    m.connect("exp_band", "OUTPUT", [("o_UNIT_AMOUNT", "UNIT_AMOUNT"), ("o_PRICE_BAND", "PRICE_BAND")])
    interface = transformation(
        "mplt_price_band",
        "Mapplet",
        [
            port(
                "AMOUNT",
                "decimal",
                "INPUT",
                12,
                2,
                MAPPLETGROUP="INPUT",
                REF_FIELD="AMOUNT",
                REF_INSTANCETYPE="Input Transformation",
            ),
            port(
                "QUANTITY",
                "decimal",
                "INPUT",
                7,
                MAPPLETGROUP="INPUT",
                REF_FIELD="QUANTITY",
                REF_INSTANCETYPE="Input Transformation",
            ),
            port(
                "UNIT_AMOUNT",
                "decimal",
                "OUTPUT",
                12,
                2,
                MAPPLETGROUP="OUTPUT",
                REF_FIELD="UNIT_AMOUNT",
                REF_INSTANCETYPE="Output Transformation",
            ),
            port(
                "PRICE_BAND",
                "string",
                "OUTPUT",
                4,
                MAPPLETGROUP="OUTPUT",
                REF_FIELD="PRICE_BAND",
                REF_INSTANCETYPE="Output Transformation",
            ),
        ],
        [("Is Active", "NO"), ("Is Partitionable", "NO")],
        reusable=True,
    )
    return m, interface


# ----------------------------------------------------------------- RETAIL_DW.m_sales_fact


def m_sales_fact(mplt: Mapping) -> Mapping:
    """SQL override on SALES, store names by a master outer join, mapplet, Update Strategy (data driven)."""
    m = Mapping("m_sales_fact", "Sales fact, inserted, updated (corrections) or rejected (negative amounts).")
    m.source("SALES", dbd="RETAIL_OLTP")
    m.source("Shortcut_to_STORES", dbd="RETAIL_OLTP")
    sql = (
        "SELECT SALES.SALE_ID, SALES.STORE_ID, SALES.SKU, SALES.SALE_DATE, SALES.QUANTITY, SALES.AMOUNT, SALES.IS_CORRECTION\r\n"
        "FROM SALES\r\n"
        "WHERE SALES.SALE_DATE >= DATE '$$LOAD_FROM_DATE'"
    )
    m.transform(
        transformation("SQ_sales", "Source Qualifier", _sqports(SALES), sq_attrs(sql=sql)),
        associated=["SALES"],
    )
    m.connect("SALES", "SQ_sales", [c.name for c in SALES])
    m.transform(
        transformation(
            "SQ_stores",
            "Source Qualifier",
            _sqports(STORES),
            sq_attrs(source_filter="STORES.IS_ACTIVE = 'Y'"),
        ),
        associated=["Shortcut_to_STORES"],
    )
    m.connect("Shortcut_to_STORES", "SQ_stores", [c.name for c in STORES])

    jnr = transformation(
        "jnr_sales_stores",
        "Joiner",
        [
            port("SALE_ID", "decimal", "INPUT/OUTPUT", 12),
            port("STORE_ID", "decimal", "INPUT/OUTPUT", 10),
            port("SKU", "string", "INPUT/OUTPUT", 12),
            port("SALE_DATE", "date/time", "INPUT/OUTPUT", 29, 9),
            port("QUANTITY", "decimal", "INPUT/OUTPUT", 7),
            port("AMOUNT", "decimal", "INPUT/OUTPUT", 12, 2),
            port("IS_CORRECTION", "string", "INPUT/OUTPUT", 1),
            port("M_STORE_ID", "decimal", "INPUT/OUTPUT/MASTER", 10),
            port("STORE_NAME", "string", "INPUT/OUTPUT/MASTER", 60),
        ],
        [
            ("Case Sensitive String Comparison", "YES"),
            ("Cache Directory", "$PMCacheDir"),
            ("Join Condition", "M_STORE_ID = STORE_ID"),
            ("Join Type", "Master Outer Join"),
            ("Null ordering in master", "Null Is Highest Value"),
            ("Null ordering in detail", "Null Is Highest Value"),
            ("Tracing Level", "Normal"),
            ("Joiner Data Cache Size", "Auto"),
            ("Joiner Index Cache Size", "Auto"),
            ("Sorted Input", "NO"),
            ("Master Sort Order", "Auto"),
            ("Transformation Scope", "All Input"),
        ],
        description="Master outer join: every sale (detail) is kept; STORE_NAME is NULL for unknown or inactive stores.",
    )
    m.transform(jnr)
    m.connect("SQ_sales", "jnr_sales_stores", [c.name for c in SALES])
    m.connect("SQ_stores", "jnr_sales_stores", [("STORE_ID", "M_STORE_ID"), "STORE_NAME"])

    m.mapplet_instance("mplt_price_band", mplt)
    m.connect("jnr_sales_stores", "mplt_price_band", ["AMOUNT", "QUANTITY"])

    upd_cols = [
        ("SALE_ID", "decimal", 12, 0),
        ("STORE_ID", "decimal", 10, 0),
        ("STORE_NAME", "string", 60, 0),
        ("SKU", "string", 12, 0),
        ("SALE_DATE", "date/time", 29, 9),
        ("QUANTITY", "decimal", 7, 0),
        ("AMOUNT", "decimal", 12, 2),
        ("IS_CORRECTION", "string", 1, 0),
        ("UNIT_AMOUNT", "decimal", 12, 2),
        ("PRICE_BAND", "string", 4, 0),
    ]
    upd = transformation(
        "upd_sales",
        "Update Strategy",
        [port(n, dt, "INPUT/OUTPUT", p, s) for n, dt, p, s in upd_cols],
        [
            (
                "Update Strategy Expression",
                "IIF(AMOUNT < 0, DD_REJECT, IIF(IS_CORRECTION = 'Y', DD_UPDATE, DD_INSERT))",
            ),
            ("Forward Rejected Rows", "YES"),
            ("Tracing Level", "Normal"),
        ],
    )
    m.transform(upd)
    m.connect(
        "jnr_sales_stores",
        "upd_sales",
        ["SALE_ID", "STORE_ID", "STORE_NAME", "SKU", "SALE_DATE", "QUANTITY", "AMOUNT", "IS_CORRECTION"],
    )
    m.connect("mplt_price_band", "upd_sales", ["UNIT_AMOUNT", "PRICE_BAND"])
    m.target("FACT_SALES")
    m.connect("upd_sales", "FACT_SALES", [c.name for c in FACT_SALES])
    m.variable("$$LOAD_FROM_DATE", "string", 10, default="1900-01-01", is_param=False, agg="MAX")
    return m


# ----------------------------------------------------------------- RETAIL_DW.m_store_rankings


def m_store_rankings() -> Mapping:
    """Revenue per store, region by connected relational lookup, top 2 stores per region (Rank)."""
    m = Mapping("m_store_rankings", "Top two stores by revenue in each region.")
    m.source("SALES", dbd="RETAIL_OLTP")
    m.transform(
        transformation(
            "SQ_sales_positive",
            "Source Qualifier",
            _sqports(SALES),
            sq_attrs(source_filter="SALES.AMOUNT > $$MIN_AMOUNT"),
        ),
        associated=["SALES"],
    )
    m.connect("SALES", "SQ_sales_positive", [c.name for c in SALES])
    agg = transformation(
        "agg_store_revenue",
        "Aggregator",
        [
            port("STORE_ID", "decimal", "INPUT/OUTPUT", 10, expr="STORE_ID", exprtype="GROUPBY"),
            port("SALE_ID", "decimal", "INPUT", 12),
            port("AMOUNT", "decimal", "INPUT", 12, 2),
            port("o_REVENUE", "decimal", "OUTPUT", 14, 2, expr="SUM(AMOUNT)"),
            port("o_SALES_COUNT", "integer", "OUTPUT", 10, expr="COUNT(SALE_ID)"),
        ],
        [
            ("Cache Directory", "$PMCacheDir"),
            ("Tracing Level", "Normal"),
            ("Sorted Input", "NO"),
            ("Aggregator Data Cache Size", "Auto"),
            ("Aggregator Index Cache Size", "Auto"),
            ("Transformation Scope", "All Input"),
        ],
    )
    m.transform(agg)
    m.connect("SQ_sales_positive", "agg_store_revenue", ["STORE_ID", "SALE_ID", "AMOUNT"])
    lkp = transformation(
        "lkp_store_region",
        "Lookup Procedure",
        [
            port("STORE_ID", "decimal", "LOOKUP/OUTPUT", 10),
            port("REGION_ID", "decimal", "LOOKUP/OUTPUT", 5),
            port("in_STORE_ID", "decimal", "INPUT", 10),
        ],
        lookup_attrs(
            "STORE_ID = in_STORE_ID",
            table="STORES",
            connection="$DBConnection_OLTP",
            policy="Use First Value",
        ),
    )
    m.transform(lkp)
    m.connect("agg_store_revenue", "lkp_store_region", [("STORE_ID", "in_STORE_ID")])
    rnk = transformation(
        "rnk_top_stores",
        "Rank",
        [
            port("RANKINDEX", "integer", "OUTPUT", 10, expr="RANKINDEX", exprtype="RANKINDEX"),
            port("REGION_ID", "decimal", "INPUT/OUTPUT", 5, expr="REGION_ID", exprtype="GROUPBY"),
            port("STORE_ID", "decimal", "INPUT/OUTPUT", 10, expr="STORE_ID", exprtype="GENERAL"),
            port("REVENUE", "decimal", "INPUT/OUTPUT", 14, 2, expr="REVENUE", exprtype="RANKPORT"),
            port("SALES_COUNT", "integer", "INPUT/OUTPUT", 10, expr="SALES_COUNT", exprtype="GENERAL"),
        ],
        [
            ("Cache Directory", "$PMCacheDir"),
            ("Top/Bottom", "Top"),
            ("Number of Ranks", "2"),
            ("Case Sensitive String Comparison", "YES"),
            ("Tracing Level", "Normal"),
            ("Rank Data Cache Size", "Auto"),
            ("Rank Index Cache Size", "Auto"),
            ("Transformation Scope", "All Input"),
        ],
    )
    m.transform(rnk)
    m.connect(
        "agg_store_revenue",
        "rnk_top_stores",
        ["STORE_ID", ("o_REVENUE", "REVENUE"), ("o_SALES_COUNT", "SALES_COUNT")],
    )
    m.connect("lkp_store_region", "rnk_top_stores", ["REGION_ID"])
    m.target("STORE_RANKING")
    m.connect(
        "rnk_top_stores",
        "STORE_RANKING",
        ["REGION_ID", "STORE_ID", "REVENUE", "SALES_COUNT", ("RANKINDEX", "REVENUE_RANK")],
    )
    m.variable("$$MIN_AMOUNT", "decimal", 12, default="0", scale=2)
    return m


# ----------------------------------------------------------------- RETAIL_DW.m_all_returns (Union)


def m_all_returns() -> Mapping:
    """Web returns (relational) and store returns (CSV) merged by a Union transformation."""
    m = Mapping("m_all_returns", "All returns from the web shop and the stores in one table.")
    m.source("WEB_RETURNS", dbd="RETAIL_OLTP")
    m.source("store_returns")
    m.transform(
        transformation("SQ_web_returns", "Source Qualifier", _sqports(WEB_RETURNS), sq_attrs()),
        associated=["WEB_RETURNS"],
    )
    m.connect("WEB_RETURNS", "SQ_web_returns", [c.name for c in WEB_RETURNS])
    m.transform(
        transformation("SQ_store_returns", "Source Qualifier", _sqports(STORE_RETURNS_FILE), sq_attrs()),
        associated=["store_returns"],
    )
    m.connect("store_returns", "SQ_store_returns", [c.name for c in STORE_RETURNS_FILE])

    exp_web = transformation(
        "exp_web_channel",
        "Expression",
        [
            port("RETURN_ID", "decimal", "INPUT/OUTPUT", 12, expr="RETURN_ID"),
            port("SKU", "string", "INPUT/OUTPUT", 12, expr="SKU"),
            port("AMOUNT", "decimal", "INPUT/OUTPUT", 12, 2, expr="AMOUNT"),
            port("RETURN_DATE", "date/time", "INPUT/OUTPUT", 29, 9, expr="RETURN_DATE"),
            port("o_CHANNEL", "string", "OUTPUT", 5, expr="'WEB'"),
        ],
        [("Tracing Level", "Normal")],
    )
    m.transform(exp_web)
    m.connect("SQ_web_returns", "exp_web_channel", ["RETURN_ID", "SKU", "AMOUNT", "RETURN_DATE"])
    exp_store = transformation(
        "exp_store_channel",
        "Expression",
        [
            port("RETURN_ID", "decimal", "INPUT/OUTPUT", 12, expr="RETURN_ID"),
            port("SKU", "string", "INPUT", 12),
            port("AMOUNT", "decimal", "INPUT/OUTPUT", 12, 2, expr="AMOUNT"),
            port("RETURN_DATE", "string", "INPUT", 10),
            port("o_SKU", "string", "OUTPUT", 12, expr="UPPER(LTRIM(RTRIM(SKU)))"),
            port("o_RETURN_DATE", "date/time", "OUTPUT", 29, 9, expr="TO_DATE(RETURN_DATE, 'YYYY-MM-DD')"),
            port("o_CHANNEL", "string", "OUTPUT", 5, expr="'STORE'"),
        ],
        [("Tracing Level", "Normal")],
    )
    m.transform(exp_store)
    m.connect("SQ_store_returns", "exp_store_channel", ["RETURN_ID", "SKU", "AMOUNT", "RETURN_DATE"])

    fields = [
        ("RETURN_ID", "decimal", 12, 0),
        ("SKU", "string", 12, 0),
        ("AMOUNT", "decimal", 12, 2),
        ("RETURN_DATE", "date/time", 29, 9),
        ("CHANNEL", "string", 5, 0),
    ]
    uports = [port(n, dt, "OUTPUT", p, s, GROUP="OUTPUT", OUTPUTGROUP="OUTPUT") for n, dt, p, s in fields]
    uports += [port(n + "1", dt, "INPUT", p, s, GROUP="WEB", OUTPUTGROUP="WEB") for n, dt, p, s in fields]
    uports += [port(n + "2", dt, "INPUT", p, s, GROUP="STORE", OUTPUTGROUP="STORE") for n, dt, p, s in fields]
    deps = [
        E("FIELDDEPENDENCY", {"INPUTFIELD": n + sfx, "OUTPUTFIELD": n})
        for n, *_ in fields
        for sfx in ("1", "2")
    ]
    union = transformation(
        "un_returns",
        "Custom Transformation",
        uports,
        [
            ("Language", "C"),
            ("Module Identifier", "pmuniontrans"),
            ("Class Name", ""),
            ("Function Identifier", "pmunionfunc"),
            ("Runtime Location", ""),
            ("Tracing Level", "Normal"),
            ("Is Partitionable", "NO"),
            ("Inputs Must Block", "NO"),
            ("Is Active", "YES"),
            ("Update Strategy Transformation", "NO"),
            ("Transformation Scope", "Row"),
            ("Generate Transaction", "NO"),
            ("Output Is Repeatable", "Never"),
            ("Requires Single Thread Per Partition", "NO"),
            ("Output Is Deterministic", "YES"),
        ],
        groups=[group("OUTPUT", 1, "OUTPUT"), group("WEB", 2, "INPUT"), group("STORE", 3, "INPUT")],
        template="Union Transformation",
        extra=deps,
    )
    m.transform(union)
    m.connect(
        "exp_web_channel",
        "un_returns",
        [
            ("RETURN_ID", "RETURN_ID1"),
            ("SKU", "SKU1"),
            ("AMOUNT", "AMOUNT1"),
            ("RETURN_DATE", "RETURN_DATE1"),
            ("o_CHANNEL", "CHANNEL1"),
        ],
    )
    m.connect(
        "exp_store_channel",
        "un_returns",
        [
            ("RETURN_ID", "RETURN_ID2"),
            ("o_SKU", "SKU2"),
            ("AMOUNT", "AMOUNT2"),
            ("o_RETURN_DATE", "RETURN_DATE2"),
            ("o_CHANNEL", "CHANNEL2"),
        ],
    )
    m.target("ALL_RETURNS")
    m.connect("un_returns", "ALL_RETURNS", [n for n, *_ in fields])
    return m


# ----------------------------------------------------------------- RETAIL_DW.m_quarter_targets (Normalizer)


def m_quarter_targets() -> Mapping:
    """One CSV row per store with four quarterly targets -> one row per store and quarter."""
    m = Mapping("m_quarter_targets", "Quarterly sales targets, normalised from four columns to four rows.")
    m.source("sales_targets")
    m.transform(
        transformation("SQ_sales_targets", "Source Qualifier", _sqports(SALES_TARGETS_FILE), sq_attrs()),
        associated=["sales_targets"],
    )
    m.connect("sales_targets", "SQ_sales_targets", [c.name for c in SALES_TARGETS_FILE])
    nrm = transformation(
        "nrm_quarters",
        "Normalizer",
        [port("STORE_ID_in", "decimal", "INPUT", 10, REF_SOURCE_FIELD="STORE_ID")]
        + [
            port(f"TARGET_AMOUNT_in{i}", "decimal", "INPUT", 12, 2, REF_SOURCE_FIELD="TARGET_AMOUNT")
            for i in range(1, 5)
        ]
        + [
            port("STORE_ID", "decimal", "OUTPUT", 10, REF_SOURCE_FIELD="STORE_ID"),
            port("TARGET_AMOUNT", "decimal", "OUTPUT", 12, 2, REF_SOURCE_FIELD="TARGET_AMOUNT"),
            port(
                "GK_TARGET_AMOUNT",
                "bigint",
                "GENERATED KEY/OUTPUT",
                19,
                REF_SOURCE_FIELD="TARGET_AMOUNT",
                SEQUENCE_GENERATOR_VALUE="1",
            ),
            port(
                "GCID_TARGET_AMOUNT",
                "integer",
                "GENERATED COLUMN ID/OUTPUT",
                10,
                REF_SOURCE_FIELD="TARGET_AMOUNT",
            ),
        ],
        [("Reset", "YES"), ("Restart", "NO"), ("Tracing Level", "Normal"), ("Is Partitionable", "NO")],
        sourcefields=sourcefields(
            [Col("STORE_ID", "number", 10), Col("TARGET_AMOUNT", "number", 12, 2, occurs=4)]
        ),
        description="GCID_TARGET_AMOUNT is the occurrence (1..4), i.e. the quarter number.",
    )
    m.transform(nrm)
    m.connect(
        "SQ_sales_targets",
        "nrm_quarters",
        [("STORE_ID", "STORE_ID_in")] + [(f"TARGET_Q{i}", f"TARGET_AMOUNT_in{i}") for i in range(1, 5)],
    )
    m.target("STORE_QUARTER_TARGET")
    m.connect(
        "nrm_quarters",
        "STORE_QUARTER_TARGET",
        ["STORE_ID", ("GCID_TARGET_AMOUNT", "QUARTER_NO"), "TARGET_AMOUNT"],
    )
    return m


# ----------------------------------------------------------------- workflow


def _wl_conform() -> Flow:
    """Non-reusable worklet nested in wl_load_dimensions."""
    wl = Flow(
        "wl_conform",
        worklet=True,
        reusable=False,
        description="Nested worklet: settle, then check the conform mode.",
    )
    wl.start()
    wl.add_task(timer_relative("tmr_settle", "START_RELATIVE_TO_PARENT_WORKFLOW", minutes=0))
    wl.add_task(
        assignment("asg_mark_conformed", [("$$DIMS_CONFORMED", "IIF($$CONFORM_MODE = 'strict', 1, 2)")])
    )
    wl.add_task(control("ctl_fail_parent", "Fail Parent"))
    wl.instance("tmr_settle", "Timer")
    wl.instance("asg_mark_conformed", "Assignment")
    wl.instance("ctl_fail_parent", "Control")
    wl.link("Start", "tmr_settle")
    wl.link("tmr_settle", "asg_mark_conformed", "$tmr_settle.Status = SUCCEEDED")
    wl.link("asg_mark_conformed", "ctl_fail_parent", "$$DIMS_CONFORMED <> 1")
    wl.variables += [
        user_variable(
            "$$CONFORM_MODE",
            "string",
            "lenient",
            description="Set to strict by the parameter file (nested .WT: section).",
        ),
        user_variable("$$DIMS_CONFORMED", "integer", "0"),
    ]
    return wl


def _wl_load_dimensions(stores_dim: Mapping) -> Flow:
    """Reusable worklet: the store dimension session, then the nested worklet."""
    wl = Flow(
        "wl_load_dimensions",
        worklet=True,
        reusable=True,
        description="Loads the dimensions; contains the nested worklet wl_conform.",
    )
    wl.start()
    wl.add_task(
        session(
            "s_m_stores_dim",
            stores_dim,
            mapping_name="Shortcut_to_m_stores_dim",
            relational={"SQ_stores_regions": OLTP, "DIM_STORE": DW},
            description="Runs the shared mapping through its shortcut.",
        )
    )
    wl.add_task(_wl_conform().node())
    wl.instance("s_m_stores_dim", "Session", fail_parent=True)
    wl.instance("wl_conform", "Worklet", fail_parent=True)
    wl.link("Start", "s_m_stores_dim", "$$LOAD_DIMENSIONS = 1")
    wl.link("s_m_stores_dim", "wl_conform", "$s_m_stores_dim.Status = SUCCEEDED")
    wl.variables.append(
        user_variable(
            "$$LOAD_DIMENSIONS", "integer", "0", description="Set to 1 by the parameter file (.WT: section)."
        )
    )
    return wl


def build() -> tuple[bytes, str]:
    """Return the export bytes and its encoding."""
    stores_dim = m_stores_dim()
    mplt, mplt_interface = mplt_price_band()
    sales, rankings, returns, quarters = (
        m_sales_fact(mplt),
        m_store_rankings(),
        m_all_returns(),
        m_quarter_targets(),
    )

    shared = folder(
        "SHARED_RETAIL",
        "0b6f2f7e-8f3c-4a8a-9d64-6a2f1d2e7c10",
        "Shared definitions — sources and mappings reused by RETAIL_DW.",
        shared=True,
    )
    shared.add(
        source_relational("REGIONS", "RETAIL_OLTP", "RETAIL", REGIONS),
        source_relational(
            "STORES",
            "RETAIL_OLTP",
            "RETAIL",
            STORES,
            description="Stores, e.g. Zürich Bahnhofstraße or Łódź Piotrkowska.",
        ),
        target_relational("DIM_STORE", DIM_STORE),
        stores_dim.node(),
    )

    wf = Flow(
        "wf_retail_nightly",
        description="Nightly retail warehouse load (dimensions, facts, rankings, returns, targets).",
    )
    wf.start()
    wf.add_task(timer_relative("tmr_batch_window", "START_RELATIVE_TO_TOPLEVEL_WORKFLOW", minutes=0))
    wf.add_task(event_wait_user("ewt_dims_loaded", "ev_dims_loaded"))
    wf.add_task(event_raise("evr_dims_loaded", "ev_dims_loaded"))
    wf.add_task(
        decision(
            "dec_all_loaded",
            "$s_m_store_rankings.Status = SUCCEEDED AND $s_m_all_returns.Status = SUCCEEDED\r\nAND $s_m_quarter_targets.Status = SUCCEEDED",
        )
    )
    wf.add_task(
        assignment(
            "asg_nightly_done",
            [("$$NIGHTLY_RUNS", "$$NIGHTLY_RUNS + 1"), ("$$LAST_STATUS", "'OK ' || $$WF_LOAD_FROM_DATE")],
        )
    )
    wf.add_task(control("ctl_fail_nightly", "Fail top-level workflow"))
    wf.add_task(
        command(
            "cmd_purge_staging",
            [("purge", "rm -f $PMTargetFileDir/staging/*.tmp")],
            description="Disabled in this export.",
        )
    )
    wf.add_task(
        session(
            "s_m_store_rankings",
            rankings,
            relational={"SQ_sales_positive": OLTP, "STORE_RANKING": DW, "lkp_store_region": OLTP},
            attributes={"$Source connection value": "RETAIL_OLTP", "$Target connection value": "RETAIL_DW"},
        )
    )
    wf.add_task(
        session(
            "s_m_all_returns",
            returns,
            relational={"SQ_web_returns": OLTP, "ALL_RETURNS": DW},
            files={"store_returns": FileIO("$PMSourceFileDir/", "store_returns.csv")},
        )
    )
    wf.add_task(
        session(
            "s_m_quarter_targets",
            quarters,
            relational={
                "STORE_QUARTER_TARGET": RelIO(
                    variable="$DBConnection_DW", extra=[("Truncate target table option", "YES")]
                )
            },
            files={"sales_targets": FileIO("$PMSourceFileDir/", "sales_targets.csv")},
        )
    )

    wf.instance("tmr_batch_window", "Timer")
    wf.instance("wl_load_dimensions", "Worklet", reusable=True, fail_parent=True)
    wf.instance("evr_dims_loaded", "Event Raise")
    wf.instance("ewt_dims_loaded", "Event Wait")
    wf.instance("s_m_sales_fact", "Session", reusable=True, fail_parent=True)
    wf.instance("s_m_store_rankings", "Session")
    wf.instance("s_m_all_returns", "Session")
    wf.instance("s_m_quarter_targets", "Session")
    wf.instance("dec_all_loaded", "Decision")
    wf.instance("asg_nightly_done", "Assignment")
    wf.instance("eml_ops_alert", "Email", reusable=True, and_join=False)
    wf.instance("ctl_fail_nightly", "Control")
    wf.instance("cmd_purge_staging", "Command", enabled=False)
    wf.instance("cmd_touch_done_flag", "Command", reusable=True)

    wf.link("Start", "tmr_batch_window")
    wf.link("tmr_batch_window", "wl_load_dimensions")
    wf.link("wl_load_dimensions", "evr_dims_loaded", "$wl_load_dimensions.Status = SUCCEEDED")
    wf.link("Start", "ewt_dims_loaded")
    wf.link("ewt_dims_loaded", "s_m_sales_fact")
    wf.link("s_m_sales_fact", "s_m_store_rankings", "$s_m_sales_fact.Status = SUCCEEDED")
    wf.link(
        "s_m_sales_fact",
        "eml_ops_alert",
        "$s_m_sales_fact.Status = FAILED OR $s_m_sales_fact.Status = ABORTED",
    )
    wf.link("Start", "s_m_all_returns")
    wf.link("Start", "s_m_quarter_targets")
    wf.link("s_m_store_rankings", "dec_all_loaded")
    wf.link("s_m_all_returns", "dec_all_loaded")
    wf.link("s_m_quarter_targets", "dec_all_loaded")
    wf.link("dec_all_loaded", "asg_nightly_done", "$dec_all_loaded.Condition = TRUE")
    wf.link("dec_all_loaded", "eml_ops_alert", "$dec_all_loaded.Condition = FALSE")
    wf.link("eml_ops_alert", "ctl_fail_nightly")
    wf.link("asg_nightly_done", "cmd_purge_staging")
    wf.link("cmd_purge_staging", "cmd_touch_done_flag", "$cmd_purge_staging.PrevTaskStatus = SUCCEEDED")
    wf.variables += [
        user_variable(
            "$$WF_LOAD_FROM_DATE", "string", "2024-01-01", description="First sale date to load (YYYY-MM-DD)."
        ),
        user_variable(
            "$$NIGHTLY_RUNS",
            "integer",
            "0",
            persistent=True,
            description="Completed nightly runs (persistent).",
        ),
        user_variable("$$LAST_STATUS", "string", ""),
    ]
    wf.events.append("ev_dims_loaded")

    dw = folder(
        "RETAIL_DW",
        "3e9c5a71-24d8-4b0f-8c1a-5f7d9e2b4a66",
        "Retail data warehouse — nightly load (UTF-8 sample).",
    )
    dw.add(
        shortcut("Shortcut_to_STORES", "STORES", "SHARED_RETAIL", "SOURCE", REPOSITORY, dbd="RETAIL_OLTP"),
        shortcut("Shortcut_to_m_stores_dim", "m_stores_dim", "SHARED_RETAIL", "MAPPING", REPOSITORY),
        source_relational("SALES", "RETAIL_OLTP", "RETAIL", SALES),
        source_relational("WEB_RETURNS", "RETAIL_OLTP", "RETAIL", WEB_RETURNS),
        source_flatfile(
            "sales_targets", SALES_TARGETS_FILE, "One row per store with the targets of the four quarters."
        ),
        source_flatfile("store_returns", STORE_RETURNS_FILE),
        target_relational("ALL_RETURNS", ALL_RETURNS),
        target_relational("FACT_SALES", FACT_SALES),
        target_relational("STORE_QUARTER_TARGET", STORE_QUARTER_TARGET),
        target_relational("STORE_RANKING", STORE_RANKING),
        mplt.node(mplt_interface),
        sales.node(),
        rankings.node(),
        returns.node(),
        quarters.node(),
        config(),
        command(
            "cmd_touch_done_flag",
            [("done_flag", "touch $PMTargetFileDir/retail_nightly.done")],
            reusable=True,
            description="Reusable command task.",
        ),
        email(
            "eml_ops_alert",
            "$PMFailureEmailUser",
            "Retail nightly needs attention",
            "Workflow %w in folder %n did not load everything.",
            reusable=True,
        ),
        session(
            "s_m_sales_fact",
            sales,
            reusable=True,
            relational={"SQ_sales": OLTP, "SQ_stores": OLTP, "FACT_SALES": DW},
            attributes={"Treat source rows as": "Data Driven"},
            components=[
                session_component(
                    "Pre-session variable assignment",
                    [("$$LOAD_FROM_DATE", "$$WF_LOAD_FROM_DATE")],
                    ref="presession_variable_assignment",
                ),
            ],
            description="Reusable session; the mapping variable $$LOAD_FROM_DATE comes from the workflow variable.",
        ),
        _wl_load_dimensions(stores_dim).node(),
        wf.node(),
    )
    return render(powermart(REPOSITORY, [shared, dw], codepage="UTF-8"), ENCODING), ENCODING


_ = flatfile  # kept for symmetry with orders.py
