"""What every lane of the graph shows at the current state (Qt-free): the numbers, ε, kinks, the scale.

In the forward view a lane is a variable's value, in the backward view its δ (a target has none); h
lanes carry ε under δ. With the differences on, every lane is "now − then" against the compared
snapshot. The colour scale is the largest finite magnitude on screen.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..style import LABELS
from .comparison import Comparison
from .document import Document
from .graph_model import GraphModel, watch_index
from .quantities import PRE_ACTIVATIONS
from .view_state import ViewState


@dataclass
class LaneShown:
    values: np.ndarray | None  # (T,) or (T, n) for a vector lane; None: nothing to show (y in the backward view)
    eps: np.ndarray | None     # ε of an h lane in the backward view
    kinks: np.ndarray | None   # (T,) booleans: a pre-activation on a kink


@dataclass
class GraphNumbers:
    lanes: dict[tuple[int | None, str], LaneShown]
    scale: float               # the colour map spans −scale … scale
    signed: bool               # differences: "+0.40"


def graph_numbers(graph: GraphModel, document: Document, view: ViewState, comparison: Comparison) -> GraphNumbers:
    q, backward = document.quantities, view.view == "backward"
    kind = "delta" if backward else "value"
    base = comparison.diff_base
    lanes: dict[tuple[int | None, str], LaneShown] = {}
    for lane in graph.lanes:
        unit = graph.unit_in(lane.layer, view.unit)
        n = watch_index(lane.var)
        if n is not None:
            values = document.watches.series(n, view.unit)
        elif backward and lane.var == "y":
            values = None
        else:
            values = np.asarray(q.series(lane.layer, lane.var, unit, kind), float)
            if base is not None:
                values = values - base.lane(lane.layer, lane.var, unit, kind, values.shape)
            values = values[:, 0] if values.ndim == 2 and values.shape[1] == 1 else values
        eps = None
        if backward and lane.var == "h" and lane.layer is not None:
            eps = q.series(lane.layer, "h", unit, "eps")
            if base is not None:
                eps = eps - base.lane(lane.layer, "h", unit, "eps", eps.shape)
        kinks = q.kink_mask(lane.layer, lane.var, unit) if lane.layer is not None and (
            lane.var in PRE_ACTIVATIONS or lane.var == "a") else None
        lanes[(lane.layer, lane.var)] = LaneShown(values, eps, kinks)
    finite = [np.abs(v[np.isfinite(v)]).max() for v in (s.values for s in lanes.values())
              if v is not None and np.isfinite(v).any()]
    return GraphNumbers(lanes, max(finite, default=1.0) or 1.0, base is not None)


def table_rows(document: Document, view: ViewState) -> list[tuple[str, str]]:
    """The rows of a lanes table (File ▸ Export ▸ … table): c, h, their δ and ε of the selected node's
    layer (or the top layer) for the drawn unit, as (trace key with ``:unit``, label)."""
    layers = document.scenario.model.layers
    sel = view.selection
    n = sel.layer if sel is not None and sel.layer is not None else len(layers) - 1
    unit = view.drawn_unit(n)
    names = ("c", "h") if layers[n].type == "lstm" else ("h",)
    rows = [(f"l{n}/{v}:{unit}", f"{LABELS[v]}[t]") for v in names]
    rows += [(f"l{n}/delta_{v}:{unit}", f"δ{LABELS[v]}[t]") for v in names]
    return rows + [(f"l{n}/eps_h:{unit}", "εh[t]")]
