"""The ``lstmviz`` command line: gui (default), export-frames, trace, gradcheck, analyze, weights, check-arrays,
presets.

Bad input exits with status 2 and one line on stderr naming the file and the field; no traceback,
and no output file (a command writes all of its outputs or none). A check that fails exits with 1.
"""
from __future__ import annotations

import os
import sys

from ..core import RTRLTooLarge
from ..io import BadInput
from ..perf import keep_freed_memory
from .parser import EXIT_BAD_INPUT, parser


def main(argv: list[str] | None = None) -> int:
    keep_freed_memory()
    try:
        args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as e:  # --help, --version or a bad argument (already printed)
        return e.code
    try:
        return _run(args)
    except (BadInput, RTRLTooLarge) as e:
        print(f"lstmviz: {e}" if isinstance(e, RTRLTooLarge) else str(e), file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # `lstmviz analyze | head`: the reader has gone; end quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _run(args) -> int:
    command = args.command or "gui"
    if command == "gui":
        from ..app.launch import launch
        return launch(args.scenario, args.screenshot, args.size, args.select, args.phase, args.step, args.view,
                      args.unit, args.present, args.memory_budget, tuple(args.set or ()))
    if command == "export-frames":
        from ..app.launch import export_frames_command
        return export_frames_command(args.scenario, args.out, args.size, args.view, args.present, args.memory_budget)
    if command == "check-arrays":
        from .check_arrays import run
        return run(args)
    from . import commands  # not for the window: what it needs, it imports itself
    return {"trace": commands.trace, "gradcheck": commands.gradcheck, "presets": commands.presets,
            "analyze": commands.analyze, "weights": commands.weights}[command](args)
