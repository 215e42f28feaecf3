"""Joiner: master ports (PORTTYPE with MASTER) against detail ports, with PowerCenter's join types.

Normal = inner; Master Outer = every detail row plus matching master rows; Detail Outer = every master
row plus matching detail rows; Full Outer = both. NULL keys never match. The output keeps detail order,
then master order, in ``_row_id``; master rows no detail row matched (Detail Outer, Full Outer) come last.
``Case Sensitive String Comparison`` NO compares string keys lower-cased (Transformation Guide, Joiner
properties: case-sensitive comparisons on string columns).

Transformation Scope Transaction joins the rows of one transaction (sorted input, both pipelines from one
Transaction Control); Row keeps the detail pipeline's transactions (``_scope``, codegen/transactions.py).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from infaflow.codegen import transactions
from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.handlers.defaults import input_defaults
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step
from infaflow.codegen.stepcode import ROW_ID, Output, StepCode
from infaflow.codegen.types import spark_type
from infaflow.model import Port

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator

KINDS = ("Joiner",)

JOIN_TYPES = {
    "normal join": "inner",
    "master outer join": "left",  # all detail rows
    "detail outer join": "right",  # all master rows
    "full outer join": "full",
}
_TERM = re.compile(r"^\s*(\S+?)\s*(=)\s*(\S+?)\s*$")


def generate(step: Step, gen: Generator) -> StepCode:
    t = step.transformation
    assert t is not None
    var = gen.var(step)
    master_ports = [p for p in t.ports if p.is_input and p.is_master]
    detail_ports = [p for p in t.ports if p.is_input and not p.is_master]
    join_type = str(step.attributes.get("Join Type", "Normal Join") or "Normal Join").strip().lower()
    how = JOIN_TYPES.get(join_type)
    if how is None:
        raise ConversionError(f"join type {join_type!r} is not one PowerCenter has")
    text = str(step.attributes.get("Join Condition", "") or "").strip()
    names = {p.name.lower(): p for p in t.ports}
    terms = []
    for term in re.split(r"\s+AND\s+", text, flags=re.IGNORECASE) if text else []:
        m = _TERM.match(term)
        if m is None or m.group(1).lower() not in names or m.group(3).lower() not in names:
            raise ConversionError(f"join condition term {term!r} is not 'master_port = detail_port'")
        a, b = names[m.group(1).lower()], names[m.group(3).lower()]
        master_port, detail_port = (a, b) if a.is_master else (b, a)
        terms.append((master_port, detail_port))
    if not terms:
        raise ConversionError("the Join Condition is empty")
    case_sensitive = step.attributes.flag("Case Sensitive String Comparison", True)
    detail = gen.new_var(f"{var}_detail")
    master = gen.new_var(f"{var}_master")
    lines, _ = gen.assemble(step, detail_ports, detail)
    mlines, _ = gen.assemble(step, master_ports, master)
    lines += mlines
    lines += input_defaults(step, gen, detail, detail_ports) + input_defaults(step, gen, master, master_ports)
    scope_lines, per_txn = _scope(step, gen, how, detail, master, detail_ports, master_ports)
    lines += scope_lines
    lines.append(f'{detail} = {detail}.withColumnRenamed("_row_id", "_detail_row")')
    lines.append(f'{master} = {master}.withColumnRenamed("_row_id", "_master_row")')
    on = " & ".join(
        f"({_key(master, m, case_sensitive, d)} == {_key(detail, d, case_sensitive, m)})" for m, d in terms
    )
    scope = transactions.transaction_scope(step)
    if per_txn and scope == "transaction":
        on += f' & ({master}["_master_txn"] == {detail}["_txn"])'  # rows of the same transaction only
    lines.append(f"{var} = {detail}.join({master}, {on}, {py_str(how)})")
    if how in ("right", "full"):
        # Master rows that matched no detail row are known only when the detail input ends: they follow
        # the detail rows (a NULL _detail_row would otherwise sort first).
        lines.append(
            f'{var} = {var}.withColumn("_row_id", F.struct('
            'F.col("_detail_row").isNull().alias("_unmatched"), "_detail_row", "_master_row"))'
            '.drop("_detail_row", "_master_row")'
        )
    else:
        lines.append(
            f'{var} = {var}.withColumn("_row_id", F.struct("_detail_row", "_master_row"))'
            '.drop("_detail_row", "_master_row")'
        )
    if per_txn:
        lines += _keep(step, var, scope, how)
    outputs = {p.name.lower(): Output(var, p.name, origin=step.name) for p in t.ports if p.is_output}
    gen.columns[var] = [p.name for p in [*detail_ports, *master_ports]] + [ROW_ID]
    label = {
        "inner": "Normal Join",
        "left": "Master Outer Join: all detail rows",
        "right": "Detail Outer Join: all master rows",
        "full": "Full Outer Join",
    }[how]
    if per_txn:
        label += (
            "; rows of one transaction" if scope == "transaction" else "; in the detail rows' transactions"
        )
    return StepCode(lines, outputs, [f"{label}; condition {text}"])


def _key(frame: str, port: Port, case_sensitive: bool, other: Port) -> str:
    """One side of a join condition term; string ports compared lower-cased when the Joiner's ``Case
    Sensitive String Comparison`` is NO (both sides strings: the Designer requires matching types)."""
    col = f"{frame}[{py_str(port.name)}]"
    if not case_sensitive and spark_type(port.datatype) == "string" == spark_type(other.datatype):
        return f"F.lower({col})"
    return col


def _scope(
    step: Step,
    gen: Generator,
    how: str,
    detail: str,
    master: str,
    detail_ports: list[Port],
    master_ports: list[Port],
) -> tuple[list[str], bool]:
    """The transactions of the joined rows (Transformation Guide, "Joiner Transformation", "Working with
    Transactions"): scope Transaction joins the rows of one transaction, with sorted input, master and
    detail from the same Transaction Control; scope Row keeps the detail pipeline's transactions, each
    detail row joined with all the cached master rows (Normal and Master Outer joins, unsorted input)."""
    scope = transactions.transaction_scope(step)
    if scope not in ("transaction", "row"):
        return transactions.scope_lines(step, gen, detail)
    sorted_input = step.attributes.flag("Sorted Input", False)
    if scope == "transaction" and not sorted_input:
        raise ConversionError(
            "Transformation Scope Transaction without Sorted Input: PowerCenter fails the session "
            "(Transformation Guide, Joiner transactions)"
        )
    if scope == "row" and (sorted_input or how not in ("inner", "left")):
        raise ConversionError(
            "Transformation Scope Row keeps the detail transactions of a Normal or Master Outer Join of "
            "unsorted input only (Transformation Guide, Joiner transactions)"
        )
    detail_names = [p.name.lower() for p in detail_ports]
    master_names = [p.name.lower() for p in master_ports]
    if scope == "row":
        return transactions.scope_lines(step, gen, detail, detail_names)
    plan = gen.plan
    sides = [transactions.input_unit(plan, step, names).control for names in (detail_names, master_names)]
    if sides[0] is None and sides[1] is None:
        # the commit interval's transactions: their generators are the Source Qualifiers
        read = [transactions.upstream_sources(plan, step, names) for names in (detail_names, master_names)]
        if [s.name for s in read[0]] != [s.name for s in read[1]]:
            raise ConversionError(
                "Transformation Scope Transaction: the master and detail pipelines do not come from the "
                "same source (transaction generator); PowerCenter fails the session"
            )
        return transactions.scope_lines(step, gen, detail)
    if sides[0] is None or sides[1] is None or sides[0].name.lower() != sides[1].name.lower():
        raise ConversionError(
            "Transformation Scope Transaction: the master and detail pipelines do not come from the same "
            "Transaction Control; PowerCenter fails the session"
        )
    lines, _ = transactions.scope_lines(step, gen, detail, detail_names)
    mlines, _ = transactions.scope_lines(step, gen, master, master_names)
    lines += mlines
    lines += [
        f"{master} = {master}.withColumnsRenamed(",
        '    {"_txn": "_master_txn", "_rolled_back": "_master_rolled_back"}',
        ")",
    ]
    return lines, True


def _keep(step: Step, var: str, scope: str, how: str) -> list[str]:
    """Lines ordering the joined rows by transaction and keeping their transactions for the steps after
    the Joiner; a master row of no detail row (Detail Outer, Full Outer) ends its transaction."""
    if scope == "row":
        return transactions.keep_lines(step, var)
    return [
        f"{var} = {var}.withColumns(",
        '    {"_txn": F.coalesce("_txn", "_master_txn"), '
        '"_rolled_back": F.coalesce("_rolled_back", "_master_rolled_back")}',
        ').drop("_master_txn", "_master_rolled_back")',
        f'{var} = {var}.withColumn("_row_id", F.struct("_txn", "_row_id"))',
        *transactions.keep_lines(step, var),
    ]
