"""Plots under the graph: the selected variable and its δ over time, the loss per step and per
epoch, and an all-units heat strip. Clicking a point selects that step's node."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsItem

from .. import style
from ..model.graph_model import watch_index
from ..model.phases import each_step
from ..model.quantities import NodeRef
from ..model.session import Session
from ..qt.binding import LazyPanel, observe
from ..qt.plot_items import Axis, Bars, CurveItem

PLOT_LIMIT = 1e100  # larger or non-finite values (an overflowing RNN) are left out of the plots
EMPTY = np.zeros(0)
SHRINK = 0.4  # a plot's axis shrinks when the data span less than this share of it
CACHED = QGraphicsItem.CacheMode.DeviceCoordinateCache  # a still item's look, kept as a picture (see paintEvent)
MAX_MARKERS = 200  # a longer curve is drawn without markers and with a 1 px pen (either costs most of its repaint)


class Curve:
    """A curve that is handed new points only when they changed. While it has at most :data:`MAX_MARKERS`
    points it has a marker at each (if it has markers at all) and its own pen; longer, no markers and the
    same pen 1 px wide (Qt draws a wider or dashed line through its stroker: 20–80× the time at T = 2,000)."""

    def __init__(self, plot: pg.PlotItem, pen: QPen, symbol: str | None = None, size: float = 0,
                 brush: str | None = None, still: bool = False):
        self.item = CurveItem(pen, symbol, size, brush)
        if still:  # (a snapshot's) drawn once and blitted when the curves over it change: a dashed line is slow
            self.item.setCacheMode(CACHED)
        plot.addItem(self.item)
        self.pen, self.marked = pen, symbol is not None
        self.thin = QPen(pen)
        self.thin.setWidthF(min(1.0, pen.widthF()))
        self.detail: bool | None = None  # whether the points are few enough for markers
        self.shown: tuple[np.ndarray, np.ndarray] | None = None

    def set(self, t: np.ndarray, y: np.ndarray) -> None:
        t, y = plottable(np.asarray(t, float), np.asarray(y, float))
        if self.shown is not None and np.array_equal(self.shown[0], t) and np.array_equal(self.shown[1], y):
            return
        self.shown = (t, y)
        self._set_detail(len(t) <= MAX_MARKERS)
        self.item.set_points(t, y, markers=self.detail and self.marked)

    def _set_detail(self, detail: bool) -> None:
        """Markers and the curve's own pen, or neither (restyled only when this changes)."""
        if detail == self.detail:
            return
        self.detail = detail
        self.item.setPen(self.pen if detail else self.thin)
        self.item.scatter.setVisible(detail and self.marked)
        if not detail:
            self.item.scatter.clear()

    def clear(self) -> None:
        self.set(EMPTY, EMPTY)

    @property
    def values(self) -> np.ndarray:
        return EMPTY if self.shown is None else self.shown[1]


class SteadyPlot:
    """A plot whose axes move only when the data leave them or shrink to a small part of them (leaving,
    the axes grow over the old range and the data, so that going back and forth between two edits keeps
    them; all zero, they stay, as the zero line is in any range): re-laying out the axes is the slow part
    of a refresh, and a steady scale is easier to read."""

    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        self.title: str | None = None
        self.y_range: tuple[float, float] | None = None
        self.steps: int | None = None

    def set_title(self, text: str) -> None:
        if text != self.title:  # a new title re-lays out the plot and repaints its axes
            self.title = text
            self.plot.setTitle(text)

    def fit(self, T: int, series: list[np.ndarray]) -> None:
        values = np.concatenate([np.ravel(v) for v in series] + [np.zeros(1)])
        values = values[np.isfinite(values) & (np.abs(values) < PLOT_LIMIT)]  # what a curve can draw
        lo, hi = float(values.min()), float(values.max())
        old = self.y_range
        if old is None or lo < old[0] or hi > old[1] or 0 < hi - lo < SHRINK * (old[1] - old[0]):
            pad = 0.15 * (hi - lo or 1.0)  # some headroom, so that small edits keep the axes as they are
            new = (lo - pad, hi + pad)
            if old is not None and (hi - lo) >= SHRINK * (max(old[1], new[1]) - min(old[0], new[0])):
                new = (min(old[0], new[0]), max(old[1], new[1]))  # grown over both: an edit and its undo
            self.y_range = new                                    # keep the axes
            self.plot.setYRange(*new, padding=0)
        if self.steps != T:
            self.steps = T
            self.plot.setXRange(0.5, T + 0.5, padding=0)


class PlotsPanel(LazyPanel, pg.GraphicsLayoutWidget):
    """Refreshes only while on screen (a tab in front of it, a collapsed dock: it catches up when shown)."""

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.setBackground(style.PLOT_BACKGROUND)
        self.value_plot = self._plot(0, 0, "value")
        self.delta_plot = self._plot(0, 1, "δ and ε")
        self.loss_plot = self._plot(0, 2, "loss per step E[t]")
        self.epoch_plot = self._plot(0, 3, "loss per epoch")
        self.epoch_plot.plot.setLabel("bottom", "epoch")
        self.value_curve = self._curve(self.value_plot, style.PLOT_VALUE)
        self.delta_curve = self._curve(self.delta_plot, style.PLOT_DELTA)
        self.eps_curve = Curve(self.delta_plot.plot, pg.mkPen(style.PLOT_EPS, width=1.5, style=Qt.PenStyle.DashLine),
                               "t", 8, style.PLOT_EPS)
        self.loss_bars = Bars(x=[], height=[], width=0.6, brush=style.PLOT_LOSS)
        self.loss_plot.plot.addItem(self.loss_bars)
        self.loss_values = EMPTY
        dashed = pg.mkPen(style.PLOT_PINNED, width=2, style=Qt.PenStyle.DashLine)
        self.value_pinned = Curve(self.value_plot.plot, dashed, still=True)  # the compared one
        self.pinned_lane: tuple = (None, None)  # (snapshot, lane) the dashed curves show
        self.delta_pinned = Curve(self.delta_plot.plot, dashed, still=True)
        self.epoch_curve = Curve(self.epoch_plot.plot, pg.mkPen(style.PLOT_EPOCHS, width=2), "o", 6, style.PLOT_EPOCHS)
        self.cursors = []
        for plot in (self.value_plot, self.delta_plot, self.loss_plot):
            line = pg.InfiniteLine(angle=90, pen=pg.mkPen(style.SELECTION, width=2))
            plot.plot.addItem(line)
            self.cursors.append(line)
        self._heat_strip()
        for curve in (self.value_curve, self.delta_curve, self.eps_curve):
            curve.item.sigPointsClicked.connect(self._on_point_clicked)
        doc, view = session.document, session.view
        observe(self, *((signal, self.refresh) for signal in (
            doc.trace_changed, session.playback.playhead_changed, view.selection_changed, view.view_changed,
            doc.structure_changed, session.playback.epochs_changed, session.comparison.changed)),
            (doc.watches_changed, self._on_watches_change))
        self.refresh()

    def paintEvent(self, event) -> None:
        """Still items (the axes, the compared curves) are blitted from their caches onto the screen or an
        image; onto a vector device (an SVG export renders the panel) they are drawn as lines and text."""
        device = self.viewport().redirected(QPoint())
        if device is None or isinstance(device, (QImage, QPixmap)):
            super().paintEvent(event)
            return
        cached = [item for item in self.scene().items() if item.cacheMode() == CACHED]
        for item in cached:
            item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        try:
            super().paintEvent(event)
        finally:
            for item in cached:
                item.setCacheMode(CACHED)

    def _heat_strip(self) -> None:
        self.heat_plot = self.addPlot(row=1, col=0, colspan=4, title="all units")  # laid out only when shown
        self.heat = pg.ImageItem()
        self.heat_plot.addItem(self.heat)
        self.heat_plot.setLabel("bottom", "t")
        self.heat_plot.setLabel("left", "unit")
        self.heat_title = SteadyPlot(self.heat_plot)
        self.colorbar = pg.ColorBarItem(colorMap=pg.ColorMap([p for p, _ in style.DIVERGING],
                                                             [c for _, c in style.DIVERGING]), interactive=False)
        self.colorbar.setImageItem(self.heat, insert_in=self.heat_plot)
        self.show_heat(False)

    def _on_watches_change(self) -> None:
        if watch_index(self.selected_lane().var) is not None:
            self.refresh()

    def _plot(self, row: int, col: int, title: str) -> SteadyPlot:
        plot = self.addPlot(row=row, col=col, title=title, axisItems={side: Axis(side) for side in ("left", "bottom")})
        plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen(style.PLOT_ZERO, width=1)))  # the zero line
        plot.setLabel("bottom", "t")
        plot.setMenuEnabled(False)
        plot.disableAutoRange()  # see SteadyPlot
        for side in ("left", "bottom"):  # their ticks reach into the plot area, so they repaint with every curve
            plot.getAxis(side).setCacheMode(CACHED)  # a blit, not text
        return SteadyPlot(plot)

    def _curve(self, plot: SteadyPlot, colour: str) -> Curve:
        # no antialiasing: antialiased curves cost most of a refresh in the raster engine
        return Curve(plot.plot, pg.mkPen(colour, width=2), "o", 9, colour)

    def show_heat(self, on: bool) -> None:
        shown = self.heat_plot in self.ci.items
        if on and not shown:
            self.addItem(self.heat_plot, row=1, col=0, colspan=4)
        elif not on and shown:
            self.removeItem(self.heat_plot)  # hidden, it would still hold its minimum height
        self.heat_plot.setVisible(on)
        if on:
            self.refresh()  # the strip is drawn only while it is shown

    def selected_lane(self) -> NodeRef:
        view, layers = self.session.view, self.session.document.scenario.model.layers
        if view.selection is not None:
            return view.selection
        top = len(layers) - 1
        return NodeRef(top, "h", 1, view.drawn_unit(top))

    def _update(self) -> None:
        """The curves of the selected node's lane, the losses and the heat strip (:meth:`refresh` calls this
        while the panel is on screen)."""
        s = self.session
        q, ph, T = s.document.quantities, s.playback.playhead, s.document.trace.steps
        node = self.selected_lane()
        t = np.arange(1, T + 1)
        shown = each_step(ph.value_visible, t)
        if watch_index(node.var) is not None:
            self._refresh_watch(watch_index(node.var), t, shown)
            return
        values = _first_component(q.series(node.layer, node.var, node.unit, "value"))
        name = node.label.split("[")[0]
        self.value_plot.set_title(f"{_math(name + '[t]')} (value)")
        self.value_curve.set(t[shown], values[shown])
        dshown = each_step(ph.delta_visible, t)
        deltas = _first_component(q.series(node.layer, node.var, node.unit, "delta"))
        eps = np.asarray(q.series(node.layer, node.var, node.unit, "eps"), float)
        eshown = each_step(ph.eps_visible, t) & np.isfinite(eps)
        self.delta_plot.set_title(_math(f"{q.delta_label(node.var)}[t]") + (" and " + _math("ε[t]") if eshown.any()
                                                                             else ""))
        self.delta_curve.set(t[dshown], deltas[dshown])
        self.eps_curve.set(t[eshown], eps[eshown])
        self._refresh_pinned(node, t)
        self._refresh_bars(*plottable(t[shown], s.document.trace["loss_t"][shown]))
        self.value_plot.fit(T, [self.value_curve.values, self.value_pinned.values])
        self.delta_plot.fit(T, [self.delta_curve.values, self.eps_curve.values, self.delta_pinned.values])
        self.loss_plot.fit(T, [self.loss_values])
        self._refresh_epochs()
        for line in self.cursors:
            line.setVisible(s.view.selection is not None)
            line.setValue(node.t)
        self._refresh_heat(node, shown if s.view.view == "forward" else dshown)

    def _refresh_bars(self, t: np.ndarray, losses: np.ndarray) -> None:
        """The loss per step, redrawn only when it changed."""
        if not (np.array_equal(t, self.loss_bars.opts["x"]) and np.array_equal(losses, self.loss_values)):
            self.loss_values = losses
            self.loss_bars.setOpts(x=t, height=losses, width=0.6)

    def _refresh_epochs(self) -> None:
        losses = np.asarray(self.session.playback.losses, dtype=float)
        self.epoch_curve.set(np.arange(1, len(losses) + 1), losses)
        if self.epoch_plot.plot.isVisible() != (len(losses) > 1):
            self.epoch_plot.plot.setVisible(len(losses) > 1)  # a curve needs two epochs
        if len(losses) > 1:
            self.epoch_plot.fit(len(losses), [losses])

    def _refresh_watch(self, n: int, t: np.ndarray, shown: np.ndarray) -> None:
        """A watch's curve in the value plot (it has no δ)."""
        s = self.session
        data = s.document.watches.series(n, s.view.unit)  # the unit the graph draws
        self.value_plot.set_title(f"w{n + 1}[t] (watch)")
        self.value_curve.set(t[shown], data[shown])
        for curve in (self.delta_curve, self.eps_curve, self.value_pinned, self.delta_pinned):
            curve.clear()
        self.pinned_lane = (None, None)
        self.value_plot.fit(len(t), [data[shown]])

    def _refresh_pinned(self, node: NodeRef, t: np.ndarray) -> None:
        """The compared snapshot's curves, dashed, behind the current ones; looked up again only for another
        snapshot, lane or number of steps (a snapshot's numbers never change)."""
        snap, lane = self.session.comparison.compare, (node.layer, node.var, node.unit, len(t))
        if snap is self.pinned_lane[0] and lane == self.pinned_lane[1]:
            return
        self.pinned_lane = (snap, lane)
        for curve, kind in ((self.value_pinned, "value"), (self.delta_pinned, "delta")):
            data = None if snap is None else snap.series(node.layer, node.var, node.unit, kind)
            if data is None or len(data) != len(t):
                curve.clear()
            else:
                curve.set(t, _first_component(data))

    def _refresh_heat(self, node: NodeRef, shown: np.ndarray) -> None:
        s = self.session
        if not self.heat_plot.isVisible():
            return  # drawn when shown (show_heat)
        if node.layer is None:
            self.heat.clear()
            return
        layer = s.document.scenario.model.layers[node.layer]
        kind = "delta" if s.view.view == "backward" else "value"
        grid = np.stack([np.asarray(s.document.quantities.series(node.layer, node.var, u, kind), float)
                         for u in range(layer.hidden_size)], axis=1)
        grid[~shown] = np.nan
        grid[np.abs(grid) > PLOT_LIMIT] = np.nan
        m = np.nanmax(np.abs(grid)) if np.isfinite(grid).any() else 1.0
        self.heat.setImage(grid, autoLevels=False)
        self.heat.setRect(0.5, -0.5, grid.shape[0], grid.shape[1])
        self.colorbar.setLevels((-m or -1.0, m or 1.0))
        self.heat_title.set_title(f"all units of layer {node.layer}: {_math(node.label.split('[')[0])} "
                                  f"({'δ' if kind == 'delta' else 'value'})")

    def _on_point_clicked(self, curve, points, ev=None) -> None:
        if not points:
            return
        t = int(round(points[0].pos().x()))
        self.session.view.select(self.selected_lane().at(t))


def _math(text: str) -> str:
    return f"<span style='font-family: {style.MATH_FAMILY}'>{text}</span>"


def _first_component(series) -> np.ndarray:
    """A lane as (T,): a vector lane (x with D > 1, ŷ with K > 1) is plotted by its first component."""
    a = np.asarray(series, float)
    return a[:, 0] if a.ndim == 2 else a


def plottable(t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points a plot can draw: finite and not absurdly large (the graph shows the rest)."""
    keep = np.isfinite(y) & (np.abs(y) < PLOT_LIMIT)
    return t[keep], y[keep]
