"""The graph as data: lanes, edges, and gradient flows that add up to the engine's δ."""
import numpy as np
import pytest
from helpers import lstm, random_scenario, rnn

from lstmviz.app.model.graph_model import GraphModel
from lstmviz.app.model.quantities import NodeRef, Quantities, parse_node
from lstmviz.core import compute
from lstmviz.io import load_scenario


def one_unit_models():
    detuned = load_scenario("calculator-lstm")
    detuned.model.layers[0].params["b_i"][:] = 0.9
    yield "calculator b_i=0.9", detuned
    yield "rnn 1.7", load_scenario("calculator-rnn-1.7")
    yield "peephole stack", random_scenario([lstm(1, 1, peepholes=True), rnn(1, 1, "tanh"), lstm(1, 1)], K=1, T=5,
                                            seed=3)
    yield "no forget gate", random_scenario([lstm(1, 1, forget_gate=False, peepholes=True)], K=1, T=4, seed=4)


@pytest.mark.parametrize("mode", ["full", "cec", "tbptt:2", "window:2", "window:3"])
@pytest.mark.parametrize("name,scenario", list(one_unit_models()), ids=lambda v: v if isinstance(v, str) else "")
def test_flows_leaving_a_node_add_up_to_its_delta(name, scenario, mode):
    """With one unit per layer every δ term is an edge: the flows out of a node sum to its δ (under window:K an
    edge from step t−1 carries δ[t] less the share of the cost whose window starts at t)."""
    trace = compute(scenario, mode)
    graph = GraphModel(scenario.model)
    flows = graph.flows(trace, 0)
    q = Quantities(trace)
    checked = 0
    for lane in graph.lanes:
        if lane.var in ("y", "loss"):
            continue
        for t in range(1, trace.steps + 1):
            total = 0.0
            for e in graph.edges:
                if e.src == (lane.layer, lane.var) and t + e.lag <= trace.steps:
                    total += flows[e][t + e.lag - 1]
            delta = np.ravel(q.delta(NodeRef(lane.layer, lane.var, t, 0)))[0]
            assert total == pytest.approx(delta, rel=1e-10, abs=1e-12), (lane, t)
            checked += 1
    assert checked >= 3 * trace.steps


def test_lanes_of_a_stacked_model_and_cut_edges():
    s = random_scenario([lstm(2, 3, peepholes=True), rnn(3, 2)], T=4)
    g = GraphModel(s.model)
    assert [(ln.layer, ln.var) for ln in g.lanes if ln.slot == 1] == [
        (None, "loss"), (None, "y"), (None, "y_hat"), (1, "h"),
        (0, "o"), (0, "h"), (0, "c"), (0, "g"), (0, "f"), (0, "i"), (None, "x")]
    assert g.lane(0, "a_o").row == g.lane(0, "o").row and g.lane(0, "a_o").slot == 0
    kinds = {(e.kind, e.src, e.dst) for e in g.edges}
    assert ("layer", (0, "h"), (1, "a")) in kinds and ("peephole", (0, "c"), (0, "a_o")) in kinds
    cec = compute(s, "cec").mode
    rec = next(e for e in g.edges if e.kind == "recurrent")
    cell = next(e for e in g.edges if e.kind == "cell" and e.lag == 1)
    assert g.is_cut(rec, cec, 3) and not g.is_cut(cell, cec, 3)
    tb = compute(s, "tbptt:2").mode
    assert g.is_cut(cell, tb, 3) and not g.is_cut(cell, tb, 2)


def test_parse_node_names():
    tr = compute(random_scenario([lstm(2, 3), lstm(3, 2)], T=5))
    assert parse_node("c[4]", tr) == NodeRef(1, "c", 4, 0)
    assert parse_node("l0/h[2][2]", tr) == NodeRef(0, "h", 2, 2)
    assert parse_node("ŷ[3]", tr) == NodeRef(None, "y_hat", 3, 0)
    for bad, message in (("c[9]", "t must be 1 to 5"), ("l3/c[1]", "no layer 3"), ("l1/c[1][2]", "has 2 units"),
                         ("q[1]", "has no variable q"), ("c4", "cannot read node")):
        with pytest.raises(ValueError, match=message):
            parse_node(bad, tr)


def test_window_k_cuts_an_edge_only_for_the_costs_it_does_not_reach():
    """window:3 on the RNN calculator: the edge into step s carries E[s] … E[s+1]; for the cost E[7] the
    graph cuts the edges into steps 2 … 5, and E[7]'s gradient is that of the graph cut at step 5
    (tbptt:4 starts a chunk there)."""
    s = load_scenario("calculator-rnn-0.5")
    g = GraphModel(s.model)
    window = compute(s, "window:3").mode
    rec = next(e for e in g.edges if e.kind == "recurrent")
    assert not any(g.is_cut(rec, window, t) for t in range(1, 9))  # nothing is cut for every cost
    assert [t for t in range(1, 9) if g.is_cut(rec, window, t, cost=7)] == [2, 3, 4, 5]
    assert not g.cut_masks(window, 8)[rec].any() and g.cut_masks(window, 8, cost=7)[rec].tolist() == [
        False, True, True, True, True, False, False, False]
    assert [c for c in range(1, 9) if not g.is_cut(rec, window, 6, cost=c)] == [1, 2, 3, 4, 5, 6, 7]
    only_7 = load_scenario("calculator-rnn-0.5")
    only_7.data.mask[:] = 0
    only_7.data.mask[6] = 1
    tb4 = compute(only_7, "tbptt:4")
    assert tb4.mode.cuts_all_at(5 - 1)
    np.testing.assert_allclose(compute(only_7, "window:3")["grad/l0/U"], tb4["grad/l0/U"], rtol=1e-12)


def test_window_flow_into_a_step_leaves_out_the_cost_that_starts_there():
    """calculator-rnn-0.5 under window:3: δc[2] = −0.71875 is all E[4]'s (ε[4]·u²), and E[4]'s window starts at
    step 2, so the edge h[1] → c[2] carries nothing; into step 7 (there is no E[9]) it carries u·δc[7] whole."""
    trace = compute(load_scenario("calculator-rnn-0.5"), "window:3")
    graph = GraphModel(trace.scenario.model)
    rec = next(e for e in graph.edges if e.kind == "recurrent")
    flows = graph.flows(trace, 0)[rec]
    assert trace["l0/delta_a"][1, 0] == -0.71875
    assert flows[1] == 0.0
    assert flows[6] == 0.5 * trace["l0/delta_a"][6, 0] != 0.0
