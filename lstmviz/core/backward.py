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
from .forward import Forward, LSTMForward
from .keys import Key
from .model import GATES, PEEPHOLE_GATES, Head, LSTMLayer, Model, RNNLayer, gate_block, gate_view, tap_name
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
class RNNBackward:
    dA: np.ndarray     # δ of the pre-activation (T, H)
    dH: np.ndarray     # δh (T, H)
    eps_h: np.ndarray  # ε_h (T, H)
    dX: np.ndarray     # δ of the layer's input (T, D_in)
    eps_x: np.ndarray | None  # ε of the input (T, D_in), same-step only; None for the bottom layer
    grads: dict[str, np.ndarray]
    dA_start: np.ndarray | None = None  # window:K only: the share of δa, δh of the cost whose window
    dH_start: np.ndarray | None = None  # starts at step s, E[s+K−1] (0-based), which stops at the edge into s
    dA_tap_stop: np.ndarray | None = None  # (T, taps, H) window:K only: of δa[s+d], the share that stops on the
    # tap h[s] → step s+d (the costs whose windows start in s+1 … s+d; all of δa[s+d] when d ≥ K)


@dataclass
class LSTMBackward:
    dA: np.ndarray     # δ of the pre-activations, (T, 4H) stacked in gate order
    dH: np.ndarray     # δh (T, H)
    dC: np.ndarray     # δc (T, H)
    eps_h: np.ndarray  # ε_h (T, H)
    dX: np.ndarray     # δ of the layer's input (T, D_in)
    eps_x: np.ndarray | None  # ε of the input (T, D_in), same-step only; None for the bottom layer
    grads: dict[str, np.ndarray]
    dA_start: np.ndarray | None = None  # window:K only (see RNNBackward): (T, 4H), (T, H), (T, H) shares of
    dH_start: np.ndarray | None = None  # E[s+K−1], so that δh[s] = ext[s] + Uᵀ(δa[s+1] − δa_start[s+1]) and
    dC_start: np.ndarray | None = None  # δc[s] = δh[s]·Kc[s] + (δc[s+1] − δc_start[s+1])·∂c[s+1]/∂c[s]


LayerBackward = LSTMBackward | RNNBackward


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


def lstm_local(layer: LSTMLayer, lf: LSTMForward) -> LSTMLocal:
    T, H = lf.H.shape
    gates, cand = gate_block(H, "i", "o"), gate_block(H, "g")
    D = np.empty((T, 4 * H))
    D[:, gates] = ACTIVATIONS[layer.gate_activation].df(lf.A[:, gates], lf.G[:, gates])
    D[:, cand] = ACTIVATIONS[layer.candidate_activation].df(lf.A[:, cand], lf.G[:, cand])
    if not layer.forget_gate:
        D[:, gate_block(H, "f")] = 0.0
    i, f, o, g = (GATES.index(k) for k in "ifog")
    D4, G4 = gate_view(D), gate_view(lf.G)
    dS = ACTIVATIONS[layer.cell_output_activation].df(lf.C, lf.S)
    Q = np.empty((T, 4, H))
    np.multiply(G4[:, g], D4[:, i], out=Q[:, i])
    np.multiply(lf.c_prev, D4[:, f], out=Q[:, f])
    Q[:, o] = 0.0
    np.multiply(G4[:, i], D4[:, g], out=Q[:, g])
    Ro = lf.S * D4[:, o]
    Kc = G4[:, o] * dS
    if layer.peepholes:
        Kc += layer.peephole("o") * Ro
    return LSTMLocal(Q=Q, Ro=Ro, Kc=Kc, D=D, dS=dS)


def cell_carry(layer: LSTMLayer, lf: LSTMForward, loc: LSTMLocal, peepholes: bool = True) -> np.ndarray:
    """∂c[t]/∂c[t−1] (diagonal, (T, H)): f[t], plus the i/f peephole paths when ``peepholes``."""
    carry = lf.G[:, gate_block(lf.H.shape[1], "f")].copy()
    if layer.peepholes and peepholes:
        carry += layer.peephole("i") * loc.Q[:, GATES.index("i")] + layer.peephole("f") * loc.Q[:, GATES.index("f")]
    return carry


def head_backward(head: Head, h_top: np.ndarray, dv: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """∂E/∂h_top (the top layer's ε) and the head's gradients."""
    if head.type == "identity":
        return dv, {}
    return dv @ head.params["W_y"], {"W_y": dv.T @ h_top, "b_y": dv.sum(axis=0)}


def backward(model: Model, fw: Forward, mode: GradientMode) -> Backward:
    mode = mode.resolved(len(fw.x))
    if mode.kind == "window":
        return window_backward(model, fw, mode.k)
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


def _lstm_backward(layer, lf, inp, ext, eps, mode, need_eps_x: bool) -> LayerBackward:
    """The recursions of the module docstring from t = T down to 1. A step multiplies (δc, δc, δh, δc, δc)
    by its row of ``M`` = (∂c/∂a_i, ∂c/∂a_f, ∂h/∂a_o, ∂c/∂a_g, ∂c[t]/∂c[t−1]) in one call: the first four
    products are δa[t], the last the share of δc[t] that reaches δc[t−1]."""
    T, H = lf.H.shape
    loc = lstm_local(layer, lf)
    UT = np.ascontiguousarray(lf.U.T)
    o = GATES.index("o")
    M = np.empty((T, 5, H))
    M[:, :4] = loc.Q
    M[:, o] = loc.Ro
    M[:, 4] = cell_carry(layer, lf, loc, peepholes=mode.recurrent_h)
    P = np.empty((T, 5, H))  # the products: δa[t] (4, H), then the carried δc
    dH, dC = np.empty((T, H)), np.empty((T, H))
    spread = np.empty((5, H))
    dh_rec = dc_rec = zero = np.zeros(H)
    back_h, back_c = mode.flows_back(T)
    rows = (ext, loc.Kc, M, P, P.reshape(T, 5 * H)[:, :4 * H], P[:, 4], dH, dC)
    steps = zip(*(r[::-1] for r in rows), back_h[::-1], back_c[::-1], strict=True)
    for ext_t, kc, m, p, da, carried, dh, dc, to_h, to_c in steps:
        np.add(ext_t, dh_rec, dh)  # out positional: cheaper than out= on short rows
        np.multiply(dh, kc, dc)
        dc += dc_rec
        np.copyto(spread, dc)
        spread[o] = dh
        np.multiply(m, spread, p)
        dh_rec = UT.dot(da) if to_h else zero
        dc_rec = carried if to_c else zero
    return _lstm_result(layer, lf, loc, inp, eps, P[:, :4], dH, dC, need_eps_x)


def _lstm_result(layer, lf, loc: LSTMLocal, inp, eps, dA, dH, dC, need_eps_x: bool) -> LSTMBackward:
    """The weight gradients (Σ_t δa[t]·input[t]ᵀ), dX and the same-step ε_x of an LSTM layer from its δ."""
    T, H = lf.H.shape
    W, o_row = lf.W, GATES.index("o")
    dA2 = dA.reshape(T, 4 * H)
    gW, gU, gb = dA2.T @ inp, dA2.T @ lf.h_prev, dA2.sum(axis=0)
    grads: dict[str, np.ndarray] = {}
    for g in layer.gates:
        rows = gate_block(H, g)
        grads[f"W_{g}"], grads[f"U_{g}"], grads[f"b_{g}"] = gW[rows], gU[rows], gb[rows]
    if layer.peepholes:
        for g in PEEPHOLE_GATES:
            grads[f"p_{g}"] = np.sum(dA[:, GATES.index(g)] * (lf.C if g == "o" else lf.c_prev), axis=0)
    grads = {name: grads[name] for name in layer.param_shapes()}
    eps_x = None
    if need_eps_x:
        sync = loc.Q * (eps * loc.Kc)[:, None, :]
        sync[:, o_row] = loc.Ro * eps
        eps_x = sync.reshape(T, 4 * H) @ W
    return LSTMBackward(dA=dA2, dH=dH, eps_h=eps, dX=dA2 @ W, eps_x=eps_x, grads=grads, dC=dC)


def _rnn_backward(layer, lf, inp, ext, eps, mode, need_eps_x: bool) -> LayerBackward:
    """δh[t] = ext[t] + Σ_d U_dᵀ δa[t+d] over the delays d (1 and the taps) whose edge the mode keeps."""
    T, H = lf.H.shape
    D = rnn_local(layer, lf)
    dA = np.empty((T, H))
    dH = np.empty((T, H))
    rec = np.zeros((T, H))  # the error reaching h[s] from later steps
    Us = layer.recurrent()
    steps = np.arange(T)[:, None]
    src = steps - np.array(layer.delays)
    keep = (src >= 0) & ~mode.cuts_h(src, steps)
    for t in reversed(range(T)):
        dh = ext[t] + rec[t]
        da = dh * D[t]
        dA[t] = da
        dH[t] = dh
        if keep[t].any():
            rec[src[t, keep[t]]] += da @ Us[keep[t]]
    return _rnn_result(layer, lf, D, inp, eps, dA, dH, need_eps_x)


def rnn_local(layer: RNNLayer, lf) -> np.ndarray:
    """σ̇(a[t]) of an RNN layer, (T, H): ∂h[t]/∂a[t]."""
    return ACTIVATIONS[layer.activation].df(lf.A, lf.H)


def _rnn_result(layer, lf, D, inp, eps, dA, dH, need_eps_x: bool) -> RNNBackward:
    """The weight gradients, dX and the same-step ε_x of an RNN layer from its δ."""
    W = layer.params["W"]
    grads = {"W": dA.T @ inp, "U": dA.T @ lf.h_prev, "b": dA.sum(axis=0)}
    grads |= {tap_name(d): dA.T @ lf.h_taps[:, j] for j, d in enumerate(layer.taps)}
    eps_x = (eps * D) @ W if need_eps_x else None
    return RNNBackward(dA=dA, dH=dH, eps_h=eps, dX=dA @ W, eps_x=eps_x, grads=grads)


class _WindowLayer:
    """One layer's share of the window:K sweep (:func:`window_backward`), backward from step T to 1.

    At step s, row j of every (K, ·) array belongs to the one cost E[t] with t ≡ j (mod K) whose window
    holds s (t = s … s+K−1): it is dE[t]/d·[s] through the paths inside that window. Entering step s,
    row s mod K passes from E[s+K] (whose window starts at s+1, so it stops here) to E[s] (which starts
    here). The step's δ, stored in dA/dH (and dC), is the sum of its K rows; the row of E[s+K−1], whose
    window starts at s and whose error therefore stops at the edge into s, is kept in dA_start/dH_start
    (and dC_start).
    """

    def __init__(self, lf, k: int, record: int | None):
        T, H = lf.H.shape
        self.k = k
        self.dH, self.dH_start = np.empty((T, H)), np.empty((T, H))
        self.h_in = np.zeros((k, H))  # the error that reaches h[s] from step s+1, by cost
        self.record = record
        self.recorded = np.zeros((T, k)) if record is not None else None

    def _enter(self, j: int, ext: np.ndarray) -> np.ndarray:
        """δh of every cost at this step: ext is (H,) at the top (only E[s] is scored at step s: row j)
        or, below, the layer above's (K, H) δ of this layer's output."""
        dh = self.h_in
        if ext.ndim == 1:
            dh[j] = ext
        else:
            dh[j] = 0.0
            dh += ext
        return dh

    def _leave(self, s: int, dh: np.ndarray, da: np.ndarray) -> None:
        first = (s - 1) % self.k  # the row of E[s+K−1]
        self.dH_start[s], self.dA_start[s] = dh[first], da[first]
        if self.recorded is not None:
            self.recorded[s] = da[:, self.record]

    def _carries(self, s: int) -> bool:
        return s > 0 and self.k > 1


class _WindowLSTM(_WindowLayer):
    def __init__(self, layer: LSTMLayer, lf: LSTMForward, k: int, record: int | None = None):
        super().__init__(lf, k, record)
        T, H = lf.H.shape
        self.loc = lstm_local(layer, lf)
        self.carry = cell_carry(layer, lf, self.loc)
        self.U, self.W = lf.U, lf.W
        self.dA, self.dC = np.empty((T, 4, H)), np.empty((T, H))
        self.dA_start, self.dC_start = np.empty((T, 4 * H)), np.empty((T, H))
        self.c_in = np.zeros((k, H))

    def step(self, s: int, j: int, ext: np.ndarray, below: bool) -> np.ndarray | None:
        loc = self.loc
        dh = self._enter(j, ext)
        self.c_in[j] = 0.0
        dc = dh * loc.Kc[s]
        dc += self.c_in
        da = loc.Q[s] * dc[:, None, :]
        np.multiply(loc.Ro[s], dh, out=da[:, GATES.index("o")])
        dh.sum(axis=0, out=self.dH[s])
        dc.sum(axis=0, out=self.dC[s])
        da.sum(axis=0, out=self.dA[s])
        da = da.reshape(self.k, -1)
        self._leave(s, dh, da)
        self.dC_start[s] = dc[(s - 1) % self.k]
        if self._carries(s):
            self.h_in = da @ self.U
            self.c_in = dc * self.carry[s]
        return da @ self.W if below else None

    def result(self, layer, lf, inp, eps, need_eps_x: bool) -> LSTMBackward:
        lb = _lstm_result(layer, lf, self.loc, inp, eps, self.dA, self.dH, self.dC, need_eps_x)
        lb.dA_start, lb.dH_start, lb.dC_start = self.dA_start, self.dH_start, self.dC_start
        return lb


class _WindowRNN(_WindowLayer):
    """A tap U_d brings E[t]'s error from step s+d into h[s] while s+d ≤ t, i.e. when the row's
    t − s = (row − s) mod K is at least d; the per-cost δa of the last D steps wait in a ring for it."""

    def __init__(self, layer: RNNLayer, lf, k: int, record: int | None = None):
        super().__init__(lf, k, record)
        self.D = rnn_local(layer, lf)
        self.U, self.W = layer.params["U"], layer.params["W"]
        self.dA, self.dA_start = np.empty_like(self.dH), np.empty_like(self.dH)
        self.inside = np.array(layer.taps, dtype=int) < k  # a tap as long as the window never carries error
        self.taps, self.U_taps = np.array(layer.taps, dtype=int)[self.inside], layer.recurrent()[1:][self.inside]
        self.tap_stop = np.zeros((len(self.dH), len(layer.taps), lf.H.shape[1]))
        self.ring = np.zeros((max(self.taps, default=1), k, lf.H.shape[1]))  # step s's per-cost δa in row s mod D

    def step(self, s: int, j: int, ext: np.ndarray, below: bool) -> np.ndarray | None:
        dh = self._enter(j, ext)
        if len(self.taps):
            dh += self._tapped(s)
        da = dh * self.D[s]
        dh.sum(axis=0, out=self.dH[s])
        da.sum(axis=0, out=self.dA[s])
        self._leave(s, dh, da)
        if len(self.taps):
            self.ring[s % len(self.ring)] = da
        if self._carries(s):
            self.h_in = da @ self.U
        return da @ self.W if below else None

    def _tapped(self, s: int) -> np.ndarray:
        """Σ_d U_dᵀ δa[s+d] of every cost whose window holds the edge, (K, H)."""
        d = self.taps
        ahead = (np.arange(self.k) - s) % self.k
        exists = (s + d < len(self.dH))[:, None]
        valid, ring = (ahead[None, :] >= d[:, None]) & exists, self.ring[(s + d) % len(self.ring)]
        self.tap_stop[s, self.inside] = np.einsum("nk,nkh->nh", ~valid & exists, ring)
        return np.einsum("nk,nkh,nhi->ki", valid, ring, self.U_taps)

    def result(self, layer, lf, inp, eps, need_eps_x: bool) -> RNNBackward:
        lb = _rnn_result(layer, lf, self.D, inp, eps, self.dA, self.dH, need_eps_x)
        T = len(self.dA)
        for j in np.flatnonzero(~self.inside):  # a tap longer than the window: all of δa[s+d] stops
            d = layer.taps[j]
            if d < T:  # (a tap longer than the sequence only ever reads h0)
                self.tap_stop[:T - d, j] = self.dA[d:]
        lb.dA_start, lb.dH_start, lb.dA_tap_stop = self.dA_start, self.dH_start, self.tap_stop
        return lb


def window_sweep(model: Model, fw: Forward, k: int, ext: np.ndarray,
                  record: tuple[int, int] | None = None) -> list[_WindowLSTM | _WindowRNN]:
    """Every layer's per-cost δ under window:k, top layer first at each step (a lower layer needs the
    per-cost δ of its output, which only exists during the step). ``record`` = (layer, row of δa)
    keeps that row of every cost's δa, (T, k), in the layer's ``recorded``."""
    T = len(fw.x)
    k = min(k, T)
    runs = []
    for n, (layer, lf) in enumerate(zip(model.layers, fw.layers, strict=True)):
        row = record[1] if record is not None and record[0] == n else None
        runs.append(_WindowLSTM(layer, lf, k, row) if isinstance(layer, LSTMLayer) else _WindowRNN(layer, lf, k, row))
    for s in reversed(range(T)):
        j = s % k
        e = ext[s]
        for n in reversed(range(len(runs))):
            e = runs[n].step(s, j, e, below=n > 0)
    return runs


def window_backward(model: Model, fw: Forward, k: int) -> Backward:
    """The window:k backward pass: each cost E[t] carries error back through steps t−k+1 … t only.

    δ of a step is the sum, over the costs whose window holds it, of their δ at that step, so that
    dE/dW = Σ_t δa[t]·input[t]ᵀ still holds. The time loop does one (k, 4H)·(4H×H) product per step."""
    with np.errstate(all="ignore"):
        ext, head_grads = head_backward(model.head, fw.layers[-1].H, fw.head.dv)
        runs = window_sweep(model, fw, k, ext)
        eps, out = ext, []
        for n in reversed(range(len(runs))):
            lb = runs[n].result(model.layers[n], fw.layers[n], fw_input(fw, n), eps, need_eps_x=n > 0)
            out.append(lb)
            eps = lb.eps_x
        return Backward(layers=out[::-1], head_grads=head_grads)


def _gradient_factors(model: Model, fw: Forward, bw: Backward | None,
                      key: Key) -> tuple[np.ndarray, np.ndarray | None]:
    """The two factors of a parameter's per-step terms: δ of what it feeds (T, out) and what it
    multiplies (T, in), or None for a bias. A peephole multiplies elementwise, so its second factor is
    (T, H) like the first. The head's δ is the loss's own derivative (``bw`` may be None for it)."""
    if key.is_head:
        return fw.head.dv, gradient_input(model, fw, key)
    n = key.layer
    layer, lf, lb = model.layers[n], fw.layers[n], bw.layers[n]
    da = lb.dA[:, gate_block(lf.H.shape[1], key.gate)] if isinstance(layer, LSTMLayer) else lb.dA
    return da, gradient_input(model, fw, key)


def gradient_input(model: Model, fw: Forward, key: Key) -> np.ndarray | None:
    """What a parameter multiplies at each step (T, in): x or the layer below's h for W, h[t−1] for U,
    h[t−d] for an RNN tap U_d, c[t−1] (p_i, p_f) or c[t] (p_o) for a peephole, the top h for W_y; None
    for a bias."""
    if key.is_head:
        return fw.layers[-1].H if key.name == "W_y" else None
    n = key.layer
    lf = fw.layers[n]
    if key.kind == "p":
        return lf.C if key.gate == "o" else lf.c_prev
    if key.kind == "U" and key.delay > 1:  # an RNN tap: h[t−d]
        return lf.h_taps[:, model.layers[n].taps.index(key.delay)]
    return {"W": fw_input(fw, n), "U": lf.h_prev}.get(key.kind)


def input_column(key: Key, index: tuple[int, ...]) -> int:
    """The column of ``gradient_input`` that entry ``index`` multiplies (a peephole: its own unit)."""
    return index[0] if key.kind == "p" else index[1]


def contributions(model: Model, fw: Forward, bw: Backward, param: str) -> np.ndarray:
    """Per-step terms (T, *shape) that sum over t to the gradient of ``param`` (``l0/W_i``, ``head/b_y``…)."""
    key = Key.parse(param)
    delta, inputs = _gradient_factors(model, fw, bw, key)
    if inputs is None:
        return delta.copy()
    if key.kind == "p":
        return delta * inputs
    return np.einsum("to,ti->toi", delta, inputs)


def contribution_at(model: Model, fw: Forward, bw: Backward | None, param: str,
                    index: tuple[int, ...]) -> np.ndarray:
    """The per-step terms (T,) of one entry of ``param``: ``contributions(...)[:, *index]`` without the rest."""
    key = Key.parse(param)
    delta, inputs = _gradient_factors(model, fw, bw, key)
    u = index[0]
    if inputs is None:
        return delta[:, u].copy()
    return delta[:, u] * inputs[:, input_column(key, index)]
