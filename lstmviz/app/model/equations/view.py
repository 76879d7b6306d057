"""One trace seen from one node: look-ups, and names relative to the node's layer."""
from __future__ import annotations

import numpy as np

from ....core import Trace
from ...numbers import fmt
from ...style import LABELS
from ..quantities import NodeRef, Quantities
from .notation import DOT, SUPERSCRIPTS, act_name


class NodeView:
    """One trace seen from one node: look-ups, and names relative to the node's layer."""

    def __init__(self, trace: Trace, node: NodeRef):
        self.trace, self.node = trace, node
        self.q = Quantities(trace)
        self.model = trace.scenario.model
        self.T = trace.steps

    def at(self, var: str, t: int, layer: int | None = -1, unit: int | None = None) -> NodeRef:
        """A node; layer and unit default to the explained node's."""
        return NodeRef(self.node.layer if layer == -1 else layer, var, t, self.node.unit if unit is None else unit)

    def value(self, var: str, t: int, layer: int | None = -1, unit: int | None = None) -> float:
        return float(self.q.value(self.at(var, t, layer, unit)))

    def delta(self, var: str, t: int, layer: int | None = -1, unit: int | None = None) -> float:
        return float(self.q.delta(self.at(var, t, layer, unit)))

    def prev(self, var: str, t: int) -> float:
        """h[t−1] or c[t−1] of the node's layer and unit (the initial state at t = 1)."""
        lf = self.trace.forward.layers[self.node.layer]
        return float((lf.h_prev if var == "h" else lf.c_prev)[t - 1, self.node.unit])

    def da(self, layer: int, pre: str, t: int) -> np.ndarray:
        """The engine's δ of a pre-activation over the units of a layer at step t."""
        return self.trace[f"l{layer}/delta_{pre}"][t - 1]

    def sup(self, layer: int | None) -> str:
        """⁽ˡ⁾ for a quantity of another layer than the node's (in models with several layers)."""
        if layer is None or layer == self.node.layer or len(self.model.layers) == 1:
            return ""
        return f"⁽{layer}⁾".translate(SUPERSCRIPTS)

    def name(self, var: str, t: int | str, layer: int | None = -1) -> str:
        return f"{LABELS.get(var, var)}{self.sup(self.node.layer if layer == -1 else layer)}[{t}]"

    def input_name(self, layer: int) -> str:
        """x for the bottom layer, h⁽ˡ⁻¹⁾ for the others."""
        return "x" if layer == 0 else f"h{self.sup(layer - 1)}"

    def input_series(self, layer: int) -> np.ndarray:
        return self.trace["x"] if layer == 0 else self.trace[f"l{layer - 1}/h"]

    def kink_note(self, pre: NodeRef) -> str:
        """The note for the explanation of a node whose activation sits on a kink ("" if not)."""
        if not self.q.on_kink(pre):
            return ""
        return (f"{self.name(pre.var, pre.t, pre.layer)} = {fmt(self.q.value(pre))} sits on a "
                f"{act_name(self.q.activation_of(pre))} kink: {DOT} is taken as 0 there")

    def kink_term_note(self, pre: NodeRef) -> str:
        """The short note for a term that has σ̇ of ``pre`` as a factor ("" if not on a kink)."""
        return f"on a {act_name(self.q.activation_of(pre))} kink: {DOT} = 0" if self.q.on_kink(pre) else ""
