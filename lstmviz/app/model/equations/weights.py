"""dE/dw of one weight entry, as the per-step terms δ·(what the weight multiplies) that add up to it."""
from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ....core import Trace
from ....core.keys import Key
from ....core.model import tap_name
from ..quantities import PRE_ACTIVATIONS, NodeRef
from .notation import param_label, param_name, product
from .rnn import step, taps
from .terms import Term, WeightExplanation
from .view import NodeView


def weights_of(trace: Trace, node: NodeRef) -> list[tuple[str, tuple[int, ...]]]:
    """(key, index) of every weight entry feeding a pre-activation node or a linear head's ŷ."""
    model = trace.scenario.model
    if node.layer is None:
        if node.var != "y_hat" or model.head.type != "linear":
            return []
        K, H = model.head.params["W_y"].shape
        return [("head/W_y", (k, j)) for k in range(K) for j in range(H)] + [("head/b_y", (k,)) for k in range(K)]
    if node.var not in PRE_ACTIVATIONS and node.var != "a":
        return []
    layer, p, u = model.layers[node.layer], f"l{node.layer}/", node.unit
    out = [(p + param_name("W", node.var), (u, j)) for j in range(layer.input_size)]
    out += [(p + param_name("U", node.var), (u, j)) for j in range(layer.hidden_size)]
    out += [(p + tap_name(d), (u, j)) for d in taps(layer) for j in range(layer.hidden_size)]
    out.append((p + param_name("b", node.var), (u,)))
    if node.var != "a" and param_name("p", node.var) in layer.param_shapes():
        out.append((p + param_name("p", node.var), (u,)))
    return out


def entry_label(model, key: str, index: tuple[int, ...]) -> str:
    """How the course names one weight entry: w_i, u, b_c̃ for a 1×1 weight, W_i[0, 1] otherwise."""
    k = Key.parse(key)
    array = (model.head.params if k.is_head else model.layers[k.layer].params)[k.name]
    return param_label(array, k.name, tuple(index))


class _Factor(NamedTuple):
    symbol: Callable[[int | str], str]   # the factor's name at step t ("t" for the equation)
    values: np.ndarray                   # (T,)


def explain_weight(trace: Trace, key: str, index: tuple[int, ...]) -> WeightExplanation:
    """dE/dw for one weight entry and the per-step terms δ·input that add up to it."""
    index = tuple(int(i) for i in index)
    k = Key.parse(key)
    model = trace.scenario.model
    array = (model.head.params if k.is_head else model.layers[k.layer].params)[k.name]
    per_step = trace.contribution_at(key, index)
    label = entry_label(model, key, index)
    v = NodeView(trace, NodeRef(k.layer, k.name, 1, index[0]))  # seen from its layer
    target, factors = _weight_factors(v, k, index)
    terms = []
    for t in range(1, trace.steps + 1):
        node = target(t)
        terms.append(Term("·".join(f.symbol(t) for f in factors), product(*(f.values[t - 1] for f in factors)),
                          float(per_step[t - 1]), node, v.kink_term_note(node)))
    equation = f"dE/d{label} = Σ_t " + "·".join(f.symbol("t") for f in factors)
    return WeightExplanation(key=key, index=index, label=label, value=float(array[index]),
                             grad=float(trace[str(k.gradient())][index]), per_step=per_step,
                             equation=equation, terms=terms)


def _weight_factors(v: NodeView, key: Key, index: tuple[int, ...]) -> tuple[Callable[[int], NodeRef], list[_Factor]]:
    """The δ node a weight's per-step term starts from, and the factors δ·(what the weight multiplies)."""
    fw, n, u = v.trace.forward, v.node.layer, index[0]
    if n is None:
        K, H = v.model.output_size, v.model.layers[-1].hidden_size
        top = len(v.model.layers) - 1
        factors = [_Factor(lambda t: f"δv[{t}]{_component(u, K)}", fw.head.dv[:, u])]
        if key.name == "W_y":
            j = index[1]
            factors.append(_Factor(lambda t: f"{v.name('h', t, top)}{_component(j, H)}", v.trace[f"l{top}/h"][:, j]))
        return (lambda t: v.at("y_hat", t, None, 0)), factors
    layer = v.model.layers[n]
    kind, gate = key.kind, key.gate
    pre = f"a_{gate}" if gate else "a"
    H, D = layer.hidden_size, layer.input_size
    delta = v.trace[f"l{n}/delta_{pre}"][:, u]
    factors = [_Factor(lambda t: f"δ{v.name(pre, t)}{_component(u, H)}", delta)]
    if kind == "W":
        j = index[1]
        factors.append(_Factor(lambda t: f"{v.input_name(n)}[{t}]{_component(j, D)}", v.input_series(n)[:, j]))
    elif kind == "U":
        j, d = index[1], key.delay
        past = fw.layers[n].h_prev[:, j] if d == 1 else fw.layers[n].h_taps[:, taps(layer).index(d), j]
        factors.append(_Factor(lambda t: f"h[{_minus(t, d)}]{_component(j, H)}", past))
    elif kind == "p" and gate == "o":
        factors.append(_Factor(lambda t: f"c[{t}]{_component(u, H)}", v.trace[f"l{n}/c"][:, u]))
    elif kind == "p":
        factors.append(_Factor(lambda t: f"c[{_minus(t, 1)}]{_component(u, H)}", fw.layers[n].c_prev[:, u]))
    return (lambda t: NodeRef(n, pre, t, u)), factors


def _component(i: int, n: int) -> str:
    """'[i]' for a component of a vector of n > 1 entries, nothing for a scalar."""
    return f"[{i}]" if n > 1 else ""


def _minus(t: int | str, d: int) -> str:
    """``t−2`` in an equation, the step number (``−1`` before the sequence) in a term."""
    return f"{t}−{d}" if isinstance(t, str) else step(t - d)
