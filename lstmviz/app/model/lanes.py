"""What every lane of the graph shows at the current state (Qt-free): the numbers, ε, kinks, the scale.

In the forward view a lane is a variable's value, in the backward view its δ (a target has none); h
lanes carry ε under δ, and so does an RNN's excitation lane (c, the slides' ε[t] = ∂E/∂c[t]). With the
differences on, every lane is "now − then" against the compared snapshot. The colour scale is the largest
finite magnitude on screen, but class indices (softmax targets) and δE (1 wherever a step is scored) never
set it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...watch.needs import Needs
from ..style import LABELS
from .comparison import Comparison, Snapshot
from .document import Document
from .graph_model import GraphModel, watch_index
from .quantities import PRE_ACTIVATIONS
from .view_state import ViewState


@dataclass
class LaneShown:
    values: np.ndarray | None  # (T,) or (T, n) for a vector lane; None: nothing to show (y in the backward view)
    eps: np.ndarray | None     # ε of an h lane (or an RNN's excitation c) in the backward view
    kinks: np.ndarray | None   # (T,) booleans: a pre-activation on a kink
    needs: Needs | None = None  # a watch: what must be computed before it is shown
    categorical: bool = False  # class indices (softmax targets): printed, never coloured
    scaled: bool = True        # sets the colour scale (not δE, which is 1 wherever a step is scored)


@dataclass
class GraphNumbers:
    lanes: dict[tuple[int | None, str], LaneShown]
    scale: float               # the colour map spans −scale … scale
    signed: bool               # differences: "+0.40"


def graph_numbers(graph: GraphModel, document: Document, view: ViewState, comparison: Comparison) -> GraphNumbers:
    base = comparison.diff_base
    lanes: dict[tuple[int | None, str], LaneShown] = {}
    for lane in graph.lanes:
        n = watch_index(lane.var)
        if n is not None:
            lanes[(lane.layer, lane.var)] = _watch_lane(document, view, base, n)
        else:
            lanes[(lane.layer, lane.var)] = _lane(graph, document, view, base, lane)
    shown = [a for s in lanes.values() if s.scaled and not s.categorical for a in (s.values, s.eps) if a is not None]
    largest = [m for m in map(largest_finite, shown) if m is not None]
    return GraphNumbers(lanes, max(largest, default=1.0) or 1.0, base is not None)


def largest_finite(a: np.ndarray) -> float | None:
    """max |a| over the finite entries of ``a``, or None if it has none. One pass when all are finite
    (the max of |a| is then finite); NaN or ±inf in ``a`` send it to the entry-by-entry test."""
    if a.size == 0:
        return None
    largest = float(np.abs(a).max())
    if math.isfinite(largest):
        return largest
    finite = a[np.isfinite(a)]
    return float(np.abs(finite).max()) if finite.size else None


def _lane(graph: GraphModel, document: Document, view: ViewState, base: Snapshot | None, lane) -> LaneShown:
    q, backward = document.quantities, view.view == "backward"
    kind = "delta" if backward else "value"
    unit = graph.unit_in(lane.layer, view.unit)
    categorical = lane.var == "y" and document.scenario.model.head.loss == "softmax_xent"
    if backward and lane.var == "y":
        values = None
    else:
        values = np.asarray(q.series(lane.layer, lane.var, unit, kind), float)
        if base is not None:
            values = values - base.lane(lane.layer, lane.var, unit, kind, values.shape)
        values = values[:, 0] if values.ndim == 2 and values.shape[1] == 1 else values
    eps = None
    if backward and lane.var in ("h", "a") and lane.layer is not None:  # an RNN's excitation c: εc = εh·σ̇(c)
        eps = q.series(lane.layer, lane.var, unit, "eps")
        if base is not None:
            eps = eps - base.lane(lane.layer, lane.var, unit, "eps", eps.shape)
    kinks = q.kink_mask(lane.layer, lane.var, unit) if lane.layer is not None and (
        lane.var in PRE_ACTIVATIONS or lane.var == "a") else None
    return LaneShown(values, eps, kinks, categorical=categorical and base is None,
                     scaled=not (backward and lane.var == "loss" and base is None))


def _watch_lane(document: Document, view: ViewState, base: Snapshot | None, n: int) -> LaneShown:
    """A watch: its value (the same in both views), minus the compared snapshot's with the differences on."""
    values = document.watches.series(n, view.unit)
    if base is not None:
        values = values - base.watch_lane(document.scenario.watches, n, view.unit, values.shape)
    return LaneShown(values, None, None, document.watches[n].needs)


def table_rows(document: Document, view: ViewState) -> list[tuple[str, str]]:
    """The rows of a lanes table (File ▸ Export ▸ … table): c, h, their δ and ε of the selected node's
    layer (or the top layer) for the drawn unit, as (trace key with ``:unit``, label)."""
    layers = document.scenario.model.layers
    sel = view.selection
    n = sel.layer if sel is not None and sel.layer is not None else len(layers) - 1
    unit = view.drawn_unit(n)
    names = ("c", "h") if layers[n].type == "lstm" else ("a", "h")  # an RNN's excitation a is the slides' c
    rows = [(f"l{n}/{v}:{unit}", f"{LABELS[v]}[t]") for v in names]
    rows += [(f"l{n}/delta_{v}:{unit}", f"δ{LABELS[v]}[t]") for v in names]
    return rows + [(f"l{n}/eps_h:{unit}", "εh[t]")]
