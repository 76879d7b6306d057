"""``lstmviz check-arrays SCENARIO ARRAYS.npz``: their implementation's arrays against the engine.

Prints the first disagreement as one line (or that everything present agrees), then the table of
every array; exit status 0 when every array present agrees, 1 when one differs, 2 on bad input.
"""
from __future__ import annotations

from ..app.style import course_name
from ..io.opening import open_checked
from ..io.yours import check_arrays

EXIT_DIFFERS = 1


def run(args) -> int:
    opened = open_checked(args.scenario, args.gradient, budget=args.memory_budget)
    report = check_arrays(opened.scenario, args.arrays, args.map, rtol=args.rtol, atol=args.atol,
                          trace=opened.trace, name=course_name)
    print(report)
    return 0 if report.ok else EXIT_DIFFERS
