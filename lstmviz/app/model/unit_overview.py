"""The unit overview (Qt-free): one layer's units × time table of a trace quantity, its row orders and the
threshold brush that finds the units which stay on.

For a layer n and a per-unit trace key v (``c``, ``delta_c``, ``eps_h`` …) the table is the trace's array
V = ``l{n}/v`` of shape (T, H): row t − 1 is step t, column j is unit j. The brush over the steps
t₁ … t₂ with threshold θ keeps unit j when, for every t in t₁ … t₂,

    s[t, j] > θ  (above)   or   s[t, j] < θ  (below),     s = V or s = |V|,

and its score is the unit's worst margin over the range, m[j] = min_t (s[t, j] − θ) (above) or
min_t (θ − s[t, j]) (below): positive exactly for the units kept, the larger the more clearly.
Everything is computed on whole arrays, never unit by unit.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .. import style
from ..numbers import fmt

# The per-unit (T, H) quantities a layer may have, in the order the panel offers them (absent ones skipped).
VALUES = ("h", "c", "i", "f", "o", "g", "a_i", "a_f", "a_o", "a_g", "a")
DELTAS = tuple(f"delta_{v}" for v in ("h", "c", "i", "f", "o", "g", "a_i", "a_f", "a_o", "a_g", "a"))
EPSILONS = ("eps_h",)
VARIABLES = VALUES + DELTAS + EPSILONS
GATE_VALUES = ("i", "f", "o")  # in [0, 1] (a sigmoid gate): a sequential colour scale

# Row orders: key → the name the panel shows. All but "unit" put the largest first.
ORDERS = {"unit": "unit number", "mean": "mean over t", "peak": "max |value|", "variance": "variance over t",
          "score": "brush score"}


def layer_variables(trace: Mapping, layer: int) -> tuple[str, ...]:
    """The per-unit quantities the trace holds for a layer, e.g. ``("h", "c", "i", …, "eps_h")``."""
    return tuple(v for v in VARIABLES if f"l{layer}/{v}" in trace)


def variable_label(var: str) -> str:
    """A trace key of a layer in the course's letters: ``c``, ``c̃``, ``δc``, ``δa_c̃``, ``εh``."""
    if var.startswith("delta_"):
        return style.delta_label(var.removeprefix("delta_"))
    if var.startswith("eps_"):
        return style.EPS_PREFIX + style.label(var.removeprefix("eps_"))
    return style.label(var)


def unit_values(trace: Mapping, layer: int, var: str) -> np.ndarray:
    """V, (T, H): the quantity of every unit at every step (row t − 1 is step t)."""
    key = f"l{layer}/{var}"
    if key not in trace:
        raise ValueError(f"Units ▸ variable: layer {layer} has no {variable_label(var)} ({key})")
    return np.asarray(trace[key], dtype=np.float64)


def is_gate(var: str) -> bool:
    """A gate's value in [0, 1]: drawn on a sequential scale; everything else (signed) on a diverging one."""
    return var in GATE_VALUES


SATURATE_PERCENT = 99.0  # a signed scale ends at this percentile of |V|: a few outliers do not wash out the rest


def colour_levels(values: np.ndarray, var: str) -> tuple[float, float]:
    """The colour scale's ends: (0, 1) for a gate, else symmetric (−m, m) with m the 99th percentile of the
    finite |V| (the largest 1 % saturate; 1 when they are all 0)."""
    if is_gate(var):
        return 0.0, 1.0
    finite = np.abs(values[np.isfinite(values)])
    top = float(np.percentile(finite, SATURATE_PERCENT)) if finite.size else 0.0
    return (-top, top) if top > 0 else (-1.0, 1.0)


@dataclass(frozen=True)
class Brush:
    """A time range t = first … last (1-based, both included) and a threshold the units must keep to."""

    first: int
    last: int
    threshold: float
    above: bool = True      # s > θ over the range; False: s < θ
    absolute: bool = False  # s = |V|; False: s = V

    def margins(self, values: np.ndarray) -> np.ndarray:
        """m, (H,): each unit's worst margin over the range (positive ⇔ kept; nan if a value is not finite)."""
        window = values[self.first - 1:self.last]
        s = np.abs(window) if self.absolute else window
        margin = s - self.threshold if self.above else self.threshold - s
        return margin.min(axis=0)

    def selects(self, values: np.ndarray) -> np.ndarray:
        """(H,) bool: the units whose value stays on the threshold's side over the whole range."""
        return self.margins(values) > 0

    def describe(self, name: str) -> str:
        """``units whose |c| stays above 0.5 over t = 10…20``."""
        shown = f"|{name}|" if self.absolute else name
        side = "above" if self.above else "below"
        return f"units whose {shown} stays {side} {fmt(self.threshold)} over {range_text(self.first, self.last)}"


def row_order(values: np.ndarray, by: str, brush: Brush | None = None) -> np.ndarray:
    """The units top to bottom, (H,): by number, or by mean, max |V|, variance over t or the brush's margin,
    largest first (ties and non-finite values keep the units' order, the latter at the end)."""
    if by == "unit":
        return np.arange(values.shape[1])
    if by == "score":
        if brush is None:
            raise ValueError("Units ▸ sort: the brush score needs a brush (a time range and a threshold)")
        key = brush.margins(values)
    elif by == "mean":
        key = values.mean(axis=0)
    elif by == "peak":
        key = np.abs(values).max(axis=0)
    elif by == "variance":
        key = values.var(axis=0)
    else:
        raise ValueError(f"Units ▸ sort: unknown order {by!r} (one of {', '.join(ORDERS)})")
    key = np.where(np.isfinite(key), key, -np.inf)
    return np.argsort(-key, kind="stable")


_RANGE = re.compile(r"^\s*(?:t\s*=\s*)?(\d+)\s*(?:(?:…|\.\.\.?|–|-|to)\s*(\d+))?\s*$")


def parse_range(text: str, steps: int) -> tuple[int, int]:
    """``t = 10…20``, ``10..20``, ``10-20`` or ``7`` → (first, last), checked against 1 … T."""
    match = _RANGE.match(text)
    if match is None:
        raise ValueError(f"Units ▸ time range: {text!r} is not a range like t = 10…20")
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) else first
    if not 1 <= first <= last <= steps:
        raise ValueError(f"Units ▸ time range: t = {first}…{last} is not within t = 1…{steps} (first ≤ last)")
    return first, last


def range_text(first: int, last: int) -> str:
    return f"t = {first}…{last}"


def describe_cell(name: str, unit: int, t: int, value: float) -> str:
    """What a hovered cell holds: ``unit 17, t = 340: c = 0.830``."""
    return f"unit {unit}, t = {t}: {name} = {fmt(float(value))}"
