"""What a watch expression needs before it can be shown at a step: the phase computing its inputs.

``h[t] - y[t]`` needs the forward pass up to t; ``delta_c[t+1]*f[t+1]`` needs BPTT down to t (δ runs
from T to 1, so t+1 is done before t); ``h[t+1]`` needs the whole forward pass, ``grad_W_f`` the whole
weight gradient, ``sum(... for t)`` every step of its phase.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from ..core.phases import Phase
from .evaluator import parse

GLOBAL_DELTA = "dx"
WHAT = {Phase.FORWARD: "values", Phase.SYNC: "ε", Phase.BPTT: "δ", Phase.GRAD: "weight gradients",
        Phase.DESCENT: "the update"}
SHORT = {Phase.GRAD: "dE/dw"}


@dataclass(frozen=True)
class Needs:
    phase: Phase    # the phase computing the last of its inputs
    whole: bool     # it reads other steps of that phase (or totals): shown only when the phase is complete

    def describe(self) -> str:
        return f"needs {WHAT[self.phase]} (phase {int(self.phase)})"

    @property
    def short(self) -> str:
        """What a waiting node says: ``needs δ``; "?" when it only waits for values."""
        return "?" if self.phase == Phase.FORWARD else f"needs {SHORT.get(self.phase, WHAT[self.phase])}"


def name_phase(name: str) -> Phase:
    """The phase that computes a name of the watch language: δ and dx in 3, ε in 2, gradients in 4."""
    if name.startswith("grad_"):
        return Phase.GRAD
    if name.startswith("delta_") or name == GLOBAL_DELTA:
        return Phase.BPTT
    return Phase.SYNC if name.startswith("eps_") else Phase.FORWARD


def needs(expression: str, earlier: dict[str, Needs] | None = None) -> Needs:
    """What ``expression`` needs; ``earlier`` gives the needs of the watches it may name (``w1`` …).
    Raises WatchError for an expression that does not parse."""
    earlier = earlier or {}
    refs: list[Needs] = []
    every_step = False
    for node in ast.walk(parse(expression)):
        if isinstance(node, ast.GeneratorExp):  # sum(... for t): every step of its phase
            every_step = True
        elif isinstance(node, ast.Subscript) and _offset(node.slice):
            phase = _phase_of(node.value, earlier)
            ahead = _offset(node.slice) > 0
            refs.append(Needs(phase, ahead != (phase == Phase.BPTT)))  # a step not computed yet at t
        elif isinstance(node, (ast.Name, ast.Attribute)):
            name = node.id if isinstance(node, ast.Name) else node.attr
            refs.append(earlier.get(name) or Needs(name_phase(name), name_phase(name) == Phase.GRAD))
    last = max((r.phase for r in refs), default=Phase.FORWARD)
    return Needs(last, every_step or any(r.whole for r in refs if r.phase == last))


def _phase_of(node: ast.AST, earlier: dict[str, Needs]) -> Phase:
    if isinstance(node, ast.Name):
        return earlier[node.id].phase if node.id in earlier else name_phase(node.id)
    if isinstance(node, ast.Attribute):
        return name_phase(node.attr)
    return Phase.FORWARD


def _offset(index: ast.AST) -> int:
    """k in ``[t+k]`` / ``[t-k]``; 0 for ``[t]`` or a unit index."""
    if (isinstance(index, ast.BinOp) and isinstance(index.left, ast.Name) and index.left.id == "t"
            and isinstance(index.right, ast.Constant) and isinstance(index.right.value, int)):
        return index.right.value if isinstance(index.op, ast.Add) else -index.right.value
    return 0
