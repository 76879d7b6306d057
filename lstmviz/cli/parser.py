"""The command line's arguments; an argument error is one line on stderr and exit status 2."""
from __future__ import annotations

import argparse
import math

from .. import __version__
from ..core import ALGORITHMS, parse_mode
from ..core.budget import parse_size
from ..core.gradcheck import DEFAULT_TOLERANCE
from ..io.presets import DEFAULT_PRESET
from ..io.weights import LAYOUTS
from ..io.yours import ATOL, RTOL

EXIT_BAD_INPUT = 2
GRADIENT_HELP = ("full | cec | tbptt:K (chunks of K steps) | window:K (each cost E[t] reaches back through "
                 "steps t−K+1 … t) (default full)")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _typed(convert):
    """An argparse type from a function that raises ValueError with a one-line reason."""
    def parse(text: str):
        try:
            return convert(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    parse.__name__ = convert.__name__
    return parse


def positive_number(text: str) -> float:
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"expected a positive finite number, got {text[:40]!r}")
    return value


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="lstmviz", description="A visual debugger for LSTMs.")
    p.add_argument("--version", action="version", version=f"lstmviz {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    _gui(sub)
    _frames(sub)
    t = sub.add_parser("trace", help="compute every forward and backward quantity and save them as .npz")
    t.add_argument("scenario", help="a scenario file or preset name")
    t.add_argument("--out", metavar="FILE.npz", help="every trace key as arrays")
    t.add_argument("--csv", metavar="FILE.csv", help="one row per step, one column per value and δ, the target "
                   "(y, or y_class for softmax_xent) and the mask")
    _mode_args(t)
    c = sub.add_parser("gradcheck", help="compare every gradient with central finite differences")
    c.add_argument("scenario", help="a scenario file or preset name")
    _mode_args(c)
    c.add_argument("--tolerance", type=_typed(positive_number), default=DEFAULT_TOLERANCE,
                   help="largest relative error that passes")
    c.add_argument("--max-entries", type=int, metavar="N", help="check a reproducible sample of N entries")
    a = sub.add_parser("analyze", help="gradient vs lag, Jacobian spectra, truncation and gradcheck, as tables")
    a.add_argument("scenario", help="a scenario file or preset name")
    a.add_argument("--gradient", type=_typed(parse_mode), default=parse_mode("full"), metavar="MODE",
                   help="the mode of the lag table's δ: full | cec | tbptt:K | window:K (default full)")
    a.add_argument("--k", type=int, default=5, metavar="K",
                   help="K of the tbptt:K and window:K columns (default 5)")
    a.add_argument("--layer", type=int, metavar="N", help="the layer analysed (default: the top one)")
    a.add_argument("--weight", default="auto", metavar="KEY[I,J]",
                   help="the weight entry of the cost × lag table, dC(t)/dW(t−u): e.g. l0/U[0,0], or l0/U_f for "
                   "its entry with the largest gradient (default auto: the recurrent entry with the largest gradient)")
    a.add_argument("--lags", type=int, default=10, metavar="L",
                   help="lag columns of the cost × lag and routes tables (default 10)")
    _budget_arg(a)
    w = sub.add_parser("weights", help="export or import LSTM weights in PyTorch's or Keras's layout (.npz)")
    w.add_argument("action", choices=("export", "import"))
    w.add_argument("scenario", help="a scenario file or preset name")
    w.add_argument("file", metavar="WEIGHTS.npz")
    w.add_argument("--layout", choices=LAYOUTS, required=True)
    w.add_argument("--out", metavar="SCENARIO.json", help="import: where to write the scenario with the new weights")
    w.add_argument("--data", metavar="DATA.npz", help="export: also write the scenario's inputs and targets, so your "
                   "own code runs on exactly this scenario: x (T, D), y, mask (T), l{k}/h0 and l{k}/c0 (H)")
    _budget_arg(w)
    _check_arrays(sub)
    sub.add_parser("presets", help="list the presets shipped with lstmviz")
    p.set_defaults(command=None, scenario=DEFAULT_PRESET, screenshot=None, size=None, select=None,
                   phase=None, step=None, view="forward", unit=0, present=False, memory_budget=None,
                   set=None)
    return p


def non_negative_number(text: str) -> float:
    value = float(text)
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"expected a finite number ≥ 0, got {text[:40]!r}")
    return value


def _check_arrays(sub) -> None:
    k = sub.add_parser("check-arrays", help="compare the arrays your own LSTM code computed with the engine's: the "
                       "first quantity, step and unit where they part, and a verdict per array "
                       "(docs/check-arrays.md)")
    k.add_argument("scenario", help="a scenario file or preset name (lstmviz weights export --data writes its inputs)")
    k.add_argument("arrays", metavar="ARRAYS.npz", help="your arrays: trace keys (l0/h, l0/delta_c, grad/l0/W_i, "
                   "dx …), or the names of --map")
    k.add_argument("--map", metavar="MAP.json|pytorch|keras|karpathy",
                   help="your names → trace keys: a JSON mapping or a built-in layout (default: trace keys)")
    for name, default in (("rtol", RTOL), ("atol", ATOL)):
        k.add_argument(f"--{name}", type=_typed(non_negative_number), default=default, metavar=name[0].upper(),
                       help=f"an entry differs when |yours − engine| > atol + rtol·|engine| (default {default:g})")
    k.add_argument("--gradient", type=_typed(parse_mode), default=parse_mode("full"), metavar="MODE",
                   help=GRADIENT_HELP)
    _budget_arg(k)


def _gui(sub) -> None:
    g = sub.add_parser("gui", help="open the debugger window (the default command)")
    g.add_argument("scenario", nargs="?", default=DEFAULT_PRESET, help="a scenario file or preset name")
    g.add_argument("--screenshot", metavar="FILE.png", help="render the window offscreen to a PNG and exit")
    g.add_argument("--size", metavar="WxH", help="window size (default: the last one, else 1600x1000; "
                   "never larger than the screen, except for --screenshot)")
    g.add_argument("--select", metavar="NODE", help="select a node, e.g. c[4], l1/h[3] or l0/c[2][5] (unit 5)")
    g.add_argument("--phase", help="1-5 or forward, sync, bptt, grad, descent (default: the start of phase 1; "
                   "with --screenshot, everything computed)")
    g.add_argument("--step", type=int, metavar="N", help="steps done within the phase (default: all)")
    g.add_argument("--view", choices=("forward", "backward"), default="forward", help="values or δ")
    g.add_argument("--unit", type=int, default=0, metavar="U", help="the unit whose lanes are drawn")
    g.add_argument("--present", action="store_true", help="presentation mode: full screen, large type (F5)")
    g.add_argument("--set", action="append", metavar="KEY[INDEX]=VALUE",
                   help="change one entry first, as an undoable edit, e.g. l0/b_i=0.9 or l0/W_i[0,1]=-1 (repeatable)")
    _budget_arg(g)


def _frames(sub) -> None:
    f = sub.add_parser("export-frames", help="a numbered PNG per step of an epoch's five phases, for slides")
    f.add_argument("scenario", help="a scenario file or preset name")
    f.add_argument("--out", required=True, metavar="DIR")
    f.add_argument("--size", default="1600x1000", metavar="WxH")
    f.add_argument("--view", choices=("forward", "backward"), default="forward")
    f.add_argument("--present", action="store_true", help="frames in presentation mode")
    _budget_arg(f)


def _mode_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--gradient", type=_typed(parse_mode), default=parse_mode("full"), metavar="MODE",
                   help=GRADIENT_HELP)
    p.add_argument("--algorithm", choices=ALGORITHMS, default="bptt", help="bptt (default) or rtrl")
    _budget_arg(p)


def _budget_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--memory-budget", type=_typed(parse_size), metavar="SIZE",
                   help="refuse scenarios needing more memory than this (e.g. 2G; default a quarter of the RAM)")
