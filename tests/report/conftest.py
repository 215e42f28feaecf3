"""Fixtures for report tests: the orders sample and variants of it with broken links."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

ORDERS = "orders/wf_orders_daily.xml"
LAST_LINK = (
    '<WORKFLOWLINK CONDITION ="$s_m_customer_orders.Status = FAILED" FROMTASK ="s_m_customer_orders" '
    'TOTASK ="eml_load_problem"/>'
)


@pytest.fixture
def orders_xml(samples_dir: Path) -> Path:
    path = samples_dir / ORDERS
    if not path.is_file():
        pytest.skip("samples/orders is absent")
    return path


@pytest.fixture
def orders_variant(orders_xml: Path, tmp_path: Path) -> Callable[[str], Path]:
    """A copy of the orders sample with ``extra`` written on the line after its last link."""

    def make(extra: str) -> Path:
        text = orders_xml.read_bytes().decode("cp1252")
        assert LAST_LINK in text
        out = tmp_path / "variant.xml"
        out.write_bytes(text.replace(LAST_LINK, LAST_LINK + "\r\n        " + extra).encode("cp1252"))
        return out

    return make
