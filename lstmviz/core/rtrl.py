"""Real-time recurrent learning: gradients forward in time through sensitivities.

For every layer we carry S_h[t] = dh[t]/dθ and (LSTM) S_c[t] = dc[t]/dθ, matrices (H, P) over all
P layer parameters, and accumulate dE/dθ += ∂E/∂h_top[t] · S_h_top[t] at every step:

    dA[t]  = ∂a[t]/∂θ (immediate) + W S_x[t] + U S_h[t-1] + p_{i,f}⊙S_c[t-1]
    S_c[t] = f[t]⊙S_c[t-1] + Σ_{i,f,g} ∂c[t]/∂a_*[t] ⊙ dA_*[t]
    S_h[t] = ∂h[t]/∂a_o[t] ⊙ (dA_o[t] + p_o⊙S_c[t]) + o[t]⊙σ̇_out(c[t])⊙S_c[t]

S_x[t] is the sensitivity of the layer below at the same step. The gradient modes drop the same
terms as in BPTT: ``cec`` keeps only f⊙S_c[t-1] in time (Gers' truncated RTRL), ``tbptt:K`` resets
the sensitivities at every chunk boundary. ``window:K`` needs, for the cost at step t, the sensitivity
to the copies θ(t−K+1) … θ(t) only, so it carries K of them, S[t] = ∂s[t]/∂θ(s) for s = t−K+1 … t,
in a ring of K slots: at step t the slot of θ(t−K) is cleared and θ(t)'s immediate term enters it,
and dE/dθ += ∂E/∂h_top[t] · Σ_slots S_h_top[t]. That is K times the memory and work of ``full``.
The head has no recurrence; its gradient is the same product as in BPTT. The cost per step grows as
H²·P, so RTRL refuses models with more than :data:`MAX_SENSITIVITY_ENTRIES` sensitivity entries
(P × total hidden units, × K under window:K).
"""
from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS
from .backward import head_backward, lstm_local
from .forward import Forward, LSTMForward
from .keys import Key
from .model import GATES, LSTMLayer, Model, gate_block, gate_view
from .modes import GradientMode
from .params import param_blocks

MAX_SENSITIVITY_ENTRIES = 1_000_000


class RTRLTooLarge(ValueError):
    pass


def rtrl_gradients(model: Model, fw: Forward, mode: GradientMode) -> dict[str, np.ndarray]:
    """Every parameter gradient (keys as :meth:`Backward.grads`), computed forward in time."""
    blocks = param_blocks(model, include_head=False)
    P = sum(b.size for b in blocks)
    mode = mode.resolved(len(fw.x))
    check_size(model, mode.k if mode.kind == "window" else 1)
    with np.errstate(all="ignore"):
        total = _run(model, fw, mode, blocks, P)
        ext, head_grads = head_backward(model.head, fw.layers[-1].H, fw.head.dv)
    grads = {b.key: total[b.offset:b.offset + b.size].reshape(b.shape) for b in blocks}
    grads.update({f"head/{k}": v for k, v in head_grads.items()})
    return grads


def check_size(model: Model, slots: int = 1) -> None:
    """Raise :class:`RTRLTooLarge` (one line) when all P layer parameters' sensitivities, × ``slots``
    (window:K), would exceed :data:`MAX_SENSITIVITY_ENTRIES`."""
    P = sum(b.size for b in param_blocks(model, include_head=False))
    units = sum(layer.hidden_size for layer in model.layers)
    if P * units * slots > MAX_SENSITIVITY_ENTRIES:
        times = f" × {slots} window slots" if slots > 1 else ""
        raise RTRLTooLarge(
            f"rtrl is for small models: {P} parameters × {units} hidden units{times} = {P * units * slots} "
            f"sensitivities exceeds {MAX_SENSITIVITY_ENTRIES}; use bptt")


class Immediate:
    """Index tables placing ∂a[t]/∂θ (x, h[t-1], 1, c) into a (rows, P) matrix.

    ``columns`` (sorted flat parameter indices, as :func:`param_blocks` numbers them) keeps only those
    columns, renumbered 0 … len−1: the recurrence is column by column, so one entry's sensitivities
    cost P = 1."""

    def __init__(self, model: Model, n: int, blocks, P: int, columns: np.ndarray | None = None):
        layer = model.layers[n]
        self.rows = 4 * layer.hidden_size if isinstance(layer, LSTMLayer) else layer.hidden_size
        self.taps = () if isinstance(layer, LSTMLayer) else layer.taps
        self.P = P if columns is None else len(columns)
        H = layer.hidden_size
        self.parts: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {
            "x": [], "h": [], "1": [], "c_prev": [], "c": []}
        for b in blocks:
            if b.layer != n:
                continue
            key = Key.parse(b.key)
            kind, gate = key.kind, key.gate
            base = gate_block(H, gate).start if gate else 0
            j = np.arange(H)
            if kind in ("W", "U"):
                width = b.shape[1]
                jj, mm = np.meshgrid(j, np.arange(width), indexing="ij")
                source = "x" if kind == "W" else ("h" if key.delay == 1 else f"h{key.delay}")  # h2: h[t−2]
                self.parts.setdefault(source, []).append(
                    ((base + jj).ravel(), (b.offset + jj * width + mm).ravel(), mm.ravel()))
            elif kind == "b":
                self.parts["1"].append((base + j, b.offset + j, np.zeros(H, dtype=int)))
            else:  # peephole: p_i, p_f read c[t-1], p_o reads c[t]
                self.parts["c" if gate == "o" else "c_prev"].append((base + j, b.offset + j, j))
        self.parts = {k: [tuple(np.concatenate(a) for a in zip(*v, strict=True))] if v else []
                      for k, v in self.parts.items()}
        if columns is not None:
            self.parts = {k: [_keep(part, columns) for part in v] for k, v in self.parts.items()}

    def matrix(self, values: dict[str, np.ndarray]) -> np.ndarray:
        M = np.zeros((self.rows, self.P))
        for k, parts in self.parts.items():
            if k == "c":
                continue
            for rows, cols, src in parts:
                M[rows, cols] = values[k][src]
        return M

    def add_output_peephole(self, dAo: np.ndarray, c: np.ndarray, o_offset: int) -> None:
        for rows, cols, src in self.parts["c"]:
            dAo[rows - o_offset, cols] += c[src]


def _run(model: Model, fw: Forward, mode: GradientMode, blocks, P: int) -> np.ndarray:
    T = len(fw.x)
    slots = mode.k if mode.kind == "window" else None
    lead = () if slots is None else (slots,)
    imms = [Immediate(model, n, blocks, P) for n in range(len(model.layers))]
    locs = layer_locals(model, fw)
    Sh = [np.zeros(lead + (layer.hidden_size, P)) for layer in model.layers]
    Sc = [np.zeros(lead + (layer.hidden_size, P)) for layer in model.layers]
    history = [np.zeros((max(layer.delays),) + Sh[n].shape) if not isinstance(layer, LSTMLayer) and layer.taps
               else None for n, layer in enumerate(model.layers)]
    dh_top, _ = head_backward(model.head, fw.layers[-1].H, fw.head.dv)
    total = np.zeros(P)
    for t in range(T):
        slot = None if slots is None else t % slots
        advance(model, fw, locs, imms, Sh, Sc, t, mode.cuts_all_at(t), mode, slot, history)
        total += dh_top[t] @ (Sh[-1] if slot is None else Sh[-1].sum(axis=0))
    return total


def layer_locals(model: Model, fw: Forward) -> list:
    """Every layer's same-step multipliers: :func:`lstm_local` of an LSTM layer, act′(a) (T, H) of an RNN layer."""
    return [lstm_local(layer, fw.layers[n]) if isinstance(layer, LSTMLayer)
            else ACTIVATIONS[layer.activation].df(fw.layers[n].A, fw.layers[n].H)
            for n, layer in enumerate(model.layers)]


def advance(model: Model, fw: Forward, locs: list, imms: list[Immediate], Sh: list[np.ndarray],
            Sc: list[np.ndarray], t: int, reset: bool, mode: GradientMode, slot: int | None = None,
            history: list[np.ndarray | None] | None = None) -> None:
    """One step of the recurrence, bottom layer first: Sh[n], Sc[n] become S_h[t], S_c[t] of row t of
    ``fw`` (``reset``: the recurrent edges into it are cut). The stacked W, U are those ``fw`` used.

    An RNN layer with taps also needs S_h[t−d]: ``history[n]`` is a ring of its last D sensitivities
    (row t mod D holds S_h[t]), which this step reads and then extends."""
    slots = None if slot is None else Sh[0].shape[0]
    Sx = None
    for n, layer in enumerate(model.layers):
        W, U = fw.layers[n].W, fw.layers[n].U
        dA = _immediate(imms[n], fw, n, t, slot, slots)
        if Sx is not None:
            dA += W @ Sx
        if slot is not None:  # the sensitivity to θ(t−K) leaves the window of every cost from t on
            Sh[n][slot] = 0.0
            Sc[n][slot] = 0.0
        if not reset and mode.recurrent_h:
            dA += U @ Sh[n]
        if isinstance(layer, LSTMLayer):
            Sh[n], Sc[n] = _lstm_step(layer, fw.layers[n], locs[n], imms[n], dA, Sc[n], t, reset, mode, slot)
        else:
            if layer.taps:
                dA += _tapped(layer, history, n, t, mode, slot)
            Sh[n] = locs[n][t][:, None] * dA
            if layer.taps:
                history[n][t % len(history[n])] = Sh[n]
        Sx = Sh[n]


def _tapped(layer, history: list[np.ndarray | None] | None, n: int, t: int, mode: GradientMode,
            slot: int | None) -> np.ndarray:
    """Σ_d U_d·S_h[t−d] over the taps whose edge into step t the mode keeps. Under window:K only the
    slots of θ(s) with s ≥ t−K+1 count: slot r of S_h[t−d] holds s = t−d − ((t−d−r) mod K)."""
    if history is None:
        raise RTRLTooLarge("real-time RTRL does not follow a multi-tap RNN layer (taps on h[t−2] …) yet; "
                           "use bptt, or updates per epoch or chunk")
    ring = history[n]
    out = np.zeros(ring.shape[1:-2] + (layer.hidden_size, ring.shape[-1]))
    for d, U_d in zip(layer.taps, layer.recurrent()[1:], strict=True):
        if t - d < 0 or mode.cuts_h(t - d, t):
            continue
        S = ring[(t - d) % len(ring)]
        if slot is not None:
            K = S.shape[0]
            S = S * ((t - d - np.arange(K)) % K <= K - 1 - d)[:, None, None]
        out += U_d @ S
    return out


def _keep(part: tuple[np.ndarray, np.ndarray, np.ndarray], columns: np.ndarray):
    """The (rows, cols, src) entries of ``part`` in ``columns``, their columns renumbered."""
    rows, cols, src = part
    keep = np.isin(cols, columns)
    return rows[keep], np.searchsorted(columns, cols[keep]), src[keep]


def _immediate(imm: Immediate, fw: Forward, n: int, t: int, slot: int | None, slots: int | None) -> np.ndarray:
    """∂a[t]/∂θ(t) of layer n, (rows, P); under window:K in row ``slot`` of a (K, rows, P) stack of zeros."""
    lf = fw.layers[n]
    values = {"x": fw.x[t] if n == 0 else fw.layers[n - 1].H[t], "h": lf.h_prev[t], "1": np.ones(1)}
    if isinstance(lf, LSTMForward):
        values["c_prev"] = lf.c_prev[t]
    else:
        values |= {f"h{d}": lf.h_taps[t, j] for j, d in enumerate(imm.taps)}
    M = imm.matrix(values)
    if slot is None:
        return M
    out = np.zeros((slots,) + M.shape)
    out[slot] = M
    return out


def _lstm_step(layer: LSTMLayer, lf, loc, imm: Immediate, dA: np.ndarray, Sc_prev: np.ndarray,
               t: int, reset: bool, mode: GradientMode, slot: int | None):
    H = layer.hidden_size
    i, f, o, g = (GATES.index(k) for k in "ifog")
    dA4 = dA.reshape(dA.shape[:-2] + (len(GATES), H, dA.shape[-1]))  # gate blocks of the (4H, P) sensitivities
    if reset:
        Sc_prev = np.zeros_like(Sc_prev)
    elif layer.peepholes and mode.recurrent_h:
        dA4[..., i, :, :] += layer.peephole("i")[:, None] * Sc_prev
        dA4[..., f, :, :] += layer.peephole("f")[:, None] * Sc_prev
    G4 = gate_view(lf.G[t])
    Q = loc.Q[t]
    Sc = (G4[f][:, None] * Sc_prev + Q[i][:, None] * dA4[..., i, :, :] + Q[f][:, None] * dA4[..., f, :, :]
          + Q[g][:, None] * dA4[..., g, :, :])
    dAo = dA4[..., o, :, :].copy()
    if layer.peepholes:
        dAo += layer.peephole("o")[:, None] * Sc
        imm.add_output_peephole(dAo if slot is None else dAo[slot], lf.C[t], gate_block(H, "o").start)
    Sh = loc.Ro[t][:, None] * dAo + (G4[o] * loc.dS[t])[:, None] * Sc
    return Sh, Sc
