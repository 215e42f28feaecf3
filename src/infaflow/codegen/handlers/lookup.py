"""Lookup Procedure: connected (a left join) and unconnected (``:LKP.name(args)`` in an expression).

The lookup's cache is its source (table, Lookup Sql Override, Lookup Source Filter, or a flat file)
with the rows in cache order: condition ports, then the other lookup ports, ascending, NULL highest unless
``Null ordering`` says lowest. The policy on
multiple matches picks the first or last row of the matches in that order (Use Any Value = first),
keeps every match (Use All Values, an active lookup), or rejects the row as a transformation error
(Report Error). A row with no match gets the output ports' default values (NULL unless set). A flat-file
or pipeline lookup with ``Case Sensitive String Comparison`` NO matches string condition ports lower-cased.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from infaflow.codegen import flatfile as flatfile_args
from infaflow.codegen import sql
from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.handlers.defaults import has_input_default, input_defaults, value_default
from infaflow.codegen.handlers.source import argument_lines, connection_code
from infaflow.codegen.naming import py_str, sql_argument
from infaflow.codegen.plan import Step
from infaflow.codegen.stepcode import Output, StepCode, cast_to, select_code
from infaflow.codegen.types import spark_type
from infaflow.model import Port, Transformation

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator

KINDS = ("Lookup Procedure", "Lookup")

_COND = re.compile(r"^\s*(\S+?)\s*(=|!=|<>|<=|>=|<|>)\s*(\S+?)\s*$")
_OPS = {"=": "==", "!=": "!=", "<>": "!=", "<=": "<=", ">=": ">=", "<": "<", ">": ">"}


@dataclass
class Condition:
    lookup_port: str
    op: str
    input_port: str


def conditions(t: Transformation) -> list[Condition]:
    """The AND-ed ``lookup_port op input_port`` terms of the Lookup condition."""
    text = str(t.attributes.get("Lookup condition", "") or "").strip()
    if not text:
        raise ConversionError("the Lookup condition is empty")
    out = []
    for term in re.split(r"\s+AND\s+", text, flags=re.IGNORECASE):
        m = _COND.match(term.replace("\ufeff", ""))
        if m is None:
            raise ConversionError(f"lookup condition term {term!r} is not 'lookup_port op input_port'")
        out.append(Condition(m.group(1), m.group(2), m.group(3)))
    return out


def _name(t: Transformation, name: str) -> str:
    """A port name as declared (conditions may differ in case or carry a byte-order mark)."""
    clean = name.replace("\ufeff", "").lower()
    for p in t.ports:
        if p.name.replace("\ufeff", "").lower() == clean:
            return p.name
    raise ConversionError(f"lookup condition names {name}, which is not a port")


def policy(t: Transformation) -> str:
    value = str(t.attributes.get("Lookup policy on multiple match", "Use Any Value") or "Use Any Value")
    return value.strip().lower()


def null_is_high(step: Step) -> bool:
    """The lookup's ``Null ordering``: NULL is the highest value in cache order unless it says lowest
    (PowerCenter's default, "Null Is Highest Value")."""
    return "lowest" not in str(step.attributes.get("Null ordering", "") or "").lower()


def case_insensitive(step: Step) -> bool:
    """True when string condition ports compare lower-cased: ``Case Sensitive String Comparison`` NO on
    a flat-file or pipeline lookup (for a relational lookup the database decides, Transformation Guide)."""
    source_type = str(step.attributes.get("Source Type", "Database") or "Database").strip().lower()
    return source_type != "database" and not step.attributes.flag("Case Sensitive String Comparison", True)


def _is_string(t: Transformation, name: str) -> bool:
    port = next((p for p in t.ports if p.name == name), None)
    return port is not None and spark_type(port.datatype) == "string"


def _sorted(name: str, descending: bool, null_high: bool) -> str:
    """A cache-order sort key: ascending (or descending for Use Last Value) with NULL placed by the
    lookup's Null ordering."""
    if descending:
        return f"F.col({py_str(name)}).desc_nulls_{'first' if null_high else 'last'}()"
    return f"F.col({py_str(name)}).asc_nulls_{'last' if null_high else 'first'}()"


def lookup_ports(t: Transformation) -> list[Port]:
    """The ports read from the lookup source (never NewLookupRow, which a dynamic cache computes)."""
    return [p for p in t.ports if p.is_lookup and p.name.lower() != "newlookuprow"]


def source_lines(step: Step, gen: Generator, var: str) -> list[str]:
    """``var`` = the rows of the lookup source (table, SQL override, source filter or flat file), with
    the lookup ports as columns."""
    t = step.transformation
    assert t is not None
    attrs = step.attributes
    ports = lookup_ports(t)
    if not ports:
        raise ConversionError("the lookup has no lookup ports")
    names = [p.name for p in ports]
    source_type = str(attrs.get("Source Type", "Database") or "Database").strip().lower()
    lines: list[str] = []
    if source_type == "flat file":
        flatfile = step.flatfile
        if flatfile is not None and not flatfile.delimited:
            raise ConversionError("a fixed-width lookup file is not supported (delimited lookup files are)")
        args = flatfile_args.delimited_reader_args(flatfile, attrs)
        directory = attrs.get("Lookup source file directory") or "$PMLookupFileDir"
        file_name = attrs.get("Lookup source filename") or f"{t.name.lower()}.dat"
        cols = [f"({py_str(p.name)}, {py_str(spark_type(p.datatype, p.precision, p.scale))})" for p in ports]
        lines += [
            f"{var} = job.read_flat_file(",
            f"    {py_str(step.name)},",
            f"    job.path({py_str(directory)}, {py_str(file_name)}),",
            f"    [{', '.join(cols)}],",
            *argument_lines(args),
            "    count=False,",
            ")",
        ]
    else:
        table = str(attrs.get("Lookup table name", "") or "").strip()
        override = str(attrs.get("Lookup Sql Override", "") or "").strip()
        where = str(attrs.get("Lookup Source Filter", "") or "").strip()
        if override:
            source_sql = override
        elif table:
            source_sql = f"SELECT {', '.join(sql.quote_ident(n) for n in names)} FROM {table}"
            if where:
                source_sql += f" WHERE {where}"
        else:
            raise ConversionError("the lookup names no table and no SQL override")
        dialect = sql.dialect_of(str(attrs.get("Database Type", "") or ""))
        spark_sql, tables, why = sql.embedded_version(source_sql, dialect)
        if why:
            lines.append(f"# runs over JDBC only; not on the embedded store: {' '.join(why.split())}")
        conn = str(attrs.get("Connection Information", "") or "").strip()
        default = conn.split(":", 1)[-1] if conn and not conn.startswith("$") else ""
        variable = conn if conn.startswith("$") else ""
        connection = connection_code(step.extension("READER"), default or table or t.name)
        if variable:
            connection = f"job.connection({py_str(default or table)}, {py_str(variable)})"
        lines += [
            f"{var} = job.query(",
            f"    {py_str(step.name)},",
            f"    {connection},",
            *(sql_argument("spark_sql", spark_sql) if spark_sql is not None else ["    spark_sql=None,"]),
            *sql_argument("source_sql", source_sql),
            f"    tables=[{', '.join(py_str(x) for x in tables)}],",
            "    columns=[",
            *[
                f"        ({py_str(p.name)}, {py_str(spark_type(p.datatype, p.precision, p.scale))}),"
                for p in ports
            ],
            "    ],",
            "    count=False,",
            ")",
        ]
    lines.append(f'{var} = {var}.drop("_row_id")')
    return lines


def cache_lines(step: Step, gen: Generator, var: str) -> list[str]:
    """``var`` = the lookup cache: the lookup ports plus ``_lkp_order`` (cache order)."""
    t = step.transformation
    assert t is not None
    if str(step.attributes.get("Dynamic Lookup Cache", "NO")).strip().upper() == "YES":
        raise ConversionError("a dynamic lookup cache must be connected (Transformation Guide)")
    lines = source_lines(step, gen, var)
    names = [p.name for p in lookup_ports(t)]
    conds = conditions(t)
    first = [_name(t, c.lookup_port) for c in conds]
    order = [*dict.fromkeys(first), *[n for n in names if n not in first]]
    mode = policy(t)
    null_high = null_is_high(step)
    ordered = ", ".join(_sorted(n, False, null_high) for n in order)
    if mode in ("use all values", "report error"):
        lines.append(
            f'{var} = {var}.withColumn("_lkp_order", F.row_number().over(Window.orderBy({ordered})))'
        )
        return lines
    equality = all(c.op == "=" for c in conds)
    if equality:
        lower = case_insensitive(step)
        keys = ", ".join(
            f"F.lower(F.col({py_str(n)}))" if lower and _is_string(t, n) else py_str(n)
            for n in dict.fromkeys(first)
        )
        sort = ", ".join(_sorted(n, mode == "use last value", null_high) for n in order)
        lines.append(
            f"# {t.attributes.get('Lookup policy on multiple match', 'Use Any Value')}: "
            "the first row per key in cache order"
        )
        lines.append(
            f'{var} = {var}.withColumn("_lkp_order", F.row_number().over('
            f"Window.partitionBy({keys}).orderBy({sort})))"
        )
        lines.append(f'{var} = {var}.where(F.col("_lkp_order") == 1)')
    else:
        lines.append(
            f'{var} = {var}.withColumn("_lkp_order", F.row_number().over(Window.orderBy({ordered})))'
        )
    return lines


def join_lines(
    step: Step,
    gen: Generator,
    frame: str,
    cache: str,
    inputs: dict[str, str],
    result: str,
    prefix: str = "",
    cache_names: dict[str, str] | None = None,
) -> list[str]:
    """Left-join ``cache`` to ``frame`` on the condition (``inputs``: input port -> column of
    ``frame``), then keep one match per row according to the policy. Cache columns are named
    ``prefix + name`` (unconnected calls prefix them so they never clash with the frame's)."""
    t = step.transformation
    assert t is not None
    conds = conditions(t)
    lower = case_insensitive(step)
    terms = []
    for c in conds:
        lk = prefix + _name(t, c.lookup_port)
        if cache_names is not None:
            lk = cache_names[_name(t, c.lookup_port)]
        col = inputs.get(_name(t, c.input_port).lower())
        if col is None:
            raise ConversionError(f"lookup condition input {c.input_port} is not an input port")
        left, right = f"{frame}[{py_str(col)}]", f"{cache}[{py_str(lk)}]"
        if lower and _is_string(t, _name(t, c.lookup_port)):
            left, right = f"F.lower({left})", f"F.lower({right})"
        # "The Integration Service matches null values" (Transformation Guide, Lookup Condition): a NULL
        # input equals a NULL in the lookup source.
        terms.append(f"{left}.eqNullSafe({right})" if c.op == "=" else f"({left} {_OPS[c.op]} {right})")
    on = " & ".join(terms)
    mode = policy(t)
    hit, order = py_str(prefix + "_lkp_hit"), py_str(prefix + "_lkp_order")
    lines = [f'{result} = {frame}.join({cache}.withColumn({hit}, F.lit(True)), {on}, "left")']
    equality = all(c.op == "=" for c in conds)
    if mode == "report error":
        lines.append(
            f'{result} = {result}.withColumn("_lkp_matches", F.count({hit}).over('
            f'Window.partitionBy("_row_id")))'
        )
        lines.append(
            f'{result} = {result}.withColumn("_lkp_pick", F.row_number().over('
            f'Window.partitionBy("_row_id").orderBy(F.col({order}))))'
        )
        lines.append(f'{result} = {result}.where(F.col("_lkp_pick") == 1).drop("_lkp_pick")')
        lines.append("# a row with several matches is a transformation error (Report Error)")
        lines.append(f'{result} = job.row_errors({py_str(step.name)}, {result}, F.col("_lkp_matches") > 1)')
        lines.append(f'{result} = {result}.drop("_lkp_matches")')
    elif mode != "use all values" and not equality:
        direction = ".desc()" if mode == "use last value" else ""
        lines.append(
            f'{result} = {result}.withColumn("_lkp_pick", F.row_number().over('
            f'Window.partitionBy("_row_id").orderBy(F.col({order}){direction})))'
        )
        lines.append(f'{result} = {result}.where(F.col("_lkp_pick") == 1).drop("_lkp_pick")')
    return lines


def _output_code(port: Port, gen: Generator, step: Step) -> str:
    """The lookup port's value, or its default value when no row matched (connected lookups only)."""
    code = f"F.col({py_str(port.name)})"
    default = value_default(port)
    if default:
        value = gen.expression(step, default, {}, port)
        code = f"F.when(F.col({py_str('_lkp_hit')}).isNull(), {cast_to(value, port)}).otherwise({code})"
    return code


def generate(step: Step, gen: Generator) -> StepCode:
    t = step.transformation
    assert t is not None
    var = gen.var(step)
    if not step.inputs:
        # Unconnected: only the cache; expressions join it where they call :LKP.
        lines = cache_lines(step, gen, var)
        return StepCode(lines, {}, ["unconnected lookup: joined where :LKP calls it"])
    inputs = [p for p in t.ports if p.is_input]
    frame = None if any(has_input_default(p) for p in inputs) else gen.single_frame(step, inputs)
    if frame is not None and policy(t) != "use all values":
        return _extend(step, gen, var, frame, inputs)
    lines, origin = gen.assemble(step, inputs, var)
    lines += input_defaults(step, gen, var, inputs)
    cache = gen.new_var(f"{var}_cache")
    lines += cache_lines(step, gen, cache)
    lines += join_lines(step, gen, var, cache, {p.name.lower(): p.name for p in inputs}, var)
    selected, outputs = [], {}
    mode = policy(t)
    if mode == "use all values":
        origin = step.name
        lines.append(f'{var} = {var}.withColumn("_row_id", F.struct("_row_id", "_lkp_order"))')
    for port in t.ports:
        if not port.is_output:
            continue
        if port.is_input:
            selected.append(py_str(port.name))
        elif port.is_lookup:
            code = _output_code(port, gen, step)
            selected.append(
                py_str(port.name)
                if code == f"F.col({py_str(port.name)})"
                else f"{code}.alias({py_str(port.name)})"
            )
        else:
            gen.gap(step, ConversionError(f"output port {port.name} with an expression in a lookup"), port)
            continue
        outputs[port.name.lower()] = Output(var, port.name, origin)
    lines += select_code(var, [*selected, *gen.extra(var)], var)
    notes = [
        f"{t.attributes.get('Lookup policy on multiple match', 'Use Any Value')}; "
        f"condition {t.attributes.get('Lookup condition', '')}"
    ]
    return StepCode(lines, outputs, notes)


def _extend(step: Step, gen: Generator, var: str, frame: str, inputs: list[Port]) -> StepCode:
    """The lookup's columns added to the frame that feeds it (no projection, no join back later)."""
    t = step.transformation
    assert t is not None
    taken = {c.lower() for c in gen.columns[frame]}
    names: dict[str, str] = {}
    for p in lookup_ports(t):
        alias = p.name if p.name.lower() not in taken else f"{var}_{p.name}"
        names[p.name] = alias
        taken.add(alias.lower())
    cache = gen.new_var(f"{var}_cache")
    lines = cache_lines(step, gen, cache)
    if any(a != n for n, a in names.items()):
        cols = [f"F.col({py_str(n)}).alias({py_str(a)})" if a != n else py_str(n) for n, a in names.items()]
        lines += select_code(cache, [*cols, '"_lkp_order"'], cache)
    where = {p.name.lower(): gen.column_of(step, p) for p in inputs}
    lines += join_lines(step, gen, frame, cache, where, var, cache_names=names)
    origin = gen.output_of(step.inputs[inputs[0].name.lower()]).origin
    outputs: dict[str, Output] = {}
    for port in t.ports:
        if not port.is_output:
            continue
        if port.is_input:
            outputs[port.name.lower()] = Output(var, where[port.name.lower()], origin)
        elif port.is_lookup:
            code = _output_code(port, gen, step)
            if code != f"F.col({py_str(port.name)})":  # a default value for rows without a match
                code = code.replace(f"F.col({py_str(port.name)})", f"F.col({py_str(names[port.name])})")
                lines.append(f"{var} = {var}.withColumn({py_str(names[port.name])}, {code})")
            outputs[port.name.lower()] = Output(var, names[port.name], origin)
        else:
            gen.gap(step, ConversionError(f"output port {port.name} with an expression in a lookup"), port)
    unused = [names[p.name] for p in lookup_ports(t) if not p.is_output]
    lines.append(f"{var} = {var}.drop({', '.join(py_str(c) for c in [*unused, '_lkp_hit', '_lkp_order'])})")
    gen.extends[var] = frame
    gen.columns[var] = [*gen.columns[frame], *[names[p.name] for p in lookup_ports(t) if p.is_output]]
    gen.inherit(var, frame)
    notes = [
        f"{t.attributes.get('Lookup policy on multiple match', 'Use Any Value')}; "
        f"condition {t.attributes.get('Lookup condition', '')}"
    ]
    return StepCode(lines, outputs, notes)


def unconnected_call(
    step: Step, gen: Generator, frame: str, name: str, arg_codes: list[str], column: str
) -> list[str]:
    """Lines adding ``column`` = ``:LKP.name(args)`` to ``frame`` (positional args = input ports)."""
    lkp = next(
        (
            s
            for s in gen.plan.steps
            if s.name.rsplit(".", 1)[-1].lower() == name.lower()
            and s.transformation is not None
            and s.kind in KINDS
        ),
        None,
    )
    if lkp is None or lkp.transformation is None:
        raise ConversionError(f":LKP.{name}: no lookup instance of that name in the mapping")
    t = lkp.transformation
    cache = gen.vars.get(lkp.name.lower())
    failed = any(g.instance.lower() == lkp.name.lower() for g in gen.gaps)
    if cache is None or lkp.name.lower() not in gen.frames or failed:
        raise ConversionError(f":LKP.{name}: the lookup is not converted")
    inputs = [p for p in t.ports if p.is_input and not p.is_lookup]
    ret = next((p for p in t.ports if p.is_return), None)
    outs = [p for p in t.ports if p.is_lookup and p.is_output]
    if ret is None and len(outs) == 1:
        ret = outs[0]  # exports that lost the R flag: the only lookup output is the return value
    if ret is None:
        raise ConversionError(f":LKP.{name}: the lookup has no return port")
    if len(arg_codes) != len(inputs):
        raise ConversionError(f":LKP.{name}: {len(arg_codes)} arguments for {len(inputs)} input ports")
    args = {p.name.lower(): f"{column}_in{i}" for i, p in enumerate(inputs)}
    prefix = f"{column}_"
    renamed = gen.new_var(f"{cache}_for_{column}")
    lines = [f"{renamed} = {cache}.select(*[F.col(c).alias({py_str(prefix)} + c) for c in {cache}.columns])"]
    lines += [
        f"{frame} = {frame}.withColumn({py_str(args[p.name.lower()])}, {code})"
        for p, code in zip(inputs, arg_codes, strict=True)
    ]
    lines += join_lines(lkp, gen, frame, renamed, args, frame, prefix)
    # No match is NULL: "the Integration Service ignores user-defined default values for unconnected
    # transformations" (Transformation Guide, User-Defined Default Values).
    lines.append(f"{frame} = {frame}.withColumn({py_str(column)}, F.col({py_str(prefix + ret.name)}))")
    kept = [
        *args.values(),
        *[prefix + c for c in ["_lkp_hit", "_lkp_order", *[p.name for p in lookup_ports(t)]]],
    ]
    lines.append(f"{frame} = {frame}.drop({', '.join(py_str(c) for c in kept)})")
    return lines
