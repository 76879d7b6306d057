"""Weight files from elsewhere: only what the scenario takes is read, headers are checked before data,
and whatever does not fit is refused by name — never a traceback, never dropped without a word."""
import io
import zipfile

import numpy as np
import pytest
from helpers import lstm, random_scenario

from lstmviz.core.train import assign_params
from lstmviz.io import ScenarioError
from lstmviz.io.weights import export_weights, import_weights


@pytest.fixture
def scenario():
    return random_scenario([lstm(3, 4)], T=5, K=2, seed=3)


def refuses(scenario, path, match, layout="pytorch"):
    with pytest.raises(ScenarioError, match=match) as e:
        import_weights(scenario, path, layout)
    assert str(e.value).startswith(str(path)) and "\n" not in str(e.value)


def npz(path, arrays, compress=False):
    (np.savez_compressed if compress else np.savez)(path, **arrays)
    return path


def member(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def test_files_that_are_not_npz(scenario, tmp_path):
    np.save(tmp_path / "a.npy", np.zeros(3))
    refuses(scenario, tmp_path / "a.npy", "is not an .npz file")
    (tmp_path / "empty.npz").write_bytes(b"")
    refuses(scenario, tmp_path / "empty.npz", "is not an .npz file")
    data = npz(tmp_path / "good.npz", export_weights(scenario, "pytorch")).read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    refuses(scenario, tmp_path / "cut.npz", "is not an .npz file")
    refuses(scenario, tmp_path / "nowhere.npz", "cannot be read: No such file or directory")


def test_a_member_with_a_bad_checksum(scenario, tmp_path):
    data = bytearray(npz(tmp_path / "good.npz", export_weights(scenario, "pytorch")).read_bytes())
    at = data.index(b"weight_hh_l0.npy") + 300  # inside that member's data
    data[at] ^= 0xFF
    (tmp_path / "crc.npz").write_bytes(bytes(data))
    refuses(scenario, tmp_path / "crc.npz", "weight_hh_l0 is not a readable array: Bad CRC-32")


@pytest.mark.parametrize("value,what", [
    (lambda a: a + 1j, "holds complex numbers"),
    (lambda a: np.zeros(a.shape, dtype=[("x", "f8")]), "holds a structured dtype"),
    (lambda a: np.where(a > 0, np.nan, a), "contains NaN or infinity"),
    (lambda a: a.T, r"has shape \(3, 16\), expected \(16, 3\)"),
])
def test_members_that_are_not_real_weights(scenario, tmp_path, value, what):
    arrays = export_weights(scenario, "pytorch")
    arrays["weight_ih_l0"] = value(arrays["weight_ih_l0"])
    refuses(scenario, npz(tmp_path / "w.npz", arrays), f"weight_ih_l0 {what}")


def test_an_unused_member_claiming_a_huge_array_is_never_read(scenario, tmp_path):
    path = tmp_path / "claim.npz"
    with zipfile.ZipFile(path, "w") as z:
        for name, array in export_weights(scenario, "pytorch").items():
            z.writestr(f"{name}.npy", member(array))
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6)})
        z.writestr("extra.npy", header.getvalue())
    refuses(scenario, path, "extra is not a weight of the pytorch layout")


def test_a_zip_bomb_is_refused_before_it_is_inflated(scenario, tmp_path):
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, array in export_weights(scenario, "pytorch").items():
            if name == "weight_hh_l0":  # a true header, then 1.5 GB of zeros that compress to 1.5 MB
                header = io.BytesIO()
                np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                              "shape": array.shape})
                z.writestr(f"{name}.npy", header.getvalue() + bytes(1536 * 2**20))
            else:
                z.writestr(f"{name}.npy", member(array))
    assert path.stat().st_size < 3 * 2**20
    refuses(scenario, path, r"weight_hh_l0 is 1610612864 bytes, more than an array of shape \(16, 4\) holds")


def test_weights_the_scenario_has_no_place_for(scenario, tmp_path):
    arrays = export_weights(scenario, "pytorch")
    refuses(scenario, npz(tmp_path / "two.npz", {**arrays, "weight_ih_l1": np.zeros((16, 4))}),
            "weight_ih_l1 belongs to layer 1: the file holds more layers than the scenario's 1")
    refuses(scenario, npz(tmp_path / "bi.npz", {**arrays, "weight_ih_l0_reverse": np.zeros((16, 3))}),
            "weight_ih_l0_reverse holds the reverse direction of a bidirectional LSTM")
    identity = random_scenario([lstm(3, 4)], T=5, K=2, seed=3)
    identity.model.head.type, identity.model.head.params, identity.model.head.output_size = "identity", {}, 4
    refuses(identity, npz(tmp_path / "head.npz", arrays), "head.bias is a linear head's weight, but the scenario's "
                                                           "head is identity")
    refuses(scenario, npz(tmp_path / "k.npz", export_weights(scenario, "keras")),
            "named as in the keras layout, not the pytorch one")


def test_bias_false_is_a_standard_lstm(scenario, tmp_path):
    arrays = {k: v for k, v in export_weights(scenario, "pytorch").items() if not k.startswith("bias_")}
    values = import_weights(scenario, npz(tmp_path / "nobias.npz", arrays), "pytorch")
    assert all(not values[f"l0/b_{g}"].any() for g in "ifog")
    np.testing.assert_array_equal(values["l0/W_f"], scenario.model.layers[0].params["W_f"])
    one = {**arrays, "bias_ih_l0": np.ones(16)}
    refuses(scenario, npz(tmp_path / "one.npz", one), r"bias_hh_l0 is missing \(bias_ih_l0 is there")
    keras = {k: v for k, v in export_weights(scenario, "keras").items() if k != "layer0/bias"}
    assert not import_weights(scenario, npz(tmp_path / "kb.npz", keras), "keras")["l0/b_i"].any()


def test_a_bias_sum_that_overflows_is_named(scenario, tmp_path):
    arrays = export_weights(scenario, "pytorch")
    arrays["bias_ih_l0"] = np.full(16, 1e308)
    arrays["bias_hh_l0"] = np.full(16, 1e308)
    refuses(scenario, npz(tmp_path / "big.npz", arrays), r"bias_ih_l0 \+ bias_hh_l0 overflows")


def test_a_compressed_file_round_trips(scenario, tmp_path):
    fresh = random_scenario([lstm(3, 4)], T=5, K=2, seed=4)
    assign_params(fresh, import_weights(fresh, npz(tmp_path / "c.npz", export_weights(scenario, "keras"), True),
                                        "keras"))
    for name, value in scenario.model.layers[0].params.items():
        np.testing.assert_array_equal(fresh.model.layers[0].params[name], value)
