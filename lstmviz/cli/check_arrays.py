"""``lstmviz check-arrays SCENARIO ARRAYS.npz``: their implementation's arrays against the engine.

Prints the first disagreement as one line (or that everything present agrees), then the table of
every array; exit status 0 when every array present agrees, 1 when one differs, 2 on bad input.
"""
from __future__ import annotations

from ..app import style
from ..core.keys import Key
from ..io.opening import open_checked
from ..io.yours import check_arrays

EXIT_DIFFERS = 1


def course_name(key: str) -> str:
    """A trace key in the course's letters: ``l0/delta_c`` → ``δc``, ``l0/g`` → ``c̃``, ``l0/eps_h`` → ``εh``,
    ``grad/l0/W_g`` → ``dE/dW_c̃``, ``dx`` → ``δx``, ``loss_t`` → ``E[t]``."""
    k = Key.parse(key)
    if k.grad:
        return "dE/d" + style.symbol(k.name)
    if k.name.startswith("delta_"):
        return style.delta_label(k.name.removeprefix("delta_"))
    if k.name.startswith("eps_"):
        return style.EPS_PREFIX + style.label(k.name.removeprefix("eps_"))
    if k.name == "dx":
        return style.delta_label("x")
    if k.name == "loss_t":
        return style.label("loss") + "[t]"
    return style.label(k.name)


def run(args) -> int:
    opened = open_checked(args.scenario, args.gradient, budget=args.memory_budget)
    report = check_arrays(opened.scenario, args.arrays, args.map, rtol=args.rtol, atol=args.atol,
                          trace=opened.trace, name=course_name)
    print(report)
    return 0 if report.ok else EXIT_DIFFERS
