"""Why a number is what it is: each node's equation with its numbers, and its δ as a sum of terms (Qt-free).

Course notation, t 1-based (t = 1 reads the initial state as h[0], c[0]); σ̇ is an activation's
derivative, taken as 0 on a CReLU/ReLU kink. For layer l with gates k ∈ {i, f, o, c̃}:

Forward
    a_k[t] = w_k·x[t] + u_k·h[t−1] + b_k   (+ p_k·c[t−1] for i, f and + p_o·c[t] with peepholes)
    i/f/o[t] = σ(a[t]),  c̃[t] = σ_c̃(a_c̃[t]),  c[t] = f[t]·c[t−1] + i[t]·c̃[t],  h[t] = o[t]·σ_out(c[t])
    RNN:  a[t] = w·x[t] + u·h[t−1] + b,  h[t] = act(a[t])
    head: ŷ[t] = h[t] or W_y·h[t] + b_y (softmax(v[t]) for softmax_xent)
          E[t] = ½·m[t]·(ŷ[t] − y[t])²  or  −m[t]·log ŷ[t][y[t]]

Backward: each δ is listed as the terms that add up to it
    δh[t]  = εh[t] (top layer) or Σ_k W_kᵀ·δa_k[t] of the layer above    + Σ_k U_kᵀ·δa_k[t+1]
    δc[t]  = δh[t]·o[t]·σ̇_out(c[t]) + δa_o[t]·p_o + δc[t+1]·f[t+1] + δa_i[t+1]·p_i + δa_f[t+1]·p_f
    δo[t]  = δh[t]·σ_out(c[t]),  δi[t] = δc[t]·c̃[t],  δf[t] = δc[t]·c[t−1],  δc̃[t] = δc[t]·i[t]
    δa_k[t] = δk[t]·σ̇(a_k[t]);  RNN: δa[t] = δh[t]·σ̇(a[t])
    δx[t]  = Σ_k W_kᵀ·δa_k[t] (layer 0),  δv[t] = m[t]·(ŷ[t] − y[t])  (softmax: ŷ[t] − onehot(y[t]))
    dE/dw  = Σ_t δa[t]·(what w multiplies at step t)

The gradient mode cuts terms (they stay listed, with value 0 and a note): ``cec`` cuts
h[t−1] → gates and the c[t−1] → i/f peepholes, ``tbptt:K`` every term arriving at the first step
of a chunk. A 1×1 weight gets the course's scalar name (w_i, u_i, b_i); otherwise the matrix
form is shown with the unit's row. Quantities from another layer carry its number as a
superscript (h⁽⁰⁾). Every number comes from the trace and the scenario's parameters.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Callable, NamedTuple

import numpy as np

from ..core import Trace
from ..core.activations import ACTIVATIONS
from ..core.model import GATES, LSTMLayer
from ..core.modes import GradientMode
from .quantities import PRE_ACTIVATIONS, NodeRef, Quantities
from .style import LABELS

ACTIVATION_NAMES = {"crelu": "CReLU", "relu": "ReLU", "sigmoid": "sigmoid", "tanh": "tanh", "linear": "linear"}
MAX_SHOWN = 6        # vector entries fmt shows
MAX_PRODUCTS = 4     # products a dot product is written out with
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass
class Term:
    """One addend of a δ (or of a weight gradient): symbolic, with numbers, its value and its node."""

    text: str                    # "δc[5]·f[5]"
    numbers: str                 # "−0.30·1.00"
    value: float | np.ndarray    # arrays for vector nodes (x with D > 1, ŷ with K > 1)
    target: NodeRef | None       # the δ-carrying node a click jumps to
    note: str = ""               # a kink, or why the gradient mode cuts the term


@dataclass
class Explanation:
    """Everything the inspector shows for one node; the delta_terms' values add up to delta."""

    node: NodeRef
    title: str                          # "c[4], layer 0"
    value: float | np.ndarray
    equation: str                       # "c[4] = f[4]·c[3] + i[4]·c̃[4]"
    substituted: str                    # "c[4] = 1.00·4.00 + 1.00·0.00 = 4.00"
    eps: float | None                   # ε of h nodes, None elsewhere
    delta: float | np.ndarray | None    # None for a target y
    delta_equation: str                 # "δc[4] = δh[4]·o[4] + δc[5]·f[5]"
    delta_terms: list[Term]
    notes: list[str] = field(default_factory=list)


@dataclass
class WeightExplanation:
    """dE/dw of one weight entry as the sum over t of its per-step contributions."""

    key: str                  # "l0/W_i", "head/W_y"
    index: tuple[int, ...]
    label: str                # "W_i[0, 1]", or the course's "w_i", "u_i", "b_i" for a 1×1 weight
    value: float
    grad: float
    per_step: np.ndarray      # (T,), sums to grad
    equation: str             # "dE/dw_i = Σ_t δa_i[t]·x[t]"
    terms: list[Term]         # one per step, target = the pre-activation (ŷ for the head)


# -- numbers ----------------------------------------------------------------------------------------
def fmt(v, short: bool = False) -> str:
    """A number as the app shows it.

    0 → "0.00"; 0.01 ≤ |v| < 10⁴ → two decimals; otherwise 3 significant digits ("1.2e-05").
    Negatives use the Unicode minus; non-finite values read "inf", "−inf", "nan"; vectors
    "[0.10, −2.00]" with at most 6 entries, then "…". ``short`` (graph nodes, at most 8
    characters): two decimals for 0.01 ≤ |v| < 1000, otherwise 2 significant digits ("1.2e+03").
    """
    if np.ndim(v) > 0:
        flat = np.ravel(v)
        shown = [fmt(x, short) for x in flat[:MAX_SHOWN]] + (["…"] if flat.size > MAX_SHOWN else [])
        return "[" + ", ".join(shown) + "]"
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "−inf"
    if v == 0:
        return "0.00"
    fixed_below, digits = (1e3, 2) if short else (1e4, 3)
    text = f"{v:.2f}" if 0.01 <= abs(v) < fixed_below else f"{v:.{digits}g}"
    return "−" + text[1:] if text.startswith("-") else text


def _product(*values) -> str:
    """'−0.30·1.00·(−2.00)': factors after the first are bracketed when negative."""
    return "·".join([fmt(values[0])] + [_bracket(fmt(v)) for v in values[1:]])


def _bracket(text: str) -> str:
    return f"({text})" if text.startswith("−") else text


def _sum(parts: list[str]) -> str:
    """'1.00 − 0.30 + 2.00' from ['1.00', '−0.30', '2.00']."""
    out = parts[0]
    for p in parts[1:]:
        out += f" − {p[1:]}" if p.startswith("−") else f" + {p}"
    return out


def _dot(a: np.ndarray, b: np.ndarray) -> str:
    """Σ_j a[j]·b[j] written out (the first few products)."""
    products = [_product(x, y) for x, y in zip(a[:MAX_PRODUCTS], b[:MAX_PRODUCTS])]
    return _sum(products) + (" + …" if len(a) > MAX_PRODUCTS else "")


def _squeeze(v) -> float | np.ndarray:
    """A one-element vector as a float; longer vectors stay arrays."""
    a = np.asarray(v, dtype=np.float64)
    return float(a.reshape(-1)[0]) if a.size == 1 else a


# -- notation ---------------------------------------------------------------------------------------
def _symbol(name: str, scalar: bool) -> str:
    """'W_g' → 'W_c̃', or the course's scalar 'w_c̃' for a 1×1 weight."""
    base, _, sub = name.partition("_")
    base = base.lower() if scalar else base
    return base + (f"_{LABELS.get(sub, sub)}" if sub else "")


def _param_label(array: np.ndarray, name: str, index: tuple[int, ...]) -> str:
    if array.size == 1:
        return _symbol(name, True)
    return f"{_symbol(name, False)}[{', '.join(map(str, index))}]"


def _param(mat: str, pre: str) -> str:
    """The parameter of matrix kind ``mat`` (W, U, b, p) feeding pre-activation ``pre`` (a_i → W_i; a → W)."""
    return mat if pre == "a" else f"{mat}_{pre[2:]}"


def _pre_vars(layer) -> tuple[str, ...]:
    return tuple(f"a_{g}" for g in layer.gates) if isinstance(layer, LSTMLayer) else ("a",)


def _out_var(pre: str) -> str:
    """The value a pre-activation produces: a_i → i, a → h."""
    return PRE_ACTIVATIONS.get(pre, "h")


def _act(name: str) -> str:
    return ACTIVATION_NAMES.get(name, name)


def _cut_note(mode: GradientMode, t: int, path: str) -> str:
    """Why ``mode`` cuts a path arriving at step t (1-based) from step t−1; "" when it carries error.

    ``path`` is "cell" (c[t−1] → c[t], kept by cec) or anything else (h → gates, peepholes).
    """
    if mode.cuts_all_at(t - 1):
        return f"cut: tbptt chunk boundary (a chunk starts at t = {t})"
    if path != "cell" and not mode.recurrent_h:
        return "cut by cec (Gers' truncation)"
    return ""


def _cut(terms: list[Term], note: str) -> list[Term]:
    return [replace(term, numbers="—", value=0.0, note=note) for term in terms] if note else terms


class _Parts(NamedTuple):
    equation: str
    substituted: str
    terms: list[Term]
    notes: list[str]


class _View:
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
        dA = self.trace.backward.layers[layer].dA[t - 1]
        if pre == "a":
            return dA
        H = self.model.layers[layer].hidden_size
        k = GATES.index(pre[2:])
        return dA[k * H:(k + 1) * H]

    def sup(self, layer: int | None) -> str:
        """⁽ˡ⁾ for a quantity of another layer than the node's (in models with several layers)."""
        if layer is None or layer == self.node.layer or len(self.model.layers) == 1:
            return ""
        return f"⁽{layer}⁾".translate(_SUPERSCRIPTS)

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
                f"{_act(self.q.activation_of(pre))} kink: σ̇ is taken as 0 there")

    def kink_term_note(self, pre: NodeRef) -> str:
        """The short note for a term that has σ̇ of ``pre`` as a factor ("" if not on a kink)."""
        return f"on a {_act(self.q.activation_of(pre))} kink: σ̇ = 0" if self.q.on_kink(pre) else ""


# -- node explanations ------------------------------------------------------------------------------
def explain(trace: Trace, node: NodeRef) -> Explanation:
    """The node's equation, its numbers, ε, δ and the terms δ is made of."""
    v = _View(trace, node)
    parts = _parts(v)
    delta = None if node.var == "y" else _squeeze(v.q.delta(node))
    label = f"{v.q.delta_label(node.var)}[{node.t}]"
    delta_equation = f"{label} = " + " + ".join(t.text for t in parts.terms) if parts.terms else ""
    return Explanation(
        node=node, title=node.describe(trace), value=_squeeze(v.q.value(node)),
        equation=parts.equation, substituted=parts.substituted,
        eps=v.q.eps(node) if node.layer is not None and node.var == "h" else None,
        delta=delta, delta_equation=delta_equation, delta_terms=parts.terms, notes=parts.notes)


def _parts(v: _View) -> _Parts:
    node = v.node
    if node.layer is None:
        return {"x": _input, "y": _target, "y_hat": _output, "loss": _loss}[node.var](v)
    if node.var in PRE_ACTIVATIONS or node.var == "a":
        return _pre_activation(v)
    if not isinstance(v.model.layers[node.layer], LSTMLayer):
        return _rnn_output(v)
    return {"c": _cell, "h": _lstm_output}.get(node.var, _gate)(v)


def _pre_activation(v: _View) -> _Parts:
    """a_k[t] = w_k·x[t] + u_k·h[t−1] + b_k (+ peephole); δa_k[t] = δk[t]·σ̇(a_k[t])."""
    node, l, t, u = v.node, v.node.layer, v.node.t, v.node.unit
    layer = v.model.layers[l]
    p = layer.params
    W, U, b = (_param(m, node.var) for m in ("W", "U", "b"))
    x = v.input_series(l)[t - 1]
    h_prev = v.trace.forward.layers[l].h_prev[t - 1]
    inp = f"{v.input_name(l)}[{t}]"
    scalar = p[W].size == 1
    w, uu, bb = (_symbol(name, scalar) for name in (W, U, b))
    if scalar:
        rhs = f"{w}·{inp} + {uu}·h[{t - 1}] + {bb}"
        numbers = [_product(p[W][0, 0], x[0]), _product(p[U][0, 0], h_prev[0]), fmt(p[b][0])]
    else:
        rhs = f"({w}·{inp} + {uu}·h[{t - 1}] + {bb})[{u}]"
        numbers = [fmt(p[W][u] @ x), fmt(p[U][u] @ h_prev), fmt(p[b][u])]
    peephole = _param("p", node.var)
    if node.var != "a" and peephole in layer.param_shapes():
        c_t, c_value = (t, v.value("c", t)) if node.var == "a_o" else (t - 1, v.prev("c", t))
        rhs += f" + {_param_label(p[peephole], peephole, (u,))}·c[{c_t}]"
        numbers.append(_product(p[peephole][u], c_value))
    lhs = v.name(node.var, t)
    out = _out_var(node.var)
    kink = v.kink_note(node)
    term = Term(f"δ{v.name(out, t)}·σ̇({lhs})", _product(v.delta(out, t), v.q.derivative(node)),
                float(v.q.delta(node)), v.at(out, t), v.kink_term_note(node))
    return _Parts(f"{lhs} = {rhs}", f"{lhs} = {_sum(numbers)} = {fmt(v.q.value(node))}",
                  [term], [kink] if kink else [])


def _activation_parts(v: _View, pre: str, act: str) -> tuple[str, str, list[str]]:
    """'i[4] = CReLU(a_i[4])', 'i[4] = CReLU(1.00) = 1.00' and the kink note of a value node."""
    t = v.node.t
    lhs, a = v.name(v.node.var, t), v.name(pre, t)
    value = fmt(v.q.value(v.node))
    kink = v.kink_note(v.at(pre, t))
    if act == "linear":
        return f"{lhs} = {a}", f"{lhs} = {value}", []
    return f"{lhs} = {_act(act)}({a})", f"{lhs} = {_act(act)}({fmt(v.value(pre, t))}) = {value}", [kink] if kink else []


def _gate(v: _View) -> _Parts:
    """i, f, o, c̃ = σ(a); δo = δh·σ_out(c), δi = δc·c̃, δf = δc·c[t−1], δc̃ = δc·i as in the slides."""
    node, t = v.node, v.node.t
    layer = v.model.layers[node.layer]
    pre = f"a_{node.var}"
    act = layer.candidate_activation if node.var == "g" else layer.gate_activation
    equation, substituted, notes = _activation_parts(v, pre, act)
    delta = float(v.q.delta(node))
    if node.var == "o":
        out = layer.cell_output_activation
        c_text = v.name("c", t) if out == "linear" else f"{_act(out)}({v.name('c', t)})"
        s = float(v.trace.forward.layers[node.layer].S[t - 1, node.unit])
        term = Term(f"δh[{t}]·{c_text}", _product(v.delta("h", t), s), delta, v.at("h", t))
    else:
        other, other_value = {"i": (f"c̃[{t}]", v.value("g", t)), "f": (f"c[{t - 1}]", v.prev("c", t)),
                              "g": (f"i[{t}]", v.value("i", t))}[node.var]
        term = Term(f"δc[{t}]·{other}", _product(v.delta("c", t), other_value), delta, v.at("c", t))
    return _Parts(equation, substituted, [term], notes)


def _cell(v: _View) -> _Parts:
    """c[t] = f[t]·c[t−1] + i[t]·c̃[t] (c[t−1] + i[t]·c̃[t] without a forget gate)."""
    t = v.node.t
    layer = v.model.layers[v.node.layer]
    if layer.forget_gate:
        rhs, first = f"f[{t}]·c[{t - 1}]", _product(v.value("f", t), v.prev("c", t))
    else:
        rhs, first = f"c[{t - 1}]", fmt(v.prev("c", t))
    equation = f"c[{t}] = {rhs} + i[{t}]·c̃[{t}]"
    substituted = f"c[{t}] = {_sum([first, _product(v.value('i', t), v.value('g', t))])} = {fmt(v.q.value(v.node))}"
    return _Parts(equation, substituted, _delta_c_terms(v), [])


def _delta_c_terms(v: _View) -> list[Term]:
    """δh[t]·o[t]·σ̇_out(c[t]) + δa_o[t]·p_o + δc[t+1]·f[t+1] + δa_i[t+1]·p_i + δa_f[t+1]·p_f."""
    l, t, u = v.node.layer, v.node.t, v.node.unit
    layer = v.model.layers[l]
    shapes = layer.param_shapes()
    dh, o = v.delta("h", t), v.value("o", t)
    out = layer.cell_output_activation
    if out == "linear":
        terms = [Term(f"δh[{t}]·o[{t}]", _product(dh, o), dh * o, v.at("h", t))]
    else:
        lf = v.trace.forward.layers[l]
        ds = float(ACTIVATIONS[out].df(lf.C[t - 1:t, u], lf.S[t - 1:t, u])[0])
        terms = [Term(f"δh[{t}]·o[{t}]·{_act(out)}'(c[{t}])", _product(dh, o, ds), dh * o * ds, v.at("h", t))]
    if "p_o" in shapes:
        terms.append(_peephole_term(v, "a_o", t))
    if t == v.T:
        return terms
    dc = v.delta("c", t + 1)
    if layer.forget_gate:
        f = v.value("f", t + 1)
        forward_term = Term(f"δc[{t + 1}]·f[{t + 1}]", _product(dc, f), dc * f, v.at("c", t + 1))
    else:
        forward_term = Term(f"δc[{t + 1}]", fmt(dc), dc, v.at("c", t + 1))
    terms += _cut([forward_term], _cut_note(v.trace.mode, t + 1, "cell"))
    peepholes = [_peephole_term(v, f"a_{g}", t + 1) for g in ("i", "f") if f"p_{g}" in shapes]
    return terms + _cut(peepholes, _cut_note(v.trace.mode, t + 1, "peephole"))


def _peephole_term(v: _View, pre: str, t: int) -> Term:
    p = v.model.layers[v.node.layer].params[_param("p", pre)]
    da = v.delta(pre, t)
    return Term(f"δ{v.name(pre, t)}·{_param_label(p, _param('p', pre), (v.node.unit,))}",
                _product(da, p[v.node.unit]), da * p[v.node.unit], v.at(pre, t))


def _lstm_output(v: _View) -> _Parts:
    """h[t] = o[t]·σ_out(c[t])."""
    t = v.node.t
    out = v.model.layers[v.node.layer].cell_output_activation
    o, c = v.value("o", t), v.value("c", t)
    if out == "linear":
        equation, numbers = f"h[{t}] = o[{t}]·c[{t}]", _product(o, c)
    else:
        equation, numbers = f"h[{t}] = o[{t}]·{_act(out)}(c[{t}])", f"{fmt(o)}·{_act(out)}({fmt(c)})"
    substituted = f"h[{t}] = {numbers} = {fmt(v.q.value(v.node))}"
    return _Parts(equation, substituted, _delta_h_terms(v), [])


def _rnn_output(v: _View) -> _Parts:
    """h[t] = act(a[t])."""
    equation, substituted, notes = _activation_parts(v, "a", v.model.layers[v.node.layer].activation)
    return _Parts(equation, substituted, _delta_h_terms(v), notes)


def _delta_h_terms(v: _View) -> list[Term]:
    """εh[t] (top layer) or the same-step terms from the layer above, then the recurrent terms from t+1."""
    l, t, u = v.node.layer, v.node.t, v.node.unit
    if l == len(v.model.layers) - 1:
        eps = v.q.eps(v.node)
        terms = [Term(f"εh[{t}]", fmt(eps), eps, v.at("y_hat", t, None, 0))]
    else:
        terms = _matrix_terms(v, l + 1, t, "W", u)
    if t < v.T:
        terms += _cut(_matrix_terms(v, l, t + 1, "U", u), _cut_note(v.trace.mode, t + 1, "recurrent"))
    return terms


def _matrix_terms(v: _View, layer: int, t: int, mat: str, col: int | None) -> list[Term]:
    """One term per pre-activation k of ``layer`` at step t: (M_kᵀ·δa_k[t])[col], M = W or U.

    ``col`` None gives the whole vector M_kᵀ·δa_k[t] (δx). A 1×1 M is written in the course's form
    δk[t]·σ̇(a_k[t])·m_k. The target is the unit of ``layer`` contributing most.
    """
    terms = []
    for pre in _pre_vars(v.model.layers[layer]):
        name = _param(mat, pre)
        M = v.model.layers[layer].params[name]
        Mc = M if col is None else M[:, col]
        da = v.da(layer, pre, t)
        weight = np.abs(Mc) if Mc.ndim == 1 else np.linalg.norm(Mc, axis=1)
        target = v.at(pre, t, layer, int(np.argmax(np.abs(da) * weight)))
        sup, a = v.sup(layer), v.name(pre, t, layer)
        note = ""
        if M.size == 1:
            out = _out_var(pre)
            text = f"δ{v.name(out, t, layer)}·σ̇({a})·{_symbol(name, True)}{sup}"
            numbers = _product(v.delta(out, t, layer, 0), v.q.derivative(target), M[0, 0])
            note = v.kink_term_note(target)
        elif col is None:
            text = f"{_symbol(name, False)}{sup}ᵀ·δ{a}"
            numbers = f"{_symbol(name, False)}{sup}ᵀ·{fmt(da)}"
        else:
            text = f"({_symbol(name, False)}{sup}ᵀ·δ{a})[{col}]"
            numbers = _dot(da, Mc)
        terms.append(Term(text, numbers, _squeeze(da @ Mc), target, note))
    return terms


# -- input, output, target, loss --------------------------------------------------------------------
def _input(v: _View) -> _Parts:
    t = v.node.t
    return _Parts(f"x[{t}]: input (data)", f"x[{t}] = {fmt(_squeeze(v.q.value(v.node)))}",
                  _matrix_terms(v, 0, t, "W", None), [])


def _target(v: _View) -> _Parts:
    t = v.node.t
    y = _squeeze(v.q.value(v.node))
    shown = f"class {int(y)}" if v.model.head.loss == "softmax_xent" else fmt(y)
    return _Parts(f"y[{t}]: target (data)", f"y[{t}] = {shown}", [], [])


def _mask_notes(v: _View) -> list[str]:
    t = v.node.t
    m = float(v.trace.scenario.data.mask[t - 1])
    return [] if m != 0 else [f"m[{t}] = 0: step {t} is not scored, so E[{t}] = 0 and no error starts here"]


def _output(v: _View) -> _Parts:
    """ŷ[t] = h[t] or W_y·h[t] + b_y (softmax for softmax_xent); δv[t] = m[t]·(ŷ[t] − y[t])."""
    t, head = v.node.t, v.model.head
    top = len(v.model.layers) - 1
    h = v.trace[f"l{top}/h"][t - 1]
    h_name = v.name("h", t, top)
    if head.type == "identity":
        rhs, numbers = h_name, fmt(_squeeze(h))
    elif head.params["W_y"].size == 1:
        rhs = f"w_y·{h_name} + b_y"
        numbers = _sum([_product(head.params["W_y"][0, 0], h[0]), fmt(head.params["b_y"][0])])
    else:
        rhs, numbers = f"W_y·{h_name} + b_y", fmt(_squeeze(v.trace.forward.head.v[t - 1]))
    value = fmt(_squeeze(v.q.value(v.node)))
    if head.loss == "softmax_xent":
        equation, substituted = f"ŷ[{t}] = softmax({rhs})", f"ŷ[{t}] = softmax({numbers}) = {value}"
    else:
        equation = f"ŷ[{t}] = {rhs}"
        substituted = f"ŷ[{t}] = {numbers}" + (f" = {value}" if numbers != value else "")
    return _Parts(equation, substituted, [_output_term(v)], _mask_notes(v))


def _output_term(v: _View) -> Term:
    t = v.node.t
    data = v.trace.scenario.data
    m, y_hat = float(data.mask[t - 1]), _squeeze(v.q.value(v.node))
    if v.model.head.loss == "softmax_xent":
        text, y = f"m[{t}]·(ŷ[{t}] − onehot(y[{t}]))", np.eye(v.model.output_size)[int(data.y[t - 1])]
    else:
        text, y = f"m[{t}]·(ŷ[{t}] − y[{t}])", _squeeze(data.y[t - 1])
    numbers = f"{fmt(m)}·({fmt(y_hat)} − {_bracket(fmt(y))})"
    return Term(text, numbers, _squeeze(v.q.delta(v.node)), v.at("loss", t, None, 0), "not scored" if m == 0 else "")


def _loss(v: _View) -> _Parts:
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
        diff = f"{fmt(_squeeze(y_hat))} − {_bracket(fmt(_squeeze(y)))}"
        numbers = f"½·{fmt(m)}·" + (f"({diff})²" if len(y) == 1 else f"‖{diff}‖²")
    delta = float(v.q.delta(v.node))
    term = Term(f"dE/dE[{t}]", fmt(delta), delta, None, "not scored" if m == 0 else "")
    return _Parts(equation, f"E[{t}] = {numbers} = {fmt(v.q.value(v.node))}", [term], _mask_notes(v))


# -- weights ----------------------------------------------------------------------------------------
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
    out = [(p + _param("W", node.var), (u, j)) for j in range(layer.input_size)]
    out += [(p + _param("U", node.var), (u, j)) for j in range(layer.hidden_size)]
    out.append((p + _param("b", node.var), (u,)))
    if node.var != "a" and _param("p", node.var) in layer.param_shapes():
        out.append((p + _param("p", node.var), (u,)))
    return out


class _Factor(NamedTuple):
    symbol: Callable[[int | str], str]   # the factor's name at step t ("t" for the equation)
    values: np.ndarray                   # (T,)


def explain_weight(trace: Trace, key: str, index: tuple[int, ...]) -> WeightExplanation:
    """dE/dw for one weight entry and the per-step terms δ·input that add up to it."""
    index = tuple(int(i) for i in index)
    prefix, name = key.split("/", 1)
    model = trace.scenario.model
    array = (model.head.params if prefix == "head" else model.layers[int(prefix[1:])].params)[name]
    per_step = np.asarray(trace.contributions(key)[(slice(None),) + index], dtype=np.float64)
    label = _param_label(array, name, index)
    v = _View(trace, NodeRef(None if prefix == "head" else int(prefix[1:]), name, 1, index[0]))  # seen from its layer
    target, factors = _weight_factors(v, name, index)
    terms = []
    for t in range(1, trace.steps + 1):
        node = target(t)
        terms.append(Term("·".join(f.symbol(t) for f in factors), _product(*(f.values[t - 1] for f in factors)),
                          float(per_step[t - 1]), node, v.kink_term_note(node)))
    equation = f"dE/d{label} = Σ_t " + "·".join(f.symbol("t") for f in factors)
    return WeightExplanation(key=key, index=index, label=label, value=float(array[index]),
                             grad=float(trace["grad/" + key][index]), per_step=per_step,
                             equation=equation, terms=terms)


def _weight_factors(v: _View, name: str, index: tuple[int, ...]) -> tuple[Callable[[int], NodeRef], list[_Factor]]:
    """The δ node a weight's per-step term starts from, and the factors δ·(what the weight multiplies)."""
    fw, l, u = v.trace.forward, v.node.layer, index[0]
    if l is None:
        K, H = v.model.output_size, v.model.layers[-1].hidden_size
        top = len(v.model.layers) - 1
        factors = [_Factor(lambda t: f"δv[{t}]{_component(u, K)}", fw.head.dv[:, u])]
        if name == "W_y":
            j = index[1]
            factors.append(_Factor(lambda t: f"{v.name('h', t, top)}{_component(j, H)}", v.trace[f"l{top}/h"][:, j]))
        return (lambda t: v.at("y_hat", t, None, 0)), factors
    layer = v.model.layers[l]
    kind, _, gate = name.partition("_")
    pre = f"a_{gate}" if gate else "a"
    H, D = layer.hidden_size, layer.input_size
    delta = v.trace.backward.layers[l].dA[:, _column(layer, pre, u)]
    factors = [_Factor(lambda t: f"δ{v.name(pre, t)}{_component(u, H)}", delta)]
    if kind == "W":
        j = index[1]
        factors.append(_Factor(lambda t: f"{v.input_name(l)}[{t}]{_component(j, D)}", v.input_series(l)[:, j]))
    elif kind == "U":
        j = index[1]
        factors.append(_Factor(lambda t: f"h[{_minus_one(t)}]{_component(j, H)}", fw.layers[l].h_prev[:, j]))
    elif kind == "p" and gate == "o":
        factors.append(_Factor(lambda t: f"c[{t}]{_component(u, H)}", v.trace[f"l{l}/c"][:, u]))
    elif kind == "p":
        factors.append(_Factor(lambda t: f"c[{_minus_one(t)}]{_component(u, H)}", fw.layers[l].c_prev[:, u]))
    return (lambda t: NodeRef(l, pre, t, u)), factors


def _component(i: int, n: int) -> str:
    """'[i]' for a component of a vector of n > 1 entries, nothing for a scalar."""
    return f"[{i}]" if n > 1 else ""


def _column(layer, pre: str, unit: int) -> int:
    """The column of a pre-activation unit in the engine's stacked δa (T, 4H)."""
    return unit if pre == "a" else GATES.index(pre[2:]) * layer.hidden_size + unit


def _minus_one(t: int | str) -> str:
    return f"{t}−1" if isinstance(t, str) else str(t - 1)
