"""The orders sample through ``infaflow run``, cold (a new process starting its own local SparkSession) and
warm (the same command while the warm engine, a local Spark Connect server, is up), side by side in one run.

Each measurement is the wall time of the whole CLI command as a user types it (Python start, export load,
the workflow and its three sessions); runs alternate cold and warm, and the targets of every run are
checked byte for byte against ``samples/orders/expected``. The engine's own start is reported once: it is
paid once per working session, not per run.

    python3 bench/bench_engine.py [--repeat 3] [--master local[2]]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from infaflow.codegen import engine

ROOT = Path(__file__).resolve().parents[1]
ORDERS = ROOT / "samples" / "orders"
WARM_GOAL = 5.0  # seconds: a warm run of the orders sample (issue 10)


def run_orders(state: Path, out: Path, *extra: str) -> float:
    """Seconds of one ``infaflow run`` of the orders sample; fails loudly on a wrong result."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "SPARK_LOCAL_IP": "127.0.0.1"}
    env.pop("SPARK_REMOTE", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: modules load from their bytecode caches
    cmd = [
        sys.executable,
        "-m",
        "infaflow",
        "run",
        str(ORDERS / "wf_orders_daily.xml"),
        "-w",
        "wf_orders_daily",
        "--param-file",
        str(ORDERS / "params" / "wf_orders_daily.par"),
        "--param",
        f"$PMTargetFileDir={out}",
        "--state-dir",
        str(state),
        "-q",
        *extra,
    ]
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"run failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    for file in sorted((ORDERS / "expected").glob("*.csv")):
        if file.name == "task_statuses.csv":
            continue
        got = (out / file.name).read_bytes().removeprefix(b"#")  # PowerCenter's header starts with "#"
        if got != file.read_bytes():
            raise SystemExit(f"{file.name}: the run's target differs from samples/orders/expected")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--master", default=None, help="the engine's master (default: local[CPUs])")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as tmp:
        work = Path(tmp)
        cold_state, warm_state = work / "cold", work / "warm"
        started = time.perf_counter()
        state = engine.start(warm_state, port=engine.free_port(), master=args.master)
        engine_start = time.perf_counter() - started
        cold: list[float] = []
        warm: list[float] = []
        try:
            run_orders(warm_state, work / "out-warmup")  # the server's first session loads its classes
            for i in range(args.repeat):
                cold.append(run_orders(cold_state, work / f"out-cold-{i}"))  # no engine in this state dir
                warm.append(run_orders(warm_state, work / f"out-warm-{i}"))
        finally:
            engine.stop(warm_state)
    print(
        f"orders sample, {args.repeat} runs each, alternating; "
        f"engine {state.url} started in {engine_start:.1f}s"
    )
    print(f"{'mode':<6} {'median s':>9} {'min s':>7} {'max s':>7}  runs")
    for name, times in (("cold", cold), ("warm", warm)):
        runs = " ".join(f"{t:.1f}" for t in times)
        print(f"{name:<6} {statistics.median(times):>9.1f} {min(times):>7.1f} {max(times):>7.1f}  {runs}")
    print(f"warm / cold: {statistics.median(warm) / statistics.median(cold):.2f}")
    verdict = "met" if statistics.median(warm) < WARM_GOAL else "NOT met (measure on an idle machine)"
    print(f"goal, a warm run under {WARM_GOAL:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
