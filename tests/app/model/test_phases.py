"""The five phases of an epoch: what is computed at each position."""
import numpy as np

from lstmviz.app.model.phases import Playhead, each_step
from lstmviz.core.phases import Phase


def test_walk_through_all_phases_forward_and_back():
    T = 3
    ph = Playhead.start(T)
    seen = [ph]
    while (nxt := seen[-1].forward()) is not None:
        seen.append(nxt)
    assert len(seen) == 4 * (T + 1) + 1 and seen[-1] == Playhead(5, 0, T)
    back = [seen[-1]]
    while back[-1] != Playhead.start(T):
        back.append(back[-1].back())
    assert back[::-1] == seen


def test_visibility_follows_the_course_order():
    T = 4
    fwd = Playhead(1, 2, T)
    assert [fwd.value_visible(t) for t in range(1, 5)] == [True, True, False, False]
    assert not any(fwd.delta_visible(t) for t in range(1, 5))
    bptt = Playhead(3, 1, T)  # δ appears from the last step backwards
    assert [bptt.delta_visible(t) for t in range(1, 5)] == [False, False, False, True]
    assert bptt.current_t == 4 and all(bptt.eps_visible(t) for t in range(1, 5))
    assert Playhead(4, 3, T).grad_steps == 3 and Playhead(3, 4, T).grad_steps == 0
    assert "Back-propagation through time" in bptt.describe() and "t = 4" in bptt.describe()


def test_phase_jumps_and_names():
    T = 5
    assert Playhead(2, 3, T).prev_phase() == Playhead(2, 0, T)
    assert Playhead(2, 0, T).prev_phase() == Playhead(1, 0, T)
    assert Playhead(4, 2, T).next_phase() == Playhead(5, 0, T)
    assert Phase.parse("bptt") == 3 and Phase.parse("5") == 5


def test_each_step_is_the_playheads_rule_step_by_step():
    t = np.arange(1, 6)
    for phase in Phase:
        for k in ((0,) if phase == Phase.DESCENT else range(6)):
            ph = Playhead.at(phase, k, 5)
            for rule in (ph.value_visible, ph.eps_visible, ph.delta_visible):
                assert each_step(rule, t).tolist() == [rule(int(step)) for step in t]
    ph = Playhead.at(Phase.BPTT, 2, 5)  # δ from t = T backwards: two steps done
    assert each_step(ph.delta_visible, t).tolist() == [False, False, False, True, True]
    assert each_step(ph.value_visible, t).tolist() == [True] * 5
    assert each_step(ph.eps_visible, t).tolist() == [True] * 5
    assert each_step(Playhead.start(5).eps_visible, t).tolist() == [False] * 5
