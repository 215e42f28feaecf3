"""Lookup Procedure with a dynamic cache ("Dynamic Lookup Cache" = YES), computed with window functions.

PowerCenter (Transformation Guide, "Dynamic Lookup Cache") builds the cache from the lookup source, then for
each row, in row order, looks the row's key up in the cache and inserts the row (NewLookupRow 1), updates
the cached row (2) or leaves the cache unchanged (0), so that later rows with the same key see what earlier
rows did. The cache before a row is therefore a function of the lookup source's row for the key and of the
earlier rows with the same key: windows partitioned by the key and ordered by ``_row_id`` compute it.

- found: the key is in the lookup source, or an earlier row of the key was inserted (the first row of a key
  that may insert inserts it; a row with a NULL in its key changes nothing, KB 21602);
- a port's cached value: the value written by the last earlier row that wrote it (``F.last`` over the rows
  before), else the lookup source's;
- an update changes the cache when the row may update (its row type and Insert Else Update), the Update
  Dynamic Cache Condition holds and a compared port differs; a compared port's cached value does not depend
  on whether its row changed anything (a row that changes nothing writes what the cache already holds),
  so the comparison reads windows only, and the ports ignored in comparison are computed after it;
- a Sequence-ID port: the largest value of the lookup source plus the number of rows inserted so far, over
  every key in row order (one window over all rows).

An Update Dynamic Cache Condition that reads a lookup port the rows update is a recurrence no window
expresses: the rows of each key are then folded one by one (``job.scan``, one segment per key). Reported:
the constructs the guide rules out (a non-equality condition, an unconnected dynamic lookup) and those whose
effects are outside the job (Synchronize Dynamic Cache writes to the lookup source, a persistent cache
carries rows from run to run). The rules and their sources: docs/convert.md, "Dynamic lookup cache".
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

from infaflow.codegen import exprs
from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.handlers import lookup
from infaflow.codegen.handlers.defaults import value_default
from infaflow.codegen.mapping_variables import TREAT_ROWS_AS
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step
from infaflow.codegen.rowcontract import ROW_TYPE
from infaflow.codegen.scan import ScanNote
from infaflow.codegen.stepcode import Output, StepCode, select_code, unwrap, wrapped
from infaflow.codegen.types import spark_type
from infaflow.model import Port, Transformation

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator

NEW_LOOKUP_ROW = "newlookuprow"
SEQUENCE_ID = "sequence-id"
#: the largest value a generated Sequence-ID can take, by the port's datatype
SEQUENCE_MAX = {"integer": 2147483647, "small integer": 32767, "bigint": 9223372036854775807}
INSERT, UPDATE = 0, 1  # row types (DD_INSERT, DD_UPDATE)
ROW_TYPE_NAMES = ("insert", "update", "delete", "reject")
UNDEFINED_ROW_TYPES = (
    "the Transformation Guide defines a dynamic cache for rows marked for insert or update only; a row "
    "marked for delete or reject is not converted"
)


@dataclass
class CachePort:
    """A lookup port of the dynamic cache and what writes it."""

    port: Port
    key: str = ""  # the condition's input port when the port is in the condition
    associated: str = ""  # the associated input port
    sequence: bool = False  # associated with Sequence-ID
    ignore_nulls: bool = False  # Ignore Null Inputs for Updates
    compared: bool = True  # not Ignore in Comparison


def _yes(port: Port, name: str) -> bool:
    return str(port.attrs.get(name, "NO") or "NO").strip().upper() == "YES"


def cache_ports(t: Transformation) -> list[CachePort]:
    """The lookup ports with their condition input, associated port and comparison options."""
    conds = lookup.conditions(t)
    for c in conds:
        if c.op != "=":
            raise ConversionError(
                f"lookup condition term {c.lookup_port} {c.op} {c.input_port}: a dynamic lookup cache "
                "allows only the equality operator (Transformation Guide, rules for dynamic lookup caches)"
            )
    keys = {lookup._name(t, c.lookup_port).lower(): lookup._name(t, c.input_port) for c in conds}
    inputs = {p.name.lower(): p.name for p in t.ports if p.is_input and not p.is_lookup}
    out = []
    for p in lookup.lookup_ports(t):
        key = keys.get(p.name.lower(), "")
        if key:
            out.append(CachePort(p, key=key))
            continue
        ref = (p.ref_field or "").strip()
        if ref.lower() == SEQUENCE_ID:
            kind = spark_type(p.datatype, p.precision, p.scale)
            if p.datatype.strip().lower() not in SEQUENCE_MAX:
                raise ConversionError(
                    f"lookup port {p.name}: a Sequence-ID port must be an integer, small integer or bigint "
                    f"port, not {p.datatype} ({kind})",
                    *_where(p),
                )
            out.append(CachePort(p, sequence=True, compared=False))
            continue
        if not ref:
            raise ConversionError(
                f"lookup port {p.name} has no associated port (a dynamic cache needs one for every lookup "
                "port outside the condition)",
                *_where(p),
            )
        if ref.lower() not in inputs:
            raise ConversionError(
                f"lookup port {p.name}: its associated port {ref} is not an input port of the lookup "
                "(associated expressions are not converted)",
                *_where(p),
            )
        out.append(
            CachePort(
                p,
                associated=inputs[ref.lower()],
                ignore_nulls=_yes(p, "IGNORE_NULL_INPUTS"),
                compared=not _yes(p, "IGNORE_IN_COMPARE"),
            )
        )
    return out


def _where(port: Port) -> tuple[str, int]:
    """The port's place in the export, for a gap about it."""
    return port.location.file, port.location.line


def _row_type(step: Step, gen: Generator, var: str) -> int | None:
    """The type of every row entering the lookup, or None when the rows carry their own (``_row_type``,
    an Update Strategy upstream in a Data Driven session)."""
    treat = gen.plan.treat_rows_as().strip().lower()
    if treat == "data driven" and var in gen.flagged:
        return None
    return TREAT_ROWS_AS.get(treat, INSERT)


def _rows_that(row_type: int | None, insert: bool, update: bool) -> str:
    """Code of the rows whose type is allowed (``insert``: insert rows, ``update``: update rows); "" when
    every row is, "F.lit(False)" when none is."""
    allowed = [t for t, ok in ((INSERT, insert), (UPDATE, update)) if ok]
    if row_type is not None:
        return "" if row_type in allowed else "F.lit(False)"
    if not allowed:
        return "F.lit(False)"
    if len(allowed) == 2:
        return f"F.col({py_str(ROW_TYPE)}).isin({INSERT}, {UPDATE})"
    return f"(F.col({py_str(ROW_TYPE)}) == {allowed[0]})"


def _and(*terms: str) -> str:
    kept = [t for t in terms if t]
    if "F.lit(False)" in kept:
        return "F.lit(False)"
    if not kept:
        return "F.lit(True)"
    return " & ".join(wrapped(t) if len(kept) > 1 else t for t in kept)


def _check_options(step: Step) -> None:
    attrs = step.attributes
    if attrs.flag("Synchronize Dynamic Cache"):
        raise ConversionError(
            "Synchronize Dynamic Cache: the lookup inserts rows into the lookup source itself while the "
            "session runs; not converted"
        )
    if attrs.flag("Lookup cache persistent") and not attrs.flag("Re-cache from lookup source"):
        raise ConversionError(
            "a persistent dynamic cache starts from the cache files the previous run saved, not from the "
            "lookup source; not converted (set Re-cache from lookup source to rebuild it every run)"
        )


def generate(step: Step, gen: Generator) -> StepCode:
    """A connected Lookup with a dynamic cache: the input ports, the lookup ports as the cache gives them
    and NewLookupRow."""
    t = step.transformation
    assert t is not None
    if not step.inputs:
        raise ConversionError(
            "a dynamic lookup cache must be connected (Transformation Guide); it is unconnected"
        )
    _check_options(step)
    ports = cache_ports(t)
    var = gen.var(step)
    inputs = [p for p in t.ports if p.is_input and not p.is_lookup]
    lines, origin = gen.assemble(step, inputs, var)
    row_type = _row_type(step, gen, var)
    if row_type is not None and row_type not in (INSERT, UPDATE):
        raise ConversionError(
            f"the session marks every row for {ROW_TYPE_NAMES[row_type]}: {UNDEFINED_ROW_TYPES}"
        )
    attrs = step.attributes
    insert_else_update = attrs.flag("Insert Else Update")
    update_else_insert = attrs.flag("Update Else Insert")
    old_values = attrs.flag("Output Old Value On Update")
    cache = gen.new_var(f"{var}_cache")
    lines += lookup.source_lines(step, gen, cache)
    lines += _initial_cache(step, cache, ports)
    keys = [c for c in ports if c.key]
    on = " & ".join(f"({var}[{py_str(c.key)}] == {cache}[{py_str('_cached_' + c.port.name)}])" for c in keys)
    lines.append(f'{var} = {var}.join({cache}, {on}, "left")')
    sequence = next((c for c in ports if c.sequence), None)
    if sequence is not None:
        largest = f'F.max("_cached_{sequence.port.name}")'
        lines.append(
            f'{var} = {var}.crossJoin({cache}.agg(F.coalesce({largest}, F.lit(0)).alias("_sequence_base")))'
        )
    if row_type is None:
        message = py_str(f"{step.name}: {UNDEFINED_ROW_TYPES}")
        lines.append("# rows marked for delete or reject stop the job (not defined for a dynamic cache)")
        lines.append(
            f'{var} = {var}.where(F.when(~F.col("_row_type").isin({INSERT}, {UPDATE}), '
            f"F.raise_error(F.lit({message}))).isNull())"
        )
    may_insert = _rows_that(row_type, True, update_else_insert)
    may_update = _rows_that(row_type, insert_else_update, True)
    key_known = " & ".join(f"F.col({py_str(c.key)}).isNotNull()" for c in keys)
    read = _condition_reads(step, gen, ports)
    before = f"{var}_before"
    if not read or sequence is not None:  # the windows read the rows of the key before the row
        partition = ", ".join(py_str(c.key) for c in keys)
        lines.append("# the rows of each key before this one, in PowerCenter's row order")
        lines.append(
            f'{before} = Window.partitionBy({partition}).orderBy("_row_id")'
            ".rowsBetween(Window.unboundedPreceding, -1)"
        )
    if read:
        lines += _scan_lines(step, gen, var, ports, read, (key_known, may_insert, may_update))
        if sequence is not None:
            lines += _sequence_lines(step, var, before, sequence)
    else:
        lines += _window_lines(step, gen, var, before, ports, (key_known, may_insert, may_update))
    selected, outputs = _outputs(step, gen, var, ports, old_values)
    lines += select_code(var, [*selected, *gen.extra(var)], var)
    for name in outputs:
        outputs[name] = Output(var, outputs[name].column, origin)
    gen.columns[var] = [o.column for o in outputs.values()] + gen.columns[var][len(inputs) :]
    marked = ROW_TYPE_NAMES[row_type] if row_type is not None else "insert or update by an Update Strategy"
    notes = [
        f"dynamic lookup cache; condition {t.attributes.get('Lookup condition', '')}",
        f"rows marked for {marked}",
        f"Insert Else Update {'YES' if insert_else_update else 'NO'}, "
        f"Update Else Insert {'YES' if update_else_insert else 'NO'}, "
        f"Output Old Value On Update {'YES' if old_values else 'NO'}",
    ]
    if var in gen.unordered:
        notes.append(
            "the rows come from an Aggregator or a Union in no defined order: inserts, updates and "
            "Sequence-IDs follow _row_id, one order PowerCenter may use"
        )
    return StepCode(lines, outputs, notes)


def _outputs(
    step: Step, gen: Generator, var: str, ports: list[CachePort], old_values: bool
) -> tuple[list[str], dict[str, Output]]:
    """The selected output columns: pass-through input ports, lookup ports and NewLookupRow."""
    t = step.transformation
    assert t is not None
    selected: list[str] = []
    outputs: dict[str, Output] = {}
    by_name = {c.port.name.lower(): c for c in ports}
    for port in t.ports:
        if not port.is_output:
            continue
        kind = py_str(spark_type(port.datatype, port.precision, port.scale))
        if port.is_input and not port.is_lookup:
            code = py_str(port.name)
        elif port.name.lower() in by_name:
            code = _output_code(step, gen, by_name[port.name.lower()], old_values)
            code = f"{code}.alias({py_str(port.name)})"
        elif port.name.lower() == NEW_LOOKUP_ROW:
            code = (
                'F.when(F.col("_inserted"), F.lit(1)).when(F.col("_updated"), F.lit(2)).otherwise(F.lit(0))'
                f".cast({kind}).alias({py_str(port.name)})"
            )
        else:
            gen.gap(step, ConversionError(f"output port {port.name} with an expression in a lookup"), port)
            continue
        selected.append(code)
        outputs[port.name.lower()] = Output(var, port.name, "")
    return selected, outputs


def _initial_cache(step: Step, cache: str, ports: list[CachePort]) -> list[str]:
    """The lookup source as the dynamic cache starts: one row per key, columns ``_cached_<port>``."""
    t = step.transformation
    assert t is not None
    keys = [c.port.name for c in ports if c.key]
    key_list = ", ".join(py_str(k) for k in keys)
    mode = lookup.policy(t)
    label = t.attributes.get("Lookup policy on multiple match", "Use Any Value")
    lines: list[str] = []
    if mode == "report error":
        message = py_str(f"{step.name}: the lookup source has several rows for one key (Report Error)")
        window = f"Window.partitionBy({key_list})"
        failure = f"F.raise_error(F.lit({message}))"
        lines += [
            "# Report Error: several rows for one key in the lookup source fail the session",
            f'{cache} = {cache}.withColumn("_lkp_rows", F.count(F.lit(1)).over({window}))',
            f'{cache} = {cache}.where(F.when(F.col("_lkp_rows") > 1, {failure}).isNull())',
        ]
    elif mode in ("use first value", "use last value", "use any value"):
        names = [p.name for p in lookup.lookup_ports(t)]
        order = [*keys, *[n for n in names if n not in keys]]
        direction = ".desc()" if mode == "use last value" else ""
        sort = ", ".join(f"F.col({py_str(n)}){direction}" for n in order)
        lines += [
            f"# {label}: the first row per key in cache order starts the cache",
            f'{cache} = {cache}.withColumn("_lkp_order", F.row_number().over('
            f"Window.partitionBy({key_list}).orderBy({sort})))",
            f'{cache} = {cache}.where(F.col("_lkp_order") == 1)',
        ]
    else:
        raise ConversionError(
            f"Lookup policy on multiple match {label!r}: a lookup that returns every match cannot use a "
            "dynamic cache (Transformation Guide, rules for returning multiple rows)"
        )
    cols = [f"F.col({py_str(c.port.name)}).alias({py_str('_cached_' + c.port.name)})" for c in ports]
    lines += select_code(cache, [*cols, 'F.lit(True).alias("_cached")'], cache)
    return lines


def _window_lines(
    step: Step, gen: Generator, var: str, before: str, ports: list[CachePort], rows: tuple[str, str, str]
) -> list[str]:
    """The cache before each row by windows over the earlier rows of its key (``rows``: the codes of a known
    key, of the rows that may insert and of those that may update)."""
    key_known, may_insert, may_update = rows
    found = 'F.col("_cached").isNotNull()'
    if may_insert != "F.lit(False)":
        counted = "F.lit(1)" if not may_insert else f"F.when({may_insert}, F.lit(1))"
        found = f"({found} | (F.count({counted}).over({before}) > 0))"
    lines = ["# found: the key is in the lookup source or an earlier row inserted it (never a NULL key)"]
    lines.append(f'{var} = {var}.withColumn("_found", {_and(key_known, found)})')
    inserted = _and(key_known, '~F.col("_found")', may_insert)
    lines.append(f'{var} = {var}.withColumn("_inserted", {inserted})')
    sequence = next((c for c in ports if c.sequence), None)
    if sequence is not None:
        lines += _sequence_lines(step, var, before, sequence)
    columns = _condition_columns(step, ports, scan=False)
    updatable = _and('F.col("_found")', may_update, _condition(step, gen, columns))
    lines.append(f'{var} = {var}.withColumn("_updatable", {updatable})')
    compared = [c for c in ports if c.associated and c.compared]
    ignored = [c for c in ports if c.associated and not c.compared]
    for c in compared:
        lines += _state_lines(var, before, c, "_updatable")
    different = " | ".join(
        f'~F.col("_new_{c.port.name}").eqNullSafe(F.col("_old_{c.port.name}"))' for c in compared
    )
    lines.append("# an update changes the cache when a compared port differs from its cached value")
    updated = _and('F.col("_updatable")', different or "F.lit(False)")
    lines.append(f'{var} = {var}.withColumn("_updated", {updated})')
    for c in ignored:
        lines += _state_lines(var, before, c, "_updated")
    return lines


def _scan_lines(
    step: Step,
    gen: Generator,
    var: str,
    ports: list[CachePort],
    read: list[str],
    rows: tuple[str, str, str],
) -> list[str]:
    """The cache of each key folded row by row (``job.scan``, one segment per key): the Update Dynamic
    Cache Condition reads ports the rows update, which no window computes."""
    key_known, may_insert, may_update = (_in_row(code) for code in rows)
    keys = [c for c in ports if c.key]
    cached = [c for c in ports if c.associated]
    columns = _condition_columns(step, ports, scan=True)
    condition = _condition(step, gen, columns)
    assigned: list[tuple[str, str, str]] = []  # name, code, type of the initial value

    def value(c: CachePort) -> str:
        return f"row[{py_str(c.associated)}].cast({py_str(_type(c.port))})"

    seen = 'F.when(state["_seen"], state["_exists"]).otherwise(row["_cached"].isNotNull())'
    assigned.append(("_found", _and(key_known, seen), "boolean"))
    assigned.append(("_inserted", _and(key_known, '~new["_found"]', may_insert), "boolean"))
    for c in cached:
        old = f'F.when(state["_seen"], state["_cache_{c.port.name}"]).otherwise(row["_cached_{c.port.name}"])'
        assigned.append((f"_old_{c.port.name}", old, _type(c.port)))
    assigned.append(("_updatable", _and('new["_found"]', may_update, condition), "boolean"))
    for c in cached:
        new = f'F.coalesce({value(c)}, new["_old_{c.port.name}"])' if c.ignore_nulls else value(c)
        assigned.append((f"_new_{c.port.name}", new, _type(c.port)))
    different = " | ".join(
        f'~new["_new_{c.port.name}"].eqNullSafe(new["_old_{c.port.name}"])' for c in cached if c.compared
    )
    assigned.append(("_updated", _and('new["_updatable"]', different or "F.lit(False)"), "boolean"))
    for c in cached:
        name = c.port.name
        after = (
            f'F.when(new["_inserted"], {value(c)}).when(new["_updated"], new["_new_{name}"])'
            f'.otherwise(new["_old_{name}"])'
        )
        assigned.append((f"_cache_{name}", after, _type(c.port)))
    assigned.append(("_exists", 'new["_found"] | new["_inserted"]', "boolean"))
    assigned.append(("_seen", "F.lit(True)", "boolean"))
    fn = gen.new_var(f"{var}_cache_rows")
    reason = (
        f"the Update Dynamic Cache Condition reads {', '.join(read)}, which the rows of a key update: "
        "no window computes it"
    )
    note = (
        f"sequential scan: {reason}; the rows of each key are folded one by one in PowerCenter's order, "
        "each key's rows in one array held by one task (memory grows with the rows of the largest key)"
    )
    lines = [f"# {text}" for text in textwrap.wrap(note, 100)]
    lines.append(f"def {fn}(state, row):")
    lines.append(f'    """{step.name}: the cache of the row\'s key after the row, from the cache before it')
    lines.append('    (``state``), the row (``row``) and the values assigned above (``new``)."""')
    lines.append("    return job.in_order(")
    lines += [f"        ({py_str(n)}, lambda new: {code})," for n, code, _ in assigned]
    lines.append("    )")
    initial = [
        f"F.lit({'False' if kind == 'boolean' else 'None'}).cast({py_str(kind)}).alias({py_str(n)})"
        for n, _, kind in assigned
    ]
    segment = ", ".join(py_str(c.key) for c in keys)
    lines.append(f"{var} = job.scan(")
    lines.append(f"    {py_str(step.name)},")
    lines.append(f"    {var},")
    lines.append(f"    {fn},")
    lines.append("    F.struct(")
    lines += [f"        {code}," for code in initial]
    lines.append("    ),")
    lines.append(f"    segment=F.struct({segment}),")
    lines.append(")")
    location = step.location
    gen.scans.append(ScanNote(step.name, read, reason, location.file or gen.file, location.line, True))
    return lines


def _type(port: Port) -> str:
    return spark_type(port.datatype, port.precision, port.scale)


def _in_row(code: str) -> str:
    """Column code read inside a row function: ``F.col("X")`` -> ``row["X"]``."""
    return re.sub(r'F\.col\(("(?:[^"\\]|\\.)*")\)', r"row[\1]", code)


def _condition_text(step: Step) -> str:
    """The Update Dynamic Cache Condition, "" when it is TRUE (the default)."""
    text = str(step.attributes.get("Update Dynamic Cache Condition", "") or "").strip()
    return "" if not text or text.upper() == "TRUE" else text


def _condition_reads(step: Step, gen: Generator, ports: list[CachePort]) -> list[str]:
    """The lookup ports that rows update and the Update Dynamic Cache Condition reads."""
    text = _condition_text(step)
    parsed = gen.parse(step, text) if text else None
    if parsed is None:
        return []
    names = {n.lower() for n in exprs.references(parsed)}
    read = [c.port.name for c in ports if c.associated and c.port.name.lower() in names]
    sequence = [c.port.name for c in ports if c.sequence and c.port.name.lower() in names]
    if read and sequence:
        raise ConversionError(
            f"the Update Dynamic Cache Condition {text!r} reads {', '.join(read)}, which the rows update, "
            f"and the Sequence-ID port {sequence[0]}: not converted"
        )
    return read


def _condition_columns(step: Step, ports: list[CachePort], scan: bool) -> dict[str, str]:
    """The code of each port the condition may read: the row's inputs and the cache before the row
    (keys, Sequence-ID; in a scan, the ports the rows update)."""
    t = step.transformation
    assert t is not None
    col = (lambda name: f"row[{py_str(name)}]") if scan else (lambda name: f"F.col({py_str(name)})")
    columns = {p.name.lower(): col(p.name) for p in t.ports if p.is_input and not p.is_lookup}
    for c in ports:
        name = c.port.name
        if c.key:  # a found row's key is the input's
            columns[name.lower()] = (
                f"F.coalesce({col('_cached_' + name)}, {col(c.key)}.cast({py_str(_type(c.port))}))"
            )
        elif c.sequence and not scan:
            columns[name.lower()] = col(f"_old_{name}")
        elif c.associated and scan:
            columns[name.lower()] = f'new["_old_{name}"]'
    return columns


def _condition(step: Step, gen: Generator, columns: dict[str, str]) -> str:
    """The Update Dynamic Cache Condition's code (NULL is not TRUE), "" when it is TRUE."""
    text = _condition_text(step)
    if not text:
        return ""
    parsed = gen.parse(step, text)
    if parsed is None:
        return "F.lit(False)"
    code = gen.translate(step, parsed, columns, as_condition=True)
    return f"F.coalesce({unwrap(code)}, F.lit(False))"


def _state_lines(var: str, before: str, c: CachePort, writers: str) -> list[str]:
    """``_old_<port>``: the port's cached value before the row; ``_new_<port>``: what an update writes.
    Rows write the port when they insert it or when ``writers`` is true (and, with Ignore Null Inputs for
    Updates, their input is not NULL)."""
    name, kind = c.port.name, spark_type(c.port.datatype, c.port.precision, c.port.scale)
    value = f"F.col({py_str(c.associated)}).cast({py_str(kind)})"
    writes = f'F.col("_inserted") | F.col({py_str(writers)})'
    if c.ignore_nulls:
        writes = (
            f'F.col("_inserted") | (F.col({py_str(writers)}) & F.col({py_str(c.associated)}).isNotNull())'
        )
    new = f'F.coalesce({value}, F.col("_old_{name}"))' if c.ignore_nulls else value
    return [
        f"# {name}: the value the last earlier row of the key wrote, else the lookup source's",
        f'{var} = {var}.withColumn("_written_{name}", F.last(F.when({writes}, F.struct({value}.alias("v"))), '
        f"ignorenulls=True).over({before}))",
        f'{var} = {var}.withColumn("_old_{name}", F.when(F.col("_written_{name}").isNull(), '
        f'F.col("_cached_{name}")).otherwise(F.col("_written_{name}")["v"]))',
        f'{var} = {var}.withColumn("_new_{name}", {new})',
    ]


def _sequence_lines(step: Step, var: str, before: str, c: CachePort) -> list[str]:
    name, datatype = c.port.name, c.port.datatype.strip().lower()
    largest = SEQUENCE_MAX[datatype]
    message = f"{step.name}: Sequence-ID {name} passes {largest} (its wrap-around is not converted)"
    return [
        f"# Sequence-ID {name}: the largest value of the lookup source plus the rows inserted so far,",
        "# in row order over every key (one window over all rows)",
        f'{var} = {var}.withColumn("_sequence", F.when(F.col("_inserted"), F.col("_sequence_base") + '
        'F.count(F.when(F.col("_inserted"), F.lit(1))).over(Window.orderBy("_row_id")'
        ".rowsBetween(Window.unboundedPreceding, Window.currentRow))))",
        f'{var} = {var}.withColumn("_sequence", F.when(F.col("_sequence") > {largest}, '
        f'F.raise_error(F.lit({py_str(message)}))).otherwise(F.col("_sequence")))',
        f'{var} = {var}.withColumn("_old_{name}", F.coalesce(F.col("_cached_{name}"), '
        f'F.max("_sequence").over({before})))',
    ]


def _output_code(step: Step, gen: Generator, c: CachePort, old_values: bool) -> str:
    """A lookup/output port: the inserted values (NULL with Output Old Value On Update), the new or old
    values of an updated row, the cached values of a row found and unchanged, else the port's default
    value (NULL unless set)."""
    port = c.port
    kind = py_str(spark_type(port.datatype, port.precision, port.scale))
    if c.key:
        inserted = f"F.col({py_str(c.key)}).cast({kind})"
        found = f"F.coalesce(F.col({py_str('_cached_' + port.name)}), {inserted})"
        updated = found
    elif c.sequence:
        inserted = 'F.col("_sequence")'
        found = updated = f'F.col("_old_{port.name}")'
    else:
        inserted = f"F.col({py_str(c.associated)}).cast({kind})"
        found = f'F.col("_old_{port.name}")'
        updated = found if old_values else f'F.col("_new_{port.name}")'
    if old_values:
        inserted = f"F.lit(None).cast({kind})"
    default = value_default(port)
    otherwise = f"F.lit(None).cast({kind})"
    if default:
        otherwise = f"{wrapped(gen.expression(step, default, {}, port))}.cast({kind})"
    code = f'F.when(F.col("_inserted"), {inserted})'
    if updated != found:
        code += f'.when(F.col("_updated"), {updated})'
    return f'{code}.when(F.col("_found"), {found}).otherwise({otherwise})'
