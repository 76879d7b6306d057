"""Predict, then reveal: the quiz withholds the step that would compute the asked node, opens a question,
and a reveal takes exactly that step and scores the guess against the trace's own number."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstmviz.app.model import NodeRef, Playhead, Session
from lstmviz.app.model.quantities import layer_vars
from lstmviz.app.model.quiz import Quiz, parse_guess
from lstmviz.core.edits import editable
from lstmviz.core.phases import Phase
from lstmviz.io import load_scenario
from lstmviz.io.presets import list_presets
from lstmviz.watch.breakpoints import Breakpoint

PRESETS = [p.key for p in list_presets()]


def quizzed(preset: str = "calculator-lstm") -> tuple[Session, Quiz]:
    s = Session(load_scenario(preset))
    quiz = Quiz(s.playback, s.view, s.document)
    quiz.set_on(True)
    return s, quiz


def trace_number(trace, node: NodeRef, kind: str) -> float:
    """The number straight from the trace's keys (not through the code under test)."""
    key = {"value": f"l{node.layer}/{node.var}", "eps": f"l{node.layer}/eps_h",
           "delta": f"l{node.layer}/delta_{node.var}"}[kind]
    return float(trace[key][node.t - 1, node.unit])


def test_phase_1_withholds_the_step_and_asks_the_selected_lane():
    s, quiz = quizzed()
    s.view.select(NodeRef(0, "c", 6, 0))
    s.playback.go_start()
    changes = []
    quiz.changed.connect(lambda: changes.append(quiz.question))
    assert s.playback.step_forward() is True  # withheld: playing stops
    assert s.playback.playhead == Playhead.start(8)
    q = quiz.question
    assert (q.node, q.kind) == (NodeRef(0, "c", 1, 0), "value") and changes == [q]
    assert q.brief.name == "c[1]" and q.brief.equation == "c[1] = f[1]·c[0] + i[1]·c̃[1]"
    assert q.brief.value is None and q.brief.numbers == "" and q.brief.when == "phase 1, step t = 1"
    assert s.playback.step_forward() is True and s.playback.playhead.k == 0  # → again: still waiting
    result = quiz.reveal()
    assert s.playback.playhead == Playhead(Phase.FORWARD, 1, 8) and quiz.question is None
    assert result.truth == float(s.document.trace["l0/c"][0, 0]) and result.guess is None and not result.close
    assert result.brief.numbers.startswith("= ") and result.brief.value == result.truth
    s.playback.step_forward()
    assert quiz.question.node == NodeRef(0, "c", 2, 0)


def test_phase_2_asks_only_h_for_its_eps():
    s, quiz = quizzed()
    s.playback.go_phase(Phase.SYNC)
    s.playback.set_playhead(Playhead(Phase.SYNC, 3, 8))
    s.playback.step_forward()
    q = quiz.question
    assert (q.node, q.kind, q.brief.name) == (NodeRef(0, "h", 4, 0), "eps", "εh[4]")
    quiz.guess("-0.4")
    result = quiz.reveal()
    assert result.truth == float(s.document.trace["l0/eps_h"][3, 0]) and s.playback.playhead.k == 4
    s.view.select(NodeRef(0, "c", 2, 0))  # c has no ε: phase 2 steps on
    assert s.playback.step_forward() is False
    assert quiz.question is None and s.playback.playhead == Playhead(Phase.SYNC, 5, 8)


def test_phase_3_asks_delta_counting_down():
    s, quiz = quizzed()
    s.document.set_entry("l0/b_i", (0,), 0.9)  # δ ≠ 0
    s.view.select(NodeRef(0, "c", 1, 0))
    s.playback.go_phase(Phase.BPTT)
    asked = []
    for _ in range(3):
        s.playback.step_forward()
        q = quiz.question
        asked.append((q.node.t, q.kind, q.brief.name))
        result = quiz.reveal()
        assert result.truth == float(s.document.trace["l0/delta_c"][q.node.t - 1, 0])
    assert asked == [(8, "delta", "δc[8]"), (7, "delta", "δc[7]"), (6, "delta", "δc[6]")]
    assert s.playback.playhead == Playhead(Phase.BPTT, 3, 8)


def test_phases_4_and_5_ask_nothing():
    s, quiz = quizzed()
    s.playback.go_phase(Phase.GRAD)
    for k in range(1, 9):
        assert s.playback.step_forward() is False and quiz.question is None
        assert s.playback.playhead == Playhead(Phase.GRAD, k, 8)
    s.playback.step_forward()
    assert s.playback.playhead.phase == Phase.DESCENT and quiz.question is None
    s.playback.step_forward()  # the update, a new epoch
    assert s.playback.epoch == 2 and s.playback.playhead == Playhead.start(8) and quiz.question is None


def test_the_default_lane_is_the_top_h_at_the_drawn_unit_and_any_layer_variable_can_be_asked():
    s, quiz = quizzed("peephole-lstm")
    s.view.set_unit(1)
    assert quiz.lane == (1, "h", 1)
    s.view.select(NodeRef(None, "y_hat", 3, 0))  # the head is not asked: the top h is
    assert quiz.lane == (1, "h", 1)
    s.view.select(NodeRef(0, "a_f", 3, 1))
    assert quiz.lane == (0, "a_f", 1)
    s.playback.go_start()
    s.playback.step_forward()
    assert quiz.question.node == NodeRef(0, "a_f", 1, 1)
    assert quiz.reveal().truth == float(s.document.trace["l0/a_f"][0, 1])


def test_choosing_another_lane_while_asked_asks_that_lane():
    s, quiz = quizzed("peephole-lstm")
    s.playback.go_start()
    s.playback.step_forward()
    assert quiz.question.node == NodeRef(1, "h", 1, 0)
    s.view.select(NodeRef(0, "c", 5, 0))
    assert quiz.question.node == NodeRef(0, "c", 1, 0) and s.playback.playhead == Playhead.start(8)
    s.view.set_unit(1)
    assert quiz.question.node == NodeRef(0, "c", 1, 1)


@pytest.mark.parametrize("text", ["", " ", "nan", "NaN", "inf", "-inf", "infinity", "1e999", "-1e999", "abc",
                                  "1,5", "1_000", "0x10", "1/2", "2+3", "__import__('os').system('true')",
                                  '__import__("os")', "1e", "--1", "١٢", "1.5\nprint(1)", "x" * 500])
def test_a_guess_that_is_not_a_finite_number_is_refused_and_changes_nothing(text):
    s, quiz = quizzed()
    s.playback.go_start()
    s.playback.step_forward()
    before = (quiz.question, s.playback.playhead, s.document.trace.loss, s.history.count(), quiz.score)
    with pytest.raises(ValueError) as e:
        quiz.guess(text)
    message = str(e.value)
    assert message.startswith("Guess: ") and "\n" not in message and len(message) < 120
    assert quiz.guessed is None
    assert (quiz.question, s.playback.playhead, s.document.trace.loss, s.history.count(), quiz.score) == before


@pytest.mark.parametrize(("text", "value"), [("1.5", 1.5), ("-0.2", -0.2), ("−0.2", -0.2), ("1e-3", 1e-3),
                                             (" +2 ", 2.0), (".5", 0.5), ("3.", 3.0), ("−1E2", -100.0)])
def test_a_guess_reads_the_usual_ways_of_typing_a_number(text, value):
    assert parse_guess(text) == value


def test_a_guess_needs_an_open_question():
    s, quiz = quizzed()
    with pytest.raises(ValueError, match="^Guess: no question is open"):
        quiz.guess("1")
    assert quiz.reveal() is None and quiz.skip() is None


def test_the_score_counts_reveals_guesses_and_close_ones():
    s, quiz = quizzed()
    s.view.select(NodeRef(0, "c", 1, 0))
    s.playback.go_start()
    c = s.document.trace["l0/c"][:, 0]
    s.playback.step_forward()
    quiz.guess(str(c[0] * 1.04 + 0.0))  # within 5 %
    r1 = quiz.reveal()
    assert r1.close and r1.error == pytest.approx(abs(c[0] * 0.04))
    s.playback.step_forward()
    quiz.guess(str(c[1] + 1.0))  # far off
    r2 = quiz.reveal()
    assert not r2.close and r2.error == pytest.approx(1.0) and r2.relative == pytest.approx(1.0 / abs(c[1]))
    s.playback.step_forward()
    quiz.reveal()  # called out by the class: asked, not answered
    s.playback.step_forward()
    quiz.guess("12345")
    skipped = quiz.skip()  # not counted
    assert not skipped.counted and skipped.guess is None and s.playback.playhead.k == 4
    score = quiz.score
    assert (score.asked, score.answered, score.close) == (3, 2, 1)
    assert score.mean_error == pytest.approx((abs(c[0] * 0.04) + 1.0) / 2)
    quiz.reset_score()
    assert (quiz.score.asked, quiz.score.answered, quiz.score.mean_error, quiz.last) == (0, 0, None, None)


@pytest.mark.parametrize(("guess", "close"), [(3.81, True), (4.19, True), (3.79, False), (4.21, False)])
def test_close_means_within_5_percent(guess, close):
    s, quiz = quizzed()
    s.view.select(NodeRef(0, "c", 1, 0))
    s.playback.set_playhead(Playhead(Phase.FORWARD, 3, 8))
    s.playback.step_forward()
    assert s.document.trace["l0/c"][3, 0] == 4.0  # the tally so far, x[4] = 0
    quiz.guess(str(guess))
    assert quiz.reveal().close is close


@pytest.mark.parametrize(("guess", "close"), [(0.01, True), (-0.01, True), (0.011, False)])
def test_near_zero_close_means_within_0_01(guess, close):
    s, quiz = quizzed()
    s.playback.go_start()
    s.playback.step_forward()
    assert s.document.trace["l0/h"][0, 0] == 0.0  # o[1] = 0: the calculator prints nothing yet
    quiz.guess(str(guess))
    assert quiz.reveal().close is close


def test_switching_off_drops_the_question_without_moving():
    s, quiz = quizzed()
    s.playback.go_start()
    s.playback.step_forward()
    quiz.guess("1")
    quiz.set_on(False)
    assert quiz.question is None and quiz.guessed is None and s.playback.playhead == Playhead.start(8)
    assert s.playback.step_forward() is False and s.playback.playhead.k == 1  # off: steps freely
    assert quiz.score.asked == 0


def test_a_jump_drops_the_question_and_page_down_does_not_ask():
    s, quiz = quizzed()
    s.playback.go_start()
    s.playback.step_forward()
    s.playback.next_phase_stopping()
    assert quiz.question is None and s.playback.playhead == Playhead(Phase.SYNC, 0, 8)
    s.playback.step_forward()
    assert quiz.question is not None
    s.playback.step_back()
    assert quiz.question is None


def test_a_structure_change_or_another_document_drops_the_question():
    s, quiz = quizzed()
    s.playback.go_start()
    s.playback.step_forward()
    s.document.set_layer_option(0, "peepholes", True)
    assert quiz.question is None and s.playback.playhead == Playhead.start(8)
    s.playback.step_forward()
    assert quiz.question is not None
    s.open("memorizer")
    assert quiz.question is None
    s.playback.go_start()
    s.playback.step_forward()
    assert quiz.question.node == NodeRef(0, "h", 1, 0) and quiz.question.target.T == 16


def test_an_edit_while_asked_is_revealed_with_the_new_number():
    s, quiz = quizzed()
    s.view.select(NodeRef(0, "c", 1, 0))
    s.playback.set_playhead(Playhead(Phase.FORWARD, 3, 8))
    s.playback.step_forward()
    s.document.set_entry("l0/b_i", (0,), 0.9)
    assert quiz.question is not None
    assert quiz.reveal().truth == float(s.document.trace["l0/c"][3, 0]) == pytest.approx(3.6)


def test_playing_stops_at_a_question_and_a_clicker_reveals_then_asks_the_next():
    s, quiz = quizzed()
    s.playback.go_start()
    assert s.playback.tick() is False and quiz.question is not None  # the player stops here
    quiz.advance()
    assert quiz.question is None and s.playback.playhead.k == 1 and quiz.score.asked == 1
    quiz.advance()
    assert quiz.question.node.t == 2 and s.playback.playhead.k == 1


def test_a_breakpoint_still_holds_at_a_revealed_step():
    s, quiz = quizzed()
    s.playback.set_breakpoints([Breakpoint("watch", expression="c[t] > 3.5")])
    s.playback.set_playhead(Playhead(Phase.FORWARD, 3, 8))
    hits = []
    s.playback.breakpoint_hit.connect(hits.append)
    s.playback.step_forward()
    assert not hits
    quiz.reveal()
    assert s.playback.hit is not None and s.playback.hit.t == 4 and len(hits) == 1


def test_the_hook_is_asked_with_the_next_position_and_may_withhold_it():
    s = Session(load_scenario("calculator-lstm"))
    asked = []
    s.playback.before_step = lambda target: asked.append(target) or target.k != 2
    s.playback.go_start()
    assert s.playback.step_forward() is False and s.playback.step_forward() is True
    assert asked == [Playhead(Phase.FORWARD, 1, 8), Playhead(Phase.FORWARD, 2, 8)]
    assert s.playback.playhead == Playhead(Phase.FORWARD, 1, 8)
    s.playback.next_phase_stopping()  # a jump does not ask
    assert len(asked) == 2 and s.playback.playhead == Playhead(Phase.SYNC, 0, 8)
    s.playback.set_playhead(Playhead(Phase.DESCENT, 0, 8))
    s.playback.step_forward()  # phase 5's update does not ask either
    assert len(asked) == 2 and s.playback.epoch == 2


def positions_to_next_epoch(s: Session, quiz: Quiz | None, guess=None) -> list:
    """Every position from the start of the epoch through phase 5's update; with the quiz, every question is
    answered (``guess(question)`` or called out) and revealed, and its truth is checked against the trace."""
    s.playback.go_start()
    seen, asked = [s.playback.playhead], []
    while s.playback.epoch == 1:
        s.playback.step_forward()
        if quiz is not None and quiz.question is not None:
            q = quiz.question
            assert s.playback.playhead == q.origin and not q.brief.numbers
            if guess is not None:
                quiz.guess(guess(q))
            result = quiz.reveal()
            assert result.truth == trace_number(s.document.trace, q.node, q.kind)
            assert s.playback.playhead == q.target
            asked.append((q.target.phase, q.kind))
        seen.append(s.playback.playhead)
    return seen, asked


@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_can_be_quizzed_through_an_epoch_ending_where_plain_stepping_ends(preset):
    plain = Session(load_scenario(preset))
    expected, _ = positions_to_next_epoch(plain, None)
    s, quiz = quizzed(preset)
    seen, asked = positions_to_next_epoch(s, quiz, guess=lambda q: "0.5")
    T = s.document.trace.steps
    assert seen == expected and s.playback.playhead == Playhead.start(T)
    assert asked == [(Phase.FORWARD, "value")] * T + [(Phase.SYNC, "eps")] * T + [(Phase.BPTT, "delta")] * T
    assert quiz.score.asked == quiz.score.answered == 3 * T
    quizzed_arrays = editable(s.document.scenario)
    for key, value in editable(plain.document.scenario).items():  # the same update applied
        np.testing.assert_array_equal(value, quizzed_arrays[key], err_msg=key)
    assert s.document.trace.loss == plain.document.trace.loss and s.playback.epoch == plain.playback.epoch == 2


LANES = st.sampled_from(PRESETS).flatmap(lambda p: st.tuples(st.just(p), st.integers(0, 9), st.integers(0, 9),
                                                             st.integers(0, 11)))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LANES)
def test_any_lane_of_any_preset_is_asked_where_its_phase_computes_it(lane):
    preset, layer_pick, unit_pick, var_pick = lane
    s, quiz = quizzed(preset)
    layers = s.document.scenario.model.layers
    layer = layer_pick % len(layers)
    names = layer_vars(layers[layer])
    var, unit = names[var_pick % len(names)], unit_pick % layers[layer].hidden_size
    s.view.select(NodeRef(layer, var, 1, unit))
    seen, asked = positions_to_next_epoch(s, quiz, guess=lambda q: "−1e-3")
    T = s.document.trace.steps
    eps = [(Phase.SYNC, "eps")] * T if var == "h" else []
    assert asked == [(Phase.FORWARD, "value")] * T + eps + [(Phase.BPTT, "delta")] * T
    assert s.playback.epoch == 2 and len(seen) == 4 * (T + 1) + 2
