"""The unrolled graph: one column per step, one lane per variable, every dependency as an edge.

Node colour is the value (forward view) or δ (backward view) on a diverging map (legend:
:class:`LegendBar`); a node not yet computed at the current phase is hatched grey with a "?".
In the backward view each edge's width shows the gradient flowing along it.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsView,
    QToolTip,
    QWidget,
)

from .. import style
from ..equations import fmt
from ..graph_model import Edge, GraphModel, Lane, watch_index
from ..quantities import PRE_ACTIVATIONS, NodeRef
from ..session import Session

COL_W = 2 * style.NODE_W + style.SLOT_GAP + style.COLUMN_GAP
LEFT = 96
MIN_READABLE_ZOOM = 0.7
LOD_DETAIL = 0.45  # below this zoom nodes are drawn as plain colour cells
TOP = 52


def _lut(stops, n: int = 257) -> list[QColor]:
    """A colour map sampled at n points from −1 to 1."""
    xs = np.array([p for p, _ in stops])
    rgb = np.array([QColor(c).getRgb()[:3] for _, c in stops], float)
    grid = np.linspace(0, 1, n)
    return [QColor(*(int(round(np.interp(x, xs, rgb[:, k]))) for k in range(3))) for x in grid]


_LUTS = {name: _lut(stops) for name, stops in style.COLOUR_MAPS.items()}
_BLACK = QColor(style.NON_FINITE)
_BLANK = QColor("#f0f0f0")
_NODE_BOUNDS = QRectF(-3, -3, style.NODE_W + 6, style.NODE_H + 6)
_SELECTED_PEN = QPen(QColor(style.SELECTION), 4)
_CURRENT_PEN = QPen(QColor("#1f78b4"), 2.5)
_FUTURE_BRUSH = QBrush(QColor(style.NOT_COMPUTED))
_HATCH_BRUSH = QBrush(QColor("#b0b0b0"), Qt.BrushStyle.BDiagPattern)


def colour_table(values: np.ndarray, scale: float, colour_map: str = "diverging") -> list:
    """Colours of a lane: a QColor per step, or a list of them per step for vector lanes."""
    lut = _LUTS[colour_map]
    v = np.asarray(values, float)
    idx = np.rint((np.clip(np.nan_to_num(v / scale, nan=0.0), -1, 1) * 0.5 + 0.5) * (len(lut) - 1)).astype(int)
    bad = ~np.isfinite(v)
    if v.ndim == 1:
        return [_BLACK if b else lut[i] for i, b in zip(idx, bad)]
    return [[_BLACK if b else lut[i] for i, b in zip(row, brow)] for row, brow in zip(idx, bad)]


_PENS: dict[tuple[str, float, bool], QPen] = {}


def _pen(colour: str, width: float, dashed: bool = False) -> QPen:
    key = (colour, width, dashed)
    if key not in _PENS:
        pen = QPen(QColor(colour), width)
        if dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        _PENS[key] = pen
    return _PENS[key]


def node_text(v: float, signed: bool = False) -> str:
    """The number printed in a node: fmt's short form, with a fast path for the usual range.
    ``signed`` (differences) writes a + before positive numbers."""
    if v == 0.0:
        return "0.00" if not signed else "±0"
    if 0.01 <= abs(v) < 1000.0:
        text = f"{v:.2f}".replace("-", "−")
    else:
        text = fmt(v, short=True)
    return "+" + text if signed and v > 0 else text


def _series_or_nan(q, layer, var, unit, kind, shape) -> np.ndarray:
    """A lane of a snapshot, or NaN where the snapshot has no such lane (another structure)."""
    try:
        old = np.asarray(q.series(layer, var, unit, kind), float)
    except (KeyError, IndexError):
        return np.full(shape, np.nan)
    return old if old.shape == shape else np.full(shape, np.nan)


def text_colour(fill: QColor) -> QColor:
    return QColor("#ffffff") if fill.lightnessF() < 0.45 else QColor(style.TEXT)


class NodeItem(QGraphicsItem):
    """One node; painted by hand for speed. State is set by the view, then ``update()``."""

    def __init__(self, lane: Lane, t: int, view: "GraphView"):
        super().__init__()
        self.lane, self.t, self.view = lane, t, view
        self.fills: list[QColor] = [QColor(style.NOT_COMPUTED)]
        self.text = ""
        self.mark = ""        # ε in the backward view, when computed
        self.eps_text = ""
        self.has_value = True  # a target has no δ
        self.future = True
        self.kink = False
        self.on_kink = False
        self.selected = False
        self.current = False
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def boundingRect(self) -> QRectF:
        return _NODE_BOUNDS

    def paint(self, p: QPainter, option, widget=None) -> None:
        r = QRectF(0, 0, style.NODE_W, style.NODE_H)
        if option.levelOfDetailFromTransform(p.worldTransform()) < LOD_DETAIL:  # too small to read: colour only
            p.fillRect(r, QColor(style.NOT_COMPUTED) if self.future else self.fills[0])
            if self.selected:
                p.setPen(QPen(QColor(style.SELECTION), 6))
                p.drawRect(r)
            return
        border = _SELECTED_PEN if self.selected else (_CURRENT_PEN if self.current else self.view.border_pen)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # crisp small corners, and a third faster
        if self.future:
            p.setPen(border)
            p.setBrush(_FUTURE_BRUSH)
            p.drawRoundedRect(r, 5, 5)
            p.setBrush(_HATCH_BRUSH)
            p.drawRoundedRect(r, 5, 5)
        elif len(self.fills) == 1:  # fill and border in one call
            p.setPen(border)
            p.setBrush(self.fills[0])
            p.drawRoundedRect(r, 5, 5)
        else:  # a vector: one cell per component
            w = r.width() / len(self.fills)
            for n, c in enumerate(self.fills):
                p.fillRect(QRectF(r.left() + n * w, r.top(), w + 0.5, r.height()), c)
            p.setPen(border)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(r, 5, 5)
        font = self.view.node_font
        p.setFont(font)
        text = "?" if self.future else self.text
        fill = self.fills[0] if not self.future and len(self.fills) == 1 else QColor(style.NOT_COMPUTED)
        p.setPen(QColor(style.TEXT_DIM) if self.future else text_colour(fill))
        if self.mark and not self.future:
            p.drawText(QRectF(0, 1, style.NODE_W, style.NODE_H * 0.62), Qt.AlignmentFlag.AlignCenter, text)
            p.setFont(self.view.mark_font)
            p.drawText(QRectF(0, style.NODE_H * 0.52, style.NODE_W, style.NODE_H * 0.48), Qt.AlignmentFlag.AlignCenter,
                       self.mark)
        elif text:
            p.drawText(r, Qt.AlignmentFlag.AlignCenter, text)
        if self.kink:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(style.KINK))
            p.drawPolygon(QPolygonF([QPointF(style.NODE_W - 11, 0), QPointF(style.NODE_W, 0), QPointF(style.NODE_W, 11)]))

    def mousePressEvent(self, event) -> None:
        self.view.node_clicked(self)
        event.accept()

    def sceneEvent(self, event) -> bool:
        if event.type() == QEvent.Type.GraphicsSceneHelp:  # tooltips are made when asked for
            QToolTip.showText(event.screenPos(), self.view.node_tooltip(self))
            return True
        return super().sceneEvent(event)


class EdgeItem(QGraphicsPathItem):
    def __init__(self, edge: Edge, t: int, src: NodeItem, dst: NodeItem, view: "GraphView"):
        super().__init__()
        self.edge, self.t, self.view = edge, t, view
        self.setPath(_edge_path(src, dst))
        self.setZValue(-1 - self.path().length() / 1e5)  # shorter edges on top, so overlapping fans stay clickable
        self.pen_in_use: QPen | None = None
        if edge.weight:
            self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mousePressEvent(self, event) -> None:
        if self.edge.weight:
            self.view.edge_clicked(self)
            event.accept()
        else:
            event.ignore()

    def sceneEvent(self, event) -> bool:
        if event.type() == QEvent.Type.GraphicsSceneHelp:
            QToolTip.showText(event.screenPos(), self.view.edge_tooltip(self))
            return True
        return super().sceneEvent(event)

    def shape(self) -> QPainterPath:  # a wider band than the thin line, so edges can be clicked
        stroker = QPainterPathStroker()
        stroker.setWidth(8)
        return stroker.createStroke(self.path())


def _edge_path(src: NodeItem, dst: NodeItem) -> QPainterPath:
    a, b = src.sceneBoundingRect().adjusted(3, 3, -3, -3), dst.sceneBoundingRect().adjusted(3, 3, -3, -3)
    path = QPainterPath()
    if src is dst or abs(a.center().y() - b.center().y()) < 1:  # same row: side to side
        start, end = QPointF(a.right(), a.center().y()), QPointF(b.left(), b.center().y())
        path.moveTo(start)
        path.lineTo(end)
        return path
    if abs(a.center().x() - b.center().x()) < 1:  # same slot, another row: top/bottom
        up = b.center().y() < a.center().y()
        start = QPointF(a.center().x(), a.top() if up else a.bottom())
        end = QPointF(b.center().x(), b.bottom() if up else b.top())
        path.moveTo(start)
        path.lineTo(end)
        return path
    start = QPointF(a.right() if b.center().x() > a.center().x() else a.left(), a.center().y())
    end = QPointF(b.left() if b.center().x() > a.center().x() else b.right(), b.center().y())
    dx = (end.x() - start.x()) * 0.5
    path.moveTo(start)
    path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y()), end)
    return path


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
        self.min_zoom = MIN_READABLE_ZOOM
        self.theme_name, self.colour_map = "light", "diverging"
        self.theme = style.THEMES["light"]
        self.border_pen = QPen(QColor(self.theme["border"]), self.theme["border_width"])
        self.setBackgroundBrush(QColor(self.theme["background"]))
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
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
        session.scenarioChanged.connect(self.rebuild)
        for signal in (session.traceChanged, session.viewChanged):
            signal.connect(self.refresh)
        session.playheadChanged.connect(self._on_playhead_change)
        session.selectionChanged.connect(self._mark_selection)
        self.rebuild()

    # -- building ----------------------------------------------------------------------------------
    def rebuild(self) -> None:
        scene = self.scene()
        scene.clear()
        self.nodes.clear()
        self.lane_items: dict[tuple[int | None, str], list[NodeItem]] = {}  # per lane, in step order
        self.edges.clear()
        self._selected_key = None
        self._forward_edges = None
        self.model = GraphModel(self.session.scenario.model, len(self.session.scenario.watches))
        T = self.session.trace.steps
        self.row_y = self._row_positions()
        width = LEFT + T * COL_W
        self._draw_bands(width)
        for lane in self.model.lanes:
            for t in range(1, T + 1):
                item = NodeItem(lane, t, self)
                x = LEFT + (t - 1) * COL_W + lane.slot * (style.NODE_W + style.SLOT_GAP)
                item.setPos(x, self.row_y[lane.row])
                scene.addItem(item)
                self.nodes[(lane.layer, lane.var, t)] = item
                self.lane_items.setdefault((lane.layer, lane.var), []).append(item)
        for edge in self.model.edges:
            for t in range(1 + edge.lag, T + 1):
                src = self.nodes[(*edge.src, t - edge.lag)]
                dst = self.nodes[(*edge.dst, t)]
                item = EdgeItem(edge, t, src, dst, self)
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
        for n, (first, last) in self.model.layer_rows.items():
            top = self.row_y[first] - 30
            bottom = self.row_y[last] + style.NODE_H + 10
            band = scene.addRect(QRectF(4, top, width, bottom - top), QPen(Qt.PenStyle.NoPen),
                                 QColor(self.theme["bands"][n % 2]))
            band.setZValue(-3)
            layer = self.session.scenario.model.layers[n]
            kind = "LSTM" if layer.type == "lstm" else f"RNN ({layer.activation})"
            title = scene.addSimpleText(f"layer {n} · {kind} · H = {layer.hidden_size}", bold)
            title.setBrush(QColor(style.TEXT_DIM))
            title.setPos(LEFT + 4, top + 6)
            title.setZValue(-2)
        self.lane_labels = [(self.row_y[first] - 18, f"layer {n}") for n, (first, _) in self.model.layer_rows.items()]
        for lane in self.model.lanes:
            if lane.slot == 1:
                pre = next((ln for ln in self.model.lanes if ln.row == lane.row and ln.slot == 0), None)
                text = style.label(lane.var) + (f"  ← {style.LABELS[pre.var]}" if pre else "")
                self.lane_labels.append((self.row_y[lane.row] + style.NODE_H / 2, text))

    # -- refreshing ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Recolour and relabel every node from the trace, then apply the playhead."""
        s = self.session
        q, backward = s.quantities, s.view == "backward"
        T = s.trace.steps
        kind = "delta" if backward else "value"
        base = s.compare.quantities if s.show_diff and s.compare is not None else None
        lanes = {}
        for lane in self.model.lanes:
            if watch_index(lane.var) is not None:
                lanes[(lane.layer, lane.var)] = s.watch_series(watch_index(lane.var), s.unit)
            elif not (backward and lane.var == "y"):
                unit = self.model.unit_in(lane.layer, s.unit)
                v = np.asarray(q.series(lane.layer, lane.var, unit, kind), float)
                if base is not None:  # the difference from the pinned snapshot
                    v = v - _series_or_nan(base, lane.layer, lane.var, unit, kind, v.shape)
                lanes[(lane.layer, lane.var)] = v[:, 0] if v.ndim == 2 and v.shape[1] == 1 else v
        finite = [np.abs(v[np.isfinite(v)]).max() for v in lanes.values() if np.isfinite(v).any()]
        self.scale_value = max(finite, default=1.0) or 1.0
        for lane in self.model.lanes:
            key = (lane.layer, lane.var)
            unit = self.model.unit_in(lane.layer, s.unit)
            v = lanes.get(key)
            fills = None if v is None else colour_table(v, self.scale_value, self.colour_map)
            kinks = q.kink_mask(lane.layer, lane.var, unit) if lane.layer is not None and (
                lane.var in PRE_ACTIVATIONS or lane.var == "a") else None
            eps = None
            if backward and lane.var == "h" and lane.layer is not None:
                eps = q.series(lane.layer, "h", unit, "eps")
                if base is not None:
                    eps = eps - _series_or_nan(base, lane.layer, "h", unit, "eps", eps.shape)
            signed = base is not None
            texts = [node_text(x, signed) for x in v.tolist()] if v is not None and v.ndim == 1 else [""] * T
            rows = [[_BLANK]] * T if v is None else [r if isinstance(r, list) else [r] for r in fills]
            on_kink = kinks.tolist() if kinks is not None else [False] * T
            marks = ["ε " + node_text(x, signed) for x in eps.tolist()] if eps is not None else [""] * T
            has_value = v is not None
            for item, row, text, kink, mark in zip(self.lane_items[key], rows, texts, on_kink, marks):
                item.has_value, item.fills, item.text, item.on_kink, item.eps_text = has_value, row, text, kink, mark
        self._apply_playhead()
        self._mark_selection()
        self._refresh_edges(backward)
        self.scaleChanged.emit()

    def _on_playhead_change(self) -> None:
        self._apply_playhead()
        self._refresh_edges(self.session.view == "backward")

    def _apply_playhead(self) -> None:
        """What is computed at the current phase and step: hatching, the current column, ε marks."""
        ph, backward = self.session.playhead, self.session.view == "backward"
        current = ph.current_t if ph.phase <= 3 else None
        steps = range(1, ph.T + 1)
        not_yet = [not (ph.delta_visible(t) if backward else ph.value_visible(t)) for t in steps]
        eps_shown = [ph.eps_visible(t) for t in steps]
        is_current = [current == t for t in steps]
        for items in self.lane_items.values():
            for item, future, shown, now in zip(items, not_yet, eps_shown, is_current):
                item.future = future = item.has_value and future
                item.current = now
                item.kink = item.on_kink and not future
                item.mark = item.eps_text if shown and not future else ""
                item.update()

    def _mark_selection(self) -> None:
        sel = self.session.selection
        key = None if sel is None else (sel.layer, sel.var, sel.t)
        if key == self._selected_key:
            return
        for k, on in ((self._selected_key, False), (key, True)):
            if k in self.nodes:
                self.nodes[k].selected = on
                self.nodes[k].update()
        self._selected_key = key

    def _refresh_edges(self, backward: bool) -> None:
        s = self.session
        if not backward:  # forward view: edge styles depend only on the mode's cuts, not on values
            key = (str(s.mode), self.theme_name, len(self.edges))
            if key == self._forward_edges:
                return
            self._forward_edges = key
        else:
            self._forward_edges = None
        self.flows = self.model.flows(s.trace, s.unit) if backward else {}
        biggest = max((float(np.nanmax(np.abs(f))) for f in self.flows.values() if np.isfinite(f).any()), default=0.0)
        cuts = self.model.cut_masks(s.mode, s.trace.steps)
        for item in self.edges:
            cut = bool(cuts[item.edge][item.t - 1])
            if backward and not cut and s.playhead.delta_visible(item.t):
                f = abs(float(self.flows[item.edge][item.t - 1]))
                width = 0.8 + 7.0 * (f / biggest if biggest and math.isfinite(f) else 0.0)
                pen = _pen(style.FLOW if f > 0 else self.theme["edge_cut"], round(width * self.theme["edge_width"] * 10) / 10)
            else:
                pen = _pen(self.theme["edge_cut"] if cut else self.theme["edge"], self.theme["edge_width"], dashed=cut)
            if item.pen_in_use is not pen:
                item.pen_in_use = pen
                item.setPen(pen)

    def node_tooltip(self, item: "NodeItem") -> str:
        node = NodeRef(item.lane.layer, item.lane.var, item.t, self.model.unit_in(item.lane.layer, self.session.unit))
        return f"{node.describe(self.session.trace)} — click to explain"

    def edge_tooltip(self, item: "EdgeItem") -> str:
        e, s = item.edge, self.session
        src = f"{style.label(e.src[1])}[{item.t - e.lag}]"
        dst = f"{style.label(e.dst[1])}[{item.t}]"
        text = f"{src} → {dst}" + (f" via {e.weight}" if e.weight else "")
        if self.model.is_cut(e, s.mode, item.t):
            text += f" — cut by {s.mode}"
        elif e in self.flows:
            text += f" — gradient flow {fmt(float(self.flows[e][item.t - 1]))}"
        return text + (" — click to see the weight's gradient" if e.weight else "")

    # -- interaction -----------------------------------------------------------------------------------
    def node_clicked(self, item: NodeItem) -> None:
        lane = item.lane
        self.session.select(NodeRef(lane.layer, lane.var, item.t, self.model.unit_in(lane.layer, self.session.unit)))

    def edge_clicked(self, item: EdgeItem) -> None:
        e, s = item.edge, self.session
        u = self.model.unit_in(e.dst[0], s.unit)
        name = e.weight.split("/")[1]
        if name.startswith("p_") or name == "b_y":
            index = (u,)
        elif e.weight.startswith("head"):
            index = (0, self.model.unit_in(e.src[0], s.unit))
        else:
            index = (u, 0 if e.src[0] is None else self.model.unit_in(e.src[0], s.unit))
        s.select_weight(e.weight, index)

    def node_item(self, node: NodeRef) -> NodeItem:
        return self.nodes[(node.layer, node.var, node.t)]

    def fit(self) -> None:
        self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self.zoomChanged.emit(self.transform().m11())

    def fit_readable(self) -> None:
        """Fit, but never below the zoom at which node numbers stay legible; then show the top left
        (or the selection)."""
        self.fit()
        if self.transform().m11() < self.min_zoom:
            self.zoom(self.min_zoom / self.transform().m11())
            selection = self.session.selection
            if selection is not None:
                self.centerOn(self.node_item(selection))
            else:
                self.ensureVisible(QRectF(0, 0, 10, 10))

    def zoom(self, factor: float) -> None:
        current = self.transform().m11()
        factor = max(0.08 / current, min(6.0 / current, factor))
        self.scale(factor, factor)
        self.zoomChanged.emit(self.transform().m11())

    def set_look(self, theme: str | None = None, colour_map: str | None = None, font_points: float | None = None) -> None:
        """Theme (light, contrast, dark), colour map (diverging, cividis) and the size of node text."""
        if font_points is not None:
            self.node_font.setPointSizeF(font_points)
            self.mark_font.setPointSizeF(font_points - 2)
            self.viewport().update()
        if colour_map is not None and colour_map != self.colour_map:
            self.colour_map = colour_map
            self.refresh()
        if theme is not None and theme != self.theme_name:
            self.theme_name, self.theme = theme, style.THEMES[theme]
            self.border_pen = QPen(QColor(self.theme["border"]), self.theme["border_width"])
            self.setBackgroundBrush(QColor(self.theme["background"]))
            self.rebuild()  # the layer bands and the edge pens are part of the scene

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
        T = self.session.trace.steps
        for t in range(1, T + 1):
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


class LegendBar(QWidget):
    """The colour map's legend for the graph: what colour means which value or δ."""

    def __init__(self, view: GraphView, parent=None):
        super().__init__(parent)
        self.view = view
        self.setFixedSize(380, 30)
        view.scaleChanged.connect(self.update)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setFont(self.view.mark_font)
        s = self.view.session
        what = "δ" if s.view == "backward" else "value"
        if s.show_diff and s.compare is not None:
            what = "Δ" + what
        p.setPen(QColor(style.TEXT))
        p.drawText(QRectF(0, 0, 44, 30), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, what)
        x0, w = 130, 160
        grad = QLinearGradient(x0, 0, x0 + w, 0)
        for pos, c in style.COLOUR_MAPS[self.view.colour_map]:
            grad.setColorAt(pos, QColor(c))
        p.setBrush(QBrush(grad))
        p.setPen(QPen(QColor("#777777"), 1))
        p.drawRect(QRectF(x0, 8, w, 14))
        p.setPen(QColor(style.TEXT))
        m = self.view.scale_value
        p.drawText(QRectF(48, 0, x0 - 52, 30), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                   fmt(-m, short=True))
        p.drawText(QRectF(x0 + w + 4, 0, 80, 30), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                   fmt(m, short=True))
        p.end()
