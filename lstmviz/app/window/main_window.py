"""The main window, composed: the unrolled graph in the centre, the panels in docks around it, the
playhead bar on top, the actions of :mod:`.actions`, and a status bar that always says where we are.

The window holds the Qt side of the session (the player, the training runner) and the panels; what it
does with files lives in :mod:`.files`, presentation mode in :mod:`.presentation`."""
from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QTabBar,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ...core.budget import default_budget, format_size, parse_size
from ...io.presets import resources_dir
from ..model.phase_view import view_title
from ..model.session import Session
from ..numbers import fmt
from ..qt.autosave import AutoSaver
from ..qt.binding import observe
from ..qt.player import Player
from ..qt.steady_label import SteadyLabel
from ..qt.training import TrainRunner
from ..widgets.analysis_panel import AnalysisPanel
from ..widgets.compare import ComparePanel
from ..widgets.graph import GraphView, LegendBar
from ..widgets.history_panel import HistoryPanel
from ..widgets.inspector import Inspector
from ..widgets.plots import PlotsPanel
from ..widgets.quiz_panel import QuizPanel
from ..widgets.train_panel import TrainPanel
from ..widgets.transport import TransportBar
from ..widgets.unit_overview import UnitOverviewPanel
from ..widgets.view_bar import ViewBar
from ..widgets.watches import WatchesPanel
from ..widgets.weight_editor import WeightEditor
from .actions import VIEW_TOOLBAR, action_table, build_actions
from .arrays_check import ArraysCheck
from .docks import DOCKS, LAYOUT_VERSION, build_docks, made_panel
from .files import Files
from .presentation import Presenter
from .screen_fit import fit_to_screen, share_toolbar_row
from .tour_offer import TourGuide

STATUS_FIELDS = ("name", "loss", "mode", "phase")


class MainWindow(QMainWindow):
    def __init__(self, session: Session, settings: QSettings | None = None):
        super().__init__()
        self.setObjectName("main")
        self.session, self.history = session, session.history
        self.settings = settings or QSettings("lstmviz", "lstmviz")
        self.error_box: QMessageBox | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # pyqtgraph items must go before the interpreter
        self.setWindowIcon(QIcon(str(resources_dir() / "icons" / "lstmviz.svg")))
        self.player = Player(session.playback, self)
        self.trainer = TrainRunner(session.document, session.playback, self)
        self.autosaver = AutoSaver(session, parent=self)
        self._panels()
        self.docks = build_docks(self, DOCKS)
        self.files = Files(self)
        self.arrays_check = ArraysCheck(self)
        self.presenter = Presenter(self)
        self.fit_to_screen = True  # on first show (screenshots keep the size they ask for)
        self.fit_graph_on_show = True  # the graph fitted to its view once shown (a screenshot fits it itself)
        self.action_groups = {}
        self.action_specs = action_table(tuple(self.docks))
        self.named_actions = build_actions(self, self.action_specs)
        self._toolbars()
        self._status_bar()
        self.guide = TourGuide(self)
        doc, view = session.document, session.view
        observe(self, (doc.structure_changed, self._on_structure_change), (doc.trace_changed, self.update_status),
                (doc.watches_changed, self._on_view_change),
                (doc.path_changed, self.update_title), (self.history.clean_changed, self.update_title),
                (session.playback.playhead_changed, self._on_playhead_change),
                (view.view_changed, self._on_view_change),
                (session.comparison.changed, self._on_view_change), (session.follower.changed, self._on_view_change),
                (session.playback.breakpoint_hit, lambda text: self.statusBar().showMessage(text, 0)),
                (session.quiz.changed, self.update_actions), (session.yours.changed, self._on_check_change))
        self.trainer.done.connect(lambda stopped: stopped and self.statusBar().showMessage(f"Training {stopped}", 0))
        self._fitted = False
        self.presenter.set_look(theme=self.settings.value("theme", "light"),
                                colour_map=self.settings.value("colour_map", "diverging"))
        self.presenter.set_ui_zoom(float(self.settings.value("ui_zoom", 1.0)))
        self._on_structure_change()
        self._on_view_change()
        self._restore_layout()

    # -- construction --------------------------------------------------------------------------------
    def _panels(self) -> None:
        s = self.session
        self.graph = GraphView(s, self)
        self.legend = LegendBar(self.graph)
        self.setCentralWidget(self._central())
        self.inspector = Inspector(s, self)
        self.plots = PlotsPanel(s, self)
        self.transport = TransportBar(s, self.player, self)
        self.view_bar = ViewBar(s, self)
        self.weights = WeightEditor(s, self)
        self.train_panel = TrainPanel(s, self.trainer, self)
        self.compare = ComparePanel(s, self)
        self.history_view = HistoryPanel(self.history.stack, "(as opened)")
        self.analysis = AnalysisPanel(s, self)
        self.watches = WatchesPanel(s, self)
        self.quiz_panel = QuizPanel(s.quiz, self)
        self.units = UnitOverviewPanel(s, self)  # its size hint shapes the bottom docks: made at start

    def __getattr__(self, name: str):
        """A panel made on show (the Cost × lag, RTRL and Routes panels: see
        :mod:`.docks`), read before its tab came up: made now."""
        spec = next((d for d in DOCKS if d.made_on_show and d.panel == name), None)
        if spec is None or "docks" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return made_panel(self, spec)

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

    def _toolbars(self) -> None:
        bar = QToolBar("Playback", self)
        bar.setObjectName("playback")
        bar.setMovable(False)
        bar.addWidget(self.transport)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.addToolBarBreak()
        self.view_toolbar = QToolBar("View", self)
        self.view_toolbar.setObjectName("view")
        self.view_toolbar.setMovable(False)
        for item in VIEW_TOOLBAR:
            if item == "|":
                self.view_toolbar.addSeparator()
            elif item == "view_bar":
                self.view_toolbar.addWidget(self.view_bar)
            else:
                self.view_toolbar.addAction(self.named_actions[item])
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.view_toolbar)

    def _status_bar(self) -> None:
        self.status_labels = {k: SteadyLabel() for k in STATUS_FIELDS}  # no relayout of the window per new text
        for label in self.status_labels.values():
            label.setContentsMargins(8, 0, 8, 0)
            self.statusBar().addPermanentWidget(label)
        self.statusBar().insertPermanentWidget(STATUS_FIELDS.index("mode") + 1, self.view_bar.reach)  # window:K here

    def _restore_layout(self) -> None:
        geometry, state = self.settings.value("geometry"), self.settings.value("state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        self._layout_restored = state is not None and self.restoreState(state, LAYOUT_VERSION)

    # -- observers -------------------------------------------------------------------------------------
    def _on_structure_change(self) -> None:
        self.update_title()
        self.update_status()
        self.refresh_recent()
        self.update_actions()
        if self._fitted:  # a newly opened scenario: show it whole
            QTimer.singleShot(0, self.graph.fit_readable)

    def _on_view_change(self) -> None:
        s = self.session
        self.check_choice("view", s.view.view)
        self.view_title.setText(view_title(s.view, s.playback.playhead, s.comparison, s.follower.on))

    def _on_playhead_change(self) -> None:
        self.update_status()
        if self.session.follower.on:
            self._on_view_change()

    def _on_check_change(self) -> None:
        """Their arrays loaded or cleared (Check my arrays): the graph's marks, the menu's Clear."""
        self.graph.refresh()
        self.update_actions()

    def update_title(self, *_) -> None:
        doc = self.session.document
        where = f" ({doc.path.name})" if doc.path else ""
        self.setWindowTitle(f"{'*' if doc.dirty else ''}{doc.name}{where} — lstmviz")

    def update_status(self) -> None:
        s = self.session
        doc = s.document
        for key, text in (("name", doc.name), ("loss", f"E = {fmt(doc.trace.loss)}"),
                          ("mode", f"gradient: {doc.mode}"), ("phase", s.playback.playhead.describe())):
            self.status_labels[key].setText(text)
        bad = doc.trace.nonfinite_steps("forward")
        if bad:
            self.statusBar().showMessage(f"values overflowed from t = {bad[0]} on", 0)

    def update_actions(self) -> None:
        """Enabled and checked states that follow the window's state (the table's predicates)."""
        for entry in self.action_specs:
            action = self.named_actions.get(getattr(entry, "name", None))
            if action is None:
                continue
            if entry.enabled_when is not None:
                action.setEnabled(entry.enabled_when(self))
            if entry.checked_when is not None:
                action.setChecked(entry.checked_when(self))

    def check_choice(self, group: str, value) -> None:
        """In a group of exclusive choices (theme, colour map, view), check the one meaning ``value``."""
        for action in self.action_groups[group].actions():
            action.setChecked(action.data() == value)

    def refresh_recent(self) -> None:
        menu = self.menus["File/Open &Recent"]
        menu.clear()
        recent = self.files.recent_files()
        for path in recent:
            menu.addAction(path).triggered.connect(lambda _=False, p=path: self.files.open(p))
        menu.setEnabled(bool(recent))

    # -- small commands ----------------------------------------------------------------------------------
    def toggle_diff(self) -> None:
        if not self.session.comparison.toggle_diff():
            self.statusBar().showMessage("Pin a trace first (Ctrl+P): differences are shown against it", 4000)

    def toggle_quiz(self) -> None:
        """Q: predict each number of a lane before it is computed (the Quiz tab comes up)."""
        quiz = self.session.quiz
        quiz.set_on(not quiz.on)
        if quiz.on:
            self.docks["quiz"].show()
            self.docks["quiz"].raise_()
        self.presenter.show_quiz(quiz.on)
        self.update_actions()

    def show_error(self, title: str, text: str) -> None:
        self.error_box = QMessageBox(QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok, self)
        self.error_box.open()

    def memory_budget(self) -> int | None:
        """The memory budget set here (Edit ▸ Memory budget…), or None for the default."""
        value = self.settings.value("memory_budget")
        try:
            return int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def ask_memory_budget(self) -> None:
        current = self.memory_budget()
        text, ok = QInputDialog.getText(
            self, "Memory budget", f"Refuse scenarios that need more memory than (e.g. 2G, 512M; empty: a quarter "
            f"of the machine's, {format_size(default_budget())}):", text=format_size(current) if current else "")
        if not ok:
            return
        try:
            budget = parse_size(text.replace(" ", "")) if text.strip() else None
        except ValueError as e:
            self.show_error("Memory budget", f"Memory budget: {e}")
            return
        self.settings.setValue("memory_budget", budget if budget is not None else "")
        self.statusBar().showMessage(f"memory budget: {format_size(budget or default_budget())}", 4000)

    def show_chrome(self, on: bool) -> None:
        """The menu bar, the status bar and the view toolbar (hidden while presenting)."""
        for part in (self.menuBar(), self.statusBar(), self.view_toolbar):
            part.setVisible(on)

    # -- Qt events ---------------------------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self.presenter.presenting:
            self.presenter.set_presentation(False)
            return
        super().keyPressEvent(event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        for bar in self.findChildren(QTabBar):  # the docks' tabs: whole titles, scrolling when they do not fit
            bar.setElideMode(Qt.TextElideMode.ElideNone)
            bar.setUsesScrollButtons(True)
        if not self._fitted:
            self._fitted = True
            share_toolbar_row(self)
            if self.fit_to_screen:
                fit_to_screen(self)
            if not self._layout_restored:  # first run: docks in proportion to the window, once laid out
                QTimer.singleShot(0, self._proportion_docks)
            if self.fit_graph_on_show:
                QTimer.singleShot(0, self.graph.fit_readable)

    def _proportion_docks(self) -> None:
        self.resizeDocks([self.docks["inspector"]], [int(self.width() * 0.27)], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["plots"]], [max(int(self.height() * 0.22), 190)], Qt.Orientation.Vertical)

    def closeEvent(self, event) -> None:
        if not self.files.confirm_discard():
            event.ignore()
            return
        self.player.stop()
        self.trainer.wait()
        self.autosaver.finish()
        geometry, state = self.presenter.normal_layout()  # never the lecture hall's, even when quit while presenting
        self.settings.setValue("geometry", geometry)
        self.settings.setValue("state", state)
        event.accept()
