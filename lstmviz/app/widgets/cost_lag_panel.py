"""The cost × lag view: seed 003's argument as a picture.

For one weight entry w, every cost C(t) = E[t] sends its gradient back through the copies of w used at
the steps t, t−1, …: dC(t)/dw = Σ_u dC(t)/dw(t−u). The heat map shows the terms dC(t)/dw(t−u) (a row per
cost step t, a column per lag u); beside it each row's sum dC(t)/dw and its window:K share Σ_{u<K}, under
it each lag's sum over the costs Σ_t dC(t)/dw(t−u). The terms fade with u while the sums stay healthy;
all of them add up to the gradient dE/dw, the columns u < K to window:K's (the dashed line). The
matrix comes from :func:`lstmviz.core.analysis.cost_lag`; the panel only draws it.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.analysis import CostLag, affordable_lags, cost_lag, pick_weight, weight_text
from ...core.keys import Key
from ...core.modes import LENGTH_KINDS
from ...core.params import param_blocks
from .. import style
from ..model.equations.notation import symbol
from ..model.quantities import NodeRef
from ..model.session import Session
from ..numbers import fmt, fmt_precise
from ..qt.binding import LazyPanel, observe, signals_blocked

TOTAL_DIGITS = 7     # the sums as seed 003 writes them (−17.29846)
DECADES = 4          # the log colour scale shows |terms| down to 10⁻⁴ of the largest
ALL_LAGS = "#b8b8b8"  # bars of a row's or a lag's whole sum; the window's share in style.GRADIENT


def symlog(values: np.ndarray, top: float) -> np.ndarray:
    """sign(v)·log₁₀(1 + |v|/floor), floor = top·10^−DECADES: a colour scale that shows decades."""
    return np.sign(values) * np.log10(1.0 + np.abs(values) / (top * 10.0 ** -DECADES))


class CostLagPanel(LazyPanel, QWidget):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session, self.document = session, session.document
        self.result: CostLag | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(self._controls())
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setBackground(style.PLOT_BACKGROUND)
        layout.addWidget(self.canvas, 1)
        self.info = _elastic(QLabel(" "))
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.info)
        self._plots()
        doc, view = self.document, session.view
        observe(self, (doc.trace_changed, self.refresh_soon), (doc.structure_changed, self.refresh_soon),
                (view.selection_changed, self._on_selection))
        self._on_selection()  # made when its tab first comes up: the weight selected before

    # -- construction ------------------------------------------------------------------------------------
    def _controls(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.weight_edit = QLineEdit("auto")
        self.weight_edit.setToolTip("The weight entry, e.g. l0/U[0,0]; l0/U_f alone: its entry with the largest "
                                    "gradient; auto: the recurrent entry with the largest gradient. Selecting a "
                                    "weight (an edge of the graph, the Weights panel) puts it here")
        self.weight_edit.setMaximumWidth(160)
        self.weight_edit.editingFinished.connect(self.refresh_soon)
        self.k_spin = QSpinBox()
        self.k_spin.setRange(1, 99)  # then 1 … the lags the matrix holds
        self.k_spin.setPrefix("K = ")
        self.k_spin.setValue(3)
        self.k_spin.valueChanged.connect(self._show)
        self.log_box = QCheckBox("log colours")
        self.log_box.setToolTip(f"Colours on a signed log scale ({DECADES} decades below the largest term)")
        self.log_box.toggled.connect(self._show)
        self.summary = _elastic(QLabel())
        for w in (QLabel("weight"), self.weight_edit, self.k_spin, self.log_box):
            row.addWidget(w)
        row.addWidget(self.summary, 1)
        return row

    def _plots(self) -> None:
        c = self.canvas
        self.heat_plot = c.addPlot(row=0, col=0)
        self.image = pg.ImageItem()
        self.heat_plot.addItem(self.image)
        self.heat_plot.invertY(True)  # t = 1 at the top, as in a table of costs
        self.heat_plot.setLabel("left", "cost step t")
        self.heat_plot.getViewBox().setBackgroundColor(style.NO_VALUE)  # t − u < 1: no such copy of w
        self.colorbar = pg.ColorBarItem(colorMap=pg.ColorMap([p for p, _ in style.DIVERGING],
                                                             [c for _, c in style.DIVERGING]), interactive=False)
        self.colorbar.setImageItem(self.image)
        self.colorbar.axis.setWidth(64)  # room for −6.70e-05
        c.addItem(self.colorbar, row=0, col=2)
        self.rows_plot = c.addPlot(row=0, col=1)
        self.rows_plot.setYLink(self.heat_plot)
        self.rows_plot.hideAxis("left")
        self.cols_plot = c.addPlot(row=1, col=0)
        self.cols_plot.setXLink(self.heat_plot)
        self.cols_plot.setLabel("bottom", "lag u  (the copy of the weight used at step t − u)")
        self.cols_plot.setLabel("left", "Σ_t")
        self.heat_plot.hideAxis("bottom")
        self.k_lines = [pg.InfiniteLine(angle=90, pen=pg.mkPen(style.TEXT, width=2, style=Qt.PenStyle.DashLine))
                        for _ in range(2)]
        for plot, line in zip((self.heat_plot, self.cols_plot), self.k_lines, strict=True):
            plot.addItem(line, ignoreBounds=True)
        self.selected_row = QGraphicsRectItem()  # a frame around the selected step's row
        selection_pen = pg.mkPen(style.SELECTION, width=2)
        selection_pen.setCosmetic(True)
        self.selected_row.setPen(selection_pen)
        self.heat_plot.addItem(self.selected_row, ignoreBounds=True)
        for plot in (self.heat_plot, self.rows_plot, self.cols_plot):
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
        layout = c.ci.layout
        layout.setColumnStretchFactor(0, 4)
        layout.setColumnStretchFactor(1, 1)
        layout.setRowStretchFactor(0, 3)
        layout.setRowStretchFactor(1, 1)
        c.scene().sigMouseMoved.connect(self._on_hover)
        c.scene().sigMouseClicked.connect(self._on_click)

    # -- refreshing ----------------------------------------------------------------------------------------
    def _on_selection(self) -> None:
        """A selected weight entry (an edge, the Weights panel) becomes the one shown; a selected node's
        step is marked as a row."""
        self._mark_row()
        chosen = self.session.view.selected_weight
        keys = {b.key for b in param_blocks(self.document.scenario.model)}
        if chosen is not None and chosen[0] in keys and weight_text(*chosen) != self.weight_edit.text():
            self.weight_edit.setText(weight_text(*chosen))
            self.refresh_soon()

    def _update(self) -> None:
        trace = self.document.trace
        try:
            key, index = pick_weight(trace, self.weight_edit.text())
        except ValueError as e:
            _say(self.info, f"Cost × lag ▸ weight: {e}")
            return
        self.result = cost_lag(trace, key, index, max_lag=affordable_lags(trace))
        mode = self.document.mode
        from_mode = mode.kind in LENGTH_KINDS
        with signals_blocked(self.k_spin):
            self.k_spin.setRange(1, self.result.matrix.shape[1])
            if from_mode:
                self.k_spin.setValue(mode.k)
        self.k_spin.setEnabled(not from_mode)
        self.k_spin.setToolTip(f"K of the document's mode, {mode}" if from_mode
                               else "The window K whose share Σ_{u<K} is shown (the mode is not truncated)")
        _say(self.info, "Hover a cell for its term; click a row to select that cost on the graph")
        self._show()

    @property
    def k(self) -> int:
        return self.k_spin.value()

    @property
    def name(self) -> str:
        """The weight entry in the course's letters: ``u``, ``U_c̃[4, 1]``."""
        c = self.result
        block = next(b for b in param_blocks(self.document.scenario.model) if b.key == c.param)
        scalar = block.size == 1
        return symbol(Key.parse(c.param).name, scalar) + ("" if scalar else f"[{', '.join(map(str, c.index))}]")

    def _show(self) -> None:
        """Draw the matrix, its sums and the window marker (K changes only this)."""
        c = self.result
        if c is None:
            return
        T, L = c.matrix.shape
        k = min(self.k, L)
        for line in self.k_lines:
            line.setValue(k - 0.5)
        self._heat(c.matrix)
        self._mark_row()
        self._row_bars(c, k)
        self._column_bars(c, k)
        capped = "" if L == T else f"  (lags u &lt; {L} of {T}: capped for this model's size)"
        _say(self.summary,
            f"dE/d{self.name} = Σ all = <b>{fmt_precise(c.total, TOTAL_DIGITS)}</b> · window:{k} keeps u &lt; {k}: "
            f"<b>{fmt_precise(float(c.window(k).sum()), TOTAL_DIGITS)}</b>{capped}")
        self.heat_plot.setTitle(f"dC(t)/d{self.name}(t − u): cost C(t) = E[t] through the {self.name} of step t − u",
                                size="9pt")

    def _mark_row(self) -> None:
        sel = self.session.view.selection
        self.selected_row.setVisible(sel is not None and self.result is not None)
        if sel is not None and self.result is not None:
            self.selected_row.setRect(-0.5, sel.t - 0.5, self.result.matrix.shape[1], 1.0)

    def _heat(self, matrix: np.ndarray) -> None:
        T, L = matrix.shape
        shown = np.where(np.arange(T)[:, None] >= np.arange(L)[None, :], matrix, np.nan)  # t − u < 1: no term
        finite = np.abs(matrix[np.isfinite(matrix)])
        top = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
        log = self.log_box.isChecked()
        self.image.setImage((symlog(shown, top) if log else shown).T, autoLevels=False)  # x = u, y = t
        self.image.setRect(-0.5, 0.5, L, T)
        bound = float(symlog(np.array(top), top)) if log else top
        self.colorbar.setLevels((-bound, bound))
        axis = self.colorbar.axis
        if log:
            ticks = [(float(symlog(np.array(s * top * 10.0 ** -d), top)), fmt(s * top * 10.0 ** -d, short=True))
                     for d in (0, DECADES // 2) for s in (1, -1)] + [(0.0, "0")]
            axis.setTicks([ticks])
        else:
            axis.setTicks(None)
        self.heat_plot.setLimits(xMin=-0.5, xMax=L - 0.5, yMin=0.5, yMax=T + 0.5)
        self.heat_plot.setRange(xRange=(-0.5, L - 0.5), yRange=(0.5, T + 0.5), padding=0)

    def _row_bars(self, c: CostLag, k: int) -> None:
        plot = self.rows_plot
        plot.clear()
        t = np.arange(1, len(c.matrix) + 1)
        for values, height, colour in ((c.per_cost, 0.8, ALL_LAGS), (c.window(k), 0.4, style.GRADIENT)):
            v = np.nan_to_num(values)
            plot.addItem(pg.BarGraphItem(x0=np.minimum(v, 0), y=t, height=height, width=np.abs(v),
                                         brush=colour, pen=None))
        plot.addItem(pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen(style.PLOT_ZERO)))
        plot.setTitle(f"<span style='color:{ALL_LAGS}'>■</span> dC(t)/d{self.name}  "
                      f"<span style='color:{style.GRADIENT}'>■</span> Σ u &lt; {k}", size="9pt")

    def _column_bars(self, c: CostLag, k: int) -> None:
        plot = self.cols_plot
        plot.clear()
        sums = np.nan_to_num(c.matrix.sum(axis=0))
        u = np.arange(len(sums))
        brushes = [style.GRADIENT if lag < k else ALL_LAGS for lag in u]
        plot.addItem(pg.BarGraphItem(x=u, y0=np.minimum(sums, 0), height=np.abs(sums), width=0.8, brushes=brushes,
                                     pen=None))
        plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen(style.PLOT_ZERO)))
        plot.addItem(self.k_lines[1], ignoreBounds=True)

    # -- hover and click -------------------------------------------------------------------------------
    def cell_at(self, scene_pos) -> tuple[str, int, int] | None:
        """(which plot, t, u) under a scene position: "heat", "rows" (u = −1) or "cols" (t = 0)."""
        c = self.result
        if c is None:
            return None
        T, L = c.matrix.shape
        for name, plot in (("heat", self.heat_plot), ("rows", self.rows_plot), ("cols", self.cols_plot)):
            if plot.sceneBoundingRect().contains(scene_pos):
                p = plot.getViewBox().mapSceneToView(scene_pos)
                t, u = round(p.y()), round(p.x())
                if name == "rows" and 1 <= t <= T:
                    return name, t, -1
                if name == "cols" and 0 <= u < L:
                    return name, 0, u
                if name == "heat" and 1 <= t <= T and 0 <= u < L:
                    return name, t, u
        return None

    def describe(self, where: str, t: int, u: int) -> str:
        """What the hovered cell, row or column means, with its value."""
        c, w, k = self.result, self.name, min(self.k, self.result.matrix.shape[1])
        if where == "rows":
            return (f"dC({t})/d{w} = {fmt(float(c.per_cost[t - 1]))}: the cost at t = {t} through every copy of "
                    f"{w}; window:{k} keeps {fmt(float(c.window(k)[t - 1]))} of it")
        if where == "cols":
            inside = "inside" if u < k else "outside"
            return (f"Σ_t dC(t)/d{w}(t − {u}) = {fmt(float(c.matrix[:, u].sum()))}: every cost through the copy "
                    f"of {w} used {u} steps before it ({inside} window:{k})")
        if t - u < 1:
            return f"t = {t}, u = {u}: no such copy of {w} (step t − u = {t - u} is before the sequence)"
        inside = f"inside window:{k}" if u < k else f"outside window:{k}: cut"
        return (f"dC({t})/d{w}({t - u}) = {fmt(float(c.matrix[t - 1, u]))}: the cost at t = {t} through the "
                f"{w} used at step {t - u} (lag u = {u}, {inside})")

    def _on_hover(self, scene_pos) -> None:
        cell = self.cell_at(scene_pos)
        if cell is not None:
            _say(self.info, self.describe(*cell))

    def _on_click(self, event) -> None:
        cell = self.cell_at(event.scenePos())
        if cell is not None and cell[1] >= 1:
            self.select_cost(cell[1])

    def select_cost(self, t: int) -> None:
        """Select the cost E[t] on the graph (and so in the inspector)."""
        self.session.view.select(NodeRef(None, "loss", t))


def _elastic(label: QLabel) -> QLabel:
    """A line of text that never widens the panel (and so the window): what does not fit is clipped, and
    its tooltip holds all of it."""
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


def _say(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setToolTip(text)
