"""Time full forward + backward traces (``lstmviz.compute``), single thread.

Targets on the reference machine: D=1,H=1,T=8 ≤ 0.3 ms; D=8,H=16,T=64 ≤ 1.5 ms (one layer and, issue 15's
repaint case, two layers); D=64,H=128,T=512 ≤ 35 ms.
Run: .venv/bin/python benchmarks/bench_engine.py
"""
import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import sys  # noqa: E402
import timeit  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from helpers import lstm, random_scenario  # noqa: E402

from lstmviz.core import compute  # noqa: E402
from lstmviz.core.analysis import cost_lag  # noqa: E402
from lstmviz.core.realtime import realtime_epoch, sensitivities  # noqa: E402
from lstmviz.core.routes import weight_routes  # noqa: E402
from lstmviz.io import load_scenario  # noqa: E402
from lstmviz.perf import keep_freed_memory  # noqa: E402

CASES = [("calculator-lstm preset (D=1,H=1,T=8)", lambda: load_scenario("calculator-lstm"), 0.3),
         ("D=1,H=1,T=8", lambda: random_scenario([lstm(1, 1)], T=8, K=1), 0.3),
         ("D=8,H=16,T=64", lambda: random_scenario([lstm(8, 16)], T=64, K=4), 1.5),
         ("two layers D=8,H=16,T=64 (issue 15)", lambda: random_scenario([lstm(8, 16), lstm(16, 16)], T=64, K=4), 1.5),
         ("D=64,H=128,T=512", lambda: random_scenario([lstm(64, 128)], T=512, K=10), 35.0)]


def measure(scenario, gradient="full", work=None):
    work = work or (lambda: compute(scenario, gradient))
    work()
    timer = timeit.Timer(work)
    n, _ = timer.autorange()
    runs = [timer.timeit(n) / n * 1e3 for _ in range(7)]
    return float(np.median(runs)), min(runs)


def main(only: str = ""):
    """Every case; ``views``: only the teaching views."""
    if only == "views":
        return views()
    big = CASES[-1]
    untuned, _ = measure(big[1]())
    tuned = keep_freed_memory()  # as the lstmviz process does
    print(f"numpy {np.__version__}, single thread, glibc keeps freed memory: {tuned}")
    print(f"{'case':<40}{'median ms':>11}{'best ms':>10}{'target':>9}")
    for name, make, target in CASES:
        med, best = measure(make())
        flag = "ok" if med <= target else "SLOW"
        print(f"{name:<40}{med:>11.3f}{best:>10.3f}{target:>8.1f}  {flag}")
    print(f"{big[0] + ' (glibc untuned)':<40}{untuned:>11.3f}")
    for mode in ("cec", "tbptt:16", "window:16"):
        med, best = measure(random_scenario([lstm(64, 128)], T=512, K=10), mode)
        print(f"{'D=64,H=128,T=512 ' + mode:<40}{med:>11.3f}{best:>10.3f}")
    views()


def views():
    print("the teaching views of one weight entry (issue 14):")
    for name, make, _ in CASES[1:3]:
        for view, work in teaching_views(make()).items():
            med, best = measure(None, work=work)
            print(f"{name + ' ' + view:<40}{med:>11.3f}{best:>10.3f}")


def teaching_views(scenario) -> dict:
    """The cost × lag matrix, the routes, one entry's RTRL sensitivities and a real-time epoch of l0/U_f[0, 0]."""
    trace = compute(scenario)
    entry = ("l0/U_f", (0, 0))
    return {"cost × lag, every lag": lambda: cost_lag(trace, *entry),
            "routes, every lag": lambda: weight_routes(trace, *entry),
            "RTRL sensitivities": lambda: sensitivities(scenario.model, trace.forward, *entry),
            "real-time epoch": lambda: realtime_epoch(scenario, learning_rate=0.0)}

if __name__ == "__main__":
    main(*sys.argv[1:])
