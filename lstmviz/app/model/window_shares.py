"""window:K's starting shares, seen by the application: the part of a δ that stops at the edge into its step.

Under window:K the δ of step t (1-based) is the sum over the costs E[t] … E[t+K−1] whose windows hold
it. The last of them, E[t+K−1], has its window start at t: the state entering step t is a constant for
it, so its share of δ[t] goes no further back. What an edge from step t−1 into step t carries is
therefore δ[t] minus that share; the engine keeps the shares (``dA_start``, ``dH_start``, ``dC_start``
of each layer's backward) and this module looks them up by the trace's names.
"""
from __future__ import annotations

import numpy as np

from ...core import Trace
from ...core.model import gate_block


def starting_cost(trace: Trace, t: int) -> int | None:
    """The cost E[t+K−1] whose window starts at step t (1-based), when window:K cuts anything there:
    None under another mode, and when that cost lies past the sequence (its share is then 0)."""
    mode, T = trace.mode, trace.steps
    if mode.kind != "window" or mode.k == 1 or mode.k >= T or t + mode.k - 1 > T:
        return None
    return t + mode.k - 1


def start_share(trace: Trace, layer: int, var: str) -> np.ndarray:
    """(T, H): each step's share of δ``var`` (h, c, an RNN's excitation a, or a gate's a_i … a_g) that
    belongs to the cost whose window starts there; zeros when no window starts anywhere."""
    lb = trace.backward.layers[layer]
    H = lb.dH.shape[1]
    if lb.dH_start is None:
        return np.zeros((trace.steps, H))
    if var == "h":
        return lb.dH_start
    if var == "c":
        return lb.dC_start
    if var == "a":
        return lb.dA_start
    return lb.dA_start[:, gate_block(H, var[2:])]


def crossing(trace: Trace, layer: int, var: str) -> np.ndarray:
    """(T, H): δ``var`` less its starting share — what the edges from step t−1 into step t carry of it."""
    return trace[f"l{layer}/delta_{var}"] - start_share(trace, layer, var)


def tap_costs(trace: Trace, t: int, d: int) -> tuple[int, int] | None:
    """(first, last): the costs whose windows start in t+1 … t+d (1-based), E[t+K] … E[t+d+K−1] up to T, whose
    share of δ[t+d] stops on the tap h[t] → step t+d under window:K (1 < d < K); None when there are none."""
    mode, T = trace.mode, trace.steps
    if mode.kind != "window" or not 1 < mode.k < T or t + mode.k > T:
        return None
    return t + mode.k, min(t + d + mode.k - 1, T)


def tap_stop(trace: Trace, layer: int, d: int) -> np.ndarray:
    """(T, H): at row t−1, the share of δa[t+d] that stops on the tap h[t] → step t+d (zeros outside window:K)."""
    lb = trace.backward.layers[layer]
    if lb.dA_tap_stop is None:
        return np.zeros_like(lb.dH)
    return lb.dA_tap_stop[:, trace.scenario.model.layers[layer].taps.index(d)]
