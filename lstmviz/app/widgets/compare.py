"""Pinned snapshots: pin the current trace, pick one to compare with, read what changed."""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..model.diff import diff_traces
from ..model.session import Session
from ..numbers import fmt
from ..qt.binding import observe, on_screen, signals_blocked

SHOWN = 12


class ComparePanel(QWidget):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session, self.comparison = session, session.comparison
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        buttons = QHBoxLayout()
        self.pin_button = QPushButton("Pin current trace")
        self.pin_button.setToolTip("Keep these values, δ and gradients to compare with later (Ctrl+P)")
        self.pin_button.clicked.connect(lambda: self.comparison.pin())
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self._remove)
        buttons.addWidget(self.pin_button)
        buttons.addWidget(self.remove_button)
        layout.addLayout(buttons)
        self.list = QListWidget()
        self.list.setMaximumHeight(110)
        self.list.currentRowChanged.connect(self._on_row)
        self.list.itemChanged.connect(self._on_renamed)
        layout.addWidget(self.list)
        self.show_diff = QCheckBox("Show the differences in the graph (D)")
        self.show_diff.toggled.connect(lambda on: self.comparison.set_compare(self.comparison.compare, on))
        layout.addWidget(self.show_diff)
        self.summary = QTextBrowser()
        self.summary.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.summary, 1)
        observe(self, (self.comparison.changed, self.refresh), (session.document.structure_changed, self.refresh),
                (session.document.trace_changed, self.refresh_summary))
        self.refresh()

    def refresh(self) -> None:
        """The list of snapshots, then the summary against the compared one."""
        c = self.comparison
        with signals_blocked(self.list, self.show_diff):
            self.list.clear()
            for snap in c.snapshots:
                item = QListWidgetItem(snap.name)
                item.setToolTip(f"E = {fmt(snap.trace.loss)}, gradient {snap.trace.mode}; "
                                "double-click to rename")
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                self.list.addItem(item)
            if c.compare in c.snapshots:
                self.list.setCurrentRow(c.snapshots.index(c.compare))
            self.show_diff.setChecked(c.show_diff)
            self.show_diff.setEnabled(c.compare is not None)
        self.remove_button.setEnabled(c.compare is not None)
        self.refresh_summary()

    def _on_row(self, row: int) -> None:
        c = self.comparison
        if 0 <= row < len(c.snapshots):
            c.set_compare(c.snapshots[row])

    def _on_renamed(self, item: QListWidgetItem) -> None:
        row = self.list.row(item)
        name = item.text().strip()
        if 0 <= row < len(self.comparison.snapshots) and name:
            self.comparison.rename(self.comparison.snapshots[row], name)

    def _remove(self) -> None:
        if self.comparison.compare is not None:
            self.comparison.remove(self.comparison.compare)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh_summary()

    def refresh_summary(self) -> None:
        """What changed against the compared snapshot (only when on screen: it catches up when shown)."""
        if not on_screen(self):
            return
        s = self.session
        compare = self.comparison.compare
        if compare is None:
            self.summary.setHtml("<p>Pin a trace, then edit a weight or switch the gradient mode: this panel "
                                 "lists the gradients that changed sign, vanished or appeared.</p>")
            return
        trace = s.document.trace
        d = diff_traces(compare.trace, trace)
        parts = [f"<p><b>{html.escape(compare.name)}</b> ({compare.trace.mode}) → now ({trace.mode})</p>",
                 f"<p>E: {fmt(d.loss_old)} → {fmt(d.loss_new)}<br>δ values changed: {d.changed_deltas} of "
                 f"{d.total_deltas}</p>"]
        for title, changes in (("changed sign", d.sign_flips), ("vanished", d.vanished), ("appeared", d.appeared)):
            if changes:
                rows = "".join(f"<li>{html.escape(c.label)}: {fmt(c.old)} → {fmt(c.new)}</li>"
                               for c in changes[:SHOWN])
                more = f"<li>… and {len(changes) - SHOWN} more</li>" if len(changes) > SHOWN else ""
                parts.append(f"<p><b>Gradients that {title}</b> ({len(changes)})</p><ul>{rows}{more}</ul>")
        if not (d.sign_flips or d.vanished or d.appeared):
            parts.append("<p>No gradient changed sign, vanished or appeared.</p>")
        self.summary.setHtml("".join(parts))
