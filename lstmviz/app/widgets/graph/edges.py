"""How the graph's edges look: plain or dashed (cut by the gradient mode) in the forward view; in the
backward view as wide as the gradient flowing along them, and — when the view follows the phase,
from phase 4 on — a weighted edge as wide as its step's term of dE/dw.

Under window:K no edge is cut for every cost; with a node selected, its step is taken as the cost E[t] and
the edges outside E[t]'s window (into steps up to t−K+1) are drawn cut."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from ....core.keys import Key
from ....core.phases import Phase
from ... import style
from ...numbers import fmt
from .items import EdgeItem, pen

if TYPE_CHECKING:
    from .view import GraphView


class EdgeStyles:
    def __init__(self, view: GraphView):
        self.view = view
        self.flows: dict = {}
        self.terms = False  # the widths are dE/dw terms on weighted edges
        self._state = None
        self._flows_for, self._trace = None, None  # (id(trace), unit, terms) the flows were computed for

    def reset(self) -> None:
        self._state = self._flows_for = self._trace = None

    def refresh(self) -> None:
        """Restyle the edges on screen after a change of trace, view, playhead, mode or selection."""
        v = self.view
        s = v.session
        doc, playhead = s.document, s.playback.playhead
        backward = s.view.view == "backward"
        self.terms = backward and playhead.phase >= Phase.GRAD and s.follower.on
        cost = self.cost()
        state = (str(doc.mode), v.theme_name, backward, self.terms, cost)
        if not backward and state == self._state:
            return  # forward view: edge styles depend only on the mode's cuts, not on values
        self._state = state
        self._update_flows(backward)
        self._biggest = max((float(np.nanmax(np.abs(f))) for f in self.flows.values() if np.isfinite(f).any()),
                            default=0.0)
        self._cuts = v.model.cut_masks(doc.mode, doc.trace.steps, cost)
        self._backward = backward
        self.apply(v.edges)

    def apply(self, items: list[EdgeItem]) -> None:
        """The pens of these edges (new ones, or all on screen), from the state :meth:`refresh` worked out."""
        if self._state is None:
            return
        v = self.view
        playhead, theme, backward, cuts = v.session.playback.playhead, v.theme, self._backward, self._cuts
        restyled = False
        for item in items:
            cut = bool(cuts[item.edge][item.t - 1])
            weighted_term = self.terms and item.edge.weight
            shown = playhead.grad_steps >= item.t if weighted_term else playhead.delta_visible(item.t)
            if backward and not cut and shown:
                f = abs(float(self.flows[item.edge][item.t - 1]))
                big = self._biggest
                width = 0.8 + 7.0 * (f / big if big and math.isfinite(f) else 0.0)
                colour = (style.GRADIENT if weighted_term else style.FLOW) if f > 0 else theme["edge_cut"]
                edge_pen = pen(colour, round(width * theme["edge_width"] * 10) / 10)
            else:
                edge_pen = pen(theme["edge_cut"] if cut else theme["edge"], theme["edge_width"], dashed=cut)
            if item.pen_in_use is not edge_pen:
                item.pen_in_use = edge_pen
                item.setPen(edge_pen)
                restyled = True
        if restyled:  # the blocks' painters draw their runs anew (those off screen when they come on)
            for holder, _, _ in v.blocks.made.values():
                holder.edges_painter.restyle()

    def cost(self) -> int | None:
        """The step of the selected node, taken as the cost E[t] whose window is drawn under window:K."""
        s = self.view.session
        selection = s.view.selection
        return selection.t if selection is not None and s.document.mode.kind == "window" else None

    def _update_flows(self, backward: bool) -> None:
        """The flows (and dE/dw terms) of the drawn unit, recomputed only when the trace, unit or widths change."""
        s = self.view.session
        key = (id(s.document.trace), s.view.unit, self.terms) if backward else None
        if key is not None and key == self._flows_for and self._trace is s.document.trace:
            return
        self._flows_for, self._trace = key, s.document.trace
        self.flows = self.view.model.flows(s.document.trace, s.view.unit) if backward else {}
        if self.terms:
            self.flows.update(self.view.model.weight_terms(s.document.trace, s.view.unit))

    def tooltip(self, item: EdgeItem) -> str:
        e, doc = item.edge, self.view.session.document
        text = f"{style.label(e.src[1])}[{item.t - e.lag}] → {style.label(e.dst[1])}[{item.t}]"
        text += f" via {style.symbol(Key.parse(e.weight).name)} ({e.weight})" if e.weight else ""
        cost = self.cost()
        if self.view.model.is_cut(e, doc.mode, item.t, cost):
            text += f" — cut by {doc.mode}" + (f" for E[{cost}]" if cost is not None else "")
        elif e in self.flows:
            what = "term of dE/dw" if e.weight and self.terms else "gradient flow"
            text += f" — {what} {fmt(float(self.flows[e][item.t - 1]))}"
        return text + (" — click to see the weight's gradient" if e.weight else "")


class EdgesPainter(QGraphicsItem):
    """Paints a block's edges in the order Qt stacks them (longer under shorter): each run of edges with the
    same pen is one path, stroked in one call: what the edges' own items painted, in about half the time (one
    paint() call per item cost Qt more than the strokes), but where two curves of one pen cross, their
    antialiased rims blend once instead of twice. :meth:`restyle` after a pen changes."""

    def __init__(self, rect: QRectF, edges: list[EdgeItem]):
        """``edges``: the block's edges (the list fills as the block is made); ``rect`` holds them."""
        super().__init__()
        self.rect, self.edges = rect, edges
        self.order: list[EdgeItem] | None = None
        self.runs: list[tuple[QPen, QPainterPath]] | None = None  # made at the first paint after a restyle
        self.setZValue(-1)  # over the edges' items (which paint nothing), under the nodes' painter
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def boundingRect(self) -> QRectF:
        return self.rect

    def shape(self) -> QPainterPath:
        """Nothing to hit: ``itemAt`` and the clicks find the edge under the pointer."""
        return QPainterPath()

    def restyle(self) -> None:
        """Some edge has a new pen: the runs anew, and a repaint."""
        self.runs = None
        self.update()

    def paint(self, p: QPainter, option, widget=None) -> None:
        if self.order is None:  # the block is made: its edges' stacking order, for good
            self.order = sorted(self.edges, key=lambda e: e.z)
        if self.runs is None:
            self.runs = _runs(self.order)
        p.setBrush(Qt.BrushStyle.NoBrush)
        for run_pen, path in self.runs:
            p.setPen(run_pen)
            p.drawPath(path)


def _runs(order: list[EdgeItem]) -> list[tuple[QPen, QPainterPath]]:
    """The edges in stacking order (z, then the order they were made), each run with one pen as one path (an
    edge alone keeps its own: in the backward view, where every edge has its width, nothing is copied)."""
    groups: list[tuple[QPen, list[QPainterPath]]] = []
    for item in order:
        item_pen = _DEFAULT_PEN if item.pen_in_use is None else item.pen_in_use
        if groups and groups[-1][0] is item_pen:
            groups[-1][1].append(item.line)
        else:
            groups.append((item_pen, [item.line]))
    return [(run_pen, lines[0] if len(lines) == 1 else _joined(lines)) for run_pen, lines in groups]


def _joined(lines: list[QPainterPath]) -> QPainterPath:
    path = QPainterPath(lines[0])
    for line in lines[1:]:
        path.addPath(line)
    return path


_DEFAULT_PEN = QPen()  # a path item's pen before EdgeStyles gives it one
