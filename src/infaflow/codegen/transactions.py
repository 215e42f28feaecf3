"""The transaction control unit of a target: which Transaction Control's transactions its rows belong to.

Transformation Guide, "Transaction Control Transformation" and the Advanced Workflow Guide, "Commit Points":
a target belongs to the transaction control unit of the *effective* Transaction Control upstream of it,
the first one met walking up from the target. A transformation that drops incoming transaction boundaries
(an Aggregator, Joiner, Rank or Sorter whose Transformation Scope is All Input, their default) makes every
Transaction Control upstream of it ineffective for the target: its rows reach the target in one open
transaction and its commits and rollbacks do not apply there. Transformations that keep each row's identity
(``_row_id``) are followed. An Aggregator, Rank or Sorter of Transformation Scope Transaction, a Joiner of
scope Transaction (both pipelines from one Transaction Control) or Row (the detail pipeline's boundaries)
keeps the boundaries and computes per transaction: the Transaction Control stays effective after it, and
it renumbers its rows with their transactions (``job.keep_transactions``), under its own name, which the
steps after it read. Another transformation that regroups the rows within the boundaries (Union,
Normalizer...) is reported when the transactions matter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Plan, PortRef, Step
from infaflow.expr.nodes import Call, Literal, Name, Node

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator

TRANSACTION_CONTROL = "Transaction Control"
TARGET = "Target Definition"
# row for row: a row keeps its _row_id through these (the rows a Filter or a Router drops still pass the
# Transaction Control upstream of them, whose commits count all the same)
ROW_FOR_ROW = (
    "Expression",
    "Filter",
    "Router",
    "Lookup Procedure",
    "Update Strategy",
    "Stored Procedure",
    "Input Transformation",
    "Output Transformation",
)
SOURCES = ("Source Qualifier", "Source Definition", "Application Source Qualifier")
#: transformations whose Transformation Scope defaults to All Input (Transformation Guide)
ALL_INPUT_BY_DEFAULT = ("Aggregator", "Joiner", "Rank", "Sorter")
#: the Transformation Scopes each transformation computes per transaction (Transformation Guide,
#: "Transformation Scope" and each transformation's properties: Row only for the Joiner among them)
PER_TRANSACTION = {
    "Aggregator": ("transaction",),
    "Rank": ("transaction",),
    "Sorter": ("transaction",),
    "Joiner": ("transaction", "row"),
}

#: the Transaction Control built-in variables and the action code each gives (Transformation Guide)
ACTIONS = {
    "tc_continue_transaction": 0,
    "tc_commit_before": 1,
    "tc_commit_after": 2,
    "tc_rollback_before": 3,
    "tc_rollback_after": 4,
}
ROLLBACK_CODES = frozenset({ACTIONS["tc_rollback_before"], ACTIONS["tc_rollback_after"]})
CONDITION = "Transaction Control Condition"
TXN = "_txn"  # a row's transaction (job.with_transactions)
ROLLED_BACK = "_rolled_back"  # whether it is rolled back


@dataclass(frozen=True)
class Unit:
    """How the rows of a target are grouped into transactions.

    ``control``: the effective Transaction Control (``None``: no Transaction Control, or only ineffective
    ones: the session's commit interval places the commits). ``regrouped``: a transformation between a
    Transaction Control and the target that keeps its transaction boundaries but regroups the rows, with
    that Transaction Control (the rows' transactions are then not modelled)."""

    control: Step | None = None
    regrouped: tuple[Step, Step] | None = None
    via: Step | None = None

    @property
    def key(self) -> str | None:
        """The name the job keeps the rows' transactions under (``job.transactions``,
        ``job.keep_transactions``): the nearest per-transaction transformation, else the Transaction
        Control; ``None`` without an effective Transaction Control."""
        if self.control is None:
            return None
        return (self.via or self.control).name


def condition_text(tc: Step) -> str:
    """The Transaction Control Condition, TC_CONTINUE_TRANSACTION (the default) when empty."""
    return str(tc.attributes.get(CONDITION, "") or "").strip() or "TC_CONTINUE_TRANSACTION"


def possible_actions(node: Node) -> frozenset[int] | None:
    """The action codes a condition can return, read from the results of its IIF and DECODE branches;
    ``None`` when a result is not a constant (a port, a parameter, arithmetic): anything is possible.
    A NULL result is TC_CONTINUE_TRANSACTION (0)."""
    if isinstance(node, Name):
        code = ACTIONS.get(node.name.lower())
        return None if code is None else frozenset({code})
    if isinstance(node, Literal):
        if node.value is None:
            return frozenset({0})
        return frozenset({node.value}) if type(node.value) is int else None
    if isinstance(node, Call) and node.name in ("IIF", "DECODE"):
        if node.name == "IIF":
            results = node.args[1:3] + ([Literal(None)] if len(node.args) < 3 else [])
        else:
            rest = node.args[1:]
            results = rest[1 : len(rest) // 2 * 2 : 2] + [rest[-1] if len(rest) % 2 else Literal(None)]
        out: set[int] = set()
        for result in results:
            codes = possible_actions(result)
            if codes is None:
                return None
            out |= codes
        return frozenset(out)
    return None


def commit_on_end_of_file(plan: Plan) -> bool:
    """The session's Commit On End Of File (default YES): NO rolls back the open transaction at the end."""
    return str(plan.source_attribute("Commit On End Of File", "YES") or "YES").strip().upper() != "NO"


def unit_of(plan: Plan, target: Step, ports: list[str] | None = None) -> Unit:
    """The transaction control unit of ``target`` (through its connected ``ports``, all by default).
    Two effective Transaction Controls for one target are a :class:`ConversionError` (the Designer
    allows one)."""
    refs = [ref for name, ref in target.inputs.items() if ports is None or name in ports]
    return _merge([_path_unit(plan, ref) for ref in refs], "the target")


def _merge(units: list[Unit], where: str) -> Unit:
    """One unit from the units of several inputs; several effective Transaction Controls are a
    :class:`ConversionError`."""
    controls: dict[str, Step] = {}
    regrouped = None
    via = None
    for unit in units:
        if unit.control is not None:
            controls[unit.control.name.lower()] = unit.control
            via = via or unit.via
        regrouped = regrouped or unit.regrouped
    if len(controls) > 1:
        names = ", ".join(s.name for s in controls.values())
        raise ConversionError(
            f"rows from several effective Transaction Control transformations ({names}) reach {where}; "
            "PowerCenter allows one"
        )
    return Unit(next(iter(controls.values()), None), regrouped, via)


def per_transaction(step: Step) -> bool:
    """Whether ``step`` computes per transaction (its Transformation Scope keeps the boundaries)."""
    return transaction_scope(step) in PER_TRANSACTION.get(step.kind, ())


def input_unit(plan: Plan, step: Step, ports: list[str] | None = None) -> Unit:
    """The transaction control unit of the rows entering ``step`` through its ``ports`` (all by default)."""
    refs = [ref for name, ref in step.inputs.items() if ports is None or name in ports]
    return _merge([_path_unit(plan, ref) for ref in refs], f"{step.kind} {step.name}")


def scoped_consumers(plan: Plan, tc: Step) -> list[Step]:
    """The per-transaction transformations that read the transactions of Transaction Control ``tc``."""
    return _controlled_by(tc, [s for s in plan.steps if per_transaction(s)], lambda s: input_unit(plan, s))


def _controlled_by(tc: Step, steps: list[Step], unit: Callable[[Step], Unit]) -> list[Step]:
    """The ``steps`` whose unit (``unit``) is Transaction Control ``tc``'s; a step whose unit cannot be
    told is left out (reported at that step)."""
    out = []
    for step in steps:
        try:
            control = unit(step).control
        except ConversionError:
            continue
        if control is not None and control.name.lower() == tc.name.lower():
            out.append(step)
    return out


def upstream_sources(plan: Plan, step: Step, ports: list[str] | None = None) -> list[Step]:
    """The sources (Source Qualifiers...) whose rows reach ``step`` (through ``ports``), in plan order."""
    seen: set[str] = set()
    todo = [ref.step for name, ref in step.inputs.items() if ports is None or name in ports]
    found: set[str] = set()
    while todo:
        name = todo.pop()
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        try:
            current = plan.step(name)
        except KeyError:
            continue
        if current.kind in (*SOURCES, "XML Source Qualifier"):
            found.add(current.name.lower())
        else:
            todo += [ref.step for ref in current.inputs.values()]
    return [s for s in plan.steps if s.name.lower() in found]


def controlled_targets(plan: Plan, tc: Step) -> list[Step]:
    """The targets of the transaction control unit of Transaction Control ``tc``."""
    return _controlled_by(tc, [s for s in plan.steps if s.kind == TARGET], lambda s: unit_of(plan, s))


def has_file_name_port(target: Step) -> bool:
    """Whether a flat-file target's FileName port (ISFILENAMEFIELD) is connected."""
    tgt = target.target
    return tgt is not None and any(
        str(f.attrs.get("ISFILENAMEFIELD", "")).upper() == "YES" and f.name.lower() in target.inputs
        for f in tgt.fields
    )


def can_roll_back(plan: Plan, tc: Step, node: Node | None) -> bool:
    """Whether Transaction Control ``tc`` can discard rows: its condition can return a rollback (or
    something not known before the rows are read), or the open transaction at the end of the data is
    rolled back (Commit On End Of File = NO)."""
    actions = possible_actions(node) if node is not None else frozenset({0})
    return actions is None or bool(actions & ROLLBACK_CODES) or not commit_on_end_of_file(plan)


def transaction_scope(step: Step) -> str:
    """The step's Transformation Scope, lower case ("all input", "transaction", "row"); "" when it has
    none and is not one of the transformations whose default is All Input."""
    scope = str(step.attributes.get("Transformation Scope", "") or "").strip().lower()
    if not scope and step.kind in ALL_INPUT_BY_DEFAULT:
        return "all input"
    return scope


def _path_unit(plan: Plan, ref: PortRef) -> Unit:
    """The Transaction Control effective on the rows behind output port ``ref``."""
    seen: set[str] = set()
    while True:
        try:
            step = plan.step(ref.step)
        except KeyError:
            return Unit()
        if step.name.lower() in seen:
            return Unit()
        seen.add(step.name.lower())
        if step.kind == TRANSACTION_CONTROL:
            return Unit(step)
        if step.kind in SOURCES or not step.inputs:
            return Unit()
        if step.kind not in ROW_FOR_ROW:
            if transaction_scope(step) == "all input":
                return (
                    Unit()
                )  # drops the incoming boundaries: any Transaction Control upstream is ineffective
            if per_transaction(step):
                try:
                    unit = input_unit(plan, step, _boundary_ports(step))
                except ConversionError:
                    return Unit()  # reported at the step
                return Unit(unit.control, unit.regrouped, step) if unit.control is not None else unit
            upstream = _upstream_control(plan, step)
            return Unit(regrouped=(step, upstream)) if upstream is not None else Unit()
        ref = step.inputs.get(ref.port.lower()) or next(iter(step.inputs.values()))


def _boundary_ports(step: Step) -> list[str] | None:
    """The input ports whose boundaries a per-transaction step keeps: a Joiner of Row scope keeps the
    detail pipeline's only (Transformation Guide, "Preserving Transaction Boundaries in the Detail
    Pipeline"); every input otherwise."""
    t = step.transformation
    if step.kind == "Joiner" and transaction_scope(step) == "row" and t is not None:
        return [p.name.lower() for p in t.ports if p.is_input and not p.is_master]
    return None


def _upstream_control(plan: Plan, step: Step) -> Step | None:
    """The nearest Transaction Control upstream of ``step`` (any input, any distance) that no
    transformation dropping the boundaries (All Input) separates from it."""
    seen: set[str] = set()
    todo = [ref.step for ref in step.inputs.values()]
    while todo:
        name = todo.pop(0)
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        try:
            current = plan.step(name)
        except KeyError:
            continue
        if current.kind == TRANSACTION_CONTROL:
            return current
        if transaction_scope(current) != "all input":
            todo += [ref.step for ref in current.inputs.values()]
    return None


def scope_lines(
    step: Step, gen: Generator, var: str, ports: list[str] | None = None
) -> tuple[list[str], bool]:
    """Lines giving the rows of ``var`` (the input of ``step`` through ``ports``) their transaction
    (columns ``_txn`` and ``_rolled_back``) when ``step`` computes per transaction, and whether they do.

    Scope All Input, or Transaction with no Transaction Control upstream: the step computes over all its
    input; in the latter case the session's commit interval makes the transactions, and the job checks
    that the sources fit in one (``job.one_transaction``). A scope the transformation does not have, or
    transactions regrouped on the way (a Union...), is a :class:`ConversionError`."""
    scope = transaction_scope(step)
    allowed = ("all input", *PER_TRANSACTION.get(step.kind, ()))
    if step.kind in PER_TRANSACTION and scope not in allowed:
        raise ConversionError(
            f"Transformation Scope {scope!r}: the {step.kind} has {' or '.join(allowed)} "
            "(Transformation Guide)"
        )
    if not per_transaction(step):
        return [], False
    unit = input_unit(gen.plan, step, ports)
    if unit.regrouped is not None:
        regrouping, tc = unit.regrouped
        raise ConversionError(
            f"the rows reach this {scope}-scope {step.kind} from Transaction Control {tc.name} through "
            f"{regrouping.kind} {regrouping.name}, which regroups them within the transactions: their "
            "transactions are not known"
        )
    if unit.control is None:
        interval = str(gen.plan.source_attribute("Commit Interval", "10000") or "10000").strip()
        read = upstream_sources(gen.plan, step)
        other = [s for s in read if s.kind != "Source Qualifier"]
        if other:
            raise ConversionError(
                f"{scope} scope without a Transaction Control after {other[0].kind} {other[0].name}: the "
                "commit interval's transactions depend on the rows it reads, which the job does not count"
            )
        sources = ", ".join(gen.var(s) for s in read)
        return [
            f"# {scope} scope, no Transaction Control: the commit interval's transactions, one while the",
            "# sources fit in it (commit points placed by buffer blocks cannot be reproduced)",
            f"job.one_transaction({py_str(step.name)}, [{sources}], "
            f"{int(interval) if interval.isdigit() else 10000})",
        ], False
    tc = unit.control
    if tc.name.lower() not in gen.transactions:
        raise ConversionError(
            f"Transaction Control {tc.name} is not converted: the transactions this {step.kind} computes "
            "per are unknown"
        )
    key = unit.key
    assert key is not None
    return [
        f"# {scope} scope: computed per transaction of Transaction Control {tc.name}",
        f"{var} = job.with_transactions({var}, {py_str(key)})",
    ], True


def keep_lines(step: Step, var: str) -> list[str]:
    """Lines keeping the transactions of a per-transaction step's output rows for the steps after it."""
    return [f"{var} = job.keep_transactions({py_str(step.name)}, {var})"]
