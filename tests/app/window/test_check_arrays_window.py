"""File ▸ Check my arrays… in the real window: a student's LSTM (tests/yours_lstm.py, written without the
engine) with a deliberate mistake, loaded through the menu; the first disagreement selected, the differing
nodes outlined, "yours → engine" in the inspector, the My arrays panel's rows; an edit re-checks; a bad
file is an error dialog and changes nothing."""
import json

import numpy as np
import pytest
from helpers import lstm, random_scenario
from PySide6.QtWidgets import QFileDialog, QInputDialog
from yours_lstm import StudentLSTM

from lstmviz.app.model.quantities import NodeRef
from lstmviz.io import save_scenario

T, H = 6, 2


@pytest.fixture
def scenario():
    return random_scenario([lstm(2, H)], T=T, K=1, seed=3)


@pytest.fixture
def window(open_window, scenario, tmp_path):
    path = tmp_path / "mine.json"
    save_scenario(scenario, path)
    return open_window(str(path))


def _load_through_the_menu(w, monkeypatch, path, choice):
    """File ▸ Check my arrays… with the file dialog and the choice of names answered."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), "Arrays (*.npz)"))
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: (choice, True))
    w.named_actions["check_arrays"].trigger()


def _save(tmp_path, arrays, name="yours.npz"):
    path = tmp_path / name
    np.savez(path, **arrays)
    return path


def test_forgetting_f_selects_delta_c_at_the_last_but_one_step_and_marks_the_graph(window, scenario, tmp_path,
                                                                                      monkeypatch, qtbot):
    w = window
    student, right = StudentLSTM(scenario, mistake="forgets_f"), StudentLSTM(scenario)
    path = _save(tmp_path, student.arrays("karpathy"))
    _load_through_the_menu(w, monkeypatch, path, "karpathy")
    assert w.settings.value("check_mapping") == "karpathy"

    # δc[T] has no later step, so δc[T−1] is the first wrong number; its unit is the first whose value differs
    unit = int(np.flatnonzero(~np.isclose(student.dc[T - 2], right.dc[T - 2]))[0])
    assert w.session.view.selection == NodeRef(0, "c", T - 1, unit)
    assert w.session.view.view == "backward"
    report = w.session.yours.report
    assert report.first.key == "l0/delta_c" and report.first.step == T - 1
    assert report.first.yours == pytest.approx(student.dc[T - 2, unit])

    # the graph: the first node emphasised, every other differing node outlined, the agreeing ones not
    assert w.graph.node_item(NodeRef(0, "c", T - 1, unit)).differs == 2
    assert w.graph.node_item(NodeRef(0, "c", T, unit)).differs == 0   # δc[T] agrees
    assert w.graph.node_item(NodeRef(0, "h", T - 1, unit)).differs == 0  # δh[T−1] comes before and agrees
    dc_wrong = ~np.isclose(student.dc[:, unit], right.dc[:, unit], rtol=1e-6, atol=1e-9)
    for t in np.flatnonzero(dc_wrong[:T - 2]) + 1:
        assert w.graph.node_item(NodeRef(0, "c", int(t), unit)).differs == 1

    # the inspector: yours → engine, the δ's of its terms agree, so the equation is what is wrong
    text = w.inspector.toPlainText()
    assert "Yours → engine" in text
    assert f"δc[{T - 1}]" in text and "✗ differs" in text
    assert f"δc[{T}]" in text and f"δh[{T - 1}]" in text
    assert "inputs of the equation" not in text  # c[T−1] itself agrees: only the δ's inputs are listed
    assert f"Your δc[{T - 1}] is the engine's without the term δc[{T}]·f[{T}]" in text  # the term it drops

    # the panel: one row per array, dC differs first at step T−1, the forward values agree
    panel = w.yours_panel
    qtbot.waitUntil(lambda: panel.isVisible())
    rows = {r[0]: r for r in panel.rows()}
    assert rows["dC"][1].startswith(f"differs ✗ first at step {T - 1}, unit {unit}")
    assert rows["C"][1] == f"agrees ✓ ({T * H} entries)"
    assert rows["WLSTM"][1] == "not compared"
    assert panel.summary.text().count("first disagreement: δc (l0/delta_c)") == 1


def test_a_sign_slip_in_db_selects_the_weight_entry_and_the_inspector_compares_its_gradient(
        window, scenario, tmp_path, monkeypatch):
    w = window
    student = StudentLSTM(scenario, mistake="db_sign")
    _load_through_the_menu(w, monkeypatch, _save(tmp_path, student.arrays()), "trace keys")
    assert w.session.view.selected_weight == ("l0/b_i", (0,))
    text = w.inspector.toPlainText()
    assert "Yours → engine" in text and "dE/db_i" in text
    assert not any(item.differs for item in w.graph.nodes.values())  # every node's numbers agree
    # clicking the panel's row of another array selects its first differing entry
    panel = w.yours_panel
    row = next(n for n, r in enumerate(panel.rows()) if r[0] == "grad/l0/b_f")
    panel._on_click(panel.table.topLevelItem(row))
    assert w.session.view.selected_weight == ("l0/b_f", (0,))


def test_an_edit_rechecks_the_correct_arrays_then_differ_and_clear_removes_the_marks(window, scenario, tmp_path,
                                                                                    monkeypatch, qtbot):
    w = window
    _load_through_the_menu(w, monkeypatch, _save(tmp_path, StudentLSTM(scenario).arrays()), "trace keys")
    report = w.session.yours.report
    assert report.ok and w.session.view.selection is None
    node = NodeRef(0, "a_i", 1, 0)
    assert w.graph.node_item(node).differs == 0
    w.session.document.set_entry("l0/b_i", (0,), float(scenario.model.layers[0].params["b_i"][0]) + 0.5)
    report = w.session.yours.report
    assert not report.ok and report.first.key == "l0/a_i" and report.first.step == 1 and report.first.unit == 0
    assert w.graph.node_item(node).differs == 2
    qtbot.waitUntil(lambda: w.yours_panel.rows()[0][1] != "" and "first disagreement" in w.yours_panel.summary.text())
    w.history.undo()
    assert w.session.yours.report.ok and w.graph.node_item(node).differs == 0
    w.session.document.set_entry("l0/b_i", (0,), 9.0)
    w.named_actions["clear_check"].trigger()
    assert not w.session.yours.on and w.graph.node_item(node).differs == 0
    assert "Yours → engine" not in w.inspector.toPlainText()
    assert not w.named_actions["clear_check"].isEnabled()


def test_a_bad_file_is_an_error_dialog_and_the_document_is_unchanged(window, scenario, tmp_path, monkeypatch):
    w = window
    doc = w.session.document
    w.session.document.set_entry("l0/b_i", (0,), 0.25)  # an edit to keep on the undo stack
    before = (doc.trace.loss, w.history.stack.count(), doc.dirty)
    arrays = StudentLSTM(scenario).arrays()
    arrays["l0/c"] = arrays["l0/c"][:-1]
    _load_through_the_menu(w, monkeypatch, _save(tmp_path, arrays, "short.npz"), "trace keys")
    assert w.error_box.text().startswith(f"{tmp_path / 'short.npz'}: l0/c ")
    assert "shape" in w.error_box.text()
    w.error_box.close()
    assert (doc.trace.loss, w.history.stack.count(), doc.dirty) == before
    assert not w.session.yours.on


def test_a_mapping_file_is_asked_for_after_the_choice_and_remembered(window, scenario, tmp_path, monkeypatch):
    """The student's own names through a mapping JSON file: their dC (T, 1, H) with h[−1] stored first."""
    w = window
    student = StudentLSTM(scenario, mistake="forgets_f")
    hs = np.concatenate([scenario.model.layers[0].h0[None], student.h])[:, None, :]
    path = _save(tmp_path, {"dc": student.dc[:, None, :], "hs": hs})
    mapping = tmp_path / "names.json"
    mapping.write_text(json.dumps({"arrays": {"dc": {"key": "l0/delta_c", "batch_axis": 1},
                                              "hs": {"key": "l0/h", "time_offset": 1, "batch_axis": 1}}}))
    answers = iter([(str(path), ""), (str(mapping), "")])
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: next(answers))
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("a mapping JSON file…", True))
    w.named_actions["check_arrays"].trigger()
    report = w.session.yours.report
    assert report.verdict("hs").status == "agrees" and report.first.array == "dc"
    assert w.session.view.selection.var == "c" and w.session.view.selection.t == T - 1
    assert w.settings.value("check_mapping") == "a mapping JSON file…"
    # a unit change draws the other unit's marks
    other = 1 - w.session.view.selection.unit
    w.session.view.set_unit(other)
    marked = {t for t in range(1, T + 1) if w.graph.node_item(NodeRef(0, "c", t, other)).differs}
    expected = {int(t) + 1 for t in np.flatnonzero(report.masks["l0/delta_c"][:, other])}
    assert marked == expected and len(expected) >= 2
