"""The LSTM engine against a plain reference written from the equations: one gate at a time with its own
W, U, b and peephole, no stacked matrices, no precomputed multipliers, no views. Forward values, δ, dx
and every gradient agree to 1e-13 on random models of several shapes under every gradient mode.

The engine's loops are arranged for speed (rows read through views made once, several gates in one
call, one product of stacked rows per backward step); this pins their numbers to the textbook form.
window:K is the sum over the costs E[t] of a backward pass that stops at the edge into step t−K+1.
"""
from __future__ import annotations

import numpy as np
import pytest
from helpers import lstm, random_scenario

from lstmviz.core import compute


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


ACT = {  # value, derivative from (a, value)
    "sigmoid": (_sigmoid, lambda a, y: y * (1.0 - y)),
    "tanh": (np.tanh, lambda a, y: 1.0 - y * y),
    "linear": (lambda a: a, lambda a, y: np.ones_like(a)),
    "relu": (lambda a: np.maximum(a, 0.0), lambda a, y: (a > 0) * 1.0),
    "crelu": (lambda a: np.clip(a, 0.0, 1.0), lambda a, y: ((a > 0) & (a < 1)) * 1.0),
}


def _param(layer, name):
    """A parameter, or zeros for an absent forget gate or peephole."""
    H = layer.hidden_size
    return layer.params.get(name, np.zeros((H, layer.input_size) if name.startswith("W") else
                                           (H, H) if name.startswith("U") else H))


def reference_forward(layer, x):
    """Every value of one layer, step by step from :class:`lstmviz.core.LSTMLayer`'s equations."""
    gate, cand, out = (ACT[n][0] for n in (layer.gate_activation, layer.candidate_activation,
                                             layer.cell_output_activation))
    p = {name: _param(layer, name) for name in
         [f"{k}_{g}" for k in "WUb" for g in "ifog"] + ["p_i", "p_f", "p_o"]}
    h, c = layer.h0, layer.c0
    rec = {k: [] for k in ("a_i", "a_f", "a_o", "a_g", "i", "f", "o", "g", "c", "h", "c_prev", "h_prev")}
    for xt in x:
        def pre(g, h=h, xt=xt):
            return p[f"W_{g}"] @ xt + p[f"U_{g}"] @ h + p[f"b_{g}"]
        a_i = pre("i") + p["p_i"] * c
        a_f = pre("f") + p["p_f"] * c
        f = gate(a_f) if layer.forget_gate else np.ones_like(c)
        a_g = pre("g")
        i, g = gate(a_i), cand(a_g)
        c_new = f * c + i * g
        a_o = pre("o") + p["p_o"] * c_new
        o = gate(a_o)
        for k, v in dict(a_i=a_i, a_f=a_f, a_o=a_o, a_g=a_g, i=i, f=f, o=o, g=g, c=c_new, c_prev=c, h_prev=h).items():
            rec[k].append(v)
        h, c = o * out(c_new), c_new
        rec["h"].append(h)
    return {k: np.array(v) for k, v in rec.items()}, p


def reference_backward(layer, fw, p, x, ext, cuts_h, cuts_c):
    """δ of one layer from t = T down to 1 and its gradients and dx; ``cuts_h(t)`` / ``cuts_c(t)``: whether
    error stops on the edge from step t−1 into t through h / through the cell."""
    dgate, dcand, dout = (ACT[n][1] for n in (layer.gate_activation, layer.candidate_activation,
                                                layer.cell_output_activation))
    out = ACT[layer.cell_output_activation][0]
    T, H = ext.shape
    d = {k: np.zeros((T, H)) for k in ("h", "c", "a_i", "a_f", "a_o", "a_g")}
    for t in reversed(range(T)):
        dh = ext[t].copy()
        if t + 1 < T and not cuts_h(t + 1):
            dh += sum(p[f"U_{g}"].T @ d[f"a_{g}"][t + 1] for g in "ifog")
        s = out(fw["c"][t])
        d_ao = dh * s * dgate(fw["a_o"][t], fw["o"][t])
        dc = dh * fw["o"][t] * dout(fw["c"][t], s) + d_ao * p["p_o"]
        if t + 1 < T and not cuts_c(t + 1):
            dc += d["c"][t + 1] * fw["f"][t + 1]
            if not cuts_h(t + 1):  # the i/f peepholes read c[t]: a path of h's kind (cut under cec)
                dc += p["p_i"] * d["a_i"][t + 1] + p["p_f"] * d["a_f"][t + 1]
        d["h"][t], d["c"][t], d["a_o"][t] = dh, dc, d_ao
        d["a_i"][t] = dc * fw["g"][t] * dgate(fw["a_i"][t], fw["i"][t])
        d["a_f"][t] = dc * fw["c_prev"][t] * dgate(fw["a_f"][t], fw["f"][t]) * layer.forget_gate
        d["a_g"][t] = dc * fw["i"][t] * dcand(fw["a_g"][t], fw["g"][t])
    grads = {}
    for g in layer.gates:
        da = d[f"a_{g}"]
        grads |= {f"W_{g}": da.T @ x, f"U_{g}": da.T @ fw["h_prev"], f"b_{g}": da.sum(axis=0)}
        if layer.peepholes and g != "g":
            grads[f"p_{g}"] = (da * (fw["c"] if g == "o" else fw["c_prev"])).sum(axis=0)
    dx = sum(d[f"a_{g}"] @ p[f"W_{g}"] for g in "ifog")
    return d, grads, dx


def reference_trace(scenario, cuts_h, cuts_c, scored=None):
    """The reference's trace keys for a stack of LSTM layers under a linear mse head; ``scored``: only
    that step's cost (window:K's per-cost passes)."""
    model, x = scenario.model, scenario.data.x
    fws, inputs = [], [x]
    for layer in model.layers:
        fw, p = reference_forward(layer, inputs[-1])
        fws.append((fw, p))
        inputs.append(fw["h"])
    W_y, b_y = model.head.params["W_y"], model.head.params["b_y"]
    dv = inputs[-1] @ W_y.T + b_y - scenario.data.y
    if scored is not None:
        dv = np.where(np.arange(len(x))[:, None] == scored, dv, 0.0)
    out = {"grad/head/W_y": dv.T @ inputs[-1], "grad/head/b_y": dv.sum(axis=0)}
    ext = dv @ W_y
    for n in reversed(range(len(model.layers))):
        fw, p = fws[n]
        d, grads, ext = reference_backward(model.layers[n], fw, p, inputs[n], ext, cuts_h, cuts_c)
        out |= {f"l{n}/{k}": fw[k] for k in ("i", "f", "o", "g", "c", "h")}
        out |= {f"l{n}/a_{g}": fw[f"a_{g}"] for g in model.layers[n].gates}
        out |= {f"l{n}/delta_{k}": v for k, v in d.items()} | {f"grad/l{n}/{k}": v for k, v in grads.items()}
    out["dx"] = ext
    return out


def reference(scenario, mode: str):
    kind, _, k = mode.partition(":")
    if kind == "window":
        K, parts = int(k), []
        for t in range(len(scenario.data.x)):
            start = max(0, t - int(K) + 1)
            parts.append(reference_trace(scenario, lambda s, a=start: s <= a, lambda s, a=start: s <= a, scored=t))
        summed = ("grad/", "dx", "/delta_")  # the values are the same in every part, the derivatives add up
        return {key: sum(part[key] for part in parts) if key.startswith(summed[:2]) or summed[2] in key
                else parts[0][key] for key in parts[0]}
    tbptt = (lambda t: t % int(k) == 0) if kind == "tbptt" else (lambda t: False)
    return reference_trace(scenario, lambda t: kind == "cec" or tbptt(t), tbptt)


SHAPES = {
    "one layer": [lstm(3, 4)],
    "two layers, peepholes": [lstm(2, 3, peepholes=True), lstm(3, 5, peepholes=True)],
    "no forget gate, peepholes": [lstm(1, 1, forget_gate=False, peepholes=True), lstm(1, 2)],
    "calculator-like activations": [lstm(2, 3, gate_activation="crelu", candidate_activation="linear",
                                         cell_output_activation="linear")],
    "relu candidate, sigmoid-candidate layer above": [lstm(2, 2, candidate_activation="relu"),
                                                       lstm(2, 3, candidate_activation="sigmoid", peepholes=True)],
}


@pytest.mark.parametrize("mode", ["full", "cec", "tbptt:1", "tbptt:3", "window:2", "window:4"])
@pytest.mark.parametrize("shape", SHAPES)
def test_engine_matches_the_plain_reference(shape, mode):
    for seed in range(2):
        scenario = random_scenario([lstm(la.input_size, la.hidden_size, **_switches(la)) for la in SHAPES[shape]],
                                   T=9, K=2, seed=seed)
        trace, ref = compute(scenario, mode), reference(scenario, mode)
        for key, want in ref.items():
            if key.endswith("delta_a_f") and not scenario.model.layers[int(key[1])].forget_gate:
                continue
            scale = max(1.0, float(np.max(np.abs(want))))
            np.testing.assert_allclose(trace[key], want, rtol=0, atol=1e-13 * scale, err_msg=f"{key} {mode}")


def _switches(layer) -> dict:
    return {k: getattr(layer, k) for k in ("gate_activation", "candidate_activation", "cell_output_activation",
                                           "forget_gate", "peepholes")}
