"""Scheduler overhead per task on a generated workflow of no-op tasks, with the run store on.

Usage: python bench/bench_scheduler.py [--tasks 10000] [--workers 4]

A random DAG (each task has 1-3 input links from earlier tasks, a quarter of the links carry a
`$t.Status = SUCCEEDED` condition, a third of the joins are OR joins) of Command tasks without commands
(each goes through the worker pool) is run by `infaflow.runtime`; every task start, end and attempt is
committed to the SQLite run store. The baseline, measured in the same run on the same DAG, is the floor of
any threaded scheduler in Python: graphlib.TopologicalSorter handing the same no-op to a ThreadPoolExecutor
of the same size, without conditions or store. Target: under 0.5 ms per task.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from graphlib import TopologicalSorter
from pathlib import Path

from infaflow.errors import Location
from infaflow.model import Export, Folder, Repository, Task, TaskInstance, Workflow, WorkflowLink
from infaflow.runtime.api import run_workflow
from infaflow.runtime.scheduler import RunOptions


def generate(n: int, seed: int = 7) -> tuple[Export, dict[str, list[str]]]:
    rng = random.Random(seed)
    wf = Workflow("wf_bench", location=Location("bench.xml", 1))
    wf.instances.append(TaskInstance("Start", "Start", "Start"))
    names = ["Start"]
    preds: dict[str, list[str]] = {"Start": []}
    for i in range(n):
        name = f"t{i}"
        task = Task(name, "Command")
        wf.tasks.append(task)
        inst = TaskInstance(name, name, "Command", treat_input_link_as_and=rng.random() > 0.33)
        inst.task = task
        wf.instances.append(inst)
        window = names[max(0, len(names) - 200) :]
        sources = sorted(set(rng.sample(window, min(len(window), rng.randint(1, 3)))))
        preds[name] = sources
        for src in sources:
            cond = f"${src}.Status = SUCCEEDED" if rng.random() < 0.25 else ""
            wf.links.append(WorkflowLink(src, name, cond))
        names.append(name)
    folder = Folder("BENCH", workflows=[wf])
    return Export("bench.xml", repositories=[Repository("REP", folders=[folder])]), preds


def baseline(preds: dict[str, list[str]], workers: int) -> float:
    sorter = TopologicalSorter(preds)
    sorter.prepare()
    t0 = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        pending = {}
        while sorter.is_active():
            for node in sorter.get_ready():
                pending[pool.submit(lambda x: x, node)] = node
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                sorter.done(pending.pop(fut))
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    export, preds = generate(args.tasks)
    base = baseline(preds, args.workers)
    with tempfile.TemporaryDirectory() as state:
        t0 = time.perf_counter()
        result = run_workflow(
            export, "wf_bench", options=RunOptions(max_workers=args.workers), state_dir=Path(state)
        )
        elapsed = time.perf_counter() - t0
        db_size = (Path(state) / "runs.sqlite").stat().st_size
    counts: dict[str, int] = {}
    for task in result.summary["tasks"].values():
        counts[task["status"]] = counts.get(task["status"], 0) + 1
    n = args.tasks + 1
    per_task = elapsed / n * 1000
    print(f"tasks: {n} ({', '.join(f'{v} {k}' for k, v in sorted(counts.items()))}); workers: {args.workers}")
    print(f"infaflow run (store on, {db_size / 1e6:.1f} MB): {elapsed:.2f} s = {per_task:.3f} ms per task")
    print(f"baseline graphlib + thread pool, no store:   {base:.2f} s = {base / n * 1000:.3f} ms per task")
    print(
        f"ratio infaflow / baseline: {elapsed / base:.1f}x; "
        f"target < 0.5 ms per task: {'met' if per_task < 0.5 else 'NOT met'}"
    )
    return 0 if result.status == "SUCCEEDED" else 1


if __name__ == "__main__":
    sys.exit(main())
