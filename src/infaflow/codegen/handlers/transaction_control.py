"""Transaction Control: commits per row condition. Rows pass through unchanged.

A Transaction Control transformation never changes which rows flow or what they hold: its condition only
decides where the Integration Service commits (TC_COMMIT_BEFORE/AFTER, TC_CONTINUE_TRANSACTION). A session
that succeeds therefore leaves exactly the rows a single commit at the end leaves, which is what a Spark job
writes. A condition that can roll back (TC_ROLLBACK_BEFORE/AFTER discards the transaction's rows) changes
the rows and stays unsupported. A flat-file target whose FileName port is connected (each transaction
starts a new output file) evaluates the condition itself (handlers/target.py, codegen/transactions.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.plan import Step
from infaflow.codegen.stepcode import Output, StepCode
from infaflow.expr import references

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator

KINDS = ("Transaction Control",)

ROLLBACKS = ("tc_rollback_before", "tc_rollback_after")


def generate(step: Step, gen: Generator) -> StepCode:
    text = str(step.attributes.get("Transaction Control Condition", "") or "").strip()
    parsed = gen.parse(step, text) if text else None
    names = {n.lower() for n in references(parsed.node)} if parsed is not None else set()
    if names & set(ROLLBACKS):
        raise ConversionError(
            "Transaction Control is not supported when its condition can roll back "
            "(TC_ROLLBACK_BEFORE/AFTER discards rows per transaction; "
            "Spark writes are not transactional per row)"
        )
    var = gen.var(step)
    ports = [p for p in step.ports if p.is_input]
    lines, _origin = gen.assemble(step, ports, var)
    outputs = {p.name.lower(): Output(var, p.name, origin=step.name) for p in ports if p.is_output}
    condition = " ".join(text.split()) or "TC_CONTINUE_TRANSACTION"
    return StepCode(lines, outputs, [f"commit condition (rows unchanged): {condition}"])
