"""samples/inventory: low-stock alerts for two warehouses (ISO-8859-1, runnable locally).

One reusable session s_m_stock_alerts backs two instances (s_m_stock_alerts_EU, s_m_stock_alerts_US)
whose file names come from session parameters set per instance in the parameter file. An Event Wait
watches for an indicator file that a Command task in a parallel branch creates.
"""

from __future__ import annotations

from pcxml import (
    Col,
    FileIO,
    Flow,
    Mapping,
    command,
    config,
    control,
    email,
    event_wait_file,
    folder,
    port,
    powermart,
    render,
    session,
    source_flatfile,
    sq_attrs,
    target_flatfile,
    transformation,
)

REPOSITORY = "rep_infaflow_demo"
ENCODING = "ISO-8859-1"

STOCK = [
    Col("SKU", "string", 12),
    Col("WAREHOUSE", "string", 10),
    Col("QTY_ON_HAND", "number", 7),
    Col("REORDER_LEVEL", "number", 7),
]
ALERTS = [
    Col("SKU", "string", 12),
    Col("WAREHOUSE", "string", 10),
    Col("QTY_ON_HAND", "number", 7),
    Col("REORDER_QTY", "number", 7),
    Col("URGENCY", "string", 4),
]


def m_stock_alerts() -> Mapping:
    """stock file -> keep rows below their reorder level -> reorder quantity and urgency."""
    m = Mapping("m_stock_alerts", "Items below their reorder level, with the quantity to order.")
    m.source("stock")
    m.transform(
        transformation(
            "SQ_stock",
            "Source Qualifier",
            [
                port(c.name, "decimal" if c.datatype == "number" else "string", "INPUT/OUTPUT", c.precision)
                for c in STOCK
            ],
            sq_attrs(),
        ),
        associated=["stock"],
    )
    m.connect("stock", "SQ_stock", [c.name for c in STOCK])
    m.transform(
        transformation(
            "fil_below_reorder_level",
            "Filter",
            [
                port(c.name, "decimal" if c.datatype == "number" else "string", "INPUT/OUTPUT", c.precision)
                for c in STOCK
            ],
            [("Filter Condition", "QTY_ON_HAND < REORDER_LEVEL"), ("Tracing Level", "Normal")],
            description="Rows with an unknown quantity or level (NULL comparison) are dropped.",
        )
    )
    m.connect("SQ_stock", "fil_below_reorder_level", [c.name for c in STOCK])
    m.transform(
        transformation(
            "exp_reorder",
            "Expression",
            [
                port("SKU", "string", "INPUT/OUTPUT", 12, expr="SKU"),
                port("WAREHOUSE", "string", "INPUT/OUTPUT", 10, expr="WAREHOUSE"),
                port("QTY_ON_HAND", "decimal", "INPUT/OUTPUT", 7, expr="QTY_ON_HAND"),
                port("REORDER_LEVEL", "decimal", "INPUT", 7),
                port("o_REORDER_QTY", "decimal", "OUTPUT", 7, expr="REORDER_LEVEL * 2 - QTY_ON_HAND"),
                port("o_URGENCY", "string", "OUTPUT", 4, expr="IIF(QTY_ON_HAND <= 0, 'OUT', 'LOW')"),
            ],
            [("Tracing Level", "Normal")],
        )
    )
    m.connect("fil_below_reorder_level", "exp_reorder", [c.name for c in STOCK])
    m.target("stock_alerts")
    m.connect(
        "exp_reorder",
        "stock_alerts",
        ["SKU", "WAREHOUSE", "QTY_ON_HAND", ("o_REORDER_QTY", "REORDER_QTY"), ("o_URGENCY", "URGENCY")],
    )
    return m


def build() -> tuple[bytes, str]:
    """Return the export bytes and its encoding."""
    mapping = m_stock_alerts()
    wf = Flow(
        "wf_inventory_alerts", description="Waits for the stock feed, then computes alerts per warehouse."
    )
    wf.start()
    wf.add_task(
        command(
            "cmd_publish_feed",
            [
                ("make_target_dir", "mkdir -p $PMTargetFileDir"),
                ("signal_feed_ready", "touch $PMTargetFileDir/stock_feed.ready"),
            ],
        )
    )
    wf.add_task(event_wait_file("ewt_stock_feed", "$PMTargetFileDir/stock_feed.ready", delete=True))
    wf.add_task(control("ctl_abort_run", "Abort top-level workflow"))
    wf.instance("cmd_publish_feed", "Command", fail_parent=True)
    wf.instance("ewt_stock_feed", "Event Wait")
    wf.instance(
        "s_m_stock_alerts_EU", "Session", taskname="s_m_stock_alerts", reusable=True, fail_parent_not_run=True
    )
    wf.instance(
        "s_m_stock_alerts_US", "Session", taskname="s_m_stock_alerts", reusable=True, fail_parent_not_run=True
    )
    wf.instance("eml_stock_problem", "Email", reusable=True, and_join=False)
    wf.instance("ctl_abort_run", "Control")
    wf.link("Start", "cmd_publish_feed")
    wf.link("Start", "ewt_stock_feed")
    wf.link("ewt_stock_feed", "s_m_stock_alerts_EU")
    wf.link("ewt_stock_feed", "s_m_stock_alerts_US")
    wf.link("s_m_stock_alerts_EU", "eml_stock_problem", "$s_m_stock_alerts_EU.Status = FAILED")
    wf.link("s_m_stock_alerts_US", "eml_stock_problem", "$s_m_stock_alerts_US.Status = FAILED")
    wf.link("eml_stock_problem", "ctl_abort_run")

    fld = folder(
        "INVENTORY",
        "9a0d4c3b-7e21-4f55-b1c8-2d6e8f0a1b77",
        "Entrepôt alerts: stock below reorder level (ISO-8859-1 sample).",
    )
    fld.add(
        source_flatfile(
            "stock",
            STOCK,
            "Stock snapshot of one warehouse; the file name is the session parameter $InputFile_Stock.",
        ),
        target_flatfile("stock_alerts", ALERTS),
        mapping.node(),
        config(),
        email(
            "eml_stock_problem",
            "$PMFailureEmailUser",
            "Inventory alerts failed",
            "Session %s of workflow %w failed.",
            reusable=True,
        ),
        session(
            "s_m_stock_alerts",
            mapping,
            reusable=True,
            files={
                "stock": FileIO("$PMSourceFileDir/", "$InputFile_Stock"),
                "stock_alerts": FileIO("$PMTargetFileDir/", "$OutputFile_Alerts"),
            },
            description="Reusable session; each instance gets its own files from the parameter file.",
        ),
        wf.node(),
    )
    return render(powermart(REPOSITORY, [fld], codepage="Latin1"), ENCODING), ENCODING
