"""My arrays: the verdict on every array of theirs (File ▸ Check my arrays…), the first disagreement on top.

One row per array, in the order the engine computes what it holds: agrees ✓, differs ✗ (where first,
how many entries), absent, or not compared. Clicking a row selects its first differing node in the
graph (a gradient: its weight entry, which the inspector explains). The text follows the window's
font, so it grows with the interface and in presentation mode. Everything comes from
:class:`~lstmviz.app.model.yours.YoursCheck`; this module draws it.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...io.yours import ABSENT, AGREES, DIFFERS, Verdict
from .. import style
from ..model.session import Session
from ..model.yours import node_of, weight_of
from ..numbers import fmt
from ..qt.binding import LazyPanel, observe

COLUMNS = ("your array", "verdict", "holds")
MAX_NAMES = 4  # an array holding more quantities (a stacked weight gradient) lists the first ones
HINT = ("File ▸ Check my arrays… loads the .npz your own implementation wrote and compares it with the "
        "engine's numbers of this scenario (docs/check-arrays.md).")


class YoursPanel(LazyPanel, QWidget):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session, self.check = session, session.yours
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(self.summary, 1)
        self.clear_button = QPushButton("Clear the check")
        self.clear_button.setToolTip("Forget the loaded arrays: no marks on the graph, no “yours → engine”")
        self.clear_button.clicked.connect(self.check.clear)
        top.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels(COLUMNS)
        self.table.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.header().setStretchLastSection(True)
        self.table.itemClicked.connect(self._on_click)
        layout.addWidget(self.table, 1)
        observe(self, (self.check.changed, self.refresh), (session.document.trace_changed, self.refresh_soon))
        self.refresh()

    def _update(self) -> None:
        report = self.check.report
        self.clear_button.setEnabled(self.check.on)
        self.table.clear()
        if not self.check.on:
            self.summary.setText(HINT)
            return
        if report is None:
            self.summary.setText(f"<span style='color:{style.KINK}'>{_escape(self.check.error)}</span>")
            return
        colour = style.DIFFERS if report.first is not None else style.AGREES
        math = QFont(self.table.font())  # the window's size (larger when presenting), the serif that sets c̃
        math.setFamily(style.MATH_FAMILY)
        self.summary.setText(f"<b style='color:{colour}'>{_escape(report.summary())}</b>")
        for v in report.verdicts:
            item = QTreeWidgetItem([v.array, _verdict(v), _holds(v, report.name)])
            item.setData(0, Qt.ItemDataRole.UserRole, v.array)
            colour = style.DIFFERS if v.status == DIFFERS else (style.AGREES if v.status == AGREES else style.TEXT_DIM)
            item.setForeground(1, QBrush(QColor(colour)))
            item.setFont(2, math)
            if v.first is not None:
                item.setToolTip(1, report.describe(v.first))
            self.table.addTopLevelItem(item)

    def rows(self) -> list[tuple[str, str, str]]:
        """The table as text (for tests and the screenshot's check)."""
        return [tuple(self.table.topLevelItem(n).text(c) for c in range(len(COLUMNS)))
                for n in range(self.table.topLevelItemCount())]

    def _on_click(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        report = self.check.report
        if report is None:
            return
        v = report.verdict(item.data(0, Qt.ItemDataRole.UserRole))
        if v.first is None:
            return
        node, weight = node_of(v.first), weight_of(v.first)
        if node is not None:
            self.session.view.select(node)
        elif weight is not None:
            self.session.view.select_weight(*weight)


def _holds(v: Verdict, name) -> str:
    """The quantities an array holds, in the course's names (the trace key after them)."""
    if not v.keys:
        return v.quantity
    names = list(dict.fromkeys(name(k) for k in v.keys))
    shown = ", ".join(names[:MAX_NAMES]) + (f" … ({len(names)} quantities)" if len(names) > MAX_NAMES else "")
    return f"{shown}  ({v.quantity})"


def _verdict(v: Verdict) -> str:
    if v.status == AGREES:
        return f"agrees ✓ ({v.compared} entries)"
    if v.status == DIFFERS and v.first is not None:
        d = v.first
        where = [f"step {d.step}"] if d.step is not None else []
        where += [f"unit {d.unit}"] if d.unit is not None else ([f"entry {d.index}"] if d.index else [])
        at = f" at {', '.join(where)}" if where else ""
        return (f"differs ✗ first{at}: yours {fmt(d.yours)} → engine {fmt(d.engine)}; "
                f"{v.differing} of {v.compared} entries")
    return "absent (not in the file)" if v.status == ABSENT else v.status


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
