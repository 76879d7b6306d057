"""Explanations of the input, the output ŷ, the target y and the loss E."""
from __future__ import annotations

import numpy as np

from ...numbers import fmt
from .layers import matrix_terms
from .notation import bracket, product, squeeze, sum_text, symbol
from .terms import Parts, Term
from .view import NodeView


def input_node(v: NodeView) -> Parts:
    t = v.node.t
    return Parts(f"x[{t}]: input (data)", f"x[{t}] = {fmt(squeeze(v.q.value(v.node)))}",
                  matrix_terms(v, 0, t, "W", None), [])


def target_node(v: NodeView) -> Parts:
    t = v.node.t
    y = squeeze(v.q.value(v.node))
    shown = f"class {int(y)}" if v.model.head.loss == "softmax_xent" else fmt(y)
    return Parts(f"y[{t}]: target (data)", f"y[{t}] = {shown}", [], [])


def mask_notes(v: NodeView) -> list[str]:
    t = v.node.t
    m = float(v.trace.scenario.data.mask[t - 1])
    return [] if m != 0 else [f"m[{t}] = 0: step {t} is not scored, so E[{t}] = 0 and no error starts here"]


def output_node(v: NodeView) -> Parts:
    """ŷ[t] = h[t] or W_v·h[t] + b_v (softmax for softmax_xent; 001's names, the file's W_y, b_y);
    δv[t] = m[t]·(ŷ[t] − y[t]), written εŷ[t] for an identity head."""
    t, head = v.node.t, v.model.head
    top = len(v.model.layers) - 1
    h = v.trace[f"l{top}/h"][t - 1]
    h_name = v.name("h", t, top)
    if head.type == "identity":
        rhs, numbers = h_name, fmt(squeeze(h))
    elif head.params["W_y"].size == 1:
        rhs = f"{symbol('W_y', True)}·{h_name} + {symbol('b_y', True)}"   # w_v·h[t] + b_v
        numbers = sum_text([product(head.params["W_y"][0, 0], h[0]), fmt(head.params["b_y"][0])])
    else:
        rhs = f"{symbol('W_y', False)}·{h_name} + {symbol('b_y', False)}"
        numbers = fmt(squeeze(v.trace.forward.head.v[t - 1]))
    value = fmt(squeeze(v.q.value(v.node)))
    if head.loss == "softmax_xent":
        equation, substituted = f"ŷ[{t}] = softmax({rhs})", f"ŷ[{t}] = softmax({numbers}) = {value}"
    else:
        equation = f"ŷ[{t}] = {rhs}"
        substituted = f"ŷ[{t}] = {numbers}" + (f" = {value}" if numbers != value else "")
    return Parts(equation, substituted, [output_term(v)], mask_notes(v))


def output_term(v: NodeView) -> Term:
    t = v.node.t
    data = v.trace.scenario.data
    m, y_hat = float(data.mask[t - 1]), squeeze(v.q.value(v.node))
    if v.model.head.loss == "softmax_xent":
        text, y = f"m[{t}]·(ŷ[{t}] − onehot(y[{t}]))", np.eye(v.model.output_size)[int(data.y[t - 1])]
    else:
        text, y = f"m[{t}]·(ŷ[{t}] − y[{t}])", squeeze(data.y[t - 1])
    numbers = f"{fmt(m)}·({fmt(y_hat)} − {bracket(fmt(y))})"
    return Term(text, numbers, squeeze(v.q.delta(v.node)), v.at("loss", t, None, 0), "not scored" if m == 0 else "")


def loss_node(v: NodeView) -> Parts:
    """E[t] = ½·m[t]·(ŷ[t] − y[t])² or −m[t]·log ŷ[t][y[t]]; δE[t] = 1 where scored."""
    t = v.node.t
    data = v.trace.scenario.data
    m, y_hat = float(data.mask[t - 1]), v.trace["y_hat"][t - 1]
    if v.model.head.loss == "softmax_xent":
        k = int(data.y[t - 1])
        equation = f"E[{t}] = −m[{t}]·log ŷ[{t}][y[{t}]]"
        numbers = f"−{fmt(m)}·log {fmt(y_hat[k])}"
    else:
        y = data.y[t - 1]
        square = "(ŷ[{t}] − y[{t}])²" if len(y) == 1 else "‖ŷ[{t}] − y[{t}]‖²"
        equation = f"E[{t}] = ½·m[{t}]·" + square.format(t=t)
        diff = f"{fmt(squeeze(y_hat))} − {bracket(fmt(squeeze(y)))}"
        numbers = f"½·{fmt(m)}·" + (f"({diff})²" if len(y) == 1 else f"‖{diff}‖²")
    delta = float(v.q.delta(v.node))
    term = Term(f"dE/dE[{t}]", fmt(delta), delta, None, "not scored" if m == 0 else "")
    return Parts(equation, f"E[{t}] = {numbers} = {fmt(v.q.value(v.node))}", [term], mask_notes(v))
