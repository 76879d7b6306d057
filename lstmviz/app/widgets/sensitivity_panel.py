"""The RTRL panel: the sensitivities dS/dθ of one weight entry growing step by step.

Real-time recurrent learning carries S_h[t] = ∂h[t]/∂θ and S_c[t] = ∂c[t]/∂θ forward with the values and
collects the gradient as it goes, G[t] = Σ_(s≤t) ∂E[s]/∂h_top[s]·S_h_top[s]; at the last step G[T] is
BPTT's dE/dθ. The left plot draws S_h and S_c of one unit, the right one G, up to the playhead (in
phase 1 the steps computed so far); the table gives the numbers at the playhead. Exact RTRL or Gers'
truncation (only f⊙S_c[t−1] carries through time) is a toggle of the panel. The numbers come from
:func:`lstmviz.core.realtime.sensitivities`; the panel only draws them.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.rtrl import RTRLTooLarge
from .. import style
from ..model.sensitivity import (
    MODES,
    SensitivityCache,
    SensitivityFrame,
    chosen_entry,
    default_unit,
    entry_title,
    layer_entries,
    shown_steps,
)
from ..model.session import Session
from ..qt.binding import LazyPanel, observe, signals_blocked

SIZE_HINT = (560, 300)
SIDE_WIDTH = 330  # the choices and the table beside the plots
TABLE_MIN_HEIGHT = 40


class SensitivityPanel(LazyPanel, QWidget):
    debounce_ms = 150  # a long sequence takes a tenth of a second

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session, self.document = session, session.document
        self.cache = SensitivityCache()
        self.frame: SensitivityFrame | None = None
        self.entry: tuple[str, tuple[int, ...]] | None = None
        self.unit: tuple[int, int] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        body = QHBoxLayout()  # the plots on the left; the choices and the numbers at the playhead beside them
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setBackground(style.PLOT_BACKGROUND)
        body.addWidget(self.canvas, 3)
        side_box = QWidget()
        side_box.setMaximumWidth(SIDE_WIDTH)  # the plots take what is left
        side = QVBoxLayout(side_box)
        side.setContentsMargins(0, 0, 0, 0)
        side.addLayout(self._controls())
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["at the playhead", ""])
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setFont(QFont(style.MATH_FAMILY, style.FONT_POINTS))  # the course's letters (c̃) set right
        self.table.setMinimumHeight(TABLE_MIN_HEIGHT)  # a short bottom dock scrolls the table, not the window
        side.addWidget(self.table, 1)
        body.addWidget(side_box, 1)
        layout.addLayout(body, 1)
        self.info = QLabel(" ")
        self.info.setWordWrap(True)
        layout.addWidget(self.info)
        self._plots()
        doc, view = self.document, session.view
        observe(self, (doc.structure_changed, self._on_structure), (doc.trace_changed, self._on_trace),
                (view.selection_changed, self._on_selection), (session.playback.playhead_changed, self.refresh))
        self._on_structure()

    # -- construction ------------------------------------------------------------------------------------
    def _controls(self) -> QGridLayout:
        grid = QGridLayout()
        self.entry_box = QComboBox()
        self.entry_box.setToolTip("The weight entry θ whose sensitivities are shown; selecting a weight (an edge "
                                  "of the graph, the Weights panel) puts it here")
        self.unit_box = QComboBox()
        for box in (self.entry_box, self.unit_box):  # long entry names never widen the window
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(6)
        self.entry_box.setFont(QFont(style.MATH_FAMILY, style.FONT_POINTS))
        self.entry_box.activated.connect(self._on_entry_picked)
        self.unit_box.setToolTip("The unit whose h and c are plotted")
        self.unit_box.activated.connect(self._on_unit_picked)
        self.mode_group = QButtonGroup(self)
        grid.addWidget(QLabel("θ ="), 0, 0)
        grid.addWidget(self.entry_box, 0, 1)
        grid.addWidget(QLabel("h, c of"), 1, 0)
        grid.addWidget(self.unit_box, 1, 1)
        modes = QHBoxLayout()
        for n, (mode, name) in enumerate(MODES):
            button = QRadioButton(name)
            button.setProperty("mode", mode)
            button.setToolTip("the exact RTRL recurrence" if mode == "full" else
                              "Gers' truncation: only f[t]·S_c[t−1] carries through time; h[t−1] into the "
                              "gates counts as a constant")
            self.mode_group.addButton(button, n)
            modes.addWidget(button)
        self.mode_group.button(0).setChecked(True)
        self.mode_group.idToggled.connect(lambda _id, on: on and self.refresh())
        modes.addStretch(1)
        grid.addLayout(modes, 2, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        return grid

    def _plots(self) -> None:
        c = self.canvas
        self.s_plot = c.addPlot(row=0, col=0)
        self.g_plot = c.addPlot(row=0, col=1)
        self.g_plot.setXLink(self.s_plot)
        self.s_plot.setLabel("left", "dS/dθ")
        self.g_plot.setLabel("left", "G[t]")
        for plot in (self.s_plot, self.g_plot):
            plot.setLabel("bottom", "step t")
        self.curves = {}
        for name, plot, colour in (("S_h", self.s_plot, style.PLOT_VALUE), ("S_c", self.s_plot, style.PLOT_CELL),
                                   ("G", self.g_plot, style.GRADIENT)):
            self.curves[name] = plot.plot([], [], pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=6,
                                          symbolBrush=colour, symbolPen=None)
        self.playhead_lines = []
        for plot in (self.s_plot, self.g_plot):
            plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen(style.PLOT_ZERO)), ignoreBounds=True)
            line = pg.InfiniteLine(angle=90, pen=pg.mkPen(style.CURRENT, width=1, style=Qt.PenStyle.DashLine))
            plot.addItem(line, ignoreBounds=True)
            self.playhead_lines.append(line)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
        c.ci.layout.setColumnStretchFactor(0, 3)
        c.ci.layout.setColumnStretchFactor(1, 2)

    def sizeHint(self) -> QSize:
        """Modest: the bottom docks share one tab bar, and the widest hint among them widens the window."""
        return QSize(SIZE_HINT[0], SIZE_HINT[1])

    # -- what is shown ----------------------------------------------------------------------------------
    @property
    def mode(self) -> str:
        return self.mode_group.checkedButton().property("mode")

    def set_mode(self, mode: str) -> None:
        """Exact (``full``) or Gers' truncation (``cec``), as the radio buttons choose."""
        for button in self.mode_group.buttons():
            if button.property("mode") == mode:
                button.setChecked(True)

    def _on_structure(self) -> None:
        """Another model (or layer variant): the selection (or the default) chosen; the lists of entries
        and units are filled again when the panel is next on screen (three layers of H = 64 have 82,944
        entries, a second to list)."""
        model = self.document.scenario.model
        self.entries: list[tuple[str, tuple[int, ...]]] | None = None
        self.units = [(n, j) for n, layer in enumerate(model.layers) for j in range(layer.hidden_size)]
        kept = self.entry if self.entry is not None and chosen_entry(model, self.entry) == self.entry else None
        self._choose(kept or chosen_entry(model, self.session.view.selected_weight), keep_unit=kept is not None)

    def _list_entries(self) -> None:
        """Every entry and unit in the two boxes, the chosen ones current."""
        self.entries = layer_entries(self.document.scenario.model)
        with signals_blocked(self.entry_box, self.unit_box):
            self.entry_box.clear()
            self.entry_box.addItems([entry_title(key, index) for key, index in self.entries])
            self.unit_box.clear()
            self.unit_box.addItems([f"layer {n}, unit {j}" for n, j in self.units])
        self._show_choice()

    def _on_trace(self) -> None:
        """New numbers: recomputed a moment after the last retrace (a slider drag retraces at every move;
        a long sequence takes a tenth of a second), and only while the tab is in view."""
        self.refresh_soon()

    def _on_selection(self) -> None:
        selected = self.session.view.selected_weight
        if selected is not None and chosen_entry(self.document.scenario.model, selected) == tuple(selected):
            self._choose((selected[0], tuple(selected[1])))

    def _on_entry_picked(self, row: int) -> None:
        self.session.view.select_weight(*self.entries[row])  # the inspector and the graph follow; so does this panel

    def _on_unit_picked(self, row: int) -> None:
        self.unit = self.units[row]
        self.refresh()

    def _choose(self, entry: tuple[str, tuple[int, ...]], keep_unit: bool = False) -> None:
        changed = entry != self.entry
        self.entry = entry
        if changed or not keep_unit or self.unit not in self.units:
            self.unit = default_unit(*entry)
        if self.entries is not None:
            self._show_choice()
        self.refresh()

    def _show_choice(self) -> None:
        with signals_blocked(self.entry_box, self.unit_box):
            self.entry_box.setCurrentIndex(self.entries.index(self.entry))
            self.unit_box.setCurrentIndex(self.units.index(self.unit))

    # -- drawing --------------------------------------------------------------------------------------------
    def _update(self) -> None:
        if self.entries is None:
            self._list_entries()
        trace = self.document.trace
        try:
            history = self.cache.get(trace, *self.entry, self.mode)
        except RTRLTooLarge as e:
            self.frame = None
            self.info.setText(f"RTRL panel: {e}")
            for curve in self.curves.values():
                curve.setData([], [])
            self.table.setRowCount(0)
            return
        layer, unit = self.unit
        self.frame = SensitivityFrame(history, layer, unit, shown_steps(self.session.playback.playhead))
        self._draw(self.frame)
        self._fill(self.frame.rows())

    def _draw(self, frame: SensitivityFrame) -> None:
        h, n, j, k = frame.history, frame.layer, frame.unit, frame.t
        T = len(h.G)
        steps = np.arange(1, T + 1)
        self.curves["S_h"].setData(steps[:k], h.S_h[n][:k, j])
        cell = h.S_c[n]
        self.curves["S_c"].setData(steps[:k], cell[:k, j] if cell is not None else [])
        self.curves["G"].setData(steps[:k], h.G[:k])
        for line in self.playhead_lines:
            line.setValue(k)
        w = f"<span style='font-family:{style.MATH_FAMILY}'>{frame.name}</span>"  # it places c̃'s tilde right
        colour = f"<span style='color:{style.PLOT_VALUE}'>■</span> ∂h[t]/∂θ"
        if cell is not None:
            colour += f"  <span style='color:{style.PLOT_CELL}'>■</span> ∂c[t]/∂θ"
        mode = dict(MODES)[h.mode.kind]
        self.s_plot.setTitle(f"{colour}  · θ = {w}, layer {n} unit {j}, {mode}", size="9pt")
        self.g_plot.setTitle(f"<span style='color:{style.GRADIENT}'>■</span> G[t] = Σ_(s≤t) ∂E[s]/∂θ", size="9pt")
        self._fix_ranges(frame, T)
        self.info.setText(f"RTRL ({mode}) over steps 1 … {k} of {T}: S_h and S_c are carried forward with the "
                          f"values; G[T] is BPTT's dE/dθ" if k else
                          "Step forward in phase 1: RTRL computes each step's sensitivities with its values")

    def _fix_ranges(self, frame: SensitivityFrame, T: int) -> None:
        """Axes over the whole sequence, so that the curves grow into a fixed frame as the playhead moves."""
        h, n, j = frame.history, frame.layer, frame.unit
        parts = [h.S_h[n][:, j]] + ([h.S_c[n][:, j]] if h.S_c[n] is not None else [])
        for plot, values in ((self.s_plot, np.concatenate(parts)), (self.g_plot, h.G)):
            finite = values[np.isfinite(values)]
            low, high = (min(0.0, finite.min()), max(0.0, finite.max())) if finite.size else (0.0, 1.0)
            pad = 0.08 * (high - low) if high > low else 1.0
            plot.setRange(xRange=(0.5, T + 0.5), yRange=(low - pad, high + pad), padding=0)

    def _fill(self, rows: list[tuple[str, str]]) -> None:
        self.table.setRowCount(len(rows))
        for r, (name, value) in enumerate(rows):
            for c, text in enumerate((name, value)):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(r, c, item)
        self.table.resizeColumnToContents(0)

    def shown_values(self) -> dict[str, str]:
        """The table as shown: quantity → text (for tests and the screenshot)."""
        return {self.table.item(r, 0).text(): self.table.item(r, 1).text() for r in range(self.table.rowCount())}
