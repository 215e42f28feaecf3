"""Mapping variables set row by row in generated jobs: SETVARIABLE, SETMAXVARIABLE, SETMINVARIABLE and
SETCOUNTVARIABLE in the ports of an Expression transformation and in a Filter condition.

Each call becomes two steps of the job (the rules are in :mod:`infaflow.expr.variables` and docs/convert.md):

1. a column with what the function does on each row: its value cast to the variable's type (+1 / -1 for
   SETCOUNTVARIABLE), NULL where it does nothing: the row type is one the function ignores (from the session's
   `Treat source rows as`, or an Update Strategy upstream when the session is Data Driven), or the IIF/DECODE
   branch that holds the call is not taken;
2. ``job.set_variable``: the final value as one aggregate observed while the targets are written, and the
   current value as rows pass (a window over ``_row_id``), which is what the call returns.

A reference ``$$V`` stays the start value (``job.param``); ``SETVARIABLE($$V, NULL)`` reads the current value.
What is not converted is reported: a call outside an Expression or a Filter, a variable set in more than one
place (PowerCenter leaves the order between them undefined), a function the variable's aggregation type does
not allow, a call inside a search argument of DECODE or inside another function that evaluates its arguments
lazily.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from infaflow import expr
from infaflow.codegen.exprs import ConversionError, Parsed
from infaflow.codegen.naming import py_str
from infaflow.codegen.rowcontract import ROW_TYPE
from infaflow.codegen.stepcode import wrapped
from infaflow.codegen.types import spark_type
from infaflow.expr.nodes import Binary, Call, Literal, Name, Node, RefCall, Unary, to_text, walk
from infaflow.expr.variables import (
    ACTS_ON,
    AGGREGATION_TYPES,
    DD_DELETE,
    DD_INSERT,
    DD_UPDATE,
    VARIABLE_FUNCTIONS,
)

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator
    from infaflow.codegen.plan import Plan, Step
    from infaflow.model import MappingVariable, Port

#: where variable functions are converted (PowerCenter also allows Router and Update Strategy)
CONVERTED_IN = ("Expression", "Filter")
#: `Treat source rows as` -> the type of every row (Data Driven: insert until an Update Strategy flags them)
TREAT_ROWS_AS = {"insert": DD_INSERT, "update": DD_UPDATE, "delete": DD_DELETE, "data driven": DD_INSERT}
ROW_TYPE_NAMES = {0: "insert", 1: "update", 2: "delete", 3: "reject"}
#: functions that evaluate their arguments only when needed, besides IIF and DECODE handled here
_LAZY = frozenset({"CHOOSE"})


@dataclass(frozen=True)
class Branch:
    """A condition on the way to a call: ``node`` is TRUE (``taken``) or not TRUE (NULL included)."""

    node: Node
    taken: bool = True


@dataclass
class Site:
    """One call of a variable function and the branches that must be taken for PowerCenter to evaluate it."""

    call: Call
    guard: tuple[Branch, ...] = ()  # empty: whenever the expression is evaluated

    @property
    def function(self) -> str:
        return self.call.name.upper()

    @property
    def variable(self) -> str:
        target = self.call.args[0] if self.call.args else None
        return target.name if isinstance(target, Name) else ""

    @property
    def reads_only(self) -> bool:
        """``SETVARIABLE($$V, NULL)``: PowerCenter's way to read the current value (it never changes it)."""
        return (
            self.function == "SETVARIABLE"
            and len(self.call.args) == 2
            and isinstance(self.call.args[1], Literal)
            and self.call.args[1].value is None
        )


def has_calls(node: Node) -> bool:
    """True when ``node`` calls a variable function."""
    return any(isinstance(n, Call) and n.name.upper() in VARIABLE_FUNCTIONS for n in walk(node))


def sites(node: Node) -> list[Site]:
    """The variable function calls of an expression with their guards (the IIF/DECODE branches that hold
    them); a placement whose evaluation cannot be told is a :class:`ConversionError`."""
    found: list[Site] = []

    def visit(n: Node, guard: tuple[Branch, ...]) -> None:
        if isinstance(n, Call) and n.name.upper() in VARIABLE_FUNCTIONS:
            if any(has_calls(a) for a in n.args):
                raise ConversionError(
                    f"{to_text(n)}: a variable function inside another one is not converted"
                )
            found.append(Site(n, guard))
            return
        if not has_calls(n):
            return
        if isinstance(n, Call) and n.name.upper() == "IIF":
            visit(n.args[0], guard)
            visit(n.args[1], (*guard, Branch(n.args[0])))
            if len(n.args) > 2:
                visit(n.args[2], (*guard, Branch(n.args[0], taken=False)))
            return
        if isinstance(n, Call) and n.name.upper() == "DECODE":
            _decode(n, guard, visit)
            return
        if isinstance(n, Call) and n.name.upper() in _LAZY:
            raise ConversionError(f"a variable function inside {n.name} is not converted")
        for child in n.children():
            visit(child, guard)

    visit(node, ())
    return found


def _decode(n: Call, guard: tuple[Branch, ...], visit: Any) -> None:
    """DECODE(value, search1, result1, ...[, default]): a result is evaluated when its search is the first
    that matches; the branch taken is DECODE(value, search1, 1, search2, 2, ..., 0)."""
    args = n.args
    pairs = (len(args) - 1) // 2
    searches = [args[1 + 2 * i] for i in range(pairs)]
    if any(has_calls(s) for s in searches):
        raise ConversionError("a variable function in a search argument of DECODE is not converted")
    visit(args[0], guard)
    selector_args: list[Node] = [args[0]]
    for i, search in enumerate(searches, start=1):
        selector_args += [search, Literal(i)]
    has_default = len(args) % 2 == 0
    if has_default:
        selector_args.append(Literal(0))
    selector = Call("DECODE", selector_args)
    for i in range(pairs):
        visit(args[2 + 2 * i], (*guard, Branch(Binary("=", selector, Literal(i + 1)))))
    if has_default:
        visit(args[-1], (*guard, Branch(Binary("=", selector, Literal(0)))))


def _replace(node: Node, replacements: dict[int, Node]) -> Node:
    """A copy of ``node`` with the nodes whose id is in ``replacements`` replaced."""
    if id(node) in replacements:
        return replacements[id(node)]
    if isinstance(node, Unary):
        return dataclasses.replace(node, operand=_replace(node.operand, replacements))
    if isinstance(node, Binary):
        return dataclasses.replace(
            node, left=_replace(node.left, replacements), right=_replace(node.right, replacements)
        )
    if isinstance(node, (Call, RefCall)):
        return dataclasses.replace(node, args=[_replace(a, replacements) for a in node.args])
    return node


# -- binding the calls of one expression to the job's columns --------------------------------------------


class StepContext:
    """Where the calls of a transformation other than an Expression put their code: the step's frame
    variable and lines; the temporary columns are dropped by :meth:`drop`. It takes the place of the lookup
    resolver, and a transformation without lookups refuses ``:LKP`` calls as before."""

    def __init__(self, var: str, lines: list[str]) -> None:
        self.var, self.lines = var, lines
        self.temporary: list[str] = []

    def __call__(self, name: str, arg_codes: list[str]) -> str:
        raise ConversionError(f":LKP.{name} is not allowed here")

    def drop(self) -> list[str]:
        """The line dropping the temporary columns (none when no variable function was called)."""
        if not self.temporary:
            return []
        return [f"{self.var} = {self.var}.drop({', '.join(py_str(c) for c in self.temporary)})"]


#: per step (its UnconnectedLookups context): variable name (lower case) -> the column of its current value
_CURRENT: WeakKeyDictionary[Any, dict[str, str]] = WeakKeyDictionary()
#: per generator: variable name (lower case) -> the places that set it ("step.port")
_SETTERS: WeakKeyDictionary[Any, dict[str, list[str]]] = WeakKeyDictionary()


def in_step(step: Step) -> bool:
    """True when an expression of ``step``'s ports calls a variable function (the handler then builds the
    step's frame in several lines)."""
    return any(
        p.expression and "VARIABLE" in p.expression.upper() and _calls_in_text(p.expression)
        for p in step.ports
    )


def _calls_in_text(text: str) -> bool:
    try:
        return has_calls(expr.parse(text))
    except expr.ExprError:
        return False


def bind(
    gen: Generator, step: Step, parsed: Parsed, columns: dict[str, str], port: Port | None, context: Any
) -> tuple[Parsed, dict[str, str]]:
    """The expression with each variable function call replaced by the column of its result, the code
    computing those columns appended to the step's lines (``context``: the Expression handler's
    UnconnectedLookups, which holds the step's frame variable, lines and temporary columns). Unchanged when
    the expression calls none."""
    if not has_calls(parsed.node):
        return parsed, columns
    found = sites(parsed.node)
    if step.kind not in CONVERTED_IN or context is None or not hasattr(context, "temporary"):
        names = ", ".join(sorted({s.function for s in found}))
        raise ConversionError(
            f"{names} in {step.kind} transformation {step.name}: infaflow converts variable "
            f"functions in {' and '.join(CONVERTED_IN)} transformations only"
        )
    columns = dict(columns)
    replacements: dict[int, Node] = {}
    for group in _groups(found):
        node = _bind_site(
            gen, step, group[0], columns, port, context, whole=group[0].call is parsed.node, others=group[1:]
        )
        for site in group:
            replacements[id(site.call)] = node
    return Parsed(parsed.text, _replace(parsed.node, replacements)), columns


def _groups(found: list[Site]) -> list[list[Site]]:
    """The calls of one expression, those that set the same variable together: allowed only in branches of
    IIF/DECODE that exclude each other (at most one of them acts on a row), with the same function."""
    groups: dict[str, list[Site]] = {}
    out: list[list[Site]] = []
    for site in found:
        if site.reads_only:
            out.append([site])
            continue
        key = site.variable.lower()
        if key not in groups:
            groups[key] = []
            out.append(groups[key])
        groups[key].append(site)
    for group in out:
        if len(group) > 1 and not (
            all(_exclusive(a, b) for i, a in enumerate(group) for b in group[i + 1 :])
            and len({s.function for s in group}) == 1
        ):
            raise ConversionError(
                f"{group[0].variable} is set {len(group)} times in one expression, not in "
                "branches of IIF/DECODE that exclude each other: not converted"
            )
    return out


def _exclusive(a: Site, b: Site) -> bool:
    """True when the two calls are in different branches of the same IIF or DECODE."""
    for x, y in zip(a.guard, b.guard, strict=False):
        if x == y:
            continue
        if x.node is y.node:
            return x.taken != y.taken
        return (
            isinstance(x.node, Binary)
            and isinstance(y.node, Binary)
            and x.node.left is y.node.left
            and isinstance(x.node.right, Literal)
            and isinstance(y.node.right, Literal)
            and x.node.right.value != y.node.right.value
        )
    return False


def _bind_site(
    gen: Generator,
    step: Step,
    site: Site,
    columns: dict[str, str],
    port: Port | None,
    context: Any,
    whole: bool,
    others: list[Site] | None = None,
) -> Node:
    """The node that replaces one call (or ``others`` too: calls on the same variable in exclusive branches):
    the column of the variable's current value, or ``$$V`` itself (its start value) when nothing sets the
    variable."""
    variable = _variable(gen, site)
    key = variable.name.lower()
    current = _CURRENT.setdefault(context, {})
    setters = _setters(gen).get(key, [])
    if site.reads_only:
        if key in current:
            columns[current[key].lower()] = f"F.col({py_str(current[key])})"
            return Name(current[key])
        if not setters:
            return Name(variable.name)  # never set: the current value is the start value
        raise ConversionError(
            f"{to_text(site.call)} reads the current value of {variable.name}, which is set in "
            f"{setters[0]}: converted only in a later port of the same Expression"
        )
    allowed = AGGREGATION_TYPES[site.function]
    aggregation = (variable.aggfunction or "NONE").upper()
    if aggregation not in allowed:
        raise ConversionError(
            f"{site.function} needs a variable of aggregation type {' or '.join(sorted(allowed))}; "
            f"{variable.name} is {aggregation} (the Designer does not allow this combination)"
        )
    if len(setters) > 1:
        raise ConversionError(
            f"{variable.name} is set in {len(setters)} places ({', '.join(setters)}): "
            "PowerCenter leaves the order between them undefined; not converted"
        )
    group = [site, *(others or [])]
    if port is not None and port.is_variable:
        group = [_inline_variable_ports(step, s, port) for s in group]
    var = context.var
    base = variable.name.lstrip("$")
    actions = [_action(gen, step, s, variable, columns, port) for s in group]
    action = actions[0][0] if len(actions) == 1 else f"F.coalesce({', '.join(a for a, _n in actions)})"
    action_column = f"_{base}_action"
    calls = " / ".join(to_text(s.call) for s in group)
    lines = [
        f"# {calls}" + (f" in port {port.name}" if port is not None else "") + ":",
        f"# {actions[0][1]}" + (" (one branch at most on a row)" if len(group) > 1 else ""),
        f"{var} = {var}.withColumn({py_str(action_column)}, {action})",
    ]
    context.temporary.append(action_column)
    current_column = f"_{base}"
    needed = not whole or port is None or _result_used(gen, step, port) or _read_later(step, variable)
    if needed:
        lines.append(
            f"{var} = job.set_variable({var}, {py_str(variable.name)}, {py_str(site.function)}, "
            f"{py_str(action_column)}, current={py_str(current_column)})"
        )
        context.temporary.append(current_column)
        current[key] = current_column
        columns[current_column.lower()] = f"F.col({py_str(current_column)})"
        context.lines.extend(lines)
        return Name(current_column)
    lines.append(
        f"{var} = job.set_variable({var}, {py_str(variable.name)}, {py_str(site.function)}, "
        f"{py_str(action_column)})  # the port's value is not used: no running value"
    )
    context.lines.extend(lines)
    return Literal(None)


def _variable(gen: Generator, site: Site) -> MappingVariable:
    name = site.variable
    if not name.startswith("$$"):
        raise ConversionError(f"{to_text(site.call)}: the first argument must be a mapping variable ($$name)")
    found = next((v for v in gen.plan.mapping.variables if v.name.lower() == name.lower()), None)
    if found is None:
        raise ConversionError(
            f"{to_text(site.call)}: {name} is not declared in mapping {gen.plan.mapping.name}"
        )
    if found.is_param:
        raise ConversionError(
            f"{to_text(site.call)}: {name} is a mapping parameter; only variables can be set"
        )
    return found


def _action(
    gen: Generator,
    step: Step,
    site: Site,
    variable: MappingVariable,
    columns: dict[str, str],
    port: Port | None,
) -> tuple[str, str]:
    """The code of what the function does on each row (NULL where it does nothing) and a note saying when."""
    dtype = spark_type(variable.datatype, variable.precision, variable.scale)
    row_type = _row_type(gen, step)
    acts = ACTS_ON[site.function]
    kinds = " or ".join(f"marked for {ROW_TYPE_NAMES[t]}" for t in sorted(acts))
    conditions: list[str] = []
    for branch in site.guard:
        condition = gen.translate(step, Parsed("", branch.node), columns, port, as_condition=True)
        conditions.append(_wrapped(condition) if branch.taken else f"~F.coalesce({condition}, F.lit(False))")
    note = f"acts on rows {kinds}"
    if site.function == "SETCOUNTVARIABLE":
        if row_type is None:
            value = (
                f"F.when(F.col({py_str(ROW_TYPE)}) == {DD_INSERT}, F.lit(1))"
                f".when(F.col({py_str(ROW_TYPE)}) == {DD_DELETE}, F.lit(-1))"
            )
        else:
            value = {DD_INSERT: "F.lit(1)", DD_DELETE: "F.lit(-1)"}.get(row_type, "")
        note = "adds 1 for a row marked for insert, subtracts 1 for a row marked for delete"
    else:
        code = gen.translate(step, Parsed("", site.call.args[1]), columns, port)
        value = f"{_wrapped(code)}.cast({py_str(dtype)})"
        if row_type is None:
            types = sorted(acts)
            conditions.append(
                f"(F.col({py_str(ROW_TYPE)}) == {types[0]})"
                if len(types) == 1
                else f"F.col({py_str(ROW_TYPE)}).isin({', '.join(map(str, types))})"
            )
        elif row_type not in acts:
            value = ""
    if not value:
        treat = ROW_TYPE_NAMES[row_type] if row_type is not None else ""
        return (
            f"F.lit(None).cast({py_str('int' if site.function == 'SETCOUNTVARIABLE' else dtype)})",
            f"the session marks every row for {treat}, which {site.function} ignores",
        )
    if site.guard:
        note += ", when the IIF/DECODE branch that holds it is taken"
    if not conditions:
        return value, note
    return f"F.when({' & '.join(conditions)}, {value})", note


def _wrapped(code: str) -> str:
    return wrapped(code)


def _row_type(gen: Generator, step: Step) -> int | None:
    """The type of every row reaching ``step``, or None when rows carry their own in ``_row_type`` (an Update
    Strategy upstream and a Data Driven session)."""
    treat = gen.plan.treat_rows_as().strip().lower()
    if treat == "data driven" and any(_flagged(gen, ref) for ref in step.inputs.values()):
        return None
    return TREAT_ROWS_AS.get(treat, DD_INSERT)


def _flagged(gen: Generator, ref: Any) -> bool:
    try:
        return gen.output_of(ref).var in gen.flagged
    except ConversionError:
        return False


def _inline_variable_ports(step: Step, site: Site, port: Port) -> Site:
    """A call in a variable port is computed before the step's variable ports (with the step's input
    columns): the variable ports it reads, set earlier in port order, are replaced by their expressions. A
    read of the previous row's value (the port itself or a later one) is a :class:`ConversionError`."""

    order = [p for p in step.ports if p.is_variable]
    position = {p.name.lower(): i for i, p in enumerate(order)}
    here = position[port.name.lower()]

    def expand(node: Node, depth: int = 0) -> Node:
        replacements: dict[int, Node] = {}
        for n in walk(node):
            if not isinstance(n, Name) or n.name.lower() not in position:
                continue
            index = position[n.name.lower()]
            other = order[index]
            if index >= here or depth > len(order):
                raise ConversionError(
                    f"{to_text(site.call)} in variable port {port.name} reads the previous "
                    f"row's value of variable port {other.name}: not converted"
                )
            try:
                tree = expr.parse(other.expression or "NULL")
            except expr.ExprError as exc:
                raise ConversionError(f"variable port {other.name}: {exc.message}") from None
            if has_calls(tree) or any(isinstance(t, RefCall) for t in walk(tree)):
                raise ConversionError(
                    f"{to_text(site.call)} in variable port {port.name} reads variable port "
                    f"{other.name}, which calls a lookup or a variable function: not converted"
                )
            replacements[id(n)] = expand(tree, depth + 1)
        return _replace(node, replacements) if replacements else node

    call = expand(site.call)
    assert isinstance(call, Call)
    guard = tuple(Branch(expand(b.node), b.taken) for b in site.guard)
    return Site(call, guard)


def _result_used(gen: Generator, step: Step, port: Port) -> bool:
    """True when the port's value is read: by another port of the step (a variable port) or downstream."""
    name = port.name.lower()
    if port.is_variable:
        for other in step.ports:
            if other is port or not other.expression:
                continue
            try:
                if name in {r.lower() for r in expr.references(expr.parse(other.expression))}:
                    return True
            except expr.ExprError:
                return True
        return False
    if not port.is_output:
        return True
    key = step.name.lower()
    return any(
        ref.step.lower() == key and ref.port.lower() == name
        for s in gen.plan.steps
        for ref in s.inputs.values()
    )


def _read_later(step: Step, variable: MappingVariable) -> bool:
    """True when another port of the step reads the variable's current value (SETVARIABLE($$V, NULL))."""

    for p in step.ports:
        if not p.expression or "VARIABLE" not in p.expression.upper():
            continue
        try:
            found = sites(expr.parse(p.expression))
        except (expr.ExprError, ConversionError):
            continue
        if any(s.reads_only and s.variable.lower() == variable.name.lower() for s in found):
            return True
    return False


def _setters(gen: Generator) -> dict[str, list[str]]:
    """Variable name (lower case) -> the places of the mapping that set it ("transformation.port")."""
    if gen in _SETTERS:
        return _SETTERS[gen]
    out = setters(gen.plan)
    _SETTERS[gen] = out
    return out


def setters(plan: Plan) -> dict[str, list[str]]:
    """Variable name (lower case) -> the places of the plan's mapping whose expressions set it (calls that
    only read the current value, ``SETVARIABLE($$V, NULL)``, are not counted)."""

    out: dict[str, list[str]] = {}
    for step in plan.steps:
        texts = [(p.name, p.expression) for p in step.ports if p.expression]
        texts += [
            (str(k), str(v))
            for k, v in step.attributes.items()
            if isinstance(v, str) and "VARIABLE" in v.upper()
        ]
        for where, text in texts:
            if "VARIABLE" not in text.upper():
                continue
            try:
                groups = _groups(sites(expr.parse(text)))
            except (expr.ExprError, ConversionError):
                continue
            for group in groups:
                if not group[0].reads_only and group[0].variable:
                    out.setdefault(group[0].variable.lower(), []).append(f"{step.name}.{where}")
    return out
