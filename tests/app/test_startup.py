"""Opening the window does only what its first picture needs: the panels behind another tab that compute
from the trace (Cost × lag, RTRL, Routes) are made, and compute, when their tab first comes up."""
import numpy as np
import pytest

from lstmviz.app.model import sensitivity as sensitivity_model
from lstmviz.app.model.graph_model import GraphModel
from lstmviz.app.numbers import fmt
from lstmviz.app.widgets import cost_lag_panel, routes_panel
from lstmviz.core import compute
from lstmviz.core.modes import parse_mode
from lstmviz.core.routes import weight_routes
from lstmviz.io import load_scenario

MADE_ON_SHOW = {"cost_lag": "cost_lag", "rtrl": "sensitivity", "routes": "routes"}  # dock → window attribute


@pytest.fixture
def calls(monkeypatch):
    """How often each panel's computation ran: dC(t)/dW(t−u), the routes split, RTRL's sensitivities."""
    counts = {"cost_lag": 0, "routes": 0, "rtrl": 0}

    def counted(name, fn):
        def run(*args, **kwargs):
            counts[name] += 1
            return fn(*args, **kwargs)
        return run
    monkeypatch.setattr(cost_lag_panel, "cost_lag", counted("cost_lag", cost_lag_panel.cost_lag))
    monkeypatch.setattr(routes_panel, "weight_routes", counted("routes", routes_panel.weight_routes))
    monkeypatch.setattr(sensitivity_model, "sensitivities", counted("rtrl", sensitivity_model.sensitivities))
    return counts


def made(window, dock: str) -> bool:
    return MADE_ON_SHOW[dock] in vars(window)


def test_hidden_panels_compute_nothing_until_their_tab_comes_up(qtbot, open_window, calls):
    w = open_window("long-lag")
    s = w.session
    s.document.set_entry("l0/b_f", (0,), 0.5)  # an edit, a selected weight, playhead moves: all while hidden
    s.view.select_weight("l0/U_f", (1, 0))
    s.playback.go_start()
    w.named_actions["step_forward"].trigger()
    s.playback.go_end()
    qtbot.wait(400)  # longer than any panel's debounce
    assert calls == {"cost_lag": 0, "routes": 0, "rtrl": 0}
    assert not any(made(w, dock) for dock in MADE_ON_SHOW)
    trace = compute(s.document.scenario)
    grad = float(trace["grad/l0/U_f"][1, 0])

    w.docks["routes"].raise_()
    qtbot.waitUntil(lambda: calls["routes"] == 1)
    assert w.routes.split.label == "l0/U_f[1, 0]"  # the weight selected before the panel was made
    expected = weight_routes(trace, "l0/U_f", (1, 0))
    np.testing.assert_allclose(w.routes.split.total, expected.total, rtol=1e-12)
    assert calls == {"cost_lag": 0, "routes": 1, "rtrl": 0} and not made(w, "cost_lag") and not made(w, "rtrl")

    w.docks["cost_lag"].raise_()
    qtbot.waitUntil(lambda: calls["cost_lag"] == 1)
    assert w.cost_lag.result.label == "l0/U_f[1, 0]"
    assert w.cost_lag.result.total == pytest.approx(grad, rel=1e-9)

    w.docks["rtrl"].raise_()
    qtbot.waitUntil(lambda: calls["rtrl"] == 1)
    assert w.sensitivity.entry_box.currentText() == "U_f[1, 0] · layer 0"
    assert w.sensitivity.shown_values()["dE/dθ under full (= G[T])"] == fmt(grad)
    assert calls == {"cost_lag": 1, "routes": 1, "rtrl": 1}


def test_the_rtrl_panel_lists_every_entry_once_shown(qtbot, open_window):
    w = open_window("stacked-lstm")
    w.session.view.select_weight("l1/W_i", (0, 1))
    panel = w.sensitivity  # read before its tab came up: made now, its lists still empty
    assert panel.entry_box.count() == 0
    w.docks["rtrl"].raise_()
    qtbot.waitUntil(lambda: panel.entry_box.count() > 0)
    layers = w.session.document.scenario.model.layers
    assert panel.entry_box.count() == sum(a.size for layer in layers for a in layer.params.values())
    assert panel.entry_box.currentText() == "W_i[0, 1] · layer 1"
    assert panel.unit_box.count() == sum(layer.hidden_size for layer in layers)


def test_a_saved_layout_with_a_made_on_show_tab_in_front_shows_it_at_once(qtbot, open_window, calls):
    first = open_window("long-lag")
    first.docks["routes"].raise_()
    qtbot.waitUntil(lambda: calls["routes"] == 1)
    first.close()  # saves the layout: Routes in front
    w = open_window("long-lag")
    qtbot.waitUntil(lambda: calls["routes"] == 2)
    assert made(w, "routes") and not made(w, "cost_lag")
    assert w.routes.split is not None and "under full" in w.routes.plot.getPlotItem().titleLabel.text


def test_cut_masks_of_a_long_run_are_worked_out_for_every_step_at_once():
    """tbptt:3 cuts every lagged edge into steps 4, 7, 10, …; cec the recurrent edges everywhere and never the
    cell's own c[t−1] → c[t]; full nothing (20,000 steps: a loop per step and edge took 94 ms at start)."""
    s = load_scenario("calculator-lstm")
    g = GraphModel(s.model)
    rec = next(e for e in g.edges if e.kind == "recurrent")
    cell = next(e for e in g.edges if e.kind == "cell" and e.lag == 1)
    T = 20_000
    tb = g.cut_masks(parse_mode("tbptt:3"), T)
    assert np.flatnonzero(tb[rec]).tolist() == list(range(3, T, 3))  # index t − 1: steps 4, 7, …
    assert np.array_equal(tb[cell], tb[rec])
    cec = g.cut_masks(parse_mode("cec"), T)
    assert cec[rec].all() and not cec[cell].any()
    assert not any(m.any() for m in g.cut_masks(parse_mode("full"), T).values())


def test_the_units_panel_makes_its_plots_when_first_shown(qtbot, open_window):
    w = open_window("peephole-lstm")
    assert w.units.heat_plot is None  # made at start (its size hint shapes the docks), its plots not yet
    w.docks["units"].raise_()
    qtbot.waitUntil(lambda: w.units.values is not None)
    c = w.session.document.trace["l1/c"]  # the top layer's cells, (T, H); rows of the map are units
    np.testing.assert_array_equal(w.units.image.image, c)
    assert w.units.heat_plot.titleLabel.text.startswith("c[t] of layer 1")


def test_a_screenshot_paints_the_graph_once_into_the_picture(qapp, tmp_path, monkeypatch):
    """Not while the docks settle nor as it is fitted: once, by the grab; and the picture shows it (coloured
    nodes in the graph's area, which the window's background alone would leave two or three colours)."""
    from PySide6.QtGui import QImage

    from lstmviz.app import launch
    from lstmviz.app.widgets.graph import GraphView
    from lstmviz.cli import main

    paints, where = [], {}
    paint = GraphView.paintEvent

    def counted(view, event):
        paints.append(event.rect())
        return paint(view, event)
    monkeypatch.setattr(GraphView, "paintEvent", counted)
    fit = launch.fit_laid_out

    def fitted(graph):
        fit(graph)
        where["rect"] = graph.geometry().translated(graph.mapTo(graph.window(), graph.rect().topLeft()) - graph.pos())
    monkeypatch.setattr(launch, "fit_laid_out", fitted)
    out = tmp_path / "shot.png"
    assert main(["gui", "calculator-lstm", "--screenshot", str(out), "--size", "1366x768"]) == 0
    assert len(paints) == 1
    image = QImage(str(out))
    r = where["rect"]
    colours = {image.pixel(x, y) for x in range(r.left(), r.right(), 7) for y in range(r.top(), r.bottom(), 7)}
    assert len(colours) > 20


def test_the_window_starts_without_collecting_and_freezes_what_it_made(qapp, tmp_path, monkeypatch):
    """No cycle collection from the command's start until the window is made; then the start's objects are
    frozen (later collections skip them) and collecting resumes; a bad option on the way leaves the collector
    as it was."""
    import gc

    from lstmviz.app import launch
    from lstmviz.cli import main

    collections, made = [], []

    def seen(phase, info):
        if phase == "start":
            collections.append(bool(made))
    made_window = launch.window_made

    def window_made():
        made.append(gc.get_freeze_count())
        made_window()
        made[-1] = gc.get_freeze_count() - made[-1]
    monkeypatch.setattr(launch, "window_made", window_made)
    gc.callbacks.append(seen)
    try:
        assert gc.isenabled()
        assert main(["gui", "stacked-lstm", "--screenshot", str(tmp_path / "s.png"), "--size", "800x600"]) == 0
        assert gc.isenabled()
        assert len(made) == 1 and made[0] > 1_000  # at least the window and its panels (and what was imported)
        assert False not in collections  # none before the window was made
        assert main(["gui", "stacked-lstm", "--screenshot", str(tmp_path / "t.png"), "--set", "nope=1"]) == 2
        assert gc.isenabled() and len(made) == 1
    finally:
        gc.callbacks.remove(seen)
        gc.unfreeze()
