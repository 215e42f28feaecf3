"""``python3 -m infaflow.codegen.regenerate``: rewrite generated/ from the sample exports."""

from __future__ import annotations

from pathlib import Path

from infaflow.codegen.project import convert_export, write_project
from infaflow.export import load

SAMPLES = {
    "orders": "samples/orders/wf_orders_daily.xml",
    "retail_dw": "samples/retail_dw/wf_retail_nightly.xml",
    "inventory": "samples/inventory/wf_inventory_alerts.xml",
}


def main(root: Path = Path(".")) -> None:
    for name, export in SAMPLES.items():
        exp = load(root / export)
        exp.path = export
        conv = convert_export(exp, Path(export).stem)
        write_project(conv, root / "generated" / name, str(root / export))
        print(f"generated/{name}: {len(conv.jobs)} jobs, {len(conv.gaps)} gaps")


if __name__ == "__main__":
    main()
