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
