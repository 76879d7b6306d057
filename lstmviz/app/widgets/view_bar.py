"""The view bar: which unit's lanes the graph draws, and which gradient mode the trace is computed in.

Under ``window:K`` it also says, for the selected node, which costs its δ carries (each cost E[t] sends
its error back through steps t−K+1 … t only, seed 003's truncation)."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QStyle, QWidget

from ...core.modes import LENGTH_KINDS, MAX_TBPTT, GradientMode
from ..model.graph_model import window_costs
from ..model.session import Session
from ..qt.binding import observe, signals_blocked

MODES = ("full", "cec", "tbptt", "window")
MODE_NAMES = ("full BPTT", "cec (Gers)", "tbptt:K", "window:K")
K_HELP = {"tbptt": "Chunk length of truncated BPTT: the sequence is cut into chunks of K steps and no error "
                   "crosses a chunk boundary",
          "window": "Window length: each cost E[t] sends its error back through the last K steps, t−K+1 … t "
                    "(seed 003's truncation; window:1 is tbptt:1, a window as long as the sequence is full BPTT)"}


def window_reach(mode: GradientMode, t: int, steps: int) -> tuple[str, str]:
    """What window:K means at step t (1-based) of ``steps``, short and in full: which costs reach the δ
    of step t (E[t] … E[t+K−1]) and how far back the cost of step t reaches. ("", "") for other modes."""
    if mode.kind != "window":
        return "", ""
    k = mode.k
    _, last = window_costs(mode, t, steps)
    first = max(t - k + 1, 1)
    costs = f"E[{t}]" if last == t else f"E[{t}…{last}]"
    short = f"t = {t}: δ carries {costs}"
    full = (f"Under window:{k} the δ of step {t} carries the error of {costs} only: a cost E[t′] reaches back "
            f"through steps t′−{k - 1} … t′, so later costs stop before step {t}. "
            f"E[{t}] itself reaches back to step {first}.")
    return short, full


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
        self.mode_combo.addItems(MODE_NAMES)
        self.mode_combo.setToolTip("Which paths through time carry error back; recomputes at once. tbptt:K cuts "
                                   "the sequence into chunks; window:K lets each cost reach back K steps")
        self.k_spin = QSpinBox(self)
        self.k_spin.setRange(1, MAX_TBPTT)  # any K a file may hold, never clamped
        self.k_spin.setPrefix("K = ")
        self.mode_combo.currentIndexChanged.connect(self._on_mode_control)
        self.k_spin.valueChanged.connect(self._on_mode_control)
        self.reach = QLabel(self)  # window:K at the selected step; the window shows it in its status bar
        self.reach.setContentsMargins(8, 0, 8, 0)
        self.reach.hide()
        for w in (self.unit_label, self.unit_spin, QLabel("  gradient "), self.mode_combo, self.k_spin):
            layout.addWidget(w)
        doc = session.document
        observe(self, (doc.structure_changed, self.refresh), (doc.trace_changed, self._show_mode),
                (session.view.view_changed, self.refresh), (session.view.selection_changed, self._show_reach))
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
        self._show_k(doc.mode.kind)
        self._show_reach()

    def _show_k(self, kind: str) -> None:
        self.k_spin.setVisible(kind in LENGTH_KINDS)
        self.k_spin.setToolTip(K_HELP.get(kind, ""))

    def _show_reach(self) -> None:
        """Which costs reach the selected node's δ under window:K (nothing selected: nothing said)."""
        doc, sel = self.session.document, self.session.view.selection
        short, full = window_reach(doc.mode, sel.t, doc.trace.steps) if sel is not None else ("", "")
        self.reach.setText(short)
        self.reach.setToolTip(full)
        self.reach.setVisible(bool(short))

    def _on_mode_control(self) -> None:
        kind = MODES[self.mode_combo.currentIndex()]
        self._show_k(kind)
        self.session.document.set_mode(f"{kind}:{self.k_spin.value()}" if kind in LENGTH_KINDS else kind)
