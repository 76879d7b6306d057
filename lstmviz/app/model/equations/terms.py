"""What an explanation is made of: terms that add up to a δ or a gradient, and the pages' data (Qt-free)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..quantities import NodeRef


@dataclass
class Term:
    """One addend of a δ (or of a weight gradient): symbolic, with numbers, its value and its node."""

    text: str                    # "δc[5]·f[5]"
    numbers: str                 # "−0.30·1.00"
    value: float | np.ndarray    # arrays for vector nodes (x with D > 1, ŷ with K > 1)
    target: NodeRef | None       # the δ-carrying node a click jumps to
    note: str = ""               # a kink, or why the gradient mode cuts the term


@dataclass
class Explanation:
    """Everything the inspector shows for one node; the delta_terms' values add up to delta."""

    node: NodeRef
    title: str                          # "c[4], layer 0"
    value: float | np.ndarray
    equation: str                       # "c[4] = f[4]·c[3] + i[4]·c̃[4]"
    substituted: str                    # "c[4] = 1.00·4.00 + 1.00·0.00 = 4.00"
    eps: float | None                   # ε of h nodes, None elsewhere
    delta: float | np.ndarray | None    # None for a target y
    delta_equation: str                 # "δc[4] = δh[4]·o[4] + δc[5]·f[5]"
    delta_terms: list[Term]
    notes: list[str] = field(default_factory=list)


@dataclass
class WeightExplanation:
    """dE/dw of one weight entry as the sum over t of its per-step contributions."""

    key: str                  # "l0/W_i", "head/W_y"
    index: tuple[int, ...]
    label: str                # "W_i[0, 1]", or the course's "w_i", "u_i", "b_i" for a 1×1 weight
    value: float
    grad: float
    per_step: np.ndarray      # (T,), sums to grad
    equation: str             # "dE/dw_i = Σ_t δa_i[t]·x[t]"
    terms: list[Term]         # one per step, target = the pre-activation (ŷ for the head)


class Parts(NamedTuple):
    equation: str
    substituted: str
    terms: list[Term]
    notes: list[str]
