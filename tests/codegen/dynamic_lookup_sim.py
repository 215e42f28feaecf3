"""PowerCenter's dynamic lookup cache as the Transformation Guide describes it, row by row in plain Python:
the reference the generated windows and scans are compared with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Row = tuple[int | None, str | None, str | None]  # ID, NAME, CITY
Cached = dict[str, object]  # NAME, CITY, CUST_KEY


@dataclass
class Options:
    insert_else_update: bool = False
    update_else_insert: bool = False
    old_values: bool = False
    rows_marked: str = "insert"  # "update", or "even keys update" (an Update Strategy flags each row)
    ignore_nulls: tuple[str, ...] = ()
    ignore_in_compare: tuple[str, ...] = ()
    condition: Callable[[Row, Cached], bool] | None = None  # Update Dynamic Cache Condition
    attributes: dict[str, str] = field(default_factory=dict)  # the same options as lookup attributes


def simulate(cache: dict[int, Cached], rows: list[Row], o: Options) -> list[tuple[object, ...]]:
    """IN_ID, ID, NAME, CITY, CUST_KEY, NewLookupRow for each row, in row order."""
    cache = {k: dict(v) for k, v in cache.items()}
    sequence = max((int(v["CUST_KEY"]) for v in cache.values() if v["CUST_KEY"] is not None), default=0)
    out: list[tuple[object, ...]] = []
    nothing = (None, None, None, None)
    for row in rows:
        key, name, city = row
        if key is None:  # a NULL key changes nothing
            out.append((key, *nothing, 0))
            continue
        marked = o.rows_marked
        if marked == "even keys update":
            marked = "update" if key % 2 == 0 else "insert"
        cached = cache.get(key)
        if cached is None:
            if marked == "insert" or o.update_else_insert:
                sequence += 1
                cache[key] = {"NAME": name, "CITY": city, "CUST_KEY": sequence}
                values = nothing if o.old_values else (key, name, city, sequence)
                out.append((key, *values, 1))
            else:
                out.append((key, *nothing, 0))
            continue
        inputs = {"NAME": name, "CITY": city}
        new = {p: cached[p] if p in o.ignore_nulls and v is None else v for p, v in inputs.items()}
        differs = any(new[p] != cached[p] for p in new if p not in o.ignore_in_compare)
        may_update = marked == "update" or o.insert_else_update
        holds = o.condition is None or o.condition(row, cached)
        before = (key, cached["NAME"], cached["CITY"], cached["CUST_KEY"])
        if may_update and holds and differs:
            cached.update(new)
            after = (key, cached["NAME"], cached["CITY"], cached["CUST_KEY"])
            out.append((key, *(before if o.old_values else after), 2))
        else:
            out.append((key, *before, 0))
    return out
