"""The unrolled graph as plain data: lanes, edges and the gradient flowing along each edge.

Drawing is separate (widgets/graph_view.py). A lane is one variable of one layer drawn for the
selected unit; an edge type connects two lanes, either within a step (lag 0) or from step t−1 to
step t (lag 1). The *flow* of an edge at step t is the term it contributes to the δ at its tail:
δ(head)·∂head/∂tail, e.g. δc[t]·f[t] for c[t−1] → c[t]; under window:K an edge from step t−1 carries δ[t]
less the share of E[t+K−1], whose window starts at t. All numbers come from the trace.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...core import Trace
from ...core.keys import Key
from ...core.model import LSTMLayer, Model
from ...core.modes import GradientMode
from ..style import HEAD_LANES, INPUT_LANE, LSTM_LANES, RNN_LANES, label
from .quantities import Quantities, unit_of
from .window_shares import start_share

BYTES_PER_ITEM = 4000     # a node or an edge of the drawn graph (measured: 3.3–3.7 kB with Qt's item)
WINDOW_BASE_BYTES = 64 * 2**20
ITEM_STEPS = 160          # the most steps with items at once (the graph makes them only near the viewport)
BYTES_PER_STEP = 2048     # the panels' arrays and plots per step (measured: 1.75 kB, the calculator at T = 100,000)
HEAT_BYTES = 20           # a lane's cell in the heat strip's image (five ARGB pixels per step)


@dataclass(frozen=True)
class Lane:
    layer: int | None
    var: str
    row: int
    slot: int  # 0: a pre-activation (left of its value), 1: the main column


@dataclass(frozen=True)
class Edge:
    src: tuple[int | None, str]
    dst: tuple[int | None, str]
    lag: int                  # 1: from step t−1 to step t
    kind: str                 # input, layer, recurrent, peephole, activation, cell, output, head, loss
    weight: str | None = None  # the parameter on the edge, e.g. "l0/U_f"


class GraphModel:
    """Lanes and edge types of a model, independent of unit and time."""

    def __init__(self, model: Model, watches: int = 0, split: bool = False):
        """``split``: each pre-activation on a row of its own under its value, instead of beside it."""
        self.model, self.split = model, split
        self.lanes: list[Lane] = []
        self.layer_rows: dict[int, tuple[int, int]] = {}
        row = 0
        for n in range(watches):  # watch expressions, one lane each, at the top
            self.lanes.append(Lane(None, watch_var(n), row, 1))
            row += 1
        for var in HEAD_LANES:
            self.lanes.append(Lane(None, var, row, 1))
            row += 1
        for n in reversed(range(len(model.layers))):
            first = row
            for pre, var in self._layer_lanes(n):
                self.lanes.append(Lane(n, var, row, 1))
                if pre and split:
                    row += 1
                    self.lanes.append(Lane(n, pre, row, 1))
                elif pre:
                    self.lanes.append(Lane(n, pre, row, 0))
                row += 1
            self.layer_rows[n] = (first, row - 1)
        self.lanes.append(Lane(None, INPUT_LANE, row, 1))
        self.rows = row + 1
        self.edges = self._edges()
        self._cuts: dict[Edge, np.ndarray] = {}
        self._cuts_for = None

    def _layer_lanes(self, n: int):
        layer = self.model.layers[n]
        if not isinstance(layer, LSTMLayer):
            return RNN_LANES
        return tuple(p for p in LSTM_LANES if p[1] != "f" or layer.forget_gate)

    def item_count(self, T: int) -> int:
        """How many nodes and edges the graph has over T steps."""
        return len(self.lanes) * T + sum(T - e.lag for e in self.edges)

    def lane(self, layer: int | None, var: str) -> Lane:
        return next(ln for ln in self.lanes if ln.layer == layer and ln.var == var)

    def _edges(self) -> list[Edge]:
        edges: list[Edge] = []
        top = len(self.model.layers) - 1
        for n, layer in enumerate(self.model.layers):
            inp = (None, "x") if n == 0 else (n - 1, "h")
            in_kind = "input" if n == 0 else "layer"
            if not isinstance(layer, LSTMLayer):
                edges += [Edge(inp, (n, "a"), 0, in_kind, f"l{n}/W"),
                          Edge((n, "h"), (n, "a"), 1, "recurrent", f"l{n}/U"),
                          Edge((n, "a"), (n, "h"), 0, "activation")]
                continue
            for g in layer.gates:
                edges += [Edge(inp, (n, f"a_{g}"), 0, in_kind, f"l{n}/W_{g}"),
                          Edge((n, "h"), (n, f"a_{g}"), 1, "recurrent", f"l{n}/U_{g}"),
                          Edge((n, f"a_{g}"), (n, g), 0, "activation")]
                if g != "g":
                    edges.append(Edge((n, g), (n, "c" if g != "o" else "h"), 0, "cell" if g != "o" else "output"))
            edges += [Edge((n, "g"), (n, "c"), 0, "cell"), Edge((n, "c"), (n, "c"), 1, "cell"),
                      Edge((n, "c"), (n, "h"), 0, "output")]
            if layer.peepholes:
                edges += [Edge((n, "c"), (n, f"a_{g}"), 1, "peephole", f"l{n}/p_{g}")
                          for g in ("i", "f") if g in layer.gates]
                edges.append(Edge((n, "c"), (n, "a_o"), 0, "peephole", f"l{n}/p_o"))
        head_w = "head/W_y" if self.model.head.type == "linear" else None
        edges += [Edge((top, "h"), (None, "y_hat"), 0, "head", head_w),
                  Edge((None, "y_hat"), (None, "loss"), 0, "loss"), Edge((None, "y"), (None, "loss"), 0, "loss")]
        return edges

    @staticmethod
    def is_cut(edge: Edge, mode: GradientMode, t, cost: int | None = None):
        """Whether the gradient mode cuts this edge arriving at step t (1-based); for an array of steps, an
        array of answers.

        Under tbptt:K every lagged edge into a chunk's first step is cut (:meth:`GradientMode.cuts_h` of
        h[t−2] → step t−1, 0-based); under cec the recurrent and peephole edges. Under window:K no edge is cut
        for every cost: the one into step t carries E[t] … E[t+K−2] and is cut for the costs from E[t+K−1]
        on (:func:`window_costs`). With ``cost`` (a selected step) the answer is for that cost alone;
        without, window:K cuts nothing."""
        t = np.asarray(t)
        if edge.lag == 0:
            cut = np.zeros(t.shape, dtype=bool)
        elif mode.kind == "cec":
            cut = np.full(t.shape, edge.kind in ("recurrent", "peephole"))
        else:
            cut = (t > 1) & mode.cuts_h(t - 2, t - 1)
            if mode.kind == "window" and cost is not None:
                cut |= (t > 1) & (cost > window_costs(mode, t - 1)[1])
        return cut if cut.ndim else bool(cut)

    def cut_masks(self, mode: GradientMode, T: int, cost: int | None = None) -> dict[Edge, np.ndarray]:
        """For every edge, (T,) booleans: cut at step t (index t−1), for the cost of step ``cost`` alone
        when given (it matters only under window:K). Kept until the mode, T or the cost change."""
        cost = cost if mode.kind == "window" else None
        if self._cuts_for != (mode, T, cost):
            steps = np.arange(1, T + 1)
            self._cuts = {e: self.is_cut(e, mode, steps, cost) for e in self.edges}
            self._cuts_for = (mode, T, cost)
        return self._cuts

    def flows(self, trace: Trace, unit: int) -> dict[Edge, np.ndarray]:
        """(T,) gradient flow of every edge for the drawn unit (0 where the mode cuts the edge)."""
        q = Quantities(trace)
        cuts = self.cut_masks(trace.mode, trace.steps)
        out: dict[Edge, np.ndarray] = {}
        for e in self.edges:
            flow = self._flow(q, e, unit)
            flow[cuts[e]] = 0.0
            if e.lag:
                flow[0] = 0.0  # no node at t = 0 is drawn
            out[e] = flow
        return out

    def weight_terms(self, trace: Trace, unit: int) -> dict[Edge, np.ndarray]:
        """(T,) per-step terms of dE/dw for the entry each weighted edge draws: δ(head)[t]·tail[t−lag],
        the numbers phase 4 adds up."""
        return {e: trace.contribution_at(*self.weight_entry(e, unit)) for e in self.edges if e.weight}

    def _flow(self, q: Quantities, e: Edge, unit: int) -> np.ndarray:
        if e.kind in ("input", "layer", "recurrent"):
            return self._weight_flow(q, e, unit)
        if e.kind == "head":
            (sl, _), _ = e.src, e.dst
            return np.array(q.series(sl, "h", self.unit_in(sl, unit), "eps"), dtype=float)
        if e.kind == "loss":
            if e.src[1] != "y_hat":
                return np.zeros(q.trace.steps)
            dv = q.trace.forward.head.dv  # ŷ → E: ∂E/∂v
            return np.linalg.norm(dv, axis=1) if dv.shape[1] > 1 else dv[:, 0].copy()
        return self._cell_flow(q, e, unit)

    def _weight_flow(self, q: Quantities, e: Edge, unit: int) -> np.ndarray:
        """δa[t]·w along x → a, h⁽ˡ⁻¹⁾ → a or h[t−1] → a (the edge's weight entry for the drawn unit)."""
        (sl, _), (dl, dv) = e.src, e.dst
        u = self.unit_in(dl, unit)
        W = self.model.layers[dl].params[Key.parse(e.weight).name]
        d_a = self._delta(q, e, dl, dv, u)
        if e.kind == "input":  # δx[t] is a vector: the size of this unit's term δa[t]·W[u, :]
            return d_a * W[u, 0] if W.shape[1] == 1 else np.abs(d_a) * np.linalg.norm(W[u])
        return d_a * W[u, self.unit_in(sl, unit)]

    def _cell_flow(self, q: Quantities, e: Edge, unit: int) -> np.ndarray:
        """Within an LSTM cell: activations, the cell's inputs, c[t−1] → c[t], the output, the peepholes."""
        (_, sv), (dl, dv) = e.src, e.dst
        u = self.unit_in(dl, unit)
        delta = lambda var: self._delta(q, e, dl, var, u)  # noqa: E731
        if e.kind == "activation":
            return delta(sv)
        if e.kind == "peephole":
            return delta(dv) * self.model.layers[dl].params[Key.parse(e.weight).name][u]
        if e.kind == "cell":  # δc[t]·f[t] along c[t−1] → c[t]; δi = δc·c̃, δf = δc·c[t−1], δc̃ = δc·i otherwise
            return delta("c") * q.series(dl, "f", u, "value") if sv == "c" else delta(sv)
        if sv == "o":  # the output: o → h and c → h
            return delta("o")
        return delta("h") * q.series(dl, "o", u, "value") * q.output_slope(dl, u)

    @staticmethod
    def _delta(q: Quantities, e: Edge, layer: int, var: str, u: int) -> np.ndarray:
        """(T,) δ of ``var`` at the edge's head; along an edge from step t−1 (lag 1) less the share of the cost
        whose window starts at t under window:K, which stops there (:mod:`.window_shares`)."""
        delta = np.array(q.series(layer, var, u, "delta"), dtype=float)
        return delta - start_share(q.trace, layer, var)[:, u] if e.lag else delta

    def unit_in(self, layer: int | None, unit: int) -> int:
        """The selected unit, clipped to a layer's size (layers may differ in width)."""
        return unit_of(self.model, layer, unit)

    def weight_entry(self, edge: Edge, unit: int) -> tuple[str, tuple[int, ...]]:
        """The entry of the edge's weight that links the drawn unit's nodes: ``("l0/U_f", (2, 2))``."""
        key = Key.parse(edge.weight)
        u = self.unit_in(edge.dst[0], unit)
        if key.kind == "p" or key.name == "b_y":
            return edge.weight, (u,)
        if key.is_head:
            return edge.weight, (0, self.unit_in(edge.src[0], unit))
        return edge.weight, (u, 0 if edge.src[0] is None else self.unit_in(edge.src[0], unit))

    @property
    def slots(self) -> int:
        """Nodes side by side in a step's column: 2 when pre-activations sit beside their values."""
        return 1 if self.split or all(ln.slot == 1 for ln in self.lanes) else 2

    def lane_titles(self) -> list[tuple[int, str, str]]:
        """(row, name, var) of every row: the value's name, with its pre-activation's after an arrow."""
        titles = []
        for lane in self.lanes:
            if lane.slot == 1:
                pre = next((ln for ln in self.lanes if ln.row == lane.row and ln.slot == 0), None)
                titles.append((lane.row, label(lane.var) + (f"  ← {label(pre.var)}" if pre else ""), lane.var))
        return titles


def window_costs(mode: GradientMode, t: int, steps: int | None = None) -> tuple[int, int]:
    """(first, last): the costs E[first] … E[last] whose error reaches step t (1-based) under window:K —
    E[t′] goes back through steps t′−K+1 … t′, so step t serves t′ = t … t+K−1 (up to ``steps``)."""
    last = t + mode.k - 1
    return t, last if steps is None else min(last, steps)


def window_bytes(scenario) -> int:
    """The memory the window needs beyond the trace: the graph's items for at most ``ITEM_STEPS`` steps,
    its heat strip and the panels' per-step arrays."""
    graph, steps = GraphModel(scenario.model, len(scenario.watches)), scenario.data.steps
    per_step = BYTES_PER_STEP + HEAT_BYTES * len(graph.lanes)
    return WINDOW_BASE_BYTES + BYTES_PER_ITEM * graph.item_count(min(steps, ITEM_STEPS)) + per_step * steps


def watch_var(n: int) -> str:
    """The lane name of watch n (0-based): ``watch:0``, shown as w1."""
    return f"watch:{n}"


def watch_index(var: str) -> int | None:
    return int(var.split(":", 1)[1]) if var.startswith("watch:") else None
