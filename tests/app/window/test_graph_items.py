"""The graph makes items only for what is on screen: their number stays bounded as T grows."""
import dataclasses

import numpy as np

from lstmviz.app import style
from lstmviz.app.model import Playhead
from lstmviz.app.numbers import fmt
from lstmviz.app.widgets.graph import blocks as blocks_module
from lstmviz.core.model import Data
from lstmviz.core.phases import Phase
from lstmviz.io import load_scenario
from lstmviz.io.scenario_writer import save_scenario


def stretched_calculator(path, steps: int):
    """The calculator preset with its 8 steps of data tiled to ``steps`` steps, saved to ``path``."""
    s = load_scenario("calculator-lstm")
    reps = steps // s.data.steps
    d = s.data
    data = Data(x=np.tile(d.x, (reps, 1)), y=np.tile(d.y, (reps,) + (1,) * (d.y.ndim - 1)), mask=np.tile(d.mask, reps))
    save_scenario(dataclasses.replace(s, data=data), path)
    return path


def idle_work_done(qtbot, graph) -> None:
    """Wait until the idle pre-build has made the blocks two beyond the screen."""
    blocks = graph.blocks
    qtbot.waitUntil(lambda: not blocks.building and blocks.wanted(2) <= set(blocks.made))


def test_the_number_of_graphics_items_stays_bounded_as_t_grows(open_window, qtbot, tmp_path):
    counts = {}
    for T in (104, 1000, 10000):
        w = open_window(str(stretched_calculator(tmp_path / f"calc{T}.json", T)))
        w.graph.fit_readable()
        assert not w.graph.heat
        idle_work_done(qtbot, w.graph)  # the items made in idle time count too
        counts[T] = len(w.graph.scene().items())
        lanes = len(w.graph.model.lanes)
        assert counts[T] < 160 * lanes * 3  # at most ten blocks of 16 steps: nodes, edges and a little more
        bar = w.graph.horizontalScrollBar()
        bar.setValue(bar.maximum())  # to the last step: its nodes are made, the first step's are gone
        idle_work_done(qtbot, w.graph)
        c = float(w.session.document.trace["l0/c"][T - 1, 0])
        assert w.graph.nodes.get((0, "c", T)) is not None and w.graph.nodes[(0, "c", T)].text == fmt(c, short=True)
        assert (0, "c", 1) not in w.graph.nodes
        assert len(w.graph.scene().items()) <= counts[T] * 1.5
        shown = len(w.graph.scene().items())
        w.graph.fit()  # far out: the heat strip, no new item, those made hidden
        assert w.graph.heat and w.graph.heat_strip.isVisible() and len(w.graph.scene().items()) <= shown
        assert not any(item.isVisible() for item in [*w.graph.nodes.values(), *w.graph.edges])
        w.close()
    assert counts[10000] <= counts[1000] * 1.2 and counts[10000] < 10000 * len(w.graph.model.lanes) / 50


def test_far_out_the_heat_strip_paints_each_node_in_its_colour(open_window):
    w = open_window()
    graph = w.graph
    graph.fit_readable()
    graph.zoom(0.3 / graph.transform().m11())  # numbers 3.9 px tall: too small to read
    assert graph.heat and graph.heat_strip.isVisible()
    x, y = graph.layout.node_xy(graph.model.lane(0, "c"), 4)
    graph.centerOn(x, y)

    def colour_of_c4() -> str:
        graph.viewport().repaint()
        point = graph.mapFromScene(x + graph.sizes.node_w / 2, y + graph.sizes.node_h / 2)
        return graph.viewport().grab().toImage().pixelColor(point).name()
    assert colour_of_c4() == style.COLOUR_MAPS["diverging"][-1][1]  # c[4] = 4, the largest value: the top colour
    w.session.playback.set_playhead(Playhead.at(Phase.FORWARD, 3, 8))
    assert colour_of_c4() == style.NOT_COMPUTED  # not computed yet at step 3 of the forward pass


def test_fitted_far_out_the_heat_strip_rows_fill_the_viewport_height(open_window, tmp_path):
    w = open_window(str(stretched_calculator(tmp_path / "calc1000.json", 1000)))
    graph = w.graph
    graph.fit()
    assert graph.heat and graph.transform().m11() * graph.sizes.number_px < style.MIN_NUMBER_PX
    rows = [graph.heat_strip.band(lane.row) for lane in graph.model.lanes]
    top = graph.mapFromScene(0, min(y for y, _ in rows)).y()
    bottom = graph.mapFromScene(0, max(y + h for y, h in rows)).y()
    height = graph.viewport().height()
    assert 0 <= top and bottom <= height and bottom - top >= 0.8 * height  # every row on screen, filling it
    assert graph.verticalScrollBar().maximum() == 0
    pitch = graph.mapFromScene(0, graph.layout.row_y[1]).y() - graph.mapFromScene(0, graph.layout.row_y[0]).y()
    assert pitch >= 20  # each lane a band as tall as a line of text, not a sliver

    def colour_at(row: int, t: int) -> str:
        y, h = graph.heat_strip.band(row)
        point = graph.mapFromScene(graph.layout.step_centre(t), y + h / 2)
        graph.viewport().repaint()
        return graph.viewport().grab().toImage().pixelColor(point).name()
    c = w.session.document.trace["l0/c"][:, 0]
    t = int(np.argmax(c)) + 1  # c's largest value: the top colour of the map, at the foot of the stretched row
    assert colour_at(graph.lane_at[(0, "c")].row, t) == style.COLOUR_MAPS["diverging"][-1][1]
    graph.zoom(style.MIN_NUMBER_PX / graph.sizes.number_px / graph.transform().m11() * 1.01)  # numbers readable
    assert not graph.heat and graph.transform().m22() == graph.transform().m11()  # nodes keep their shape


def test_in_idle_time_the_block_a_pan_reaches_next_is_made_before_the_pan_gets_there(open_window, qtbot, tmp_path):
    w = open_window(str(stretched_calculator(tmp_path / "calc1000.json", 1000)))
    graph, blocks = w.graph, w.graph.blocks
    graph.fit_readable()
    bar = graph.horizontalScrollBar()
    bar.setValue(0)
    shown = max(blocks.wanted(0))
    qtbot.waitUntil(lambda: shown + 2 in blocks.made)  # two blocks beyond the screen: made in idle time
    before = set(blocks.made)
    step_px = graph.layout.column_w * graph.transform().m11()
    while max(blocks.wanted(0)) == shown:  # a steady pan, a step at a time, until a new block comes on screen
        bar.setValue(bar.value() + round(step_px))
    assert blocks.wanted() <= before  # the blocks the scroll needed were there: no frame made one
    qtbot.waitUntil(lambda: shown + 3 in blocks.made)  # and the next one follows in idle time
    assert set(blocks.made) <= blocks.wanted(3)  # memory: blocks are dropped three beyond the screen
    assert len(graph.scene().items()) < 10 * 16 * len(graph.model.lanes) * 3


def test_a_block_made_over_several_idle_turns_shows_the_playhead_that_moved_meanwhile(open_window, tmp_path):
    w = open_window(str(stretched_calculator(tmp_path / "calc1000.json", 1000)))
    graph, blocks = w.graph, w.graph.blocks
    graph.fit_readable()
    graph.horizontalScrollBar().setValue(0)
    target = max(blocks.wanted()) + 3  # a block not made yet
    assert target not in blocks.made
    build = blocks._build(target)  # what the idle pre-build runs a slice at a time
    for _ in graph.model.lanes:
        next(build)  # every node made, at the end of the run (every step computed)
    t = target * blocks_module.BLOCK + 8
    w.session.playback.set_playhead(Playhead.at(Phase.FORWARD, t, 1000))  # the forward pass at step t
    for _ in build:
        pass
    assert target in blocks.made
    for var in ("i", "f", "o", "g", "c", "h"):
        assert not graph.nodes[(0, var, t)].future and graph.nodes[(0, var, t + 1)].future, var
    c = float(w.session.document.trace["l0/c"][t - 1, 0])
    assert graph.nodes[(0, "c", t)].text == fmt(c, short=True)
