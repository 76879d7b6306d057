"""Where every node of the unrolled graph sits, in scene units (Qt-free).

Columns are time steps, left to right; rows are lanes, top to bottom (watches, the head, the layers
from the top one down, the input). Lane names and step numbers are not part of the scene: the view
draws them in its margins, so that fitting the scene never hides a column behind them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..style import LANE_HELP, Geometry, label
from .document import Document
from .graph_model import GraphModel, Lane, watch_index

PAD = 12        # around the scene
BAND_TOP = 30   # a layer's band starts this far above its first row when the gap has room for its title


class GraphLayout:
    def __init__(self, graph: GraphModel, steps: int, geometry: Geometry):
        self.graph, self.steps, self.g = graph, steps, geometry
        g = geometry
        slots = graph.slots
        self.column_w = slots * g.node_w + (slots - 1) * g.slot_gap + g.column_gap
        self.value_dx = (slots - 1) * (g.node_w + g.slot_gap)  # a step's value nodes, from its column's left
        self.row_y = self._row_positions()
        self.width = 2 * PAD + steps * self.column_w - g.column_gap
        self.height = self.row_y[-1] + g.node_h + PAD if self.row_y else 2 * PAD

    def _row_positions(self) -> list[float]:
        g, graph = self.g, self.graph
        ys, y = [], PAD
        bounds = {first for first, _ in graph.layer_rows.values()} | {graph.rows - 1}
        for row in range(graph.rows):
            if row in bounds and row:
                y += g.layer_gap
            ys.append(y)
            y += g.row_h
        return ys

    def node_xy(self, lane: Lane, t: int) -> tuple[float, float]:
        """The top left corner of a lane's node at step t (1-based)."""
        slot_dx = 0.0 if lane.slot == 1 else -(self.g.node_w + self.g.slot_gap)
        return self.column_left(t) + self.value_dx + slot_dx, self.row_y[lane.row]

    def column_left(self, t: int) -> float:
        return PAD + (t - 1) * self.column_w

    def step_centre(self, t: int) -> float:
        """The middle of step t's value nodes (where its header goes)."""
        return self.column_left(t) + self.value_dx + self.g.node_w / 2

    def column_span(self, t: int) -> tuple[float, float]:
        """From the left of step t's first node to the right of its last one."""
        left = self.column_left(t)
        return left, left + self.column_w - self.g.column_gap

    def row_centre(self, row: int) -> float:
        return self.row_y[row] + self.g.node_h / 2

    @property
    def band_titles(self) -> bool:
        """Whether the gap above a layer has room for its title (not in the compact presentation layout)."""
        return self.g.layer_gap + self.g.row_h - self.g.node_h >= BAND_TOP + 8

    def band(self, layer: int) -> tuple[float, float]:
        """Top and bottom of a layer's band: its title above the first row, half the gaps around it."""
        g = self.g
        first, last = self.graph.layer_rows[layer]
        margin = (g.row_h - g.node_h + g.layer_gap) / 2
        return self.row_y[first] - (BAND_TOP if self.band_titles else margin), self.row_y[last] + g.node_h + margin

    def steps_between(self, left: float, right: float) -> range:
        """The steps whose columns lie wholly between two scene x coordinates."""
        first = max(1, math.ceil((left - PAD) / self.column_w) + 1)
        last = min(self.steps, math.floor((right - PAD + self.g.column_gap) / self.column_w))
        return range(first, last + 1)

    def window(self, t: int, count: int) -> tuple[float, float]:
        """Scene x span of ``count`` steps with step t among them, as centred as the ends allow."""
        count = max(1, min(count, self.steps))
        first = min(max(1, t - (count - 1) // 2), self.steps - count + 1)
        left = self.column_left(first) - PAD
        return left, self.column_span(first + count - 1)[1] + PAD


@dataclass(frozen=True)
class LaneLabel:
    y: float          # scene y of the text's middle
    text: str
    tooltip: str
    is_layer: bool    # a layer's name: gives way to lane names where they collide


def lane_labels(layout: GraphLayout, document: Document) -> list[LaneLabel]:
    """The names left of the graph: each layer's, then each row's (with what it is, on hover)."""
    graph, layers = layout.graph, document.scenario.model.layers
    labels = [LaneLabel(layout.band(n)[0] + 12, f"layer {n}", layer_title(n, layers[n]), True)
              for n in graph.layer_rows]
    for row, text, var in graph.lane_titles():
        labels.append(LaneLabel(layout.row_centre(row), text, lane_help(var, document), False))
    return labels


def lane_help(var: str, document: Document) -> str:
    n = watch_index(var)
    if n is None:
        return LANE_HELP.get(var, "")
    watch, result = document.scenario.watches[n], document.watches[n]
    needs = f" — {result.needs.describe()}" if result.needs is not None else ""
    return f"{label(var)}[t] = {watch.expression}{needs} (your watch expression; Watches tab)"


def layer_title(n: int, layer) -> str:
    kind = "LSTM" if layer.type == "lstm" else f"RNN ({layer.activation})"
    return f"layer {n} · {kind} · H = {layer.hidden_size}"
