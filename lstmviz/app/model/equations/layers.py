"""Explanations of a layer's nodes: pre-activations, gates, the cell and the output, and their δ terms."""
from __future__ import annotations

import numpy as np

from ...numbers import fmt
from .course import forget_gate_rnn
from .notation import (
    act_name,
    cut_note,
    cut_terms,
    dot_text,
    out_var,
    param_label,
    param_name,
    pre_vars,
    product,
    slope,
    squeeze,
    sum_text,
    symbol,
)
from .rnn import excitation, later_terms, taps
from .terms import Parts, Term
from .view import NodeView
from .window import cell_share, recurrent_share

CANDIDATE_NOTE = ("δc̃ is an extra of the app: the slides back-propagate to five variables, δh, δc, δi, δo and δf "
                  "(002, slide 45), and fold the candidate into δh's last term, i[t+1]·δc[t+1]·σ̇·u_c̃ (slide 52)")


def affine_parts(v: NodeView) -> tuple[str, list[str]]:
    """The right-hand side ``w_k·x[t] + u_k·h[t−1] + b_k`` (+ peephole) of a pre-activation and its numbers."""
    node, n, t, u = v.node, v.node.layer, v.node.t, v.node.unit
    layer = v.model.layers[n]
    p = layer.params
    W, U, b = (param_name(m, node.var) for m in ("W", "U", "b"))
    x = v.input_series(n)[t - 1]
    h_prev = v.trace.forward.layers[n].h_prev[t - 1]  # the h this step read (h0 at t = 1)
    inp = f"{v.input_name(n)}[{t}]"
    scalar = p[W].size == 1
    w, uu, bb = (symbol(name, scalar) for name in (W, U, b))
    if scalar:
        rhs = f"{w}·{inp} + {uu}·h[{t - 1}] + {bb}"
        numbers = [product(p[W][0, 0], x[0]), product(p[U][0, 0], h_prev[0]), fmt(p[b][0])]
    else:
        rhs = f"({w}·{inp} + {uu}·h[{t - 1}] + {bb})[{u}]"
        numbers = [fmt(p[W][u] @ x), fmt(p[U][u] @ h_prev), fmt(p[b][u])]
    peephole = param_name("p", node.var)
    if node.var != "a" and peephole in layer.param_shapes():
        c_t, c_value = (t, v.value("c", t)) if node.var == "a_o" else (t - 1, v.prev("c", t))
        rhs += f" + {param_label(p[peephole], peephole, (u,))}·c[{c_t}]"
        numbers.append(product(p[peephole][u], c_value))
    return rhs, numbers


def pre_activation(v: NodeView) -> Parts:
    """a_k[t] = w_k·x[t] + u_k·h[t−1] + b_k (+ peephole); δa_k[t] = δk[t]·σ̇(a_k[t]) for a gate k and
    δa_c̃[t] = δc[t]·i[t]·σ̇(a_c̃[t]) for the candidate (001's ∂J/∂a_c)."""
    node, t = v.node, v.node.t
    rhs, numbers = affine_parts(v)
    if node.var == "a":
        return excitation(v, rhs, numbers)
    lhs = v.name(node.var, t)
    kink = v.kink_note(node)
    text, factors, target = path_to(v, node.layer, node.var, t)
    term = Term(f"{text}·{slope(lhs)}", product(*factors, v.q.derivative(node)), float(v.q.delta(node)), target,
                v.kink_term_note(node))
    return Parts(f"{lhs} = {rhs}", f"{lhs} = {sum_text(numbers)} = {fmt(v.q.value(node))}",
                  [term], [kink] if kink else [])


def path_to(v: NodeView, layer: int, pre: str, t: int, unit: int | None = None):
    """The δ a pre-activation's σ̇ multiplies, in the slides' variables: δi[t] (δo, δf) for a gate, δc[t]·i[t]
    for the candidate (so that δc̃ is not needed). Returns (text, factors, the node a click jumps to)."""
    if pre == "a_g":
        return (f"δ{v.name('c', t, layer)}·{v.name('i', t, layer)}",
                [v.delta("c", t, layer, unit), v.value("i", t, layer, unit)], v.at("c", t, layer, unit))
    out = out_var(pre)
    return f"δ{v.name(out, t, layer)}", [v.delta(out, t, layer, unit)], v.at(out, t, layer, unit)


def activation_parts(v: NodeView, pre: str, act: str) -> tuple[str, str, list[str]]:
    """'i[4] = CReLU(a_i[4])', 'i[4] = CReLU(1.00) = 1.00' and the kink note of a value node."""
    t = v.node.t
    lhs, a = v.name(v.node.var, t), v.name(pre, t)
    value = fmt(v.q.value(v.node))
    kink = v.kink_note(v.at(pre, t))
    if act == "linear":
        return f"{lhs} = {a}", f"{lhs} = {value}", []
    substituted = f"{lhs} = {act_name(act)}({fmt(v.value(pre, t))}) = {value}"
    return f"{lhs} = {act_name(act)}({a})", substituted, [kink] if kink else []


def gate(v: NodeView) -> Parts:
    """i, f, o, c̃ = σ(a); δo = δh·σ_out(c), δi = δc·c̃, δf = δc·c[t−1], δc̃ = δc·i as in the slides."""
    node, t = v.node, v.node.t
    layer = v.model.layers[node.layer]
    pre = f"a_{node.var}"
    act = layer.candidate_activation if node.var == "g" else layer.gate_activation
    equation, substituted, notes = activation_parts(v, pre, act)
    delta = float(v.q.delta(node))
    if node.var == "o":
        out = layer.cell_output_activation
        c_text = v.name("c", t) if out == "linear" else f"{act_name(out)}({v.name('c', t)})"
        s = float(v.q.squashed_cell(node.layer, node.unit)[t - 1])
        term = Term(f"δh[{t}]·{c_text}", product(v.delta("h", t), s), delta, v.at("h", t))
    else:
        other, other_value = {"i": (f"c̃[{t}]", v.value("g", t)), "f": (f"c[{t - 1}]", v.prev("c", t)),
                              "g": (f"i[{t}]", v.value("i", t))}[node.var]
        term = Term(f"δc[{t}]·{other}", product(v.delta("c", t), other_value), delta, v.at("c", t))
    return Parts(equation, substituted, [term], notes + ([CANDIDATE_NOTE] if node.var == "g" else []))


def cell(v: NodeView) -> Parts:
    """c[t] = f[t]·c[t−1] + i[t]·c̃[t] (c[t−1] + i[t]·c̃[t] without a forget gate); the slides'
    c[t] = x[t] + f[t]·h[t−1] when the layer is their forget-gate RNN (i = 1, c̃ = x, h = c)."""
    t = v.node.t
    layer = v.model.layers[v.node.layer]
    if forget_gate_rnn(layer):
        x, f, h = float(v.input_series(0)[t - 1, 0]), v.value("f", t), v.prev("h", t)
        equation = f"c[{t}] = x[{t}] + f[{t}]·h[{t - 1}]"
        substituted = f"c[{t}] = {sum_text([fmt(x), product(f, h)])} = {fmt(v.q.value(v.node))}"
        note = ("This LSTM is the slides' forget-gate RNN (002, slides 26 and 33): i = 1, c̃[t] = x[t] and o = 1, "
                "so h = c and the cell c[t] = f[t]·c[t−1] + i[t]·c̃[t] reads c[t] = x[t] + f[t]·h[t−1]")
        return Parts(equation, substituted, delta_c_terms(v), [note])
    if layer.forget_gate:
        rhs, first = f"f[{t}]·c[{t - 1}]", product(v.value("f", t), v.prev("c", t))
    else:
        rhs, first = f"c[{t - 1}]", fmt(v.prev("c", t))
    equation = f"c[{t}] = {rhs} + i[{t}]·c̃[{t}]"
    substituted = f"c[{t}] = {sum_text([first, product(v.value('i', t), v.value('g', t))])} = {fmt(v.q.value(v.node))}"
    return Parts(equation, substituted, delta_c_terms(v), [])


def delta_c_terms(v: NodeView) -> list[Term]:
    """δh[t]·o[t]·σ̇(c[t]) + δa_o[t]·p_o + δc[t+1]·f[t+1] + δa_i[t+1]·p_i + δa_f[t+1]·p_f (σ̇ of the cell output)."""
    n, t, u = v.node.layer, v.node.t, v.node.unit
    layer = v.model.layers[n]
    shapes = layer.param_shapes()
    dh, o = v.delta("h", t), v.value("o", t)
    out = layer.cell_output_activation
    if out == "linear":
        terms = [Term(f"δh[{t}]·o[{t}]", product(dh, o), dh * o, v.at("h", t))]
    else:
        ds = float(v.q.output_slope(n, u)[t - 1])
        terms = [Term(f"δh[{t}]·o[{t}]·{slope(f'c[{t}]')}", product(dh, o, ds), dh * o * ds, v.at("h", t))]
    if "p_o" in shapes:
        terms.append(peephole_term(v, "a_o", t))
    if t == v.T:
        return terms
    dc = v.delta("c", t + 1)
    if layer.forget_gate:
        f = v.value("f", t + 1)
        forward_term = Term(f"δc[{t + 1}]·f[{t + 1}]", product(dc, f), dc * f, v.at("c", t + 1))
    else:
        forward_term = Term(f"δc[{t + 1}]", fmt(dc), dc, v.at("c", t + 1))
    terms += cut_terms([forward_term], cut_note(v.trace.mode, t + 1, "cell"))
    peepholes = [peephole_term(v, f"a_{g}", t + 1) for g in ("i", "f") if f"p_{g}" in shapes]
    terms += cut_terms(peepholes, cut_note(v.trace.mode, t + 1, "peephole"))
    return terms + cell_share(v, t + 1, [forward_term] + peepholes)


def peephole_term(v: NodeView, pre: str, t: int) -> Term:
    p = v.model.layers[v.node.layer].params[param_name("p", pre)]
    da = v.delta(pre, t)
    return Term(f"δ{v.name(pre, t)}·{param_label(p, param_name('p', pre), (v.node.unit,))}",
                product(da, p[v.node.unit]), da * p[v.node.unit], v.at(pre, t))


def lstm_output(v: NodeView) -> Parts:
    """h[t] = o[t]·σ_out(c[t]); the slides' h[t] = c[t] for their forget-gate RNN (o = 1, linear output)."""
    t = v.node.t
    layer = v.model.layers[v.node.layer]
    out = layer.cell_output_activation
    o, c = v.value("o", t), v.value("c", t)
    if forget_gate_rnn(layer):
        return Parts(f"h[{t}] = c[{t}]", f"h[{t}] = {fmt(v.q.value(v.node))}", delta_h_terms(v),
                     ["o = 1 and the cell output is linear, so h[t] = o[t]·c[t] is the slides' h[t] = c[t]"])
    if out == "linear":
        equation, numbers = f"h[{t}] = o[{t}]·c[{t}]", product(o, c)
    else:
        equation, numbers = f"h[{t}] = o[{t}]·{act_name(out)}(c[{t}])", f"{fmt(o)}·{act_name(out)}({fmt(c)})"
    substituted = f"h[{t}] = {numbers} = {fmt(v.q.value(v.node))}"
    return Parts(equation, substituted, delta_h_terms(v), [])


def rnn_output(v: NodeView) -> Parts:
    """h[t] = act(a[t])."""
    equation, substituted, notes = activation_parts(v, "a", v.model.layers[v.node.layer].activation)
    return Parts(equation, substituted, delta_h_terms(v), notes)


def delta_h_terms(v: NodeView) -> list[Term]:
    """εh[t] (top layer) or the same-step terms from the layer above, then the recurrent terms from t+1."""
    n, t, u = v.node.layer, v.node.t, v.node.unit
    if n == len(v.model.layers) - 1:
        eps = v.q.eps(v.node)
        terms = [Term(f"εh[{t}]", fmt(eps), eps, v.at("y_hat", t, None, 0))]
    else:
        terms = matrix_terms(v, n + 1, t, "W", u)
    if t < v.T:
        recurrent = matrix_terms(v, n, t + 1, "U", u)
        terms += cut_terms(recurrent, cut_note(v.trace.mode, t + 1, "recurrent")) + recurrent_share(v, t + 1, recurrent)
    return terms + later_terms(v, taps(v.model.layers[n]))   # an RNN's taps: u_2·δc[t+2], …


def matrix_terms(v: NodeView, layer: int, t: int, mat: str, col: int | None) -> list[Term]:
    """One term per pre-activation k of ``layer`` at step t, in the course's order (i, o, f, c̃):
    (M_kᵀ·δa_k[t])[col], M = W or U.

    ``col`` None gives the whole vector M_kᵀ·δa_k[t] (δx). A 1×1 M is written in the slides' form
    δk[t]·σ̇(a_k[t])·m_k, δc[t]·i[t]·σ̇(a_c̃[t])·m_c̃ for the candidate and m·δc[t] for an RNN's
    excitation. The target is the unit of ``layer`` contributing most.
    """
    terms = []
    for pre in pre_vars(v.model.layers[layer]):
        name = param_name(mat, pre)
        M = v.model.layers[layer].params[name]
        Mc = M if col is None else M[:, col]
        da = v.da(layer, pre, t)
        weight = np.abs(Mc) if Mc.ndim == 1 else np.linalg.norm(Mc, axis=1)
        target = v.at(pre, t, layer, int(np.argmax(np.abs(da) * weight)))
        sup, a = v.sup(layer), v.name(pre, t, layer)
        note = ""
        if M.size == 1:
            text, numbers, note = _scalar_term(v, layer, pre, t, f"{symbol(name, True)}{sup}", M[0, 0])
        elif col is None:
            text = f"{symbol(name, False)}{sup}ᵀ·δ{a}"
            numbers = f"{symbol(name, False)}{sup}ᵀ·{fmt(da)}"
        else:
            text = f"({symbol(name, False)}{sup}ᵀ·δ{a})[{col}]"
            numbers = dot_text(da, Mc)
        terms.append(Term(text, numbers, squeeze(da @ Mc), target, note))
    return terms


def _scalar_term(v: NodeView, layer: int, pre: str, t: int, weight: str, value: float) -> tuple[str, str, str]:
    """The text, numbers and kink note of one 1×1 weight's term: δi[t]·σ̇(a_i[t])·u_i, u·δc[t]."""
    if pre == "a":  # an RNN: δc is the excitation's own δ, as in the slides' u·δ[t+1]
        return f"{weight}·δ{v.name(pre, t, layer)}", product(value, v.delta(pre, t, layer, 0)), ""
    text, factors, _ = path_to(v, layer, pre, t, 0)
    node = v.at(pre, t, layer, 0)
    return (f"{text}·{slope(v.name(pre, t, layer))}·{weight}", product(*factors, v.q.derivative(node), value),
            v.kink_term_note(node))
