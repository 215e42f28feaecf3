"""Walks a plan and asks each step's handler for its code; keeps every gap with its location.

A step's code assigns one variable (the step's name in snake_case) or, for a Router, one per group.
Every frame carries the ``_row_id`` column (PowerCenter's row order, captured at source read) so that
order-dependent logic (last row of a group, variable ports, sequences, file order) is exact, and so that
two branches of the same pipeline can be put back side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from infaflow.codegen import exprs, links, mapping_variables, pipelines, sharing
from infaflow.codegen.exprs import ConversionError, Parsed
from infaflow.codegen.naming import Namer, py_str
from infaflow.codegen.plan import Gap, Plan, PortRef, Step
from infaflow.codegen.session_config import session_config
from infaflow.codegen.stepcode import (  # noqa: F401 - re-exported for handlers written against generate
    ANY_ORIGIN,
    NO_SOURCE,
    ROW_ID,
    ROW_TYPE,
    Output,
    StepCode,
    cast_to,
    col_alias,
    null_of,
    port_columns,
    select_code,
    unwrap,
    uses_name,
    wrapped,
)
from infaflow.expr.infer import static_type
from infaflow.model import Port

#: a transformation kind -> its handler, or None when no handler converts it (``handlers.handler_for``)
HandlerLookup = Callable[[str], "Callable[[Step, Generator], StepCode] | None"]


@dataclass
class RenderedStep:
    step: Step
    var: str
    title: str
    notes: list[str]
    lines: list[str]
    gaps: list[Gap]


class Generator:
    """Generates the code of every step of a plan, in order."""

    def __init__(self, plan: Plan, file: str = "", *, handler_for: HandlerLookup) -> None:
        self.plan = plan
        self.file = file
        self.handler_for = (
            handler_for  # given by the caller: the handlers import this module, not the reverse
        )
        self.namer = Namer()
        self.vars: dict[str, str] = {}
        self.frames: dict[str, dict[str, Output]] = {}
        self.gaps: list[Gap] = list(plan.gaps)
        self._step_gaps: list[Gap] = []
        self.failed: dict[str, str] = {}  # steps that are not converted -> their variable (if assigned)
        self.columns: dict[str, list[str]] = {}  # frame variable -> its columns, when known
        self.extends: dict[str, str] = {}  # frame variable -> the frame whose rows and columns it keeps
        self.flagged: set[str] = set()  # frame variables carrying _row_type (after an Update Strategy)
        self.driven = pipelines.drivers(plan)  # steps no source feeds -> the port whose rows drive them
        self.unordered: set[str] = set()  # frames whose rows have no defined order (Aggregator, Union)
        self.scans: list = []  # sequential scans of variable ports (codegen.scan.ScanNote), for the report
        self.date_format = session_config(plan.session, plan.task_instance).date_format
        self.session_calls: list = []  # once-per-session stored procedures (handlers.stored_procedure)
        self.database_steps: list = []  # steps whose SQL runs on the database (handlers.sql_transformation)
        # Transaction Controls whose transactions the job computes -> whether they can roll back
        self.transactions: dict[str, bool] = {}  # (handlers/transaction_control.py)

    # -- per step -------------------------------------------------------------------------------

    def run(self) -> list[RenderedStep]:
        out = []
        for step in pipelines.ordered(self.plan, self.driven):
            var = self.var(step)
            self._step_gaps = []
            title = f"{step.kind} {step.name}"
            handler = self.handler_for(step.kind)
            notes: list[str] = []
            lines: list[str] = []
            missing = step.transformation is None and step.source is None and step.target is None
            try:
                if missing:
                    # The plan reported the missing definition; nothing more to say here.
                    args = "".join(f", {v}" for v in self._upstream(step))
                    lines = [
                        f"{self._assign(step, var)}job.not_converted({py_str(step.name)}, "
                        f'"definition not in the export"{args})'
                    ]
                    self._fallback_outputs(step, var)
                elif handler is None:
                    raise ConversionError(f"{step.kind} transformations are not supported")
                else:
                    code = handler(step, self)
                    lines, notes = code.lines, code.notes
                    self.frames[step.name.lower()] = code.outputs
            except ConversionError as exc:
                self.gap(step, exc)
            except Exception as exc:  # noqa: BLE001 - one step must not abort a whole export
                self.gap(step, ConversionError(f"conversion failed: {type(exc).__name__}: {exc}"))
            if self._step_gaps:
                reasons = "; ".join(g.message for g in self._step_gaps)
                args = "".join(f", {v}" for v in self._upstream(step))
                lines = [
                    f"{self._assign(step, var)}job.not_converted("
                    f"{py_str(step.name)}, {py_str(reasons)}{args})"
                ]
                # Every output now reads the not-converted frame: none of the handler's own frames (a Router's
                # group frames, an extended frame) exists in the job any more.
                self.frames[step.name.lower()] = {}
                self.extends.pop(var, None)
                self.columns.pop(var, None)
                self._fallback_outputs(step, var)
            self.gaps.extend(self._step_gaps)
            out.append(RenderedStep(step, var, title, notes, lines, list(self._step_gaps)))
        _drop_unused_assignments(out)
        _drop_dangling_reads(out)
        self._share_frames(out)
        return out

    def _share_frames(self, steps: list[RenderedStep]) -> None:
        """Frames several targets read are computed once (codegen.sharing)."""
        code = {s.step.name.lower(): s.lines for s in steps}
        failed = [s.step.name for s in steps if s.gaps]
        by_name = {s.step.name.lower(): s for s in steps}
        for share in sharing.shares(self.plan, code, self.vars, self.frames, failed):
            by_name[share.step.lower()].lines.extend(sharing.share_lines(share))

    def _assign(self, step: Step, var: str) -> str:
        """``var = `` when another step reads this one's output."""
        if not self.plan.consumers(step.name):
            return ""
        self.failed[step.name.lower()] = var
        return f"{var} = "

    def _upstream(self, step: Step) -> list[str]:
        """Frame variables feeding ``step`` (Sequence objects included)."""
        names = []
        for ref in step.inputs.values():
            out = self.frames.get(ref.step.lower(), {}).get(ref.port.lower())
            if out is not None:
                names.append(out.var)
            elif ref.step.lower() in self.failed:
                names.append(self.failed[ref.step.lower()])
        return [v for v in dict.fromkeys(names) if v]

    def _fallback_outputs(self, step: Step, var: str) -> None:
        outputs = self.frames.setdefault(step.name.lower(), {})
        for port in step.ports:
            outputs.setdefault(port.name.lower(), Output(var, port.name, origin=ANY_ORIGIN))

    def var(self, step: Step) -> str:
        key = step.name.lower()
        if key not in self.vars:
            self.vars[key] = self.namer(step.name.replace(".", "__"))
        return self.vars[key]

    def new_var(self, name: str) -> str:
        return self.namer(name)

    def gap(self, step: Step, exc: ConversionError | str, port: Port | None = None) -> None:
        """Record that part of ``step`` cannot be converted."""
        if isinstance(exc, str):
            exc = ConversionError(exc)
        loc = port.location if port is not None and port.location.file else step.location
        gap = Gap(step.name, exc.message, exc.file or loc.file or self.file, exc.line or loc.line)
        if gap not in self._step_gaps:  # a sub-expression translated on its own fails as its whole does
            self._step_gaps.append(gap)

    # -- inputs ---------------------------------------------------------------------------------

    def output_of(self, ref: PortRef) -> Output:
        outputs = self.frames.get(ref.step.lower())
        if outputs is None:
            raise ConversionError(f"input from {ref.step}.{ref.port}, which is not converted")
        found = outputs.get(ref.port.lower())
        if found is None:
            raise ConversionError(f"{ref.step} has no output port {ref.port}")
        return found

    def assemble(
        self, step: Step, ports: list[Port], var: str, inputs: dict[str, PortRef] | None = None
    ) -> tuple[list[str], str]:
        """Lines building ``var``: the step's input ports (named as in the step) plus ``_row_id``.

        Ports fed by frames of the same origin are put side by side by ``_row_id``; NEXTVAL/CURRVAL
        of a Sequence Generator are numbered in row order; unconnected ports are NULL.
        """
        inputs = step.inputs if inputs is None else inputs
        frames: dict[str, list[str]] = {}
        origins: dict[str, str] = {}
        sequences: dict[str, dict[str, str]] = {}
        nulls: list[str] = []
        link_errors: list[str] = []
        for port in ports:
            ref = inputs.get(port.name.lower())
            if ref is None:
                nulls.append(null_of(port))
                continue
            out = self.output_of(ref)
            if out.sequence:
                sequences.setdefault(out.var, {})[out.column.lower()] = port.name
                continue
            frames.setdefault(out.var, []).append(links.select_item(self.plan, step, port, ref, out.column))
            error = links.error_item(self.plan, step, port, ref, out.column)
            if error is not None:  # a string that is not a date: a row error (links.py)
                frames[out.var].append(error)
                link_errors.append(port.name)
            if out.origin != ANY_ORIGIN:
                origins[out.var] = out.origin
        if not frames:
            driver = self.driven.get(step.name.lower())
            if driver is None:
                raise ConversionError(NO_SOURCE)
            out = self.output_of(driver)  # the rows of the pipeline it joins downstream
            frames[out.var] = []
            origins[out.var] = out.origin
        frames = self._collapse(frames)
        if len(set(origins.values())) > 1:
            names = ", ".join(sorted(set(origins.values())))
            raise ConversionError(f"ports come from different pipelines ({names}) without a Joiner")
        lines: list[str] = []
        for i, (frame, cols) in enumerate(frames.items()):
            if i == 0:
                lines += select_code(frame, [*cols, *nulls, *self.extra(frame)], var)
                self.inherit(var, frame)
            else:
                other = self.new_var(f"{var}_{frame}")
                lines += select_code(frame, [*cols, py_str(ROW_ID)], other)
                lines.append(f"{var} = {var}.join({other}, {py_str(ROW_ID)})")
        lines += links.reject_link_errors(self.plan, step, var, link_errors)
        for seq_var, numbered in sequences.items():
            args = [f"nextval={py_str(numbered['nextval'])}" if "nextval" in numbered else "nextval=None"]
            if "currval" in numbered:
                args.append(f"currval={py_str(numbered['currval'])}")
            lines.append(f"{var} = {seq_var}.number({var}, {', '.join(args)})")
        self.columns[var] = [p.name for p in ports] + [ROW_ID] + ([ROW_TYPE] if var in self.flagged else [])
        return lines, next(iter(origins.values()), ANY_ORIGIN)

    def ancestors(self, var: str) -> list[str]:
        """Frames whose columns ``var`` keeps unchanged (it was built from them by adding columns)."""
        out = []
        while var in self.extends:
            var = self.extends[var]
            out.append(var)
        return out

    def _collapse(self, frames: dict[str, list[str]]) -> dict[str, list[str]]:
        """Columns of frames that another frame of the list keeps are read from that frame: no join."""
        for frame in frames:
            keeps = {frame, *self.ancestors(frame)}
            if all(other in keeps for other in frames):
                return {frame: [c for cols in frames.values() for c in cols]}
        return frames

    def single_frame(self, step: Step, ports: list[Port]) -> str | None:
        """The one frame (with known columns) that feeds every one of ``ports``, or ``None``."""
        vars_: list[str] = []
        for port in ports:
            ref = step.inputs.get(port.name.lower())
            if ref is None:
                return None
            out = self.output_of(ref)
            if out.sequence or not out.var or links.converts(self.plan, step, port, ref):
                return None  # a converted port is selected anew (assemble)
            vars_.append(out.var)
        collapsed = self._collapse({v: [] for v in dict.fromkeys(vars_)})
        if len(collapsed) != 1:
            return None
        frame = next(iter(collapsed))
        return frame if frame in self.columns else None

    def column_of(self, step: Step, port: Port) -> str:
        """The column that holds an input port's values in its feeding frame."""
        return self.output_of(step.inputs[port.name.lower()]).column

    def extra(self, frame: str) -> list[str]:
        """The bookkeeping columns a frame carries: ``_row_id`` and, after an Update Strategy,
        ``_row_type``."""
        return [py_str(ROW_ID), *([py_str(ROW_TYPE)] if frame in self.flagged else [])]

    def inherit(self, var: str, frame: str) -> None:
        if frame in self.unordered:
            self.unordered.add(var)
        if frame in self.flagged:
            self.flagged.add(var)

    # -- expressions ----------------------------------------------------------------------------

    def parse(self, step: Step, text: str, port: Port | None = None) -> Parsed | None:
        loc = port.location if port is not None and port.location.file else step.location
        try:
            return exprs.parse(text, loc.file or self.file, loc.line)
        except ConversionError as exc:
            self.gap(step, exc, port)
            return None

    def expression(
        self,
        step: Step,
        text: str,
        columns: dict[str, str],
        port: Port | None = None,
        lookup: object = None,
        as_condition: bool = False,
    ) -> str:
        """PySpark code for ``text`` over ``columns`` (port name lower-case -> code); a gap on failure."""
        parsed = self.parse(step, text, port)
        if parsed is None:
            return "F.lit(None)"
        return self.translate(step, parsed, columns, port, lookup, as_condition)

    def translate(
        self,
        step: Step,
        parsed: Parsed,
        columns: dict[str, str],
        port: Port | None = None,
        lookup: object = None,
        as_condition: bool = False,
    ) -> str:
        loc = port.location if port is not None and port.location.file else step.location
        port_type, param_type, lookup_type = self._typing(step, columns)
        try:
            parsed, columns = mapping_variables.bind(self, step, parsed, columns, port, lookup)
            return exprs.to_code(
                parsed,
                lambda n: columns.get(n.lower()),
                lookup,  # type: ignore[arg-type]
                loc.file or self.file,
                loc.line,
                types=port_type,
                parameter_types=param_type,
                lookup_types=lookup_type,
                as_condition=as_condition,
                date_format=self.date_format,
            )
        except ConversionError as exc:
            self._translation_gap(step, exc, port)
            return "F.lit(None)"

    def _translation_gap(self, step: Step, exc: ConversionError, port: Port | None) -> None:
        if not self.plan.mapping.is_valid:  # PowerCenter does not run a mapping it marks invalid
            exc.message += f"; the export marks mapping {self.plan.mapping.name} invalid (ISVALID=NO)"
        self.gap(step, exc, port)

    def expression_checked(
        self,
        step: Step,
        text: str,
        columns: dict[str, str],
        port: Port | None = None,
        lookup: object = None,
        as_condition: bool = False,
    ) -> tuple[str, str]:
        """Row-error mode of :meth:`expression`: the value code (NULL where a row error happens) and the
        code of the row-error message ("" when the expression cannot raise one)."""
        parsed = self.parse(step, text, port)
        if parsed is None:
            return "F.lit(None)", ""
        return self.translate_checked(step, parsed, columns, port, lookup, as_condition)

    def translate_checked(
        self,
        step: Step,
        parsed: Parsed,
        columns: dict[str, str],
        port: Port | None = None,
        lookup: object = None,
        as_condition: bool = False,
        types: dict[str, str] | None = None,
    ) -> tuple[str, str]:
        """Row-error mode of :meth:`translate` (see :meth:`expression_checked`); ``types`` gives the
        expression-language type of columns that are not ports of the step (lower-case name -> type)."""
        loc = port.location if port is not None and port.location.file else step.location
        port_type, param_type, lookup_type = self._typing(step, columns, types)
        try:
            parsed, columns = mapping_variables.bind(self, step, parsed, columns, port, lookup)
            return exprs.to_checked_code(
                parsed,
                lambda n: columns.get(n.lower()),
                lookup,  # type: ignore[arg-type]
                loc.file or self.file,
                loc.line,
                types=port_type,
                parameter_types=param_type,
                lookup_types=lookup_type,
                as_condition=as_condition,
                date_format=self.date_format,
            )
        except ConversionError as exc:
            self._translation_gap(step, exc, port)
            return "F.lit(None)", ""

    def implicit_conversion(self, step: Step, port: Port, text: str, columns: dict[str, str]) -> str:
        """``text`` as ``TO_CHAR(text)`` when it gives a date and ``port`` is a string, ``TO_DATE(text)`` when
        it gives a string and ``port`` is a date: PowerCenter converts a value to its port's type with the
        session's DateTime Format String, and a string that does not match it is a row error (Transformation
        Language Reference, "Default Date Format")."""
        want = exprs.expr_type(port.datatype)
        if want not in ("string", "date"):
            return text
        try:
            parsed = exprs.parse(text)
        except ConversionError:
            return text  # reported where the expression is translated
        port_type, param_type, _lookup_type = self._typing(step, columns)
        got = static_type(parsed.node, lambda n: param_type(n) if n.startswith("$") else port_type(n))
        if (want, got) == ("string", "date"):
            return (
                f"TO_CHAR({text}\n)"  # a line break: a trailing -- comment must not swallow the parenthesis
            )
        if (want, got) == ("date", "string"):
            return f"TO_DATE({text}\n)"
        return text

    def _typing(
        self, step: Step, columns: dict[str, str], types: dict[str, str] | None = None
    ) -> tuple[Callable[[str], str], Callable[[str], str], Callable[[str], str]]:
        """The types of ports, parameters and lookup results that the translation needs."""

        def port_type(name: str) -> str:
            if types and name.lower() in types:
                return types[name.lower()]
            p = step.port(name)
            return exprs.expr_type(p.datatype) if p is not None and name.lower() in columns else ""

        def param_type(name: str) -> str:
            v = next((v for v in self.plan.mapping.variables if v.name.lower() == name.lower()), None)
            return exprs.expr_type(v.datatype) if v is not None else ""

        def lookup_type(name: str) -> str:
            for s in self.plan.steps:
                if s.transformation is not None and s.name.rsplit(".", 1)[-1].lower() == name.lower():
                    ret = next((p for p in s.transformation.ports if p.is_return), None)
                    return exprs.expr_type(ret.datatype) if ret is not None else ""
            return ""

        return port_type, param_type, lookup_type


def _read_later(steps: list[RenderedStep], i: int) -> bool:
    """Whether a step after ``steps[i]`` reads its variable (comments aside)."""
    later = "\n".join(line for s in steps[i + 1 :] for line in s.lines if not line.lstrip().startswith("#"))
    return uses_name(later, steps[i].var, attribute=False)


_READS = ("Source Definition", "Source Qualifier", "Application Source Qualifier")


def _drop_dangling_reads(steps: list[RenderedStep]) -> None:
    """A Source Qualifier whose rows no later step reads (a pipeline that ends in no target) is not read,
    nor a source only it read: the Integration Service runs the pipelines that load a target. Its step
    keeps its comment, so the job still names it; the job has no unused variable (ruff F841)."""
    for i in reversed(range(len(steps))):
        rendered = steps[i]
        if rendered.step.kind not in _READS or rendered.gaps or not rendered.lines:
            continue
        if any(line.startswith("job.") for line in rendered.lines):  # a statement of its own (Pre SQL...)
            continue
        if not _read_later(steps, i):
            rendered.lines = []
            rendered.notes.append(
                "its rows reach no target: not read (no pipeline of the session loads them)"
            )


def _drop_unused_assignments(steps: list[RenderedStep]) -> None:
    """``var = job.not_converted(...)`` becomes a plain call when no later step reads ``var`` (a relational
    Source read by its Source Qualifier's query): a partial job stays free of unused variables (ruff F841)."""
    for i, rendered in enumerate(steps):
        prefix = f"{rendered.var} = job.not_converted("
        if not (rendered.gaps and rendered.lines and rendered.lines[0].startswith(prefix)):
            continue
        if not _read_later(steps, i):
            rendered.lines[0] = rendered.lines[0][len(f"{rendered.var} = ") :]
