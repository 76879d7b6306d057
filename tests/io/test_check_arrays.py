"""check_arrays: a student's own LSTM (tests/yours_lstm.py, not the engine) against the engine's trace.

A correct implementation agrees completely in every layout; three deliberate mistakes are each found
at the right quantity, step and unit — the first one in computation order."""
import numpy as np
import pytest
from helpers import lstm, random_scenario
from yours_lstm import StudentLSTM

import lstmviz
from lstmviz.core.phases import Phase
from lstmviz.io.yours import ABSENT, AGREES, DIFFERS, NOT_COMPARED, check_arrays

T, H = 6, 4
LAYOUTS = [None, "pytorch", "keras", "karpathy"]


@pytest.fixture
def scenario():
    """Random weights, data and a random initial state h0, c0."""
    return random_scenario([lstm(3, H)], T=T, K=2, seed=3)


@pytest.fixture
def at_rest():
    """The same model starting from h0 = c0 = 0."""
    return random_scenario([lstm(3, H)], T=T, K=2, seed=3, random_state=False)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_correct_implementation_agrees_completely_in_every_layout(scenario, layout):
    arrays = StudentLSTM(scenario).arrays(layout)
    report = check_arrays(scenario, arrays, layout)
    assert report.ok, report
    assert report.first is None
    compared = {v.array for v in report.verdicts if v.status == AGREES}
    not_compared = {v.array for v in report.verdicts if v.status == NOT_COMPARED}
    assert compared | not_compared == set(arrays)  # every array they gave has a verdict, none absent
    assert str(report).splitlines()[0].startswith(f"arrays: all {len(compared)} arrays present agree")


def test_the_exported_api_writes_the_course_names(scenario):
    assert lstmviz.check_arrays(scenario, StudentLSTM(scenario).arrays()).ok
    arrays = StudentLSTM(scenario, mistake="forgets_f").arrays()
    assert lstmviz.check_arrays(scenario, arrays).summary().startswith("first disagreement: δc (l0/delta_c) at layer 0")
    assert check_arrays(scenario, arrays).summary().startswith("first disagreement: l0/delta_c at layer 0")
    plain = lstmviz.check_arrays(scenario, arrays, None, name=str, rtol=1e-3)
    assert plain.summary().startswith("first disagreement: l0/delta_c") and plain.rtol == 1e-3


@pytest.mark.parametrize("layout", [None, "karpathy"])
def test_delta_c_without_the_forget_term_is_first_wrong_at_the_last_but_one_step(scenario, layout):
    """δc[T] has no later step, so it is right. At T−1 the missing term is δc[T]·f[T]. δh[T−1] is
    still right (it reads δa[T], built from the right δc[T]), and so are δo[T−1] and δa_o[T−1], which
    the backward pass computes before δc: the walk (T … 1, δh, δo, δa_o, δc …) meets δc[T−1] first,
    at unit 0 since δc[T][0]·f[T][0] is far from 0."""
    student = StudentLSTM(scenario, mistake="forgets_f")
    right = StudentLSTM(scenario)
    assert abs(right.dc[T - 1, 0] * right.gate["f"][T - 1, 0]) > 1e-2
    report = check_arrays(scenario, student.arrays(layout), layout)
    d = report.first
    assert (d.key, d.phase, d.layer, d.step, d.index) == ("l0/delta_c", Phase.BPTT, 0, T - 1, (0,))
    assert d.array == ("dC" if layout else "l0/delta_c")
    assert d.yours == pytest.approx(student.dc[T - 2, 0]) and d.engine == pytest.approx(right.dc[T - 2, 0])
    assert report.verdict("dC" if layout else "l0/delta_c").status == DIFFERS
    assert report.verdict("C" if layout else "l0/c").status == AGREES


def test_a_transposed_u_is_first_wrong_in_the_forward_pass_of_step_2_from_rest(at_rest):
    """From h0 = 0, step 1 reads no U (U·0 = 0 whichever way round): a[1] is right. Step 2 reads h[1]
    through Uᵀ, so the first quantity computed at step 2, a_i[2], is wrong (unit 0: row 0 of U_i
    and its column 0 differ)."""
    student = StudentLSTM(at_rest, mistake="transposed_U")
    report = check_arrays(at_rest, student.arrays("karpathy"), "karpathy")
    d = report.first
    assert (d.key, d.phase, d.step, d.index, d.array) == ("l0/a_i", Phase.FORWARD, 2, (0,), "IFOG")
    assert report.verdict("h0").status == AGREES


def test_a_transposed_u_with_a_random_h0_is_wrong_from_step_1(scenario):
    report = check_arrays(scenario, StudentLSTM(scenario, mistake="transposed_U").arrays())
    assert (report.first.key, report.first.step, report.first.index) == ("l0/a_i", 1, (0,))


@pytest.mark.parametrize("layout,array", [(None, "grad/l0/b_i"), ("pytorch", "bias_ih_l0.grad"),
                                          ("keras", "layer0/bias.grad"), ("karpathy", "dWLSTM")])
def test_a_sign_slip_in_de_db_shows_only_in_phase_4_at_grad_b(scenario, layout, array):
    """Every value, ε and δ is right; the first wrong number is the first bias gradient, dE/db_i[0]."""
    student = StudentLSTM(scenario, mistake="db_sign")
    report = check_arrays(scenario, student.arrays(layout), layout)
    d = report.first
    assert (d.key, d.phase, d.layer, d.step, d.index, d.array) == ("grad/l0/b_i", Phase.GRAD, 0, None, (0,), array)
    assert d.yours == pytest.approx(-d.engine) and d.engine == pytest.approx(StudentLSTM(scenario).db["i"][0])
    wrong = {v.array for v in report.verdicts if v.status == DIFFERS}
    assert wrong == ({"grad/l0/b_i", "grad/l0/b_f", "grad/l0/b_o", "grad/l0/b_g"} if layout is None
                     else {"bias_ih_l0.grad", "bias_hh_l0.grad"} if layout == "pytorch" else {array})


def test_absent_arrays_are_absent_not_wrong(scenario):
    arrays = StudentLSTM(scenario).arrays("karpathy")
    kept = {k: arrays[k] for k in ("Hout", "dC")}
    report = check_arrays(scenario, kept, "karpathy")
    assert report.ok, report
    status = {v.array: v.status for v in report.verdicts}
    assert status["Hout"] == status["dC"] == AGREES
    assert status["IFOG"] == status["dWLSTM"] == status["dX"] == ABSENT
    assert "WLSTM" not in status  # a weight they did not give is not listed
    assert "absent (" in str(report) and "IFOG" in str(report).splitlines()[-1]
    full = check_arrays(scenario, {"l0/h": StudentLSTM(scenario).h})
    assert sum(v.status == ABSENT for v in full.verdicts) == len(full.verdicts) - 1


def test_the_report_marks_every_differing_entry_and_keeps_their_values(scenario):
    student = StudentLSTM(scenario, mistake="forgets_f")
    report = check_arrays(scenario, student.arrays())
    mask = report.masks["l0/delta_c"]
    assert mask.shape == (T, H) and not mask[T - 1].any() and mask[T - 2].all()
    np.testing.assert_array_equal(report.values["l0/delta_c"], student.dc)
    assert not report.masks["l0/h"].any()


def test_tolerances(scenario):
    arrays = StudentLSTM(scenario).arrays()
    arrays["l0/h"] = arrays["l0/h"] + 1e-5
    assert not check_arrays(scenario, arrays).ok
    assert check_arrays(scenario, arrays, atol=2e-5).ok
    assert check_arrays(scenario, arrays, rtol=0.1).ok  # |h| ≥ 0.002 here: 0.1·|h| > 1e-5 everywhere
    small = np.argwhere(np.abs(StudentLSTM(scenario).h) * 1e-3 + 1e-6 < 1e-5)[0]  # the first by step, then unit
    first = check_arrays(scenario, arrays, rtol=1e-3, atol=1e-6).first
    assert (first.key, first.step, first.index) == ("l0/h", small[0] + 1, (small[1],))
    with pytest.raises(ValueError, match="rtol must be a finite number"):
        check_arrays(scenario, arrays, rtol=-1)


def test_nothing_to_compare_is_not_a_pass(scenario):
    weights_only = {k: v for k, v in StudentLSTM(scenario).arrays("pytorch").items() if not k.endswith(".grad")
                    and k != "output"}
    report = check_arrays(scenario, weights_only, "pytorch")
    assert not report.ok and report.first is None and report.compared == 0
    assert "NOTHING COMPARED" in report.summary()
    with pytest.raises(KeyError):
        report.verdict("dC")
