"""infaflow: inspect, run and convert Informatica PowerCenter exports.

Python API::

    import infaflow
    export = infaflow.load("samples/orders/orders_export.xml")
    folder, workflow = export.find_workflow("wf_orders")
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infaflow.model import Export

__version__ = "0.1.0"


def load(path: str, *, lenient: bool = False, validate: bool = True) -> Export:
    """Load a PowerCenter export file into an :class:`infaflow.model.Export` (see
    :func:`infaflow.export.load`)."""
    from infaflow.export import load as _load

    return _load(path, lenient=lenient, validate=validate)


__all__ = ["__version__", "load"]
