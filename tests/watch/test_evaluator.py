"""Watch expressions: the safe evaluator, against NumPy and the engine, and everything it refuses."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmviz.core import compute
from lstmviz.io import load_scenario
from lstmviz.watch import WatchError, evaluate, parse


@pytest.fixture(scope="module")
def trace():
    return compute(load_scenario("peephole-lstm"))


def steps(tr, name, layer=1):
    return tr[f"l{layer}/{name}"]


def test_neighbours_read_the_initial_state_before_t1_and_zero_beyond_T(trace):
    h = steps(trace, "h")
    prev = evaluate("h[t-1]", trace).data
    np.testing.assert_array_equal(prev[0], trace.scenario.model.layers[1].h0)
    np.testing.assert_array_equal(prev[1:], h[:-1])
    nxt = evaluate("f[t+1]", trace).data
    np.testing.assert_array_equal(nxt[:-1], steps(trace, "f")[1:])
    np.testing.assert_array_equal(nxt[-1], 0.0)
    np.testing.assert_array_equal(evaluate("i[t-1]", trace).data[0], 0.0)  # no initial gate: 0


def test_layers_units_matrices_sums_and_functions(trace):
    np.testing.assert_array_equal(evaluate("l0.h[t][1]", trace).data, steps(trace, "h", 0)[:, 1])
    W = trace.scenario.model.layers[0].params["W_i"]
    np.testing.assert_allclose(evaluate("l0.W_i @ x[t]", trace).data, trace["x"] @ W.T)
    np.testing.assert_allclose(evaluate("l1.W_g @ l0.h[t]", trace).data,
                               steps(trace, "h", 0) @ trace.scenario.model.layers[1].params["W_g"].T)
    total = evaluate("sum(delta_c[t]*c[t-1] for t)", trace)
    c_prev = np.vstack([trace.scenario.model.layers[1].c0, steps(trace, "c")[:-1]])
    np.testing.assert_allclose(total.data, np.sum(steps(trace, "delta_c") * c_prev, axis=0))
    assert not total.timed
    np.testing.assert_allclose(evaluate("dsigmoid(a_f[t])", trace).data, steps(trace, "f") * (1 - steps(trace, "f")))
    np.testing.assert_allclose(evaluate("i[t]*g[t]", trace).data, steps(trace, "i") * steps(trace, "g"))
    np.testing.assert_array_equal(evaluate("t", trace).per_step(8)[:, 0], np.arange(1, 9))


LEAVES = ["h[t]", "c[t-1]", "f[t+1]", "o[t]", "delta_c[t]", "2.5", "t"]
OPS = {"+": np.add, "-": np.subtract, "*": np.multiply}
trees = st.recursive(st.sampled_from(LEAVES),
                     lambda inner: st.tuples(inner, st.sampled_from(sorted(OPS)), inner), max_leaves=8)


def render(tree) -> str:
    return tree if isinstance(tree, str) else f"({render(tree[0])} {tree[1]} {render(tree[2])})"


def numpy_value(tree, env):
    """The same expression computed directly with NumPy, from the tree (no parsing involved)."""
    if isinstance(tree, str):
        return env[tree]
    return OPS[tree[1]](numpy_value(tree[0], env), numpy_value(tree[2], env))


@settings(max_examples=60, deadline=None)
@given(trees)
def test_random_expressions_agree_with_numpy(tree):
    tr = compute(load_scenario("stacked-lstm"))
    layer = tr.scenario.model.layers[1]
    T = tr.steps
    env = {"h[t]": tr["l1/h"], "c[t-1]": np.vstack([layer.c0, tr["l1/c"][:-1]]),
           "f[t+1]": np.vstack([tr["l1/f"][1:], np.zeros((1, 3))]), "o[t]": tr["l1/o"],
           "delta_c[t]": tr["l1/delta_c"], "2.5": 2.5, "t": np.arange(1, T + 1, dtype=float)[:, None]}
    expected = numpy_value(tree, env)
    got = evaluate(render(tree), tr).per_step(T)
    np.testing.assert_allclose(got, np.broadcast_to(expected, got.shape), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("text,message", [
    ("__import__('os')", "__import__() is not an allowed function"),
    ("x.__class__", "attribute access is not allowed"),
    ("().__class__", "attribute access is not allowed"),
    ("h[t]." + "real", "attribute access is not allowed"),
    ("9**9**9", "a power of a power (like 9**9**9) is not allowed"),
    ("h[t]**1000", "an exponent may be at most 100"),
    ("'a' * 3", "only numbers may appear as constants"),
    ("x" * 10_000_000, "the expression is 10000000 characters long"),
    ("[h[t] for t in x]", "listcomp is not allowed"),
    ("lambda: 0", "lambda is not allowed"),
    ("open('f')", "open() is not an allowed function"),
    ("exp(h[t], 2)", "exp() takes exactly one argument"),
    ("h[t] + foo[t]", "column 8: unknown name 'foo'"),
    ("h[t", "column 2: not a valid expression"),
    ("sum(h[t] for t in range(3))", "only sum(… for t) may sum over the steps"),
    ("l7.h[t]", "column 1: there is no layer 7"),
])
def test_hostile_and_wrong_expressions_are_refused_with_a_column(trace, text, message):
    with pytest.raises(WatchError) as err:
        evaluate(text, trace)
    assert message in str(err.value)


def test_parse_refuses_before_anything_runs():
    called = []
    with pytest.raises(WatchError):
        parse("__import__('os').system('touch /tmp/x') or called.append(1)")
    assert not called
