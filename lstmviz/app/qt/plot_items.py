"""pyqtgraph items that draw what pyqtgraph's draw, with less work per change and per repaint: a bounding rect
and pixel size kept between changes (:class:`KeptRect`, :class:`Axis`), markers blitted in one call
(:class:`Markers`), curves that take finite points without pyqtgraph's checks (:class:`CurveItem`). Qt asks an
item for its bounding rect several times per change and per repaint, and pyqtgraph's items work theirs out in
Python each time: with the paint's own overhead, a large share of the plots panel's cost of an edit. The
pictures are pyqtgraph's pixel for pixel (an SVG of a widget gets the same calls); pyqtgraph's exporters
(export mode) take pyqtgraph's own paint."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6.QtCore import QRectF, Signal
from PySide6.QtGui import QPainter, QPen

from .. import style


class KeptRect:
    """Mixed in before a pyqtgraph item whose bounding rect Qt asks for several times in each repaint while
    pyqtgraph works it out every time (mapping the item's pixel padding into the view): kept until the item
    or the view changes. So is the size of a screen pixel in the item's coordinates (pyqtgraph's
    pixelVectors, asked for each time the rect is worked out: after every change of the points), until the
    view's scale changes (pixelVectors leaves the translation out)."""

    _rect: QRectF | None = None
    _pixel: tuple | None = None

    def boundingRect(self) -> QRectF:
        if self._rect is None:
            self._rect = super().boundingRect()
        return self._rect

    def prepareGeometryChange(self) -> None:
        super().prepareGeometryChange()  # Qt reads the old rect here
        self._rect = None

    def pixelVectors(self, direction=None) -> tuple:
        if direction is not None:
            return super().pixelVectors(direction)
        if self._pixel is None:
            pixel = super().pixelVectors()
            if pixel[0] is None:  # not on screen yet
                return pixel
            self._pixel = pixel
        return self._pixel

    def viewTransformChanged(self) -> None:
        self._rect = self._pixel = None
        super().viewTransformChanged()


class Axis(pg.AxisItem):
    """An axis whose bounding rect is worked out once per geometry: its ticks reach into the plot beside it,
    so Qt asks for it several times in each repaint of that plot, and pyqtgraph maps it from the parent and
    adds the tick and label margins every time (its style and grid are left as they are made)."""

    _kept: tuple = (None, None)  # (geometry, bounding rect)

    def boundingRect(self) -> QRectF:
        geometry = self.geometry()
        if geometry != self._kept[0]:
            self._kept = (geometry, super().boundingRect())
        return self._kept[1]


class Bars(KeptRect, pg.BarGraphItem):
    """Bars with a kept bounding rect (the plots' loss per step)."""


class Markers(KeptRect, pg.ScatterPlotItem):
    """A curve's markers, whose on-screen paint is one blit of their pictures (see :meth:`paint`)."""

    _blit: tuple | None = None  # (fragments as (n, 10), drawPixmapFragments' first arguments), made by paint

    def updateSpots(self, dataSet=None) -> None:
        """(pyqtgraph looks up the markers' pictures in its atlas here, and only here.)"""
        self._blit = None
        super().updateSpots(dataSet)

    def paint(self, p, option, widget=None) -> None:
        """pyqtgraph's on-screen paint without its per-paint overhead (culling the points against the view,
        which clips them anyway, and a dozen small NumPy and wrapper calls): each point (x, y) is mapped to
        the device, (x, y)·[[m11, m12], [m21, m22]] + (dx, dy), and its picture in the symbol atlas is drawn
        centred there, all in one drawPixmapFragments whose other columns (which picture, its scale) are
        written when the pictures change. Exports, hidden points or a new pixel ratio (the atlas is
        redrawn), markers sized in the view's units rather than pixels take pyqtgraph's paint."""
        data, atlas = self.data, self.fragmentAtlas
        opts = self.opts
        if (self._exportOpts is not False or widget is None or opts["compositionMode"] is not None
                or opts["pxMode"] is not True or not opts["useCache"]
                or widget.devicePixelRatioF() != atlas.devicePixelRatio() or not data["visible"].all()):
            super().paint(p, option, widget)
            return
        if not len(data):
            return
        if self._blit is None or len(self._blit[0]) != len(data):
            self._blit = self._fragments()
        a, args = self._blit
        m = p.transform()
        x, y = data["x"], data["y"]
        a[:, 0] = x * m.m11() + y * m.m21() + m.dx()
        a[:, 1] = x * m.m12() + y * m.m22() + m.dy()
        np.clip(a[:, :2], -2.0 ** 30, 2.0 ** 30, out=a[:, :2])  # (as pyqtgraph: far-off points crash Qt)
        p.resetTransform()
        p.drawPixmapFragments(*args, atlas.pixmap)

    def _fragments(self) -> tuple:
        """The pixmap fragments' array, (n, 10): x, y (per paint), the picture's source rect x, y, w, h in the
        atlas, scale x, y (1 / pixel ratio), rotation, opacity."""
        frags = PrimitiveArray(QPainter.PixmapFragment, 10)  # (pyqtgraph's paint has its own)
        frags.resize(len(self.data))
        a = frags.ndarray()
        a[:, 2:6] = np.frombuffer(self.data["sourceRect"].copy(), dtype=int).reshape(-1, 4)
        a[:, 6:] = (1 / self.fragmentAtlas.devicePixelRatio(), 1 / self.fragmentAtlas.devicePixelRatio(), 0.0, 1.0)
        return a, frags.drawargs()


class CurveItem(KeptRect, pg.PlotCurveItem):
    """A curve and its markers (a child ScatterPlotItem, styled once): PlotDataItem's look without its
    per-update work (its setData re-runs the bounds, finite checks, downsampling and the markers' styles:
    ~0.3 ms a curve, against ~0.01 ms here with the markers moved in place). The points it is given must be
    finite (the plots panel leaves the others out), so the curve skips its own finite checks. Clicking a marker
    emits :attr:`sigPointsClicked` as PlotDataItem's does."""

    sigPointsClicked = Signal(object, object, object)  # (this item, the points clicked, the mouse event)
    _extent: tuple | None = None  # the points' ((t min, t max), (y min, y max)), or None: pyqtgraph's bounds

    def __init__(self, pen: QPen, symbol: str | None = None, size: float = 0, brush: str | None = None):
        super().__init__(pen=pen, antialias=False, skipFiniteCheck=True)
        self.scatter = Markers(symbol=symbol or "o", size=size, brush=brush, pen=style.PLOT_ZERO)
        self.scatter.setParentItem(self)  # drawn over the line; its rim is the zero line's light grey
        self.scatter.setVisible(False)
        self.scatter.sigClicked.connect(lambda _scatter, points, ev: self.sigPointsClicked.emit(self, points, ev))

    def paint(self, p, option, widget=None) -> None:
        """PlotCurveItem's paint for what these curves are (one pen; no fill, shadow or OpenGL) without its
        checks of each of those: the line through the points, as segments when pyqtgraph would draw it so
        (a solid pen wider than 1 px). Exports take pyqtgraph's paint (they may antialias)."""
        if self._exportOpts is not False:
            super().paint(p, option, widget)
            return
        if self.xData is None or not len(self.xData):
            return
        pen = self.opts["pen"]
        p.setRenderHint(p.RenderHint.Antialiasing, False)
        p.setPen(pen)
        if self._shouldUseDrawLineSegments(pen):
            p.drawLines(*self._getLineSegments())
        else:
            p.drawPath(self.getPath())

    def set_points(self, t: np.ndarray, y: np.ndarray, markers: bool) -> None:
        """PlotCurveItem.setData(t, y) for two 1-D float arrays of one length, without its argument handling
        and checks: the new points, with the bounds, path and line segments to be worked out again; and the
        markers moved to them if ``markers``."""
        self.xData, self.yData = t, y
        self.invalidateBounds()
        self._extent = ((float(t.min()), float(t.max())), (float(y.min()), float(y.max()))) if len(t) else None
        self.prepareGeometryChange()
        self.informViewBoundsChanged()
        self.path = self.fillPath = self._fillPathList = self._mouseShape = None
        self._lineSegmentsRendered = False
        self.update()  # (setData also emits sigPlotChanged, for a FillBetweenItem: none here)
        if markers:
            self._move_markers(t, y)

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None) -> tuple:
        """The points' least and greatest t (ax 0) or y (ax 1), found once per set of points: pyqtgraph's
        looks for NaN and ±inf under a warnings filter each time Qt asks for the curve's bounding rect,
        while these points are finite (their pens are cosmetic, so no pen width is added either)."""
        if self._extent is None or frac != 1.0 or orthoRange is not None:
            return super().dataBounds(ax, frac, orthoRange)
        return self._extent[ax]

    def _move_markers(self, t: np.ndarray, y: np.ndarray) -> None:
        """The markers at the points (t, y): moved in place when there are as many as before (setData would
        look up each marker's picture again, a Python loop over the points), else set anew."""
        xs, ys = self.scatter.getData()  # views of the scatter's records
        if len(xs) != len(t) or not len(t):
            self.scatter.setData(x=t, y=y)
            return
        self.scatter.prepareGeometryChange()
        xs[:], ys[:] = t, y
        w = self.scatter._maxSpotWidth * 0.7072  # (as ScatterPlotItem.dataBounds: 0 for markers sized in px)
        self.scatter.bounds = [(lo - w, hi + w) for lo, hi in self._extent]  # its kept data bounds, found above
        self.scatter.informViewBoundsChanged()
        self.scatter.invalidate()
