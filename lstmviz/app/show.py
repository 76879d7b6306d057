"""``lstmviz.show``: the window on a scenario from a Python script, IPython or Jupyter.

From a plain script (no Qt event loop running) ``show`` creates the QApplication if there is none,
opens the window and runs the event loop until the window closes; it returns the scenario as the
window left it, edits and training included. Where an event loop already runs — IPython or Jupyter
with ``%gui qt``, or ``show`` called from inside a running Qt application (a slot, a timer) — it opens
the window and returns it at once; the window stays alive until it is closed.

The scenario goes through the same checks as ``lstmviz gui FILE`` (:func:`.launch.open_for_window`):
a file or preset is read as the command line reads it; a Scenario object is written out and read back
through the scenario reader, so a wrong shape or a NaN is refused in the same one line, naming the
field. Qt is imported only when ``show`` is called: ``import lstmviz`` stays Qt-free.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from ..core import Scenario
from ..io import UsageError

_SHOWN: set = set()  # windows returned without blocking, referenced here until they close


def show(scenario: Scenario | str | os.PathLike, *, block: bool | None = None, select: str | None = None,
         phase: str | None = None, step: int | None = None, view: str = "forward", unit: int = 0,
         present: bool = False, size: tuple[int, int] | None = None, memory_budget: int | None = None,
         settings: Any = None):
    """Open the window on ``scenario`` (a Scenario, a scenario file or a preset name).

    ``block`` — None: wait for the window to close unless a Qt event loop already runs; then the
    final Scenario is returned. Otherwise the MainWindow is returned at once (its
    ``session.document.scenario`` is the live scenario). ``select``, ``phase``, ``step``, ``view``,
    ``unit`` and ``present`` are ``lstmviz gui``'s options of the same names; ``size`` is (width,
    height) in pixels; ``settings`` a QSettings for the window's layout (default: lstmviz's own).
    Bad input: ScenarioError or UsageError, one line, before any window opens."""
    budget = memory_budget if memory_budget is not None else _saved_budget()
    opened, path = _open(scenario, budget)
    app = _application()
    if block is None:
        block = not event_loop_running(app)
    window = _window(opened, path, settings, size, present, (select, phase, step, view, unit))
    if not block:
        _SHOWN.add(window)
        window.destroyed.connect(lambda *_: _SHOWN.discard(window))
        return window
    session = window.session
    if path is None:  # the edits come back as the return value: closing need not ask to save them
        _close_without_asking(window)
    _run_until_closed(window)
    return session.document.scenario


def event_loop_running(app) -> bool:
    """Whether Qt's event loop turns without ``show`` running it: called from inside the loop (the
    thread's loop level > 0), or IPython turning it between prompts (``%gui qt``, ``--gui=qt``)."""
    if app.thread().loopLevel() > 0:
        return True
    ipython = sys.modules.get("IPython")  # only if the user's session already imported it
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    return str(getattr(shell, "active_eventloop", None) or "").startswith("qt")


def _open(target: Any, budget: int | None):
    """The checked scenario and trace (:func:`.launch.open_for_window`'s checks) and its file, if any."""
    from ..io.opening import open_loaded
    from ..io.scenario import parse_scenario
    from ..io.scenario_writer import scenario_to_dict
    from .launch import open_for_window
    from .model.graph_model import window_bytes

    if isinstance(target, Scenario):
        source = f"scenario {target.name!r}"
        return open_loaded(parse_scenario(scenario_to_dict(target), source), source, budget=budget,
                           window_bytes=window_bytes), None
    if not isinstance(target, str | os.PathLike):
        raise UsageError(f"lstmviz.show: expected a Scenario, a scenario file or a preset name, got "
                         f"{type(target).__name__}")
    spec = os.fspath(target)
    return open_for_window(spec, budget), (Path(spec) if Path(spec).is_file() else None)


def _saved_budget() -> int | None:
    from .launch import saved_budget

    return saved_budget()


def _application():
    """The running QApplication, or a new one (offscreen, with a warning, where there is no display)."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from .launch import _needs_offscreen

    app = QCoreApplication.instance()
    if app is not None and not isinstance(app, QApplication):
        raise UsageError("lstmviz.show: a QCoreApplication without widgets is running; the window needs a "
                         "QApplication")
    if app is None:
        if _needs_offscreen():
            print("lstmviz: no display found (DISPLAY is not set); running offscreen.", file=sys.stderr)
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        app = QApplication(sys.argv[:1] or ["lstmviz"])
        app.setApplicationName("lstmviz")
        app.setOrganizationName("lstmviz")
    return app


def _window(opened, path: Path | None, settings, size: tuple[int, int] | None, present: bool, options: tuple):
    """The MainWindow on the opened scenario, at the place the view options ask for (the beginning
    of the story otherwise), shown."""
    from .launch import DEFAULT_SIZE, apply_view_options, parse_size
    from .qt.session import qt_session
    from .window import MainWindow

    session = qt_session(opened.scenario, path, opened.trace)
    select, phase, step, view, unit = options
    try:
        apply_view_options(session, select, phase, step, view, unit)
    except ValueError as e:  # the command line's message, with the keyword's name for the option's
        raise UsageError(f"lstmviz.show: {str(e).removeprefix('--')}") from None
    if phase is None and step is None:
        session.playback.go_start()
    window = MainWindow(session, settings)
    if size is not None or window.settings.value("geometry") is None:
        window.resize(*(size or parse_size(DEFAULT_SIZE)))
    window.show()
    if present:
        window.presenter.set_presentation(True)
    return window


def _close_without_asking(window) -> None:
    """Mark the document saved as the window closes, so closing does not ask to save it."""
    from PySide6.QtCore import QEvent, QObject

    class Closing(QObject):
        def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Close:
                watched.session.history.set_clean()
            return False

    window.installEventFilter(Closing(window))


def _run_until_closed(window) -> None:
    """Turn the event loop until the window is closed and deleted (it deletes itself on close)."""
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop

    loop = QEventLoop()
    window.destroyed.connect(loop.quit)
    loop.exec()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
