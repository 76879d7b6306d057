"""Presentation mode, themes, interface size, and every export (pictures, trace, tables, frames, weights)."""
import re

import numpy as np
import pytest
from helpers import lstm, random_scenario
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from lstmviz.app import style
from lstmviz.app.model.quantities import NodeRef
from lstmviz.app.widgets.graph.legend import scale_words
from lstmviz.app.window.exports import SCALE, GraphPicture, graph_image
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
    qtbot.keyClick(w, Qt.Key.Key_2)  # a number key opens that preset, at the start of phase 1
    assert w.session.document.scenario.name == list_presets()[1].title
    assert w.session.playback.playhead.phase == 1 and w.session.playback.playhead.k == 0
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
    picture = GraphPicture(w.graph)
    graph = QImage(str(tmp_path / "graph.png"))
    assert (graph.width(), graph.height()) == (round(picture.size.width() * 2), round(picture.size.height() * 2))
    assert QImage(str(tmp_path / "window.png")).width() == 2 * w.width()
    w.graph.scene().clearSelection()
    QApplication.clipboard().clear()
    w.named_actions["copy_graph"].trigger()
    copied = QApplication.clipboard().image()
    assert (copied.width(), copied.height()) == (graph.width(), graph.height())  # the labelled picture


def ink(image: QImage, rect: QRectF, background: str = "#ffffff") -> int:
    """How many pixels of ``rect`` (in scene units; the image is at 2×) differ clearly from the background."""
    bg = QColor(background)
    count = 0
    for x in range(int(rect.left() * SCALE), int(rect.right() * SCALE)):
        for y in range(int(rect.top() * SCALE), int(rect.bottom() * SCALE)):
            c = image.pixelColor(x, y)
            count += abs(c.red() - bg.red()) + abs(c.green() - bg.green()) + abs(c.blue() - bg.blue()) > 90
    return count


def colour_at(image: QImage, x: float, y: float) -> tuple[int, int, int]:
    c = image.pixelColor(int(x * SCALE), int(y * SCALE))
    return c.red(), c.green(), c.blue()


def near(rgb, colour: str, tolerance: int = 10) -> bool:
    c = QColor(colour)
    return all(abs(a - b) <= tolerance for a, b in zip(rgb, (c.red(), c.green(), c.blue()), strict=True))


def test_the_exported_graph_has_its_title_scale_steps_and_lane_names(open_window):
    w = open_window()  # the calculator: c[4] = 4 is the largest value, the top of the colour scale
    view = w.graph
    scene = view.scene().sceneRect()
    image, picture = graph_image(view), GraphPicture(view)
    assert (image.width(), image.height()) == (round(picture.size.width() * 2), round(picture.size.height() * 2))
    lane_w, header_h = view.margins.size
    assert picture.size.width() >= scene.width() + lane_w and picture.size.height() > scene.height() + 2 * header_h
    assert picture.band.bottom() <= picture.steps.top() and picture.steps.bottom() <= picture.scene.top()
    assert picture.lanes.right() <= picture.scene.left() and picture.scene.size() == scene.size()
    # the scene sits where the picture says: c[4]'s fill, just inside the node's left edge
    c4 = view.nodes[(0, "c", 4)]
    fill = colour_at(image, picture.scene.left() + c4.pos().x() + 8, picture.scene.top() + c4.pos().y() + 8)
    assert near(fill, c4.fills[0].name(), 2)
    # the title band: the scenario's name top left
    assert ink(image, QRectF(picture.pad, picture.pad, 120, 12)) > 200
    # t = 1 over step 1's nodes, nothing over the gap between steps 1 and 2
    x1 = picture.scene.left() + view.nodes[(0, "c", 1)].pos().x() + view.sizes.node_w / 2
    x2 = picture.scene.left() + view.nodes[(0, "c", 2)].pos().x() + view.sizes.node_w / 2
    row = QRectF(0, picture.steps.top() + 2, 0, picture.steps.height() - 2)  # under the band's rule
    assert ink(image, row.adjusted(x1 - 12, 0, x1 + 12, 0)) > 40
    assert ink(image, row.adjusted((x1 + x2) / 2 - 25, 0, (x1 + x2) / 2 + 25, 0)) == 0
    assert ink(image, row.adjusted(0, 0, picture.steps.left(), 0)) == 0  # the corner stays blank
    # lane names at their rows: "c" beside c[·], nothing between the rows of h and c
    y_c = picture.scene.top() + c4.pos().y() + view.sizes.node_h / 2
    y_h = picture.scene.top() + view.nodes[(0, "h", 4)].pos().y() + view.sizes.node_h / 2
    assert ink(image, QRectF(0, y_c - 8, picture.lanes.width(), 16)) > 20
    assert ink(image, QRectF(0, (y_c + y_h) / 2 - 3, picture.lanes.width(), 6)) == 0
    # the colour scale: the map's two ends, inside the bar's frame
    bar = picture.colour_bar
    stops = style.COLOUR_MAPS["diverging"]
    assert near(colour_at(image, bar.left() + 2, bar.center().y()), stops[0][1])
    assert near(colour_at(image, bar.right() - 2, bar.center().y()), stops[-1][1])
    assert near(colour_at(image, bar.right() - 2, bar.center().y()), c4.fills[0].name())  # = c[4], the top
    assert ink(image, QRectF(bar.left() - 40, bar.top(), 38, bar.height())) > 20  # −4.00
    assert ink(image, QRectF(bar.right() + 4, bar.top(), 36, bar.height())) > 20  # 4.00


def test_the_exported_svg_says_what_it_shows(open_window, tmp_path):
    w = open_window()
    w.session.view.set_view("backward")
    assert w.files.export_to("graph", tmp_path / "g.svg")
    svg = (tmp_path / "g.svg").read_text(encoding="utf-8")
    what, low, high = scale_words(w.graph)  # the words of the legend above the graph
    assert what == "δ"
    for text in ("t = 1", "t = 8", "Pocket calculator (hand-designed LSTM)", "c", "ŷ", "layer 0", high):
        assert f">{text}</text>" in svg, text
    assert re.search(f">{what}\\s+{low}</text>", svg)  # the scale: "δ   −1.00", the bar, "1.00"
    words = "".join(re.findall(r">([^<]*)</text>", svg))  # a line may be split where the font changes
    assert "Backward view: δ in the nodes" in words and "Phase 4/5 · Weight gradient · t = 8 (8/8)" in words
    assert "<b>" not in svg and "&amp;nbsp;" not in svg  # the view's title as plain words


def test_the_exported_graph_shows_numbers_whatever_the_zoom(open_window):
    w = open_window("long-lag")
    w.graph.fit_readable()
    readable = graph_image(w.graph)
    w.graph.fit()
    w.graph.zoom(0.1)
    assert w.graph.heat  # on screen a heat strip without edges
    assert graph_image(w.graph) == readable  # the picture has the numbers and edges all the same
    assert w.graph.heat and not any(e.isVisible() for e in w.graph.edges)  # and the screen stays as it was


def test_the_exported_colour_scale_follows_the_colour_map_and_theme(open_window):
    w = open_window()
    w.presenter.set_look(theme="dark", colour_map="cividis")
    image, picture = graph_image(w.graph), GraphPicture(w.graph)
    bar = picture.colour_bar
    stops = style.COLOUR_MAPS["cividis"]
    assert near(colour_at(image, bar.left() + 2, bar.center().y()), stops[0][1])
    assert near(colour_at(image, bar.right() - 2, bar.center().y()), stops[-1][1])
    assert near(colour_at(image, 1, 1), style.THEMES["dark"]["background"], 0)
    assert ink(image, QRectF(picture.pad, picture.pad, 120, 12), style.THEMES["dark"]["background"]) > 200


def test_trace_and_tables_from_the_app(open_window, tmp_path):
    w = open_window()
    assert w.files.export_to("trace", tmp_path / "t.csv") and w.files.export_to("trace", tmp_path / "t.npz")
    data = np.loadtxt(tmp_path / "t.csv", delimiter=",", skiprows=1)
    assert data.shape[0] == 8
    header = (tmp_path / "t.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    np.testing.assert_array_equal(data[:, header.index("y")], [0, 0, 0, 4, 0, 0, 0, 3])  # the preset's targets
    np.testing.assert_array_equal(data[:, header.index("mask")], [0, 0, 0, 1, 0, 0, 0, 1])
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
