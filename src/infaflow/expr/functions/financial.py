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
  text or by PowerCenter]);
- RATE(terms, payment, present value[, future value, type]): the rate r where pv*g + payment*a + fv = 0, found
  by Newton's method from 0.1 (as spreadsheets do), the same 50 steps in both engines; a rate that does not
  solve the equation after them is a row error (RATE(48, -500, 20000) = 0.0077) [U: PowerCenter's iteration
  is not documented; where Newton converges the root is the same].
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from infaflow.expr.environment import Environment
from infaflow.expr.errors import RowError
from infaflow.expr.functions.base import Evaluate, Function, SparkHandler, register
from infaflow.expr.nodes import Call
from infaflow.expr.sparkcode import Code, as_number, let, let_all
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
        timing = (
            Code(
                f"F.when({as_number(args[4])} != 0, F.lit(1.0)).when({args[4]}.isNotNull(), F.lit(0.0))",
                "double",
            )
            if len(args) > 4
            else Code("F.lit(0.0)", "double")
        )

        def body(bound: list[Code]) -> Code:
            rate, terms, third, other, t = bound
            growth = f"F.pow(1 + {rate}, {terms})"
            annuity = f"F.when({rate} == 0, {terms}).otherwise((1 + {rate} * {t}) * ({growth} - 1) / {rate})"
            value = {
                "FV": f"-({other} * {growth} + {third} * {annuity})",
                "PV": f"({other} + {third} * {annuity}) / {growth}",
                "PMT": f"-({other} + {third} * {growth}) / {annuity}",
            }[name]
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
    timing = (
        Code(
            f"F.when({as_number(args[4])} != 0, F.lit(1.0)).when({args[4]}.isNotNull(), F.lit(0.0))", "double"
        )
        if len(args) > 4
        else Code("F.lit(0.0)", "double")
    )

    def body(bound: list[Code]) -> Code:
        rate, pv, payment, fv, t = bound
        due = f"({payment} * (1 + {rate} * {t}))"
        ratio = f"(({due} - {fv} * {rate}) / ({due} + {pv} * {rate}))"
        by_log = (
            f"F.when(({due} + {pv} * {rate} == 0) | ({rate} <= -1) | ({ratio} <= 0), {error})"
            f".otherwise(F.ln({ratio}) / F.ln(1 + {rate}))"
        )
        flat = f"F.when({payment} == 0, {error}).otherwise(-({pv} + {fv}) / {payment})"
        given = [rate, pv, payment] + ([fv] if len(args) > 3 else []) + ([t] if len(args) > 4 else [])
        needed = " & ".join(f"{c}.isNotNull()" for c in given)
        return Code(f"F.when({needed}, F.when({rate} == 0, {flat}).otherwise({by_log}))", "double")

    return let_all([*numbers, timing], body)


RATE_STEPS = 50
RATE_GUESS = 0.1


def _rate_step(r: float, terms: float, payment: float, pv: float, fv: float, t: float) -> float:
    """One Newton step for RATE (NaN when it cannot be taken)."""
    try:
        g = math.pow(1 + r, terms)
        dg = terms * math.pow(1 + r, terms - 1)
        a = (1 + r * t) * (g - 1) / r
        da = t * (g - 1) / r + (1 + r * t) * (dg * r - (g - 1)) / (r * r)
        return r - (pv * g + payment * a + fv) / (pv * dg + payment * da)
    except (ValueError, ZeroDivisionError, OverflowError):
        return math.nan


def _rate_residual(r: float, terms: float, payment: float, pv: float, fv: float, t: float) -> float:
    try:
        g = math.pow(1 + r, terms)
        return abs(pv * g + payment * (1 + r * t) * (g - 1) / r + fv)
    except (ValueError, ZeroDivisionError, OverflowError):
        return math.inf


def _rate(values: list[Value], env: Environment) -> Value:
    terms, payment, pv = (float(to_number(v)) for v in values[:3])  # type: ignore[arg-type]
    fv = float(to_number(values[3])) if len(values) > 3 else 0.0  # type: ignore[arg-type]
    t = 1.0 if len(values) > 4 and truthy(values[4]) else 0.0
    if terms <= 0:
        raise RowError("RATE: the number of periods must be greater than 0")
    r = RATE_GUESS
    for _ in range(RATE_STEPS):
        r = _rate_step(r, terms, payment, pv, fv, t)
    scale = abs(pv) + abs(fv) + abs(payment) * terms
    if math.isnan(r) or not _rate_residual(r, terms, payment, pv, fv, t) <= 1e-7 * max(scale, 1.0):
        raise RowError("RATE: no rate solves these values")
    return r


def _rate_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    error = tr.row_error("RATE: no rate solves these values")
    periods_error = tr.row_error("RATE: the number of periods must be greater than 0")
    numbers = [Code(f'{as_number(a)}.cast("double")', "double") for a in args[:4]]
    if len(numbers) < 4:
        numbers.append(Code("F.lit(0.0)", "double"))
    timing = (
        Code(
            f"F.when({as_number(args[4])} != 0, F.lit(1.0)).when({args[4]}.isNotNull(), F.lit(0.0))", "double"
        )
        if len(args) > 4
        else Code("F.lit(0.0)", "double")
    )
    r, k = tr.fresh("r"), tr.fresh("k")

    def body(bound: list[Code]) -> Code:
        n, payment, pv, fv, t = bound

        def f_value(x: str) -> str:
            g = f"F.pow(1 + {x}, {n})"
            return f"({pv} * {g} + {payment} * ((1 + {x} * {t}) * ({g} - 1) / {x}) + {fv})"

        g, dg = f"F.pow(1 + {r}, {n})", f"({n} * F.pow(1 + {r}, {n} - 1))"
        da = f"({t} * ({g} - 1) / {r} + (1 + {r} * {t}) * ({dg} * {r} - ({g} - 1)) / ({r} * {r}))"
        slope = f"({pv} * {dg} + {payment} * {da})"
        step = (
            f'F.when(({r} == 0) | ({slope} == 0) | F.isnan({r}), F.lit(float("nan")))'
            f".otherwise({r} - {f_value(r)} / {slope})"
        )
        solved = Code(
            f"F.aggregate(F.sequence(F.lit(1), F.lit({RATE_STEPS})), F.lit({RATE_GUESS}), "
            f"lambda {r}, {k}: {step})",
            "double",
        )
        scale = f"F.greatest(F.abs({pv}) + F.abs({fv}) + F.abs({payment}) * {n}, F.lit(1.0))"

        def verdict(root: Code) -> Code:
            ok = f"~F.isnan({root}) & ({root} != 0) & (F.abs({f_value(root.text)}) <= 1e-7 * {scale})"
            return Code(f"F.when({ok}, {root}).otherwise({error})", "double")

        given = [n, payment, pv] + ([fv] if len(args) > 3 else []) + ([t] if len(args) > 4 else [])
        needed = " & ".join(f"{c}.isNotNull()" for c in given)
        return Code(
            f"F.when({needed}, F.when({n} <= 0, {periods_error}).otherwise({let(solved, verdict)}))", "double"
        )

    return let_all([*numbers, timing], body)


register(
    Function(
        "RATE",
        3,
        5,
        "double",
        evaluate=_rate,
        spark=_rate_spark,
        group="financial",
        doc="RATE(terms, payment, present value[, future value, type]): rate per period (Newton's "
        "method, 50 steps from 0.1) [U].",
    )
)
register(
    Function(
        "NPER",
        3,
        5,
        "double",
        evaluate=_nper,
        spark=_nper_spark,
        group="financial",
        doc="NPER(rate, present value, payment[, future value, type]): number of periods.",
    )
)
register(
    *(
        Function(
            name, 3, 5, "double", evaluate=_formula(name), spark=_spark(name), group="financial", doc=doc
        )
        for name, doc in (
            ("FV", "FV(rate, terms, payment[, present value, type]): future value."),
            ("PV", "PV(rate, terms, payment[, future value, type]): present value."),
            ("PMT", "PMT(rate, terms, present value[, future value, type]): payment per period."),
        )
    )
)
