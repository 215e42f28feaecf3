"""Variable ports that carry a value from row to row: which recurrences a window computes exactly.

PowerCenter evaluates an Expression's variable ports per row, top to bottom; a variable read at or after its
own position gives the previous row's value (the first row reads the initial value: 0, '' or 01/01/0001).
:func:`analyse` classifies the variable ports of one Expression by the structure of their expressions:

- a variable that reads only earlier rows of variables that are themselves computed row-wise: ``F.lag``;
- a variable carried through its own previous value in one of the classes below, each exact as a window
  over the row order under the condition its ``exact`` method checks: :class:`RunningSum` (counts, sums,
  restarts where a condition holds or a key changes), :class:`Counter` (a base plus a row number),
  :class:`HeldValue` (the value of the last row where a condition held), :class:`RunningExtreme` (the
  largest or smallest value so far);
- anything else (two variables carrying each other, a condition on the variable itself, a port that can
  raise a row error above a variable a later row reads, a type change on each row...): every variable port
  of the Expression is computed by an exact sequential scan of the rows in their order
  (:mod:`infaflow.codegen.scan`), cut into segments where a condition restarts every variable
  (:func:`segments`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from infaflow.codegen import exprs
from infaflow.codegen.exprs import Parsed
from infaflow.codegen.naming import py_str
from infaflow.codegen.rowcontract import ROW_ID
from infaflow.codegen.stepcode import cast_to
from infaflow.codegen.types import default_value_literal, spark_type
from infaflow.expr import references
from infaflow.expr.nodes import Binary, Call, Literal, Name, Node, RefCall, Unary, to_text, walk
from infaflow.model import Port

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator
    from infaflow.codegen.plan import Step

_CONDITIONS = {"=", "<>", "!=", "^=", "<", "<=", ">", ">=", "AND", "OR"}
_BOOLEAN_CALLS = {"ISNULL", "IS_SPACES", "IS_NUMBER", "IS_DATE", "IN"}


# -- the analysis --------------------------------------------------------------------------------------


@dataclass
class Analysis:
    """How the variable ports of one Expression are computed."""

    variables: list[Port]
    parsed: dict[str, Parsed]  # lower-case name -> expression (ports whose expression parses)
    prev_reads: dict[str, set[str]]  # variables read with their previous row's value
    stateful: set[str]  # variables whose value depends on earlier rows
    windows: dict[str, Recurrence] = field(default_factory=dict)  # carried variables and their class
    scan: str = ""  # why every variable port is computed by a sequential scan ("" when windows suffice)
    row_wise: set[str] = field(default_factory=set)  # computable without a scan (F.lag at most)

    @property
    def order(self) -> dict[str, int]:
        return {p.name.lower(): i for i, p in enumerate(self.variables)}


def analyse(
    variables: list[Port], parsed: dict[str, Parsed], can_raise: set[str], type_of: Any = None
) -> Analysis:
    """Classify the variable ports (in port order). ``can_raise``: the variables whose expression can raise
    a row error; ``type_of(node)``: the static type of a sub-expression ("" when unknown)."""
    order = {p.name.lower(): i for i, p in enumerate(variables)}
    prev_reads: dict[str, set[str]] = {}
    current_reads: dict[str, set[str]] = {}
    for name, tree in parsed.items():
        refs = {r.lower() for r in exprs.references(tree)} & set(order)
        prev_reads[name] = {r for r in refs if order[r] >= order[name]}
        current_reads[name] = refs - prev_reads[name]
    stateful: set[str] = set()
    for p in variables:  # in port order, so current reads are already classified
        name = p.name.lower()
        if prev_reads.get(name) or current_reads.get(name, set()) & stateful:
            stateful.add(name)
    result = Analysis(variables, parsed, prev_reads, stateful)
    for p in variables:  # in port order: a variable reading only earlier rows of row-wise ones is row-wise
        name = p.name.lower()
        if (
            name in parsed
            and prev_reads[name] <= set(order) - stateful
            and current_reads[name] <= result.row_wise
        ):
            result.row_wise.add(name)
    if not stateful:
        return result
    read_later = set().union(*prev_reads.values()) if prev_reads else set()
    lowest_read = max(map(order.__getitem__, read_later), default=-1)
    if can_raise and lowest_read >= min(map(order.__getitem__, can_raise)):
        # A row error stops the row's evaluation: a variable below it keeps its value for the next row.
        raising = ", ".join(variables[order[n]].name for n in sorted(can_raise, key=order.__getitem__))
        result.scan = f"a row error in {raising} keeps the values of the variables below it for the next row"
        return result
    for name in sorted(stateful, key=order.__getitem__):
        port = variables[order[name]]
        carried = prev_reads.get(name, set()) & stateful
        if not carried:
            continue
        found = classify(parsed[name].node, name) if carried == {name} and name in parsed else None
        why = found.exact(port, type_of or (lambda n: "")) if found is not None else "no window class"
        if found is None or why:
            result.windows.clear()
            through = ", ".join(variables[order[c]].name for c in sorted(carried, key=order.__getitem__))
            result.scan = f"{port.name} carries a value from row to row through {through} ({why})"
            return result
        result.windows[name] = found
    return result


def classify(node: Node, name: str) -> Recurrence | None:
    """The window class of ``v = node`` for variable ``name`` (its only carried read being itself)."""
    node = as_iif(node)
    for recognise in (counter, running_sum, running_extreme, held_value):
        found = recognise(node, name)
        if found is not None and name not in found.refs():
            return found
    return None


def as_iif(node: Node) -> Node:
    """``DECODE(TRUE, c1, r1, c2, r2, ..., default)`` with conditions as the equivalent nested ``IIF``.

    Exact only when each ``c`` is a condition (1, 0 or NULL): DECODE compares TRUE = c, NULL matches
    nothing, as IIF treats a NULL condition as FALSE. Other nodes are returned as they are."""
    if not (isinstance(node, Call) and node.name.upper() == "DECODE" and len(node.args) >= 3):
        return node
    first = node.args[0]
    if not (isinstance(first, Literal) and first.kind == "boolean" and first.value):
        return node
    arms = node.args[1:]
    pairs = [(arms[i], arms[i + 1]) for i in range(0, len(arms) - 1, 2)]
    if not all(is_condition(c) for c, _ in pairs):
        return node
    rest: Node = arms[-1] if len(arms) % 2 else Literal(None, pos=node.pos, source=node.source)
    for cond, value in reversed(pairs):
        rest = Call("IIF", [cond, value, rest], pos=node.pos, source=node.source)
    return rest


def is_condition(node: Node) -> bool:
    """A comparison, a logical operator or a test function: its value is 1, 0 or NULL."""
    if isinstance(node, Binary):
        return node.op.upper() in _CONDITIONS
    if isinstance(node, Unary):
        return node.op.upper() == "NOT"
    if isinstance(node, Literal):
        return node.kind == "boolean"
    return isinstance(node, Call) and node.name.upper() in _BOOLEAN_CALLS


# -- helpers shared by the classes ---------------------------------------------------------------------


def _is_self(node: Node, name: str) -> bool:
    return isinstance(node, Name) and node.name.lower() == name


def _iif(node: Node) -> tuple[Node, Node, Node] | None:
    if isinstance(node, Call) and node.name.upper() == "IIF" and len(node.args) == 3:
        return node.args[0], node.args[1], node.args[2]
    return None


def _refs(*nodes: Node | None) -> set[str]:
    return {r.lower() for n in nodes if n is not None for r in references(n)}


def port_kind(port: Port) -> str:
    """The expression-language type a port holds (integer, decimal, double, string, date)."""
    return exprs.expr_type(port.datatype)


def initial_literal(port: Port) -> object:
    """The value a variable port holds before the first row (SPEC E: 0, '' or 01/01/0001)."""
    return default_value_literal(spark_type(port.datatype, port.precision, port.scale))


def _code(
    gen: Generator,
    step: Step,
    node: Node,
    columns: dict[str, str],
    port: Port,
    condition: bool = False,
    lookups: Any = None,
) -> str:
    return gen.translate(step, Parsed("", node), columns, port, lookups, as_condition=condition)


def _cast(code: str, port: Port) -> str:
    return cast_to(code, port)


def _not_true(cond: str) -> str:
    return f"~F.coalesce({cond}, F.lit(False))"


class Recurrence:
    """A window class: the lines that add the variable's column to ``var``."""

    def refs(self) -> set[str]:
        raise NotImplementedError

    def exact(self, port: Port, type_of: Any) -> str:
        """ "" when the window computes exactly what the row-by-row rule does, else the reason it does not."""
        return ""

    def lines(
        self,
        step: Step,
        gen: Generator,
        var: str,
        port: Port,
        columns: dict[str, str],
        window: str,
        lookups: Any = None,
    ) -> list[str]:
        raise NotImplementedError


# -- running sums, counts, a base plus a row number ----------------------------------------------------


@dataclass
class RunningSum(Recurrence):
    """``v = IIF(reset, start, v + step)`` (or ``IIF(c, v + step, start)``, ``v + step``): the sum since the
    last restart, NULL once a NULL is added (v + NULL is NULL and stays NULL until the next restart)."""

    reset: Any  # expression node or None
    start: Any
    step: Any
    negate: bool = False  # the restart is where the condition is not TRUE (IIF(c, v + b, a))

    def refs(self) -> set[str]:
        return _refs(self.reset, self.start, self.step)

    def exact(self, port: Port, type_of: Any) -> str:
        # The sum of the steps equals adding them one by one with the port's conversion on each row only when
        # every step is a value of the port's type.
        kind, step = port_kind(port), type_of(self.step)
        if step in ("integer", "boolean") and kind in ("integer", "decimal", "double"):
            return ""
        if kind == "double" and step == "double":
            return ""  # added in row order, as the window adds them
        scale = getattr(type_of, "scale", lambda node: None)(self.step)
        if kind == step == "decimal" and scale is not None and scale <= port.scale:
            return ""  # a decimal port read as it is: no digit is lost on any row
        return (
            f"the step {to_text(self.step)} is {step or 'of unknown type'}, the port {kind}: each row's "
            "conversion matters"
        )

    def lines(
        self,
        step: Step,
        gen: Generator,
        var: str,
        port: Port,
        columns: dict[str, str],
        window: str,
        lookups: Any = None,
    ) -> list[str]:
        name = py_str(port.name)
        part = py_str(f"_{port.name}_run")
        term = _code(gen, step, self.step, columns, port, lookups=lookups)
        lines = []
        if self.reset is not None:
            cond = _code(gen, step, self.reset, columns, port, True, lookups)
            if self.negate:
                cond = _not_true(cond)
            lines.append(
                f"{var} = {var}.withColumn({part}, F.sum(F.when({cond}, 1)"
                f".otherwise(0)).over({window}.rowsBetween(Window.unboundedPreceding, 0)))"
            )
            start = _code(gen, step, self.start, columns, port, lookups=lookups)
            term = f"F.when({cond}, {start}).otherwise({term})"
            run = f"Window.partitionBy({part}).orderBy({py_str(ROW_ID)})"
        else:
            run = f"{window}"
        lines.append(f"{var} = {var}.withColumn({name}, {_cast(term, port)})")
        total = f"F.when(F.count_if(F.col({name}).isNull()).over({run}) == 0, F.sum({name}).over({run}))"
        lines.append(f"{var} = {var}.withColumn({name}, {_cast(total, port)})")
        if self.reset is not None:
            lines.append(f"{var} = {var}.drop({part})")
        return lines


def running_sum(node: Node, name: str) -> RunningSum | None:
    """Recognise ``IIF(c, a, v + b)``, ``IIF(c, v + b, a)`` and ``v + b`` for variable ``name``."""

    def added(n: Node) -> Node | None:
        if isinstance(n, Binary) and n.op == "+":
            if _is_self(n.left, name):
                return n.right
            if _is_self(n.right, name):
                return n.left
        return None

    if added(node) is not None:
        return RunningSum(None, None, added(node))
    parts = _iif(node)
    if parts is not None:
        cond, a, b = parts
        if added(b) is not None:
            return RunningSum(cond, a, added(b))
        if added(a) is not None:
            return RunningSum(cond, b, added(a), negate=True)
    return None


# -- counters that start on the first row -----------------------------------------------------------


@dataclass
class Counter(Recurrence):
    """``v = IIF(v = 0 OR ISNULL(v), a, v + b)`` with numbers ``a`` and ``b`` moving away from the initial
    0 (a and b both positive, or both negative): the test holds on the first row only (v is never NULL,
    and never 0 again), so ``v`` is a base plus a row number, ``a + (n - 1) * b``."""

    base: Any
    step: Any

    def refs(self) -> set[str]:
        return set()

    def exact(self, port: Port, type_of: Any) -> str:
        return "" if port_kind(port) in ("integer", "decimal", "double") else "the port is not a number"

    def lines(
        self,
        step: Step,
        gen: Generator,
        var: str,
        port: Port,
        columns: dict[str, str],
        window: str,
        lookups: Any = None,
    ) -> list[str]:
        base = _code(gen, step, self.base, columns, port, lookups=lookups)
        by = _code(gen, step, self.step, columns, port, lookups=lookups)
        return [
            f"{var} = {var}.withColumn({py_str(port.name)}, "
            f"{_cast(f'{base} + (F.row_number().over({window}) - 1) * {by}', port)})"
        ]


def counter(node: Node, name: str) -> Counter | None:
    """Recognise ``IIF(first, a, v + b)`` where ``first`` only tests v against its initial 0 or NULL."""
    parts = _iif(node)
    if parts is None:
        return None
    cond, a, b = parts
    step = (
        b.right
        if isinstance(b, Binary) and b.op == "+" and _is_self(b.left, name)
        else (b.left if isinstance(b, Binary) and b.op == "+" and _is_self(b.right, name) else None)
    )
    if step is None or not _first_row_test(cond, name):
        return None
    base_value, step_value = _number(a), _number(step)
    if base_value is None or step_value is None:
        return None
    if (base_value > 0 and step_value > 0) or (base_value < 0 and step_value < 0):
        return Counter(a, step)
    return None


def _first_row_test(node: Node, name: str) -> bool:
    """``v = 0``, ``0 = v``, ``ISNULL(v)``, or an OR of them."""
    if isinstance(node, Binary) and node.op.upper() == "OR":
        return _first_row_test(node.left, name) and _first_row_test(node.right, name)
    if isinstance(node, Binary) and node.op == "=":
        pair = (node.left, node.right)
        return any(_is_self(x, name) and _number(y) == 0 for x, y in (pair, pair[::-1]))
    return (
        isinstance(node, Call)
        and node.name.upper() == "ISNULL"
        and len(node.args) == 1
        and _is_self(node.args[0], name)
    )


def _number(node: Node) -> Any:
    """The value of an integer literal (``-1`` included), else None."""
    if isinstance(node, Unary) and node.op == "-":
        inner = _number(node.operand)
        return None if inner is None else -inner
    if (
        isinstance(node, Literal)
        and node.kind == ""
        and isinstance(node.value, int)
        and not isinstance(node.value, bool)
    ):
        return node.value  # integers only: a fraction converted to an integer port could come back to 0
    return None


# -- held values ---------------------------------------------------------------------------------------


@dataclass
class HeldValue(Recurrence):
    """``v = IIF(set, value, v)`` (or ``IIF(keep, v, value)``): the value of the last row where ``set`` was
    TRUE, the port's initial value before any; exact as a ``last`` over the rows so far."""

    reset: Any  # the condition that assigns a new value
    value: Any
    negate: bool = False  # a new value where the condition is not TRUE (IIF(c, v, a))

    def refs(self) -> set[str]:
        return _refs(self.reset, self.value)

    def lines(
        self,
        step: Step,
        gen: Generator,
        var: str,
        port: Port,
        columns: dict[str, str],
        window: str,
        lookups: Any = None,
    ) -> list[str]:
        cond = _code(gen, step, self.reset, columns, port, True, lookups)
        if self.negate:
            cond = _not_true(cond)
        value = _code(gen, step, self.value, columns, port, lookups=lookups)
        held = py_str(f"_{port.name}_held")
        initial = initial_literal(port)
        return [
            f"{var} = {var}.withColumn({held}, "
            f'F.last(F.when({cond}, F.struct({_cast(value, port)}.alias("v"))), '
            f"ignorenulls=True).over({window}.rowsBetween(Window.unboundedPreceding, 0)))",
            f"{var} = {var}.withColumn({py_str(port.name)}, F.when(F.col({held}).isNull(), "
            f'{_cast(f"F.lit({initial!r})", port)}).otherwise(F.col({held}).getField("v"))).drop({held})',
        ]


def held_value(node: Node, name: str) -> HeldValue | None:
    """Recognise ``IIF(c, a, v)`` and ``IIF(c, v, a)`` for variable ``name``."""
    parts = _iif(node)
    if parts is None:
        return None
    cond, a, b = parts
    if _is_self(b, name) and not _is_self(a, name):
        return HeldValue(cond, a)
    if _is_self(a, name) and not _is_self(b, name):
        return HeldValue(cond, b, negate=True)
    return None


# -- running maxima and minima -------------------------------------------------------------------------


_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">="}


@dataclass
class RunningExtreme(Recurrence):
    """``v = IIF(x > v, x, v)`` (``>=``, or ``v < x``; ``<`` for the smallest): the largest (smallest) value
    of ``x`` so far, never below (above) the initial value; a NULL ``x`` makes the comparison NULL, which
    keeps ``v``."""

    value: Any
    largest: bool

    def refs(self) -> set[str]:
        return _refs(self.value)

    def exact(self, port: Port, type_of: Any) -> str:
        kind, value = port_kind(port), type_of(self.value)
        if value and (value == kind or {value, kind} <= {"integer"}):
            return ""
        return f"the value is {value or 'of unknown type'}, the port {kind}: each row's conversion matters"

    def lines(
        self,
        step: Step,
        gen: Generator,
        var: str,
        port: Port,
        columns: dict[str, str],
        window: str,
        lookups: Any = None,
    ) -> list[str]:
        value = _cast(_code(gen, step, self.value, columns, port, lookups=lookups), port)
        initial = _cast(f"F.lit({initial_literal(port)!r})", port)
        agg, pick = ("F.max", "F.greatest") if self.largest else ("F.min", "F.least")
        return [
            f"{var} = {var}.withColumn({py_str(port.name)}, {pick}({initial}, "
            f"{agg}({value}).over({window}.rowsBetween(Window.unboundedPreceding, 0))))"
        ]


def running_extreme(node: Node, name: str) -> RunningExtreme | None:
    """Recognise ``IIF(x > v, x, v)`` and its mirrored comparisons for variable ``name``."""
    parts = _iif(node)
    if parts is None:
        return None
    cond, a, b = parts
    if not (_is_self(b, name) and isinstance(cond, Binary) and cond.op in _FLIP):
        return None
    op, left, right = cond.op, cond.left, cond.right
    if _is_self(left, name):  # v < x  ->  x > v
        op, left, right = _FLIP[op], right, left
    if not _is_self(right, name) or _is_self(left, name) or to_text(left) != to_text(a):
        return None
    return RunningExtreme(a, largest=op in (">", ">="))


# -- lag of values computed row-wise -------------------------------------------------------------------


def previous_value(ref_port: Port, window: str) -> str:
    """The previous row's value of a variable computed row-wise, its initial value on the first row."""
    return f"F.lag(F.col({py_str(ref_port.name)}), 1, {initial_literal(ref_port)!r}).over({window})"


def rename(node: Node, names: dict[int, Node]) -> Node:
    """``node`` with the sub-nodes whose ``id`` is in ``names`` replaced (the others rebuilt around them)."""
    if id(node) in names:
        return names[id(node)]
    if isinstance(node, Unary):
        return replace(node, operand=rename(node.operand, names))
    if isinstance(node, Binary):
        return replace(node, left=rename(node.left, names), right=rename(node.right, names))
    if isinstance(node, Call):
        return replace(node, args=[rename(a, names) for a in node.args])
    return node


# -- segments of a sequential scan ---------------------------------------------------------------------


@dataclass
class Segments:
    """Where a sequential scan can start again: on each row where ``condition`` is TRUE (``when_true``) or
    is not TRUE, every variable port takes a value that reads no earlier row, so the rows from there on
    are scanned on their own (one task and one array per segment instead of one for all rows)."""

    condition: Node
    when_true: bool
    owner: str  # the variable whose expression the condition comes from (lower-case)

    @property
    def text(self) -> str:
        return to_text(self.condition)

    def applies(self, analysis: Analysis, name: str) -> bool:
        """Whether the condition, written in variable ``name``'s expression, reads the same values (this
        row's or the previous row's of each variable) as in its owner's."""
        order = analysis.order
        refs = _refs(self.condition) & set(order)
        return all((order[r] >= order[name]) == (order[r] >= order[self.owner]) for r in refs)


def segments(analysis: Analysis) -> Segments | None:
    """A condition of the carried variables' ``IIF``/``DECODE(TRUE, ...)`` that restarts every scanned
    variable, reading only inputs and variables computed row-wise; ``None`` if there is none."""
    order = analysis.order
    candidates: list[Segments] = []
    for name in sorted(analysis.stateful, key=order.__getitem__):
        if name in analysis.parsed:
            candidates += [
                Segments(c, t, name) for c in _conditions(analysis.parsed[name].node) for t in (True, False)
            ]
    for candidate in candidates:
        if not _refs(candidate.condition) & set(order) <= analysis.row_wise or any(
            isinstance(n, RefCall) for n in walk(candidate.condition)
        ):
            continue
        if all(
            _restarts(analysis, name, candidate) for name in analysis.parsed if name not in analysis.row_wise
        ):
            return candidate
    return None


def _conditions(node: Node) -> list[Node]:
    """The conditions of the ``IIF`` chain at the top of an expression."""
    out = []
    parts = _iif(as_iif(node))
    while parts is not None:
        out.append(parts[0])
        parts = _iif(as_iif(parts[2]))
    return out


def _restarts(analysis: Analysis, name: str, segment: Segments) -> bool:
    """Whether variable ``name`` reads no earlier row of a scanned variable when the segment's condition says
    a segment starts (the row-wise variables are computed before the scan, their previous values with
    them)."""
    order = analysis.order
    tree = analysis.parsed[name].node
    if segment.applies(analysis, name):
        tree = _assume(tree, segment.text, segment.when_true)
    scanned = set(order) - analysis.row_wise
    return not {r for r in _refs(tree) & scanned if order[r] >= order[name]}


def _assume(node: Node, condition: str, truth: bool) -> Node:
    """``node`` with each ``IIF`` on ``condition`` replaced by the branch it takes when the condition is TRUE
    (``truth``) or not TRUE."""
    node = as_iif(node)
    parts = _iif(node)
    if parts is not None and to_text(parts[0]) == condition:
        return _assume(parts[1] if truth else parts[2], condition, truth)
    if isinstance(node, Unary):
        return replace(node, operand=_assume(node.operand, condition, truth))
    if isinstance(node, Binary):
        return replace(
            node, left=_assume(node.left, condition, truth), right=_assume(node.right, condition, truth)
        )
    if isinstance(node, Call):
        return replace(node, args=[_assume(a, condition, truth) for a in node.args])
    return node
