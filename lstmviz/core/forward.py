"""Forward pass through time: every pre-activation, gate, cell state and output.

The input projection W x_t + b of all steps is one matrix product before the time loop; the loop
only adds U h_{t-1} (and the peepholes) and applies the activations. Shapes: x (T, D), every
per-layer array (T, H) or, stacked over the gates i, f, o, g, (T, 4H).

``forward(..., mode, base)`` runs the *surrogate* graph of a truncated gradient mode: the edges the
mode cuts read their values from ``base`` (a forward pass at the same point) instead of the live
ones. At the base point the values are identical, but the derivative of its loss is the truncated
gradient, which lets gradcheck verify cec and tbptt:K with finite differences. ``window:K`` has one
surrogate per cost, :func:`window_forwards`: E[t] replayed over its window from the stored state.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from .activations import ACTIVATIONS
from .model import Head, LSTMLayer, Model, RNNLayer, gate_block, gate_view
from .modes import GradientMode


@dataclass
class LSTMForward:
    """What one LSTM layer computed. ``A`` and ``G`` are stacked (T, 4H) in gate order (see gate_block)."""

    A: np.ndarray        # pre-activations a_i, a_f, a_o, a_g
    G: np.ndarray        # gate values i, f, o and the candidate g
    C: np.ndarray        # cell c (T, H)
    S: np.ndarray        # σ_out(c) (T, H)
    H: np.ndarray        # output h (T, H)
    h_prev: np.ndarray   # the h each step read (h0 first; a frozen value on a cut edge)
    c_prev: np.ndarray   # the c each step read
    W: np.ndarray        # the stacked input and recurrent matrices this pass used
    U: np.ndarray


@dataclass
class RNNForward:
    """What one vanilla RNN layer computed, (T, H) each; ``h_taps`` (T, taps, H) is the h[t−d] each tap
    read (a frozen value on a cut edge), ``past`` (D, H) the states h[1−D] … h[0] before the sequence."""

    A: np.ndarray
    H: np.ndarray
    h_prev: np.ndarray
    W: np.ndarray
    U: np.ndarray
    h_taps: np.ndarray
    past: np.ndarray


LayerForward = LSTMForward | RNNForward


@dataclass
class HeadForward:
    v: np.ndarray       # head output before the softmax (T, K)
    y_hat: np.ndarray   # (T, K)
    loss_t: np.ndarray  # (T,)
    dv: np.ndarray      # ∂E/∂v (T, K)

    @property
    def loss(self) -> float:
        return float(self.loss_t.sum())


@dataclass
class Forward:
    x: np.ndarray
    layers: list[LayerForward]
    head: HeadForward


def forward(model: Model, x: np.ndarray, y: np.ndarray, mask: np.ndarray,
            mode: GradientMode | None = None, base: Forward | None = None) -> Forward:
    """Run the model over the sequence; see the module docstring for ``mode``/``base``."""
    with np.errstate(all="ignore"):
        layers = []
        inp = x
        for n, layer in enumerate(model.layers):
            surrogate = base is not None and mode is not None and mode.kind != "full"
            if isinstance(layer, LSTMLayer):
                lf = _lstm_forward(layer, inp, _cutter(mode, base.layers[n]) if surrogate else None)
            else:
                lf = _rnn_forward(layer, inp, _rnn_cutter(mode, base.layers[n], layer.delays) if surrogate else None)
            layers.append(lf)
            inp = lf.H
        return Forward(x, layers, head_forward(model.head, inp, y, mask))


def state_at(fw: Forward, s: int) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """Every layer's state (h, c; c None for an RNN layer) entering step s (0-based); s = T is the
    state after the last step. For an RNN layer with taps, h is the (D, H) stack h[s−D+1] … h[s] of
    every state a tap can still read, D its largest delay."""
    out = []
    for lf in fw.layers:
        if isinstance(lf, RNNForward) and len(lf.past) > 1:
            out.append((np.vstack([lf.past, lf.H])[s:s + len(lf.past)], None))
        elif isinstance(lf, LSTMForward):
            out.append((lf.h_prev[s], lf.c_prev[s]) if s < len(fw.x) else (lf.H[-1], lf.C[-1]))
        else:
            out.append((lf.h_prev[s] if s < len(fw.x) else lf.H[-1], None))
    return out


def restart(model: Model, states: list[tuple[np.ndarray, np.ndarray | None]]) -> Model:
    """The model starting from ``states`` (as :func:`state_at` gives them) instead of h0/c0; the
    parameter arrays are shared, so edits to them show in both."""
    layers = []
    for layer, (h, c) in zip(model.layers, states, strict=True):
        if h.ndim == 2:  # a tapped RNN's history: h0 is its last row, the earlier rows its h_past
            layers.append(replace(layer, h0=h[-1].copy(), h_past=h[:-1].copy()))
        else:
            layers.append(replace(layer, h0=h.copy()) if c is None else replace(layer, h0=h.copy(), c0=c.copy()))
    return Model(model.input_size, layers, model.head)


def window_forwards(model: Model, x: np.ndarray, y: np.ndarray, mask: np.ndarray, base: Forward,
                    k: int) -> Iterator[Forward]:
    """The surrogates of window:K, one per cost E[t] (t = 1 … T): steps t-K+1 … t replayed from the
    state ``base`` entered step t-K+1 with, held constant. The last step's ``loss_t`` is E[t]; summed
    over t it is a loss whose gradient at the base point is the window:K gradient."""
    for t in range(len(x)):
        s = max(0, t - k + 1)
        sub = restart(model, state_at(base, s)) if s else model
        yield forward(sub, x[s:t + 1], y[s:t + 1], mask[s:t + 1])


def _cutter(mode: GradientMode, base: LSTMForward):
    """For step t: the (h for U, c for the i/f peepholes, c for f·c) the surrogate graph reads."""
    def cut(t: int, h: np.ndarray, c: np.ndarray):
        cb = base.c_prev[t]
        if mode.cuts_all_at(t):
            return base.h_prev[t], cb, cb
        if not mode.recurrent_h:
            return base.h_prev[t], cb, c
        return h, c, c
    return cut


def _lstm_forward(layer: LSTMLayer, x: np.ndarray, cut) -> LSTMForward:
    """The equations of :class:`LSTMLayer`, step by step, in few numpy calls a step: the gates that do
    not read c[t] (i, f, o; only i, f with peepholes) go through one activation call, each step's rows
    come from views made before the loop, and c[t] = f⊙c[t−1] + i⊙g is one product of G's (i, f) block
    with the row (g[t], c[t−1]) of ``GC`` (T+1, 2H) plus one sum of its halves; c[t] is written straight
    into the next row (with a cut, the surrogate's c[t−1] is copied there)."""
    T, H = len(x), layer.hidden_size
    W, U, b = layer.stacked()
    A = x @ W.T
    A += b
    UT = np.ascontiguousarray(U.T)
    gate = ACTIVATIONS[layer.gate_activation].f
    cand = ACTIVATIONS[layer.candidate_activation].f
    out = ACTIVATIONS[layer.cell_output_activation].f
    peep, no_forget = layer.peepholes, not layer.forget_gate
    G, GC = np.empty((T, 4 * H)), np.empty((T + 1, 2 * H))
    C, S, Hs, h_prev = np.empty((T, H)), np.empty((T, H)), np.empty((T, H)), np.empty((T, H))
    GC[0, H:] = layer.c0
    prod = np.empty(2 * H)
    prod_ig, prod_fc = prod[:H], prod[H:]
    i_f, o, g = gate_block(H, "i", "f"), gate_block(H, "o"), gate_block(H, "g")
    early = i_f if peep else gate_block(H, "i", "o")  # the gates computed before c[t]
    c_rows = C if cut is not None else GC[1:, H:]
    p_if = p_o = None
    if_rows = o_rows = [None] * T  # with peepholes: (a_i; a_f) as (2, H), and a_o
    if peep:
        p_if, p_o = np.stack([layer.peephole("i"), layer.peephole("f")]), layer.peephole("o")
        if_rows, o_rows = gate_view(A)[:, :2], A[:, o]
    rows = zip(A, A[:, early], G[:, early], A[:, g], GC[:T, :H], GC[:T], G[:, i_f], G[:, o], c_rows, S, Hs,
               if_rows, o_rows, strict=True)
    h, c = layer.h0, layer.c0
    # in the loop each activation and ufunc gets its output array positionally: parsing out= costs ~50 ns a
    # call, more than the arithmetic on rows this short
    for t, (a, a_early, g_early, a_g, g_t, gc_t, if_t, o_t, c_t, s_t, h_t, a_if, a_o) in enumerate(rows):
        c_peep = c
        if cut is not None:  # the surrogate's h to read, c for the i/f peepholes, c for f to multiply
            h, c_peep, gc_t[H:] = cut(t, h, c)
            h_prev[t] = h
        a += h.dot(UT)
        if peep:
            a_if += p_if * c_peep
        gate(a_early, g_early)
        if no_forget:
            if_t[H:] = 1.0
        cand(a_g, g_t)
        np.multiply(if_t, gc_t, prod)
        c = np.add(prod_fc, prod_ig, c_t)
        if peep:
            a_o += p_o * c
            gate(a_o, o_t)
        h = np.multiply(o_t, out(c, s_t), h_t)
    G[:, g] = GC[:T, :H]
    c_prev = GC[:T, H:].copy()
    if cut is None:
        _shift(h_prev, layer.h0, Hs)
        C = GC[1:, H:].copy()
    return LSTMForward(A=A, G=G, C=C, S=S, H=Hs, h_prev=h_prev, c_prev=c_prev, W=W, U=U)


def _rnn_cutter(mode: GradientMode, base: RNNForward, delays: tuple[int, ...]):
    """For step t: h[t−d] of every delay d (n, H), the base's on the edges the mode cuts."""
    d = np.array(delays)
    base_read = np.concatenate([base.h_prev[:, None], base.h_taps], axis=1)

    def cut(t: int, hs: np.ndarray) -> np.ndarray:
        frozen = mode.cuts_h(t - d, t)
        hs[frozen] = base_read[t, frozen]
        return hs
    return cut


def _rnn_forward(layer: RNNLayer, x: np.ndarray, cut) -> RNNForward:
    """h[t] = act(W x[t] + Σ_d U_d h[t−d] + b) over the delays d = 1 and the taps; ``hist`` holds
    h[1−D] … h[T] (D the largest delay), so h[t−d] of 0-based step t is row t + D − d."""
    T, H = len(x), layer.hidden_size
    p = layer.params
    A = x @ p["W"].T + p["b"]
    delays = np.array(layer.delays)
    UT = np.ascontiguousarray(layer.recurrent().transpose(0, 2, 1).reshape(-1, H))  # [U; U_2; …]ᵀ stacked
    act = ACTIVATIONS[layer.activation].f
    past = layer.past()
    D = len(past)
    hist = np.empty((D + T, H))
    hist[:D] = past
    read = np.empty((T, len(delays), H))
    for t in range(T):
        hs = hist[t + D - delays]
        read[t] = hs if cut is None else cut(t, hs)
        a = A[t]
        a += read[t].reshape(-1) @ UT
        act(a, out=hist[D + t])
    return RNNForward(A=A, H=hist[D:], h_prev=read[:, 0], W=p["W"], U=p["U"], h_taps=read[:, 1:], past=past)


def _shift(prev: np.ndarray, first: np.ndarray, seq: np.ndarray) -> None:
    """prev[t] = seq[t-1], prev[0] = first: the state each step starts from."""
    prev[0] = first
    prev[1:] = seq[:-1]


def head_forward(head: Head, h_top: np.ndarray, y: np.ndarray, mask: np.ndarray) -> HeadForward:
    """Output, per-step loss and ∂E/∂v. Steps with mask 0 contribute exactly 0, even when non-finite."""
    if head.type == "identity":
        v = h_top
    else:
        v = h_top @ head.params["W_y"].T + head.params["b_y"]
    T = len(v)
    if head.loss == "mse":
        y_hat = v
        r = v - y
        per_step = 0.5 * np.sum(r * r, axis=1)
        dv = r
    else:
        m = v.max(axis=1, keepdims=True)
        logp = v - m - np.log(np.sum(np.exp(v - m), axis=1, keepdims=True))
        y_hat = np.exp(logp)
        per_step = -logp[np.arange(T), y]
        dv = y_hat.copy()
        dv[np.arange(T), y] -= 1.0
    scored = mask != 0
    loss_t = np.where(scored, mask * per_step, 0.0)
    dv = np.where(scored[:, None], mask[:, None] * dv, 0.0)
    return HeadForward(v=v, y_hat=y_hat, loss_t=loss_t, dv=dv)
