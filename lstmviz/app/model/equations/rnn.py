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

from ....core.model import LSTMLayer, tap_name
from ...numbers import fmt
from .course import one_node_rnn
from .notation import bracket, cut_terms, dot_text, jump_note, product, slope, sum_text, symbol
from .terms import Parts, Term
from .view import NodeView
from .window import recurrent_share, tap_share


def taps(layer) -> tuple[int, ...]:
    """The extra delays d ≥ 2 of a multi-tap RNN layer (002, slide 6); () for a plain RNN or an LSTM."""
    return () if isinstance(layer, LSTMLayer) else layer.taps


def excitation(v: NodeView, rhs: str, numbers: list[str]) -> Parts:
    """The excitation node c[t] of an RNN layer, given the general right-hand side and its numbers."""
    node, t = v.node, v.node.t
    layer = v.model.layers[node.layer]
    lhs = v.name("a", t)
    if one_node_rnn(layer):
        x, u, h_prev = float(v.input_series(0)[t - 1, 0]), float(layer.params["U"][0, 0]), v.prev("h", t)
        rhs, numbers = f"x[{t}] + u·h[{t - 1}]", [fmt(x), product(u, h_prev)]
    tap_text, tap_numbers = tap_inputs(v)
    rhs, numbers = rhs + tap_text, numbers + tap_numbers
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


def tap_inputs(v: NodeView) -> tuple[str, list[str]]:
    """The taps' addends of c[t], ' + u_2·h[t−2]' ((U_2·h[t−2])[unit] for a matrix), and their numbers."""
    n, t, unit = v.node.layer, v.node.t, v.node.unit
    layer = v.model.layers[n]
    text, numbers = "", []
    for j, d in enumerate(taps(layer)):
        U, h = layer.params[tap_name(d)], v.trace.forward.layers[n].h_taps[t - 1, j]
        past = f"h[{step(t - d)}]"
        if U.size == 1:
            text += f" + {symbol(tap_name(d), True)}·{past}"
            numbers.append(product(U[0, 0], h[0]))
        else:
            text += f" + ({symbol(tap_name(d), False)}·{past})[{unit}]"
            numbers.append(fmt(U[unit] @ h))
    return text, numbers


def step(t: int) -> str:
    """A step number with a proper minus sign (a tap reaches h[−1] before the sequence)."""
    return f"−{-t}" if t < 0 else str(t)


def top_terms(v: NodeView) -> list[Term]:
    """εc[t] + Σ_d (U_dᵀ·δc[t+d])[unit]·σ̇(c[t]) over the delays d (1 and the taps); the 1×1 case reads
    u·δc[t+1] + u_2·δc[t+2], times σ̇(c[t]) unless σ_h is linear."""
    node, n, t = v.node, v.node.layer, v.node.t
    layer = v.model.layers[n]
    eps = v.q.eps(node)
    terms = [Term(f"ε{v.name('a', t)}", fmt(eps), eps, v.at("h", t), v.kink_term_note(node))]
    later = later_terms(v, layer.delays)
    if layer.activation == "linear":
        return terms + later
    s = v.q.derivative(node)
    return terms + [Term(f"{term.text}·{slope(v.name('a', t))}", times(term.numbers, s), term.value * s,
                         term.target, term.note or v.kink_term_note(node)) for term in later]


def later_terms(v: NodeView, delays: tuple[int, ...]) -> list[Term]:
    """u_d·δc[t+d] for each delay d with t + d ≤ T ((U_dᵀ·δc[t+d])[unit] for a matrix): what reaches h[t]
    of an RNN layer from later steps, each cut where the mode cuts h[t] → step t + d."""
    n, t, unit = v.node.layer, v.node.t, v.node.unit
    layer = v.model.layers[n]
    terms = []
    for d in delays:
        if t + d > v.T:
            continue
        U, da = layer.params[tap_name(d)], v.da(n, "a", t + d)
        name, later = symbol(tap_name(d), U.size == 1), v.name("a", t + d, n)
        if U.size == 1:
            text, numbers = f"{name}·δ{later}", product(U[0, 0], da[0])
        else:
            text, numbers = f"({name}ᵀ·δ{later})[{unit}]", dot_text(da, U[:, unit])
        term = Term(text, numbers, float(U[:, unit] @ da), v.at("a", t + d, n, int(np.argmax(np.abs(U[:, unit] * da)))))
        terms += cut_terms([term], jump_note(v.trace.mode, t, t + d))
        terms += recurrent_share(v, t + 1, [term]) if d == 1 else tap_share(v, d, term)
    return terms


def times(numbers: str, factor: float) -> str:
    """``numbers·factor``, bracketing a sum first."""
    grouped = f"({numbers})" if " + " in numbers or " − " in numbers else numbers
    return f"{grouped}·{bracket(fmt(factor))}"
