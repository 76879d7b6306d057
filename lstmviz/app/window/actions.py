"""Every command of the window, declared once as data: text, shortcut, what it does, its menu and when
it is enabled or checked. :func:`build_actions` turns the table into QActions and menus."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from ...io import list_presets
from ...io.weights import LAYOUTS

if TYPE_CHECKING:
    from .main_window import MainWindow

Slot = Callable[["MainWindow"], object]
Predicate = Callable[["MainWindow"], bool]
KEYS = QKeySequence.StandardKey


@dataclass(frozen=True)
class ActionSpec:
    name: str                           # window.actions[name]
    text: str
    menu: str | None                    # "File", "File/&Export" …; None: a keyboard shortcut only
    slot: Slot                          # called with the window when triggered
    shortcut: str | KEYS | tuple[str, ...] | None = None
    checkable: bool = False
    checked_when: Predicate | None = None
    enabled_when: Predicate | None = None
    group: str | None = None            # exclusive choices: the one whose data matches is checked
    data: object = None
    icon_text: str | None = None        # the toolbar's shorter text
    tip: str | None = None              # tooltip (in menus that show them)
    status: str | None = None           # status-bar text while hovered
    separator: bool = False             # a separator before it in its menu
    make: Callable[[MainWindow], QAction] | None = None  # a QAction made elsewhere (undo, a dock's toggle)


@dataclass(frozen=True)
class Submenu:
    path: str                           # created here, in this order, even while empty (Open Recent)
    tooltips: bool = False


THEMES = (("light", "&Light"), ("contrast", "&High contrast (projector)"), ("dark", "&Dark"))
COLOUR_MAPS = (("diverging", "&Diverging (blue–white–red)"), ("cividis", "&Cividis (colour-blind and greyscale safe)"))
VIEW_TOOLBAR = ("forward", "backward", "|", "view_bar", "|", "fit", "heat")
LAYOUT_NAMES = {"pytorch": "PyTorch", "keras": "Keras"}


def _presenting(w: MainWindow) -> bool:
    return w.presenter.presenting


def _not_presenting(w: MainWindow) -> bool:
    return not w.presenter.presenting


def _file_menu() -> list:
    presets = list_presets()
    return [
        ActionSpec("open", "&Open…", "File", lambda w: w.files.open_dialog(), KEYS.Open),
        Submenu("File/Open &Recent"),
        Submenu("File/&Presets", tooltips=True),
        *(ActionSpec(f"preset_{p.key}", p.title, "File/&Presets", lambda w, k=p.key: w.files.open(k), tip=p.description,
                     status=p.summary) for p in presets),
        ActionSpec("save", "&Save", "File", lambda w: w.files.save(), KEYS.Save, separator=True),
        ActionSpec("save_as", "Save &As…", "File", lambda w: w.files.save_as(), KEYS.SaveAs),
        ActionSpec("export_graph", "&Graph as PNG (2×) or SVG…", "File/&Export",
                   lambda w: w.files.export_dialog("graph"), "Ctrl+E", separator=True),
        ActionSpec("export_plots", "&Plots as PNG (2×) or SVG…", "File/&Export",
                   lambda w: w.files.export_dialog("plots")),
        ActionSpec("export_window", "&Window as PNG (2×) or SVG…", "File/&Export",
                   lambda w: w.files.export_dialog("window")),
        ActionSpec("copy_graph", "&Copy the graph to the clipboard", "File/&Export", lambda w: w.files.copy_graph(),
                   "Ctrl+Shift+C"),
        ActionSpec("export_trace", "&Trace as NPZ or CSV…", "File/&Export", lambda w: w.files.export_dialog("trace"),
                   separator=True),
        ActionSpec("table_markdown", "Lanes as a &Markdown table (clipboard)", "File/&Export",
                   lambda w: w.files.copy_table("markdown")),
        ActionSpec("table_latex", "Lanes as a &LaTeX table (clipboard)", "File/&Export",
                   lambda w: w.files.copy_table("latex")),
        ActionSpec("export_frames", "&Frames of an epoch (numbered PNGs)…", "File/&Export",
                   lambda w: w.files.export_frames_dialog()),
        ActionSpec("check_arrays", "&Check my arrays…", "File", lambda w: w.arrays_check.dialog(), separator=True,
                   status="Compare the arrays your own implementation computed (.npz) with the engine's"),
        ActionSpec("clear_check", "C&lear the check of my arrays", "File", lambda w: w.session.yours.clear(),
                   enabled_when=lambda w: w.session.yours.on),
        *(ActionSpec(f"import_{layout}", f"{LAYOUT_NAMES[layout]} layout (.npz)…", "File/&Import weights",
                     lambda w, lay=layout: w.files.import_dialog(lay)) for layout in LAYOUTS),
        ActionSpec("quit", "&Quit", "File", lambda w: w.close(), KEYS.Quit, separator=True),
        *(ActionSpec(f"preset_key_{n}", f"Preset {n}: {p.title}", None, lambda w, k=p.key: w.files.open(k), str(n),
                     enabled_when=_presenting) for n, p in enumerate(presets[:9], start=1)),
    ]


def _edit_menu() -> list:
    return [
        ActionSpec("undo", "&Undo", "Edit", lambda w: None, KEYS.Undo,
                   make=lambda w: w.history.stack.createUndoAction(w, "&Undo")),
        ActionSpec("redo", "&Redo", "Edit", lambda w: None, ("Ctrl+Shift+Z", "Ctrl+Y"),
                   make=lambda w: w.history.stack.createRedoAction(w, "&Redo")),
        ActionSpec("pin", "&Pin the current trace", "Edit", lambda w: w.session.comparison.pin(), "Ctrl+P",
                   separator=True),
        ActionSpec("memory_budget", "&Memory budget…", "Edit", lambda w: w.ask_memory_budget(), separator=True),
    ]


def _view_menu(docks: tuple[str, ...]) -> list:
    return [
        ActionSpec("forward", "&Forward view (values)", "View", lambda w: w.session.view.set_view("forward"), "F2",
                   checkable=True, group="view", data="forward", icon_text="Forward: values"),
        ActionSpec("backward", "&Backward view (δ and gradient flow)", "View",
                   lambda w: w.session.view.set_view("backward"), "F3", checkable=True, group="view", data="backward",
                   icon_text="Backward: δ"),
        ActionSpec("next_unit", "&Next unit", "View", lambda w: w.view_bar.step_unit(1), "U", separator=True),
        ActionSpec("prev_unit", "&Previous unit", "View", lambda w: w.view_bar.step_unit(-1), "Shift+U"),
        ActionSpec("fit", "&Fit to window (presenting: jump to the selection)", "View", lambda w: w.presenter.fit(),
                   "F", icon_text="Fit to window", separator=True),
        ActionSpec("zoom_in", "Zoom the graph &in", "View", lambda w: w.graph.zoom(1.25), "+"),
        ActionSpec("zoom_out", "Zoom the graph &out", "View", lambda w: w.graph.zoom(0.8), "-"),
        ActionSpec("larger", "&Larger interface", "View", lambda w: w.presenter.zoom_interface(1.15), "Ctrl+=",
                   separator=True),
        ActionSpec("smaller", "&Smaller interface", "View", lambda w: w.presenter.zoom_interface(1 / 1.15), "Ctrl+-"),
        ActionSpec("reset_size", "&Reset interface size", "View", lambda w: w.presenter.set_ui_zoom(1.0), "Ctrl+0"),
        ActionSpec("present", "&Presentation mode", "View", lambda w: w.presenter.toggle(), "F5", checkable=True,
                   checked_when=_presenting),
        ActionSpec("blank", "&Blank the screen (presenting)", "View", lambda w: w.presenter.toggle_blank(), ("B", "."),
                   enabled_when=_presenting),
        *(ActionSpec(f"theme_{key}", label, "View/&Theme", lambda w, k=key: w.presenter.set_look(theme=k),
                     checkable=True, group="theme", data=key) for key, label in THEMES),
        *(ActionSpec(f"colour_map_{key}", label, "View/&Colour map",
                     lambda w, k=key: w.presenter.set_look(colour_map=k), checkable=True, group="colour_map", data=key)
          for key, label in COLOUR_MAPS),
        ActionSpec("heat", "&All-units strip", "View",
                   lambda w: w.plots.show_heat(w.named_actions["heat"].isChecked()), "H", checkable=True),
        ActionSpec("diff", "&Show differences from the pinned trace", "View", lambda w: w.toggle_diff(), "D",
                   separator=True),
        *(ActionSpec(f"dock_{name}", name, "View", lambda w: None, separator=n == 0,
                     make=lambda w, d=name: w.docks[d].toggleViewAction()) for n, name in enumerate(docks)),
    ]


def _step_menu() -> list:
    return [
        ActionSpec("step_forward", "Step &forward (with the quiz on: ask, then reveal)", "Step",
                   lambda w: w.session.quiz.advance(), "Right"),
        ActionSpec("step_back", "Step &back", "Step", lambda w: w.session.playback.step_back(), "Left"),
        ActionSpec("play", "&Play / pause", "Step", lambda w: w.player.toggle(), "Space"),
        ActionSpec("go_start", "&Start of the epoch", "Step", lambda w: w.session.playback.go_start(), "Home"),
        ActionSpec("go_end", "&End (everything computed)", "Step", lambda w: w.session.playback.go_end(), "End"),
        ActionSpec("next_phase", "&Next phase", "Step", lambda w: w.session.playback.next_phase_stopping(), "PgDown",
                   enabled_when=_not_presenting),
        ActionSpec("continue", "&Continue past a breakpoint", "Step", lambda w: w.player.start(), "F8"),
        ActionSpec("prev_phase", "P&revious phase", "Step", lambda w: w.session.playback.prev_phase(), "PgUp",
                   enabled_when=_not_presenting),
        ActionSpec("quiz", "&Quiz: predict each number before it is computed", "Step", lambda w: w.toggle_quiz(),
                   "Q", checkable=True, checked_when=lambda w: w.session.quiz.on, separator=True),
        ActionSpec("reveal", "&Reveal the answer", "Step", lambda w: w.session.quiz.reveal(), "R",
                   enabled_when=lambda w: w.session.quiz.question is not None),
        # a presenter's clicker sends Page Down/Up: presenting, they step; ↓/↑ change the phase
        ActionSpec("clicker_next", "Step forward (clicker)", None, lambda w: w.session.quiz.advance(),
                   "PgDown", enabled_when=_presenting),
        ActionSpec("clicker_back", "Step back (clicker)", None, lambda w: w.session.playback.step_back(), "PgUp",
                   enabled_when=_presenting),
        ActionSpec("phase_down", "Next phase (presenting)", None, lambda w: w.session.playback.next_phase_stopping(),
                   "Down", enabled_when=_presenting),
        ActionSpec("phase_up", "Previous phase (presenting)", None, lambda w: w.session.playback.prev_phase(), "Up",
                   enabled_when=_presenting),
    ]


def _help_menu() -> list:
    return [ActionSpec("tour", "&Guided tour of the calculator", "Help", lambda w: w.guide.start())]


def action_table(docks: tuple[str, ...]) -> list:
    """Every action of the window, menu by menu (File, Edit, View, Step, Help), in menu order."""
    return _file_menu() + _edit_menu() + _view_menu(docks) + _step_menu() + _help_menu()


def build_actions(window: MainWindow, table: list) -> dict[str, QAction]:
    """QActions for the table, on the window (so that shortcuts work with the menu bar hidden) and in
    their menus; returns them by name."""
    actions: dict[str, QAction] = {}
    menus = {}
    for entry in table:
        if isinstance(entry, Submenu):
            _menu(window, menus, entry.path).setToolTipsVisible(entry.tooltips)
            continue
        action = _action(window, entry)
        actions[entry.name] = action
        if entry.menu is not None:
            menu = _menu(window, menus, entry.menu)
            if entry.separator:
                menu.addSeparator()
            menu.addAction(action)
    window.menus = menus
    return actions


def _action(window: MainWindow, spec: ActionSpec) -> QAction:
    action = spec.make(window) if spec.make else QAction(spec.text, window)
    if spec.shortcut is not None:
        keys = spec.shortcut if isinstance(spec.shortcut, tuple) else (spec.shortcut,)
        action.setShortcuts([QKeySequence(k) for k in keys])
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if spec.make is None:
        action.setCheckable(spec.checkable)
        action.setData(spec.data)
        action.triggered.connect(lambda _checked=False: spec.slot(window))
    if spec.icon_text:
        action.setIconText(spec.icon_text)
    if spec.tip:
        action.setToolTip(spec.tip)
    if spec.status:
        action.setStatusTip(spec.status)
    if spec.group is not None:
        groups = window.action_groups
        groups.setdefault(spec.group, QActionGroup(window)).addAction(action)
    window.addAction(action)
    return action


def _menu(window: MainWindow, menus: dict, path: str):
    """The menu at ``path`` ("View/&Theme"), made on first use in the menu bar or its parent menu."""
    if path not in menus:
        parent, _, title = path.rpartition("/")
        menus[path] = (_menu(window, menus, parent).addMenu(title) if parent
                       else window.menuBar().addMenu(f"&{title}"))
    return menus[path]
