"""The graph's Progress (what the playhead has computed, per lane and step) asks the playhead's rules once for
every step; its arrays equal the rules asked step by step, at every position of the five phases."""
import pytest

from lstmviz.app.model import Playhead, Session
from lstmviz.app.model.graph_model import GraphModel
from lstmviz.app.model.lanes import graph_numbers
from lstmviz.app.widgets.graph.progress import Progress
from lstmviz.core.phases import Phase
from lstmviz.io import load_scenario


def positions(T: int):
    """Every playhead position of an epoch: k = 0 … T in phases 1–4, and phase 5."""
    for phase in (Phase.FORWARD, Phase.SYNC, Phase.BPTT, Phase.GRAD):
        for k in range(T + 1):
            yield Playhead(phase, k, T)
    yield Playhead(Phase.DESCENT, 0, T)


def numbers_of(session: Session):
    scenario = session.document.scenario
    graph = GraphModel(scenario.model, len(scenario.watches))
    return graph_numbers(graph, session.document, session.view, session.comparison)


@pytest.mark.parametrize("preset,mode", [("calculator-lstm", "full"), ("derivation-check", "cec"),
                                         ("stacked-lstm", "tbptt:3"), ("calculator-rnn-1.7", "window:2")])
def test_progress_equals_the_playheads_rules_step_by_step(preset, mode):
    session = Session(load_scenario(preset))
    session.document.set_mode(mode)
    numbers = numbers_of(session)
    watched = [key for key, shown in numbers.lanes.items() if shown.needs is not None]
    assert bool(watched) == (preset in ("calculator-lstm", "derivation-check"))  # the watch lanes are covered
    T = session.document.trace.steps
    for backward in (False, True):
        for ph in positions(T):
            progress = Progress(ph, backward, numbers)
            steps = range(1, T + 1)
            shown = [ph.delta_visible(t) if backward else ph.value_visible(t) for t in steps]
            assert progress.eps_done.tolist() == [ph.eps_visible(t) for t in steps], ph
            for key, lane in numbers.lanes.items():
                expected = shown if lane.needs is None else [ph.has(lane.needs, t) for t in steps]
                got = progress.done[key]
                assert got.dtype == bool and got.shape == (T,), (key, ph)
                assert got.tolist() == expected, (key, ph, backward)


def test_progress_over_twenty_thousand_steps_in_the_middle_of_bptt():
    """δ has reached t = T − k + 1 … T; values everywhere; ε everywhere (phase 2 is over)."""
    session = Session(load_scenario("calculator-lstm"))
    numbers = numbers_of(session)
    T, k = 20_000, 7_500
    progress = Progress(Playhead(Phase.BPTT, k, T), True, numbers)
    delta = progress.done[(0, "c")]
    assert delta.sum() == k and delta[T - k:].all() and not delta[:T - k].any()
    assert progress.eps_done.all() and progress.current == T - k + 1
    values = Progress(Playhead(Phase.BPTT, k, T), False, numbers).done[(0, "c")]
    assert values.all() and values.shape == (T,)
    start = Progress(Playhead(Phase.FORWARD, 0, T), False, numbers)
    assert not start.done[(0, "c")].any() and not start.eps_done.any()
