"""The vanishing / exploding breakpoints test ‖δh[t]‖ or ‖δc[t]‖ of a layer, and say so."""
import numpy as np
import pytest

from lstmviz.core import LSTMLayer, compute
from lstmviz.core.phases import Phase
from lstmviz.io import load_scenario
from lstmviz.watch.breakpoints import DELTA_NORMS, Breakpoint, first_hit


def norms(trace, t):
    """(layer, var, ‖δvar[t]‖) in the order the breakpoint looks: layer by layer, h before c."""
    out = []
    for n, layer in enumerate(trace.scenario.model.layers):
        for var in ("h", "c") if isinstance(layer, LSTMLayer) else ("h",):
            out.append((n, var, float(np.linalg.norm(trace[f"l{n}/delta_{var}"][t - 1]))))
    return out


def test_the_description_names_both_norms():
    assert DELTA_NORMS == "‖δh‖ or ‖δc‖"
    assert Breakpoint("delta_below", 1e-6).describe() == "‖δh‖ or ‖δc‖ < 1e-06 (vanishing)"
    assert Breakpoint("delta_above", 100.0).describe() == "‖δh‖ or ‖δc‖ > 100 (exploding)"


@pytest.mark.parametrize("spec", ["peephole-lstm", "stacked-lstm", "calculator-rnn-1.7"])
def test_each_layers_delta_h_and_delta_c_norm_is_what_stops(spec):
    trace = compute(load_scenario(spec))
    for t in range(1, trace.steps + 1):
        found = norms(trace, t)
        for _, _, norm in found:
            for kind, threshold, holds in (("delta_below", norm * (1 + 1e-9), lambda v, th: v < th),
                                           ("delta_above", norm * (1 - 1e-9), lambda v, th: v > th)):
                expected = next((n, var, v) for n, var, v in found if holds(v, threshold))
                hit = first_hit([Breakpoint(kind, threshold)], trace, Phase.BPTT, t)
                assert hit is not None and (hit.layer, hit.var, hit.t) == expected[:2] + (t,)
                assert hit.text.startswith(f"‖δ{expected[1]}[{t}]‖ = ") and hit.text.endswith(f"in layer {expected[0]}")
                delta = trace[f"l{expected[0]}/delta_{expected[1]}"][t - 1]
                assert hit.unit == int(np.argmax(np.abs(delta)))
        assert first_hit([Breakpoint("delta_above", 0.0)], trace, Phase.FORWARD, t) is None  # δ exists in phase 3


def test_a_cell_delta_alone_can_stop():
    """δc counts on its own: a threshold only some layer's ‖δc[t]‖ is under stops there, not at a δh."""
    trace = compute(load_scenario("peephole-lstm"))
    for t in range(1, trace.steps + 1):
        found = norms(trace, t)
        smallest = min(found, key=lambda f: f[2])
        if smallest[1] == "c" and all(v > smallest[2] for n, var, v in found if var == "h"):
            threshold = (smallest[2] + min(v for n, var, v in found if var == "h")) / 2
            hit = first_hit([Breakpoint("delta_below", threshold)], trace, Phase.BPTT, t)
            assert hit is not None and hit.var == "c"
            return
    pytest.fail("no step where a ‖δc‖ is the smallest norm")
