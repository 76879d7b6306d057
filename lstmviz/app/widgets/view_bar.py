"""The view bar: which unit's lanes the graph draws, and which gradient mode the trace is computed in."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QStyle, QWidget

from ...core.modes import MAX_TBPTT
from ..model.session import Session
from ..qt.binding import observe, signals_blocked

MODES = ("full", "cec", "tbptt")


class ViewBar(QWidget):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self._shown_mode = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(self.style().pixelMetric(QStyle.PixelMetric.PM_ToolBarItemSpacing))  # as a toolbar's items
        self.unit_label = QLabel("  unit ")
        self.unit_spin = QSpinBox(self)
        self.unit_spin.setToolTip("Which unit's lanes the graph draws (U / Shift+U)")
        self.unit_spin.valueChanged.connect(session.view.set_unit)
        self.mode_combo = QComboBox(self)
        self.mode_combo.addItems(["full BPTT", "cec (Gers)", "tbptt:K"])
        self.mode_combo.setToolTip("Which paths through time carry error back; recomputes at once")
        self.k_spin = QSpinBox(self)
        self.k_spin.setRange(1, MAX_TBPTT)  # any K a file may hold, never clamped
        self.k_spin.setPrefix("K = ")
        self.k_spin.setToolTip("Chunk length of truncated BPTT")
        self.mode_combo.currentIndexChanged.connect(self._on_mode_control)
        self.k_spin.valueChanged.connect(self._on_mode_control)
        for w in (self.unit_label, self.unit_spin, QLabel("  gradient "), self.mode_combo, self.k_spin):
            layout.addWidget(w)
        doc = session.document
        observe(self, (doc.structure_changed, self.refresh), (doc.trace_changed, self._show_mode),
                (session.view.view_changed, self.refresh))
        self.refresh()

    def step_unit(self, steps: int) -> None:
        """U / Shift+U: the next or previous unit."""
        self.unit_spin.stepBy(steps)

    def refresh(self) -> None:
        view = self.session.view
        with signals_blocked(self.unit_spin):
            self.unit_spin.setRange(0, view.max_units - 1)
            self.unit_spin.setValue(view.unit)
        for w in (self.unit_label, self.unit_spin):
            w.setVisible(view.max_units > 1)
        self._show_mode()

    def _show_mode(self) -> None:
        doc = self.session.document
        if doc.mode == self._shown_mode:
            return  # every retrace calls this: touch the controls only when the mode changed
        self._shown_mode = doc.mode
        with signals_blocked(self.mode_combo, self.k_spin):
            self.mode_combo.setCurrentIndex(MODES.index(doc.mode.kind))
            self.k_spin.setValue(doc.mode.k or min(4, doc.trace.steps))
        self.k_spin.setVisible(doc.mode.kind == "tbptt")

    def _on_mode_control(self) -> None:
        kind = MODES[self.mode_combo.currentIndex()]
        self.k_spin.setVisible(kind == "tbptt")
        self.session.document.set_mode(f"tbptt:{self.k_spin.value()}" if kind == "tbptt" else kind)
