"""The quiz panel: the question, a typed guess revealed with Enter, the feedback with the equation and its
numbers, the score — and it fits a dock of a 1366×768 window."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from lstmviz.app.model import NodeRef, Playhead, Session
from lstmviz.app.model.quiz import Quiz
from lstmviz.app.widgets.quiz_panel import QuizPanel
from lstmviz.core.phases import Phase
from lstmviz.io import load_scenario


@pytest.fixture
def panel(qtbot):
    def make(preset="calculator-lstm"):
        s = Session(load_scenario(preset))
        quiz = Quiz(s.playback, s.view, s.document)
        widget = QuizPanel(quiz)
        qtbot.addWidget(widget)
        widget.resize(360, 600)
        widget.show()
        return s, quiz, widget
    return make


def test_a_typed_guess_is_revealed_with_enter_and_scored(qtbot, panel):
    s, quiz, p = panel()
    s.view.select(NodeRef(0, "c", 1, 0))
    s.playback.set_playhead(Playhead(Phase.FORWARD, 3, 8))
    assert not p.guess_box.isEnabled() and not p.reveal_button.isEnabled()
    p.toggle.click()
    assert quiz.on and p.guess_box.isEnabled()
    s.playback.step_forward()
    assert "Predict" in p.question_label.text() and "c[4]" in p.question_label.text()
    assert "f[4]·c[3] + i[4]·c̃[4]" in p.question_label.text() and "4.00" not in p.question_label.text()
    assert p.reveal_button.isEnabled() and s.playback.playhead.k == 3
    qtbot.keyClicks(p.guess_box, "3.5")
    qtbot.keyClick(p.guess_box, Qt.Key.Key_Return)
    feedback = p.feedback.text()
    assert s.playback.playhead.k == 4 and s.document.trace["l0/c"][3, 0] == 4.0
    assert "c[4]" in feedback and "= 4.00" in feedback and "your guess 3.50 was off by 0.500 (12.5 %)" in feedback
    assert "= 1.00·4.00 + 1.00·0 = 4.00" in feedback  # the equation with its numbers (x[4] = 0)
    assert p.score_label.text() == "1 asked · 1 answered · 0 close · mean error 0.500"
    assert p.guess_box.text() == "" and not p.reveal_button.isEnabled()


def test_a_refused_guess_says_why_and_keeps_the_question(qtbot, panel):
    s, quiz, p = panel()
    quiz.set_on(True)
    assert p.toggle.isChecked()
    s.playback.go_start()
    s.playback.step_forward()
    qtbot.keyClicks(p.guess_box, "abc")
    qtbot.keyClick(p.guess_box, Qt.Key.Key_Return)
    assert p.message.text() == "Guess: 'abc' is not a number"
    assert quiz.question is not None and s.playback.playhead.k == 0 and quiz.score.asked == 0
    p.guess_box.clear()
    p.guess_box.insert("−0.004")  # the Unicode minus (QTest types ASCII only)
    p.reveal_button.click()
    assert p.message.text() == "" and "close ✓" in p.feedback.text() and quiz.score.close == 1  # h[1] = 0


def test_enter_in_an_empty_box_reveals_and_then_steps_to_the_next_question(qtbot, panel):
    s, quiz, p = panel()
    quiz.set_on(True)
    s.playback.go_start()
    qtbot.keyClick(p.guess_box, Qt.Key.Key_Return)  # no question yet: step forward, which asks
    assert quiz.question.node == NodeRef(0, "h", 1, 0) and s.playback.playhead.k == 0
    qtbot.keyClick(p.guess_box, Qt.Key.Key_Return)  # called out by the class
    assert "revealed without a typed guess" in p.feedback.text() and s.playback.playhead.k == 1
    assert p.score_label.text() == "1 asked · 0 answered · 0 close"
    qtbot.keyClick(p.guess_box, Qt.Key.Key_Return)
    p.skip_button.click()
    assert "skipped (not counted)" in p.feedback.text() and quiz.score.asked == 1 and s.playback.playhead.k == 2


def test_the_panel_names_the_lane_layer_and_unit(qtbot, panel):
    s, quiz, p = panel("peephole-lstm")
    s.view.set_unit(1)
    assert p.lane_label.text().startswith("Quiz lane: h (layer 1, unit 1)")
    s.view.select(NodeRef(0, "g", 2, 1))
    assert p.lane_label.text().startswith("Quiz lane: c̃ (layer 0, unit 1)")
    quiz.set_on(True)
    s.playback.go_phase(Phase.BPTT)
    s.playback.step_forward()
    assert "Predict" in p.question_label.text() and "δc̃[8]" in p.question_label.text()
    assert "(layer 0, unit 1)" in p.question_label.text() and "δ runs from t = 8 down" in p.question_label.text()


def test_the_longest_feedback_wraps_in_a_360_pixel_dock(qtbot, panel):
    s, quiz, p = panel("char-lstm")  # δh of 10 units: a long sum of terms
    quiz.set_on(True)
    s.playback.go_phase(Phase.BPTT)
    s.playback.set_playhead(Playhead(Phase.BPTT, 20, 22))
    s.playback.step_forward()
    qtbot.keyClicks(p.guess_box, "0.05")
    qtbot.keyClick(p.guess_box, Qt.Key.Key_Return)
    assert len(p.feedback.text()) > 300
    assert p.minimumSizeHint().width() <= 360
    qtbot.waitUntil(lambda: p.feedback.width() <= 360)
    for label in p.findChildren(QLabel):
        assert label.width() <= 360 - 8, label.text()[:40]
