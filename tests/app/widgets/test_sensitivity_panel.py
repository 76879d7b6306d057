"""The RTRL panel: dS/dθ of the selected weight step by step, exact or Gers'; real-time training (Train panel)."""
import copy

import numpy as np
import pytest
from PySide6.QtCore import Qt

from lstmviz.app.numbers import fmt
from lstmviz.core import compute
from lstmviz.core.realtime import realtime_epoch, sensitivities


def rtrl_window(open_window, spec):
    w = open_window(spec, size=(1600, 1000))
    w.docks["rtrl"].raise_()
    w.resizeDocks([w.docks["rtrl"]], [380], Qt.Orientation.Vertical)
    return w


def engine(w, key, index, mode):
    trace = w.session.document.trace
    return sensitivities(trace.scenario.model, trace.forward, key, index, mode)


def table_numbers(panel, t):
    """The table's S_h, S_c and G at step t (what the user reads)."""
    shown = panel.shown_values()
    return shown[f"S_h = ∂h[{t}]/∂θ"], shown[f"S_c = ∂c[{t}]/∂θ"], shown[f"G[{t}] = Σ_(s≤{t}) ∂E[s]/∂θ"]


def expected_numbers(history, t, layer, unit):
    return (fmt(float(history.S_h[layer][t - 1, unit])), fmt(float(history.S_c[layer][t - 1, unit])),
            fmt(float(history.G[t - 1])))


def test_stepping_forward_shows_the_selected_weights_sensitivities(qtbot, open_window):
    w = rtrl_window(open_window, "peephole-lstm")
    s, panel = w.session, w.sensitivity
    s.view.select_weight("l0/U_f", (1, 0))
    s.playback.go_start()
    assert panel.entry_box.currentText() == "U_f[1, 0] · layer 0"
    assert panel.shown_values()["t"] == "0: nothing computed yet"
    assert panel.unit_box.currentText() == "layer 0, unit 1"
    assert len(panel.curves["S_h"].getData()[0] or []) == 0
    history = engine(w, "l0/U_f", (1, 0), "full")
    for t in (1, 2, 3):
        w.named_actions["step_forward"].trigger()
        assert table_numbers(panel, t) == expected_numbers(history, t, 0, 1)
        x, y = panel.curves["S_c"].getData()
        assert x.tolist() == list(range(1, t + 1)) and np.array_equal(y, history.S_c[0][:t, 1])
    assert abs(history.S_c[0][2, 1]) > 1e-3  # real numbers were compared
    s.playback.go_end()  # every step: G[T] is BPTT's gradient
    shown = panel.shown_values()
    assert shown["dE/dθ under full (= G[T])"] == fmt(float(s.document.trace["grad/l0/U_f"][1, 0]))


def test_the_exact_and_gers_toggle_changes_the_numbers(qtbot, open_window):
    w = rtrl_window(open_window, "peephole-lstm")
    s, panel = w.session, w.sensitivity
    s.view.select_weight("l1/W_i", (0, 1))
    s.playback.set_playhead(s.playback.playhead.at(1, 6, s.document.trace.steps))
    exact, gers = engine(w, "l1/W_i", (0, 1), "full"), engine(w, "l1/W_i", (0, 1), "cec")
    assert table_numbers(panel, 6) == expected_numbers(exact, 6, 1, 0)
    qtbot.mouseClick(panel.mode_group.button(1), Qt.MouseButton.LeftButton)
    assert panel.mode == "cec"
    assert table_numbers(panel, 6) == expected_numbers(gers, 6, 1, 0)
    assert expected_numbers(gers, 6, 1, 0) != expected_numbers(exact, 6, 1, 0)
    assert "Gers (cec)" in panel.s_plot.titleLabel.text


def test_an_edit_and_the_panels_own_pick_update_it(qtbot, open_window):
    w = rtrl_window(open_window, "calculator-rnn-0.5")
    s, panel = w.session, w.sensitivity
    assert panel.entry == ("l0/U", (0, 0))  # the default: the calculator's u
    # by hand: h = 1, 2.5, 2.25, 1.125 | 1.5625, 1.78125, 1.890625, 0.9453125 and S = ∂h/∂u = h[t−1] + u·S[t−1]
    # = 3.75 at t = 4, 3.546875 at t = 8: dE/du = −2.875·3.75 − 2.0546875·3.546875
    assert panel.shown_values()["dE/dθ under full (= G[T])"] == fmt(-2.875 * 3.75 - 2.0546875 * 3.546875)
    s.document.set_entry("l0/U", (0, 0), 1.0)
    history = engine(w, "l0/U", (0, 0), "full")
    expected = fmt(float(history.G[-1]))
    assert expected != fmt(-2.875 * 3.75 - 2.0546875 * 3.546875)
    qtbot.waitUntil(lambda: panel.shown_values()["G[8] = Σ_(s≤8) ∂E[s]/∂θ"] == expected)  # a moment after the edit
    row = panel.entries.index(("l0/W", (0, 0)))
    panel.entry_box.setCurrentIndex(row)
    panel.entry_box.activated.emit(row)
    assert s.view.selected_weight == ("l0/W", (0, 0)) and panel.entry == ("l0/W", (0, 0))


def test_a_hidden_panel_waits_until_it_is_shown(qtbot, open_window):
    w = open_window("calculator-rnn-0.5")
    panel = w.sensitivity
    w.docks["plots"].raise_()
    qtbot.wait(10)
    panel.cache.history = None
    w.session.document.set_entry("l0/U", (0, 0), 0.9)
    assert panel._stale and panel.cache.history is None
    w.docks["rtrl"].raise_()
    qtbot.waitUntil(lambda: not panel._stale)
    assert panel.cache.history.G[-1] == pytest.approx(engine(w, "l0/U", (0, 0), "full").G[-1], rel=1e-15)


def test_training_at_every_step_uses_the_real_time_rule(qtbot, open_window):
    w = open_window("stacked-lstm")
    s, panel = w.session, w.train_panel
    w.docks["train"].raise_()
    row = panel.updates_box.findData("step")
    panel.updates_box.setCurrentIndex(row)
    panel.updates_box.activated.emit(row)
    assert s.document.scenario.training.updates == "step"
    assert s.history.text(s.history.count() - 1) == "update the weights at every step (real-time RTRL)"
    reference = copy.deepcopy(s.document.scenario)
    tr = reference.training
    realtime_epoch(reference, "full", tr.learning_rate, tr.clip_norm, tr.frozen)
    panel.epochs_box.setValue(1)
    with qtbot.waitSignal(panel.runner.done, timeout=20000):
        panel.train_button.click()
    for n, layer in enumerate(s.document.scenario.model.layers):
        for key, value in layer.params.items():
            np.testing.assert_array_equal(value, reference.model.layers[n].params[key], err_msg=key)
    assert s.document.trace.loss == compute(reference).loss
    s.history.undo()
    s.history.undo()
    assert s.document.scenario.training.updates == "epoch" and panel.updates_box.currentData() == "epoch"


def test_every_step_under_tbptt_is_refused_in_one_line(qtbot, open_window):
    w = open_window("stacked-lstm")
    s, panel = w.session, w.train_panel
    s.document.set_mode("tbptt:3")
    s.document.set_training("every step", updates="step")
    before = s.document.trace.loss
    with qtbot.waitSignal(panel.runner.done, timeout=20000):
        panel.train_button.click()
    assert panel.message.text() == ("Training refused: real-time rtrl runs under full or cec (Gers' truncation), "
                                    "got gradient tbptt:3")
    assert s.document.trace.loss == before
