"""Recognising the slides' special-purpose layers (the one-node RNN, the forget-gate RNN), so that their
equations can be written the slides' way."""
from __future__ import annotations

import numpy as np

from ....core.activations import ACTIVATIONS
from ....core.model import LSTMLayer


def _constant_one(layer: LSTMLayer, gate: str) -> bool:
    """Whether a gate is held at 1: no input, no recurrence, no peephole, and act(b) = 1."""
    p = layer.params
    if np.any(p[f"W_{gate}"]) or np.any(p[f"U_{gate}"]):
        return False
    out = ACTIVATIONS[layer.gate_activation].f(np.asarray(p[f"b_{gate}"], dtype=np.float64))
    return bool(np.all(out == 1.0))


def forget_gate_rnn(layer) -> bool:
    """Whether an LSTM layer is the slides' forget-gate RNN c[t] = x[t] + f[t]·h[t−1] (002, slides 32–35):
    i = o = 1, c̃[t] = x[t] (a linear candidate with W_c̃ = 1), a linear cell output, so h = c."""
    if not isinstance(layer, LSTMLayer) or not layer.forget_gate or layer.peepholes:
        return False
    if layer.hidden_size != 1 or layer.input_size != 1:
        return False
    if layer.candidate_activation != "linear" or layer.cell_output_activation != "linear":
        return False
    p = layer.params
    candidate_is_x = float(p["W_g"][0, 0]) == 1.0 and not np.any(p["U_g"]) and not np.any(p["b_g"])
    return candidate_is_x and _constant_one(layer, "i") and _constant_one(layer, "o")


def one_node_rnn(layer) -> bool:
    """Whether a layer is the slides' one-node RNN c[t] = x[t] + u·h[t−1] (002, slide 17): one unit, one
    input, a feed-forward weight of exactly 1 and no bias, so the excitation is written without w and b."""
    if isinstance(layer, LSTMLayer) or layer.hidden_size != 1 or layer.input_size != 1:
        return False
    p = layer.params
    return float(p["W"][0, 0]) == 1.0 and not np.any(p["b"])
