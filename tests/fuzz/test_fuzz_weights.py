"""Mutated weight files through the import: each is refused by name or gives finite weights of the
right shapes — never a traceback, never a huge allocation."""
import io
import zipfile

import numpy as np
from fuzzing import fuzz
from helpers import lstm, random_scenario
from hypothesis import given
from hypothesis import strategies as st

from lstmviz.io import ScenarioError
from lstmviz.io.weights import export_weights, import_weights

SCENARIO = random_scenario([lstm(3, 4), lstm(4, 4)], T=4, K=2, seed=5)
DTYPES = ["<f8", ">f8", "<f4", "<i8", "|u1", "|b1", "<c16", "|O", [("a", "<f8")], "<U3"]
EXTRA = ["weight_ih_l5.npy", "weight_ih_l0_reverse.npy", "layer2/bias.npy", "dense/kernel.npy", "head.weight.npy",
         "x.npy", "../evil.npy"]


def npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def mutate_member(draw, members: dict[str, bytes]) -> None:
    """One member dropped, retyped, reshaped, made non-finite, given a lying header or junk, a member
    added that the scenario has no place for, or a byte flipped."""
    name = draw(st.sampled_from(sorted(members)))
    action = draw(st.sampled_from(["drop", "dtype", "shape", "nan", "header", "junk", "extra", "bytes"]))
    if action == "drop":
        members.pop(name)
    elif action == "dtype":
        dtype = draw(st.sampled_from(DTYPES))
        members[name] = npy(np.zeros(draw(st.sampled_from([(16, 3), (16, 4), (3,)])), dtype=dtype))
    elif action == "shape":
        members[name] = npy(np.zeros(draw(st.lists(st.integers(0, 20), max_size=3))))
    elif action == "nan":
        members[name] = npy(np.full((16, 3), draw(st.sampled_from([np.nan, np.inf, 1e308]))))
    elif action == "header":  # a header that claims far more than the member holds
        header = io.BytesIO()
        shape = draw(st.sampled_from([(10**6, 10**6), (2**62,), (16, 3), (0,)]))
        np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": shape})
        members[name] = header.getvalue() + draw(st.binary(max_size=64))
    elif action == "junk":
        members[name] = draw(st.binary(max_size=200))
    elif action == "extra":
        members[draw(st.sampled_from(EXTRA))] = npy(np.zeros((2, 2)))
    elif members[name]:
        data = bytearray(members[name])
        data[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
        members[name] = bytes(data)


@st.composite
def weight_files(draw):
    """An exported weight file with one to three members mutated, stored or deflated, perhaps cut short."""
    layout = draw(st.sampled_from(["pytorch", "keras"]))
    members = {f"{k}.npy": npy(v) for k, v in export_weights(SCENARIO, layout).items()}
    for _ in range(draw(st.integers(1, 3))):
        if members:
            mutate_member(draw, members)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))) as z:
        for name, data in members.items():
            z.writestr(name, data)
    data = buffer.getvalue()
    cut = draw(st.sampled_from([None, None, None, len(data) // 2, 10, 0]))
    return layout, data if cut is None else data[:cut]


@fuzz(300)
@given(case=weight_files())
def test_an_import_refuses_by_name_or_gives_finite_weights(tmp_path_factory, case):
    layout, data = case
    path = tmp_path_factory.mktemp("w") / "w.npz"
    path.write_bytes(data)
    try:
        values = import_weights(SCENARIO, path, layout)
    except ScenarioError as e:
        assert str(e).startswith(str(path)) and "\n" not in str(e)
        return
    for n, layer in enumerate(SCENARIO.model.layers):
        for name, shape in layer.param_shapes().items():
            assert values[f"l{n}/{name}"].shape == shape and np.isfinite(values[f"l{n}/{name}"]).all()
