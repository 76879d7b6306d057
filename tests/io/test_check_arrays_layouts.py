"""check_arrays beyond one layer: stacked layouts (built here by hand from the layouts' docs), mappings
on top of a layout, other gradient modes, RNN layers, and bad input from Python."""
import numpy as np
import pytest
from helpers import lstm, random_scenario, rnn
from yours_lstm import StudentLSTM

from lstmviz.core import compute
from lstmviz.core.phases import Phase
from lstmviz.io import ScenarioError, load_scenario
from lstmviz.io.yours import AGREES, NOT_COMPARED, check_arrays

STACKED = random_scenario([lstm(2, 3), lstm(3, 2)], T=5, K=2, seed=5)
PYTORCH_ROWS = ("i", "f", "g", "o")


def stacked(trace, prefix, order="ifog", axis=0):
    return np.concatenate([trace[prefix.replace("*", g)] for g in order], axis=axis)


def test_the_docs_example_mapping_on_top_of_the_karpathy_layout():
    scenario = random_scenario([lstm(3, 4)], T=6, K=2, seed=3)
    s = StudentLSTM(scenario)
    arrays = {"hs": np.vstack([s.h0, s.h]), "dc": s.dc, "cache": np.zeros(3), "dX": s.dx[:, None],
              "gates": np.concatenate([s.gate[g] for g in PYTORCH_ROWS], axis=1)[:, None],
              "dU": np.hstack([s.dU[k].T for k in PYTORCH_ROWS])}
    mapping = {"layout": "karpathy", "arrays": {
        "hs": {"key": "l0/h", "time_offset": 1}, "dc": "l0/delta_c",
        "gates": {"key": "l0/*", "gates": "ifgo", "batch_axis": 1},
        "dU": {"key": "grad/l0/U_*", "gates": "ifgo", "transpose": True}, "cache": {"compare": False}}}
    report = check_arrays(scenario, arrays, mapping)
    assert report.ok, report
    status = {v.array: v.status for v in report.verdicts}
    assert [status[n] for n in ("hs", "dc", "gates", "dU", "dX", "cache")] == [AGREES] * 5 + [NOT_COMPARED]
    arrays["gates"] = np.concatenate([s.gate[g] for g in "ifog"], axis=1)[:, None]  # stacked in the wrong order
    first = check_arrays(scenario, arrays, mapping).first
    # their third block (o) is read as c̃ and their fourth (c̃) as o; the walk meets c̃ before o
    assert (first.key, first.step, first.array) == ("l0/g", 1, "gates")


def test_a_stacked_model_in_the_karpathy_layout():
    tr = compute(STACKED)
    arrays = {"Hout_l1": tr["l1/h"][:, None], "dC_l1": tr["l1/delta_c"][:, None], "dC": tr["l0/delta_c"][:, None],
              "IFOG_l1": stacked(tr, "l1/a_*", axis=1)[:, None], "h0_l1": tr["l1/h0"][None],
              "dWLSTM_l1": np.vstack([stacked(tr, "grad/l1/b_*")[None], stacked(tr, "grad/l1/W_*").T,
                                      stacked(tr, "grad/l1/U_*").T]), "dX": tr["dx"][:, None]}
    report = check_arrays(STACKED, dict(arrays, dX_l1=np.zeros((5, 1, 3))), "karpathy")
    assert report.ok, report
    assert report.verdict("dX_l1").status == NOT_COMPARED  # the δ handed to the layer below: no trace key
    arrays["dC_l1"] = arrays["dC_l1"] + 1.0
    arrays["dC"] = arrays["dC"] + 1.0
    d = check_arrays(STACKED, arrays, "karpathy").first  # the top layer's δc[T] comes first
    assert (d.key, d.layer, d.step, d.index, d.array) == ("l1/delta_c", 1, 5, (0,), "dC_l1")


def test_a_stacked_model_in_the_pytorch_and_keras_layouts():
    tr = compute(STACKED)
    torch_like = {"output": tr["l1/h"][:, None], "weight_hh_l1.grad": stacked(tr, "grad/l1/U_*", PYTORCH_ROWS),
                  "bias_hh_l0.grad": stacked(tr, "grad/l0/b_*", PYTORCH_ROWS), "head.bias.grad": tr["grad/head/b_y"]}
    assert check_arrays(STACKED, torch_like, "pytorch").ok
    keras_like = {"output": tr["l1/h"][None], "layer1/kernel.grad": stacked(tr, "grad/l1/W_*", PYTORCH_ROWS).T,
                  "dense/kernel.grad": tr["grad/head/W_y"].T}
    assert check_arrays(STACKED, keras_like, "keras").ok
    keras_like["layer1/kernel.grad"] = stacked(tr, "grad/l1/W_*").T  # lstmviz's order where Keras's belongs
    d = check_arrays(STACKED, keras_like, "keras").first
    assert (d.key, d.phase, d.index) == ("grad/l1/W_o", Phase.GRAD, (0, 0))  # o is the first block that moved


def test_the_gradient_mode_is_the_engines():
    tr = compute(STACKED, "tbptt:2")
    arrays = {k: tr[k] for k in ("l0/delta_c", "l1/delta_h", "grad/l0/U_f")}
    assert check_arrays(STACKED, arrays, gradient="tbptt:2").ok
    d = check_arrays(STACKED, arrays).first  # under full: the δ of step 4, where tbptt:2 cut the carry from 5
    assert (d.phase, d.step) == (Phase.BPTT, 4)


def test_an_rnn_layer_and_a_preset():
    scenario = random_scenario([rnn(2, 3)], T=4, K=2, seed=1)
    tr = compute(scenario)
    arrays = {k: tr[k].copy() for k in ("l0/a", "l0/h", "l0/delta_a", "l0/delta_h", "grad/l0/U")}
    arrays["l0/delta_a"][1, 2] += 1
    arrays["l0/delta_h"][1, 2] += 1
    d = check_arrays(scenario, arrays).first  # δh before δa within a step
    assert (d.key, d.step, d.index) == ("l0/delta_h", 2, (2,))
    calculator = compute(load_scenario("calculator-lstm"))
    assert check_arrays("calculator-lstm", {"l0/c": calculator["l0/c"]}).ok


@pytest.mark.parametrize("arrays,message", [
    ({"l0/hh": np.zeros((5, 3))}, "arrays: l0/hh is not a trace key"),
    ({"l0/h": np.zeros((5, 4))}, r"arrays: l0/h has shape \(5, 4\), expected \(5, 3\)"),
    ({"l0/h": np.full((5, 3), np.inf)}, "arrays: l0/h contains NaN or infinity"),
    ({"l0/h": np.array([["a"] * 3] * 5)}, "arrays: l0/h holds <U1; arrays must be real numbers"),
])
def test_bad_arrays_from_python(arrays, message):
    with pytest.raises(ScenarioError, match=message) as e:
        check_arrays(STACKED, arrays)
    assert "\n" not in str(e.value)


def test_bad_files_and_layouts_from_python(tmp_path):
    (tmp_path / "cut.npz").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ScenarioError, match="cut.npz: is not an .npz file"):
        check_arrays(STACKED, tmp_path / "cut.npz")
    with pytest.raises(ScenarioError, match="the karpathy layout: model.layers.0. is not a standard LSTM"):
        check_arrays("calculator-lstm", {}, "karpathy")
    with pytest.raises(ScenarioError, match="nowhere.json: cannot be read"):
        check_arrays(STACKED, {}, str(tmp_path / "nowhere.json"))
