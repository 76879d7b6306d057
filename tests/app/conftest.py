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
