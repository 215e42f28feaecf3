"""Session tasks: pre-session parts, the mapping run through the session executor, post-session parts."""

from __future__ import annotations

import datetime as dt

from infaflow.errors import InputError
from infaflow.model import Attributes, MappingVariable, Session, SessionComponent
from infaflow.runtime import conditions, session_vars
from infaflow.runtime import values as V
from infaflow.runtime.executor import SessionOutcome, SessionRequest
from infaflow.runtime.status import FAILED, SUCCEEDED
from infaflow.runtime.tasks import email_task
from infaflow.runtime.tasks.base import TaskContext, TaskResult
from infaflow.runtime.tasks.command import run_commands


def _key(kind: str) -> str:
    return "".join(ch for ch in kind.lower() if ch.isalpha())


PRE_COMMAND = _key("Pre-session command")
POST_SUCCESS_COMMAND = _key("Post-session success command")
POST_FAILURE_COMMAND = _key("Post-session failure command")
SUCCESS_EMAIL = _key("Success Email")
FAILURE_EMAIL = _key("Failure Email")
PRE_ASSIGNMENT = _key("Pre-session variable assignment")
POST_SUCCESS_ASSIGNMENT = _key("Post-session success variable assignment")
POST_FAILURE_ASSIGNMENT = _key("Post-session failure variable assignment")


def components(ctx: TaskContext) -> dict[str, SessionComponent]:
    """The session's components by normalised TYPE; the instance's override the session's."""
    out: dict[str, SessionComponent] = {}
    for comp in [*getattr(ctx.definition, "components", []), *getattr(ctx.instance, "components", [])]:
        if comp.task is not None or getattr(comp, "value_pairs", None):
            out[_key(comp.type)] = comp
    return out


def _pairs(comp: SessionComponent) -> list:
    """A component's VALUEPAIRs: on the component itself, else on its task, in EXECORDER."""
    pairs = list(
        getattr(comp, "value_pairs", None) or (comp.task.value_pairs if comp.task is not None else [])
    )
    return sorted(pairs, key=lambda p: p.exec_order)


def _commands(ctx: TaskContext, comp: SessionComponent | None, what: str) -> TaskResult | None:
    if comp is None or comp.task is None:
        return None
    task = comp.task
    fail_on_any = task.attributes.flag("Fail task if any command fails", True)
    return run_commands(ctx, task.value_pairs, fail_on_any, what)


def _email(ctx: TaskContext, comp: SessionComponent | None, status: str) -> str:
    """Send the session's success or failure email; what became of it (for the task message)."""
    if comp is None or comp.task is None:
        return ""
    session: Session = ctx.definition
    fields = email_task.email_fields(ctx, status=status, session=ctx.name, mapping=session.mapping_name)
    result = email_task.send(ctx, comp.task.attributes, fields)
    if result.status != SUCCEEDED:
        ctx.log.write(f"{comp.type}: {result.error}")
        return f"{comp.type.lower()}: {result.error}"
    return f"{comp.type.lower()}: {result.message}" if result.message else ""


def run_session(ctx: TaskContext) -> TaskResult:
    """Run one Session task instance."""
    session = ctx.definition
    if not isinstance(session, Session):
        if ctx.dry_run:
            return TaskResult.ok()
        return TaskResult(
            FAILED,
            error=f"session {getattr(ctx.instance, 'task_name', ctx.name)!r} is not in this export",
            error_code=1,
        )
    parts = components(ctx)
    config_attrs: Attributes = Attributes()
    if session.config is not None:
        config_attrs = session.config.attributes
    if session.config_reference is not None:
        config_attrs = config_attrs.merged(session.config_reference.attributes)
    inst_cfg = getattr(ctx.instance, "config_reference", None)
    if inst_cfg is not None:
        config_attrs = config_attrs.merged(inst_cfg.attributes)

    pre = _commands(ctx, parts.get(PRE_COMMAND), "pre-session command")
    if pre is not None and pre.status != SUCCEEDED:
        on_error = (config_attrs.get("On Pre-session command task error", "Stop") or "Stop").strip().lower()
        if on_error != "continue":
            return _finish(
                ctx,
                parts,
                TaskResult(pre.status, error=f"pre-session command: {pre.error}", error_code=pre.error_code),
            )
        ctx.log.write("pre-session command failed; continuing (On Pre-session command task error = Continue)")

    params = dict(ctx.session_params)
    date_format = str(config_attrs.get("DateTime Format String", "") or "").strip()
    declared = session_vars.mapping_declarations(session, getattr(ctx.services, "folder", None))
    pre_assign = parts.get(PRE_ASSIGNMENT)
    if pre_assign is not None:
        for pair in _pairs(pre_assign):
            if pair.name.strip().lower() in ctx.session_fixed:
                ctx.log.write(f"pre-session variable assignment {pair.name}: the parameter file's value wins")
                continue
            try:
                value = ctx.evaluate(pair.value, date_format)
                target = (declared or {}).get(pair.name.strip().lower())
                value = session_vars.to_mapping_type(value, target, date_format)
                for old in [k for k in params if k.lower() == pair.name.strip().lower()]:
                    del params[old]
                params[pair.name.strip()] = value
                ctx.log.write(
                    f"pre-session variable assignment {pair.name.strip()} = {V.format_value(value)}"
                )
            except (InputError, conditions.ExprError, ValueError) as exc:
                if ctx.dry_run:
                    ctx.log.write(
                        f"dry run: pre-session variable assignment {pair.name} not evaluated: {exc}"
                    )
                    continue
                return _finish(
                    ctx,
                    parts,
                    TaskResult(
                        FAILED, error=f"pre-session variable assignment {pair.name}: {exc}", error_code=1
                    ),
                )

    if ctx.dry_run:
        ctx.log.write(f"dry run: would run mapping {session.mapping_name}")
        return TaskResult.ok()
    executor = ctx.services.session_executor()
    if executor is None:
        reason = ctx.services.no_executor_reason
        return _finish(ctx, parts, TaskResult(FAILED, error=f"no session executor: {reason}", error_code=1))
    request = SessionRequest(
        export=ctx.services.export,
        folder=ctx.services.folder,
        workflow=ctx.services.workflow,
        instance_path=ctx.path,
        instance=ctx.instance,
        session=session,
        params=params,
        run_id=str(ctx.run_id),
        state_dir=ctx.services.state_dir,
        log_path=ctx.log.path,
        cancel=ctx.cancel,
        attempt=ctx.attempt,
    )
    ctx.log.write(f"running mapping {session.mapping_name}")
    try:
        outcome = executor.run_session(request)
    except Exception as exc:  # noqa: BLE001 - an executor crash is this task's failure, not the run's
        outcome = SessionOutcome(False, error=f"session executor error: {type(exc).__name__}: {exc}")
    if outcome.stopped or (ctx.cancel.is_set() and not outcome.succeeded):
        status = ctx.stopped_status
    else:
        status = SUCCEEDED if outcome.succeeded else FAILED
    result = TaskResult(
        status,
        error=outcome.error,
        error_code=0 if outcome.succeeded else (outcome.first_error_code or 1),
        task_vars={
            "SrcSuccessRows": outcome.src_success_rows,
            "SrcFailedRows": outcome.src_failed_rows,
            "TgtSuccessRows": outcome.tgt_success_rows,
            "TgtFailedRows": outcome.tgt_failed_rows,
            "TotalTransErrors": outcome.total_trans_errors,
            "FirstErrorCode": outcome.first_error_code,
            "FirstErrorMsg": outcome.first_error_msg,
        },
        mapping_variables=dict(outcome.mapping_variables) if outcome.succeeded else {},
    )
    ctx.log.write(
        f"session {status}: source rows {outcome.src_success_rows} ok / {outcome.src_failed_rows} failed,"
        f" target rows {outcome.tgt_success_rows} ok / {outcome.tgt_failed_rows} failed"
        + (f"; {outcome.error}" if outcome.error else "")
    )
    post_assign = parts.get(POST_SUCCESS_ASSIGNMENT if status == SUCCEEDED else POST_FAILURE_ASSIGNMENT)
    if post_assign is not None:
        result.assignments.extend(
            _post_assignments(ctx, status, post_assign, outcome, params, declared, date_format)
        )
    return _finish(ctx, parts, result)


def _own_task_variables(ctx: TaskContext, status: str, outcome: SessionOutcome) -> dict[str, V.Value]:
    """The session's predefined variables as its post-session assignments see them (``$s.TgtSuccessRows``
    of the session itself): the session has ended, its EndTime is now."""
    return {
        "status": conditions.status_value(status),
        "starttime": ctx.task_started,
        "endtime": dt.datetime.now(),
        "errorcode": 0 if outcome.succeeded else (outcome.first_error_code or 1),
        "errormsg": outcome.error,
        "srcsuccessrows": outcome.src_success_rows,
        "srcfailedrows": outcome.src_failed_rows,
        "tgtsuccessrows": outcome.tgt_success_rows,
        "tgtfailedrows": outcome.tgt_failed_rows,
        "totaltranserrors": outcome.total_trans_errors,
        "firsterrorcode": outcome.first_error_code,
        "firsterrormsg": outcome.first_error_msg,
    }


def _post_assignments(
    ctx: TaskContext,
    status: str,
    comp: SessionComponent,
    outcome: SessionOutcome,
    params: dict[str, V.Value],
    declared: dict[str, MappingVariable] | None,
    date_format: str,
) -> list[tuple[str, V.Value]]:
    """The workflow/worklet variables a post-session variable assignment sets, in EXECORDER: NAME is the
    parent's variable, VALUE a mapping parameter or variable of the session (its final value, else the
    value the session ran with), else an expression of the parent's scope."""
    known = declared or {}
    # The session's own values: what it received, without the workflow's variables it was shown.
    own = {k: v for k, v in params.items() if k.lower() in known or not ctx.lookup(k)[0]}
    out: list[tuple[str, V.Value]] = []
    task_vars = _own_task_variables(ctx, status, outcome)
    for pair in _pairs(comp):
        found, value = session_vars.post_session_source(pair.value, outcome.mapping_variables, own, declared)
        if not found:
            try:
                value = ctx.evaluate(pair.value, date_format, task_vars)
            except (InputError, conditions.ExprError) as exc:
                ctx.log.write(f"post-session variable assignment {pair.name}: {exc}")
                continue
        ctx.log.write(f"post-session variable assignment {pair.name.strip()} = {V.format_value(value)}")
        out.append((pair.name.strip(), value))
    return out


def _finish(ctx: TaskContext, parts: dict[str, SessionComponent], result: TaskResult) -> TaskResult:
    if ctx.cancel.is_set():
        return result
    if result.status == SUCCEEDED:
        post = _commands(ctx, parts.get(POST_SUCCESS_COMMAND), "post-session success command")
        if post is not None and post.status != SUCCEEDED:
            result.status = FAILED
            result.error = f"post-session success command: {post.error}"
            result.error_code = post.error_code
        result.message = _email(
            ctx, parts.get(SUCCESS_EMAIL if result.status == SUCCEEDED else FAILURE_EMAIL), result.status
        )
    else:
        post = _commands(ctx, parts.get(POST_FAILURE_COMMAND), "post-session failure command")
        if post is not None and post.status != SUCCEEDED:
            ctx.log.write(f"post-session failure command: {post.error}")
        result.message = _email(ctx, parts.get(FAILURE_EMAIL), result.status)
    return result
