"""An edit or a playhead step reaches only the graph's nodes on screen, and only those whose look changed
repaint; nodes made off screen catch up when they come on screen or are looked up."""
import dataclasses

import numpy as np
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication

from lstmviz.app.numbers import fmt
from lstmviz.app.widgets.graph import blocks as blocks_module
from lstmviz.app.widgets.graph.items import NodeItem, text_colour
from lstmviz.app.window.exports import graph_image
from lstmviz.core.model import Data
from lstmviz.io import load_scenario
from lstmviz.io.scenario_writer import save_scenario


def long_calculator(path, steps: int = 104):
    """The calculator with its 8 steps of data tiled to ``steps`` steps."""
    s = load_scenario("calculator-lstm")
    d, reps = s.data, steps // s.data.steps
    data = Data(x=np.tile(d.x, (reps, 1)), y=np.tile(d.y, (reps,) + (1,) * (d.y.ndim - 1)), mask=np.tile(d.mask, reps))
    save_scenario(dataclasses.replace(s, data=data), path)
    return str(path)


def raw(graph, key) -> NodeItem:
    """The item as it is (not brought up to date as ``graph.nodes[key]`` would)."""
    return dict.__getitem__(graph.nodes, key)


def long_run_from_the_start(open_window, tmp_path):
    """The window on the calculator tiled to a long run, at the readable zoom, scrolled to t = 1."""
    w = open_window(long_calculator(tmp_path / "long.json"))
    w.graph.fit_readable()
    w.graph.horizontalScrollBar().setValue(0)
    return w


def c_text(window, t: int) -> str:
    return fmt(float(window.session.document.trace["l0/c"][t - 1, 0]), short=True)


def test_an_edit_reaches_only_the_blocks_on_screen_and_the_others_catch_up(open_window, tmp_path):
    w = long_run_from_the_start(open_window, tmp_path)
    graph, blocks = w.graph, w.graph.blocks
    QApplication.processEvents()
    off = max(blocks.made)
    assert off not in blocks.on_screen()  # made one block beyond the viewport, for a short pan
    t_off, t_on = off * 16 + 1, 1
    old_off = raw(graph, (0, "c", t_off)).text
    assert old_off == c_text(w, t_off)
    assert w.session.document.set_entry("l0/b_g", (0,), 0.5) is None  # every c changes
    assert c_text(w, t_off) != old_off
    assert raw(graph, (0, "c", t_on)).text == c_text(w, t_on)  # on screen: told at once
    assert raw(graph, (0, "c", t_off)).text == old_off and off in blocks.stale  # off screen: not touched
    graph.centerOn(*graph.layout.node_xy(graph.model.lane(0, "c"), t_off))  # a pan brings it on screen
    assert off in blocks.on_screen() and off not in blocks.stale
    assert raw(graph, (0, "c", t_off)).text == c_text(w, t_off)


def test_a_node_looked_up_off_screen_is_up_to_date(open_window, tmp_path):
    w = long_run_from_the_start(open_window, tmp_path)
    graph = w.graph
    off = max(graph.blocks.made)
    t_off = off * 16 + 2
    w.session.document.set_entry("l0/b_g", (0,), -0.5)
    assert off in graph.blocks.stale
    assert graph.nodes[(0, "c", t_off)].text == c_text(w, t_off)  # the lookup freshens its block
    assert off not in graph.blocks.stale


def test_far_out_an_edit_touches_no_node_and_zooming_in_shows_the_new_numbers(open_window, tmp_path):
    w = long_run_from_the_start(open_window, tmp_path)
    graph = w.graph
    graph.fit()
    assert graph.heat
    before = raw(graph, (0, "c", 3)).text
    w.session.document.set_entry("l0/b_g", (0,), 0.5)
    assert raw(graph, (0, "c", 3)).text == before and graph.blocks.stale == set(graph.blocks.made)
    graph.fit_readable()
    graph.horizontalScrollBar().setValue(0)
    assert raw(graph, (0, "c", 3)).text == c_text(w, 3) != before


def test_a_playhead_step_repaints_only_the_nodes_that_change(open_window, monkeypatch):
    w = open_window()
    graph, playback = w.graph, w.session.playback
    graph.fit_readable()
    playback.go_start()
    playback.step_forward()
    playback.step_forward()  # phase 1, t = 2
    repainted = []
    repaint = blocks_module.repaint_nodes
    monkeypatch.setattr(blocks_module, "repaint_nodes",
                        lambda view, items: (repainted.extend(items), repaint(view, items)))
    t = playback.playhead.current_t
    playback.step_forward()
    assert playback.playhead.current_t == t + 1
    steps = {item.t for item in repainted}
    assert steps == {t, t + 1}  # the old current column loses its border, the new one is computed
    assert len(repainted) <= 2 * len(graph.model.lanes)


def test_a_nodes_number_is_centred_in_it(open_window):
    w = open_window()
    item = w.graph.nodes[(0, "c", 4)]
    assert item.text and not item.future and len(item.fills) == 1
    r = w.graph.node_rect
    image = QImage(int(r.width()), int(r.height()), QImage.Format.Format_ARGB32)
    image.fill(item.fills[0])
    p = QPainter(image)
    item.paint(p, None)
    p.end()
    pixels = np.array([[image.pixelColor(x, y).lightnessF() for x in range(image.width())]
                       for y in range(image.height())])
    fill, ink = item.fills[0].lightnessF(), text_colour(item.fills[0]).lightnessF()
    ys, xs = np.nonzero(np.abs(pixels - ink) < np.abs(pixels - fill) * 0.5)  # the number's ink
    inner = (xs > 3) & (xs < image.width() - 4) & (ys > 3) & (ys < image.height() - 4)  # not the border
    xs, ys = xs[inner], ys[inner]
    assert len(xs) > 20
    assert abs((xs.min() + xs.max()) / 2 - (image.width() - 1) / 2) <= 1.5
    assert abs((ys.min() + ys.max()) / 2 - (image.height() - 1) / 2) <= 3


def test_an_edit_skips_the_columns_off_screen_of_a_block_on_screen_until_they_come_on_screen(open_window, tmp_path):
    w = long_run_from_the_start(open_window, tmp_path)
    graph, blocks = w.graph, w.graph.blocks
    QApplication.processEvents()
    first, last = blocks.shown_steps()
    b = blocks.block_of(last)
    assert b in blocks.on_screen() and last < (b + 1) * 16  # the last block on screen shows only some columns
    t_off = (b + 1) * 16  # that block's last step: off screen
    old = raw(graph, (0, "c", t_off)).text
    w.session.document.set_entry("l0/b_g", (0,), 0.5)
    assert raw(graph, (0, "c", last)).text == c_text(w, last)  # on screen: told at once
    assert raw(graph, (0, "c", t_off)).text == old != c_text(w, t_off)  # its column is off screen: not yet
    assert raw(graph, (0, "c", t_off)) in blocks.missed[b]
    graph.centerOn(*graph.layout.node_xy(graph.model.lane(0, "c"), t_off))  # a pan brings it on screen
    assert raw(graph, (0, "c", t_off)).text == c_text(w, t_off) and b not in blocks.missed


def test_a_layer_title_goes_to_the_viewports_left_edge_and_an_export_puts_it_where_its_band_starts(
        open_window, tmp_path, monkeypatch, qtbot):
    w = open_window(long_calculator(tmp_path / "long.json"))
    graph = w.graph
    graph.fit_readable()
    (title,) = graph.band_titles
    bar = graph.horizontalScrollBar()
    bar.setValue(0)
    qtbot.waitUntil(lambda: not graph.navigator.titles.isActive())
    start = title.x()

    def at_the_edge() -> bool:
        return graph.mapToScene(0, 0).x() < title.x() < graph.mapToScene(12, 0).x()
    for step in range(1, 6):  # a pan far past the band's start: the title does not move with each frame
        bar.setValue(bar.maximum() * step // 10)
        assert title.x() == start and graph.navigator.titles.isActive()
    qtbot.waitUntil(at_the_edge, timeout=2000)
    assert title.isVisible()
    graph.zoom(1.5)
    qtbot.waitUntil(at_the_edge, timeout=2000)  # and again after a zoom
    seen = []
    render = type(graph.scene()).render
    monkeypatch.setattr(type(graph.scene()), "render", lambda scene, *a: seen.append(title.x()) or render(scene, *a))
    graph_image(graph, scale=0.25)
    assert seen == [start]  # the whole graph's picture: the title at the band's start
    assert at_the_edge()  # and back at the edge
