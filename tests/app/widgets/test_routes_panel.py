"""The Routes panel: a weight's gradient (or δc[t]) by lag and by route, drawn from the engine's split."""
import numpy as np
import pytest

from lstmviz.app.model.quantities import NodeRef
from lstmviz.app.numbers import fmt
from lstmviz.core import compute
from lstmviz.core.routes import delta_c_routes, weight_routes


def shown(w):
    w.docks["routes"].raise_()
    w.routes.refresh_if_stale()
    return w.routes


def heights(panel, route):
    return np.asarray(panel.bars[route].opts["height"], dtype=float)


def test_selecting_a_weight_draws_the_engines_parts_and_the_total_is_the_gradient(qtbot, open_window):
    w = open_window("long-lag")
    panel = shown(w)
    w.session.view.select_weight("l0/U_f", (1, 0))
    qtbot.waitUntil(lambda: panel.split is not None and panel.split.label == "l0/U_f[1, 0]")
    expected = weight_routes(compute(w.session.document.scenario), "l0/U_f", (1, 0))
    assert set(panel.bars) == {"now", "highway", "i", "f", "o", "g"}  # an LSTM: no "via h"
    for route in panel.bars:
        np.testing.assert_allclose(heights(panel, route), expected.row(route), rtol=1e-12, atol=0)
    # the stacks: each bar starts where the same-signed bars below it end
    y0 = np.asarray(panel.bars["i"].opts["y0"], dtype=float)
    below = np.stack([expected.row(r) for r in ("now", "highway")])
    up, down = np.maximum(below, 0).sum(axis=0), np.minimum(below, 0).sum(axis=0)
    np.testing.assert_allclose(y0, np.where(expected.row("i") >= 0, up, down))
    grad = w.session.document.trace["grad/l0/U_f"][1, 0]
    assert f"dE/dU_f[1, 0]</span> = <b>{_fmt(grad)}</b>" in panel.sums.text()
    assert panel.weight_edit.text() == "l0/U_f[1,0]"
    assert "dE/dU_f[1, 0]</span> by lag and route, under full" in panel.plot.getPlotItem().titleLabel.text


def test_switching_to_cec_empties_every_bar_through_h(qtbot, open_window):
    w = open_window("long-lag")
    panel = shown(w)
    w.session.view.select_weight("l0/W_g", (0, 0))
    qtbot.waitUntil(lambda: panel.split is not None and panel.split.label == "l0/W_g[0, 0]")
    assert np.abs(heights(panel, "g")).max() > 0  # under full some error leaves the highway into c̃
    w.session.document.set_mode("cec")
    qtbot.waitUntil(lambda: panel.split.mode == "cec")
    for route in ("i", "f", "o", "g"):
        assert not heights(panel, route).any()
    cec = w.session.document.trace["grad/l0/W_g"][0, 0]
    assert heights(panel, "highway")[19] == pytest.approx(cec, rel=1e-12)  # x[1] reaches E[20] at lag 19 only
    assert f"= <b>{_fmt(cec)}</b>" in panel.sums.text()


def test_selecting_a_cell_node_splits_its_delta_c(qtbot, open_window):
    w = open_window("peephole-lstm")
    panel = shown(w)
    w.session.view.select(NodeRef(1, "c", 3, 1))
    qtbot.waitUntil(lambda: panel.split is not None and panel.split.label.startswith("l1/delta_c"))
    trace = w.session.document.trace
    expected = delta_c_routes(trace, 1, 3, 1)
    for route in panel.bars:
        np.testing.assert_allclose(heights(panel, route), expected.row(route), rtol=1e-12, atol=0)
    assert f"δc[3]</span> (layer 1, unit 1) = <b>{_fmt(trace['l1/delta_c'][2, 1])}</b>" in panel.sums.text()
    assert len(heights(panel, "now")) == trace.steps  # one bar per lag, T = 8: no "≥ L" bar


def test_an_rnn_has_one_route_in_time_and_a_bad_weight_is_one_line(qtbot, open_window):
    w = open_window("calculator-rnn-0.5")
    panel = shown(w)
    panel.weight_edit.setText("l0/U[0,0]")
    panel.weight_edit.editingFinished.emit()
    qtbot.waitUntil(lambda: panel.split is not None and panel.split.label == "l0/U[0, 0]")
    assert set(panel.bars) == {"now", "h"}
    legend = [panel.legend.items[n][1].text for n in range(2)]
    assert "same step</span>" in legend[0] and "via h</span>" in legend[1]
    assert heights(panel, "h")[0] == 0 and heights(panel, "now")[1:].sum() == 0
    panel.weight_edit.setText("l0/U_f")
    panel.weight_edit.editingFinished.emit()
    assert panel.sums.text().startswith("Routes ▸ weight: 'l0/U_f' is not a weight of this model")
    assert panel.bars == {}


def test_a_hidden_panel_waits_until_it_is_shown(qtbot, open_window):
    w = open_window("calculator-lstm")
    w.docks["plots"].raise_()
    w.routes.split = None
    w.session.view.select_weight("l0/b_i", (0,))
    assert w.routes.split is None and w.routes._stale
    w.docks["routes"].raise_()
    qtbot.waitUntil(lambda: w.routes.split is not None)
    assert w.routes.split.label == "l0/b_i[0]"


def _fmt(v):
    return fmt(float(v))
