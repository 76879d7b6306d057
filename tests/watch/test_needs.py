"""What a watch needs before it can be shown at a step (the phase computing its inputs)."""
import pytest

from lstmviz.core.phases import Phase
from lstmviz.watch import WatchError
from lstmviz.watch.needs import Needs, needs


@pytest.mark.parametrize(("expression", "phase", "whole"), [
    ("h[t] - y[t]", Phase.FORWARD, False),
    ("h[t-1] * 2", Phase.FORWARD, False),        # the previous step is computed first
    ("h[t+1]", Phase.FORWARD, True),             # the next one is not: only once phase 1 is complete
    ("eps_h[t]", Phase.SYNC, False),
    ("delta_c[t+1] * f[t+1]", Phase.BPTT, False),  # δ runs from T down: t+1 is done before t
    ("delta_h[t-1]", Phase.BPTT, True),
    ("l0.delta_c[t] + dx[t]", Phase.BPTT, False),
    ("sum(delta_c[t] * c[t-1] for t)", Phase.BPTT, True),
    ("grad_W_f", Phase.GRAD, True),
    ("W_i @ x[t]", Phase.FORWARD, False),
])
def test_the_phase_and_whether_it_must_be_complete(expression, phase, whole):
    assert needs(expression) == Needs(phase, whole)


def test_a_watch_naming_an_earlier_one_needs_what_that_one_needs():
    earlier = {"w1": Needs(Phase.BPTT, False)}
    assert needs("w1 * h[t]", earlier) == Needs(Phase.BPTT, False)
    assert needs("2 * h[t]", earlier) == Needs(Phase.FORWARD, False)


def test_an_expression_that_does_not_parse_is_refused():
    with pytest.raises(WatchError):
        needs("h[t] +")
