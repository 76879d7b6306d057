"""Backward pass: ε (time-synchronous partials), δ (total derivatives) and weight gradients.

Names follow the course: ε_h[t] = ∂E/∂h[t] with every other time step held constant; δv[t] = dE/dv[t]
is the total derivative under the chosen gradient mode. For an LSTM layer, with σ̇ the derivatives:

    δh[t] = ε-part from above/loss + Σ_gates U_*ᵀ δa_*[t+1]            (recurrent term: full, tbptt)
    δc[t] = δh[t]·o[t]·σ̇_out(c[t]) + δa_o[t]·p_o + δc[t+1]·f[t+1] + p_i·δa_i[t+1] + p_f·δa_f[t+1]
    δo[t] = δh[t]·σ_out(c[t]),  δi[t] = δc[t]·g[t],  δf[t] = δc[t]·c[t-1],  δg[t] = δc[t]·i[t]
    δa_*[t] = δ*[t]·σ̇(a_*[t]),  dE/dW_* = Σ_t δa_*[t] x[t]ᵀ,  dE/dU_* = Σ_t δa_*[t] h[t-1]ᵀ

The time loop only does elementwise products and one (4H)·(4H×H) product per step; the
multipliers are computed for all steps at once beforehand, and the weight gradients are batched
matrix products after the loop. Per-step contributions to a weight gradient are not stored:
:func:`contributions` computes them on demand.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .activations import ACTIVATIONS
from .forward import Forward, LayerForward
from .model import GATES, Head, LSTMLayer, Model, RNNLayer
from .modes import GradientMode


@dataclass
class LSTMLocal:
    """Same-step multipliers of one LSTM layer, (T, 4, H) blocks in gate order.

    ``Q``: ∂c[t]/∂a_* (zero in the o block); ``Ro``: ∂h[t]/∂a_o[t] (T, H);
    ``Kc``: ∂h[t]/∂c[t] including the p_o peephole; ``D``: σ̇ of every stacked pre-activation.
    """

    Q: np.ndarray
    Ro: np.ndarray
    Kc: np.ndarray
    D: np.ndarray
    dS: np.ndarray


@dataclass
class LayerBackward:
    dA: np.ndarray     # δ of the pre-activations, (T, 4H) stacked for LSTM, (T, H) for RNN
    dH: np.ndarray     # δh (T, H)
    eps_h: np.ndarray  # ε_h (T, H)
    dX: np.ndarray     # δ of the layer's input (T, D_in)
    eps_x: np.ndarray | None  # ε of the input (T, D_in), same-step only; None for the bottom layer
    grads: dict[str, np.ndarray]
    dC: np.ndarray | None = None


@dataclass
class Backward:
    layers: list[LayerBackward]
    head_grads: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def dx(self) -> np.ndarray:
        return self.layers[0].dX

    def grads(self) -> dict[str, np.ndarray]:
        """Every parameter gradient, keyed ``l{n}/<name>`` and ``head/<name>``."""
        out = {f"l{n}/{k}": v for n, lb in enumerate(self.layers) for k, v in lb.grads.items()}
        out.update({f"head/{k}": v for k, v in self.head_grads.items()})
        return out


def lstm_local(layer: LSTMLayer, lf: LayerForward) -> LSTMLocal:
    T, H = lf.H.shape
    D = np.empty((T, 4 * H))
    D[:, :3 * H] = ACTIVATIONS[layer.gate_activation].df(lf.A[:, :3 * H], lf.G[:, :3 * H])
    D[:, 3 * H:] = ACTIVATIONS[layer.candidate_activation].df(lf.A[:, 3 * H:], lf.G[:, 3 * H:])
    if not layer.forget_gate:
        D[:, H:2 * H] = 0.0
    D4 = D.reshape(T, 4, H)
    G4 = lf.G.reshape(T, 4, H)
    dS = ACTIVATIONS[layer.cell_output_activation].df(lf.C, lf.S)
    Q = np.empty((T, 4, H))
    np.multiply(G4[:, 3], D4[:, 0], out=Q[:, 0])
    np.multiply(lf.c_prev, D4[:, 1], out=Q[:, 1])
    Q[:, 2] = 0.0
    np.multiply(G4[:, 0], D4[:, 3], out=Q[:, 3])
    Ro = lf.S * D4[:, 2]
    Kc = G4[:, 2] * dS
    if layer.peepholes:
        Kc += layer.peephole("o") * Ro
    return LSTMLocal(Q=Q, Ro=Ro, Kc=Kc, D=D, dS=dS)


def head_backward(head: Head, h_top: np.ndarray, dv: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """∂E/∂h_top (the top layer's ε) and the head's gradients."""
    if head.type == "identity":
        return dv, {}
    return dv @ head.params["W_y"], {"W_y": dv.T @ h_top, "b_y": dv.sum(axis=0)}


def backward(model: Model, fw: Forward, mode: GradientMode) -> Backward:
    with np.errstate(all="ignore"):
        ext, head_grads = head_backward(model.head, fw.layers[-1].H, fw.head.dv)
        eps = ext
        out: list[LayerBackward] = []
        for n in reversed(range(len(model.layers))):
            layer, lf = model.layers[n], fw.layers[n]
            backward_layer = _lstm_backward if isinstance(layer, LSTMLayer) else _rnn_backward
            lb = backward_layer(layer, lf, fw_input(fw, n), ext, eps, mode, need_eps_x=n > 0)
            out.append(lb)
            ext, eps = lb.dX, lb.eps_x
        return Backward(layers=out[::-1], head_grads=head_grads)


def fw_input(fw: Forward, n: int) -> np.ndarray:
    """The input sequence of layer n: x for the bottom layer, h of the layer below otherwise."""
    return fw.x if n == 0 else fw.layers[n - 1].H


def _recurrence(mode: GradientMode, T: int):
    """Per step t (descending): whether δ flows from t into t-1 through h, and at all."""
    for t in reversed(range(T)):
        boundary = mode.cuts_all_at(t) or t == 0
        yield t, (not boundary) and mode.recurrent_h, not boundary


def _lstm_backward(layer, lf, inp, ext, eps, mode, need_eps_x: bool) -> LayerBackward:
    T, H = lf.H.shape
    loc = lstm_local(layer, lf)
    W, UT = lf.W, np.ascontiguousarray(lf.U.T)
    f = lf.G[:, H:2 * H]
    Fc = f.copy()
    if layer.peepholes and mode.recurrent_h:
        Fc += layer.peephole("i") * loc.Q[:, 0] + layer.peephole("f") * loc.Q[:, 1]
    dA = np.empty((T, 4, H))
    dH = np.empty((T, H))
    dC = np.empty((T, H))
    zero = np.zeros(H)
    dh_rec, dc_rec = zero, zero
    Q, Ro, Kc = loc.Q, loc.Ro, loc.Kc
    for t, through_h, through_c in _recurrence(mode, T):
        dh = np.add(ext[t], dh_rec, out=dH[t])
        dc = np.multiply(dh, Kc[t], out=dC[t])
        dc += dc_rec
        da = dA[t]
        np.multiply(Q[t], dc, out=da)
        np.multiply(Ro[t], dh, out=da[2])
        dh_rec = UT @ da.reshape(-1) if through_h else zero
        dc_rec = dc * Fc[t] if through_c else zero
    dA2 = dA.reshape(T, 4 * H)
    gW, gU, gb = dA2.T @ inp, dA2.T @ lf.h_prev, dA2.sum(axis=0)
    grads: dict[str, np.ndarray] = {}
    for k, g in enumerate(GATES):
        if g in layer.gates:
            rows = slice(k * H, (k + 1) * H)
            grads[f"W_{g}"], grads[f"U_{g}"], grads[f"b_{g}"] = gW[rows], gU[rows], gb[rows]
    if layer.peepholes:
        grads["p_i"] = np.sum(dA[:, 0] * lf.c_prev, axis=0)
        if layer.forget_gate:
            grads["p_f"] = np.sum(dA[:, 1] * lf.c_prev, axis=0)
        grads["p_o"] = np.sum(dA[:, 2] * lf.C, axis=0)
    grads = {name: grads[name] for name in layer.param_shapes()}
    eps_x = None
    if need_eps_x:
        sync = Q * (eps * Kc)[:, None, :]
        sync[:, 2] = Ro * eps
        eps_x = sync.reshape(T, 4 * H) @ W
    return LayerBackward(dA=dA2, dH=dH, eps_h=eps, dX=dA2 @ W, eps_x=eps_x, grads=grads, dC=dC)


def _rnn_backward(layer, lf, inp, ext, eps, mode, need_eps_x: bool) -> LayerBackward:
    T, H = lf.H.shape
    p = layer.params
    D = ACTIVATIONS[layer.activation].df(lf.A, lf.H)
    dA = np.empty((T, H))
    dH = np.empty((T, H))
    zero = np.zeros(H)
    dh_rec = zero
    U = p["U"]
    for t, through_h, _ in _recurrence(mode, T):
        dh = ext[t] + dh_rec
        da = dh * D[t]
        dA[t] = da
        dH[t] = dh
        dh_rec = da @ U if through_h else zero
    grads = {"W": dA.T @ inp, "U": dA.T @ lf.h_prev, "b": dA.sum(axis=0)}
    eps_x = (eps * D) @ p["W"] if need_eps_x else None
    return LayerBackward(dA=dA, dH=dH, eps_h=eps, dX=dA @ p["W"], eps_x=eps_x, grads=grads)


def contributions(model: Model, fw: Forward, bw: Backward, param: str) -> np.ndarray:
    """Per-step terms (T, *shape) that sum over t to the gradient of ``param`` (``l0/W_i``, ``head/b_y``…)."""
    prefix, name = param.split("/", 1)
    if prefix == "head":
        dv = fw.head.dv
        return np.einsum("tk,th->tkh", dv, fw.layers[-1].H) if name == "W_y" else dv.copy()
    n = int(prefix[1:])
    layer, lf, lb = model.layers[n], fw.layers[n], bw.layers[n]
    H = lf.H.shape[1]
    if isinstance(layer, RNNLayer):
        da = lb.dA
    else:
        kind, gate = name.split("_")
        da = lb.dA[:, GATES.index(gate) * H:(GATES.index(gate) + 1) * H]
        name = kind
        if kind == "p":
            return da * (lf.C if gate == "o" else lf.c_prev)
    if name == "W":
        return np.einsum("th,td->thd", da, fw_input(fw, n))
    if name == "U":
        return np.einsum("th,tk->thk", da, lf.h_prev)
    return da.copy()
