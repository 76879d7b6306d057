"""Lane names on the left of the graph and step numbers above it, outside the scene.

They live in the view's margins (and in exported pictures), so fitting the scene never hides a
column under them, and they stay in place while the graph pans. Labels that would collide are left
out: step numbers thin out to every 2nd, 5th, 10th … step, a layer's name gives way to its lanes'.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPalette
from PySide6.QtWidgets import QToolTip, QWidget

from ...model.graph_layout import LaneLabel

if TYPE_CHECKING:
    from .view import GraphView

MIN_LABEL_PX = 9
STRIDES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)


def step_stride(spacing_px: float, text_px: float) -> int:
    """Every how many steps a number fits, when steps are ``spacing_px`` apart on screen."""
    return next((s for s in STRIDES if s * spacing_px >= text_px + 10), STRIDES[-1])


def paint_steps(p: QPainter, rect: QRectF, centres: Iterable[tuple[int, float]], spacing_px: float,
                font: QFont, colour: QColor, last_step: int) -> None:
    """``t = 1`` … centred at each step's x (in ``rect``'s coordinates), thinned out so none collide."""
    metrics = QFontMetricsF(font)
    stride = step_stride(spacing_px, metrics.horizontalAdvance(f"t = {last_step}"))
    p.setFont(font)
    p.setPen(colour)
    last_right = float("-inf")
    for t, x in centres:
        if t != 1 and t % stride:
            continue
        text = f"t = {t}"
        half = metrics.horizontalAdvance(text) / 2 + 4
        if x - half < max(last_right, rect.left() - 4) or x + half > rect.right() + 4:  # no clipped numbers
            continue
        p.drawText(QRectF(x - half, rect.top(), 2 * half, rect.height()), Qt.AlignmentFlag.AlignCenter, text)
        last_right = x + half


def fitted_font(font: QFont, row_px: float) -> QFont:
    """The lane names' font, smaller when the rows are closer than its height (never under 9 px)."""
    px = max(MIN_LABEL_PX, min(font.pixelSize(), row_px * 0.8))
    if px >= font.pixelSize():
        return font
    smaller = QFont(font)
    smaller.setPixelSize(round(px))
    return smaller


def placed_lanes(labels: Iterable[LaneLabel], font: QFont, top: float, bottom: float,
                 to_y: Callable[[float], float]) -> list[tuple[float, LaneLabel]]:
    """The labels that fit between ``top`` and ``bottom``: lanes first, then layers where there is room."""
    h = QFontMetricsF(font).height()
    taken: list[tuple[float, float]] = []
    placed = []
    for label in sorted(labels, key=lambda lb: lb.is_layer):
        y = to_y(label.y)
        span = (y - h / 2, y + h / 2)
        if span[0] < top or span[1] > bottom or any(a < span[1] and span[0] < b for a, b in taken):
            continue
        taken.append(span)
        placed.append((y, label))
    return placed


def paint_lanes(p: QPainter, rect: QRectF, placed: list[tuple[float, LaneLabel]], font: QFont, colour: QColor,
                layer_colour: QColor) -> None:
    h = QFontMetricsF(font).height()
    for y, label in placed:
        p.setFont(font)
        p.setPen(layer_colour if label.is_layer else colour)
        p.drawText(QRectF(rect.left() + 6, y - h / 2, rect.width() - 8, h),
                   Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label.text)


def centres_on_screen(view: GraphView) -> Iterator[tuple[int, float]]:
    """(t, x in viewport pixels) of the steps whose centres are in view (and one more each side)."""
    layout = view.layout
    left = view.mapToScene(0, 0).x()
    right = view.mapToScene(view.viewport().width(), 0).x()
    for t in layout.steps_between(left - layout.column_w, right + layout.column_w):
        yield t, view.mapFromScene(QPointF(layout.step_centre(t), 0)).x()


class StepHeader(QWidget):
    """The strip above the graph's viewport."""

    def __init__(self, view):
        super().__init__(view)
        self.view = view

    def paintEvent(self, event) -> None:
        v = self.view
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(v.theme["background"]))
        paint_steps(p, QRectF(self.rect()), centres_on_screen(v), v.layout.column_w * v.transform().m11(),
                    v.time_font, QColor(v.theme["text"]), v.layout.steps)
        p.end()


class LaneLabels(QWidget):
    """The column left of the graph's viewport; hovering a name explains the lane."""

    def __init__(self, view):
        super().__init__(view)
        self.view = view
        self.placed: list[tuple[float, LaneLabel]] = []
        self.shown_font: QFont | None = None  # the label font, made smaller for closely packed rows

    def paintEvent(self, event) -> None:
        v = self.view
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(v.theme["background"]))
        self.shown_font = fitted_font(v.label_font, v.layout.g.row_h * v.transform().m22())  # rows stretch far out
        self.placed = placed_lanes(v.lane_labels, self.shown_font, 0, self.height(),
                                   lambda y: v.mapFromScene(QPointF(0, y)).y())
        paint_lanes(p, QRectF(self.rect()), self.placed, self.shown_font, QColor(v.theme["text"]),
                    QColor(v.theme["layer_text"]))
        p.end()

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            h = QFontMetricsF(self.shown_font or self.view.label_font).height()
            y = event.pos().y()
            hit = next((label for cy, label in self.placed if abs(cy - y) <= h / 2), None)
            if hit is not None and hit.tooltip:
                QToolTip.showText(event.globalPos(), hit.tooltip, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)


class Margins:
    """The step numbers above the viewport, the lane names left of it, and the blank corner between."""

    def __init__(self, view: GraphView):
        self.view = view
        self.steps, self.lanes = StepHeader(view), LaneLabels(view)
        self.corner = QWidget(view)
        self.corner.setAutoFillBackground(True)
        self.size = (0, 0)

    def set_theme(self, background: str) -> None:
        palette = self.corner.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(background))
        self.corner.setPalette(palette)

    def update_size(self) -> None:
        """As wide as the longest lane name, as tall as the step numbers."""
        v = self.view
        label = QFontMetricsF(v.label_font)
        widest = max((label.horizontalAdvance(lb.text) for lb in v.lane_labels), default=0.0)
        self.size = (math.ceil(widest + 16), math.ceil(QFontMetricsF(v.time_font).height() * 1.7))
        v.setViewportMargins(self.size[0], self.size[1], 0, 0)
        self.place()

    def place(self) -> None:
        vp, (left, top) = self.view.viewport().geometry(), self.size
        self.steps.setGeometry(vp.left(), vp.top() - top, vp.width(), top)
        self.lanes.setGeometry(vp.left() - left, vp.top(), left, vp.height())
        self.corner.setGeometry(vp.left() - left, vp.top() - top, left, top)
        self.repaint()

    def repaint(self) -> None:
        self.steps.update()
        self.lanes.update()
