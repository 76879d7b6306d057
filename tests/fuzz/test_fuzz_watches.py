"""Hostile watch expressions: each evaluates, or is refused with a WatchError naming what is wrong —
never another exception, never Python's eval."""
import pytest
from fuzzing import fuzz
from hypothesis import given
from hypothesis import strategies as st

from lstmviz.core import compute
from lstmviz.core.model import Watch
from lstmviz.io import ScenarioError, load_scenario
from lstmviz.io.opening import check_watches
from lstmviz.watch import WatchError, evaluate

TRACES = {key: compute(load_scenario(key)) for key in ("calculator-lstm", "stacked-lstm", "calculator-rnn-1.7",
                                                         "char-lstm")}
NAMES = ["h", "c", "f", "i", "o", "g", "a", "x", "y", "y_hat", "loss", "dx", "delta_c", "delta_h", "delta_a_i",
         "eps_h", "W_i", "U_f", "b_o", "p_i", "W", "U", "W_y", "grad_W_i", "grad_U", "h0", "c0", "t", "T", "w1",
         "l0.h", "l1.c", "l9.h", "__import__", "os", "self", "exp", "sum"]
SUBSCRIPTS = ["[t]", "[t-1]", "[t+1]", "[t+9999]", "[t-100001]", "[0]", "[1]", "[-1]", "[99]", "[1/0]", "[0/0]",
              "[0.5]", "[t][0]", "[t][5]", "[" + "9" * 30 + "]"]
NUMBERS = ["0", "1", "-1", "0.5", "1e308", "1e999", "9" * 400, "2**1000", "True", "'a'", "1j", "0x10"]
FUNCTIONS = ["sum", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "crelu", "dsigmoid", "dtanh", "eval",
             "open", "len"]
OPERATORS = [" + ", " - ", " * ", " / ", " ** ", " @ ", " < ", " == ", " and ", " or ", " if ", " for t in "]


@st.composite
def expressions(draw, depth=0):
    kind = draw(st.sampled_from(["name", "name", "number", "call", "binary", "unary", "paren", "sum", "junk"]
                                if depth < 3 else ["name", "number"]))
    if kind == "name":
        return draw(st.sampled_from(NAMES)) + draw(st.sampled_from([""] + SUBSCRIPTS))
    if kind == "number":
        return draw(st.sampled_from(NUMBERS))
    if kind == "call":
        return f"{draw(st.sampled_from(FUNCTIONS))}({draw(expressions(depth + 1))})"
    if kind == "binary":
        return draw(expressions(depth + 1)) + draw(st.sampled_from(OPERATORS)) + draw(expressions(depth + 1))
    if kind == "unary":
        return draw(st.sampled_from(["-", "not ", "+"])) + draw(expressions(depth + 1))
    if kind == "paren":
        return f"({draw(expressions(depth + 1))})"
    if kind == "sum":
        return f"sum({draw(expressions(depth + 1))} for t)"
    return draw(st.text(max_size=20))


@fuzz(600)
@given(text=expressions(), key=st.sampled_from(sorted(TRACES)))
def test_an_expression_evaluates_or_is_refused(text, key):
    try:
        value = evaluate(text, TRACES[key])
    except WatchError as e:
        assert str(e) and "\n" not in str(e)
        return
    assert value.per_step(TRACES[key].steps).shape[0] == TRACES[key].steps


@fuzz(150)
@given(first=expressions(), second=expressions(), equals=st.sampled_from([None, "delta_c", "h", "grad W_i", "w1",
                                                                          "nonsense[", "W_i"]))
def test_a_watch_list_is_checked_in_one_line(first, second, equals):
    trace = TRACES["calculator-lstm"]
    try:
        check_watches([Watch(first), Watch(second, equals)], trace, "Watches panel")
    except ScenarioError as e:
        assert str(e).startswith("Watches panel: watches[") and "\n" not in str(e)


@pytest.mark.parametrize("text", ["__import__('os').system('true')", "().__class__", "[x for x in ()]",
                                  "lambda: 1", "h[t].__class__", "open('/etc/passwd')", "9**9**9", "'a' * 10**9",
                                  "h[t] if 1 else 2", "{}", "f'{1}'", "h[t][:]"])
def test_known_hostile_expressions_are_refused(text):
    with pytest.raises(WatchError):
        evaluate(text, TRACES["calculator-lstm"])
