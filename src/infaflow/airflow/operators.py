"""The Airflow operator of generated DAGs: one PowerCenter task instance (or the end of a worklet or of
the workflow) run through infaflow's runtime, its state handed to downstream tasks through XCom."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from airflow.exceptions import AirflowFailException, AirflowSkipException
from airflow.sdk import BaseOperator

from infaflow.airflow.config import step_config
from infaflow.airflow.execute import FAILED, SKIPPED, airflow_outcome, execute
from infaflow.airflow.graph import TASK, DagTask
from infaflow.runtime.status import NOTSTARTED
from infaflow.runtime.steps import merge, timer_deadline

STATE_KEY = "infaflow_state"  # the run state after this task (JSON text)
STATUS_KEY = "powercenter_status"  # the task's PowerCenter status


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

    def execute(self, context: Any) -> None:
        if self.powercenter_type == "Timer" and self.kind == TASK:
            self._defer_timer(context)
        self._run(context)

    def resume_after_timer(self, context: Any, event: Any = None) -> None:  # noqa: ARG002
        """Back from the trigger: the timer's deadline has passed; its step now ends at once."""
        self._run(context)

    def _defer_timer(self, context: Any) -> None:
        """A Timer waits in the triggerer (a deferrable wait) rather than in a worker."""
        state = merge(self._pull(context["ti"], [*sorted(self.upstream_task_ids), *self.reads]))
        if state is None:
            return
        config = step_config(self.workflow, context.get("params") or {})
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
        config = step_config(self.workflow, context.get("params") or {})
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
