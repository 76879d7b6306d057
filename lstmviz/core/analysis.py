"""Measurements of the effects the course talks about: vanishing and exploding gradients,
what truncation drops, and how the state Jacobian behaves step by step.

For one layer the state s[t] = (h[t], c[t]) (an RNN: h[t]) evolves with the input from below held
fixed; its step Jacobian M[t] = ∂s[t]/∂s[t−1] is, with Q = ∂c/∂a, R_o = ∂h/∂a_o, K_c = ∂h/∂c
(the multipliers of the backward pass):

    ∂c[t]/∂c[t−1] = diag(f + Q_i p_i + Q_f p_f),  ∂c[t]/∂h[t−1] = Σ_{i,f,g} diag(Q_*) U_*
    ∂h[t]/∂h[t−1] = diag(R_o) U_o + diag(K_c) ∂c[t]/∂h[t−1],  ∂h[t]/∂c[t−1] = diag(K_c) ∂c[t]/∂c[t−1]

and ∂s[T]/∂s[t] = M[T] ⋯ M[t+1]. For the one-node linear RNN M = u, so ‖∂h[T]/∂h[t]‖ = |u|^(T−t).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS
from .backward import cell_carry, lstm_local
from .model import GATES, LSTMLayer, Scenario
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
    """M[t] = ∂s[t]/∂s[t−1] of layer n for every step, (T, S, S) with S = 2H (LSTM) or H (RNN)."""
    layer = trace.scenario.model.layers[n]
    lf = trace.forward.layers[n]
    T, H = lf.H.shape
    if not isinstance(layer, LSTMLayer):
        d = ACTIVATIONS[layer.activation].df(lf.A, lf.H)
        return d[:, :, None] * layer.params["U"][None]
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


def truncation_table(scenario: Scenario, k: int = 5) -> list[TruncationRow]:
    """Every parameter matrix's gradient under full, cec and tbptt:k, compared with full."""
    modes = ("full", "cec", f"tbptt:{k}")
    traces = {m: compute(scenario, m) for m in modes}
    with np.errstate(all="ignore"):  # an overflowing model gives inf and nan norms, shown as such
        return [_truncation_row(key, traces, modes) for key in traces["full"].keys() if key.startswith("grad/")]


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


def analyse(scenario: Scenario, gradient: str = "full", k: int = 5, layer: int | None = None,
            trace: Trace | None = None) -> Analysis:
    """Lag profile and spectrum of ``trace`` (computed under ``gradient`` if not given), truncation table."""
    trace = trace if trace is not None else compute(scenario, gradient)
    return Analysis(lag_profile(trace, layer), jacobian_spectrum(trace, layer), truncation_table(scenario, k), k)


def tables(a: Analysis) -> dict[str, list[list[str]]]:
    """The analyses as tables of text cells (header first): what the panel shows and the CLI prints."""
    lp = a.lag
    lstm = lp.dc is not None
    lag = [["m = T − t", "‖∂h[T]/∂h[t]‖"] + (["‖∂c[T]/∂c[t]‖"] if lstm else []) + ["‖δh[t]‖"]]
    for m in range(len(lp.dh)):
        lag.append([str(m), cell(lp.dh[m])] + ([cell(lp.dc[m])] if lstm else []) + [cell(lp.delta_h[m])])
    spectrum = [["t", "σ_max(∂h[t]/∂h[t−1])"]] + [[str(t + 1), cell(v)] for t, v in enumerate(a.spectrum)]
    modes = ("full", "cec", f"tbptt:{a.k}")
    trunc = [["parameter"] + [f"‖{m}‖" for m in modes] + [f"∠ {m}" for m in modes[1:]]
             + [f"{m}/full" for m in modes[1:]]]
    for row in a.truncation:
        trunc.append([row.param] + [cell(row.norms[m]) for m in modes] + [cell(row.angle[m]) for m in modes[1:]]
                     + [cell(row.relative[m]) for m in modes[1:]])
    return {"lag": lag, "spectrum": spectrum, "truncation": trunc}


def report(scenario: Scenario, gradient: str = "full", k: int = 5,
           layer: int | None = None) -> dict[str, list[list[str]]]:
    """``tables(analyse(...))``: what ``lstmviz analyze`` prints."""
    return tables(analyse(scenario, gradient, k, layer))


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
