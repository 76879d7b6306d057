import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from lstmviz.app.launch import dispose
from lstmviz.app.qt.session import qt_session
from lstmviz.app.window import MainWindow
from lstmviz.io import load_scenario


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def open_window(qapp, qtbot, settings):
    """Open the real window on a scenario (a preset name or a path); deleted after the test."""
    windows = []

    def make(spec="calculator-lstm", size=(1600, 1000)):
        session = qt_session(load_scenario(spec))
        window = MainWindow(session, settings)
        window.resize(*size)
        window.show()
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # keyboard shortcuts need it
        windows.append(window)
        return window
    yield make
    for window in windows:
        try:
            window.session.history.set_clean()
        except RuntimeError:  # already closed and deleted by the test
            pass
    dispose(qapp)


@pytest.fixture(autouse=True)
def nothing_outlives_its_test(request):
    """After each test (and its fixtures' clean-up) no window or dialog is left on screen and no main window
    is left alive: one left behind would take the activation from the next test's window, and a closing
    window with unsaved edits would block on its "Save them first?" box. Whatever is left is closed
    without asking and deleted, and the test fails naming it."""
    yield
    app = QApplication.instance()
    if app is None:
        return
    left = [w for w in app.topLevelWidgets() if w.isVisible() or isinstance(w, MainWindow)]
    if not left:
        return
    names = [f"{type(w).__name__} {w.windowTitle()!r}" for w in left]
    for window in left:
        if isinstance(window, MainWindow):
            window.session.history.set_clean()
    dispose(app)
    pytest.fail(f"{request.node.name} left behind: {', '.join(names)}", pytrace=False)
