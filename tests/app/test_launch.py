"""The app starts on the default preset and renders offscreen."""
from PySide6.QtGui import QImage

from lstmviz.app.window import MainWindow
from lstmviz.cli import main
from lstmviz.io import load_scenario


def test_window_opens_on_a_scenario(qtbot):
    window = MainWindow(load_scenario("calculator-lstm"))
    qtbot.addWidget(window)
    window.show()
    assert window.windowTitle() == "lstmviz — Pocket calculator (hand-designed LSTM)"
    assert window.statusBar().currentMessage().endswith("E = 0")


def test_screenshot_command_writes_a_png(qapp, tmp_path):
    out = tmp_path / "shot.png"
    assert main(["gui", "calculator-rnn-1", "--screenshot", str(out), "--size", "800x500"]) == 0
    image = QImage(str(out))
    assert not image.isNull() and (image.width(), image.height()) == (800, 500)


def test_screenshot_size_is_validated(qapp, tmp_path, capsys):
    assert main(["gui", "--screenshot", str(tmp_path / "s.png"), "--size", "huge"]) == 2
    assert "--size must look like 1600x1000" in capsys.readouterr().err
