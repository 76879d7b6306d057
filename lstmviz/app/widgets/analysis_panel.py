"""Analyses of the current weights: gradient vs lag, Jacobian spectra, truncation, gradcheck.

The tables hold exactly the text ``lstmviz analyze`` prints (both come from
:func:`lstmviz.core.analysis.report`); the plots draw the same numbers on a log scale. The panel is behind
another tab at start: its plots are made the first time it is on screen (:class:`.PlotPlace` keeps their
places until then).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...core.analysis import GRADCHECK_ENTRIES, analyse, gradcheck_summary, tables
from ...core.gradcheck import gradcheck
from .. import style
from ..model.session import Session
from ..numbers import fmt_precise
from ..qt.binding import LazyPanel, observe
from ..qt.plot_place import PlotPlace


class AnalysisPanel(LazyPanel, QTabWidget):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.document = session.document
        self.lag_plot = self.spectrum_plot = self.lag_legend = None  # made when first on screen (_make_plots)
        self.plot_places = (PlotPlace(), PlotPlace())
        self.lag_table = QTableWidget()
        self.addTab(_stack(self.plot_places[0], self.lag_table), "Lag")
        self.setTabToolTip(0, "Gradient vs lag: how much of the gradient reaches back k steps")
        self.spectrum_table = QTableWidget()
        self.addTab(_stack(self.plot_places[1], self.spectrum_table), "Spectrum")
        self.setTabToolTip(1, "Jacobian spectrum: the largest singular value of ∂h[t]/∂h[t−1] at every step")
        self.k_box = QSpinBox()
        self.k_box.setRange(1, 100_000)
        self.k_box.setValue(5)
        self.k_box.setPrefix("K = ")
        self.k_box.setToolTip("K of tbptt:K (chunks of K steps) and window:K (each cost reaches back K steps)")
        self.k_box.valueChanged.connect(self._mark_stale)
        self.truncation_table = QTableWidget()
        row = QHBoxLayout()
        row.addWidget(QLabel("gradients under full, cec, tbptt:K and window:K, with"))
        row.addWidget(self.k_box)
        row.addStretch(1)
        self.addTab(_stack(row, self.truncation_table), "Truncation")
        self.gradcheck_button = QPushButton("Run gradcheck (central differences)")
        self.gradcheck_button.clicked.connect(self.run_gradcheck)
        self.gradcheck_text = QTextBrowser()
        self.addTab(_stack(self.gradcheck_button, self.gradcheck_text), "Gradcheck")
        observe(self, (self.document.trace_changed, self._mark_stale),
                (self.document.structure_changed, self._mark_stale))

    def _mark_stale(self) -> None:
        """Analyses are heavy for large models: refresh a moment after the last edit, not on each one."""
        self.gradcheck_text.clear()
        self.refresh_soon()

    def _make_plots(self) -> None:
        """The lag plot with its legend in a row below, and the spectrum plot, in their places."""
        lag, spectrum = self.plot_places
        self.lag_plot = lag.put(_log_plot("lag m = T − t", "norm (log scale)"))
        self.lag_legend = _legend_below(self.lag_plot)
        self.spectrum_plot = spectrum.put(_log_plot("t", "σ_max(∂h[t]/∂h[t−1])"))

    def _update(self) -> None:
        if self.lag_plot is None:
            self._make_plots()
        doc = self.document
        result = analyse(doc.scenario, k=self.k_box.value(), trace=doc.trace)  # the lag and spectrum of the shown trace
        cells = tables(result)
        for table, rows in ((self.lag_table, cells["lag"]), (self.spectrum_table, cells["spectrum"]),
                            (self.truncation_table, cells["truncation"])):
            _fill(table, rows)
        lp = result.lag
        m = np.arange(len(lp.dh))
        self.lag_plot.clear()
        curves = [("‖∂h[T]/∂h[t]‖", lp.dh, style.PLOT_VALUE), ("‖δh[t]‖", lp.delta_h, style.PLOT_DELTA)]
        if lp.dc is not None:
            curves.insert(1, ("‖∂c[T]/∂c[t]‖", lp.dc, style.PLOT_CELL))
        for name, values, colour in curves:
            x, y = _positive(m, values)
            self.lag_plot.plot(x, y, pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=6, symbolBrush=colour,
                               name=name)
        self.spectrum_plot.clear()
        x, y = _positive(np.arange(1, doc.trace.steps + 1), result.spectrum)
        self.spectrum_plot.plot(x, y, pen=pg.mkPen(style.PLOT_EPS, width=2), symbol="o", symbolSize=6)

    def run_gradcheck(self) -> None:
        doc = self.document
        result = gradcheck(doc.scenario, str(doc.mode), max_entries=GRADCHECK_ENTRIES)
        lines = [f"<p><b>{gradcheck_summary(result)}</b></p><p>{len(result.entries)} of {result.total_entries} "
                 f"entries checked under {doc.mode}.</p>"]
        for e in sorted(result.entries, key=lambda e: -e.error)[:15]:
            mark = " <i>(on a kink)</i>" if e.kink else ""
            lines.append(f"{e.label}: analytic {fmt_precise(e.analytic, 8)}, numeric {fmt_precise(e.numeric, 8)}, "
                         f"error {fmt_precise(e.error, 2)}{mark}<br>")
        self.gradcheck_text.setHtml("".join(lines))


def _log_plot(bottom: str, left: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(background=style.PLOT_BACKGROUND)
    plot.setLogMode(y=True)
    plot.setLabel("bottom", bottom)
    plot.setLabel("left", left)
    plot.setMenuEnabled(False)
    return plot


def _legend_below(plot: pg.PlotWidget) -> pg.LegendItem:
    """The plot's legend in a row of its own under the bottom axis, never over the curves (curves added
    with a name are listed, two to a row)."""
    item = plot.getPlotItem()
    legend = pg.LegendItem(colCount=2, labelTextColor=style.TEXT)
    item.layout.addItem(legend, 4, 1)  # rows 0–3: title, top axis, view box, bottom axis
    item.layout.setAlignment(legend, Qt.AlignmentFlag.AlignHCenter)
    item.legend = legend  # PlotItem.addItem and clear keep it up to date, as with addLegend
    return legend


def _positive(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points a log axis can draw: finite and positive (vanished and overflowed values are left out)."""
    keep = np.isfinite(y) & (y > 0) & (y < 1e300)
    return x[keep], y[keep]


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setColumnCount(len(rows[0]))
    table.setRowCount(len(rows) - 1)
    table.setHorizontalHeaderLabels(rows[0])
    table.verticalHeader().setVisible(False)
    for r, row in enumerate(rows[1:]):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.resizeColumnsToContents()


def _stack(top, bottom: QWidget) -> QWidget:
    w = QWidget()
    layout = QVBoxLayout(w)
    layout.setContentsMargins(2, 2, 2, 2)
    if isinstance(top, QHBoxLayout):
        layout.addLayout(top)
    else:
        layout.addWidget(top, 1)
    layout.addWidget(bottom, 1)
    return w
