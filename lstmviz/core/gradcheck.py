"""Finite-difference check of every gradient, with kinks named instead of failed.

For each parameter entry θ_k we evaluate the loss at θ_k ± ε (ε = 1e-5·max(1, |θ_k|)) and compare
the central difference with the engine's gradient. Truncated modes are checked against the loss of
their surrogate graph (see :mod:`lstmviz.core.modes`), so cec and tbptt:K are verified too. window:K
has one surrogate per cost: its loss is Σ_t E[t], each E[t] replayed over its own window from the
frozen state entering it (:func:`lstmviz.core.forward.window_forwards`), T short forward passes per
evaluation, so checking window:K is for small models.

An entry *sits on a kink* when moving it by ±ε moves a pre-activation of a piecewise-linear
activation (CReLU, ReLU) across or onto one of its kinks: there the derivative is a convention
(0 at the kink), and the finite difference measures something else. Such entries are reported by
name and not counted as failures.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS
from .forward import Forward, forward, window_forwards
from .model import LSTMLayer, Scenario, gate_block
from .modes import GradientMode
from .params import index_label, param_array, param_blocks
from .trace import compute

DEFAULT_TOLERANCE = 1e-5


@dataclass
class EntryCheck:
    label: str
    analytic: float
    numeric: float
    error: float
    kink: bool


@dataclass
class GradcheckReport:
    entries: list[EntryCheck]
    tolerance: float
    total_entries: int

    @property
    def compared(self) -> list[EntryCheck]:
        return [e for e in self.entries if not e.kink]

    @property
    def kinks(self) -> list[EntryCheck]:
        return [e for e in self.entries if e.kink]

    @property
    def worst(self) -> EntryCheck | None:
        return max(self.compared, key=lambda e: e.error, default=None)

    @property
    def passed(self) -> bool:
        """Every compared entry within the tolerance — and at least one entry compared."""
        compared = self.compared
        return bool(compared) and all(e.error <= self.tolerance for e in compared)


def gradcheck(scenario: Scenario, gradient: str = "full", algorithm: str = "bptt",
              tolerance: float = DEFAULT_TOLERANCE, max_entries: int | None = None, seed: int = 0) -> GradcheckReport:
    """Check the gradients of ``compute(scenario, gradient, algorithm)`` entry by entry.

    ``max_entries`` checks a reproducible random sample of that many entries (all by default).
    The scenario's parameters are restored exactly afterwards.
    """
    trace = compute(scenario, gradient, algorithm)
    model = scenario.model
    run = _surrogate(scenario, trace.forward, trace.mode)
    E0, sides0 = run()
    floor = 1e-4 * max(1.0, abs(E0))
    picks = [(b, k) for b in param_blocks(model) for k in range(b.size)]
    total = len(picks)
    if max_entries is not None and total > max_entries:
        chosen = np.random.default_rng(seed).choice(total, size=max_entries, replace=False)
        picks = [picks[i] for i in sorted(chosen)]
    entries = []
    with np.errstate(all="ignore"):
        for block, k in picks:
            arr = param_array(model, block).reshape(-1)
            theta = arr[k]
            step = 1e-5 * max(1.0, abs(theta))
            arr[k] = theta + step
            plus, plus_sides = run()
            arr[k] = theta - step
            minus, minus_sides = run()
            arr[k] = theta
            numeric = (plus - minus) / (2 * step)
            analytic = float(trace[f"grad/{block.key}"].reshape(-1)[k])
            kink = not (np.array_equal(plus_sides, sides0) and np.array_equal(minus_sides, sides0))
            error = abs(analytic - numeric) / max(abs(analytic), abs(numeric), floor)
            entries.append(EntryCheck(index_label(block, k), analytic, float(numeric), float(error), kink))
    return GradcheckReport(entries=entries, tolerance=tolerance, total_entries=total)


def _surrogate(scenario: Scenario, base: Forward, mode: GradientMode) -> Callable[[], tuple[float, np.ndarray]]:
    """The loss whose derivative at the base point is the gradient under ``mode``, as a function of the
    scenario's current parameters, with the kink sides of every pre-activation it computed."""
    model, data = scenario.model, scenario.data
    mode = mode.resolved(data.steps)

    def run() -> tuple[float, np.ndarray]:
        fw = forward(model, data.x, data.y, data.mask, mode, base if mode.kind != "full" else None)
        return fw.head.loss, _kink_sides(model, fw)

    def run_windows() -> tuple[float, np.ndarray]:
        costs, sides = [], []
        for fw in window_forwards(model, data.x, data.y, data.mask, base, mode.k):
            costs.append(fw.head.loss_t[-1])
            sides.append(_kink_sides(model, fw))
        return float(np.sum(costs)), np.concatenate(sides)

    return run_windows if mode.kind == "window" else run


def _kink_sides(model, fw: Forward) -> np.ndarray:
    """Sign of (pre-activation − kink) for every piecewise-linear activation, concatenated."""
    parts = []
    for layer, lf in zip(model.layers, fw.layers, strict=True):
        for name, A in _activation_inputs(layer, lf):
            for kink in ACTIVATIONS[name].kinks:
                parts.append(np.sign(A - kink).ravel())
    return np.concatenate(parts) if parts else np.zeros(0)


def _activation_inputs(layer, lf):
    if not isinstance(layer, LSTMLayer):
        yield layer.activation, lf.A
        return
    for g in layer.gates:
        act = layer.candidate_activation if g == "g" else layer.gate_activation
        yield act, lf.A[:, gate_block(layer.hidden_size, g)]
