"""Breakpoints: conditions that stop playback when they first hold at the step just computed.

Kinds: ``nonfinite`` (a value, ε or δ is NaN or infinite), ``delta_below`` / ``delta_above`` (‖δh[t]‖
or ‖δc[t]‖ of a layer under / over a threshold: vanishing or exploding — the Euclidean norm over the
layer's units of the total δ at the step back-propagation just reached, δc in LSTM layers only; the
first layer, h before c, where it holds is reported), ``saturation`` (a gate's σ̇ below 1e-3, or a
pre-activation on a CReLU kink), ``watch`` (a watch expression is non-zero). A condition is tested on
what the current phase computes at step t (see :func:`computed_in`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core import Trace
from ..core.activations import ACTIVATIONS, on_kink
from ..core.keys import Key
from ..core.model import LSTMLayer
from ..core.phases import Phase
from .evaluator import evaluate
from .needs import name_phase

KINDS = ("nonfinite", "delta_below", "delta_above", "saturation", "watch")
SATURATED = 1e-3
DELTA_NORMS = "‖δh‖ or ‖δc‖"  # what delta_below / delta_above test, as every panel names it
DELTA_NORMS_DETAIL = ("‖δh[t]‖ or ‖δc[t]‖ of any layer (the Euclidean norm over the layer's units of the total δ "
                      "at the step back-propagation reaches; ‖δc‖ in LSTM layers only)")


@dataclass
class Breakpoint:
    kind: str
    threshold: float | None = None
    expression: str | None = None
    enabled: bool = True

    def describe(self) -> str:
        return {"nonfinite": "a value, ε or δ is not finite",
                "delta_below": f"{DELTA_NORMS} < {self.threshold:g} (vanishing)" if self.threshold is not None else "",
                "delta_above": f"{DELTA_NORMS} > {self.threshold:g} (exploding)" if self.threshold is not None else "",
                "saturation": "a gate saturates (σ̇ < 1e-3 or on a kink)",
                "watch": f"{self.expression} holds"}[self.kind]


@dataclass
class Hit:
    breakpoint: Breakpoint
    t: int
    layer: int | None
    var: str
    unit: int
    text: str


def first_hit(breakpoints: list[Breakpoint], trace: Trace, phase: Phase, t: int) -> Hit | None:
    """The first enabled breakpoint that holds for what ``phase`` computed at step ``t`` (1-based)."""
    for bp in breakpoints:
        if bp.enabled:
            hit = _test(bp, trace, phase, t)
            if hit is not None:
                return hit
    return None


def _test(bp: Breakpoint, trace: Trace, phase: Phase, t: int) -> Hit | None:
    test = {"nonfinite": _nonfinite, "delta_below": _delta_norm, "delta_above": _delta_norm,
            "saturation": _saturation, "watch": _watch}[bp.kind]
    return test(bp, trace, phase, t)


def computed_in(key: str) -> Phase:
    """The phase that computes a per-step trace quantity: values in 1, ε in 2, δ (and dx) in 3."""
    return name_phase(Key.parse(key).name)


def _nonfinite(bp: Breakpoint, trace: Trace, phase: Phase, t: int) -> Hit | None:
    row = t - 1
    for key, value in trace.step_arrays().items():
        if computed_in(key) == phase and not np.isfinite(value[row]).all():
            layer, var = _node_of(key)
            unit = int(np.flatnonzero(~np.isfinite(value[row]))[0])
            return Hit(bp, t, layer, var, unit, f"{key}[{t}] is not finite")
    return None


def _delta_norm(bp: Breakpoint, trace: Trace, phase: Phase, t: int) -> Hit | None:
    model, row = trace.scenario.model, t - 1
    if phase == Phase.BPTT:
        for n, layer in enumerate(model.layers):
            for var in ("h", "c") if isinstance(layer, LSTMLayer) else ("h",):
                norm = float(np.linalg.norm(trace[f"l{n}/delta_{var}"][row]))
                below, above = bp.kind == "delta_below", bp.kind == "delta_above"
                if (below and norm < bp.threshold) or (above and norm > bp.threshold):
                    unit = int(np.argmax(np.abs(trace[f"l{n}/delta_{var}"][row])))
                    return Hit(bp, t, n, var, unit, f"‖δ{var}[{t}]‖ = {norm:.3g} in layer {n}")
    return None


def _saturation(bp: Breakpoint, trace: Trace, phase: Phase, t: int) -> Hit | None:
    model, row = trace.scenario.model, t - 1
    if phase == Phase.FORWARD:
        for n, layer in enumerate(model.layers):
            if not isinstance(layer, LSTMLayer):
                continue
            act = ACTIVATIONS[layer.gate_activation]
            for g in (g for g in layer.gates if g != "g"):  # the gates proper, not the candidate
                a, y = trace[f"l{n}/a_{g}"][row], trace[f"l{n}/{g}"][row]
                bad = (act.df(a, y) < SATURATED) | on_kink(layer.gate_activation, a)
                if bad.any():
                    unit = int(np.flatnonzero(bad)[0])
                    return Hit(bp, t, n, f"a_{g}", unit, f"gate {g} saturates at t = {t} (layer {n}, unit {unit})")
    return None


def _watch(bp: Breakpoint, trace: Trace, phase: Phase, t: int) -> Hit | None:
    if phase == Phase.FORWARD and bp.expression:
        value = evaluate(bp.expression, trace).per_step(trace.steps)[t - 1]
        if np.any(value != 0):
            top = len(trace.scenario.model.layers) - 1
            return Hit(bp, t, top, "h", 0, f"{bp.expression} holds at t = {t}")
    return None


def _node_of(key: str) -> tuple[int | None, str]:
    """The graph node a per-step trace key belongs to: ``l0/delta_c`` → (0, "c"), ``dx`` → (None, "x")."""
    k = Key.parse(key)
    name = k.name[len("delta_"):] if k.name.startswith("delta_") else ("h" if k.name == "eps_h" else k.name)
    if k.layer is not None:
        return k.layer, name
    return None, {"loss_t": "loss", "dx": "x"}.get(name, name)
