"""The course's notation written out with numbers: products, sums, symbols, superscripts, cut notes."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from ....core.model import LSTMLayer
from ....core.modes import GradientMode
from ...numbers import fmt
from ...style import symbol as style_symbol
from ..quantities import PRE_ACTIVATIONS
from .terms import Term

ACTIVATION_NAMES = {"crelu": "CReLU", "relu": "ReLU", "sigmoid": "sigmoid", "tanh": "tanh", "linear": "linear"}
MAX_PRODUCTS = 4     # products a dot product is written out with
SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
# The gates in the order of the slides' δh rule (002, slide 52): i, o, f, then the candidate (the engine's g).
COURSE_GATES = ("i", "o", "f", "g")
DOT = "σ̇"            # the one derivative notation: σ̇(z), the slope of whatever activation z goes through


def slope(argument: str) -> str:
    """``σ̇(a_i[4])``: the derivative of the activation applied to ``argument``, at ``argument``.

    The slides write σ̇_g, σ̇_h and ġ for the gate, the cell and a generic nonlinearity; here the argument
    says which activation is meant (a_i → the gate's, a_c̃ → the candidate's, c → the cell output's).
    """
    return f"{DOT}({argument})"


def product(*values) -> str:
    """'−0.30·1.00·(−2.00)': factors after the first are bracketed when negative."""
    return "·".join([fmt(values[0])] + [bracket(fmt(v)) for v in values[1:]])


def bracket(text: str) -> str:
    return f"({text})" if text.startswith("−") else text


def sum_text(parts: list[str]) -> str:
    """'1.00 − 0.30 + 2.00' from ['1.00', '−0.30', '2.00']."""
    out = parts[0]
    for p in parts[1:]:
        out += f" − {p[1:]}" if p.startswith("−") else f" + {p}"
    return out


def dot_text(a: np.ndarray, b: np.ndarray) -> str:
    """Σ_j a[j]·b[j] written out (the first few products)."""
    products = [product(x, y) for x, y in zip(a[:MAX_PRODUCTS], b[:MAX_PRODUCTS], strict=True)]
    return sum_text(products) + (" + …" if len(a) > MAX_PRODUCTS else "")


def squeeze(v) -> float | np.ndarray:
    """A one-element vector as a float; longer vectors stay arrays."""
    a = np.asarray(v, dtype=np.float64)
    return float(a.reshape(-1)[0]) if a.size == 1 else a


def symbol(name: str, scalar: bool) -> str:
    """'W_g' → 'W_c̃', or the course's scalar 'w_c̃' for a 1×1 weight."""
    text = style_symbol(name)
    return text[0].lower() + text[1:] if scalar else text


def param_label(array: np.ndarray, name: str, index: tuple[int, ...]) -> str:
    if array.size == 1:
        return symbol(name, True)
    return f"{symbol(name, False)}[{', '.join(map(str, index))}]"


def param_name(mat: str, pre: str) -> str:
    """The parameter of matrix kind ``mat`` (W, U, b, p) feeding pre-activation ``pre`` (a_i → W_i; a → W)."""
    return mat if pre == "a" else f"{mat}_{pre[2:]}"


def pre_vars(layer) -> tuple[str, ...]:
    """A layer's pre-activations in the course's order: a_i, a_o, a_f, a_c̃ (slide 52); an RNN's a."""
    if not isinstance(layer, LSTMLayer):
        return ("a",)
    return tuple(f"a_{g}" for g in COURSE_GATES if g in layer.gates)


def out_var(pre: str) -> str:
    """The value a pre-activation produces: a_i → i, a → h."""
    return PRE_ACTIVATIONS.get(pre, "h")


def act_name(name: str) -> str:
    return ACTIVATION_NAMES.get(name, name)


def cut_note(mode: GradientMode, t: int, path: str) -> str:
    """Why ``mode`` cuts a path arriving at step t (1-based) from step t−1; "" when it carries error.

    ``path`` is "cell" (c[t−1] → c[t], kept by cec) or anything else (h → gates, peepholes). Under
    window:K (K > 1) no path is cut for every cost — the one into step t carries E[t] … E[t+K−2] — so
    there is no note: the share of E[t+K−1], whose window starts at t, is taken out by a term of its own
    (:func:`window_note`, ``equations/window.py``); window:1 keeps each cost's own step only and cuts every
    path through time.
    """
    if mode.cuts_all_at(t - 1):
        return f"cut: tbptt chunk boundary (a chunk starts at t = {t})"
    if mode.kind == "window" and mode.k == 1:
        return "cut by window:1 (each cost E[t] keeps its own step only)"
    if path != "cell" and not mode.recurrent_h:
        return "cut by cec (Gers' truncation)"
    return ""


def window_note(mode: GradientMode, t: int, cost: int) -> str:
    """Why a term from step t (1-based) loses E[cost]'s share under window:K: that cost's window starts at t."""
    return (f"{mode}: E[{cost}] looks back over steps {t} … {cost} only. For it the state entering step {t} "
            f"is a constant, so its share of the terms above stops at step {t} and is taken out here")


def tap_note(mode: GradientMode, t: int, d: int, who: str) -> str:
    """Why a tap's term from step t+d into h[t] loses the share of the costs ``who`` under window:K."""
    return (f"{mode}: the windows of {who} start after step {t}, so their share of δ[{t + d}] does not come "
            f"back along this tap to step {t} and is taken out here")


def jump_note(mode: GradientMode, src: int, dst: int) -> str:
    """Why ``mode`` cuts the edge from h[src] into step dst (1-based, dst > src: an RNN tap when dst − src > 1);
    "" when it carries error."""
    if dst - src == 1 or (mode.kind == "window" and mode.k == 1):
        return cut_note(mode, dst, "recurrent")
    if mode.kind == "window" and dst - src >= mode.k:
        return f"cut by {mode}: this tap spans {dst - src} steps, more than any cost's window holds"
    if not mode.recurrent_h:
        return "cut by cec (Gers' truncation)"
    if mode.cuts_h(src - 1, dst - 1):
        return f"cut: tbptt chunk boundary between t = {src} and t = {dst}"
    return ""


def cut_terms(terms: list[Term], note: str) -> list[Term]:
    return [replace(term, numbers="—", value=0.0, note=note) for term in terms] if note else terms
