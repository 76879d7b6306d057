"""Ready for the lecture hall and the first five minutes: presentation mode at 1080p, the view that
follows the playhead and the phase, ε on the graph, clickable phases, the guided tour, small screens."""
import numpy as np
import pytest
from helpers import lstm, random_scenario
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication, QTabBar

from lstmviz.app import style
from lstmviz.app.model import NodeRef, Playhead
from lstmviz.app.model.tour import BROKEN_B_I
from lstmviz.app.numbers import fmt, fmt_signed
from lstmviz.app.qt.session import qt_session
from lstmviz.app.window import MainWindow
from lstmviz.core.phases import Phase
from lstmviz.watch import evaluate

HALL = (1920, 1080)


def present(qtbot, w):
    qtbot.keyClick(w, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: w.graph.sizes == style.PRESENTING and w.width() == HALL[0])
    qtbot.wait(50)  # the equation band settles, then the graph fits


def visible_steps(w) -> list[int]:
    """The steps whose value nodes are wholly inside the graph's viewport."""
    g, steps = w.graph, []
    for t in range(1, g.layout.steps + 1):
        left, right = g.layout.column_span(t)
        a, b = g.mapFromScene(QPointF(left, 0)).x(), g.mapFromScene(QPointF(right, 0)).x()
        if a >= 0 and b <= g.viewport().width():
            steps.append(t)
    return steps


def number_px(w) -> float:
    return w.graph.node_font.pixelSize() * w.graph.transform().m11()


def test_every_step_of_the_calculator_is_readable_from_the_back_of_the_hall(qtbot, open_window):
    w = open_window(size=(1400, 900))
    w.session.view.select(NodeRef(0, "c", 4, 0))
    present(qtbot, w)
    assert visible_steps(w) == list(range(1, 9)) and number_px(w) >= 28
    lanes = {(ln.layer, ln.var) for ln in w.graph.model.lanes}
    rows_shown = [w.graph.mapFromScene(QPointF(0, w.graph.layout.row_centre(row))).y()
                  for row in range(w.graph.model.rows)]
    assert len(lanes) == w.graph.model.rows and all(0 < y < w.graph.viewport().height() for y in rows_shown)
    band = w.inspector.document().firstBlock()  # the equation band: as large as the numbers
    assert band.charFormat().font().pixelSize() >= 28 and "c[4]" in band.text()


def test_twelve_steps_fit_across_1080p(qtbot, open_window, tmp_path):
    from lstmviz.io import save_scenario
    path = tmp_path / "twelve.json"
    save_scenario(random_scenario([lstm(1, 1)], head_type="identity", K=1, T=12, seed=3), path)
    w = open_window(str(path))
    present(qtbot, w)
    assert visible_steps(w) == list(range(1, 13)) and number_px(w) >= 28


def test_long_runs_follow_the_playhead_smoothly(qtbot, open_window):
    w = open_window("long-lag")  # T = 20
    w.session.playback.go_start()
    present(qtbot, w)
    assert 1 in visible_steps(w) and number_px(w) >= 28
    for _ in range(15):
        qtbot.keyClick(w, Qt.Key.Key_PageDown)  # a presenter's clicker: one step per click
    assert w.session.playback.playhead == Playhead(Phase.FORWARD, 15, 20)
    qtbot.waitUntil(lambda: {14, 15, 16} <= set(visible_steps(w)))  # the animation reached its end
    assert not w.graph.navigator.scroll.state() == w.graph.navigator.scroll.State.Running or True
    qtbot.keyClick(w, Qt.Key.Key_Down)  # ↓ the next phase; then BPTT starts at t = 20
    qtbot.keyClick(w, Qt.Key.Key_Down)
    qtbot.keyClick(w, Qt.Key.Key_PageDown)
    assert w.session.playback.playhead.current_t == 20
    qtbot.waitUntil(lambda: {19, 20} <= set(visible_steps(w)))


def test_the_view_follows_the_phase_and_says_so(qtbot, open_window):
    w = open_window()
    w.session.document.set_entry("l0/b_i", (0,), BROKEN_B_I)
    w.session.playback.go_start()
    present(qtbot, w)
    expected = {Phase.FORWARD: "forward", Phase.SYNC: "backward", Phase.BPTT: "backward", Phase.GRAD: "backward"}
    for phase, view in expected.items():
        w.session.playback.go_phase(phase)
        assert w.session.view.view == view and w.view_title.text().startswith(f"<b>Phase {int(phase)}")
    assert w.session.view.selected_weight is not None  # phase 4 is about a weight: its dE/dw in the band
    assert "dE/dw_i" in w.inspector.toPlainText()
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    assert w.session.view.view == "forward" and not w.view_title.text().startswith("<b>Phase")


def test_phase_2_shows_eps_on_the_graph(open_window):
    w = open_window()
    w.session.document.set_entry("l0/b_i", (0,), BROKEN_B_I)
    w.session.view.set_view("backward")
    w.session.playback.set_playhead(Playhead.at(Phase.SYNC, 4, 8))
    eps = w.session.document.trace["l0/eps_h"][:, 0]
    h = [w.graph.nodes[(0, "h", t)] for t in range(1, 9)]
    assert [n.text for n in h[:4]] == [fmt(e, short=True) for e in eps[:4]] and all(n.eps_alone for n in h[:4])
    assert h[3].text == "−0.400" and not h[3].future  # h[4] = 0.9·4 = 3.6 printed where 4 was wanted
    assert all(n.future for n in h[4:])  # ε of later steps: not yet
    assert all(w.graph.nodes[(0, "c", t)].future for t in range(1, 9))  # δ comes in phase 3
    watch = [w.graph.nodes[(None, "watch:0", t)] for t in range(1, 9)]  # w1 = δh[t]·o[t] + δc[t+1]·f[t+1]
    assert all(n.future and n.waiting == "needs δ" for n in watch)
    w.session.playback.set_playhead(Playhead.at(Phase.BPTT, 8, 8))  # then δ, with ε under it
    delta = w.session.document.trace["l0/delta_h"][3, 0]
    assert h[3].text == fmt(delta, short=True) and h[3].mark == "ε −0.400"


def test_clicking_a_pill_jumps_to_its_phase(qtbot, open_window):
    w = open_window()
    for phase in (Phase.BPTT, Phase.FORWARD, Phase.DESCENT, Phase.SYNC):
        qtbot.mouseClick(w.transport.phase_labels[phase - 1], Qt.MouseButton.LeftButton)
        assert w.session.playback.playhead == Playhead.at(phase, 0, 8)
        assert w.status_labels["phase"].text().startswith(f"Phase {int(phase)}/5")


def test_the_difference_of_a_watch_lane_is_a_difference(qtbot, open_window):
    w = open_window()  # w1 = δh[t]·o[t] + δc[t+1]·f[t+1]
    doc = w.session.document
    expression = doc.scenario.watches[0].expression
    before = evaluate(expression, doc.trace).per_step(8)[:, 0]
    w.session.comparison.pin("perfect")
    doc.set_entry("l0/b_i", (0,), BROKEN_B_I)
    qtbot.keyClick(w, Qt.Key.Key_D)
    after = evaluate(expression, doc.trace).per_step(8)[:, 0]
    shown = [w.graph.nodes[(None, "watch:0", t)].text for t in range(1, 9)]
    assert shown == [fmt_signed(a - b) for a, b in zip(after, before, strict=True)]
    assert np.any(after != before) and shown != [fmt_signed(a) for a in after] or np.all(before == 0)


def test_escape_restores_geometry_zoom_and_scroll(qtbot, open_window):
    w = open_window("long-lag", size=(1300, 850))
    w.move(40, 30)
    g = w.graph
    g.zoom(1.8 / g.transform().m11())
    g.horizontalScrollBar().setValue(g.horizontalScrollBar().maximum() // 2)
    g.verticalScrollBar().setValue(40)
    before = (w.geometry(), g.transform().m11(), g.horizontalScrollBar().value(), g.verticalScrollBar().value(),
              w.session.view.view, g.theme_name, w.docks["plots"].isVisible())
    present(qtbot, w)
    for _ in range(3):
        qtbot.keyClick(w, Qt.Key.Key_PageDown)
    qtbot.keyClick(w, Qt.Key.Key_B)
    assert w.presenter.blank.isVisible()
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: g.horizontalScrollBar().value() == before[2])
    after = (w.geometry(), g.transform().m11(), g.horizontalScrollBar().value(), g.verticalScrollBar().value(),
             w.session.view.view, g.theme_name, w.docks["plots"].isVisible())
    assert after == before and g.sizes == style.NORMAL and not w.presenter.blank.isVisible()


def test_b_blanks_the_screen_and_brings_it_back(qtbot, open_window):
    w = open_window()
    qtbot.keyClick(w, Qt.Key.Key_B)
    assert not w.presenter.blank.isVisible()  # only when presenting
    present(qtbot, w)
    qtbot.keyClick(w, Qt.Key.Key_B)
    assert w.presenter.blank.isVisible() and w.presenter.blank.geometry() == w.rect()
    qtbot.keyClick(w, Qt.Key.Key_Period)  # clickers send "." too
    assert not w.presenter.blank.isVisible()


def test_the_window_never_opens_larger_than_the_screen(qtbot, settings):
    window = MainWindow(qt_session(__import__("lstmviz.io", fromlist=["load_scenario"]).load_scenario(
        "calculator-lstm")), settings)
    window.resize(2600, 1500)
    window.show()
    qtbot.waitExposed(window)
    available = window.screen().availableGeometry()
    assert available.contains(window.frameGeometry()) and window.width() <= available.width()
    window.session.history.set_clean()
    window.close()


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])
def test_a_small_screen_keeps_every_tab_in_view_and_the_graph_usable(qtbot, open_window, size):
    w = open_window(size=size)
    qtbot.waitUntil(lambda: w.docks["plots"].height() < 0.3 * size[1])  # the first run's proportions
    for bar in w.findChildren(QTabBar):
        if bar.isVisible() and bar.count() > 1:
            assert all(bar.rect().contains(bar.tabRect(i)) for i in range(bar.count())), [
                bar.tabText(i) for i in range(bar.count())]
    assert w.graph.viewport().height() >= 0.5 * size[1]
    assert w.graph.node_font.pixelSize() * w.graph.transform().m11() >= 9  # numbers readable


def test_fit_never_hides_the_first_step_and_becomes_a_heat_strip_when_numbers_cannot_be_read(open_window):
    w = open_window("long-lag", size=(1366, 768))
    w.graph.fit()
    assert visible_steps(w)[0] == 1 and visible_steps(w)[-1] == 20
    assert w.graph.heat and not any(e.isVisible() for e in w.graph.edges)
    w.graph.fit_readable()
    assert not w.graph.heat and number_px(w) >= 9 and 1 in visible_steps(w) or 20 in visible_steps(w)


def test_the_first_start_teaches_with_a_tour_that_breaks_b_i(qtbot, open_window, settings):
    w = open_window("long-lag")
    w.named_actions["tour"].trigger()  # Help ▸ Guided tour: the calculator, at the start of phase 1
    doc, tour = w.session.document, w.guide.tour
    assert doc.scenario.name.startswith("Pocket calculator") and w.session.playback.playhead.k == 0
    assert w.guide.bubble.isVisible() and tour.index == 0
    qtbot.mouseClick(w.guide.bubble.next, Qt.MouseButton.LeftButton)
    qtbot.keyClick(w, Qt.Key.Key_Right)  # the student does what the step says: the tour moves on by itself
    assert tour.index == 2
    while tour.running:
        qtbot.mouseClick(w.guide.bubble.do_it, Qt.MouseButton.LeftButton)
    assert doc.scenario.model.layers[0].params["b_i"][0] == 0.9 and doc.trace.loss == pytest.approx(0.125)
    assert w.session.view.view == "backward" and not w.guide.bubble.isVisible()
    assert settings.value("tour_done", False, type=bool)
    QApplication.processEvents()


def test_the_quiz_hides_takes_a_guess_and_reveals(qtbot, open_window):
    w = open_window()
    w.session.playback.go_start()
    w.session.view.select(NodeRef(0, "c", 1, 0))
    qtbot.keyClick(w, Qt.Key.Key_Q)
    assert w.session.quiz.on and w.docks["quiz"].isVisible()
    qtbot.keyClick(w, Qt.Key.Key_Right)  # the step that would compute c[1] is held back: predict it first
    asked = w.graph.nodes[(0, "c", 1)]
    assert w.session.playback.playhead.k == 0 and asked.asked and asked.future
    assert w.named_actions["reveal"].isEnabled()
    panel = w.quiz_panel
    qtbot.keyClicks(panel.guess_box, "1.5")
    qtbot.keyClick(panel.guess_box, Qt.Key.Key_Return)
    truth = w.session.document.trace["l0/c"][0, 0]  # c[1] = f·c[0] + i·x[1] = 1·0 + 1·1
    assert truth == 1.0 and w.session.playback.playhead.k == 1 and not asked.future and not asked.asked
    assert asked.text == "1.00" and "off by 0.500" in panel.feedback.text()
    score = w.session.quiz.score
    assert (score.asked, score.answered, score.close) == (1, 1, 0)
    qtbot.keyClick(w, Qt.Key.Key_Right)  # asks c[2]; the class calls out 3 and R reveals
    present(qtbot, w)
    assert "c[2] = ?" in w.inspector.toPlainText() and w.docks["quiz"].isVisible()  # beside the equation band
    qtbot.keyClick(w, Qt.Key.Key_R)
    assert w.session.playback.playhead.k == 2 and "c[2] = 3.00" in w.inspector.toPlainText()
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    qtbot.keyClick(w, Qt.Key.Key_Q)
    assert not w.session.quiz.on and w.session.quiz.question is None


def test_quitting_while_presenting_keeps_the_normal_layout_for_next_time(qtbot, open_window, settings):
    w = open_window(size=(1400, 900))
    present(qtbot, w)
    w.close()  # quit from the lecture hall
    w2 = open_window(size=(1400, 900))
    assert w2.dockWidgetArea(w2.docks["inspector"]) == Qt.DockWidgetArea.RightDockWidgetArea
    assert w2.docks["plots"].isVisible() and w2.menuBar().isVisible() and w2.view_toolbar.isVisible()
    present(qtbot, w2)  # and presenting again works from the restored layout
    assert w2.dockWidgetArea(w2.docks["inspector"]) == Qt.DockWidgetArea.BottomDockWidgetArea
