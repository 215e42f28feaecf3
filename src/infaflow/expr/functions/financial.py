"""Financial functions FV, PV, PMT (Transformation Language Reference; signs checked on its examples).

With ``r`` the rate per period, ``n`` the number of periods (> 0, else a row error), ``g = (1 + r)^n`` and the
timing ``t`` (1 when the type argument is non-zero: payments at the start of periods), the annuity factor is
``a = (1 + r*t) * (g - 1) / r`` (``n`` when ``r`` = 0), and:

- FV(rate, terms, payment[, present value, type]) = -(pv*g + payment*a)
  (FV(0.0075, 12, -250, -2000, TRUE) = 5,337.96);
- PV(rate, terms, payment[, future value, type]) = (fv + payment*a) / g
  (PV(0.0075, 12, -500, 20000, TRUE) = 12,524.43);
- PMT(rate, terms, present value[, future value, type]) = -(fv + pv*g) / a;
- NPER(rate, present value, payment[, future value, type]) = ln((p*(1+r*t) - fv*r) / (p*(1+r*t) + pv*r)) /
  ln(1 + r), or -(pv + fv) / payment when r = 0; a logarithm of a non-positive number is a row error
  (NPER(0.015, -500, -2000, 20000, TRUE) = 9.01; the reference's example says "returns 9" [U: rounded in the
  text or by PowerCenter]).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from infaflow.expr.environment import Environment
from infaflow.expr.errors import RowError
from infaflow.expr.functions.base import Evaluate, Function, SparkHandler, register
from infaflow.expr.nodes import Call
from infaflow.expr.sparkcode import Code, as_number, let_all
from infaflow.expr.types import Value, to_number, truthy

if TYPE_CHECKING:
    from infaflow.expr.spark import Translator


def _factors(rate: float, terms: float, timing: float) -> tuple[float, float]:
    growth = (1 + rate) ** terms
    annuity = terms if rate == 0 else (1 + rate * timing) * (growth - 1) / rate
    return growth, annuity


def _formula(name: str) -> Evaluate:
    def run(values: list[Value], env: Environment) -> Value:
        rate, terms, third = (float(to_number(v)) for v in values[:3])  # type: ignore[arg-type]
        other = float(to_number(values[3])) if len(values) > 3 else 0.0  # type: ignore[arg-type]
        timing = 1.0 if len(values) > 4 and truthy(values[4]) else 0.0
        if terms <= 0:
            raise RowError(f"{name}: the number of periods must be greater than 0")
        growth, annuity = _factors(rate, terms, timing)
        if name == "FV":
            return -(other * growth + third * annuity)
        if name == "PV":
            return (other + third * annuity) / growth
        if annuity == 0:
            raise RowError("PMT: division by zero")
        return -(other + third * growth) / annuity
    return run


def _spark(name: str) -> SparkHandler:
    def build(tr: Translator, node: Call, args: list[Code]) -> Code:
        error = tr.row_error(f"{name}: the number of periods must be greater than 0")
        numbers = [Code(f'{as_number(a)}.cast("double")', "double") for a in args[:4]]
        if len(numbers) < 4:
            numbers.append(Code("F.lit(0.0)", "double"))
        timing = (Code(f"F.when({as_number(args[4])} != 0, F.lit(1.0)).when({args[4]}.isNotNull(), F.lit(0.0))",
                       "double") if len(args) > 4 else Code("F.lit(0.0)", "double"))

        def body(bound: list[Code]) -> Code:
            rate, terms, third, other, t = bound
            growth = f"F.pow(1 + {rate}, {terms})"
            annuity = f"F.when({rate} == 0, {terms}).otherwise((1 + {rate} * {t}) * ({growth} - 1) / {rate})"
            value = {"FV": f"-({other} * {growth} + {third} * {annuity})",
                     "PV": f"({other} + {third} * {annuity}) / {growth}",
                     "PMT": f"-({other} + {third} * {growth}) / {annuity}"}[name]
            given = [rate, terms, third] + ([other] if len(args) > 3 else []) + ([t] if len(args) > 4 else [])
            needed = " & ".join(f"{c}.isNotNull()" for c in given)
            return Code(f"F.when({needed}, F.when({terms} <= 0, {error}).otherwise({value}))", "double")
        return let_all([*numbers, timing], body)
    return build


def _nper(values: list[Value], env: Environment) -> Value:
    rate, pv, payment = (float(to_number(v)) for v in values[:3])  # type: ignore[arg-type]
    fv = float(to_number(values[3])) if len(values) > 3 else 0.0  # type: ignore[arg-type]
    timing = 1.0 if len(values) > 4 and truthy(values[4]) else 0.0
    if rate == 0:
        if payment == 0:
            raise RowError("NPER: division by zero")
        return -(pv + fv) / payment
    due = payment * (1 + rate * timing)
    numerator, denominator = due - fv * rate, due + pv * rate
    if denominator == 0 or numerator / denominator <= 0 or rate <= -1:
        raise RowError("NPER: no number of periods for these values")
    return math.log(numerator / denominator) / math.log(1 + rate)


def _nper_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    error = tr.row_error("NPER: no number of periods for these values")
    numbers = [Code(f'{as_number(a)}.cast("double")', "double") for a in args[:4]]
    if len(numbers) < 4:
        numbers.append(Code("F.lit(0.0)", "double"))
    timing = (Code(f"F.when({as_number(args[4])} != 0, F.lit(1.0)).when({args[4]}.isNotNull(), F.lit(0.0))",
                   "double") if len(args) > 4 else Code("F.lit(0.0)", "double"))

    def body(bound: list[Code]) -> Code:
        rate, pv, payment, fv, t = bound
        due = f"({payment} * (1 + {rate} * {t}))"
        ratio = f"(({due} - {fv} * {rate}) / ({due} + {pv} * {rate}))"
        by_log = (f"F.when(({due} + {pv} * {rate} == 0) | ({rate} <= -1) | ({ratio} <= 0), {error})"
                  f".otherwise(F.ln({ratio}) / F.ln(1 + {rate}))")
        flat = f"F.when({payment} == 0, {error}).otherwise(-({pv} + {fv}) / {payment})"
        given = [rate, pv, payment] + ([fv] if len(args) > 3 else []) + ([t] if len(args) > 4 else [])
        needed = " & ".join(f"{c}.isNotNull()" for c in given)
        return Code(f"F.when({needed}, F.when({rate} == 0, {flat}).otherwise({by_log}))", "double")
    return let_all([*numbers, timing], body)


register(Function("NPER", 3, 5, "double", evaluate=_nper, spark=_nper_spark, group="financial",
                  doc="NPER(rate, present value, payment[, future value, type]): number of periods."))
register(*(Function(name, 3, 5, "double", evaluate=_formula(name), spark=_spark(name), group="financial",
                    doc=doc) for name, doc in (
    ("FV", "FV(rate, terms, payment[, present value, type]): future value."),
    ("PV", "PV(rate, terms, payment[, future value, type]): present value."),
    ("PMT", "PMT(rate, terms, present value[, future value, type]): payment per period."))))
