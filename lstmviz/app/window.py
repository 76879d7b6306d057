"""The main window: the unrolled graph in the centre, the inspector at the side, plots below,
the playhead bar on top, menus, and a status bar that always says where we are."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QFont,
    QGuiApplication,
    QIcon,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTabBar,
    QTabWidget,
    QToolBar,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

from ..io import ScenarioError, list_presets
from ..io.atomic import atomic_writer, write_text_atomic
from ..io.export import (
    LAYOUTS,
    export_weights,
    import_weights,
    lanes_table,
    trace_to_csv,
)
from ..io.presets import resources_dir
from . import style
from .exports import copy_image, export_frames, graph_image, save_graph, save_widget
from .session import Session
from .style import COLOUR_MAPS, LABELS, THEMES

PRESENT_SCALE = 1.6  # type and node labels in presentation mode, on top of the interface size
from .widgets import signals_blocked
from .widgets.analysis_panel import AnalysisPanel
from .widgets.compare import ComparePanel
from .widgets.graph_view import MIN_READABLE_ZOOM, GraphView, LegendBar
from .widgets.inspector import Inspector
from .widgets.plots import PlotsPanel
from .widgets.train_panel import TrainPanel
from .widgets.transport import TransportBar
from .widgets.watches import WatchesPanel
from .widgets.weight_editor import WeightEditor

MAX_RECENT = 8
MODES = ("full", "cec", "tbptt")


class MainWindow(QMainWindow):
    def __init__(self, session: Session, settings: QSettings | None = None):
        super().__init__()
        self.session = session
        self.settings = settings or QSettings("lstmviz", "lstmviz")
        self.error_box: QMessageBox | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # pyqtgraph items must go before the interpreter
        self.setWindowIcon(QIcon(str(resources_dir() / "icons" / "lstmviz.svg")))
        self.graph = GraphView(session, self)
        self.legend = LegendBar(self.graph)
        self.setCentralWidget(self._central())
        self.inspector = Inspector(session, self)
        self.plots = PlotsPanel(session, self)
        self.transport = TransportBar(session, self)
        self.weights = WeightEditor(session, self)
        self.train_panel = TrainPanel(session, self)
        self.compare = ComparePanel(session, self)
        self.history = QUndoView(session.undo_stack)
        self.history.setEmptyLabel("(as opened)")
        self.analysis = AnalysisPanel(session, self)
        self.watches = WatchesPanel(session, self)
        self._docks()
        self._toolbars()
        self._menus()
        self._status_bar()
        session.scenarioChanged.connect(self._on_scenario_change)
        session.traceChanged.connect(self._update_status)
        session.playheadChanged.connect(self._update_status)
        session.viewChanged.connect(self._on_view_change)
        session.snapshotsChanged.connect(self._on_view_change)
        session.undo_stack.cleanChanged.connect(self._update_title)
        session.breakpointHit.connect(lambda text: self.statusBar().showMessage(text, 0))
        self._fitted = False
        self._shown_mode = None
        self.presenting = False
        self._normal_state = None
        self.ui_zoom = 1.0
        self._base_font = QApplication.font()
        self.set_look(theme=self.settings.value("theme", "light"), colour_map=self.settings.value("colour_map",
                                                                                                "diverging"))
        self.set_ui_zoom(float(self.settings.value("ui_zoom", 1.0)))
        self._on_scenario_change()
        self._on_view_change()
        self._restore_layout()

    # -- construction --------------------------------------------------------------------------------
    def _central(self) -> QWidget:
        """The graph with its colour legend above it."""
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        top = QHBoxLayout()
        top.setContentsMargins(8, 2, 8, 2)
        self.view_title = QLabel()
        self.view_title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens
        top.addWidget(self.view_title, 1)
        top.addWidget(self.legend)
        layout.addLayout(top)
        layout.addWidget(self.graph, 1)
        return central

    def _docks(self) -> None:
        self.inspector_dock = self._dock("Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea)
        self.weights_dock = self._dock("Weights", self.weights, Qt.DockWidgetArea.RightDockWidgetArea, scroll=True)
        self.train_dock = self._dock("Train", self.train_panel, Qt.DockWidgetArea.RightDockWidgetArea, scroll=True)
        self.compare_dock = self._dock("Compare", self.compare, Qt.DockWidgetArea.RightDockWidgetArea)
        self.history_dock = self._dock("History", self.history, Qt.DockWidgetArea.RightDockWidgetArea)
        self.analysis_dock = self._dock("Analyses", self.analysis, Qt.DockWidgetArea.RightDockWidgetArea)
        self.watches_dock = self._dock("Watches", self.watches, Qt.DockWidgetArea.RightDockWidgetArea, scroll=True)
        # seven panels share the right side: their tabs run down its edge, where every title fits
        self.setTabPosition(Qt.DockWidgetArea.RightDockWidgetArea, QTabWidget.TabPosition.East)
        for dock in (self.weights_dock, self.train_dock, self.compare_dock, self.history_dock, self.analysis_dock,
                     self.watches_dock):
            self.tabifyDockWidget(self.inspector_dock, dock)
        self.inspector_dock.raise_()
        # panels skip refreshes behind another tab; bring them up to date when their tab comes up
        self.weights_dock.visibilityChanged.connect(lambda on: on and self.weights._refresh())
        self.compare_dock.visibilityChanged.connect(lambda on: on and self.compare._refresh_summary())
        self.analysis_dock.visibilityChanged.connect(lambda on: on and self.analysis.refresh_if_stale())
        self.watches_dock.visibilityChanged.connect(lambda on: on and self.watches.refresh_if_stale())
        self.plots_dock = self._dock("Plots", self.plots, Qt.DockWidgetArea.BottomDockWidgetArea)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea, scroll: bool = False) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title.lower())
        if scroll:  # a tall panel scrolls rather than forcing the window to grow
            area_widget = QScrollArea()
            area_widget.setWidgetResizable(True)
            area_widget.setWidget(widget)
            widget = area_widget
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _toolbars(self) -> None:
        bar = QToolBar("Playback", self)
        bar.setObjectName("playback")
        bar.setMovable(False)
        bar.addWidget(self.transport)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.addToolBarBreak()
        view = QToolBar("View", self)
        view.setObjectName("view")
        view.setMovable(False)
        self.view_group = QActionGroup(self)
        self.forward_action = self._action("&Forward view (values)", "F2", lambda: self.session.set_view("forward"),
                                           checkable=True)
        self.backward_action = self._action("&Backward view (δ and gradient flow)", "F3",
                                            lambda: self.session.set_view("backward"), checkable=True)
        for a in (self.forward_action, self.backward_action):
            self.view_group.addAction(a)
        self.forward_action.setChecked(True)
        self.forward_action.setIconText("Forward: values")
        self.backward_action.setIconText("Backward: δ")
        view.addAction(self.forward_action)
        view.addAction(self.backward_action)
        view.addSeparator()
        self.unit_label = QLabel("  unit ")
        self.unit_spin = QSpinBox(self)
        self.unit_spin.setToolTip("Which unit's lanes the graph draws (U / Shift+U)")
        self.unit_spin.valueChanged.connect(self.session.set_unit)
        self.unit_label_action = view.addWidget(self.unit_label)
        self.unit_spin_action = view.addWidget(self.unit_spin)
        view.addWidget(QLabel("  gradient "))
        self.mode_combo = QComboBox(self)
        self.mode_combo.addItems(["full BPTT", "cec (Gers)", "tbptt:K"])
        self.mode_combo.setToolTip("Which paths through time carry error back; recomputes at once")
        self.k_spin = QSpinBox(self)
        self.k_spin.setRange(1, 100_000)
        self.k_spin.setPrefix("K = ")
        self.k_spin.setToolTip("Chunk length of truncated BPTT")
        self.mode_combo.currentIndexChanged.connect(self._on_mode_control)
        self.k_spin.valueChanged.connect(self._on_mode_control)
        view.addWidget(self.mode_combo)
        self.k_spin_action = view.addWidget(self.k_spin)
        view.addSeparator()
        self.fit_action = self._action("&Fit to window (presenting: jump to the selection)", "F", self._on_fit_key)
        self.fit_action.setIconText("Fit to window")
        view.addAction(self.fit_action)
        self.heat_action = self._action("&All-units strip", "H", self._on_heat_toggle, checkable=True)
        view.addAction(self.heat_action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, view)
        self.view_toolbar = view

    def _menus(self) -> None:
        s = self.session
        m = self.menuBar().addMenu("&File")
        m.addAction(self._action("&Open…", QKeySequence.StandardKey.Open, self.open_dialog))
        self.recent_menu = m.addMenu("Open &Recent")
        presets = m.addMenu("&Presets")
        presets.setToolTipsVisible(True)
        for p in list_presets():
            a = presets.addAction(p.title)
            a.setToolTip(p.description)
            a.setStatusTip(p.summary)
            a.triggered.connect(lambda _=False, key=p.key: self.open_scenario(key))
        m.addSeparator()
        m.addAction(self._action("&Save", QKeySequence.StandardKey.Save, self.save))
        m.addAction(self._action("Save &As…", QKeySequence.StandardKey.SaveAs, self.save_as))
        m.addSeparator()
        export = m.addMenu("&Export")
        export.addAction(self._action("&Graph as PNG (2×) or SVG…", "Ctrl+E", lambda: self._export(
            "graph", "Graph (*.png *.svg)")))
        export.addAction(self._action("&Plots as PNG (2×) or SVG…", None, lambda: self._export(
            "plots", "Plots (*.png *.svg)")))
        export.addAction(self._action("&Window as PNG (2×) or SVG…", None, lambda: self._export(
            "window", "Window (*.png *.svg)")))
        export.addAction(self._action("&Copy the graph to the clipboard", "Ctrl+Shift+C",
                                      lambda: copy_image(graph_image(self.graph))))
        export.addSeparator()
        export.addAction(self._action("&Trace as NPZ or CSV…", None, lambda: self._export(
            "trace", "Trace (*.npz *.csv)")))
        export.addAction(self._action("Lanes as a &Markdown table (clipboard)", None, lambda: self._copy_table("markdown")))
        export.addAction(self._action("Lanes as a &LaTeX table (clipboard)", None, lambda: self._copy_table("latex")))
        export.addAction(self._action("&Frames of an epoch (numbered PNGs)…", None, self._export_frames))
        imports = m.addMenu("&Import weights")
        for layout in LAYOUTS:
            imports.addAction(self._action(f"{'PyTorch' if layout == 'pytorch' else 'Keras'} layout (.npz)…", None,
                                           lambda _=False, lay=layout: self._import_weights(lay)))
        m.addSeparator()
        m.addAction(self._action("&Quit", QKeySequence.StandardKey.Quit, self.close))
        e = self.menuBar().addMenu("&Edit")
        undo = s.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = s.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        e.addAction(undo)
        e.addAction(redo)
        e.addSeparator()
        e.addAction(self._action("&Pin the current trace", "Ctrl+P", lambda: self.session.pin()))
        v = self.menuBar().addMenu("&View")
        v.addAction(self.forward_action)
        v.addAction(self.backward_action)
        v.addSeparator()
        v.addAction(self._action("&Next unit", "U", lambda: self.unit_spin.stepBy(1)))
        v.addAction(self._action("&Previous unit", "Shift+U", lambda: self.unit_spin.stepBy(-1)))
        v.addSeparator()
        v.addAction(self.fit_action)
        v.addAction(self._action("Zoom the graph &in", "+", lambda: self.graph.zoom(1.25)))
        v.addAction(self._action("Zoom the graph &out", "-", lambda: self.graph.zoom(0.8)))
        v.addSeparator()
        v.addAction(self._action("&Larger interface", "Ctrl+=", lambda: self.set_ui_zoom(self.ui_zoom * 1.15)))
        v.addAction(self._action("&Smaller interface", "Ctrl+-", lambda: self.set_ui_zoom(self.ui_zoom / 1.15)))
        v.addAction(self._action("&Reset interface size", "Ctrl+0", lambda: self.set_ui_zoom(1.0)))
        self.present_action = self._action("&Presentation mode", "F5", lambda: self.set_presentation(
            not self.presenting), checkable=True)
        v.addAction(self.present_action)
        theme_menu = v.addMenu("&Theme")
        self.theme_group = QActionGroup(self)
        for key, label in (("light", "&Light"), ("contrast", "&High contrast (projector)"), ("dark", "&Dark")):
            a = self._action(label, None, lambda _=False, k=key: self.set_look(theme=k), checkable=True)
            a.setData(key)
            self.theme_group.addAction(a)
            theme_menu.addAction(a)
        cmap_menu = v.addMenu("&Colour map")
        self.cmap_group = QActionGroup(self)
        for key, label in (("diverging", "&Diverging (blue–white–red)"),
                           ("cividis", "&Cividis (colour-blind and greyscale safe)")):
            a = self._action(label, None, lambda _=False, k=key: self.set_look(colour_map=k), checkable=True)
            a.setData(key)
            self.cmap_group.addAction(a)
            cmap_menu.addAction(a)
        self.preset_keys = []
        for n, preset in enumerate(list_presets()[:9], start=1):  # presenting: a number key opens a preset
            a = self._action(f"Preset {n}: {preset.title}", str(n), lambda _=False, k=preset.key: self.open_scenario(k))
            a.setEnabled(False)
            self.preset_keys.append(a)
        v.addAction(self.heat_action)
        v.addSeparator()
        v.addAction(self._action("&Show differences from the pinned trace", "D", self._toggle_diff))
        v.addSeparator()
        for dock in (self.inspector_dock, self.weights_dock, self.train_dock, self.compare_dock, self.history_dock,
                     self.analysis_dock, self.watches_dock, self.plots_dock):
            v.addAction(dock.toggleViewAction())
        p = self.menuBar().addMenu("&Step")
        t = self.transport
        for text, key, slot in (("Step &forward", "Right", s.step_forward), ("Step &back", "Left", s.step_back),
                                ("&Play / pause", "Space", t.toggle_play), ("&Start of the epoch", "Home", t.go_start),
                                ("&End (everything computed)", "End", t.go_end),
                                ("&Next phase", "PgDown", s.next_phase_stopping),
                                ("&Continue past a breakpoint", "F8", t.continue_play),
                                ("P&revious phase", "PgUp", lambda: s.set_playhead(s.playhead.prev_phase()))):
            p.addAction(self._action(text, key, slot))
        self.addActions(self.menuBar().actions())

    def _action(self, text: str, shortcut, slot, checkable: bool = False) -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut) if isinstance(shortcut, str) else shortcut)
        a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        a.setCheckable(checkable)
        a.triggered.connect(slot)
        self.addAction(a)
        return a

    def _status_bar(self) -> None:
        self.status_labels = {k: QLabel() for k in ("name", "loss", "mode", "phase")}
        for label in self.status_labels.values():
            label.setContentsMargins(8, 0, 8, 0)
            self.statusBar().addPermanentWidget(label)

    # -- observers -------------------------------------------------------------------------------------
    def _on_scenario_change(self) -> None:
        s = self.session
        with signals_blocked(self.unit_spin):
            self.unit_spin.setRange(0, s.max_units - 1)
            self.unit_spin.setValue(s.unit)
        self.unit_label_action.setVisible(s.max_units > 1)
        self.unit_spin_action.setVisible(s.max_units > 1)
        self._sync_mode_control()
        self._update_title()
        self._update_status()
        self._refresh_recent()
        if self._fitted:  # a newly opened scenario: show it whole
            QTimer.singleShot(0, self.graph.fit_readable)

    def _on_view_change(self) -> None:
        s = self.session
        (self.backward_action if s.view == "backward" else self.forward_action).setChecked(True)
        title = ("<b>Backward view</b>: δ in the nodes, ε under h, edge width = gradient flow"
                 if s.view == "backward" else "<b>Forward view</b>: the value of every variable")
        if s.show_diff and s.compare is not None:
            title = (f"<b>Differences</b> from “{s.compare.name}” ({'δ' if s.view == 'backward' else 'values'}: "
                     f"now − then)")
        self.view_title.setText(title)
        with signals_blocked(self.unit_spin):
            self.unit_spin.setValue(s.unit)

    def _sync_mode_control(self) -> None:
        mode = self.session.mode
        if mode == self._shown_mode:
            return  # every recompute calls this: touch the controls only when the mode changed
        self._shown_mode = mode
        with signals_blocked(self.mode_combo, self.k_spin):
            self.mode_combo.setCurrentIndex(MODES.index(mode.kind))
            self.k_spin.setValue(mode.k or min(4, self.session.trace.steps))
        self.k_spin_action.setVisible(mode.kind == "tbptt")

    def _on_mode_control(self) -> None:
        kind = MODES[self.mode_combo.currentIndex()]
        self.k_spin_action.setVisible(kind == "tbptt")
        self.session.set_mode(f"tbptt:{self.k_spin.value()}" if kind == "tbptt" else kind)

    def _update_title(self) -> None:
        s = self.session
        where = f" ({s.path.name})" if s.path else ""
        self.setWindowTitle(f"{'*' if s.dirty else ''}{s.scenario.name}{where} — lstmviz")

    def _update_status(self) -> None:
        s = self.session
        self._sync_mode_control()
        self.status_labels["name"].setText(s.scenario.name)
        self.status_labels["loss"].setText(f"E = {s.trace.loss:.6g}")
        self.status_labels["mode"].setText(f"gradient: {s.mode}")
        self.status_labels["phase"].setText(s.playhead.describe())
        bad = s.trace.nonfinite_steps("forward")
        if bad:
            self.statusBar().showMessage(f"values overflowed from t = {bad[0]} on", 0)

    def _toggle_diff(self) -> None:
        s = self.session
        if s.compare is None:
            self.statusBar().showMessage("Pin a trace first (Ctrl+P): differences are shown against it", 4000)
            return
        s.set_compare(s.compare, not s.show_diff)

    def _on_heat_toggle(self) -> None:
        self.plots.show_heat(self.heat_action.isChecked())

    # -- files -----------------------------------------------------------------------------------------
    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open scenario", str(Path.home()), "Scenarios (*.json)")
        if path:
            self.open_scenario(path)

    def open_scenario(self, spec: str) -> bool:
        """Open a file or preset; a bad file shows its one-line error and keeps the current scenario."""
        if not self.confirm_discard():
            return False
        try:
            self.session.open(spec)
        except ScenarioError as e:
            self.show_error("Cannot open scenario", str(e))
            return False
        if self.session.path is not None:
            self._remember(str(self.session.path.resolve()))
        return True

    def save(self) -> bool:
        if self.session.path is None:
            return self.save_as()
        return self._save_to(self.session.path)

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, "Save scenario", str(Path.home() / "scenario.json"),
                                              "Scenarios (*.json)")
        return bool(path) and self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        try:
            self.session.save(path)
        except OSError as e:
            self.show_error("Cannot save scenario", f"{path}: cannot be written: {e.strerror}")
            return False
        self._remember(str(path.resolve()))
        self._update_title()
        return True

    def export_to(self, what: str, path: str | Path) -> bool:
        """Write the graph, the plots, the window or the trace to ``path`` (by its extension)."""
        path = Path(path)
        try:
            if what == "trace":
                if path.suffix.lower() == ".csv":
                    write_text_atomic(path, trace_to_csv(self.session.trace))
                else:
                    with atomic_writer(path) as f:
                        np.savez(f, **self.session.trace.arrays)
                return True
            widget = {"plots": self.plots, "window": self}.get(what)
            ok = save_graph(self.graph, path) if what == "graph" else save_widget(widget, path)
            if not ok:
                raise OSError(0, "the image could not be written")
        except OSError as e:
            self.show_error("Cannot export", f"{path}: cannot be written: {e.strerror}")
            return False
        self.statusBar().showMessage(f"wrote {path}", 4000)
        return True

    def _export(self, what: str, filters: str) -> None:
        default = {"graph": "graph.png", "plots": "plots.png", "window": "window.png", "trace": "trace.csv"}[what]
        path, _ = QFileDialog.getSaveFileName(self, f"Export the {what}", str(Path.home() / default), filters)
        if path:
            self.export_to(what, path)

    def table_rows(self) -> list[tuple[str, str]]:
        """The lanes of the selected node's layer (or the top layer) as value and δ rows."""
        s = self.session
        n = s.selection.layer if s.selection is not None and s.selection.layer is not None \
            else len(s.scenario.model.layers) - 1
        unit = min(s.unit, s.scenario.model.layers[n].hidden_size - 1)
        names = ("c", "h") if s.scenario.model.layers[n].type == "lstm" else ("h",)
        rows = [(f"l{n}/{v}:{unit}", f"{LABELS[v]}[t]") for v in names]
        rows += [(f"l{n}/delta_{v}:{unit}", f"δ{LABELS[v]}[t]") for v in names]
        return rows + [(f"l{n}/eps_h:{unit}", "εh[t]")]

    def _copy_table(self, style_: str) -> None:
        QGuiApplication.clipboard().setText(lanes_table(self.session.trace, self.table_rows(), style_))
        self.statusBar().showMessage(f"copied a {style_} table of the lanes to the clipboard", 4000)

    def _export_frames(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for the frames", str(Path.home()))
        if folder:
            ph = self.session.playhead
            frames = export_frames(self.session, self.grab, folder, QApplication.processEvents)
            self.session.set_playhead(ph)
            self.statusBar().showMessage(f"wrote {len(frames)} frames to {folder}", 4000)

    def _import_weights(self, layout: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, f"Import {layout} weights", str(Path.home()), "Weights (*.npz)")
        if path:
            self.import_weights(path, layout)

    def import_weights(self, path: str, layout: str) -> bool:
        """Weights from another library's file, as one undoable edit; a bad file is a dialog."""
        try:
            export_weights(self.session.scenario, layout, self.session.scenario.name)
            values = import_weights(self.session.scenario, path, layout)
        except ScenarioError as e:
            self.show_error("Cannot import weights", str(e))
            return False
        self.session.set_params(values, f"import {layout} weights from {Path(path).name}")
        return True

    def confirm_discard(self) -> bool:
        if not self.session.dirty:
            return True
        answer = QMessageBox.question(self, "Unsaved changes",
                                      f"“{self.session.scenario.name}” has unsaved changes. Save them first?",
                                      QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                                      | QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def show_error(self, title: str, text: str) -> None:
        self.error_box = QMessageBox(QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok, self)
        self.error_box.open()

    def _remember(self, path: str) -> None:
        recent = [p for p in self.recent_files() if p != path]
        self.settings.setValue("recent", [path] + recent[:MAX_RECENT - 1])
        self._refresh_recent()

    def recent_files(self) -> list[str]:
        value = self.settings.value("recent", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.recent_files():
            a = self.recent_menu.addAction(path)
            a.triggered.connect(lambda _=False, p=path: self.open_scenario(p))
        self.recent_menu.setEnabled(bool(self.recent_files()))

    # -- layout persistence ------------------------------------------------------------------------------
    def _restore_layout(self) -> None:
        geometry = self.settings.value("geometry")
        state = self.settings.value("state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    # -- looks, interface size, presentation --------------------------------------------------------------
    def set_look(self, theme: str | None = None, colour_map: str | None = None) -> None:
        theme = theme if theme in THEMES else None
        colour_map = colour_map if colour_map in COLOUR_MAPS else None
        if theme:
            self.settings.setValue("theme", theme)
        if colour_map:
            self.settings.setValue("colour_map", colour_map)
        self.graph.set_look(theme=theme, colour_map=colour_map)
        for group, value in ((self.theme_group, self.graph.theme_name), (self.cmap_group, self.graph.colour_map)):
            for a in group.actions():
                a.setChecked(a.data() == value)
        self.legend.update()

    def set_ui_zoom(self, zoom: float) -> None:
        """Scale every font of the window (Ctrl+= / Ctrl+- / Ctrl+0), remembered between sessions."""
        self.ui_zoom = max(0.6, min(3.0, zoom))
        self.settings.setValue("ui_zoom", self.ui_zoom)
        factor = self.ui_zoom * (PRESENT_SCALE if self.presenting else 1.0)
        font = QFont(self._base_font)
        font.setPointSizeF(self._base_font.pointSizeF() * factor)
        self.setFont(font)
        self.inspector.set_scale(factor, compact=self.presenting)
        self.transport.set_scale(factor)
        self.graph.label_font.setPointSizeF((style.FONT_POINTS + 1) * factor)
        self.graph.time_font.setPointSizeF((style.FONT_POINTS + 1) * factor)
        self.graph.min_zoom = MIN_READABLE_ZOOM * factor  # nodes and their numbers grow together
        self.graph.viewport().update()

    def set_presentation(self, on: bool) -> None:
        """Full screen, only the graph, the inspector's equation and the step/phase bar; large type,
        high contrast, thick lines; the keyboard drives everything (F5 or Esc leaves)."""
        if on == self.presenting:
            return
        self.presenting = on
        self.present_action.setChecked(on)
        for a in self.preset_keys:
            a.setEnabled(on)
        if on:
            self._normal_state = (self.saveState(), self.graph.theme_name)
            for dock in (self.weights_dock, self.train_dock, self.compare_dock, self.history_dock,
                         self.analysis_dock, self.watches_dock, self.plots_dock):
                dock.hide()
            self.inspector_dock.show()
            self.inspector_dock.raise_()
            self.view_toolbar.hide()
            self.menuBar().hide()
            self.statusBar().hide()
            self.graph.set_look(theme="contrast" if self.graph.theme_name == "light" else None)
            self.showFullScreen()
        else:
            state, theme = self._normal_state
            self.menuBar().show()
            self.statusBar().show()
            self.view_toolbar.show()
            self.restoreState(state)
            self.graph.set_look(theme=theme)
            self.showNormal()
        self.set_ui_zoom(self.ui_zoom)
        QTimer.singleShot(0, self.graph.fit_readable)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self.presenting:
            self.set_presentation(False)
            return
        super().keyPressEvent(event)

    def _on_fit_key(self) -> None:
        if self.presenting and self.session.selection is not None:
            self.graph.fit_readable()
            self.graph.centerOn(self.graph.node_item(self.session.selection))
        else:
            self.graph.fit()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        for bar in self.findChildren(QTabBar):  # the docks' tabs: whole titles, scrolling when they do not fit
            bar.setElideMode(Qt.TextElideMode.ElideNone)
            bar.setUsesScrollButtons(True)
        if not self._fitted:
            self._fitted = True
            if self.settings.value("state") is None:  # first run: docks in proportion to the window
                self.resizeDocks([self.inspector_dock], [int(self.width() * 0.27)], Qt.Orientation.Horizontal)
                self.resizeDocks([self.plots_dock], [int(self.height() * 0.24)], Qt.Orientation.Vertical)
            QTimer.singleShot(0, self.graph.fit_readable)

    def closeEvent(self, event) -> None:
        if not self.confirm_discard():
            event.ignore()
            return
        self.transport.stop()
        self.train_panel.runner.wait()
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("state", self.saveState())
        event.accept()

