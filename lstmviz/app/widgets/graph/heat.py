"""The graph far out: every lane as one row of coloured cells, painted from an image per row.

Too small to read, a node is only its colour, so the strip needs no item per node: each row of lanes is a
QImage one pixel high (a few pixels per step) stretched over the row, and ``paint`` draws only the steps
in the exposed rectangle. In a layout with pre-activations beside their values, a step's column is five
pixels: two for the pre-activation, three for the value (their cells' 76 : 108 widths, near enough);
when a step is narrower on screen than that, only the values are drawn (one pixel a step), so that
sampling the image does not mix pre-activations into the values. Each row's band is centred on its lane
(where its name stands in the margin), ``ROW_GAP`` scene units apart from the next; the view stretches
the rows down to fill its height (:meth:`.Navigator.fill_height`). Each layer's title stands in the gap
above its rows at the viewport's left edge, as large as the gap allows and never under ``MIN_TITLE_PX`` —
also at the level of coloured nodes without text, where the scene's own titles would be too small."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from ... import style
from ...model.graph_layout import PAD, layer_title

if TYPE_CHECKING:
    from .view import GraphView

PRE_PX, VALUE_PX = 2, 3  # pixels of a pre-activation's and a value's cell per step (two-slot layout)
ROW_GAP = 6  # scene units between two rows' bands
MIN_TITLE_PX = 9  # a layer's title is left out where the gap above its rows has no room for this size


class HeatStrip(QGraphicsItem):
    """All lanes' cells; shown instead of the nodes and edges when numbers would be too small to read."""

    def __init__(self, view: GraphView):
        super().__init__()
        self.view = view
        self.rows: list[tuple[int, Row, Row]] = []  # (layout row, every cell, the values only)
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
        self.rows = [(row, _row_image(slots, two_slots), _row_image({1: slots[1]}, False))
                     for row, slots in sorted(by_row.items())]
        self.update()

    def band(self, row: int) -> tuple[float, float]:
        """Scene top and height of a layout row's band of cells."""
        layout = self.view.layout
        height = layout.g.row_h - ROW_GAP
        return layout.row_centre(row) - height / 2, height

    def paint(self, p: QPainter, option, widget=None) -> None:
        """Far out the rows, the selection and the layer titles; at the level of nodes without text (the
        strip then under the nodes) only the layer titles."""
        v = self.view
        if v.heat:
            self._paint_rows(p, option.exposedRect)
            self._paint_selection(p)
        self._paint_layer_titles(p)

    def _paint_rows(self, p: QPainter, exposed: QRectF) -> None:
        v = self.view
        layout = v.layout
        first = max(1, math.floor((exposed.left() - PAD) / layout.column_w) + 1)
        last = min(layout.steps, math.ceil((exposed.right() - PAD) / layout.column_w))
        if last < first:
            return
        step_px = layout.column_w * v.transform().m11()
        target_x, target_w = layout.column_left(first), (last - first + 1) * layout.column_w
        for row, cells, values in self.rows:
            image, per_step = cells if step_px >= cells[1] else values
            y, height = self.band(row)
            if y + height >= exposed.top() and y <= exposed.bottom():
                p.drawImage(QRectF(target_x, y, target_w, height), image,
                            QRectF((first - 1) * per_step, 0, (last - first + 1) * per_step, 1))

    def _paint_selection(self, p: QPainter) -> None:
        key = self.view.selected_key
        if key is None or (key[0], key[1]) not in self.view.lane_at:
            return
        layout, lane = self.view.layout, self.view.lane_at[(key[0], key[1])]
        x, _ = layout.node_xy(lane, key[2])
        y, height = self.band(lane.row)
        g = layout.g
        width = g.node_w + (g.column_gap if lane.slot == 1 else g.slot_gap)
        mark = QPen(QColor(style.SELECTION), 3)
        mark.setCosmetic(True)  # three pixels on screen however far out
        p.setPen(mark)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(QRectF(x, y, width, height))

    def _paint_layer_titles(self, p: QPainter) -> None:
        """"layer n · LSTM · H = 64" in the gap above each layer's rows, in viewport pixels (not stretched),
        at the viewport's left edge (the view repaints all of the strip on a scroll, so they stay there)."""
        v = self.view
        layers, to_screen = v.session.document.scenario.model.layers, p.transform()
        p.save()
        p.resetTransform()
        for n, (first, _) in v.model.layer_rows.items():
            top = self.band(first - 1)[0] + self.band(first - 1)[1] if first else 0.0
            gap_top, gap_bottom = (to_screen.map(QPointF(0, y)).y() for y in (top, self.band(first)[0]))
            px = min(v.band_font.pixelSize(), (gap_bottom - gap_top) * 0.8)
            if px < MIN_TITLE_PX:
                continue
            font = QFont(v.band_font)
            font.setPixelSize(int(px))
            p.setFont(font)
            p.setPen(QColor(v.theme["layer_text"]))
            p.drawText(QRectF(4, gap_top, v.viewport().width(), gap_bottom - gap_top),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, layer_title(n, layers[n]))
        p.restore()


Row = tuple[QImage, int]  # a row's cells as an image one pixel high, and its pixels per step


def _row_image(slots: dict[int, np.ndarray], two_slots: bool) -> Row:
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
