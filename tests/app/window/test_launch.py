"""Starting the app: the command line's gui options."""
from PySide6.QtGui import QImage

from lstmviz.app.launch import parse_size
from lstmviz.cli import main


def test_screenshot_of_a_two_layer_peephole_preset_in_backward_view(qapp, tmp_path):
    out = tmp_path / "shot.png"
    assert main(["gui", "peephole-lstm", "--screenshot", str(out), "--size", "1000x700", "--view", "backward",
                 "--phase", "bptt", "--step", "5", "--unit", "1"]) == 0
    image = QImage(str(out))
    assert not image.isNull() and (image.width(), image.height()) == (1000, 700)


def test_screenshot_size_is_validated(qapp, tmp_path, capsys):
    assert main(["gui", "--screenshot", str(tmp_path / "s.png"), "--size", "huge"]) == 2
    assert "--size must look like 1600x1000" in capsys.readouterr().err
    assert parse_size("800x600") == (800, 600)


def test_a_picture_shows_one_tab_bar_per_group_of_panels_and_no_stale_one(qapp, tmp_path):
    """Qt retires a dock group's old tab bar with deleteLater; a picture taken without an event loop must
    still not show it over the panels (process_events runs the deferred deletions)."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QTabBar

    from lstmviz.app.launch import dispose, process_events
    from lstmviz.app.qt.session import qt_session
    from lstmviz.app.window import MainWindow
    from lstmviz.io import load_scenario

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(qt_session(load_scenario("long-lag")), settings)
    w.resize(1366, 768)
    w.show()
    for _ in range(3):
        process_events()
    bars = [[b.tabText(i) for i in range(b.count())] for b in w.findChildren(QTabBar) if b.parent() is w]
    assert sorted(bars) == [["Inspector", "Quiz", "Weights", "Watches", "Train", "Analyses"],
                            ["Plots", "Compare", "History", "My arrays", "Cost × lag", "RTRL", "Routes", "Units"]]
    w.session.history.set_clean()
    dispose(qapp)
