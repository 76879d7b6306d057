"""Presentation mode, themes, interface size, and every export (pictures, trace, tables, frames, weights)."""
import numpy as np
import pytest
from helpers import lstm, random_scenario
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from lstmviz.app import style
from lstmviz.app.model.quantities import NodeRef
from lstmviz.cli import main
from lstmviz.core import compute
from lstmviz.io import list_presets, save_scenario
from lstmviz.io.weights import export_weights


def test_f5_presents_only_the_graph_the_equation_and_the_step_bar(qtbot, open_window):
    w = open_window()
    w.session.view.select(NodeRef(0, "c", 4, 0))
    qtbot.keyClick(w, Qt.Key.Key_F5)
    assert w.presenter.presenting and w.windowState() & Qt.WindowState.WindowFullScreen
    assert not w.menuBar().isVisible() and not w.docks["plots"].isVisible() and not w.view_toolbar.isVisible()
    assert w.docks["inspector"].isVisible() and w.transport.isVisible()
    assert w.graph.theme_name == "contrast" and w.graph.sizes == style.PRESENTING
    text = w.inspector.toPlainText()  # the equation band: what phase 4's view is about, the δ of c[4]
    assert "δc[4] = δh[4]·o[4]" in text and "sum of the terms" not in text
    qtbot.keyClick(w, Qt.Key.Key_2)  # a number key opens that preset
    assert w.session.document.scenario.name == list_presets()[1].title
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    assert not w.presenter.presenting and w.menuBar().isVisible() and w.docks["plots"].isVisible()
    assert w.graph.theme_name == "light"
    qtbot.keyClick(w, Qt.Key.Key_2)  # outside presentation digits do nothing
    assert w.session.document.scenario.name == list_presets()[1].title


def test_f_jumps_to_the_selected_node_when_presenting(qtbot, open_window):
    w = open_window("peephole-lstm")
    w.presenter.set_presentation(True)
    w.session.view.select(NodeRef(0, "i", 8, 0))
    w.graph.centerOn(0, 0)
    qtbot.keyClick(w, Qt.Key.Key_F)
    item = w.graph.node_item(NodeRef(0, "i", 8, 0))
    assert w.graph.viewport().rect().contains(w.graph.mapFromScene(item.sceneBoundingRect().center()))


def test_interface_size_is_remembered(qtbot, open_window, settings):
    w = open_window()
    base = w.font().pointSizeF()
    qtbot.keyClick(w, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert w.presenter.ui_zoom == pytest.approx(1.15) and w.font().pointSizeF() == pytest.approx(base * 1.15)
    assert float(settings.value("ui_zoom")) == pytest.approx(1.15)
    w2 = open_window()
    assert w2.presenter.ui_zoom == pytest.approx(1.15)
    qtbot.keyClick(w2, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert w2.presenter.ui_zoom == 1.0


def test_dark_theme_and_a_greyscale_safe_colour_map(open_window):
    w = open_window()
    w.presenter.set_look(theme="dark", colour_map="cividis")
    assert w.graph.backgroundBrush().color().name() == "#15171c"
    assert w.graph.nodes[(0, "c", 4)].fills[0].name() == "#ffe945"  # c[4] = 4 is the largest value: top of cividis
    lightness = [w.graph.nodes[(0, "o", 2)].fills[0].lightnessF(), w.graph.nodes[(0, "c", 4)].fills[0].lightnessF()]
    assert lightness[0] < lightness[1]  # greyscale keeps the order: a_o = −1 darker than c = 4


def test_pictures_are_readable_by_qts_own_readers(open_window, tmp_path):
    w = open_window()
    for what in ("graph", "plots", "window"):
        assert w.files.export_to(what, tmp_path / f"{what}.png") and w.files.export_to(what, tmp_path / f"{what}.svg")
        image = QImage(str(tmp_path / f"{what}.png"))
        assert not image.isNull()
        assert QSvgRenderer(str(tmp_path / f"{what}.svg")).isValid()
    rect = w.graph.scene().sceneRect()
    graph = QImage(str(tmp_path / "graph.png"))
    assert (graph.width(), graph.height()) == (int(rect.width() * 2), int(rect.height() * 2))  # 2× resolution
    assert QImage(str(tmp_path / "window.png")).width() == 2 * w.width()
    w.graph.scene().clearSelection()
    QApplication.clipboard().clear()
    w.named_actions["copy_graph"].trigger()
    assert not QApplication.clipboard().image().isNull()


def test_trace_and_tables_from_the_app(open_window, tmp_path):
    w = open_window()
    assert w.files.export_to("trace", tmp_path / "t.csv") and w.files.export_to("trace", tmp_path / "t.npz")
    data = np.loadtxt(tmp_path / "t.csv", delimiter=",", skiprows=1)
    assert data.shape[0] == 8
    with np.load(tmp_path / "t.npz") as z:
        np.testing.assert_array_equal(z["l0/h"][:, 0], [0, 0, 0, 4, 0, 0, 0, 3])
    w.files.copy_table("markdown")
    text = QApplication.clipboard().text()
    assert "| c[t] | 1.00 | 3.00 | 4.00 | 4.00 | 1.00 | 2.00 | 3.00 | 3.00 |" in text and "| εh[t] |" in text
    w.files.copy_table("latex")
    assert QApplication.clipboard().text().startswith(r"\begin{tabular}")


def test_export_frames_of_an_epoch(qapp, tmp_path):
    out = tmp_path / "frames"
    assert main(["export-frames", "calculator-lstm", "--out", str(out), "--size", "1000x700"]) == 0
    frames = sorted(out.glob("frame_*.png"))
    assert len(frames) == 4 * (8 + 1) + 1  # phases 1–4, steps 0…8 each, then phase 5
    first, last = QImage(str(frames[0])), QImage(str(frames[-1]))
    assert (first.width(), first.height()) == (1000, 700) and first != last


def test_importing_pytorch_weights_gives_the_same_trace_and_is_undoable(qtbot, open_window, tmp_path):
    original = random_scenario([lstm(2, 3)], K=2, T=5, seed=8)
    np.savez(tmp_path / "w.npz", **export_weights(original, "pytorch"))
    other = random_scenario([lstm(2, 3)], K=2, T=5, seed=9)  # same shapes, other weights
    original.data = other.data  # only the weights differ
    original.model.layers[0].h0, original.model.layers[0].c0 = other.model.layers[0].h0, other.model.layers[0].c0
    save_scenario(other, tmp_path / "other.json")
    w = open_window(str(tmp_path / "other.json"))
    before = w.session.document.trace.loss
    assert w.files.import_weights(str(tmp_path / "w.npz"), "pytorch")
    expected = compute(original)
    for key in expected.keys():
        np.testing.assert_allclose(w.session.document.trace[key], expected[key], rtol=1e-15, atol=1e-15, err_msg=key)
    assert w.session.history.text(0) == "import pytorch weights from w.npz"
    w.session.history.undo()
    assert w.session.document.trace.loss == before
    assert not w.files.import_weights(str(tmp_path / "w.npz"), "keras")
    assert "is the file in the pytorch layout?" in w.error_box.text()
    w.error_box.close()
