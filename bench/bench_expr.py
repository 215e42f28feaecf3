"""Benchmark of the transformation language: evaluating link conditions, parsing the corpus.

Run: ``python3 bench/bench_expr.py``. Each figure is printed next to a baseline measured in the same run:
  * evaluations of a parsed link condition per second, vs a hand-written Python function doing the same
    lookups and comparison (the floor for any Python evaluator);
  * parsing (and translating) every expression of ../shared/corpus, vs Python's own ``compile()`` of the same
    amount of Python source.
Targets (issue 3): >= 200,000 link-condition evaluations per second; all corpus expressions parsed in < 5 s.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from infaflow.expr import STATUS, DictEnvironment, evaluate, parse, to_pyspark  # noqa: E402
from infaflow.expr.check import PortContext  # noqa: E402
from infaflow.expr.inventory import expressions_in  # noqa: E402

CORPUS = (ROOT / ".." / "shared" / "corpus" / "files").resolve()


def rate(fn, seconds: float = 1.0) -> float:  # noqa: ANN001 - a callable
    """Calls per second of ``fn`` over about ``seconds``."""
    count, start = 0, time.perf_counter()
    while True:
        for _ in range(1000):
            fn()
        count += 1000
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def bench_link_conditions() -> None:
    env = DictEnvironment(
        {"$s_load.Status": STATUS["SUCCEEDED"], "$s_prev.Status": STATUS["FAILED"], "$$SKIP": 0}
    )
    conditions = {
        "$s_load.Status = SUCCEEDED": lambda e: 1 if e.resolve("$s_load.Status") == 1 else 0,
        "$s_load.Status = SUCCEEDED AND $$SKIP = FALSE": lambda e: (
            1 if e.resolve("$s_load.Status") == 1 and e.resolve("$$SKIP") == 0 else 0
        ),
        "$s_prev.Status = FAILED OR $s_prev.Status = ABORTED": lambda e: (
            1 if e.resolve("$s_prev.Status") in (3, 5) else 0
        ),
    }
    print("link conditions (evaluations per second; baseline: hand-written Python with the same lookups)")
    for text, baseline in conditions.items():
        node = parse(text)
        assert evaluate(node, env) == baseline(env)
        ours = rate(lambda node=node: evaluate(node, env))
        floor = rate(lambda baseline=baseline: baseline(env))
        print(
            f"  {text:55s} {ours:>12,.0f}/s   baseline {floor:>12,.0f}/s   ({floor / ours:.1f}x)   "
            f"target 200,000/s: {'met' if ours >= 200_000 else 'MISSED'}"
        )
    row = DictEnvironment({"PRICE": 12.5, "QTY": 3, "NAME": " widget ", "D": None})
    node = parse("IIF(ISNULL(D), LTRIM(RTRIM(UPPER(NAME))) || ':' || TO_CHAR(PRICE * QTY), 'dated')")
    print(
        f"  a typical port expression (IIF/ISNULL/trims/||/TO_CHAR): {rate(lambda: evaluate(node, row)):,.0f}"
        " rows/s"
    )


def bench_corpus() -> None:
    if not CORPUS.is_dir():
        print(f"corpus: {CORPUS} is absent, skipped")
        return
    start = time.perf_counter()
    found = []
    for path in sorted(p for p in CORPUS.iterdir() if p.suffix.lower() == ".xml"):
        try:
            found.extend(expressions_in(path))
        except Exception:  # noqa: BLE001 - unreadable files do not matter to this benchmark
            continue
    collected = time.perf_counter() - start
    texts = [(f.text, f.file, f.line) for f in found]
    start = time.perf_counter()
    nodes = [parse(t, f, line) for t, f, line in texts]
    parsed = time.perf_counter() - start
    start = time.perf_counter()
    translated = 0
    for item, node in zip(found, nodes, strict=True):
        try:
            to_pyspark(node, PortContext(item.port_types, 'F.col("__row")'))
            translated += 1
        except Exception:  # noqa: BLE001 - untranslatable expressions are counted, not timed separately
            pass
    translating = time.perf_counter() - start
    characters = sum(len(t) for t, _, _ in texts)
    python_source = "\n".join(["x = (a + 1) * b if c == 'abc' else d"] * (characters // 37 + 1))
    start = time.perf_counter()
    compile(python_source, "<baseline>", "exec")
    baseline = time.perf_counter() - start
    print(f"corpus: {len(texts)} expressions ({characters:,} characters) from {CORPUS}")
    print(f"  read from XML in {collected:.2f} s")
    print(
        f"  parsed in {parsed:.3f} s ({len(texts) / parsed:,.0f}/s)   baseline: Python compile() of as much "
        f"source {baseline:.3f} s   target < 5 s: {'met' if parsed < 5 else 'MISSED'}"
    )
    print(f"  translated to PySpark: {translated}/{len(texts)} in {translating:.3f} s")


if __name__ == "__main__":
    bench_link_conditions()
    bench_corpus()
