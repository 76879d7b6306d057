"""Start the Qt application on a scenario, or render it offscreen to a PNG (``--screenshot``)."""
from __future__ import annotations

import gc
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ..io.presets import DEFAULT_PRESET

DEFAULT_SIZE = "1600x1000"


def _needs_offscreen() -> bool:
    """On Linux with no display at all, Qt's default platform cannot start."""
    return (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"))


def parse_size(text: str) -> tuple[int, int]:
    w, sep, h = text.lower().partition("x")
    if not (sep and w.isdigit() and h.isdigit() and 200 <= int(w) <= 8000 and 200 <= int(h) <= 8000):
        raise ValueError(f"--size must look like 1600x1000 (200 to 8000 pixels each), got {text!r}")
    return int(w), int(h)


def open_for_window(spec: str, budget: int | None):
    """The scenario and its trace, through the one checked path, counting the window's graph too."""
    from ..io.opening import open_checked
    from .model.graph_model import window_bytes

    return open_checked(spec, budget=budget, window_bytes=window_bytes)


@contextmanager
def collector_paused():
    """Python's cycle collector off while the window starts (until :func:`window_made`). The start makes
    about a hundred thousand objects that live as long as the process (modules, Qt's and pyqtgraph's types,
    the window and its panels); each of the start's 250 or so collections walked all those made so far
    (about 55 ms of the window's start, 10 of ``lstmviz trace``'s). Usable as a decorator; the collector's
    state is as before afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        (gc.enable if enabled else gc.disable)()


def window_made() -> None:
    """The window is made: what the start made is frozen (``gc.freeze``: later collections, and the one at
    exit, skip it, so a collection during an edit walks only what was made since) and collecting resumes."""
    gc.freeze()
    gc.enable()


@collector_paused()
def launch(spec: str, screenshot: str | None = None, size: str | None = None, select: str | None = None,
           phase: str | None = None, step: int | None = None, view: str = "forward", unit: int = 0,
           present: bool = False, memory_budget: int | None = None, sets: tuple[str, ...] = ()) -> int:
    from ..io import UsageError

    try:
        width, height = parse_size(size or DEFAULT_SIZE)
    except ValueError as e:
        raise UsageError(str(e)) from None
    budget = memory_budget if memory_budget is not None or screenshot else saved_budget()
    opened = open_for_window(spec, budget)  # fails before any window opens
    if screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    elif _needs_offscreen():
        print("lstmviz: no display found (DISPLAY is not set); running offscreen. "
              "Use a desktop session or xvfb-run to see the window.", file=sys.stderr)
        os.environ["QT_QPA_PLATFORM"] = "offscreen"

    from PySide6.QtWidgets import QApplication

    from .qt.session import qt_session

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("lstmviz")
    app.setOrganizationName("lstmviz")
    session = qt_session(opened.scenario, Path(spec) if Path(spec).is_file() else None, opened.trace)
    try:
        apply_edits(session, sets)
        apply_view_options(session, select, phase, step, view, unit)
    except ValueError as e:
        raise UsageError(f"lstmviz gui: {e}") from None
    if screenshot:
        return _screenshot_window(app, session, (width, height), present, screenshot)
    _window = _interactive_window(session, spec, (width, height) if size else None, present,  # alive until exit
                                  started=phase is not None or step is not None)
    code = app.exec()
    dispose(app)
    return code


def _screenshot_window(app, session, size: tuple[int, int], present: bool, path: str) -> int:
    """Neither reads nor changes the user's saved layout and recent files."""
    from PySide6.QtCore import QSettings

    from .window import MainWindow

    with tempfile.TemporaryDirectory() as tmp:
        window = MainWindow(session, QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat))
        window_made()
        window.fit_to_screen = False  # the size asked for, whatever the (offscreen) screen
        window.fit_graph_on_show = False  # _screenshot fits it once the docks are laid out
        window.resize(*size)
        if present:
            window.presenter.set_presentation(True)
        return _screenshot(app, window, path)


def _interactive_window(session, spec: str, size: tuple[int, int] | None, present: bool, started: bool):
    """The window as a user opens it: the beginning of the story (phase 1, before t = 1) unless asked for
    another place, the last size (never larger than the screen), the guided tour on the very first start."""
    from .window import MainWindow
    from .window.recovery_offer import offer_recovery

    offer_recovery(session)
    if not started:
        session.playback.go_start()
    window = MainWindow(session)
    if size is not None or window.settings.value("geometry") is None:
        window.resize(*(size or parse_size(DEFAULT_SIZE)))
    window.show()
    window_made()
    if present:
        window.presenter.set_presentation(True)
    elif spec == DEFAULT_PRESET and not window.settings.value("tour_done", False, type=bool):
        window.guide.start()
    return window


def saved_budget() -> int | None:
    """The memory budget set in the window (Edit ▸ Memory budget…), if any."""
    from PySide6.QtCore import QSettings

    value = QSettings("lstmviz", "lstmviz").value("memory_budget")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def dispose(app) -> None:
    """Delete closed windows now: pyqtgraph objects left to the interpreter's exit can crash it."""
    from PySide6.QtCore import QEvent

    for widget in app.topLevelWidgets():
        widget.close()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def apply_edits(session, sets) -> None:
    """The --set options, each an undoable edit of one entry (so the window shows them as changes)."""
    from ..core.edits import parse_assignment

    for text in sets:
        try:
            key, index, value = parse_assignment(text, session.document.scenario)
        except ValueError as e:
            raise ValueError(f"--set {e}") from None
        session.document.set_entry(key, index, value)


def apply_view_options(session, select, phase, step, view, unit) -> None:
    """The --select/--phase/--step/--view/--unit options; ValueError with a one-line reason."""
    from ..core.phases import Phase
    from .model import Playhead, parse_node

    trace, views = session.document.trace, session.view
    if unit:
        if not 0 <= unit < views.max_units:
            raise ValueError(f"--unit must be 0 to {views.max_units - 1}, got {unit}")
        views.set_unit(unit)
    views.set_view(view)
    if phase is not None or step is not None:
        p = Phase.parse(phase) if phase is not None else Phase.FORWARD
        try:
            session.playback.set_playhead(Playhead.at(p, step, trace.steps))
        except ValueError:
            raise ValueError(f"--step must be 0 to {trace.steps}, got {step}") from None
    if select:
        views.select(parse_node(select, trace))


def process_events() -> None:
    """What a turn of the event loop does, without one: the posted events, then the deferred deletions
    (``processEvents`` alone skips them, and Qt's dock layout retires its old tab bars with deleteLater:
    a picture taken without this shows them, stale, over the panels)."""
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def fit_laid_out(graph) -> None:
    """Fit the graph to its view once the window is laid out (the window's own fit on show is skipped: on a
    long run each fit makes the items at three places), and once more if fitting took the scroll bars away
    or brought them, which resizes the view."""
    size = graph.viewport().size()
    graph.fit_readable()
    process_events()
    if graph.viewport().size() != size:
        graph.fit_readable()
        process_events()


def _screenshot(app, window, path: str) -> int:
    """The window laid out, its graph fitted, drawn once into the picture. While the docks settle the panels
    paint (pyqtgraph's axes size themselves as they paint, which moves the plots); the graph, whose look
    never changes the layout, does not. Fitting the graph changes nothing else: no paint until the picture."""
    from ..io import UsageError

    if window.presenter.presenting:  # offscreen "full screen" is the screen's size: keep the requested one
        window.showNormal()
        window.resize(window.size())
    graph = window.graph
    graph.setUpdatesEnabled(False)
    window.show()
    for _ in range(3):
        process_events()
    window.setUpdatesEnabled(False)
    fit_laid_out(graph)
    window.setUpdatesEnabled(True)
    graph.setUpdatesEnabled(True)
    ok = window.grab().save(path)
    window.history.set_clean()
    dispose(app)
    if not ok:
        raise UsageError(f"{path}: cannot be written as PNG")
    return 0


def export_frames_command(spec: str, out: str, size: str, view: str, present: bool,
                          memory_budget: int | None = None) -> int:
    """``lstmviz export-frames``: the window at every step of the five phases, as numbered PNGs."""
    from ..io import UsageError

    try:
        width, height = parse_size(size)
    except ValueError as e:
        raise UsageError(str(e)) from None
    opened = open_for_window(spec, memory_budget)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from .qt.session import qt_session
    from .window import MainWindow
    from .window.exports import export_frames

    app = QApplication.instance() or QApplication(sys.argv[:1])
    session = qt_session(opened.scenario, trace=opened.trace)
    session.view.set_view(view)
    with tempfile.TemporaryDirectory() as tmp:
        window = MainWindow(session, QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat))
        window.resize(width, height)
        if present:
            window.presenter.set_presentation(True)
            window.showNormal()
            window.resize(width, height)
        window.show()
        process_events()
        window.graph.fit_readable()
        try:
            frames = export_frames(session.playback, window.grab, out, process_events)
        except OSError as e:
            raise UsageError(f"{out}: cannot be written ({e})") from None
        finally:
            dispose(app)
    print(f"wrote {len(frames)} frames to {out} ({frames[0].name} … {frames[-1].name})")
    return 0
