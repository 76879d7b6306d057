"""Measurements of the effects the course talks about: vanishing and exploding gradients,
what truncation drops, and how the state Jacobian behaves step by step.

For one layer the state s[t] = (h[t], c[t]) (an RNN: h[t]) evolves with the input from below held
fixed; its step Jacobian M[t] = ∂s[t]/∂s[t−1] is, with Q = ∂c/∂a, R_o = ∂h/∂a_o, K_c = ∂h/∂c
(the multipliers of the backward pass):

    ∂c[t]/∂c[t−1] = diag(f + Q_i p_i + Q_f p_f),  ∂c[t]/∂h[t−1] = Σ_{i,f,g} diag(Q_*) U_*
    ∂h[t]/∂h[t−1] = diag(R_o) U_o + diag(K_c) ∂c[t]/∂h[t−1],  ∂h[t]/∂c[t−1] = diag(K_c) ∂c[t]/∂c[t−1]

and ∂s[T]/∂s[t] = M[T] ⋯ M[t+1]. For the one-node linear RNN M = u, so ‖∂h[T]/∂h[t]‖ = |u|^(T−t).

The cost × lag matrix (:func:`cost_lag`) splits one weight's gradient the way seed 003 does:
dC(t)/dW = Σ_u dC(t)/dW(t−u), W(s) being the copy of W used at step s. Its entries fade with the lag
u while each row — and Σ_t of the rows, the gradient — stays healthy; window:K keeps the columns u < K.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS
from .backward import (
    cell_carry,
    contribution_at,
    gradient_input,
    head_backward,
    input_column,
    lstm_local,
    window_sweep,
)
from .forward import Forward
from .keys import Key
from .model import GATES, LSTMLayer, Model, Scenario, gate_block
from .params import param_blocks
from .trace import Trace, compute


@dataclass
class LagProfile:
    """Norms of ∂s[T]/∂s[t] against the lag m = T − t (index m, m = 0 … T−1)."""

    layer: int
    dh: np.ndarray          # ‖∂h[T]/∂h[T−m]‖ (spectral norm)
    dc: np.ndarray | None   # ‖∂c[T]/∂c[T−m]‖ (LSTM only)
    delta_h: np.ndarray     # ‖δh[T−m]‖ under the trace's gradient mode


@dataclass
class TruncationRow:
    param: str              # "l0/W_i"
    norms: dict[str, float]  # ‖grad‖ under each mode
    angle: dict[str, float]  # degrees between full and the mode (nan if either is zero)
    relative: dict[str, float]  # ‖grad_mode‖ / ‖grad_full‖


def step_jacobians(trace: Trace, n: int) -> np.ndarray:
    """M[t] = ∂s[t]/∂s[t−1] of layer n for every step, (T, S, S) with S = 2H (LSTM: s = (h, c)) or D·H
    (RNN: s = (h[t], h[t−1], … h[t−D+1]), D its largest delay, 1 without taps — the top block row holds
    σ̇·U_d in column block d−1, the blocks below shift the history down)."""
    layer = trace.scenario.model.layers[n]
    lf = trace.forward.layers[n]
    T, H = lf.H.shape
    if not isinstance(layer, LSTMLayer):
        d = ACTIVATIONS[layer.activation].df(lf.A, lf.H)
        D = max(layer.delays)
        M = np.zeros((T, D * H, D * H))
        columns = (np.array(layer.delays)[:, None] - 1) * H + np.arange(H)
        M[:, :H, columns.ravel()] = d[:, :, None] * np.concatenate(layer.recurrent(), axis=1)[None]
        M[:, H:, :-H] = np.eye((D - 1) * H)
        return M
    loc = lstm_local(layer, lf)
    U = {g: layer.params.get(f"U_{g}", np.zeros((H, H))) for g in GATES}
    dc_dh = sum(loc.Q[:, k, :, None] * U[g][None] for k, g in enumerate(GATES) if g != "o")
    dc_dc_diag = cell_carry(layer, lf, loc)
    M = np.zeros((T, 2 * H, 2 * H))
    M[:, :H, :H] = loc.Ro[:, :, None] * U["o"][None] + loc.Kc[:, :, None] * dc_dh
    M[:, :H, H:] = np.einsum("th,hk->thk", loc.Kc * dc_dc_diag, np.eye(H))
    M[:, H:, :H] = dc_dh
    M[:, H:, H:] = np.einsum("th,hk->thk", dc_dc_diag, np.eye(H))
    return M


def lag_profile(trace: Trace, n: int | None = None) -> LagProfile:
    """How much of s[T] depends on s[T−m], for every lag m (the top layer by default)."""
    model = trace.scenario.model
    n = len(model.layers) - 1 if n is None else n
    H = model.layers[n].hidden_size
    lstm = isinstance(model.layers[n], LSTMLayer)
    with np.errstate(all="ignore"):
        M = step_jacobians(trace, n)
        T = len(M)
        P = np.eye(M.shape[1])
        dh, dc = np.empty(T), np.empty(T) if lstm else None
        for m in range(T):  # P = ∂s[T]/∂s[T−m]
            dh[m] = _spectral(P[:H, :H])
            if lstm:
                dc[m] = _spectral(P[H:, H:])
            P = P @ M[T - 1 - m]
        delta = np.linalg.norm(trace[f"l{n}/delta_h"], axis=1)[::-1]
    return LagProfile(n, dh, dc, delta)


def jacobian_spectrum(trace: Trace, n: int | None = None) -> np.ndarray:
    """The largest singular value of ∂h[t]/∂h[t−1] (c[t−1] held fixed) at every step t = 1 … T."""
    model = trace.scenario.model
    n = len(model.layers) - 1 if n is None else n
    H = model.layers[n].hidden_size
    with np.errstate(all="ignore"):
        M = step_jacobians(trace, n)
        return np.array([_spectral(m[:H, :H]) for m in M])


@dataclass
class CostLag:
    """dC(t)/dW(t−u) of one weight entry W for every cost C(t) = E[t] and lag u (seed 003's terms)."""

    param: str            # "l0/U"
    index: tuple[int, ...]
    matrix: np.ndarray    # (T, L): row t−1, column u; 0 where t−u < 1

    @property
    def label(self) -> str:
        return f"{self.param}[{', '.join(map(str, self.index))}]"

    @property
    def per_cost(self) -> np.ndarray:
        """Σ_u over the L lags: dC(t)/dW for every t (exactly, when L = T)."""
        return self.matrix.sum(axis=1)

    def window(self, k: int) -> np.ndarray:
        """Σ_{u<k}: each cost's share under window:k; summed over t, the window:k gradient."""
        return self.matrix[:, :k].sum(axis=1)

    @property
    def total(self) -> float:
        return float(self.matrix.sum())


def cost_lag(source: Trace | Scenario, param: str, index: tuple[int, ...], max_lag: int | None = None) -> CostLag:
    """The cost × lag matrix of entry ``index`` of ``param`` (``l0/U``, ``l0/W_i``, ``head/W_y``…) at the
    weights of ``source``: M[t−1, u] = dC(t)/dW(t−u) along every path (the full gradient's terms), for
    the lags u < ``max_lag`` (all T by default). The whole matrix sums to grad/<param>[index] under
    full, its columns u < K to window:K's. Costs about T·L backward steps (one sweep of L windows)."""
    trace = source if isinstance(source, Trace) else compute(source)
    block = {b.key: b for b in param_blocks(trace.scenario.model)}.get(param)
    if block is None or len(index) != len(block.shape) or not all(
            0 <= i < n for i, n in zip(index, block.shape, strict=True)):
        raise ValueError(f"{param}{list(index)} is not an entry of a parameter of this model")
    T = trace.steps
    lags = T if max_lag is None else max(1, min(max_lag, T))
    with np.errstate(all="ignore"):
        M = cost_lag_terms(trace.scenario.model, trace.forward, param, tuple(index), lags)
    return CostLag(param, tuple(int(i) for i in index), M)


def cost_lag_terms(model: Model, fw: Forward, param: str, index: tuple[int, ...], lags: int) -> np.ndarray:
    """M (T, L), L = min(lags, T): M[t−1, u] = dE[t]/dθ(t−u) for one entry θ of ``param``, the part of the
    cost at step t that flows through the copy of θ used at step t−u, along every path (0 where t−u < 1).

    Row t−1 sums to dE[t]/dθ when L = T; Σ_t of the columns u < K is the window:K gradient, of all of
    them the full one. The per-cost δ come from the window sweep with a window of L steps."""
    key = Key.parse(param)
    T = len(fw.x)
    L = min(lags, T)
    t = np.arange(T)[:, None]
    s = t - np.arange(L)[None, :]
    inside = s >= 0
    s = np.where(inside, s, 0)
    inputs = gradient_input(model, fw, key)
    if key.is_head:  # the head acts at step t only: all of E[t]'s share is at lag 0
        terms = np.zeros((T, L))
        terms[:, 0] = contribution_at(model, fw, None, param, index)
        return terms
    n = key.layer
    layer, H = model.layers[n], model.layers[n].hidden_size
    row = gate_block(H, key.gate).start + index[0] if isinstance(layer, LSTMLayer) else index[0]
    with np.errstate(all="ignore"):
        ext, _ = head_backward(model.head, fw.layers[-1].H, fw.head.dv)
        per_cost = window_sweep(model, fw, L, ext, record=(n, row))[n].recorded[s, t % L]
        if inputs is not None:
            per_cost = per_cost * inputs[s, input_column(key, index)]
    return np.where(inside, per_cost, 0.0) + 0.0  # + 0.0: no −0 from a zero input


_WEIGHT = re.compile(r"^\s*(?P<key>[A-Za-z0-9_/]+)\s*(?:\[(?P<index>[0-9,\s]*)\])?\s*$")


def weight_text(key: str, index: tuple[int, ...]) -> str:
    """``l0/U[0,0]``: an entry written the way :func:`pick_weight` reads it (the panels' weight boxes)."""
    return f"{key}[{','.join(map(str, index))}]"


def pick_weight(trace: Trace, text: str = "auto") -> tuple[str, tuple[int, ...]]:
    """(param, index) of a weight entry named ``l0/U[0,0]``; ``l0/U_f`` alone is its entry with the largest
    full gradient, ``auto`` the recurrent (U) entry with the largest full gradient. ValueError otherwise."""
    full = trace if trace.mode.kind == "full" else compute(trace.scenario)
    blocks = param_blocks(trace.scenario.model)
    if text.strip() == "auto":
        keys = [b.key for b in blocks if Key.parse(b.key).kind == "U"]
    else:
        key, index = _parse_weight(text, {b.key: b.shape for b in blocks})
        if index is not None:
            return key, index
        keys = [key]
    with np.errstate(all="ignore"):
        size = {k: np.nan_to_num(np.abs(full[f"grad/{k}"]), nan=-1.0) for k in keys}
    best = max(keys, key=lambda k: size[k].max())
    index = np.unravel_index(int(np.argmax(size[best])), size[best].shape)
    return best, tuple(int(i) for i in index)


def _parse_weight(text: str, shapes: dict[str, tuple[int, ...]]) -> tuple[str, tuple[int, ...] | None]:
    m = _WEIGHT.match(text)
    if m is None or m["key"] not in shapes:
        first = next(iter(shapes))
        raise ValueError(f"{text!r} is not a weight of this model (e.g. {first}[0,0] or {first}; "
                         f"one of {', '.join(shapes)})")
    key, shape = m["key"], shapes[m["key"]]
    if m["index"] is None:
        return key, None
    index = tuple(int(i) for i in m["index"].replace(" ", "").split(",") if i != "")
    if len(index) != len(shape) or not all(0 <= i < n for i, n in zip(index, shape, strict=True)):
        raise ValueError(f"{key}{list(index)} is outside its shape {shape}")
    return key, index


def truncation_table(scenario: Scenario, k: int = 5) -> list[TruncationRow]:
    """Every parameter matrix's gradient under full, cec, tbptt:k and window:k, compared with full."""
    modes = truncation_modes(k)
    traces = {m: compute(scenario, m) for m in modes}
    with np.errstate(all="ignore"):  # an overflowing model gives inf and nan norms, shown as such
        return [_truncation_row(key, traces, modes) for key in traces["full"].keys() if key.startswith("grad/")]


def truncation_modes(k: int) -> tuple[str, ...]:
    return ("full", "cec", f"tbptt:{k}", f"window:{k}")


def _truncation_row(key: str, traces: dict[str, Trace], modes: tuple[str, ...]) -> TruncationRow:
    full = traces["full"][key].ravel()
    norms, angle, relative = {}, {}, {}
    for m in modes:
        g = traces[m][key].ravel()
        norms[m] = float(np.linalg.norm(g))
        denom = norms[m] * float(np.linalg.norm(full))
        cos = float(np.dot(g, full) / denom) if denom > 0 else np.nan
        angle[m] = 0.0 if m == "full" else (float(np.degrees(np.arccos(np.clip(cos, -1, 1)))) if denom > 0
                                             else np.nan)
        relative[m] = norms[m] / norms["full"] if norms["full"] > 0 else np.nan
    return TruncationRow(key[len("grad/"):], norms, angle, relative)


def _spectral(a: np.ndarray) -> float:
    if not np.isfinite(a).all():
        return float("inf")
    return float(np.linalg.norm(a, 2)) if a.size else 0.0


def cell(v: float) -> str:
    """How every analysis number is written, in the panel and by ``lstmviz analyze`` alike."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "—"
    if np.isinf(v):
        return "inf" if v > 0 else "−inf"
    return f"{v:.6g}".replace("-", "−")


@dataclass
class Analysis:
    """Every analysis of one scenario under one gradient mode, computed once."""

    lag: LagProfile
    spectrum: np.ndarray
    truncation: list[TruncationRow]
    k: int
    cost: CostLag | None = None  # the cost × lag matrix of one weight entry, all lags
    lags: int = 10               # how many lag columns its table shows


COST_LAG_COLUMNS = 10
COST_LAG_WORK = 3e8  # multiply-adds the report may spend on every lag of the cost × lag matrix (a fraction of a s)


def affordable_lags(trace: Trace, wanted: int = 1) -> int:
    """How many lags L the cost × lag matrix may hold: as many as its sweep, about T·L backward steps of
    Σ gates·H·(H + D_in) multiply-adds, can do within ``COST_LAG_WORK`` (all T when that is cheap), and never
    fewer than ``wanted`` (up to T)."""
    T = trace.steps
    per_step = sum((4 if isinstance(layer, LSTMLayer) else 1) * layer.hidden_size
                   * (layer.hidden_size + layer.input_size) for layer in trace.scenario.model.layers)
    return max(min(T, wanted), min(T, int(COST_LAG_WORK // max(T * per_step, 1))))


def analyse(scenario: Scenario, gradient: str = "full", k: int = 5, layer: int | None = None,
            trace: Trace | None = None, weight: str | None = None, lags: int = COST_LAG_COLUMNS) -> Analysis:
    """Lag profile and spectrum of ``trace`` (computed under ``gradient`` if not given), truncation table;
    with ``weight`` (``l0/U[0,0]``, ``l0/U`` or ``auto``, see :func:`pick_weight`) also the cost × lag
    matrix of that entry, of which the table shows ``lags`` columns."""
    trace = trace if trace is not None else compute(scenario, gradient)
    cost = None
    if weight is not None:
        cost = cost_lag(trace, *pick_weight(trace, weight), max_lag=affordable_lags(trace, max(lags, k)))
    return Analysis(lag_profile(trace, layer), jacobian_spectrum(trace, layer), truncation_table(scenario, k), k,
                    cost, lags)


def tables(a: Analysis) -> dict[str, list[list[str]]]:
    """The analyses as tables of text cells (header first): what the panel shows and the CLI prints."""
    lp = a.lag
    lstm = lp.dc is not None
    lag = [["m = T − t", "‖∂h[T]/∂h[t]‖"] + (["‖∂c[T]/∂c[t]‖"] if lstm else []) + ["‖δh[t]‖"]]
    for m in range(len(lp.dh)):
        lag.append([str(m), cell(lp.dh[m])] + ([cell(lp.dc[m])] if lstm else []) + [cell(lp.delta_h[m])])
    spectrum = [["t", "σ_max(∂h[t]/∂h[t−1])"]] + [[str(t + 1), cell(v)] for t, v in enumerate(a.spectrum)]
    modes = truncation_modes(a.k)
    trunc = [["parameter"] + [f"‖{m}‖" for m in modes] + [f"∠ {m}" for m in modes[1:]]
             + [f"{m}/full" for m in modes[1:]]]
    for row in a.truncation:
        trunc.append([row.param] + [cell(row.norms[m]) for m in modes] + [cell(row.angle[m]) for m in modes[1:]]
                     + [cell(row.relative[m]) for m in modes[1:]])
    out = {"lag": lag, "spectrum": spectrum, "truncation": trunc}
    if a.cost is not None:
        out["cost_lag"] = cost_lag_table(a.cost, a.k, a.lags)
    return out


def cost_lag_table(c: CostLag, k: int, lags: int = COST_LAG_COLUMNS) -> list[list[str]]:
    """Rows t = 1 … T of dC(t)/dW(t−u) for u < ``lags``, then Σ_{u<k} (window:k's share) and Σ over every
    lag (dC(t)/dW); the last row sums over t, so its last two cells are the window:k and full gradients.
    (When the matrix holds fewer than T lags, the last column sums the lags it holds.)"""
    shown = c.matrix[:, :lags]
    every = "Σ u: dC(t)/dW" if c.matrix.shape[1] == len(c.matrix) else f"Σ u < {c.matrix.shape[1]}"
    rows = [["t"] + [f"u = {u}" for u in range(shown.shape[1])] + [f"Σ u < {k} (window:{k})", every]]
    window, per_cost = c.window(k), c.per_cost
    for t in range(len(shown)):
        rows.append([str(t + 1)] + [cell(v) for v in shown[t]] + [cell(window[t]), cell(per_cost[t])])
    rows.append(["Σ t"] + [cell(v) for v in shown.sum(axis=0)] + [cell(window.sum()), cell(c.total)])
    return rows


GRADCHECK_ENTRIES = 2000  # the analyses check a reproducible sample of at most this many entries


def gradcheck_summary(result) -> str:
    """One line on a gradcheck: pass or fail, the worst entry, the kinks ("nothing compared" if all sit on one)."""
    worst = result.worst
    text = (f"{'PASS' if result.passed else 'FAIL'}, worst relative error {worst.error:.2e} at {worst.label}"
            if worst else f"nothing compared: all {len(result.entries)} checked entries sit on a kink")
    if result.kinks:
        text += (f"; {len(result.kinks)} entries on a kink (not compared): "
                 + ", ".join(e.label for e in result.kinks[:6]))
        text += " …" if len(result.kinks) > 6 else ""
    return text
