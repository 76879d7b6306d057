"""An RNN layer the slides' way (002, slides 17–24): the excitation c[t], its ε and its δ.

    c[t] = w·x[t] + u·h[t−1] + b        (c[t] = x[t] + u·h[t−1] for the slides' one-node RNN)
    h[t] = σ_h(c[t])
    εc[t] = ∂E/∂c[t] = εh[t]·σ̇(c[t])    the time-synchronous partial (phase 2)
    δc[t] = dE/dc[t] = εc[t] + u·δc[t+1]·σ̇(c[t])   (top layer; σ̇ = 1 for a linear σ_h: δ[t] = ε[t] + u·δ[t+1])

A lower layer's δc[t] is δh[t]·σ̇(c[t]): its δh also gathers what the layer above sends back from later steps,
which its ε does not hold. The engine's trace key of the excitation is ``a`` (style.LABELS names it c).
"""
from __future__ import annotations

import numpy as np

from ...numbers import fmt
from .course import one_node_rnn
from .notation import cut_note, cut_terms, product, slope, sum_text
from .terms import Parts, Term
from .view import NodeView


def excitation(v: NodeView, rhs: str, numbers: list[str]) -> Parts:
    """The excitation node c[t] of an RNN layer, given the general right-hand side and its numbers."""
    node, t = v.node, v.node.t
    layer = v.model.layers[node.layer]
    lhs = v.name("a", t)
    if one_node_rnn(layer):
        x, u, h_prev = float(v.input_series(0)[t - 1, 0]), float(layer.params["U"][0, 0]), v.prev("h", t)
        rhs, numbers = f"x[{t}] + u·h[{t - 1}]", [fmt(x), product(u, h_prev)]
    kink = v.kink_note(node)
    notes = [kink] if kink else []
    if node.layer == len(v.model.layers) - 1:
        terms = top_terms(v)
        if layer.hidden_size == 1:
                notes.append("The slides write this one unit's ε and δ without a subscript: ε[t] = ∂E/∂c[t] holds "
                         "every other step constant, δ[t] = dE/dc[t] is the total derivative (002, slides 20–21)")
    else:
        term = Term(f"δ{v.name('h', t)}·{slope(lhs)}", product(v.delta("h", t), v.q.derivative(node)),
                    float(v.q.delta(node)), v.at("h", t), v.kink_term_note(node))
        terms = [term]
    return Parts(f"{lhs} = {rhs}", f"{lhs} = {sum_text(numbers)} = {fmt(v.q.value(node))}", terms, notes)


def top_terms(v: NodeView) -> list[Term]:
    """εc[t] + (Uᵀ·δc[t+1])[unit]·σ̇(c[t]); the 1×1 case reads u·δc[t+1], times σ̇(c[t]) unless σ_h is linear."""
    node, n, t, unit = v.node, v.node.layer, v.node.t, v.node.unit
    layer = v.model.layers[n]
    eps = v.q.eps(node)
    terms = [Term(f"ε{v.name('a', t)}", fmt(eps), eps, v.at("h", t), v.kink_term_note(node))]
    if t == v.T:
        return terms
    U = layer.params["U"]
    da = v.trace[f"l{n}/delta_a"][t]           # δc[t+1] over the layer's units
    slope_value = v.q.derivative(node)
    linear = layer.activation == "linear"
    if U.size == 1:
        text, factors = f"u·δ{v.name('a', t + 1)}", [U[0, 0], da[0]]
    else:
        text, factors = f"(Uᵀ·δ{v.name('a', t + 1)})[{unit}]", [float(U[:, unit] @ da)]
    if not linear:
        text, factors = f"{text}·{slope(v.name('a', t))}", factors + [slope_value]
    value = float(np.prod(factors))
    term = Term(text, product(*factors), value, v.at("a", t + 1), "" if linear else v.kink_term_note(node))
    return terms + cut_terms([term], cut_note(v.trace.mode, t + 1, "recurrent"))
