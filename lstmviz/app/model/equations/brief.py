"""The one number a phase computes for a node, in two lines: what it is, and its equation with the
numbers substituted — for the lecture hall's equation band and for predict-then-reveal (Qt-free).

Phase 1 computes a node's value, phase 2 the ε of an h node, phase 3 (and later) its δ; a weight
entry's dE/dw adds up in phase 4 and the update is applied in phase 5.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ....core import Trace
from ....core.phases import Phase
from ...numbers import fmt
from ..phases import Playhead
from ..quantities import NodeRef
from .explain import explain
from .head import output_term
from .notation import dot_text, product, sum_text, symbol
from .terms import Explanation
from .view import NodeView
from .weights import explain_weight


@dataclass(frozen=True)
class Brief:
    kind: str                   # "value", "eps", "delta" or "grad"
    name: str                   # "c[4]", "δc[4]", "εh[4]", "dE/dw_i"
    value: float | np.ndarray | None  # None: nothing to compute (a target's δ)
    computed: bool              # whether the playhead has reached it
    equation: str               # "c[4] = f[4]·c[3] + i[4]·x[4]"
    numbers: str                # "= 1.00·3.00 + 1.00·1.00 = 4.00" ("" when there is nothing to substitute)
    when: str                   # which phase and step compute it


def kind_at(phase: Phase, node: NodeRef) -> str:
    """What the phase computes for the node: values in 1, ε (of an h node) in 2, δ from 3 on."""
    if phase == Phase.FORWARD or (phase == Phase.SYNC and not _has_eps(node)):
        return "value"
    return "eps" if phase == Phase.SYNC else "delta"


def _has_eps(node: NodeRef) -> bool:
    """h nodes, and an RNN's excitation c (trace key a), whose ε the slides compute in phase 2."""
    return node.layer is not None and node.var in ("h", "a")


def node_brief(trace: Trace, playhead: Playhead, node: NodeRef, kind: str | None = None) -> Brief:
    """The node's value, ε or δ (by default what the playhead's phase computes) with its equation."""
    kind = kind or kind_at(playhead.phase, node)
    ex = explain(trace, node)
    t = node.t
    if kind == "value":
        computed = node.var == "y" or playhead.value_visible(t)
        return Brief(kind, node.label, ex.value, computed, ex.equation, _numbers(ex.substituted),
                     f"phase 1, step t = {t}")
    if kind == "eps":
        equation, numbers = eps_parts(trace, node)
        return Brief(kind, f"ε{node.label}", ex.eps, playhead.eps_visible(t), equation, numbers,
                     f"phase 2, step t = {t}")
    return _delta_brief(ex, playhead, node)


def _delta_brief(ex: Explanation, playhead: Playhead, node: NodeRef) -> Brief:
    name = ex.delta_equation.partition(" = ")[0] or f"δ{node.label}"
    when = f"phase 3, step t = {node.t} (δ runs from t = {playhead.T} down)"
    if ex.delta is None:
        return Brief("delta", name, None, True, "A target has no δ: nothing depends on it through the weights.",
                     "", when)
    numbers = sum_text([term.numbers for term in ex.delta_terms]) if ex.delta_terms else ""
    numbers = f"= {numbers} = {fmt(ex.delta)}" if numbers and numbers != fmt(ex.delta) else f"= {fmt(ex.delta)}"
    return Brief("delta", name, ex.delta, playhead.delta_visible(node.t), ex.delta_equation, numbers, when)


def eps_parts(trace: Trace, node: NodeRef) -> tuple[str, str]:
    """εh[t] = ∂E[t]/∂h[t]: through the head for the top layer, through the layer above otherwise;
    εc[t] = ∂E[t]/∂c[t] = εh[t]·σ̇(c[t]) for an RNN's excitation (just εh's right-hand side when σ_h is linear)."""
    if node.var == "a":
        return _excitation_eps(trace, node)
    v = NodeView(trace, node)
    t, u = node.t, node.unit
    model = trace.scenario.model
    eps = float(v.q.eps(node))
    if node.layer != len(model.layers) - 1:
        return (f"ε{v.name('h', t)} = ∂E[{t}]/∂h[{t}]: through layer {node.layer + 1} at the same step",
                f"= {fmt(eps)}")
    if model.head.type == "identity":
        term = output_term(NodeView(trace, NodeRef(None, "y_hat", t, 0)))
        return f"εh[{t}] = ∂E[{t}]/∂h[{t}] = {term.text}", f"= {term.numbers} = {fmt(eps)}"
    W = model.head.params["W_y"][:, u]
    dv = trace.forward.head.dv[t - 1]
    if W.size == 1:
        return (f"εh[{t}] = ∂E[{t}]/∂h[{t}] = δv[{t}]·{symbol('W_y', True)}",
                f"= {fmt(float(dv[0]))}·{fmt(float(W[0]))} = {fmt(eps)}")
    return f"εh[{t}] = ∂E[{t}]/∂h[{t}] = ({symbol('W_y', False)}ᵀ·δv[{t}])[{u}]", f"= {dot_text(dv, W)} = {fmt(eps)}"


def _excitation_eps(trace: Trace, node: NodeRef) -> tuple[str, str]:
    v = NodeView(trace, node)
    t, c = node.t, v.name("a", node.t)
    h_node = NodeRef(node.layer, "h", t, node.unit)
    eps_c = fmt(v.q.eps(node))
    if trace.scenario.model.layers[node.layer].activation == "linear":   # h = c: the same partial
        h_equation, h_numbers = eps_parts(trace, h_node)
        rhs = h_equation.split(" = ", 2)[2] if h_equation.count(" = ") >= 2 else f"ε{v.name('h', t)}"
        return f"ε{c} = ∂E[{t}]/∂{c} = {rhs}", h_numbers
    return (f"ε{c} = ∂E[{t}]/∂{c} = ε{v.name('h', t)}·σ̇({c})",
            f"= {product(v.q.eps(h_node), v.q.derivative(node))} = {eps_c}")


def weight_brief(trace: Trace, playhead: Playhead, key: str, index: tuple[int, ...]) -> Brief:
    """dE/dw of a weight entry so far: phase 4 adds one step's term δ·input at a time."""
    wx = explain_weight(trace, key, index)
    k = playhead.grad_steps
    partial = float(wx.per_step[:k].sum())
    if k == 0:
        numbers = ""
    elif k <= 3:
        numbers = "= " + sum_text([fmt(float(x)) for x in wx.per_step[:k]]) + f" = {fmt(partial)}"
    else:
        last = fmt(float(wx.per_step[k - 1]))
        last = f"− {last[1:]}" if last.startswith("−") else f"+ {last}"
        numbers = f"= … {last} (t = {k}) = {fmt(partial)}"
    state = "" if k in (0, playhead.T) else f" (t = 1 … {k} of {playhead.T})"
    return Brief("grad", f"dE/d{wx.label}", partial if k else wx.grad, k > 0, wx.equation + state, numbers,
                 "phase 4, summed over t = 1 … T")


def _numbers(substituted: str) -> str:
    """``c[4] = 1.00·3.00 + 1.00·1.00 = 4.00`` → ``= 1.00·3.00 + 1.00·1.00 = 4.00``."""
    head, sep, rest = substituted.partition(" = ")
    return f"= {rest}" if sep else substituted

