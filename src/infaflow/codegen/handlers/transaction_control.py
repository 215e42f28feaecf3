"""Transaction Control: commits and rollbacks per row condition. Rows pass through unchanged.

The condition gives each row an action (Transformation Guide, "Transaction Control Transformation"):
TC_CONTINUE_TRANSACTION, TC_COMMIT_BEFORE/AFTER, TC_ROLLBACK_BEFORE/AFTER; any other value fails the
session. The rows themselves flow on unchanged: a rollback removes the rows of its transaction from the
targets of the transaction control unit only (codegen/transactions.py), where ``job.committed`` leaves
them out; downstream transformations, and targets for which the Transaction Control is ineffective,
still receive them. A commit-only condition leaves exactly the rows one commit at the end leaves, so its
transactions are computed only when a target of its unit has a FileName port (a file per transaction).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infaflow.codegen import transactions
from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.naming import py_str
from infaflow.codegen.stepcode import Output, StepCode, port_columns

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator
    from infaflow.codegen.plan import Step

KINDS = ("Transaction Control",)


def generate(step: Step, gen: Generator) -> StepCode:
    text = transactions.condition_text(step)
    condition = " ".join(text.split())
    var = gen.var(step)
    ports = [p for p in step.ports if p.is_input]
    lines, _origin = gen.assemble(step, ports, var)
    outputs = {p.name.lower(): Output(var, p.name, origin=step.name) for p in ports if p.is_output}
    parsed = gen.parse(step, text)
    if parsed is None:
        return StepCode(lines, outputs, [])
    actions = transactions.possible_actions(parsed.node)
    targets = transactions.controlled_targets(gen.plan, step)
    on_errors = str(gen.plan.source_attribute("Rollback Transactions on Errors", "NO") or "NO")
    if targets and on_errors.strip().upper() == "YES":
        raise ConversionError(
            "Rollback Transactions on Errors is YES: a row error after this Transaction Control rolls back "
            "its whole transaction into the reject file (row indicators 4-6); not supported"
        )
    rolls_back = transactions.can_roll_back(gen.plan, step, parsed.node)
    consumers = transactions.scoped_consumers(gen.plan, step)
    needed = bool(targets) and (rolls_back or any(transactions.has_file_name_port(t) for t in targets))
    needed = needed or bool(consumers)
    valid = actions is not None and actions <= set(transactions.ACTIONS.values())
    if not needed and valid:
        return StepCode(lines, outputs, [f"commit condition (rows unchanged): {condition}"])
    columns = {
        **port_columns(ports),
        **{name: f"F.lit({code})" for name, code in transactions.ACTIONS.items()},
    }
    code = gen.translate(step, parsed, columns)
    if not needed:
        lines += [
            "# a condition that returns no Transaction Control action fails the session",
            f"{var} = job.check_transaction_actions({py_str(step.name)}, {var}, {code})",
        ]
        return StepCode(lines, outputs, [f"commit condition (rows unchanged): {condition}"])
    if var in gen.unordered:
        raise ConversionError(
            "the rows enter the Transaction Control from an Aggregator or a Union in no defined order: "
            "its transactions, which follow the row order, are not defined"
        )
    eof = transactions.commit_on_end_of_file(gen.plan)
    end = "YES" if eof else "NO"
    unit = ", ".join(t.name for t in targets) or "no target"
    per = ", ".join(c.name for c in consumers)
    lines += [
        f"# each row's transaction and whether it is rolled back, kept for the targets {unit}",
        *([f"# and the transformations computing per transaction {per}"] if per else []),
        f"# (Commit On End Of File: {end})",
        "job.transactions(",
        f"    {py_str(step.name)},",
        f"    {var},",
        f"    {code},",
        f"    commit_on_end_of_file={eof},",
        ")",
    ]
    gen.transactions[step.name.lower()] = rolls_back
    what = "commits and rollbacks" if rolls_back else "commits"
    note = f"{what} per row ({condition}) for the targets {unit}"
    return StepCode(lines, outputs, [note + (f"; computed per transaction: {per}" if per else "")])
