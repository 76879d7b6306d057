"""File ▸ Check my arrays…: their implementation's arrays (an .npz) against the engine, in the window.

The dialog asks for the file, then for the names it uses (the trace's keys, a built-in layout —
pytorch, keras, karpathy — or a mapping JSON file); the last choice is remembered. A bad file is the
window's usual one-line error dialog naming the file and the array or field; the document and its
history are untouched. A good one is held by the session's :class:`~lstmviz.app.model.yours.YoursCheck`;
then the first disagreement is selected, shown in the graph and the inspector, and the My arrays
panel comes up.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QInputDialog

from ...core.phases import Phase
from ...io import ScenarioError
from ..model.yours import MAPPINGS, lane_of, node_of, weight_of

if TYPE_CHECKING:
    from .main_window import MainWindow

MAPPING_FILE = "a mapping JSON file…"
CHOICES = (*MAPPINGS, MAPPING_FILE)


class ArraysCheck:
    def __init__(self, window: MainWindow):
        self.window = window
        self.session = window.session

    def dialog(self) -> None:
        """Ask for the .npz and its names, then check it."""
        w, settings = self.window, self.window.settings
        folder = str(settings.value("check_folder", str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(w, "Check my arrays: the .npz your code wrote", folder,
                                              "Arrays (*.npz)")
        if not path:
            return
        settings.setValue("check_folder", str(Path(path).parent))
        last = str(settings.value("check_mapping", CHOICES[0]))
        choice, ok = QInputDialog.getItem(w, "Check my arrays", f"The names in {Path(path).name} are:", list(CHOICES),
                                          CHOICES.index(last) if last in CHOICES else 0, False)
        if not ok:
            return
        mapping: str | None = None if choice == CHOICES[0] else choice
        if choice == MAPPING_FILE:
            mapping, _ = QFileDialog.getOpenFileName(w, "The mapping of your names to trace keys",
                                                     str(Path(path).parent), "Mappings (*.json)")
            if not mapping:
                return
        settings.setValue("check_mapping", choice)
        self.load(path, mapping)

    def load(self, path: str | Path, mapping: str | None = None) -> bool:
        """Check the arrays at ``path`` (``mapping``: None, a layout's name or a JSON file); a bad file is
        an error dialog and changes nothing."""
        try:
            report = self.session.yours.load(path, mapping)
        except ScenarioError as e:
            self.window.show_error("Cannot check the arrays", str(e))
            return False
        self.window.docks["yours"].show()
        self.window.docks["yours"].raise_()
        self.window.statusBar().showMessage(report.summary(), 0)
        self.show_first()
        return True

    def show_first(self) -> None:
        """Select the first disagreement (a node or a gradient's weight entry), everything computed, in the
        view (values or δ) that shows it; the graph scrolls to it."""
        report = self.session.yours.report
        if report is None or report.first is None:
            return
        s, d = self.session, report.first
        if not self.window.presenter.presenting:
            s.playback.go_end()
        node, weight = node_of(d), weight_of(d)
        if weight is not None:
            s.view.select_weight(*weight)
            return
        if node is None:
            return
        lane = lane_of(d.key)
        s.view.set_view("forward" if lane[2] == "value" or d.phase == Phase.FORWARD else "backward")
        s.view.select(node)
        graph = self.window.graph
        if graph.far_out():
            graph.fit_readable()
        else:
            graph.centerOn(graph.node_item(node))
