"""Node boxes as pictures: each look of a box (its fill and border) rasterised once per zoom into a pixmap of
device pixels, then blitted at every node that has it. Qt's raster engine takes about 4 µs to fill and stroke
a small rounded rectangle (8 µs with the pen and brush set around it) and 1.5 µs to blit one; a graph on
screen has a few dozen looks for hundreds of nodes (about 0.5 ms of a full repaint of 256 nodes saved)."""
from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap, QTransform

_SCALE = QTransform.TransformationType.TxScale.value


class BoxSprites:
    """The pictures of a node's box (``rect``, whose bounds reach ``pad`` beyond it) at one scale of the view;
    ``draw_box(painter, rect, fill, border)`` draws a look (``fill`` None: not computed yet)."""

    LIMIT = 1024  # looks kept (a new theme or pen adds some); then started afresh

    def __init__(self, rect: QRectF, pad: float, draw_box: Callable[[QPainter, QRectF, QColor | None, QPen], None]):
        self.rect, self.pad, self.draw_box = rect, pad, draw_box
        self.scale: tuple[float, float, float] | None = None
        self.margin = (0, 0)  # device pixels from a picture's top left corner to the node's
        self.pictures: dict[tuple[int, int], tuple[QColor | None, QPen, QPixmap]] = {}

    def at(self, to_device: QTransform, ratio: float) -> BoxSprites | None:
        """Ready for the painter's transform (scene → device) and device pixel ratio, or None when it is more
        than a scale and a shift (a rotated or sheared picture is drawn as shapes)."""
        if to_device.type().value > _SCALE or to_device.m11() <= 0 or to_device.m22() <= 0:
            return None
        scale = (to_device.m11(), to_device.m22(), ratio)
        if scale != self.scale:
            self.scale, self.pictures = scale, {}
            self.margin = (math.ceil(self.pad * scale[0]), math.ceil(self.pad * scale[1]))
        return self

    def picture(self, fill: QColor | None, border: QPen) -> QPixmap:
        """The box with this fill and border (shared QColor and QPen objects: they are told apart by identity,
        and kept alive with their picture so that an identity is not reused)."""
        made = self.pictures.get((id(fill), id(border)))
        if made is None:
            if len(self.pictures) >= self.LIMIT:
                self.pictures.clear()
            made = self.pictures[(id(fill), id(border))] = (fill, border, self._rasterise(fill, border))
        return made[2]

    def _rasterise(self, fill: QColor | None, border: QPen) -> QPixmap:
        sx, sy, ratio = self.scale
        mx, my = self.margin
        r = self.rect
        picture = QPixmap(math.ceil((r.width() * sx + 2 * mx) * ratio), math.ceil((r.height() * sy + 2 * my) * ratio))
        picture.setDevicePixelRatio(ratio)
        picture.fill(Qt.GlobalColor.transparent)
        p = QPainter(picture)
        p.translate(mx, my)
        p.scale(sx, sy)
        self.draw_box(p, r, fill, border)
        p.end()
        return picture
