"""One entry set from text (``gui --set``): every refusal is a ValueError with one line, never more."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmviz.core.edits import editable, parse_assignment
from lstmviz.io import load_scenario

CALCULATOR = load_scenario("calculator-lstm")
CHAR = load_scenario("char-lstm")


def test_an_entry_of_a_parameter_a_state_or_the_data():
    assert parse_assignment("l0/b_i=0.9", CALCULATOR) == ("l0/b_i", (0,), 0.9)
    assert parse_assignment(" l0/W_i[0, 0] = −1 ", CALCULATOR) == ("l0/W_i", (0, 0), -1.0)
    assert parse_assignment("data/x[3,0]=2", CALCULATOR) == ("data/x", (3, 0), 2.0)


@pytest.mark.parametrize(("text", "reason"), [
    ("data/y[0]=1.5", "a class index must be a whole number from 0 to 11"),
    ("data/y[0]=12", "a class index must be a whole number from 0 to 11"),
    ("data/mask[0]=-1", "a mask weight must be ≥ 0"),
    ("l0/W_i=1", "l0/W_i has shape (10, 12): give the entry"),
])
def test_what_the_data_may_hold(text, reason):
    with pytest.raises(ValueError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_assignment(text, CHAR)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60) | st.builds(lambda k, i, v: f"{k}[{i}]={v}", st.sampled_from(list(editable(CHAR))),
                                         st.text("0123456789, -", max_size=8), st.text(max_size=12)))
def test_any_text_is_an_entry_or_a_one_line_refusal(text):
    try:
        key, index, value = parse_assignment(text, CHAR)
    except ValueError as e:
        assert "\n" not in str(e) and str(e)
        return
    array = editable(CHAR)[key]
    assert math.isfinite(value) and len(index) == array.ndim
    assert np.all(np.array(index) < array.shape) and min(index, default=0) >= 0
