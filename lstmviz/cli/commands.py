"""The command line's commands other than the window. Each opens its scenario through the one checked
path (:func:`lstmviz.io.opening.open_checked`) and writes all of its outputs or none."""
from __future__ import annotations

import sys

import numpy as np

from ..core import compute
from ..core import gradcheck as run_gradcheck
from ..core.analysis import GRADCHECK_ENTRIES, analyse, gradcheck_summary, tables
from ..core.routes import route_table, weight_routes
from ..core.train import assign_params
from ..io import UsageError, list_presets
from ..io.atomic import Outputs
from ..io.export import trace_to_csv
from ..io.opening import check_memory, open_checked
from ..io.presets import DEFAULT_PRESET
from ..io.scenario_writer import dumps_scenario
from ..io.weights import export_data, export_weights, import_weights


def trace(args) -> int:
    if not (args.out or args.csv):
        raise UsageError("lstmviz trace: give --out FILE.npz, --csv FILE.csv or both")
    tr = open_checked(args.scenario, args.gradient, args.algorithm, args.memory_budget).trace
    writes = []
    if args.out:
        writes.append((args.out, lambda f: np.savez(f, **tr.arrays)))
    if args.csv:
        writes.append((args.csv, lambda f: f.write(trace_to_csv(tr).encode("utf-8"))))
    write_all(writes)
    _warn_nonfinite(tr, args.scenario)
    written = " and ".join(p for p in (args.out, args.csv) if p)
    print(f"wrote {written}: {len(tr)} arrays, T = {tr.steps}, E = {tr.loss:.6g} (gradient {tr.mode}, {tr.algorithm})")
    return 0


def write_all(writes) -> None:
    """Write every (path, write) or none: a failure removes what was started and names the file."""
    path = None
    try:
        with Outputs() as outputs:
            for path, write in writes:
                outputs.write(path, write)
    except OSError as e:
        raise UsageError(f"{path}: cannot be written: {e.strerror or e}") from None


def _warn_nonfinite(tr, name: str) -> None:
    for part, what in (("forward", "values"), ("backward", "ε/δ/gradients")):
        steps = tr.nonfinite_steps(part)
        if steps:
            shown = ", ".join(map(str, steps[:8])) + (" …" if len(steps) > 8 else "")
            print(f"warning: {name}: {what} overflowed (not finite) at {len(steps)} of {tr.steps} steps: {shown}",
                  file=sys.stderr)


def weights(args) -> int:
    scenario = open_checked(args.scenario, budget=args.memory_budget).scenario
    if args.action == "export":
        arrays = export_weights(scenario, args.layout, args.scenario)
        writes = [(args.file, lambda f: np.savez(f, **arrays))]
        if args.data:
            data = export_data(scenario)
            writes.append((args.data, lambda f: np.savez(f, **data)))
        write_all(writes)
        print(f"wrote {args.file}: {len(arrays)} arrays in the {args.layout} layout"
              + (f"; {args.data}: the inputs and targets ({', '.join(data)})" if args.data else ""))
        return 0
    if args.data:
        raise UsageError("lstmviz weights import: --data is for export (the inputs and targets beside the weights)")
    if not args.out:
        raise UsageError("lstmviz weights import: give --out SCENARIO.json for the scenario with the new weights")
    values = import_weights(scenario, args.file, args.layout)
    assign_params(scenario, values)
    text = dumps_scenario(scenario, args.file)  # only finite numbers: an overflowing sum is named here
    check_memory(scenario, args.out, args.memory_budget)
    loss = compute(scenario).loss
    write_all([(args.out, lambda f: f.write(text.encode("utf-8")))])
    print(f"wrote {args.out}: {len(values)} parameter arrays from {args.file} ({args.layout} layout), E = {loss:.6g}")
    return 0


def gradcheck(args) -> int:
    scenario = open_checked(args.scenario, args.gradient, args.algorithm, args.memory_budget).scenario
    if args.max_entries is not None and args.max_entries < 1:
        raise UsageError(f"--max-entries must be at least 1, got {args.max_entries}")
    result = run_gradcheck(scenario, str(args.gradient), args.algorithm, tolerance=args.tolerance,
                           max_entries=args.max_entries)
    worst = result.worst
    sample = f"{len(result.entries)} of {result.total_entries}" if len(result.entries) < result.total_entries \
        else f"{result.total_entries}"
    print(f"gradcheck {args.scenario} (gradient {args.gradient}, {args.algorithm}): {sample} entries")
    if worst is not None:
        print(f"worst relative error {worst.error:.2e} at {worst.label} "
              f"(analytic {worst.analytic:.10g}, finite difference {worst.numeric:.10g})")
    failed = [e for e in result.compared if e.error > result.tolerance]
    for e in failed[:20]:
        print(f"  FAIL {e.label}: analytic {e.analytic:.10g}, finite difference {e.numeric:.10g}, error {e.error:.2e}")
    if result.kinks:
        print(f"{len(result.kinks)} entries sit on a kink (derivative taken as 0 there; not compared):")
        for e in result.kinks:
            print(f"  kink {e.label}: analytic {e.analytic:.6g}, central difference {e.numeric:.6g}")
    if not result.compared:
        print("NOTHING COMPARED: every checked entry sits on a kink, so no gradient was verified")
        return 1
    print("PASS" if result.passed else f"FAIL: {len(failed)} entries above tolerance {result.tolerance:g}")
    return 0 if result.passed else 1


def analyze(args) -> int:
    scenario = open_checked(args.scenario, args.gradient, budget=args.memory_budget).scenario
    if args.layer is not None and not 0 <= args.layer < len(scenario.model.layers):
        raise UsageError(f"--layer must be 0 to {len(scenario.model.layers) - 1}, got {args.layer}")
    if args.k < 1:
        raise UsageError(f"--k must be at least 1, got {args.k}")
    if args.lags < 1:
        raise UsageError(f"--lags must be at least 1, got {args.lags}")
    try:
        result = analyse(scenario, str(args.gradient), args.k, args.layer, weight=args.weight, lags=args.lags)
    except ValueError as e:
        raise UsageError(f"--weight: {e}") from None
    titles = {"lag": "Gradient vs lag", "spectrum": "Jacobian spectrum", "truncation": "Truncation",
              "cost_lag": f"Cost × lag: dC(t)/dW(t−u) for W = {result.cost.label}, the share of the cost at step t "
                          "that flows through W at step t−u (seed 003: dC(t)/dW = Σ_u dC(t)/dW(t−u))"}
    print(f"lstmviz analyze {args.scenario}: T = {scenario.data.steps}, gradient {args.gradient}")
    for name, rows in tables(result).items():
        _print_table(titles[name], rows)
    # -- the two highways (routes) --
    try:
        split = weight_routes(compute(scenario, args.gradient), result.cost.param, result.cost.index, lags=args.lags)
    except ValueError as e:  # a model the split does not cover (a multi-tap RNN): say so, the rest stands
        print(f"\nRoutes\n{e}")
    else:
        _print_table(f"Routes: dE/dW for W = {split.label} under {args.gradient}, by lag u and by the way its error "
                     "went back in time: along the cell highway c[t] → c[t−1] (× f), or leaving it into a gate (via i, "
                     "f, o, c̃; in an RNN via h)", route_table(split))
    # -- end of the routes --
    result = run_gradcheck(scenario, str(args.gradient), max_entries=GRADCHECK_ENTRIES)
    sample = f" (a sample of {len(result.entries)} of {result.total_entries} entries)" \
        if len(result.entries) < result.total_entries else ""
    print(f"\nGradcheck: {gradcheck_summary(result)}{sample}")
    return 0


def _print_table(title: str, rows: list[list[str]]) -> None:
    print(f"\n{title}")
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        cells = enumerate(zip(r, widths, strict=True))
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in cells))


def presets(args) -> int:
    listed = list_presets()
    width = max(len(p.key) for p in listed)
    for p in listed:
        default = " (default)" if p.key == DEFAULT_PRESET else ""
        print(f"{p.key:<{width}}  {p.title}{default}: {p.summary}")
    return 0
