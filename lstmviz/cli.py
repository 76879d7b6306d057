"""The ``lstmviz`` command line: gui (default), trace, gradcheck, presets.

Bad input exits with status 2 and one line on stderr naming the file and the field; no traceback,
no output file.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from . import __version__
from .core import ALGORITHMS, RTRLTooLarge, compute, gradcheck, parse_mode
from .core.gradcheck import DEFAULT_TOLERANCE
from .core.train import assign_params
from .io import BadInput, UsageError, list_presets, load_scenario
from .io.atomic import atomic_writer
from .io.export import LAYOUTS, export_weights, import_weights, trace_to_csv
from .io.presets import DEFAULT_PRESET
from .io.scenario import dumps_scenario
from .perf import keep_freed_memory

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """Argument errors as one line on stderr, exit status 2."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _mode(text: str):
    try:
        return parse_mode(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="lstmviz", description="A visual debugger for LSTMs.")
    p.add_argument("--version", action="version", version=f"lstmviz {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    g = sub.add_parser("gui", help="open the debugger window (the default command)")
    g.add_argument("scenario", nargs="?", default=DEFAULT_PRESET, help="a scenario file or preset name")
    g.add_argument("--screenshot", metavar="FILE.png", help="render the window offscreen to a PNG and exit")
    g.add_argument("--size", default="1600x1000", metavar="WxH", help="window size (default 1600x1000)")
    g.add_argument("--select", metavar="NODE", help="select a node, e.g. c[4], l1/h[3] or l0/c[2][5] (unit 5)")
    g.add_argument("--phase", help="1-5 or forward, sync, bptt, grad, descent (default: everything computed)")
    g.add_argument("--step", type=int, metavar="N", help="steps done within the phase (default: all)")
    g.add_argument("--view", choices=("forward", "backward"), default="forward", help="values or δ")
    g.add_argument("--unit", type=int, default=0, metavar="U", help="the unit whose lanes are drawn")
    g.add_argument("--present", action="store_true", help="presentation mode: full screen, large type (F5)")

    f = sub.add_parser("export-frames", help="a numbered PNG per step of an epoch's five phases, for slides")
    f.add_argument("scenario", help="a scenario file or preset name")
    f.add_argument("--out", required=True, metavar="DIR")
    f.add_argument("--size", default="1600x1000", metavar="WxH")
    f.add_argument("--view", choices=("forward", "backward"), default="forward")
    f.add_argument("--present", action="store_true", help="frames in presentation mode")

    t = sub.add_parser("trace", help="compute every forward and backward quantity and save them as .npz")
    t.add_argument("scenario", help="a scenario file or preset name")
    t.add_argument("--out", metavar="FILE.npz", help="every trace key as arrays")
    t.add_argument("--csv", metavar="FILE.csv", help="one row per step, one column per value and δ")
    _add_mode_args(t)

    c = sub.add_parser("gradcheck", help="compare every gradient with central finite differences")
    c.add_argument("scenario", help="a scenario file or preset name")
    _add_mode_args(c)
    c.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE, help="largest relative error that passes")
    c.add_argument("--max-entries", type=int, metavar="N", help="check a reproducible sample of N entries")

    a = sub.add_parser("analyze", help="gradient vs lag, Jacobian spectra, truncation and gradcheck, as tables")
    a.add_argument("scenario", help="a scenario file or preset name")
    a.add_argument("--gradient", type=_mode, default=parse_mode("full"), metavar="MODE",
                   help="the mode of the lag table's δ (default full)")
    a.add_argument("--k", type=int, default=5, metavar="K", help="chunk length of the tbptt column (default 5)")
    a.add_argument("--layer", type=int, metavar="N", help="the layer analysed (default: the top one)")

    w = sub.add_parser("weights", help="export or import LSTM weights in PyTorch's or Keras's layout (.npz)")
    w.add_argument("action", choices=("export", "import"))
    w.add_argument("scenario", help="a scenario file or preset name")
    w.add_argument("file", metavar="WEIGHTS.npz")
    w.add_argument("--layout", choices=LAYOUTS, required=True)
    w.add_argument("--out", metavar="SCENARIO.json", help="import: where to write the scenario with the new weights")

    sub.add_parser("presets", help="list the presets shipped with lstmviz")
    return p


def _add_mode_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--gradient", type=_mode, default=parse_mode("full"), metavar="MODE",
                   help="full | cec | tbptt:K (default full)")
    p.add_argument("--algorithm", choices=ALGORITHMS, default="bptt", help="bptt (default) or rtrl")


def main(argv: list[str] | None = None) -> int:
    keep_freed_memory()
    try:
        args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as e:  # --help, --version or a bad argument (already printed)
        return e.code
    command = args.command or "gui"
    try:
        if command == "gui":
            from .app.launch import launch
            if args.command is None:
                return launch(DEFAULT_PRESET)
            return launch(args.scenario, args.screenshot, args.size, args.select, args.phase, args.step, args.view,
                          args.unit, args.present)
        if command == "export-frames":
            from .app.launch import export_frames_command
            return export_frames_command(args.scenario, args.out, args.size, args.view, args.present)
        return {"trace": _trace, "gradcheck": _gradcheck, "presets": _presets, "analyze": _analyze,
                "weights": _weights}[command](args)
    except (BadInput, RTRLTooLarge) as e:
        print(f"lstmviz: {e}" if isinstance(e, RTRLTooLarge) else str(e), file=sys.stderr)
        return EXIT_BAD_INPUT


def _warn_nonfinite(trace, name: str) -> None:
    for part, what in (("forward", "values"), ("backward", "ε/δ/gradients")):
        steps = trace.nonfinite_steps(part)
        if steps:
            shown = ", ".join(map(str, steps[:8])) + (" …" if len(steps) > 8 else "")
            print(f"warning: {name}: {what} overflowed (not finite) at {len(steps)} of {trace.steps} steps: {shown}",
                  file=sys.stderr)


def _trace(args) -> int:
    if not (args.out or args.csv):
        raise UsageError("lstmviz trace: give --out FILE.npz, --csv FILE.csv or both")
    scenario = load_scenario(args.scenario)
    trace = compute(scenario, args.gradient, args.algorithm)
    if args.out:
        _write(args.out, lambda f: np.savez(f, **trace.arrays))
    if args.csv:
        text = trace_to_csv(trace)
        _write(args.csv, lambda f: f.write(text.encode("utf-8")))
    _warn_nonfinite(trace, args.scenario)
    written = " and ".join(p for p in (args.out, args.csv) if p)
    print(f"wrote {written}: {len(trace)} arrays, T = {trace.steps}, E = {trace.loss:.6g} "
          f"(gradient {trace.mode}, {trace.algorithm})")
    return 0


def _write(path: str, write) -> None:
    """Write atomically; a failure is one line naming the file."""
    try:
        with atomic_writer(path) as f:
            write(f)
    except OSError as e:
        raise UsageError(f"{path}: cannot be written: {e.strerror}") from None


def _weights(args) -> int:
    scenario = load_scenario(args.scenario)
    if args.action == "export":
        arrays = export_weights(scenario, args.layout, args.scenario)
        _write(args.file, lambda f: np.savez(f, **arrays))
        print(f"wrote {args.file}: {len(arrays)} arrays in the {args.layout} layout")
        return 0
    if not args.out:
        raise UsageError("lstmviz weights import: give --out SCENARIO.json for the scenario with the new weights")
    export_weights(scenario, args.layout, args.scenario)  # the scenario's layers must be exchangeable
    values = import_weights(scenario, args.file, args.layout)
    assign_params(scenario, values)
    text = dumps_scenario(scenario)
    _write(args.out, lambda f: f.write(text.encode("utf-8")))
    print(f"wrote {args.out}: {len(values)} parameter arrays from {args.file} ({args.layout} layout), "
          f"E = {compute(scenario).loss:.6g}")
    return 0


def _gradcheck(args) -> int:
    scenario = load_scenario(args.scenario)
    if args.max_entries is not None and args.max_entries < 1:
        raise UsageError(f"--max-entries must be at least 1, got {args.max_entries}")
    report = gradcheck(scenario, str(args.gradient), args.algorithm, tolerance=args.tolerance,
                       max_entries=args.max_entries)
    worst = report.worst
    sample = f"{len(report.entries)} of {report.total_entries}" if len(report.entries) < report.total_entries \
        else f"{report.total_entries}"
    print(f"gradcheck {args.scenario} (gradient {args.gradient}, {args.algorithm}): {sample} entries")
    if worst is not None:
        print(f"worst relative error {worst.error:.2e} at {worst.label} "
              f"(analytic {worst.analytic:.10g}, finite difference {worst.numeric:.10g})")
    failed = [e for e in report.compared if e.error > report.tolerance]
    for e in failed[:20]:
        print(f"  FAIL {e.label}: analytic {e.analytic:.10g}, finite difference {e.numeric:.10g}, error {e.error:.2e}")
    if report.kinks:
        print(f"{len(report.kinks)} entries sit on a kink (derivative taken as 0 there; not compared):")
        for e in report.kinks:
            print(f"  kink {e.label}: analytic {e.analytic:.6g}, central difference {e.numeric:.6g}")
    print("PASS" if report.passed else f"FAIL: {len(failed)} entries above tolerance {report.tolerance:g}")
    return 0 if report.passed else 1


def _analyze(args) -> int:
    from .core.analysis import gradcheck_summary, report

    scenario = load_scenario(args.scenario)
    if args.layer is not None and not 0 <= args.layer < len(scenario.model.layers):
        raise UsageError(f"--layer must be 0 to {len(scenario.model.layers) - 1}, got {args.layer}")
    if args.k < 1:
        raise UsageError(f"--k must be at least 1, got {args.k}")
    tables = report(scenario, str(args.gradient), args.k, args.layer)
    titles = {"lag": "Gradient vs lag", "spectrum": "Jacobian spectrum", "truncation": "Truncation"}
    print(f"lstmviz analyze {args.scenario}: T = {scenario.data.steps}, gradient {args.gradient}")
    for name, rows in tables.items():
        print(f"\n{titles[name]}")
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for r in rows:
            cells = enumerate(zip(r, widths, strict=True))
            print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in cells))
    print(f"\nGradcheck: {gradcheck_summary(gradcheck(scenario, str(args.gradient)))}")
    return 0


def _presets(args) -> int:
    presets = list_presets()
    width = max(len(p.key) for p in presets)
    for p in presets:
        default = " (default)" if p.key == DEFAULT_PRESET else ""
        print(f"{p.key:<{width}}  {p.title}{default}: {p.summary}")
    return 0
