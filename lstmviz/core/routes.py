"""Two highways: a gradient split by the route its error travelled and by lag.

Every path from a cost E[t] back to the copy of a weight θ used at step s = t − u is a chain of
one-step backward transitions. Within a step the error moves between layers and from h to c (and
c → a_o through p_o); between steps it moves in one of two ways:

* along the **cell highway** c[r] → c[r−1], multiplied by f[r] (by the carousel's 1 without a forget gate);
* **through a gate k** ∈ {i, f, o, c̃}: h[r−1] → a_k[r] through U_k, or c[r−1] → a_i[r], a_f[r] through
  the peepholes p_i, p_f. In an RNN layer the only way is h[r−1] → a[r] through U ("via h"), or
  h[r−d] → a[r] through a tap U_d, d steps back at once.

A path's route is ``now`` when it has no transition in time (u = 0), ``highway`` when every transition in
time is a highway one, otherwise the gate of the first one that leaves the highway going backwards from
the cost (the latest in time). Each path has exactly one route, so for every entry

    dE/dθ = Σ_route Σ_u parts[route, u],

and likewise δc[t] = dE/dc[t] is split by the route its error arrived by and by the lag u of its cost.
Each gradient mode drops the transitions the engine drops (:mod:`.modes`): cec keeps only the cell
highway (every "via" part is 0), tbptt:K stops everything at chunk boundaries, window:K stops each cost
after K steps. Under full, ``now`` + ``highway`` is exactly the cec gradient.

The sweep runs backward in time with one stream per cost (as the window:K sweep of :mod:`.backward`) and,
inside each stream, one δ per route: the state of a layer is (S, R, H) with S streams and R = 6 routes
(highway — which holds ``now`` at lag 0 — i, f, o, c̃, h). With L lags asked, costs older than L steps
are summed into one extra stream (their lags ≥ L, ``beyond``); a step costs about S·R·4H·(H + D_in).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .analysis import cell
from .backward import (
    cell_carry,
    gradient_input,
    head_backward,
    input_column,
    lstm_local,
    rnn_local,
)
from .keys import Key
from .model import GATES, LSTMLayer, Model, RNNLayer, gate_block
from .modes import GradientMode
from .params import param_blocks
from .trace import Trace

ROUTES = ("now", "highway", "i", "f", "o", "g", "h")
"""The routes in the order of ``RouteSplit.parts``' rows (``g`` is the candidate c̃, ``h`` an RNN's U)."""

_HIGHWAY = 0      # state index of a path still on the highway (its lag-0 share is reported as "now")
_RNN_H = 5        # state index of "via h" (an RNN layer's recurrence)
_STATES = 6       # highway, i, f, o, g, h: a gate k's state index is 1 + GATES.index(k)
_O = GATES.index("o")


@dataclass
class RouteSplit:
    """One quantity split by route (rows, in :data:`ROUTES` order) and lag u (columns 0 … L−1)."""

    label: str            # "l0/U_f[0, 1]" or "l0/delta_c[t = 5, unit 0]"
    mode: str             # the gradient mode, as text
    parts: np.ndarray     # (7, L)
    beyond: np.ndarray    # (7,): the lags u ≥ L (zero when L covers the sequence)
    routes: tuple[str, ...]  # the routes this model has, in ROUTES order (what a table shows)
    steps: int            # T: the lags a split can have are 0 … T−1

    @property
    def total(self) -> float:
        """The whole quantity: Σ over routes and lags, beyond included."""
        return float(self.parts.sum() + self.beyond.sum())

    @property
    def by_lag(self) -> np.ndarray:
        """Σ over routes, (L,): the lag profile (for a weight: the cost × lag matrix's column sums)."""
        return self.parts.sum(axis=0)

    @property
    def by_route(self) -> np.ndarray:
        """Σ over lags, beyond included, (7,)."""
        return self.parts.sum(axis=1) + self.beyond

    def row(self, route: str) -> np.ndarray:
        """The (L,) lag profile of one route."""
        return self.parts[ROUTES.index(route)]


def model_routes(model: Model) -> tuple[str, ...]:
    """The routes a model's paths can take: ``now``; highway and its gates with an LSTM layer (``f`` only
    with a forget gate); ``h`` with an RNN layer."""
    lstm = [layer for layer in model.layers if isinstance(layer, LSTMLayer)]
    have = {"now"}
    if lstm:
        have |= {"highway", "i", "o", "g"} | ({"f"} if any(layer.forget_gate for layer in lstm) else set())
    if len(lstm) < len(model.layers):
        have.add("h")
    return tuple(r for r in ROUTES if r in have)


class _Streams:
    """One layer's per-cost, per-route δ during the sweep. Row r < S of every state belongs to the cost
    E[t], t ≡ r (mod S), whose stream holds the current step; row S sums older costs (``aggregate``)."""

    def __init__(self, H: int, streams: int, aggregate: bool, recurrent_h: bool):
        self.aggregate, self.recurrent_h = aggregate, recurrent_h
        self.h_in = np.zeros((streams + 1, _STATES, H))  # error reaching h[s] from step s+1
        self.rows: np.ndarray | None = None                # δ of the pre-activations at this step (S+1, R, rows)

    def _states(self) -> list[np.ndarray]:
        return [self.h_in]

    def _enter(self, j: int, ext: np.ndarray) -> np.ndarray:
        """δh of every stream at this step. Stream j changes hands: its old cost, L steps away, joins the
        aggregate (or stops, under window:K); its new cost E[s] enters here. ``ext`` is the loss's (H,)
        derivative at the top, or the layer above's (S+1, R, H) δ of this layer's output."""
        for state in self._states():
            if self.aggregate:
                state[-1] += state[j]
            state[j] = 0.0
        dh = self.h_in
        if ext.ndim == 1:
            dh[j, _HIGHWAY] += ext
        else:
            dh += ext
        return dh

    def _cut(self) -> None:
        for state in self._states():
            state[...] = 0.0


class _LSTMStreams(_Streams):
    def __init__(self, layer: LSTMLayer, lf, streams: int, aggregate: bool, recurrent_h: bool):
        H = lf.H.shape[1]
        super().__init__(H, streams, aggregate, recurrent_h)
        self.loc = lstm_local(layer, lf)
        self.carry = cell_carry(layer, lf, self.loc, peepholes=recurrent_h)
        self.f = lf.G[:, gate_block(H, "f")]
        peep = layer.peepholes and recurrent_h
        self.peep = (np.stack([layer.peephole(g) * self.loc.Q[:, GATES.index(g)] for g in "if"], axis=1)
                     if peep else None)  # (T, 2, H): ∂c[t]/∂c[t−1] through a_i and a_f
        self.U, self.U4, self.W = lf.U, lf.U.reshape(len(GATES), H, H), lf.W
        self.c_in = np.zeros_like(self.h_in)
        self.dc: np.ndarray | None = None

    def _states(self) -> list[np.ndarray]:
        return [self.h_in, self.c_in]

    def step(self, s: int, j: int, ext: np.ndarray, carry: bool, below: bool) -> np.ndarray | None:
        loc = self.loc
        dh = self._enter(j, ext)
        dc = dh * loc.Kc[s]
        dc += self.c_in
        da = loc.Q[s] * dc[:, :, None, :]
        np.multiply(loc.Ro[s], dh, out=da[:, :, _O])
        S = len(da)
        self.dc, self.rows = dc, da.reshape(S, _STATES, -1)
        if carry:
            self.h_in = self._through_h(da) if self.recurrent_h else np.zeros_like(dh)
            self.c_in = self._through_c(s, dc)
        else:
            self._cut()
        return self.rows @ self.W if below else None

    def _through_h(self, da: np.ndarray) -> np.ndarray:
        """δh[s−1] by route: a route that has left the highway keeps its name; the highway's error
        leaves it here through U_k into the route of gate k."""
        h = self.rows @ self.U
        h[:, 1:1 + len(GATES)] += np.einsum("skh,khj->skj", da[:, _HIGHWAY], self.U4)
        h[:, _HIGHWAY] = 0.0
        return h

    def _through_c(self, s: int, dc: np.ndarray) -> np.ndarray:
        """δc[s−1] by route: f[s] keeps the highway's error on it; the peepholes' share leaves into i and f."""
        c = dc * self.carry[s]
        np.multiply(dc[:, _HIGHWAY], self.f[s], out=c[:, _HIGHWAY])
        if self.peep is not None:
            c[:, 1:3] += dc[:, _HIGHWAY, None, :] * self.peep[s]
        return c


class _RNNStreams(_Streams):
    """An RNN layer; a tap U_d (d ≥ 2) brings error from step s+d into h[s], d steps older for its cost."""

    def __init__(self, layer: RNNLayer, lf, streams: int, aggregate: bool, mode: GradientMode):
        H = lf.H.shape[1]
        super().__init__(H, streams, aggregate, mode.recurrent_h)
        self.D = rnn_local(layer, lf)
        self.U, self.W = layer.params["U"], layer.params["W"]
        self.mode, self.T, self.taps, self.U_taps = mode, len(lf.H), layer.taps, layer.recurrent()[1:]
        self.ring = np.zeros((max(layer.delays), streams + 1, _STATES, H))  # step s's δa in slot s mod D

    def step(self, s: int, j: int, ext: np.ndarray, carry: bool, below: bool) -> np.ndarray | None:
        dh = self._enter(j, ext)
        if self.taps and self.recurrent_h:
            dh += self._tapped(s)
        da = dh * self.D[s]
        self.rows = da
        if self.taps:
            self.ring[s % len(self.ring)] = da
        if carry and self.recurrent_h:
            self.h_in = _leave_into(da @ self.U, _RNN_H)
        else:
            self._cut()
        return da @ self.W if below else None

    def _tapped(self, s: int) -> np.ndarray:
        """Σ_d U_dᵀ δa[s+d] by stream and route. A stream whose cost is then d + its lag ≥ S steps away
        hands the share to the aggregate (or drops it: under window:K that cost's window has closed)."""
        S = len(self.h_in) - 1
        out = np.zeros_like(self.h_in)
        for d, U_d in zip(self.taps, self.U_taps, strict=True):
            if s + d >= self.T or self.mode.cuts_h(s, s + d):
                continue
            h = _leave_into(self.ring[(s + d) % len(self.ring)] @ U_d, _RNN_H)
            closed = d + (np.arange(S) - s - d) % S >= S
            if self.aggregate:
                out[S] += h[:S][closed].sum(axis=0)
            h[:S][closed] = 0.0
            out += h
        return out


def _leave_into(h: np.ndarray, route: int) -> np.ndarray:
    """Error that crossed to an earlier step through h: what was on the highway now belongs to ``route``."""
    h[:, route] += h[:, _HIGHWAY]
    h[:, _HIGHWAY] = 0.0
    return h


def _sweep(trace: Trace, lags: int):
    """Backward over the steps: yields (s, cols, runs) after every layer has done step s (0-based), where
    ``cols`` (S+1,) is each stream's lag column (the aggregate's is S) and ``runs`` the layers' streams."""
    model, fw = trace.scenario.model, trace.forward
    T = len(fw.x)
    mode = trace.mode.resolved(T)
    window = mode.kind == "window"
    S = mode.k if window else lags
    runs = [_LSTMStreams(layer, lf, S, not window, mode.recurrent_h) if isinstance(layer, LSTMLayer)
            else _RNNStreams(layer, lf, S, not window, mode) for layer, lf in zip(model.layers, fw.layers, strict=True)]
    ext, _ = head_backward(model.head, fw.layers[-1].H, fw.head.dv)
    streams = np.arange(S)
    for s in reversed(range(T)):
        carry = s > 0 and not mode.cuts_all_at(s)
        e = ext[s]
        for n in reversed(range(len(runs))):
            e = runs[n].step(s, s % S, e, carry, below=n > 0)
        yield s, np.append((streams - s) % S, S), runs


def _split(trace: Trace, label: str, lags: int | None, pick) -> RouteSplit:
    """Run the sweep and add ``pick(s, runs)`` — (S+1, R) per stream and route, or None — into its lag
    column; then report the highway's lag-0 share as ``now`` and fold the lags ≥ L into ``beyond``."""
    T = trace.steps
    L = T if lags is None else max(1, min(int(lags), T))
    mode = trace.mode.resolved(T)
    S = mode.k if mode.kind == "window" else L
    acc = np.zeros((len(ROUTES), S + 1))
    with np.errstate(all="ignore"):
        for s, cols, runs in _sweep(trace, L):
            v = pick(s, runs)
            if v is not None:
                acc[1:, cols] += v.T
    acc[0, 0], acc[1, 0] = acc[1, 0], 0.0
    acc = np.pad(acc, ((0, 0), (0, max(0, L - S))))
    return RouteSplit(label, str(trace.mode), acc[:, :L].copy(), acc[:, L:].sum(axis=1),
                      model_routes(trace.scenario.model), T)


def weight_routes(trace: Trace, param: str, index: tuple[int, ...], lags: int | None = None) -> RouteSplit:
    """dE/dθ of one entry θ of ``param`` (``l0/U_f``, ``l1/p_i``, ``l0/W``, ``head/W_y``…) under the trace's
    gradient mode, split by route and by lag u < ``lags`` (all T by default): parts[r, u] = Σ_t of the paths
    of route r from E[t] to the copy of θ used at step t − u. The head acts at the scored step: all ``now``."""
    index = tuple(int(i) for i in index)
    _check_entry(trace, param, index)
    key = Key.parse(param)
    label = f"{param}[{', '.join(map(str, index))}]"
    if key.is_head:
        split = _split(trace, label, lags, lambda s, runs: None)
        split.parts[0, 0] = float(trace.contribution_at(param, index).sum())
        return split
    model, fw = trace.scenario.model, trace.forward
    n, layer = key.layer, model.layers[key.layer]
    row = gate_block(layer.hidden_size, key.gate).start + index[0] if isinstance(layer, LSTMLayer) else index[0]
    inputs = gradient_input(model, fw, key)
    scale = np.ones(trace.steps) if inputs is None else inputs[:, input_column(key, index)]
    return _split(trace, label, lags, lambda s, runs: runs[n].rows[:, :, row] * scale[s])


def delta_c_routes(trace: Trace, layer: int, t: int, unit: int, lags: int | None = None) -> RouteSplit:
    """δc[t] (``l{layer}/delta_c`` at step t, 1-based) of one unit under the trace's gradient mode, split
    by the route its error arrived by and by the lag u = t' − t of the cost E[t'] it came from."""
    model = trace.scenario.model
    if not 0 <= layer < len(model.layers) or not isinstance(model.layers[layer], LSTMLayer):
        raise ValueError(f"δc routes: layer {layer} is not an LSTM layer of this model")
    if not 1 <= t <= trace.steps or not 0 <= unit < model.layers[layer].hidden_size:
        raise ValueError(f"δc routes: step {t} or unit {unit} is outside layer {layer} "
                         f"(steps 1…{trace.steps}, units 0…{model.layers[layer].hidden_size - 1})")
    label = f"l{layer}/delta_c[t = {t}, unit {unit}]"
    return _split(trace, label, lags, lambda s, runs: runs[layer].dc[:, :, unit] if s == t - 1 else None)


def _check_entry(trace: Trace, param: str, index: tuple[int, ...]) -> None:
    shape = {b.key: b.shape for b in param_blocks(trace.scenario.model)}.get(param)
    if shape is None or len(index) != len(shape) or not all(0 <= i < n for i, n in zip(index, shape, strict=True)):
        raise ValueError(f"routes: {param}{list(index)} is not an entry of a parameter of this model")


ROUTE_HEADINGS = {"now": "same step", "highway": "highway", "i": "via i", "f": "via f", "o": "via o",
                  "g": "via c̃", "h": "via h"}
"""Column headings of :func:`route_table` (what ``lstmviz analyze`` prints)."""


def route_table(split: RouteSplit) -> list[list[str]]:
    """Rows u = 0 … L−1 of the split (the model's routes as columns, then their total), a row for the lags
    ≥ L when the split does not cover the sequence, and a Σ row whose last cell is the whole quantity."""
    rows_of = [ROUTES.index(r) for r in split.routes]
    rows = [["u"] + [ROUTE_HEADINGS[r] for r in split.routes] + ["total"]]
    for u in range(split.parts.shape[1]):
        values = split.parts[rows_of, u]
        rows.append([str(u)] + [cell(v) for v in values] + [cell(split.parts[:, u].sum())])
    if split.parts.shape[1] < split.steps:
        rows.append([f"≥ {split.parts.shape[1]}"] + [cell(v) for v in split.beyond[rows_of]]
                    + [cell(split.beyond.sum())])
    rows.append(["Σ"] + [cell(v) for v in split.by_route[rows_of]] + [cell(split.total)])
    return rows
