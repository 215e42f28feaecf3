"""Where the transactions of a target's rows come from: the Transaction Control upstream of a port.

A flat-file target with a connected FileName port starts a new file at each transaction boundary (Designer
Guide, "Creating Target Files by Transaction"). The boundaries are the commits of the Transaction Control
that feeds the target through transformations keeping each row's identity (``_row_id``); transformations
that regroup rows (Aggregator, Sorter, Joiner, Union...) have their own transformation scope and are not
followed here. Without a Transaction Control the session's commit interval places the commits.
"""

from __future__ import annotations

from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.plan import Plan, PortRef, Step

TRANSACTION_CONTROL = "Transaction Control"
# row for row: a row keeps its _row_id through these (the rows a Filter or a Router drops still pass the
# Transaction Control upstream of them, whose commits count all the same)
ROW_FOR_ROW = ("Expression", "Filter", "Router", "Lookup Procedure", "Update Strategy", "Stored Procedure")
SOURCES = ("Source Qualifier", "Source Definition", "Application Source Qualifier")

#: the Transaction Control built-in variables and the action code each gives (Transformation Guide)
ACTIONS = {
    "tc_continue_transaction": 0,
    "tc_commit_before": 1,
    "tc_commit_after": 2,
    "tc_rollback_before": 3,
    "tc_rollback_after": 4,
}


def transaction_control(plan: Plan, ref: PortRef) -> Step | None:
    """The Transaction Control whose commits delimit the transactions of the rows behind ``ref``; ``None``
    when no Transaction Control is upstream. A transformation that regroups rows between the Transaction
    Control and ``ref`` is a :class:`ConversionError` (its transaction scope is not modelled)."""
    seen: set[str] = set()
    while True:
        try:
            step = plan.step(ref.step)
        except KeyError:
            return None
        if step.name.lower() in seen:
            return None
        seen.add(step.name.lower())
        if step.kind == TRANSACTION_CONTROL:
            return step
        if step.kind in SOURCES or not step.inputs:
            return None
        if step.kind not in ROW_FOR_ROW:
            if not _controlled(plan, step):
                return None  # no Transaction Control upstream: the commit interval's transactions
            raise ConversionError(
                f"the rows reach the FileName port through {step.kind} {step.name}, whose transaction scope "
                "decides the output files; only Expression, Filter, Router, Lookup and Update Strategy "
                "transformations between the Transaction Control (or the source) and the target are supported"
            )
        nxt = step.inputs.get(ref.port.lower()) or next(iter(step.inputs.values()))
        ref = nxt


def _controlled(plan: Plan, step: Step) -> bool:
    """Whether a Transaction Control is upstream of ``step`` (any input, any distance)."""
    seen: set[str] = set()
    todo = [step]
    while todo:
        current = todo.pop()
        if current.name.lower() in seen:
            continue
        seen.add(current.name.lower())
        if current.kind == TRANSACTION_CONTROL:
            return True
        for ref in current.inputs.values():
            try:
                todo.append(plan.step(ref.step))
            except KeyError:
                continue
    return False
