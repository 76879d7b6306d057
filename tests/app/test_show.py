"""lstmviz.show: the real window from Python, blocking from a script, at once inside a running event loop."""
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

import lstmviz
from lstmviz.app import show as show_module
from lstmviz.app.launch import dispose
from lstmviz.app.show import event_loop_running, show
from lstmviz.app.window import MainWindow
from lstmviz.core import compute
from lstmviz.io import ScenarioError, UsageError, load_scenario


@pytest.fixture
def cleanup(qapp):
    yield
    for widget in qapp.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.session.history.set_clean()
    dispose(qapp)


def main_windows(qapp) -> list[MainWindow]:
    return [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]


@pytest.fixture
def later():
    """``later(ms, action)``: run the action after ms milliseconds of the event loop, but never after this
    test. A bare ``QTimer.singleShot`` outlives its test: a 10 s one left here once closed the window of
    whichever widget test ran 10 s later, and that test's panel never came on screen."""
    timers = []

    def start(ms: int, action) -> None:
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(action)
        timer.start(ms)
        timers.append(timer)
    yield start
    for timer in timers:
        timer.stop()


@pytest.fixture
def opened(qapp, later):
    """The windows this test opens (an earlier test's window, not yet deleted, is not one of them); and a
    watchdog: should a blocking show never see its window close (a dialog asking to save it, say), the
    dialog is dismissed and the windows closed after 15 s, so a failure fails instead of hanging the suite."""
    before = set(main_windows(qapp))

    def mine() -> list[MainWindow]:
        return [w for w in main_windows(qapp) if w not in before]

    def watchdog():
        for box in [w for w in qapp.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]:
            box.done(QMessageBox.StandardButton.Discard.value)
        for window in mine():
            window.session.history.set_clean()
            later(100, window.close)  # once the box is gone
    later(15_000, watchdog)
    return mine


def test_lstmviz_show_is_the_app_show_and_import_lstmviz_stays_qt_free():
    assert lstmviz.show is show
    code = textwrap.dedent("""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph"):
                    raise ImportError(f"Qt is blocked in this test: {name}")
        sys.meta_path.insert(0, Block())
        import lstmviz
        try:
            lstmviz.show("no-such-scenario.json", memory_budget=10**12)
        except lstmviz.io.ScenarioError as e:
            print(e)
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("no-such-scenario.json: ")  # refused before anything needs Qt


def test_inside_a_running_event_loop_show_returns_the_shown_window_at_once(qapp, qtbot, settings, cleanup, opened,
                                                                         later):
    scenario = load_scenario("calculator-lstm")
    scenario.model.layers[0].params["b_i"][0] = 0.9  # the course's edit: E = 0.125
    shown = []
    later(0, lambda: shown.append(show(scenario, settings=settings, step=3)))
    qtbot.waitUntil(lambda: bool(shown))  # show ran inside the loop qtbot turns, and came back
    window = shown.pop()
    assert isinstance(window, MainWindow) and window.isVisible() and opened() == [window]
    assert window in show_module._SHOWN  # referenced: the caller may drop it
    assert window.session.document.scenario is not scenario  # a checked copy, the caller's is untouched
    assert window.status_labels["loss"].text() == "E = 0.125"
    phase = window.status_labels["phase"].text()
    assert phase.startswith("Phase 1/5") and "t = 3" in phase
    window.close()
    qtbot.waitUntil(lambda: not show_module._SHOWN)


def test_event_loop_running_reads_the_loop_level_and_ipythons_gui_loop(qapp, qtbot, monkeypatch, later):
    assert not event_loop_running(qapp)  # a test body runs outside any event loop
    inside = []
    later(0, lambda: inside.append(event_loop_running(qapp)))
    qtbot.waitUntil(lambda: bool(inside))
    assert inside == [True]
    for loop, running in (("qt6", True), ("qt", True), ("inline", False), (None, False)):
        shell = SimpleNamespace(active_eventloop=loop)
        monkeypatch.setitem(sys.modules, "IPython", SimpleNamespace(get_ipython=lambda shell=shell: shell))
        assert event_loop_running(qapp) is running


def test_from_a_script_show_blocks_until_closed_and_returns_the_edited_scenario(settings, cleanup, opened, later):
    scenario = load_scenario("calculator-lstm")
    seen = []

    def edit_and_close():
        [window] = opened()
        window.session.document.set_entry("l0/b_i", (0,), 0.9)  # as typing 0.9 into the Weights panel does
        seen.append((window.windowTitle(), window.status_labels["loss"].text()))
        window.close()

    later(100, edit_and_close)
    final = show(scenario, settings=settings)  # no loop runs: show runs one until the window closes
    assert seen == [(f"*{scenario.name} — lstmviz", "E = 0.125")]  # closed without asking to save
    assert final.model.layers[0].params["b_i"][0] == 0.9
    assert scenario.model.layers[0].params["b_i"][0] == 1.0
    assert compute(final).loss == pytest.approx(0.125, abs=1e-12)
    assert not opened()


def test_a_file_is_opened_with_its_path_and_returned_unchanged_when_not_edited(tmp_path, settings, cleanup, opened,
                                                                              later):
    path = tmp_path / "calc.json"
    path.write_text((lstmviz.io.resolve_scenario("calculator-lstm")).read_text())
    titles = []

    def close():
        [window] = opened()
        titles.append(window.windowTitle())
        window.close()

    later(100, close)
    final = show(path, settings=settings, block=True)
    assert titles == [f"{final.name} (calc.json) — lstmviz"]
    np.testing.assert_array_equal(final.data.x, load_scenario(path).data.x)


def test_bad_input_is_refused_in_one_line_before_a_window_opens(qapp, settings, cleanup, opened):
    broken = load_scenario("calculator-lstm")
    broken.data.x[2, 0] = np.nan
    cases = [(42, {}, UsageError, "lstmviz.show: expected a Scenario, a scenario file or a preset name, got int"),
             (broken, {}, ScenarioError, f"scenario '{broken.name}': data.x[2][0] is nan, expected a finite number"),
             ("calculator-lstm", {"unit": 7}, UsageError, "lstmviz.show: unit must be 0 to 0, got 7"),
             ("calculator-lstm", {"step": 99}, UsageError, "lstmviz.show: step must be 0 to 8, got 99")]
    for target, options, error, message in cases:
        with pytest.raises(error) as e:
            show(target, settings=settings, block=False, **options)
        assert str(e.value) == message
    assert not opened()


def test_a_plain_script_gets_its_qapplication_and_the_edited_scenario(tmp_path):
    """No QApplication exists in a fresh interpreter: show makes one and runs its loop until the close."""
    code = textwrap.dedent(f"""
        from PySide6.QtCore import QSettings, QTimer
        from PySide6.QtWidgets import QApplication
        import lstmviz
        from lstmviz.app import show as show_module
        opens = show_module._window
        def window_closing_soon(*args):  # the user: types 0.9 for b_i[0], then closes the window
            window = opens(*args)
            QTimer.singleShot(200, lambda: (window.session.document.set_entry("l0/b_i", (0,), 0.9), window.close()))
            return window
        show_module._window = window_closing_soon
        assert QApplication.instance() is None
        final = lstmviz.show("calculator-lstm", settings=QSettings({str(tmp_path / "s.ini")!r},
                                                                  QSettings.Format.IniFormat))
        print(final.model.layers[0].params["b_i"][0], QApplication.instance().applicationName())
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["0.9", "lstmviz"]
