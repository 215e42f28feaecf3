"""Environments: where an expression finds its names and the runtime's hooks.

Subclass :class:`Environment` and override :meth:`Environment.resolve` for a custom scope (task variables,
workflow variables, the ports of the current row). The other hooks have defaults that say clearly what is
missing: lookups, stored procedures, SETVARIABLE & co. and aggregate groups need the runtime.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from infaflow.expr.dateformat import DEFAULT_DATE_FORMAT
from infaflow.expr.errors import ExprError, UnknownName
from infaflow.expr.types import Value, type_name
from infaflow.expr.variables import apply_variable_function


class Environment:
    """The names and services an expression can use. Names are resolved case-insensitively.

    Attributes: ``date_format`` (the session's DateTime Format String, used when strings and dates meet),
    ``high_precision`` (PowerCenter's *Enable high precision*: decimal literals and integer division give
    Decimal instead of double).
    """

    date_format: str = DEFAULT_DATE_FORMAT
    high_precision: bool = False

    def resolve(self, name: str) -> Value:
        """The value of a port, ``$$parameter``, ``$variable`` or ``$Task.Attribute``; UnknownName if none."""
        raise UnknownName(name)

    def type_of(self, name: str) -> str:
        """The type of a name (``integer``, ``string``...), used where NULL must be typed (IIF's default)."""
        try:
            value = self.resolve(name)
        except ExprError:
            return ""
        return "" if value is None else type_name(value)

    def lookup(self, name: str, args: list[Value]) -> Value:
        """An unconnected lookup ``:LKP.name(args)``: the return port of the matching row, or NULL."""
        raise ExprError(f":LKP.{name} cannot be evaluated here: no lookup data is available")

    def procedure(self, name: str, args: list[Value]) -> Value:
        """A stored procedure call ``:SP.name(args)``."""
        raise ExprError(f":SP.{name}: stored procedures cannot be run locally")

    def set_variable(self, function: str, name: str, value: Value) -> Value:
        """SETVARIABLE / SETMAXVARIABLE / SETMINVARIABLE / SETCOUNTVARIABLE on mapping variable ``name``;
        returns the function's result (the variable's new current value)."""
        raise ExprError(f"{function}({name}) needs a mapping run: variables cannot be set here")

    def now(self) -> datetime:
        """SYSDATE, SYSTIMESTAMP and SESSSTARTTIME."""
        return datetime.now()

    def group(self) -> Sequence[Environment]:
        """The rows of the current group, each as an environment (for aggregate functions)."""
        raise ExprError("aggregate functions can only be evaluated in an Aggregator (no group of rows here)")

    def state(self, key: object) -> dict[str, object]:
        """Storage kept from row to row of a session, one dict per ``key`` (CUME, MOVINGSUM, MOVINGAVG)."""
        raise ExprError(
            "CUME, MOVINGSUM and MOVINGAVG need the rows of a session in order (no row state here)"
        )


class DictEnvironment(Environment):
    """An environment backed by a mapping ``name -> value`` (names case-insensitive).

    ``types`` optionally gives the types of names (``integer``, ``string``...: needed where a NULL must be
    typed, as in IIF without its third argument); ``group`` gives the rows of the current group (mappings) for
    aggregate functions; ``now`` fixes SYSDATE.
    """

    def __init__(
        self,
        values: Mapping[str, Value] | None = None,
        *,
        group: Sequence[Mapping[str, Value]] = (),
        now: datetime | None = None,
        date_format: str = DEFAULT_DATE_FORMAT,
        high_precision: bool = False,
        types: Mapping[str, str] | None = None,
    ) -> None:
        self.values: dict[str, Value] = {k.lower(): _normalise(v) for k, v in (values or {}).items()}
        self.types: dict[str, str] = {k.lower(): v for k, v in (types or {}).items()}
        self.rows = [
            DictEnvironment(row, now=now, date_format=date_format, high_precision=high_precision, types=types)
            for row in group
        ]
        self._now = now
        self.date_format = date_format
        self.high_precision = high_precision
        self.variables: dict[str, Value] = {}
        #: the current row's type (DD_INSERT=0, DD_UPDATE=1, DD_DELETE=2, DD_REJECT=3) for SETVARIABLE & co.
        self.row_type = 0
        self._state: dict[object, dict[str, object]] = {}

    def resolve(self, name: str) -> Value:
        try:
            return self.values[name.lower()]
        except KeyError:
            raise UnknownName(name) from None

    def type_of(self, name: str) -> str:
        declared = self.types.get(name.lower())
        return declared if declared else super().type_of(name)

    def now(self) -> datetime:
        if self._now is None:
            self._now = datetime.now()
        return self._now

    def group(self) -> Sequence[Environment]:
        if not self.rows:
            return super().group()
        return self.rows

    def state(self, key: object) -> dict[str, object]:
        """Row state lives as long as this environment: update ``values`` between rows to run a session."""
        return self._state.setdefault(key, {})

    def set_variable(self, function: str, name: str, value: Value) -> Value:
        """Keeps the variables' current values in ``self.variables`` (the start value is ``values[name]``),
        each function acting on rows of ``self.row_type`` as PowerCenter documents."""

        key = name.lower()
        current = self.variables.get(key, self.values.get(key))
        new = apply_variable_function(function, current, value, self.row_type)
        self.variables[key] = new
        return new


def _normalise(value: object) -> Value:
    if isinstance(value, bool):
        return int(value)
    if value is None or isinstance(value, (int, float, Decimal, str, datetime)):
        return value
    raise TypeError(f"unsupported value type {type(value).__name__}")
