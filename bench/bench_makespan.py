"""Makespan of dependency-driven scheduling on DAGs of sleeping commands with uneven branches.

Usage: python bench/bench_makespan.py [--dags 3] [--workers 8] [--seed 1]

Each generated DAG has 6 branches from Start of uneven length (2 to 9 tasks of 0.05-0.6 s `sleep`
commands), a few cross-links between branches (AND joins) and a final join. For each DAG we report the
lower bound max(critical path, total work / workers), the makespan of `infaflow.runtime` (a task starts the
moment its inputs allow) and, measured in the same run on the same DAG with the same commands and the same
number of workers, the makespan of level-by-level execution (every task of a level must end before the next
level starts). Target: infaflow makespan / lower bound <= 1.10.

When workers are fewer than the branches, the order in which ready tasks get a worker matters: the
scheduler takes the ready task with the longest remaining path first, weighing tasks by their durations
recorded in the run store. The first run of a DAG knows no durations (every task weighs 1); the "2nd run"
column runs the same DAG again on the same store, with the durations of the first run.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from infaflow.errors import Location
from infaflow.model import (
    Attributes,
    Export,
    Folder,
    Repository,
    Task,
    TaskInstance,
    ValuePair,
    Workflow,
    WorkflowLink,
)
from infaflow.runtime.api import run_workflow
from infaflow.runtime.scheduler import RunOptions


def generate(seed: int, branches: int = 6) -> tuple[Workflow, dict[str, float], dict[str, list[str]]]:
    rng = random.Random(seed)
    durations: dict[str, float] = {"Start": 0.0}
    preds: dict[str, list[str]] = {"Start": []}
    chains: list[list[str]] = []
    for b in range(branches):
        chain = []
        for i in range(rng.randint(2, 9)):
            name = f"b{b}_{i}"
            durations[name] = round(rng.uniform(0.05, 0.6), 2)
            preds[name] = [chain[-1] if chain else "Start"]
            chain.append(name)
        chains.append(chain)
    for _ in range(3):  # cross-links: a task also waits for a task of another branch at an earlier step
        a, b = rng.sample(range(branches), 2)
        if len(chains[b]) > 1:
            j = rng.randrange(1, len(chains[b]))
            src = chains[a][min(j - 1, len(chains[a]) - 1)]
            if src not in preds[chains[b][j]]:
                preds[chains[b][j]].append(src)
    durations["join"] = 0.05
    preds["join"] = [c[-1] for c in chains]
    wf = Workflow(f"wf_makespan_{seed}", location=Location("bench.xml", 1))
    wf.instances.append(TaskInstance("Start", "Start", "Start"))
    for name, seconds in durations.items():
        if name == "Start":
            continue
        task = Task(
            name,
            "Command",
            attributes=Attributes({"Fail task if any command fails": "YES"}),
            value_pairs=[ValuePair("sleep", f"sleep {seconds}")],
        )
        wf.tasks.append(task)
        inst = TaskInstance(name, name, "Command")
        inst.task = task
        wf.instances.append(inst)
        for src in preds[name]:
            wf.links.append(WorkflowLink(src, name))
    return wf, durations, preds


def critical_path(durations: dict[str, float], preds: dict[str, list[str]]) -> float:
    finish: dict[str, float] = {}

    def end(name: str) -> float:
        if name not in finish:
            finish[name] = durations[name] + max((end(p) for p in preds[name]), default=0.0)
        return finish[name]

    return max(end(n) for n in durations)


def levels(preds: dict[str, list[str]]) -> list[list[str]]:
    level: dict[str, int] = {}

    def of(name: str) -> int:
        if name not in level:
            level[name] = 1 + max((of(p) for p in preds[name]), default=-1)
        return level[name]

    out: dict[int, list[str]] = {}
    for name in preds:
        out.setdefault(of(name), []).append(name)
    return [out[k] for k in sorted(out)]


def level_by_level(durations: dict[str, float], preds: dict[str, list[str]], workers: int) -> float:
    t0 = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        for names in levels(preds):
            jobs = [
                pool.submit(subprocess.run, ["/bin/sh", "-c", f"sleep {durations[n]}"], check=True)
                for n in names
                if durations[n]
            ]
            for job in jobs:
                job.result()
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dags", type=int, default=3)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    worst = 0.0
    print(
        f"{'dag':>4} {'tasks':>5} {'work':>6} {'crit.path':>9} {'bound':>6} {'infaflow':>8} {'ratio':>6} "
        f"{'2nd run':>7} {'ratio':>6} {'by level':>8} {'level/infaflow':>14}"
    )
    for k in range(args.dags):
        wf, durations, preds = generate(args.seed + k)
        work = sum(durations.values())
        cp = critical_path(durations, preds)
        bound = max(cp, work / args.workers)
        export = Export(
            "bench.xml", repositories=[Repository("REP", folders=[Folder("BENCH", workflows=[wf])])]
        )
        spans = []
        with tempfile.TemporaryDirectory() as state:
            for _ in range(2):
                t0 = time.perf_counter()
                result = run_workflow(
                    export,
                    wf.name,
                    options=RunOptions(max_workers=args.workers, working_dir=state),
                    state_dir=Path(state),
                )
                spans.append(time.perf_counter() - t0)
                assert result.status == "SUCCEEDED", result.summary
        makespan, second = spans
        by_level = level_by_level(durations, preds, args.workers)
        ratio = makespan / bound
        worst = max(worst, ratio, second / bound)
        print(
            f"{k + 1:>4} {len(durations):>5} {work:>6.2f} {cp:>9.2f} {bound:>6.2f} {makespan:>8.2f} "
            f"{ratio:>6.3f}"
            f" {second:>7.2f} {second / bound:>6.3f} {by_level:>8.2f} {by_level / makespan:>14.2f}"
        )
    print(
        f"worst infaflow makespan / max(critical path, work / workers) = {worst:.3f}; "
        f"target <= 1.10: {'met' if worst <= 1.10 else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
