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

from ..diff import diff_traces
from ..equations import fmt
from ..session import Session
from . import on_screen, signals_blocked

SHOWN = 12


class ComparePanel(QWidget):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        buttons = QHBoxLayout()
        self.pin_button = QPushButton("Pin current trace")
        self.pin_button.setToolTip("Keep these values, δ and gradients to compare with later (Ctrl+P)")
        self.pin_button.clicked.connect(lambda: session.pin())
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
        self.show_diff.toggled.connect(lambda on: session.set_compare(session.compare, on))
        layout.addWidget(self.show_diff)
        self.summary = QTextBrowser()
        self.summary.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.summary, 1)
        session.snapshotsChanged.connect(self._on_snapshots_change)
        session.traceChanged.connect(self._refresh_summary)
        session.scenarioChanged.connect(self._on_snapshots_change)
        self._on_snapshots_change()

    def _on_snapshots_change(self) -> None:
        s = self.session
        with signals_blocked(self.list, self.show_diff):
            self.list.clear()
            for snap in s.snapshots:
                item = QListWidgetItem(snap.name)
                item.setToolTip(f"E = {snap.trace.loss:.6g}, gradient {snap.trace.mode}; double-click to rename")
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                self.list.addItem(item)
            if s.compare in s.snapshots:
                self.list.setCurrentRow(s.snapshots.index(s.compare))
            self.show_diff.setChecked(s.show_diff)
            self.show_diff.setEnabled(s.compare is not None)
        self.remove_button.setEnabled(s.compare is not None)
        self._refresh_summary()

    def _on_row(self, row: int) -> None:
        s = self.session
        if 0 <= row < len(s.snapshots):
            s.set_compare(s.snapshots[row])

    def _on_renamed(self, item: QListWidgetItem) -> None:
        row = self.list.row(item)
        name = item.text().strip()
        if 0 <= row < len(self.session.snapshots) and name:
            self.session.rename_snapshot(self.session.snapshots[row], name)

    def _remove(self) -> None:
        if self.session.compare is not None:
            self.session.remove_snapshot(self.session.compare)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._refresh_summary()

    def _refresh_summary(self) -> None:
        if not on_screen(self):
            return  # refreshed when its tab comes up
        s = self.session
        if s.compare is None:
            self.summary.setHtml("<p>Pin a trace, then edit a weight or switch the gradient mode: this panel "
                                 "lists the gradients that changed sign, vanished or appeared.</p>")
            return
        d = diff_traces(s.compare.trace, s.trace)
        parts = [f"<p><b>{html.escape(s.compare.name)}</b> ({s.compare.trace.mode}) → now ({s.trace.mode})</p>",
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
