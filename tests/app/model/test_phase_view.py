"""The lecture hall's model: the view that follows the phase, what is shown before δ (ε), watch lanes
that wait for their inputs, where nodes sit, and the colour scale."""
import numpy as np
import pytest

from lstmviz.app import style
from lstmviz.app.model import NodeRef, Playhead, Session
from lstmviz.app.model.equations.brief import node_brief
from lstmviz.app.model.graph_layout import GraphLayout, lane_labels
from lstmviz.app.model.graph_model import GraphModel
from lstmviz.app.model.lanes import graph_numbers
from lstmviz.app.model.phase_view import largest_gradient, view_title
from lstmviz.core.phases import Phase
from lstmviz.io import load_scenario


def broken_calculator() -> Session:
    """The pocket calculator with b_i = 0.9: 90 % of each input enters the cell, so E = 0.125."""
    s = Session(load_scenario("calculator-lstm"))
    s.document.set_entry("l0/b_i", (0,), 0.9)
    return s


def test_following_the_phase_switches_the_view_and_picks_the_weight_of_phase_4():
    s = broken_calculator()
    s.view.select(NodeRef(0, "c", 4, 0))
    s.playback.go_start()
    s.follower.set_on(True)
    assert s.view.view == "forward"
    s.playback.go_phase(Phase.SYNC)
    assert s.view.view == "backward"
    s.playback.go_phase(Phase.GRAD)
    key, index = s.view.selected_weight
    grads = {k: np.abs(v).max() for k, v in s.document.trace.items() if k.startswith("grad/")}
    assert f"grad/{key}" in grads and np.abs(s.document.trace[f"grad/{key}"][index]) == max(grads.values()) > 0
    s.playback.go_phase(Phase.BPTT)  # back before phase 4: the node selected before
    assert s.view.selection == NodeRef(0, "c", 4, 0) and s.view.selected_weight is None
    s.follower.set_on(False)
    s.playback.go_phase(Phase.FORWARD)
    assert s.view.view == "backward"  # no longer followed


def test_turning_following_on_in_phase_4_keeps_the_selection():
    s = broken_calculator()
    s.view.select(NodeRef(0, "h", 8, 0))
    s.follower.set_on(True)
    assert s.view.selection == NodeRef(0, "h", 8, 0) and s.view.view == "backward"


def test_the_title_says_what_the_phase_shows_and_names_the_watches():
    s = broken_calculator()
    s.playback.go_phase(Phase.SYNC)
    title = view_title(s.view, s.playback.playhead, s.comparison, following=True)
    assert title.startswith("<b>Phase 2") and "ε" in title and "w1 = " not in title  # short, for the hall
    normal = view_title(s.view, s.playback.playhead, s.comparison, following=False)
    assert normal.startswith("<b>Forward view") and "w1 = <span" in normal and "delta_h[t]*o[t]" in normal


def test_the_largest_gradient_is_found_over_every_parameter():
    s = broken_calculator()
    key, index = largest_gradient(s.document.trace)
    # a_i = 0.9 is off the CReLU kinks (σ̇ = 1): δa_i[t] = δc[t]·c̃[t] = δc[t]·x[t], so dE/dW_i = Σ δc·x², while
    # dE/dW_c̃ = Σ δc·i·x = 0.9·Σ δc·x: with x ∈ {0, 1, 2}, W_i's is the larger
    assert key == "l0/W_i" and index == (0, 0)
    trace = s.document.trace
    assert abs(trace["grad/l0/W_i"][0, 0]) > abs(trace["grad/l0/W_g"][0, 0]) > 0


def test_eps_of_the_calculator_is_h_minus_y_where_a_printout_is_scored():
    s = broken_calculator()
    ph = Playhead.at(Phase.SYNC, 4, 8)
    brief = node_brief(s.document.trace, ph, NodeRef(0, "h", 4, 0))
    assert brief.kind == "eps" and brief.computed and brief.value == pytest.approx(3.6 - 4.0)  # h[4] = 0.9·4
    assert brief.equation.startswith("εh[4] = ∂E[4]/∂h[4]") and brief.numbers.endswith("= −0.400")
    assert not node_brief(s.document.trace, Playhead.at(Phase.SYNC, 3, 8), NodeRef(0, "h", 4, 0)).computed


def test_lanes_in_the_lecture_hall_layout_put_each_pre_activation_under_its_value():
    model = load_scenario("calculator-lstm").model
    side, split = GraphModel(model), GraphModel(model, split=True)
    assert side.slots == 2 and split.slots == 1 and split.rows == side.rows + 4  # a_i, a_f, a_c̃, a_o
    lane = {ln.var: ln for ln in split.lanes}
    for pre, value in (("a_i", "i"), ("a_f", "f"), ("a_o", "o"), ("a_g", "g")):
        assert lane[pre].row == lane[value].row + 1 and lane[pre].slot == lane[value].slot == 1


def test_twelve_steps_of_the_lecture_hall_layout_fit_1920_pixels_beside_the_names():
    layout = GraphLayout(GraphModel(load_scenario("calculator-lstm").model, 1, split=True), 12, style.PRESENTING)
    left, right = layout.window(1, 12)
    assert right - left <= 1920 - 120 and layout.height <= 1080 - 300  # names; step bar, title, band
    assert list(layout.steps_between(*layout.window(7, 3))) == [6, 7, 8]
    assert layout.window(12, 3) == layout.window(11, 3)  # at the end: the last three


def test_layers_name_their_band_and_lanes_explain_themselves():
    s = Session(load_scenario("calculator-lstm"))
    layout = GraphLayout(GraphModel(s.document.scenario.model, 1), 8, style.NORMAL)
    labels = {lb.text: lb for lb in lane_labels(layout, s.document)}
    assert labels["layer 0"].is_layer and labels["layer 0"].tooltip == "layer 0 · LSTM · H = 1"
    assert labels["c"].tooltip.startswith("c[t] = f[t]·c[t−1]") and labels["o  ← a_o"].y > labels["E"].y
    assert labels["w1"].tooltip.startswith("w1[t] = delta_h[t]") and "needs δ (phase 3)" in labels["w1"].tooltip


def test_class_indices_and_delta_e_never_set_the_colour_scale():
    s = Session(load_scenario("char-lstm"))
    graph = GraphModel(s.document.scenario.model, len(s.document.scenario.watches))
    shown = graph_numbers(graph, s.document, s.view, s.comparison)
    targets = s.document.scenario.data.targets
    assert shown.lanes[(None, "y")].categorical and targets.max() >= 10
    assert shown.scale < targets.max()  # the largest value is a softmax output or a state, not a class index
    s.view.set_view("backward")
    shown = graph_numbers(graph, s.document, s.view, s.comparison)
    assert not shown.lanes[(None, "loss")].scaled and shown.scale < 1.0  # δE = 1 wherever a step is scored


def test_a_watch_lane_needs_its_inputs():
    s = Session(load_scenario("calculator-lstm"))  # w1 = δh[t]·o[t] + δc[t+1]·f[t+1]
    graph = GraphModel(s.document.scenario.model, 1)
    needs = graph_numbers(graph, s.document, s.view, s.comparison).lanes[(None, "watch:0")].needs
    assert needs.phase == Phase.BPTT and not needs.whole
    assert not Playhead.at(Phase.SYNC, 8, 8).has(needs, 8)
    assert Playhead.at(Phase.BPTT, 1, 8).has(needs, 8) and not Playhead.at(Phase.BPTT, 1, 8).has(needs, 7)
