"""Breakpoints: conditions that stop playback when they first hold at the step just computed.

Kinds: ``nonfinite`` (a value, ε or δ is NaN or infinite), ``delta_below`` / ``delta_above`` (‖δh‖ or
‖δc‖ of a layer under / over a threshold: vanishing or exploding), ``saturation`` (a gate's σ̇ below
1e-3, or a pre-activation on a CReLU kink), ``watch`` (a watch expression is non-zero). A condition is
tested on what the current phase computes at step t: values in phase 1, ε in phase 2, δ in phase 3.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core import Trace
from ..core.activations import ACTIVATIONS, on_kink
from ..core.model import GATES, LSTMLayer
from .evaluator import evaluate

KINDS = ("nonfinite", "delta_below", "delta_above", "saturation", "watch")
SATURATED = 1e-3


@dataclass
class Breakpoint:
    kind: str
    threshold: float | None = None
    expression: str | None = None
    enabled: bool = True

    def describe(self) -> str:
        return {"nonfinite": "a value, ε or δ is not finite",
                "delta_below": f"‖δ‖ < {self.threshold:g} (vanishing)" if self.threshold is not None else "",
                "delta_above": f"‖δ‖ > {self.threshold:g} (exploding)" if self.threshold is not None else "",
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


def first_hit(breakpoints: list[Breakpoint], trace: Trace, phase: int, t: int) -> Hit | None:
    """The first enabled breakpoint that holds for what ``phase`` computed at step ``t`` (1-based)."""
    for bp in breakpoints:
        if bp.enabled:
            hit = _test(bp, trace, phase, t)
            if hit is not None:
                return hit
    return None


def _test(bp: Breakpoint, trace: Trace, phase: int, t: int) -> Hit | None:
    model = trace.scenario.model
    row = t - 1
    if bp.kind == "nonfinite":
        for key, value in trace.step_arrays().items():
            name = key.rsplit("/", 1)[-1]
            stage = 3 if name.startswith("delta_") or name == "dx" else (2 if name.startswith("eps_") else 1)
            if stage == phase and not np.isfinite(value[row]).all():
                layer, var = _split(key)
                unit = int(np.flatnonzero(~np.isfinite(value[row]))[0])
                return Hit(bp, t, layer, var, unit, f"{key}[{t}] is not finite")
        return None
    if bp.kind in ("delta_below", "delta_above") and phase == 3:
        for n, layer in enumerate(model.layers):
            for var in ("h", "c") if isinstance(layer, LSTMLayer) else ("h",):
                norm = float(np.linalg.norm(trace[f"l{n}/delta_{var}"][row]))
                if (bp.kind == "delta_below" and norm < bp.threshold) or (bp.kind == "delta_above" and norm > bp.threshold):
                    unit = int(np.argmax(np.abs(trace[f"l{n}/delta_{var}"][row])))
                    return Hit(bp, t, n, var, unit, f"‖δ{var}[{t}]‖ = {norm:.3g} in layer {n}")
        return None
    if bp.kind == "saturation" and phase == 1:
        for n, layer in enumerate(model.layers):
            if not isinstance(layer, LSTMLayer):
                continue
            act = ACTIVATIONS[layer.gate_activation]
            for g in GATES[:3]:
                if g == "f" and not layer.forget_gate:
                    continue
                a, y = trace[f"l{n}/a_{g}"][row], trace[f"l{n}/{g}"][row]
                bad = (act.df(a, y) < SATURATED) | on_kink(layer.gate_activation, a)
                if bad.any():
                    unit = int(np.flatnonzero(bad)[0])
                    return Hit(bp, t, n, f"a_{g}", unit, f"gate {g} saturates at t = {t} (layer {n}, unit {unit})")
        return None
    if bp.kind == "watch" and phase == 1 and bp.expression:
        value = evaluate(bp.expression, trace).per_step(trace.steps)[row]
        if np.any(value != 0):
            top = len(model.layers) - 1
            return Hit(bp, t, top, "h", 0, f"{bp.expression} holds at t = {t}")
    return None


def _split(key: str) -> tuple[int | None, str]:
    prefix, _, name = key.rpartition("/")
    name = name[len("delta_"):] if name.startswith("delta_") else ("h" if name == "eps_h" else name)
    if prefix.startswith("l"):
        return int(prefix[1:]), name
    return None, {"loss_t": "loss", "dx": "x"}.get(name, name)
