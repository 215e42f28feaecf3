"""One module per transformation type; each declares the kinds it handles (``KINDS``) and a
``generate(step, gen) -> StepCode`` function. The table below is the only place they are listed."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from infaflow.codegen.handlers import (
    aggregator,
    expression,
    filter,
    joiner,
    lookups,
    mapplet,
    normalizer,
    rank,
    router,
    sequence,
    sorter,
    source,
    sql_transformation,
    stored_procedure,
    target,
    transaction_control,
    union,
    unsupported,
    update_strategy,
    xml_source,
)

_MODULES: tuple[ModuleType, ...] = (
    source,
    expression,
    filter,
    joiner,
    lookups,
    aggregator,
    router,
    sorter,
    rank,
    union,
    update_strategy,
    sequence,
    normalizer,
    mapplet,
    transaction_control,
    stored_procedure,
    sql_transformation,
    xml_source,
    target,
    unsupported,
)

HANDLERS: dict[str, Callable] = {kind.lower(): m.generate for m in _MODULES for kind in m.KINDS}


def handler_for(kind: str) -> Callable | None:
    """The handler of a transformation kind (TYPE, or TEMPLATENAME for Custom Transformations)."""
    return HANDLERS.get(kind.strip().lower())
