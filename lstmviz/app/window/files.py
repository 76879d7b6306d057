"""Files in and out of the window: open (files, presets, recent), save, import weights, export
pictures, traces, tables and frames. A bad file is a dialog with its one-line reason; the current
document and its history stay as they were."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from ...io import ScenarioError
from ...io.atomic import atomic_writer, write_text_atomic
from ...io.export import lanes_table, trace_to_csv
from ...io.weights import export_weights, import_weights
from ..model.lanes import table_rows
from .exports import copy_image, export_frames, graph_image, save_graph, save_widget

if TYPE_CHECKING:
    from .main_window import MainWindow

MAX_RECENT = 8
EXPORT_DEFAULTS = {"graph": "graph.png", "plots": "plots.png", "window": "window.png", "trace": "trace.csv"}
EXPORT_FILTERS = {"graph": "Graph (*.png *.svg)", "plots": "Plots (*.png *.svg)", "window": "Window (*.png *.svg)",
                  "trace": "Trace (*.npz *.csv)"}


class Files:
    def __init__(self, window: MainWindow):
        self.window = window
        self.session = window.session

    # -- open and save ---------------------------------------------------------------------------------
    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open scenario", str(Path.home()), "Scenarios (*.json)")
        if path:
            self.open(path)

    def open(self, spec: str) -> bool:
        """Open a file or preset; a bad file shows its one-line error and keeps the current scenario.
        Presenting, it opens at the start of phase 1 (a new story for the hall); otherwise everything is
        computed, for looking up any number at once."""
        if not self.confirm_discard():
            return False
        try:
            self.session.open(spec, self.window.memory_budget())
        except ScenarioError as e:
            self.window.show_error("Cannot open scenario", str(e))
            return False
        if self.session.document.path is not None:
            self.remember(str(self.session.document.path.resolve()))
        if self.window.presenter.presenting:
            self.session.playback.go_start()
        return True

    def save(self) -> bool:
        path = self.session.document.path
        return self.save_as() if path is None else self.save_to(path)

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self.window, "Save scenario", str(Path.home() / "scenario.json"),
                                              "Scenarios (*.json)")
        return bool(path) and self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        try:
            self.session.document.save(path)
        except ScenarioError as e:  # a number that is not finite: the file is left as it was
            self.window.show_error("Cannot save scenario", str(e))
            return False
        except OSError as e:
            self.window.show_error("Cannot save scenario", f"{path}: cannot be written: {e.strerror}")
            return False
        self.remember(str(Path(path).resolve()))
        return True

    def confirm_discard(self) -> bool:
        """Unsaved changes: save them, discard them, or cancel (False) what was about to replace them."""
        doc = self.session.document
        if not doc.dirty:
            return True
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(self.window, "Unsaved changes", f"“{doc.name}” has unsaved changes. Save them "
                                      "first?", buttons.Save | buttons.Discard | buttons.Cancel)
        if answer == buttons.Save:
            return self.save()
        return answer == buttons.Discard

    # -- recent files ----------------------------------------------------------------------------------
    def remember(self, path: str) -> None:
        recent = [p for p in self.recent_files() if p != path]
        self.window.settings.setValue("recent", [path] + recent[:MAX_RECENT - 1])
        self.window.refresh_recent()

    def recent_files(self) -> list[str]:
        value = self.window.settings.value("recent", [])
        return [value] if isinstance(value, str) else list(value or [])

    # -- import ------------------------------------------------------------------------------------------
    def import_dialog(self, layout: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, f"Import {layout} weights", str(Path.home()),
                                              "Weights (*.npz)")
        if path:
            self.import_weights(path, layout)

    def import_weights(self, path: str, layout: str) -> bool:
        """Weights from another library's file, as one undoable edit; a bad file is a dialog."""
        doc = self.session.document
        try:
            export_weights(doc.scenario, layout, doc.name)  # the scenario's layers must be exchangeable
            values = import_weights(doc.scenario, path, layout)
        except ScenarioError as e:
            self.window.show_error("Cannot import weights", str(e))
            return False
        doc.set_arrays(values, f"import {layout} weights from {Path(path).name}")
        return True

    # -- export ------------------------------------------------------------------------------------------
    def export_dialog(self, what: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, f"Export the {what}",
                                              str(Path.home() / EXPORT_DEFAULTS[what]), EXPORT_FILTERS[what])
        if path:
            self.export_to(what, path)

    def export_to(self, what: str, path: str | Path) -> bool:
        """Write the graph, the plots, the window or the trace to ``path`` (by its extension)."""
        path, w = Path(path), self.window
        if what == "plots":
            w.plots.catch_up()  # behind another tab its curves wait for the tab (a LazyPanel)
        try:
            if what == "trace":
                self._write_trace(path)
            elif not (save_graph(w.graph, path) if what == "graph" else save_widget(w.plots if what == "plots" else w,
                                                                                     path)):
                raise OSError(0, "the image could not be written")
        except OSError as e:
            w.show_error("Cannot export", f"{path}: cannot be written: {e.strerror}")
            return False
        w.statusBar().showMessage(f"wrote {path}", 4000)
        return True

    def _write_trace(self, path: Path) -> None:
        trace = self.session.document.trace
        if path.suffix.lower() == ".csv":
            write_text_atomic(path, trace_to_csv(trace))
        else:
            with atomic_writer(path) as f:
                np.savez(f, **trace.arrays)

    def copy_graph(self) -> None:
        """The same labelled picture as File ▸ Export ▸ Graph (PNG), for pasting into slides."""
        copy_image(graph_image(self.window.graph))
        self.window.statusBar().showMessage("copied the graph with its title, scale and labels to the clipboard", 4000)

    def copy_table(self, style: str) -> None:
        s = self.session
        QGuiApplication.clipboard().setText(lanes_table(s.document.trace, table_rows(s.document, s.view), style))
        self.window.statusBar().showMessage(f"copied a {style} table of the lanes to the clipboard", 4000)

    def export_frames_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Folder for the frames", str(Path.home()))
        if folder:
            playback = self.session.playback
            where = playback.playhead
            frames = export_frames(playback, self.window.grab, folder, QApplication.processEvents)
            playback.set_playhead(where)
            self.window.statusBar().showMessage(f"wrote {len(frames)} frames to {folder}", 4000)
