"""Watches: expressions over the trace in the course's notation, checks against the engine, and
breakpoints that stop playback."""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...core.model import Watch
from ...io import ScenarioError
from ...io.opening import check_watches
from ...watch import WatchError, parse
from ...watch.breakpoints import DELTA_NORMS, DELTA_NORMS_DETAIL, Breakpoint
from .. import style
from ..model.equations import explain
from ..model.quantities import parse_node
from ..model.session import Session
from ..numbers import fmt
from ..qt.binding import LazyPanel, observe, signals_blocked


class WatchesPanel(LazyPanel, QWidget):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session, self.document = session, session.document
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        form = QFormLayout()
        self.expression_box = QLineEdit()
        self.expression_box.setPlaceholderText("e.g. delta_h[t]*o[t] + delta_c[t+1]*f[t+1]")
        self.equals_box = QLineEdit()
        self.equals_box.setPlaceholderText("optional: delta_c, grad W_f, w1 …")
        form.addRow("watch", self.expression_box)
        form.addRow("should equal", self.equals_box)
        layout.addLayout(form)
        row = QHBoxLayout()
        add = QPushButton("Add watch")
        add.clicked.connect(self.add_watch)
        self.expression_box.returnPressed.connect(self.add_watch)
        self.equals_box.returnPressed.connect(self.add_watch)
        remove = QPushButton("Remove")
        remove.clicked.connect(self.remove_watch)
        row.addWidget(add)
        row.addWidget(remove)
        layout.addLayout(row)
        self.message = QLabel()
        self.message.setStyleSheet(f"color: {style.KINK};")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["", "expression", "should equal", "check"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.currentCellChanged.connect(lambda *_: self._show_details())
        header = self.table.horizontalHeader()
        for column, mode in ((0, QHeaderView.ResizeMode.ResizeToContents), (1, QHeaderView.ResizeMode.Stretch),
                             (2, QHeaderView.ResizeMode.ResizeToContents), (3, QHeaderView.ResizeMode.Interactive)):
            header.setSectionResizeMode(column, mode)
        self.table.setColumnWidth(3, 190)
        self.table.setWordWrap(False)
        layout.addWidget(self.table, 1)
        self.details = QTextBrowser()
        self.details.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.details, 1)
        layout.addWidget(self._breakpoint_box())
        observe(self, (self.document.watches_changed, self.refresh), (self.document.structure_changed, self.refresh))

    # -- watches ------------------------------------------------------------------------------------
    def add_watch(self) -> bool:
        """The typed watch, evaluated once on the trace first; refused (with why) if it does not evaluate."""
        text, equals = self.expression_box.text().strip(), self.equals_box.text().strip() or None
        watches = self.document.scenario.watches + [Watch(text, equals)]
        try:
            parse(text)
            check_watches(watches, self.document.trace, "Watches panel")
        except WatchError as e:
            self.message.setText(f"refused: {e}")
            return False
        except ScenarioError as e:
            self.message.setText(f"refused: {e.message}")
            return False
        self.message.clear()
        self.document.set_watches(watches, f"watch w{len(watches)}: {text}")
        self.expression_box.clear()
        self.equals_box.clear()
        self.table.setCurrentCell(len(watches) - 1, 1)
        return True

    def remove_watch(self) -> None:
        row = self.table.currentRow()
        watches = self.document.scenario.watches
        if 0 <= row < len(watches):
            self.document.set_watches(watches[:row] + watches[row + 1:], f"remove watch w{row + 1}")

    def _update(self) -> None:
        """The table, the details and the breakpoint choices (only when on screen: it catches up when shown)."""
        doc = self.document
        current = self.table.currentRow()
        self.table.setRowCount(len(doc.scenario.watches))
        for n, w in enumerate(doc.scenario.watches):
            status = doc.watches[n].error or ""
            result = doc.watches[n].check
            if not status and result is not None:
                status = "✓ agrees" if result.agree else f"✗ first differs at t = {result.t}, unit {result.unit}"
            for c, text in enumerate((f"w{n + 1}", w.expression, w.equals or "", status)):
                self.table.setItem(n, c, QTableWidgetItem(text))
        if 0 <= current < self.table.rowCount():
            self.table.setCurrentCell(current, 1)
        self._show_details()
        self._refresh_watch_choices()

    def _show_details(self) -> None:
        doc, n = self.document, self.table.currentRow()
        if not 0 <= n < len(doc.scenario.watches):
            self.details.setHtml("<p>Type an expression over the trace — h[t], c[t−1], delta_c[t+1], W_i @ x[t], "
                                 "sum(… for t), l1.h[t][0], dsigmoid(a_f[t]) — and optionally what it should equal. "
                                 "Each watch is a lane in the graph (w1, w2 …) and a curve in the plots.</p>")
            return
        w, result, error = doc.scenario.watches[n], doc.watches[n].check, doc.watches[n].error
        parts = [f"<p><b>w{n + 1}</b> = {html.escape(w.expression)}</p>"]
        if error:
            parts.append(f"<p style='color:{style.KINK}'>{html.escape(error)}</p>")
        elif result is not None and not result.agree:
            parts.append(f"<p><b>{html.escape(result.message)}</b></p><table><tr><th align='left'>your terms</th>"
                         "<th></th></tr>")
            parts += [f"<tr><td>{html.escape(term.text)}</td><td align='right'>{html.escape(fmt(term.value))}</td></tr>"
                      for term in result.user_terms]
            parts.append(f"<tr><td><b>your sum</b></td><td align='right'><b>{html.escape(fmt(result.user))}</b></td>"
                         "</tr></table>")
            parts.append(self._engine_terms(w.equals, result))
        elif result is not None:
            parts.append(f"<p>✓ {html.escape(result.message)}</p>")
        self.details.setHtml("".join(parts))

    def _engine_terms(self, target: str, result) -> str:
        """The engine's own breakdown of the target at the failing step, when it is a node's δ or value."""
        trace = self.document.trace
        if result.t is None:
            return f"<p>{html.escape(target)} = {html.escape(fmt(result.engine))}</p>"
        try:
            node = parse_node(f"{target.replace('delta_', '').strip()}[{result.t}][{result.unit}]", trace)
        except ValueError:
            return f"<p>{html.escape(target)}[{result.t}] = {html.escape(fmt(result.engine))}</p>"
        ex = explain(trace, node)
        rows = "".join(f"<tr><td>{html.escape(term.text)}</td><td align='right'>{html.escape(fmt(term.value))}</td>"
                       f"<td>{html.escape(term.note)}</td></tr>" for term in ex.delta_terms)
        total = ex.delta if "delta" in target else ex.value
        return (f"<table><tr><th align='left'>the engine's terms ({html.escape(ex.delta_equation)})</th></tr>{rows}"
                f"<tr><td><b>engine</b></td><td align='right'><b>{html.escape(fmt(total))}</b></td></tr></table>")

    # -- breakpoints --------------------------------------------------------------------------------
    def _breakpoint_box(self) -> QGroupBox:
        box = QGroupBox("Breakpoints (stop playback; F8 continues)")
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # a narrow dock: thresholds go under
        self.bp_nonfinite = QCheckBox("a value, ε or δ is not finite")
        self.bp_below = QCheckBox(f"{DELTA_NORMS} below")
        self.bp_below.setToolTip(f"Vanishing: stop when {DELTA_NORMS_DETAIL} is below the threshold")
        self.bp_below_value = QDoubleSpinBox()
        self.bp_below_value.setDecimals(8)
        self.bp_below_value.setRange(0, 1e6)
        self.bp_below_value.setValue(1e-6)
        self.bp_above = QCheckBox(f"{DELTA_NORMS} above")
        self.bp_above.setToolTip(f"Exploding: stop when {DELTA_NORMS_DETAIL} is above the threshold")
        self.bp_above_value = QDoubleSpinBox()
        self.bp_above_value.setRange(0, 1e12)
        self.bp_above_value.setValue(100.0)
        self.bp_saturation = QCheckBox("a gate saturates (σ̇ < 1e-3 or on a kink)")
        self.bp_watch = QCheckBox("a watch is true")
        self.bp_watch_choice = QComboBox()
        self.bp_watch_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.bp_watch_choice.setMinimumContentsLength(16)
        form.addRow(self.bp_nonfinite)
        form.addRow(self.bp_below, self.bp_below_value)
        form.addRow(self.bp_above, self.bp_above_value)
        form.addRow(self.bp_saturation)
        form.addRow(self.bp_watch, self.bp_watch_choice)
        for w in (self.bp_nonfinite, self.bp_below, self.bp_above, self.bp_saturation, self.bp_watch):
            w.toggled.connect(self._on_breakpoints)
        for w in (self.bp_below_value, self.bp_above_value):
            w.valueChanged.connect(self._on_breakpoints)
        self.bp_watch_choice.currentIndexChanged.connect(self._on_breakpoints)
        return box

    def _refresh_watch_choices(self) -> None:
        with signals_blocked(self.bp_watch_choice):
            self.bp_watch_choice.clear()
            for n, w in enumerate(self.document.scenario.watches):
                self.bp_watch_choice.addItem(f"w{n + 1}: {w.expression}", w.expression)
        self._on_breakpoints()

    def _on_breakpoints(self, *_) -> None:
        bps = []
        if self.bp_nonfinite.isChecked():
            bps.append(Breakpoint("nonfinite"))
        if self.bp_below.isChecked():
            bps.append(Breakpoint("delta_below", self.bp_below_value.value()))
        if self.bp_above.isChecked():
            bps.append(Breakpoint("delta_above", self.bp_above_value.value()))
        if self.bp_saturation.isChecked():
            bps.append(Breakpoint("saturation"))
        if self.bp_watch.isChecked() and self.bp_watch_choice.currentData():
            bps.append(Breakpoint("watch", expression=self.bp_watch_choice.currentData()))
        self.session.playback.set_breakpoints(bps)
