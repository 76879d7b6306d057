"""The main window. Until the debugger panels land it shows the scenario and its loss."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QMainWindow

from ..core import Scenario, compute
from ..io.presets import resources_dir


class MainWindow(QMainWindow):
    def __init__(self, scenario: Scenario):
        super().__init__()
        self.scenario = scenario
        trace = compute(scenario)
        self.setWindowTitle(f"lstmviz — {scenario.name}")
        self.setWindowIcon(QIcon(str(resources_dir() / "icons" / "lstmviz.svg")))
        summary = QLabel(
            f"<h2>{scenario.name}</h2><p>{scenario.description}</p>"
            f"<p>T = {trace.steps} steps, {len(scenario.model.layers)} layer(s), E = {trace.loss:.6g}</p>"
            "<p><i>The unrolled-graph debugger is under construction.</i></p>")
        summary.setWordWrap(True)
        summary.setAlignment(Qt.AlignmentFlag.AlignCenter)
        summary.setMargin(40)
        self.setCentralWidget(summary)
        self.statusBar().showMessage(f"{scenario.name} · E = {trace.loss:.6g}")
