"""Derivation checks: does the user's formula equal what the engine computes, at every step and unit?

The target is itself an expression (``delta_c`` means ``delta_c[t]``; ``grad W_f`` means ``grad_W_f``).
Quantities computed backwards in time (δ, ε) are compared from the last step down, so the reported
step is the first one, in the order of the computation, where the formula goes wrong.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

import numpy as np

from ..core import Trace
from .evaluator import GLOBAL_STEP_VARS, STEP_VARS, Value, WatchError, evaluate, parse

RTOL, ATOL = 1e-9, 1e-12


@dataclass
class Term:
    text: str
    value: float


@dataclass
class CheckResult:
    agree: bool
    order: str                  # "forward" or "backward" (δ and ε are computed from the last step down)
    t: int | None = None        # the first step (in that order) where they differ, 1-based
    unit: int | None = None
    user: float | None = None
    engine: float | None = None
    user_terms: list[Term] = field(default_factory=list)
    message: str = ""


def target_expression(target: str) -> str:
    """``delta_c`` → ``delta_c[t]``, ``l1/delta_h`` → ``l1.delta_h[t]``, ``grad W_f`` → ``grad_W_f``."""
    s = target.strip()
    m = re.fullmatch(r"grad\s+(\w+)", s)
    if m:
        return f"grad_{m.group(1)}"
    m = re.fullmatch(r"l(\d+)/(\w+)", s)
    if m:
        s = f"l{m.group(1)}.{m.group(2)}"
    bare = s.split(".")[-1]
    if bare in STEP_VARS + GLOBAL_STEP_VARS:
        return s + "[t]"
    return s


def check(expression: str, target: str, trace: Trace, tolerance: float = RTOL,
          watches: dict[str, Value] | None = None) -> CheckResult:
    """Compare ``expression`` with ``target`` everywhere; raise WatchError if either does not evaluate."""
    tree = parse(expression)
    target_text = target_expression(target)
    mine = evaluate(tree, trace, watches)
    theirs = evaluate(target_text, trace, watches)
    backward = "delta" in target_text or "eps" in target_text
    order = "backward" if backward else "forward"
    T = trace.steps
    if mine.timed != theirs.timed:
        raise WatchError(f"the formula is {'a value per step' if mine.timed else 'one value'} but {target} is "
                         f"{'a value per step' if theirs.timed else 'one value'}")
    a, b = (mine.per_step(T), theirs.per_step(T)) if mine.timed else (np.atleast_2d(mine.data),
                                                                     np.atleast_2d(theirs.data))
    if a.shape != b.shape:
        try:
            a = np.broadcast_to(a, b.shape)
        except ValueError:
            raise WatchError(f"the formula has shape {a.shape}, {target} has {b.shape}") from None
    with np.errstate(all="ignore"):
        bad = ~(np.isclose(a, b, rtol=tolerance, atol=ATOL) | (np.isnan(a) & np.isnan(b)))
    if not bad.any():
        return CheckResult(True, order, message=f"agrees with {target} everywhere")
    rows = np.flatnonzero(bad.any(axis=1))
    row = int(rows[-1] if backward else rows[0])
    unit = int(np.flatnonzero(bad[row])[0])
    t = row + 1 if mine.timed else None
    def term_value(text: str) -> float:
        value = evaluate(text, trace, watches)
        return float(value.per_step(T)[row, unit] if mine.timed else np.ravel(value.data)[unit])
    terms = [Term(text, term_value(text)) for text in split_terms(expression, tree)]
    where = f"t = {t}, unit {unit}" if t is not None else f"entry {unit}"
    return CheckResult(False, order, t, unit, float(a[row, unit]), float(b[row, unit]), terms,
                       f"differs from {target} first at {where} ({order} order): {a[row, unit]:.6g} vs "
                       f"{b[row, unit]:.6g}")


def split_terms(text: str, tree: ast.Expression | None = None) -> list[str]:
    """The top-level terms of a sum, as source text with their signs: ``a - b + c`` → a, -(b), c."""
    tree = tree or parse(text)
    terms: list[str] = []

    def walk(node: ast.AST, sign: str) -> None:
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            walk(node.left, sign)
            walk(node.right, sign if isinstance(node.op, ast.Add) else ("-" if sign == "" else ""))
            return
        source = ast.get_source_segment(text, node) or ast.unparse(node)
        terms.append(f"-({source})" if sign else source)

    walk(tree.body, "")
    return terms
