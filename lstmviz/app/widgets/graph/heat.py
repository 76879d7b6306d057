"""The graph far out: every lane as one row of coloured cells, painted from an image per row.

Too small to read, a node is only its colour, so the strip needs no item per node: each row of lanes is a
QImage one pixel high (a few pixels per step) stretched over the row, and ``paint`` draws only the steps
in the exposed rectangle. In a layout with pre-activations beside their values, a step's column is five
pixels: two for the pre-activation, three for the value (their cells' 76 : 108 widths, near enough)."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from ... import style
from ...model.graph_layout import PAD

if TYPE_CHECKING:
    from .view import GraphView

PRE_PX, VALUE_PX = 2, 3  # pixels of a pre-activation's and a value's cell per step (two-slot layout)


class HeatStrip(QGraphicsItem):
    """All lanes' cells; shown instead of the nodes and edges when numbers would be too small to read."""

    def __init__(self, view: GraphView):
        super().__init__()
        self.view = view
        self.rows: list[tuple[float, QImage, int]] = []  # (scene y, image, pixels per step)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
        self.setZValue(-1)

    def boundingRect(self) -> QRectF:
        layout = self.view.layout
        return QRectF(0, 0, layout.width, layout.height)

    def refresh(self, pixels: dict[tuple[int | None, str], np.ndarray]) -> None:
        """New colours: ``pixels`` maps each lane to its (T, n) ARGB cells (:meth:`.LaneColours.pixels`)."""
        v = self.view
        two_slots = v.model.slots == 2
        by_row: dict[int, dict[int, np.ndarray]] = {}
        for lane in v.model.lanes:
            by_row.setdefault(lane.row, {})[lane.slot] = pixels[(lane.layer, lane.var)]
        self.rows = [(v.layout.row_y[row], *_row_image(slots, two_slots)) for row, slots in sorted(by_row.items())]
        self.update()

    def paint(self, p: QPainter, option, widget=None) -> None:
        v = self.view
        layout, exposed = v.layout, option.exposedRect
        first = max(1, math.floor((exposed.left() - PAD) / layout.column_w) + 1)
        last = min(layout.steps, math.ceil((exposed.right() - PAD) / layout.column_w))
        if last < first:
            return
        height = layout.g.row_h - 1
        target_x, target_w = layout.column_left(first), (last - first + 1) * layout.column_w
        for y, image, per_step in self.rows:
            if y + height >= exposed.top() and y <= exposed.bottom():
                p.drawImage(QRectF(target_x, y, target_w, height), image,
                            QRectF((first - 1) * per_step, 0, (last - first + 1) * per_step, 1))
        self._paint_selection(p, height)

    def _paint_selection(self, p: QPainter, height: float) -> None:
        key = self.view.selected_key
        if key is None or (key[0], key[1]) not in self.view.lane_at:
            return
        layout, lane = self.view.layout, self.view.lane_at[(key[0], key[1])]
        x, y = layout.node_xy(lane, key[2])
        g = layout.g
        width = g.node_w + (g.column_gap if lane.slot == 1 else g.slot_gap)
        mark = QPen(QColor(style.SELECTION), 3)
        mark.setCosmetic(True)  # three pixels on screen however far out
        p.setPen(mark)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(QRectF(x, y, width, height))


def _row_image(slots: dict[int, np.ndarray], two_slots: bool) -> tuple[QImage, int]:
    """One row's cells as a 1-pixel-high image, and how many pixels a step takes in it."""
    value = slots[1]
    T, n = value.shape
    if two_slots:
        per_step = (PRE_PX + VALUE_PX) * n
        row = np.zeros((T, per_step), np.uint32)  # transparent where a row has no pre-activation
        if 0 in slots:
            row[:, :PRE_PX * n] = slots[0][:, :1]
        row[:, PRE_PX * n:] = np.repeat(value, VALUE_PX, axis=1)
    else:
        per_step, row = n, value
    row = np.ascontiguousarray(row.reshape(1, -1))
    image = QImage(row.data, row.shape[1], 1, row.shape[1] * 4, QImage.Format.Format_ARGB32_Premultiplied)
    return image.copy(), per_step  # the copy owns its pixels
