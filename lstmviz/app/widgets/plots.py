"""Plots under the graph: the selected variable and its δ over time, the loss per step and per
epoch, and an all-units heat strip. Clicking a point selects that step's node."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from .. import style
from ..graph_model import watch_index
from ..quantities import NodeRef
from ..session import Session


class PlotsPanel(pg.GraphicsLayoutWidget):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.setBackground("w")
        pg.setConfigOptions(antialias=False)  # antialiased curves cost most of a refresh in the raster engine
        self.value_plot = self._plot(0, 0, "value")
        self.delta_plot = self._plot(0, 1, "δ and ε")
        self.loss_plot = self._plot(0, 2, "loss per step E[t]")
        self.epoch_plot = self._plot(0, 3, "loss per epoch")
        self.epoch_plot.setLabel("bottom", "epoch")
        self.value_curve = self._curve(self.value_plot, "#1f78b4")
        self.delta_curve = self._curve(self.delta_plot, "#b2182b", name="δ")
        self.eps_curve = self.delta_plot.plot([], [], pen=pg.mkPen("#6a3d9a", width=1.5, style=Qt.PenStyle.DashLine),
                                              symbol="t", symbolSize=8, symbolBrush="#6a3d9a", name="ε")
        self.loss_bars = pg.BarGraphItem(x=[], height=[], width=0.6, brush="#7f7f7f")
        self.loss_plot.addItem(self.loss_bars)
        dashed = pg.mkPen("#9e9e9e", width=2, style=Qt.PenStyle.DashLine)
        self.value_pinned = self.value_plot.plot([], [], pen=dashed)  # the compared snapshot
        self.delta_pinned = self.delta_plot.plot([], [], pen=dashed)
        self.epoch_curve = self.epoch_plot.plot([], [], pen=pg.mkPen("#33a02c", width=2), symbol="o", symbolSize=6)
        self.cursors = []
        for plot in (self.value_plot, self.delta_plot, self.loss_plot):
            line = pg.InfiniteLine(angle=90, pen=pg.mkPen(style.SELECTION, width=2))
            plot.addItem(line)
            self.cursors.append(line)
        self.heat_plot = self.addPlot(row=1, col=0, colspan=4, title="all units")
        self.heat = pg.ImageItem()
        self.heat_plot.addItem(self.heat)
        self.heat_plot.setLabel("bottom", "t")
        self.heat_plot.setLabel("left", "unit")
        self.colorbar = pg.ColorBarItem(colorMap=pg.ColorMap([p for p, _ in style.DIVERGING],
                                                             [c for _, c in style.DIVERGING]), interactive=False)
        self.colorbar.setImageItem(self.heat, insert_in=self.heat_plot)
        self.show_heat(False)
        for curve in (self.value_curve, self.delta_curve, self.eps_curve):
            curve.sigPointsClicked.connect(self._on_point_clicked)
        for signal in (session.traceChanged, session.playheadChanged, session.selectionChanged, session.viewChanged,
                       session.scenarioChanged, session.epochsChanged, session.snapshotsChanged):
            signal.connect(self.refresh)
        session.watchesChanged.connect(self._on_watches_change)
        self.refresh()

    def _on_watches_change(self) -> None:
        if watch_index(self.selected_lane().var) is not None:
            self.refresh()

    def _plot(self, row: int, col: int, title: str) -> pg.PlotItem:
        plot = self.addPlot(row=row, col=col, title=title)
        plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen("#c8c8c8", width=1)))  # the zero line
        plot.setLabel("bottom", "t")
        plot.setMenuEnabled(False)
        plot.disableAutoRange()  # see _steady_range
        return plot

    def _curve(self, plot: pg.PlotItem, colour: str, name: str | None = None):
        return plot.plot([], [], pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=9, symbolBrush=colour,
                         name=name)

    def show_heat(self, on: bool) -> None:
        self.heat_plot.setVisible(on)
        self.ci.layout.setRowStretchFactor(1, 1 if on else 0)
        self.ci.layout.setRowMaximumHeight(1, 10_000 if on else 0)

    def selected_lane(self) -> NodeRef:
        s = self.session
        if s.selection is not None:
            return s.selection
        top = len(s.scenario.model.layers) - 1
        return NodeRef(top, "h", 1, min(s.unit, s.scenario.model.layers[top].hidden_size - 1))

    def refresh(self) -> None:
        s = self.session
        q, ph, T = s.quantities, s.playhead, s.trace.steps
        node = self.selected_lane()
        t = np.arange(1, T + 1)
        shown = np.array([ph.value_visible(k) for k in t])
        if watch_index(node.var) is not None:
            self._refresh_watch(watch_index(node.var), t, shown)
            return
        values = np.asarray(q.series(node.layer, node.var, node.unit, "value"), float)
        if values.ndim == 2:  # a vector lane: plot its first component
            values = values[:, 0]
        name = node.label.split("[")[0]
        _set_title(self.value_plot, f"{_math(name + '[t]')} (value)")
        _set(self.value_curve, t[shown], values[shown])
        dshown = np.array([ph.delta_visible(k) for k in t])
        deltas = np.asarray(q.series(node.layer, node.var, node.unit, "delta"), float)
        if deltas.ndim == 2:
            deltas = deltas[:, 0]
        eps = np.asarray(q.series(node.layer, node.var, node.unit, "eps"), float)
        eshown = np.array([ph.eps_visible(k) for k in t]) & np.isfinite(eps)
        _set_title(self.delta_plot, _math(f"{q.delta_label(node.var)}[t]") + (" and " + _math("ε[t]") if eshown.any() else ""))
        _set(self.delta_curve, t[dshown], deltas[dshown])
        _set(self.eps_curve, t[eshown], eps[eshown])
        self._refresh_pinned(node, t)
        bars_t, bars = _plottable(t[shown], s.trace["loss_t"][shown])
        self.loss_bars.setOpts(x=bars_t, height=bars, width=0.6)
        for plot, curves in ((self.value_plot, (self.value_curve, self.value_pinned)),
                             (self.delta_plot, (self.delta_curve, self.eps_curve, self.delta_pinned)),
                             (self.loss_plot, ())):
            extra = [bars] if plot is self.loss_plot else []
            _steady_range(plot, T, [c._lstmviz_data[1] for c in curves if getattr(c, "_lstmviz_data", None)] + extra)
        losses = s.epoch_losses_live or s.epoch_losses
        _set(self.epoch_curve, np.arange(1, len(losses) + 1), np.asarray(losses))
        if self.epoch_plot.isVisible() != (len(losses) > 1):
            self.epoch_plot.setVisible(len(losses) > 1)  # a curve needs two epochs
        if len(losses) > 1:
            _steady_range(self.epoch_plot, len(losses), [np.asarray(losses)])
        for line in self.cursors:
            line.setVisible(s.selection is not None)
            line.setValue(node.t)
        self._refresh_heat(node, shown if s.view == "forward" else dshown)

    def _refresh_watch(self, n: int, t: np.ndarray, shown: np.ndarray) -> None:
        """A watch's curve in the value plot (it has no δ)."""
        data = self.session.watch_series(n, self.session.unit)  # the unit the graph draws
        _set_title(self.value_plot, f"w{n + 1}[t] (watch)")
        _set(self.value_curve, t[shown], data[shown])
        for curve in (self.delta_curve, self.eps_curve, self.value_pinned, self.delta_pinned):
            _set(curve, np.zeros(0), np.zeros(0))
        _steady_range(self.value_plot, len(t), [data[shown]])

    def _refresh_pinned(self, node: NodeRef, t: np.ndarray) -> None:
        """The compared snapshot's curves, dashed, behind the current ones."""
        snap = self.session.compare
        for curve, kind in ((self.value_pinned, "value"), (self.delta_pinned, "delta")):
            data = None
            if snap is not None:
                try:
                    data = np.asarray(snap.quantities.series(node.layer, node.var, node.unit, kind), float)
                except (KeyError, IndexError):
                    data = None
            if data is None or len(data) != len(t):
                _set(curve, np.zeros(0), np.zeros(0))
            else:
                _set(curve, t, data[:, 0] if data.ndim == 2 else data)

    def _refresh_heat(self, node: NodeRef, shown: np.ndarray) -> None:
        s = self.session
        if node.layer is None:
            self.heat.clear()
            return
        layer = s.scenario.model.layers[node.layer]
        kind = "delta" if s.view == "backward" else "value"
        grid = np.stack([np.asarray(s.quantities.series(node.layer, node.var, u, kind), float)
                         for u in range(layer.hidden_size)], axis=1)
        grid[~shown] = np.nan
        grid[np.abs(grid) > PLOT_LIMIT] = np.nan
        m = np.nanmax(np.abs(grid)) if np.isfinite(grid).any() else 1.0
        self.heat.setImage(grid, autoLevels=False)
        self.heat.setRect(0.5, -0.5, grid.shape[0], grid.shape[1])
        self.colorbar.setLevels((-m or -1.0, m or 1.0))
        _set_title(self.heat_plot, f"all units of layer {node.layer}: {_math(node.label.split('[')[0])} "
                                f"({'δ' if kind == 'delta' else 'value'})")

    def _on_point_clicked(self, curve, points, ev=None) -> None:
        if not points:
            return
        t = int(round(points[0].pos().x()))
        node = self.selected_lane()
        self.session.select(node.at(t))


def _math(text: str) -> str:
    return f"<span style='font-family: {style.MATH_FAMILY}'>{text}</span>"


def _set_title(plot: pg.PlotItem, text: str) -> None:
    """Retitle only on change: a new title re-lays out the plot and repaints its axes."""
    if getattr(plot, "_lstmviz_title", None) != text:
        plot.setTitle(text)
        plot._lstmviz_title = text


PLOT_LIMIT = 1e100  # larger or non-finite values (an overflowing RNN) are left out of the plots


def _set(curve, t: np.ndarray, y: np.ndarray) -> None:
    """Give a curve its plottable points, only when they changed (setData is the slow part)."""
    t, y = _plottable(np.asarray(t, float), np.asarray(y, float))
    last = getattr(curve, "_lstmviz_data", None)
    if last is not None and np.array_equal(last[0], t) and np.array_equal(last[1], y):
        return
    curve._lstmviz_data = (t, y)
    curve.setData(t, y)


def _steady_range(plot: pg.PlotItem, T: int, series: list[np.ndarray]) -> None:
    """Set the axes only when the data leave them or shrink to a small part of them: re-laying out
    the axes is the slow part of a refresh, and a steady scale is easier to read while editing."""
    values = np.concatenate([np.ravel(v) for v in series] + [np.zeros(1)])
    lo, hi = float(values.min()), float(values.max())
    old = getattr(plot, "_lstmviz_range", None)
    if old is None or lo < old[0] or hi > old[1] or (hi - lo) < 0.4 * (old[1] - old[0]):
        pad = 0.15 * (hi - lo or 1.0)  # some headroom, so that small edits keep the axes as they are
        plot._lstmviz_range = (lo - pad, hi + pad)
        plot.setYRange(lo - pad, hi + pad, padding=0)
    if getattr(plot, "_lstmviz_T", None) != T:
        plot._lstmviz_T = T
        plot.setXRange(0.5, T + 0.5, padding=0)


def _plottable(t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points a plot can draw: finite and not absurdly large (the graph shows the rest)."""
    keep = np.isfinite(y) & (np.abs(y) < PLOT_LIMIT)
    return t[keep], y[keep]
