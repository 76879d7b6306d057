"""Every number a widget shows, looked up from the engine's trace by node (Qt-free).

A node is one variable of one unit at one step: ``NodeRef(layer, var, t, unit)`` with t 1-based as
in the course (``c[4]`` is row 3). Head and input nodes have ``layer = None``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ...core import Trace
from ...core.activations import ACTIVATIONS, on_kink
from ...core.model import LSTMLayer
from ..style import delta_label, label

PRE_ACTIVATIONS = {"a_i": "i", "a_f": "f", "a_o": "o", "a_g": "g"}
HEAD_VARS = ("y_hat", "y", "loss")


@dataclass(frozen=True)
class NodeRef:
    layer: int | None
    var: str
    t: int
    unit: int = 0

    @property
    def label(self) -> str:
        return f"{label(self.var)}[{self.t}]"

    def at(self, t: int) -> NodeRef:
        return NodeRef(self.layer, self.var, t, self.unit)

    def describe(self, trace: Trace) -> str:
        """``c[4], layer 1, unit 0`` (layers and units counted from 0 as in the trace keys)."""
        parts = [self.label]
        if self.layer is not None:
            parts.append(f"layer {self.layer}")
            if trace.scenario.model.layers[self.layer].hidden_size > 1 or self.unit:
                parts.append(f"unit {self.unit}")
        return ", ".join(parts)


_NODE = re.compile(r"^(?:l(?P<layer>\d+)/)?(?P<var>[a-z_]+)\[(?P<t>\d+)\](?:\[(?P<unit>\d+)\])?$")


def parse_node(text: str, trace: Trace) -> NodeRef:
    """``c[4]``, ``l1/h[3]``, ``l0/c[2][5]`` (unit 5) → NodeRef; the default layer is the top one."""
    m = _NODE.match(text.strip().replace("c̃", "g").replace("ŷ", "y_hat"))
    if not m:
        raise ValueError(f"cannot read node {text!r} (expected e.g. c[4], l1/h[3] or l0/c[2][5])")
    var, t = m["var"], int(m["t"])
    layers = trace.scenario.model.layers
    layer = None if var in HEAD_VARS or var == "x" else (int(m["layer"]) if m["layer"] else len(layers) - 1)
    if layer is not None and not 0 <= layer < len(layers):
        raise ValueError(f"node {text!r}: there is no layer {layer}")
    if layer is not None and var == "c" and not isinstance(layers[layer], LSTMLayer):
        var = "a"  # an RNN's excitation is shown as c (style.LABELS), its trace key is a
    if not 1 <= t <= trace.steps:
        raise ValueError(f"node {text!r}: t must be 1 to {trace.steps}")
    node = NodeRef(layer, var, t, int(m["unit"] or 0))
    if node.layer is not None and node.var not in layer_vars(layers[node.layer]):
        raise ValueError(f"node {text!r}: layer {layer} has no variable {var}")
    if node.layer is not None and node.unit >= layers[node.layer].hidden_size:
        raise ValueError(f"node {text!r}: layer {layer} has {layers[node.layer].hidden_size} units")
    return node


def unit_of(model, layer: int | None, unit: int) -> int:
    """A unit number clipped to a layer's width (layers may differ in width); 0 for the head and the input."""
    return 0 if layer is None else min(unit, model.layers[layer].hidden_size - 1)


def layer_vars(layer) -> tuple[str, ...]:
    if not isinstance(layer, LSTMLayer):
        return ("a", "h")
    return tuple(f"a_{g}" for g in layer.gates) + layer.gates + ("c", "h")


class Quantities:
    """Look-ups on one trace. Vector nodes (x, ŷ, y with more than one component) return arrays."""

    def __init__(self, trace: Trace):
        self.trace = trace
        self.model = trace.scenario.model
        self.data = trace.scenario.data

    # -- whole lanes, (T,) or (T, n) ------------------------------------------------------------
    def series(self, layer: int | None, var: str, unit: int = 0, kind: str = "value") -> np.ndarray:
        """A lane over time: kind ``value``, ``delta`` or ``eps`` (NaN where undefined)."""
        if kind == "value":
            return self._value_series(layer, var, unit)
        if kind == "delta":
            return self._delta_series(layer, var, unit)
        return self._eps_series(layer, var, unit)

    def _value_series(self, layer, var, unit):
        tr = self.trace
        if layer is None:
            return {"x": tr["x"], "y_hat": tr["y_hat"], "loss": tr["loss_t"], "y": self.data.targets}[var]
        return tr[f"l{layer}/{var}"][:, unit]

    def _delta_series(self, layer, var, unit):
        tr = self.trace
        if layer is None:
            if var == "x":
                return tr["dx"]
            if var == "y_hat":
                return tr.forward.head.dv
            if var == "loss":
                return np.where(self.data.mask != 0, 1.0, 0.0)
            return np.full(tr.steps, np.nan)
        return tr[f"l{layer}/delta_{var}"][:, unit]

    def _eps_series(self, layer, var, unit):
        """ε[t], the time-synchronous partial: εh[t] = ∂E/∂h[t] of any layer, and the slides' ε[t] = ∂E/∂c[t]
        of an RNN's excitation c (trace key a), εc[t] = εh[t]·σ̇(c[t]) (002, slide 21); NaN elsewhere."""
        T = self.trace.steps
        if layer is None or var not in ("h", "a"):
            return np.full(T, np.nan)
        eps_h = self.trace[f"l{layer}/eps_h"][:, unit]
        if var == "h":
            return eps_h
        act = ACTIVATIONS[self.model.layers[layer].activation]
        return eps_h * act.df(self._value_series(layer, "a", unit), self._value_series(layer, "h", unit))

    # -- single nodes ---------------------------------------------------------------------------
    def value(self, node: NodeRef):
        return self._value_series(node.layer, node.var, node.unit)[node.t - 1]

    def delta(self, node: NodeRef):
        return self._delta_series(node.layer, node.var, node.unit)[node.t - 1]

    def eps(self, node: NodeRef) -> float:
        return float(self._eps_series(node.layer, node.var, node.unit)[node.t - 1])

    def activation_of(self, node: NodeRef) -> str | None:
        """The activation applied to a pre-activation node (``a_i`` → the gate activation)."""
        if node.layer is None:
            return None
        layer = self.model.layers[node.layer]
        if not isinstance(layer, LSTMLayer):
            return layer.activation if node.var == "a" else None
        if node.var == "a_g":
            return layer.candidate_activation
        return layer.gate_activation if node.var in PRE_ACTIVATIONS else None

    def derivative(self, node: NodeRef) -> float:
        """σ̇ at a pre-activation node (the engine's convention: 0 on a kink)."""
        act = self.activation_of(node)
        a = self.value(node)
        out_var = "h" if node.var == "a" else PRE_ACTIVATIONS[node.var]
        y = self.value(NodeRef(node.layer, out_var, node.t, node.unit))
        return float(ACTIVATIONS[act].df(np.array([a]), np.array([y]))[0])

    def squashed_cell(self, layer: int, unit: int) -> np.ndarray:
        """σ_out(c[t]) of an LSTM unit, (T,): what o[t] multiplies to give h[t]."""
        return self.trace.forward.layers[layer].S[:, unit]

    def output_slope(self, layer: int, unit: int) -> np.ndarray:
        """σ̇_out(c[t]) of an LSTM unit, (T,): how much h[t]/o[t] moves with c[t]."""
        lf = self.trace.forward.layers[layer]
        act = ACTIVATIONS[self.model.layers[layer].cell_output_activation]
        return act.df(lf.C[:, unit], lf.S[:, unit])

    def on_kink(self, node: NodeRef) -> bool:
        act = self.activation_of(node)
        return bool(act and on_kink(act, np.array([self.value(node)]))[0])

    def kink_mask(self, layer: int, var: str, unit: int) -> np.ndarray:
        """(T,) booleans: which steps of a pre-activation lane sit on a kink."""
        node = NodeRef(layer, var, 1, unit)
        act = self.activation_of(node)
        if act is None:
            return np.zeros(self.trace.steps, dtype=bool)
        return on_kink(act, self._value_series(layer, var, unit))

    def delta_label(self, var: str) -> str:
        """``δc``, ``δv``; ``εŷ`` for the ŷ of an identity head (:func:`..style.delta_label`)."""
        return delta_label(var, self.model.head.type == "identity")
