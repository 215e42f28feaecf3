"""The Airflow operator of generated DAGs: one PowerCenter task instance (or the end of a worklet or of
the workflow) run through infaflow's runtime, its state handed to downstream tasks through XCom."""

from __future__ import annotations

import datetime as dt
import glob
import json
from collections.abc import Mapping, Sequence
from typing import Any

from airflow.exceptions import AirflowFailException, AirflowSkipException
from airflow.sdk import BaseOperator

from infaflow.airflow.config import step_config
from infaflow.airflow.execute import FAILED, SKIPPED, airflow_outcome, execute
from infaflow.airflow.graph import TASK, DagTask
from infaflow.runtime.status import NOTSTARTED
from infaflow.runtime.steps import file_watch, merge, timer_deadline

STATE_KEY = "infaflow_state"  # the run state after this task (JSON text)
STATUS_KEY = "powercenter_status"  # the task's PowerCenter status
FILE_POLL_SECONDS = 1.0  # how often the triggerer looks for an Event Wait's file


class PowerCenterTask(BaseOperator):
    """Runs the task instance ``instance_path`` (``kind="close"``: ends the worklet instance or, for '',
    the workflow) with PowerCenter's semantics. Every instance decides for itself whether it runs, so all
    use the trigger rule ``all_done``."""

    ui_color = "#e8f0fe"

    def __init__(
        self,
        *,
        instance_path: str,
        task_type: str,
        workflow: Mapping[str, Any],
        kind: str = TASK,
        reads: Sequence[str] = (),
        first: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("trigger_rule", "all_done")
        kwargs.setdefault("retries", 0)  # retries follow the workflow's recovery settings, in the runtime
        super().__init__(**kwargs)
        self.instance_path = instance_path
        self.powercenter_type = task_type
        self.workflow = dict(workflow)
        self.kind = kind
        self.reads = list(reads)
        self.first = first

    @staticmethod
    def _pull(ti: Any, task_ids: Sequence[str]) -> list[Any]:
        """The run states these tasks handed over (``None`` for those that have not run)."""
        out = []
        for task_id in task_ids:
            text = ti.xcom_pull(task_ids=task_id, key=STATE_KEY)
            out.append(json.loads(text) if text else None)
        return out

    def _config(self, context: Any) -> Any:
        """The step configuration of this DAG run: its parameters over the workflow's Airflow Variable."""
        return step_config(
            self.workflow, run_params(context.get("params") or {}, str(self.workflow["workflow"])), context
        )

    def on_kill(self) -> None:
        """Airflow kills the task (marked failed, timed out): a session's spark-submit application ends
        with it (SparkSubmitOperator's own on_kill)."""
        from infaflow.airflow.sessions import kill_running

        kill_running()

    def execute(self, context: Any) -> None:
        if self.powercenter_type == "Timer" and self.kind == TASK:
            self._defer_timer(context)
        if self.powercenter_type == "Event Wait" and self.kind == TASK:
            self._defer_file_watch(context)
        self._run(context)

    def resume_after_timer(self, context: Any, event: Any = None) -> None:  # noqa: ARG002
        """Back from the trigger: the timer's deadline has passed; its step now ends at once."""
        self._run(context)

    def resume_after_file(self, context: Any, event: Any = None) -> None:  # noqa: ARG002
        """Back from the trigger: the watched file is there; the Event Wait step now finds it at once (and
        deletes it when the task says so)."""
        self._run(context)

    def _defer_file_watch(self, context: Any) -> None:
        """An Event Wait on a file waits in the triggerer (Airflow's FileTrigger) rather than in a worker.
        A task that will not run, or whose file is already there, runs its step at once."""
        state = merge(self._pull(context["ti"], [*sorted(self.upstream_task_ids), *self.reads]))
        if state is None:
            return
        config = self._config(context)
        path = file_watch(config, self.instance_path, state)
        if path is None or path.exists():
            return
        from airflow.providers.standard.triggers.file import FileTrigger

        self.log.info("Event Wait %s waits for file %s", self.instance_path, path)
        # The trigger matches a glob: the name is a plain file name in PowerCenter, so its [*? are escaped.
        trigger = FileTrigger(filepath=glob.escape(str(path)), poke_interval=FILE_POLL_SECONDS)
        self.defer(trigger=trigger, method_name="resume_after_file")

    def _defer_timer(self, context: Any) -> None:
        """A Timer waits in the triggerer (a deferrable wait) rather than in a worker."""
        state = merge(self._pull(context["ti"], [*sorted(self.upstream_task_ids), *self.reads]))
        if state is None:
            return
        config = self._config(context)
        when = timer_deadline(config, self.instance_path, state)
        if when is None or when <= dt.datetime.now() + dt.timedelta(seconds=1):
            return
        from airflow.providers.standard.triggers.temporal import DateTimeTrigger

        moment = when.astimezone(dt.UTC)  # the runtime's times are local
        self.log.info("Timer %s waits until %s", self.instance_path, moment.isoformat())
        self.defer(trigger=DateTimeTrigger(moment=moment), method_name="resume_after_timer")

    def _run(self, context: Any) -> None:
        ti = context["ti"]
        states = self._pull(ti, [*sorted(self.upstream_task_ids), *self.reads])
        config = self._config(context)
        if self.reads:  # a Control task running beside this one may stop it
            config.stop_probe = lambda: merge(self._pull(ti, self.reads))
        task = DagTask(self.task_id, self.task_id, (), self.kind, self.instance_path, self.powercenter_type)
        state, status = execute(config, task, states, self.first)
        if state is not None:
            ti.xcom_push(key=STATE_KEY, value=json.dumps(state))
        shown = status or NOTSTARTED
        ti.xcom_push(key=STATUS_KEY, value=shown)
        what = "workflow" if self.kind != TASK and not self.instance_path else self.instance_path
        self.log.info("PowerCenter status of %s: %s", what, shown)
        outcome = airflow_outcome(self.kind, status)
        if outcome == SKIPPED:
            raise AirflowSkipException(f"{what}: {shown}")
        if outcome == FAILED:
            raise AirflowFailException(f"{what}: {shown}")


def variable_key(workflow: str) -> str:
    """The Airflow Variable holding parameter values of ``workflow`` (a JSON object, name -> value)."""
    return f"infaflow_params_{workflow.lower()}"


def run_params(params: Mapping[str, Any], workflow: str) -> dict[str, Any]:
    """The DAG run's parameters with the values of the workflow's Airflow Variable (:func:`variable_key`)
    under them: a value in the run's ``params`` wins over the Variable's, which wins over parameter files."""
    from airflow.sdk import Variable

    key = variable_key(workflow)
    stored = Variable.get(key, default=None, deserialize_json=True)
    if stored is None:
        return dict(params)
    if not isinstance(stored, dict):
        raise AirflowFailException(f"Airflow Variable {key} must be a JSON object of parameter values")
    return {**params, "params": {**{str(k): v for k, v in stored.items()}, **(params.get("params") or {})}}
