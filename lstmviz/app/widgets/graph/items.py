"""The graph's items: a node (painted by hand, by its block in one call for all its nodes) and an edge as
a path (made only for steps near the viewport, :mod:`.blocks`)."""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
    QRegion,
    QTransform,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsRectItem, QToolTip

from ... import style
from ...model.graph_model import Edge, Lane
from .shown import FUTURE
from .sprites import BoxSprites

if TYPE_CHECKING:
    from .view import GraphView

_SELECTED_PEN = QPen(QColor(style.SELECTION), 4)
_CURRENT_PEN = QPen(QColor(style.CURRENT), 2.5)
_ASKED_PEN = QPen(QColor(style.ASKED), 4, Qt.PenStyle.DashLine)
_DIFFERS_PENS = (None, QPen(QColor(style.DIFFERS), 2), QPen(QColor(style.DIFFERS), 3))  # by NodeItem.differs
_DIFFERS_BADGE = QBrush(QColor(style.DIFFERS))
_FUTURE_BRUSH = QBrush(FUTURE)
_HATCH_BRUSH = QBrush(QColor(style.HATCH), Qt.BrushStyle.BDiagPattern)
_KINK_BRUSH = QBrush(QColor(style.KINK))
_NO_PEN = QPen(Qt.PenStyle.NoPen)
_TEXT, _TEXT_ON_DARK, _TEXT_DIM = QColor(style.TEXT), QColor(style.TEXT_ON_DARK), QColor(style.TEXT_DIM)
_NOT_COMPUTED = QColor(style.NOT_COMPUTED)
_TEXT_PENS = {id(c): QPen(c) for c in (_TEXT, _TEXT_ON_DARK, _TEXT_DIM)}  # by text_colour(): no pen made per node
NODE_PAD = 5  # a node's bounds reach this far beyond it (its thick border when selected, the differs outline)


_PENS: dict[tuple[str, float, bool], QPen] = {}


def pen(colour: str, width: float, dashed: bool = False) -> QPen:
    """A shared pen (edges reuse a handful of them)."""
    key = (colour, width, dashed)
    if key not in _PENS:
        pen = QPen(QColor(colour), width)
        if dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        _PENS[key] = pen
    return _PENS[key]


def fitting_font(view: GraphView, text: str, width: float) -> QFont:
    """The node font, or a smaller one when ``text`` is wider than ``width`` (rare: long exponents)."""
    font = view.node_font
    if len(text) <= 5:  # always fits: skip measuring
        return font
    advance = view.node_metrics.horizontalAdvance(text)
    if advance <= width:
        return font
    px = max(1, int(font.pixelSize() * width / advance))
    smaller = QFont(font)
    smaller.setPixelSize(px)
    return smaller


NUMBER_CHARS = "0123456789.,+-−e±ε?"  # what the graph's numbers are written with (:mod:`lstmviz.app.numbers`)


class NumberLayouts:
    """Where each node number goes: the font and baseline origin that centre it in a node, worked out once
    per text, so that a repaint, or an edit that brings back numbers seen before, measures nothing. Kept
    for up to ``LIMIT`` texts, then started afresh; a new one for new fonts or node sizes.

    A new number is measured as the sum of its characters' advances when the node font puts no pair of
    :data:`NUMBER_CHARS` closer or further apart than their advances say (checked once per font, every pair):
    exactly Qt's measure, at a sixth of its cost."""

    LIMIT = 4096

    def __init__(self, view: GraphView):
        self.view = view
        self.placed: dict[tuple[str, float], tuple[QFont, QPointF]] = {}
        self.advances = _additive_advances(view.node_metrics, NUMBER_CHARS)
        self._node: tuple[float, float, float] | None = None  # the node's width, height, the number's baseline

    def centred(self, text: str, left: float) -> tuple[QFont, QPointF]:
        """``text`` centred in the node's rectangle from ``left`` on (shrunk only if it would not fit)."""
        key = (text, left)
        placed = self.placed.get(key)
        if placed is None:
            if len(self.placed) >= self.LIMIT:
                self.placed.clear()
            placed = self.placed[key] = self._place(text, left)
        return placed

    def advance(self, text: str) -> float:
        """How wide ``text`` is in the node font (Qt's horizontalAdvance)."""
        try:
            return sum(map(self.advances.__getitem__, text))
        except KeyError:  # a character not checked (or a font that kerns them): Qt measures
            return self.view.node_metrics.horizontalAdvance(text)

    def _place(self, text: str, left: float) -> tuple[QFont, QPointF]:
        if self._node is None:  # asked once the view has its node sizes
            r, m = self.view.node_rect, self.view.node_metrics
            self._node = (r.width(), r.height(), (r.height() - m.ascent() - m.descent()) / 2 + m.ascent())
        width, height, baseline = self._node
        w, advance = width - left, self.advance(text)
        if advance <= w - 6:
            return self.view.node_font, QPointF(left + (w - advance) / 2, baseline)
        font = fitting_font(self.view, text, w - 6)
        metrics = QFontMetricsF(font)
        advance = metrics.horizontalAdvance(text)
        baseline = (height - metrics.ascent() - metrics.descent()) / 2 + metrics.ascent()
        return font, QPointF(left + (w - advance) / 2, baseline)


def _additive_advances(metrics: QFontMetricsF, chars: str) -> dict[str, float]:
    """Each character's advance, if every text of ``chars`` is exactly as wide as its characters' advances
    add up to (no pair kerned); else nothing."""
    advances = {c: metrics.horizontalAdvance(c) for c in chars}
    for a in chars:
        for b in chars:
            if metrics.horizontalAdvance(a + b) != advances[a] + advances[b]:
                return {}
    return advances


def text_colour(fill: QColor) -> QColor:
    """White on a dark fill, near-black on a light one (shared colours: do not change them)."""
    return _TEXT_ON_DARK if fill.lightnessF() < 0.45 else _TEXT


class NodeItem(QGraphicsRectItem):
    """One node: it takes the clicks, the hover and the tooltip at its place, and holds what it shows; its
    block's :class:`NodesPainter` paints it (:meth:`paint`). State is set by the view, then ``update()``."""

    def __init__(self, lane: Lane, t: int, view: GraphView, at: tuple[float, float]):
        """The node of ``lane`` at step ``t``, its top left corner at ``at`` (scene units)."""
        super().__init__(view.node_bounds)  # its bounds: Qt asks for them in C++, not through Python
        self.setPen(_NO_PEN)
        self.setFlag(QGraphicsRectItem.GraphicsItemFlag.ItemHasNoContents)  # its block paints it
        self.lane, self.t, self.view, self.at = lane, t, view, at
        self.setPos(*at)
        self.fills: list[QColor] = [FUTURE]  # what is shown now (set by the playhead)
        self.text = ""
        self.mark = ""         # ε under δ in the backward view, when computed
        self.value_fills, self.value_text = self.fills, ""  # the value or δ
        self.eps: tuple[QColor, str] | None = None  # ε of an h node in the backward view
        self.has_value = True  # a target has no δ
        self.future = True
        self.kink = False
        self.on_kink = False
        self.selected = False
        self.current = False
        self.asked = False     # the quiz asks for this node's number
        self.differs = 0       # their arrays differ here (Check my arrays): 1, or 2 at the first disagreement
        self.eps_alone = False  # phase 2: the number is ε (δ not computed yet)
        self.waiting = "?"      # what a node not computed yet says (a watch over δ: "needs δ")
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def look(self) -> tuple:
        """Everything the playhead and the numbers decide about how the node is painted (the selection and
        the quiz's mark are repainted where they move)."""
        return (self.fills, self.text, self.mark, self.future, self.kink, self.current, self.eps_alone,
                self.waiting, self.differs)

    def update(self, *args) -> None:
        """Repaint the node's place (its block's painter paints it; the item itself paints nothing). A
        rectangle of the scene's, not of the painter's: the painter's own would grow to the union of its
        changed nodes, and a few nodes changed far apart would repaint the whole block."""
        self.view.scene().update(self.view.node_bounds.translated(*self.at))

    def paint(self, p: QPainter, option=None, widget=None) -> None:
        """The node, its top left corner at the painter's origin (its block's painter turns antialiasing off
        for all its nodes: crisp small corners, and a third faster)."""
        self.paint_box(p)
        self.paint_over(p)

    def paint_box(self, p: QPainter) -> None:
        """The filled and bordered box (a vector: one cell per component)."""
        r = self.view.node_rect
        if self.future or len(self.fills) == 1:
            draw_box(p, r, None if self.future else self.fills[0], self.border())
        else:
            _fill_cells(p, r, self.fills)
            p.setPen(self.border())
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(r, 5, 5)

    def border(self) -> QPen:
        return _ASKED_PEN if self.asked else (
            _SELECTED_PEN if self.selected else (_CURRENT_PEN if self.current else self.view.border_pen))

    def paint_over(self, p: QPainter) -> None:
        """What lies over the box: the number, the kink's corner, the outline where their arrays differ."""
        r = self.view.node_rect
        self._paint_text(p, r)
        if self.kink:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(_KINK_BRUSH)
            w, k = r.width(), r.height() * 0.36
            p.drawPolygon(QPolygonF([QPointF(w - k, 0), QPointF(w, 0), QPointF(w, k)]))
        if self.differs:
            _paint_differs(p, r, self.differs)

    def _paint_text(self, p: QPainter, r: QRectF) -> None:
        """The number (shrunk only if it would not fit); ε under it, or a small ε before it in phase 2."""
        view, future = self.view, self.future
        text = self.waiting if future else self.text
        fill = _NOT_COMPUTED if future or len(self.fills) != 1 else self.fills[0]
        p.setPen(_TEXT_PENS[id(_TEXT_DIM if future else text_colour(fill))])
        left = 0.0
        if (self.eps_alone or self.mark) and not future:
            w, h = r.width(), r.height()
            if self.eps_alone:  # the ε in the corner, the number beside it
                p.setFont(view.mark_font)
                p.drawText(QRectF(3, 1, w, h), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, "ε")
                left = view.mark_font.pixelSize() * 0.6
                w -= left
            if self.mark:
                p.setFont(fitting_font(view, text, w - 6))
                p.drawText(QRectF(0, 1, w, h * 0.62), Qt.AlignmentFlag.AlignCenter, text)
                p.setFont(view.mark_font)
                p.drawText(QRectF(0, h * 0.52, w, h * 0.48), Qt.AlignmentFlag.AlignCenter, self.mark)
                return
        if text:
            font, origin = view.number_layouts.centred(text, left)
            p.setFont(font)
            p.drawText(origin, text)  # at a point: half the time of a centred drawText into a rectangle

    def mousePressEvent(self, event) -> None:
        self.view.node_clicked(self)
        event.accept()

    def sceneEvent(self, event) -> bool:
        if event.type() == QEvent.Type.GraphicsSceneHelp:  # tooltips are made when asked for
            QToolTip.showText(event.screenPos(), self.view.node_tooltip(self))
            return True
        return super().sceneEvent(event)


REGION_RECTS = 50  # more changed nodes than this repaint as the rectangle around them, as QGraphicsView does


def repaint_nodes(view: GraphView, items: list[NodeItem]) -> None:
    """Repaint the places of these nodes: each on its own when they are few, else the rectangle around them
    all. Clipping every stroke to a region of many rectangles costs more than painting what lies between
    (measured on an edit: the calculator's 31 changed places 1.4 ms as a region, 2.2 as their rectangle;
    about 130 places of two layers of H = 16, 6.0 as a region, 5.5 as their rectangle)."""
    if len(items) < REGION_RECTS:
        for item in items:
            item.update()
    else:
        xs, ys = [item.at[0] for item in items], [item.at[1] for item in items]
        b = view.node_bounds
        view.scene().update(QRectF(min(xs) + b.left(), min(ys) + b.top(), max(xs) - min(xs) + b.width(),
                                   max(ys) - min(ys) + b.height()))


class NodesPainter(QGraphicsItem):
    """Paints a block's nodes, all in one paint() call: one call per node item would cost Qt and Python
    about as much again as the painting. Clicks and hovers pass through it to the nodes' items."""

    def __init__(self, rect: QRectF, nodes: list[NodeItem]):
        """``nodes``: the block's nodes (the list fills as the block is made); ``rect`` holds them."""
        super().__init__()
        self.rect, self.nodes = rect, nodes
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)  # option.exposedRect
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def boundingRect(self) -> QRectF:
        return self.rect

    def shape(self) -> QPainterPath:
        """Nothing to hit: ``itemAt`` and the clicks find the node or edge under the pointer."""
        return _NO_SHAPE

    def paint(self, p: QPainter, option, widget=None) -> None:
        """The nodes whose bounds meet what is repainted, each at its place, in the order they were made."""
        if not self.nodes:
            return
        view = self.nodes[0].view
        exposed, bounds = option.exposedRect, view.node_bounds
        left, top = exposed.left() - bounds.right(), exposed.top() - bounds.bottom()
        right, bottom = exposed.right() - bounds.left(), exposed.bottom() - bounds.top()
        to_device = p.worldTransform()
        meets = _meets(view.repainted, to_device, bounds)
        antialiased = p.testRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        todo = [item for item in self.nodes if left <= item.at[0] <= right and top <= item.at[1] <= bottom
                and (meets is None or meets(*item.at))]
        sprites = None if widget is None else view.sprites.at(to_device, p.device().devicePixelRatioF())
        if sprites is not None:  # on screen: the boxes blitted first, then what lies over each
            _blit_boxes(p, sprites, todo, to_device)
        paint = NodeItem.paint if sprites is None else NodeItem.paint_over  # onto an export's device: shapes
        for item in todo:
            x, y = item.at
            p.translate(x, y)
            paint(item, p)
            p.translate(-x, -y)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, antialiased)  # the view saves no painter state


def _blit_boxes(p: QPainter, sprites: BoxSprites, items: list[NodeItem], to_device: QTransform) -> None:
    """The nodes' boxes as pictures, in device pixels (a vector node's cells drawn as shapes)."""
    sx, sy, dx, dy = to_device.m11(), to_device.m22(), to_device.dx(), to_device.dy()
    mx, my = sprites.margin
    p.setWorldTransform(_IDENTITY)
    for item in items:
        x, y = item.at
        if item.future or len(item.fills) == 1:
            picture = sprites.picture(None if item.future else item.fills[0], item.border())
            p.drawPixmap(round(sx * x + dx) - mx, round(sy * y + dy) - my, picture)
        else:
            p.setWorldTransform(to_device)
            p.translate(x, y)
            item.paint_box(p)
            p.setWorldTransform(_IDENTITY)
    p.setWorldTransform(to_device)


_IDENTITY = QTransform()


def _meets(region: QRegion | None, to_device: QTransform, bounds: QRectF) -> Callable[[float, float], bool] | None:
    """Whether a node at (x, y) meets ``region`` (device pixels), or None when its bounding rectangle is
    all there is to know (one rectangle, or a paint outside the view's, such as an export). Qt repaints
    the few nodes an edit changed as a region of many small rectangles: the nodes between them, inside the
    exposed rectangle but outside the region, need no painting."""
    if region is None or region.rectCount() <= 1:
        return None
    sx, sy, dx, dy = to_device.m11(), to_device.m22(), to_device.dx(), to_device.dy()
    x0, y0 = sx * bounds.left() + dx - 1, sy * bounds.top() + dy - 1
    w, h = math.ceil(sx * bounds.width()) + 2, math.ceil(sy * bounds.height()) + 2
    return lambda x, y: region.intersects(QRect(int(sx * x + x0), int(sy * y + y0), w, h))


_NO_SHAPE = QPainterPath()


def _paint_differs(p: QPainter, r: QRectF, differs: int) -> None:
    """Their value differs here: an outline just outside the node's border (and the selection's, 2 px
    out), thicker at the first disagreement, which also gets a badge in its top left corner."""
    pen = _DIFFERS_PENS[differs]
    out = 2 + pen.widthF() / 2
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(r.adjusted(-out, -out, out, out), 6, 6)
    if differs == 2:
        k = r.height() * 0.45
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(_DIFFERS_BADGE)
        p.drawPolygon(QPolygonF([QPointF(0, 0), QPointF(k, 0), QPointF(0, k)]))


def draw_box(p: QPainter, r: QRectF, fill: QColor | None, border: QPen) -> None:
    """A node's rounded box filled with ``fill`` (None: not computed yet, hatched), fill and border in one call."""
    p.setPen(border)
    p.setBrush(_FUTURE_BRUSH if fill is None else fill)
    p.drawRoundedRect(r, 5, 5)
    if fill is None:
        p.setBrush(_HATCH_BRUSH)
        p.drawRoundedRect(r, 5, 5)


def _fill_cells(p: QPainter, r: QRectF, fills: list[QColor]) -> None:
    """One cell per component across ``r`` (a single colour fills it)."""
    w = r.width() / len(fills)
    for n, c in enumerate(fills):
        p.fillRect(QRectF(r.left() + n * w, r.top(), w + 0.5, r.height()), c)


class EdgeItem(QGraphicsPathItem):
    def __init__(self, edge: Edge, t: int, src: QPointF, dst: QPointF, view: GraphView):
        """The edge from the node whose top left corner is ``src`` to the one at ``dst`` (scene units)."""
        super().__init__()
        self.edge, self.t, self.view = edge, t, view
        self.setPath(_edge_path(view.node_rect, src, dst))
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
            QToolTip.showText(event.screenPos(), self.view.edge_styles.tooltip(self))
            return True
        return super().sceneEvent(event)

    def shape(self) -> QPainterPath:  # a wider band than the thin line, so edges can be clicked
        stroker = QPainterPathStroker()
        stroker.setWidth(8)
        return stroker.createStroke(self.path())


def _edge_path(node: QRectF, src: QPointF, dst: QPointF) -> QPainterPath:
    a, b = node.translated(src), node.translated(dst)
    path = QPainterPath()
    if abs(a.center().y() - b.center().y()) < 1:  # same row: side to side
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
