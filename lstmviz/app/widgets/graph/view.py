"""The unrolled graph: one column per step, one lane per variable, every dependency as an edge.

Node colour is the value (forward view) or δ (backward view) on a diverging map (legend:
:class:`.legend.LegendBar`); a node not yet computed at the current phase is hatched grey with a "?".
In the backward view each edge's width shows the gradient flowing along it. The numbers come from
:func:`lstmviz.app.model.lanes.graph_numbers`; this module only draws them.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

from ....core.keys import Key
from ....core.phases import Phase
from ... import style
from ...model.graph_model import GraphModel
from ...model.lanes import graph_numbers
from ...model.quantities import NodeRef
from ...model.session import Session
from ...numbers import fmt, fmt_signed
from ...qt.binding import observe
from .items import BLANK, LOD_DETAIL, EdgeItem, NodeItem, colour_table, pen

COL_W = 2 * style.NODE_W + style.SLOT_GAP + style.COLUMN_GAP
LEFT = 96
MIN_READABLE_ZOOM = 0.7
TOP = 52


class GraphView(QGraphicsView):
    """Draws the session's trace; clicking a node selects it, clicking an edge selects its weight."""

    zoomChanged = Signal(float)
    scaleChanged = Signal()

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.min_zoom = MIN_READABLE_ZOOM
        self.theme_name, self.colour_map = "light", "diverging"
        self.theme = style.THEMES["light"]
        self.border_pen = QPen(QColor(self.theme["border"]), self.theme["border_width"])
        self.setBackgroundBrush(QColor(self.theme["background"]))
        self.node_font = QFont(style.FONT_FAMILY, style.FONT_POINTS)
        self.label_font = QFont(style.MATH_FAMILY, style.FONT_POINTS + 1)
        self.time_font = QFont(style.FONT_FAMILY, style.FONT_POINTS + 1, QFont.Weight.Bold)
        self.mark_font = QFont(style.FONT_FAMILY, style.FONT_POINTS - 2)
        self.scale_value = 1.0
        self.nodes: dict[tuple[int | None, str, int], NodeItem] = {}
        self.edges: list[EdgeItem] = []
        self.flows = {}
        self._selected_key = None
        self._forward_edges = None
        self.zoomChanged.connect(self._on_zoom_change)
        doc, view = session.document, session.view
        observe(self, (doc.structure_changed, self.rebuild), (doc.trace_changed, self.refresh),
                (view.view_changed, self.refresh), (session.comparison.changed, self.refresh),
                (session.playback.playhead_changed, self._on_playhead_change),
                (view.selection_changed, self._mark_selection))
        self.rebuild()

    # -- building ----------------------------------------------------------------------------------
    def rebuild(self) -> None:
        """A new structure (layers, watches, steps): every item anew, then the numbers."""
        scene = self.scene()
        scene.clear()
        self.nodes.clear()
        self.lane_items: dict[tuple[int | None, str], list[NodeItem]] = {}  # per lane, in step order
        self.edges.clear()
        self._selected_key = None
        self._forward_edges = None
        scenario = self.session.document.scenario
        self.model = GraphModel(scenario.model, len(scenario.watches))
        T = self.session.document.trace.steps
        self.row_y = self._row_positions()
        self._draw_bands(LEFT + T * COL_W)
        for lane in self.model.lanes:
            for t in range(1, T + 1):
                item = NodeItem(lane, t, self)
                item.setPos(LEFT + (t - 1) * COL_W + lane.slot * (style.NODE_W + style.SLOT_GAP), self.row_y[lane.row])
                scene.addItem(item)
                self.nodes[(lane.layer, lane.var, t)] = item
                self.lane_items.setdefault((lane.layer, lane.var), []).append(item)
        for edge in self.model.edges:
            for t in range(1 + edge.lag, T + 1):
                item = EdgeItem(edge, t, self.nodes[(*edge.src, t - edge.lag)], self.nodes[(*edge.dst, t)], self)
                scene.addItem(item)
                self.edges.append(item)
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-10, -10, 20, 20))
        self.refresh()

    def _row_positions(self) -> list[float]:
        ys, y = [], TOP
        bounds = {first for first, _ in self.model.layer_rows.values()} | {self.model.rows - 1}
        for row in range(self.model.rows):
            if row in bounds:
                y += style.LAYER_GAP
            ys.append(y)
            y += style.ROW_H
        return ys

    def _draw_bands(self, width: float) -> None:
        scene = self.scene()
        bold = QFont(style.FONT_FAMILY, style.FONT_POINTS, QFont.Weight.Bold)
        layers = self.session.document.scenario.model.layers
        for n, (first, last) in self.model.layer_rows.items():
            top = self.row_y[first] - 30
            bottom = self.row_y[last] + style.NODE_H + 10
            band = scene.addRect(QRectF(4, top, width, bottom - top), QPen(Qt.PenStyle.NoPen),
                                 QColor(self.theme["bands"][n % 2]))
            band.setZValue(-3)
            kind = "LSTM" if layers[n].type == "lstm" else f"RNN ({layers[n].activation})"
            title = scene.addSimpleText(f"layer {n} · {kind} · H = {layers[n].hidden_size}", bold)
            title.setBrush(QColor(style.TEXT_DIM))
            title.setPos(LEFT + 4, top + 6)
            title.setZValue(-2)
        self.lane_labels = [(self.row_y[first] - 18, f"layer {n}") for n, (first, _) in self.model.layer_rows.items()]
        self.lane_labels += [(self.row_y[row] + style.NODE_H / 2, text) for row, text in self.model.lane_titles()]

    # -- refreshing ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Recolour and relabel every node from the model, then apply the playhead and the selection."""
        s = self.session
        numbers = graph_numbers(self.model, s.document, s.view, s.comparison)
        self.scale_value = numbers.scale
        text = fmt_signed if numbers.signed else (lambda x: fmt(x, short=True))
        T = s.document.trace.steps
        for key, shown in numbers.lanes.items():
            v = shown.values
            fills = None if v is None else colour_table(v, self.scale_value, self.colour_map)
            rows = [[BLANK]] * T if v is None else [r if isinstance(r, list) else [r] for r in fills]
            texts = [text(x) for x in v.tolist()] if v is not None and v.ndim == 1 else [""] * T
            on_kink = shown.kinks.tolist() if shown.kinks is not None else [False] * T
            marks = ["ε " + text(x) for x in shown.eps.tolist()] if shown.eps is not None else [""] * T
            for item, row, label, kink, mark in zip(self.lane_items[key], rows, texts, on_kink, marks, strict=True):
                item.has_value, item.fills, item.text = v is not None, row, label
                item.on_kink, item.eps_text = kink, mark
        self._apply_playhead()
        self._mark_selection()
        self._refresh_edges()
        self.scaleChanged.emit()

    def _on_playhead_change(self) -> None:
        self._apply_playhead()
        self._refresh_edges()

    def _apply_playhead(self) -> None:
        """What is computed at the current phase and step: hatching, the current column, ε marks."""
        ph, backward = self.session.playback.playhead, self.session.view.view == "backward"
        current = ph.current_t if ph.phase <= Phase.BPTT else None
        steps = range(1, ph.T + 1)
        not_yet = [not (ph.delta_visible(t) if backward else ph.value_visible(t)) for t in steps]
        eps_shown = [ph.eps_visible(t) for t in steps]
        is_current = [current == t for t in steps]
        for items in self.lane_items.values():
            for item, future, shown, now in zip(items, not_yet, eps_shown, is_current, strict=True):
                item.future = future = item.has_value and future
                item.current = now
                item.kink = item.on_kink and not future
                item.mark = item.eps_text if shown and not future else ""
                item.update()

    def _mark_selection(self) -> None:
        sel = self.session.view.selection
        key = None if sel is None else (sel.layer, sel.var, sel.t)
        if key == self._selected_key:
            return
        for k, on in ((self._selected_key, False), (key, True)):
            if k in self.nodes:
                self.nodes[k].selected = on
                self.nodes[k].update()
        self._selected_key = key

    def _refresh_edges(self) -> None:
        s = self.session
        doc, backward = s.document, s.view.view == "backward"
        if not backward:  # forward view: edge styles depend only on the mode's cuts, not on values
            key = (str(doc.mode), self.theme_name, len(self.edges))
            if key == self._forward_edges:
                return
            self._forward_edges = key
        else:
            self._forward_edges = None
        self.flows = self.model.flows(doc.trace, s.view.unit) if backward else {}
        biggest = max((float(np.nanmax(np.abs(f))) for f in self.flows.values() if np.isfinite(f).any()), default=0.0)
        cuts = self.model.cut_masks(doc.mode, doc.trace.steps)
        theme, playhead = self.theme, s.playback.playhead
        for item in self.edges:
            cut = bool(cuts[item.edge][item.t - 1])
            if backward and not cut and playhead.delta_visible(item.t):
                f = abs(float(self.flows[item.edge][item.t - 1]))
                width = 0.8 + 7.0 * (f / biggest if biggest and math.isfinite(f) else 0.0)
                edge_pen = pen(style.FLOW if f > 0 else theme["edge_cut"], round(width * theme["edge_width"] * 10) / 10)
            else:
                edge_pen = pen(theme["edge_cut"] if cut else theme["edge"], theme["edge_width"], dashed=cut)
            if item.pen_in_use is not edge_pen:
                item.pen_in_use = edge_pen
                item.setPen(edge_pen)

    # -- what the items ask -------------------------------------------------------------------------------
    def node_ref(self, item: NodeItem) -> NodeRef:
        lane = item.lane
        return NodeRef(lane.layer, lane.var, item.t, self.model.unit_in(lane.layer, self.session.view.unit))

    def node_tooltip(self, item: NodeItem) -> str:
        return f"{self.node_ref(item).describe(self.session.document.trace)} — click to explain"

    def edge_tooltip(self, item: EdgeItem) -> str:
        e, doc = item.edge, self.session.document
        text = f"{style.label(e.src[1])}[{item.t - e.lag}] → {style.label(e.dst[1])}[{item.t}]"
        text += f" via {style.symbol(Key.parse(e.weight).name)} ({e.weight})" if e.weight else ""
        if self.model.is_cut(e, doc.mode, item.t):
            text += f" — cut by {doc.mode}"
        elif e in self.flows:
            text += f" — gradient flow {fmt(float(self.flows[e][item.t - 1]))}"
        return text + (" — click to see the weight's gradient" if e.weight else "")

    def node_clicked(self, item: NodeItem) -> None:
        self.session.view.select(self.node_ref(item))

    def edge_clicked(self, item: EdgeItem) -> None:
        self.session.view.select_weight(*self.model.weight_entry(item.edge, self.session.view.unit))

    def node_item(self, node: NodeRef) -> NodeItem:
        return self.nodes[(node.layer, node.var, node.t)]

    # -- zoom, looks -----------------------------------------------------------------------------------------
    def fit(self) -> None:
        self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self.zoomChanged.emit(self.transform().m11())

    def fit_readable(self) -> None:
        """Fit, but never below the zoom at which node numbers stay legible; then show the top left
        (or the selection)."""
        self.fit()
        if self.transform().m11() < self.min_zoom:
            self.zoom(self.min_zoom / self.transform().m11())
            selection = self.session.view.selection
            if selection is not None:
                self.centerOn(self.node_item(selection))
            else:
                self.ensureVisible(QRectF(0, 0, 10, 10))

    def zoom(self, factor: float) -> None:
        current = self.transform().m11()
        factor = max(0.08 / current, min(6.0 / current, factor))
        self.scale(factor, factor)
        self.zoomChanged.emit(self.transform().m11())

    def set_look(self, theme: str | None = None, colour_map: str | None = None) -> None:
        """Theme (light, contrast, dark) and colour map (diverging, cividis)."""
        if colour_map is not None and colour_map != self.colour_map:
            self.colour_map = colour_map
            self.refresh()
        if theme is not None and theme != self.theme_name:
            self.theme_name, self.theme = theme, style.THEMES[theme]
            self.border_pen = QPen(QColor(self.theme["border"]), self.theme["border_width"])
            self.setBackgroundBrush(QColor(self.theme["background"]))
            self.rebuild()  # the layer bands and the edge pens are part of the scene

    def set_text_scale(self, factor: float) -> None:
        """Lane names and step numbers ``factor`` times their size; readable zoom grows with them."""
        self.label_font.setPointSizeF((style.FONT_POINTS + 1) * factor)
        self.time_font.setPointSizeF((style.FONT_POINTS + 1) * factor)
        self.min_zoom = MIN_READABLE_ZOOM * factor  # nodes and their numbers grow together
        self.viewport().update()

    def _on_zoom_change(self, zoom: float) -> None:
        """Antialias only when zoomed in enough to see it; thousands of edges draw much faster without."""
        self.setRenderHint(QPainter.RenderHint.Antialiasing, zoom >= LOD_DETAIL)

    def drawForeground(self, p: QPainter, rect: QRectF) -> None:
        """Lane names on the left and step numbers on top stay in view while panning."""
        p.save()
        p.resetTransform()
        width = self.viewport().width()
        header = QColor(self.theme["background"])
        header.setAlpha(240)
        tall = self.time_font.pointSizeF() * 2.4  # the header grows with the text (presentation)
        wide = self.label_font.pointSizeF() * 6.5
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(header)
        p.drawRect(QRectF(0, 0, width, tall))
        p.drawRect(QRectF(0, tall, wide, self.viewport().height()))
        p.setPen(QColor(self.theme["text"]))
        p.setFont(self.time_font)
        for t in range(1, self.session.document.trace.steps + 1):
            x = LEFT + (t - 1) * COL_W + style.NODE_W + style.SLOT_GAP + style.NODE_W / 2
            cx = self.mapFromScene(QPointF(x, 0)).x()
            if wide + 6 < cx < width:
                p.drawText(QRectF(cx - 60, 0, 120, tall), Qt.AlignmentFlag.AlignCenter, f"t = {t}")
        p.setFont(self.label_font)
        for y, text in self.lane_labels:
            cy = self.mapFromScene(QPointF(0, y)).y()
            if cy > tall:
                p.drawText(QRectF(6, cy - tall / 2, wide - 6, tall), Qt.AlignmentFlag.AlignVCenter
                           | Qt.AlignmentFlag.AlignLeft, text)
        p.restore()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self.viewport().update()  # the sticky labels move with the view

    def wheelEvent(self, event) -> None:
        self.zoom(1.0015 ** event.angleDelta().y())
