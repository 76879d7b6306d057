"""Every number the app shows is written by lstmviz.app.numbers."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstmviz.app.numbers import fmt, fmt_exact, fmt_precise, fmt_signed


def test_fmt():
    """Three significant digits that adapt to the magnitude (values worked out by hand)."""
    assert fmt(0) == "0" and fmt(-0.0) == "0"
    assert fmt(4) == "4.00" and fmt(-0.4) == "−0.400" and fmt(0.125) == "0.125" and fmt(0.12499999999999992) == "0.125"
    assert fmt(12.39) == "12.4" and fmt(113.01) == "113" and fmt(6086.38) == "6086" and fmt(99.96) == "100"
    assert fmt(1.2e-5) == "1.20e-05" and fmt(0.00029) == "2.90e-04" and fmt(0.0066) == "0.00660"
    assert fmt(-123456.0) == "−1.23e+05"
    assert fmt(float("inf")) == "inf" and fmt(float("-inf")) == "−inf" and fmt(float("nan")) == "nan"
    assert fmt(np.array([0.1, -2.0])) == "[0.100, −2.00]"
    assert fmt(np.arange(8.0)) == "[0, 1.00, 2.00, 3.00, 4.00, 5.00, …]"
    assert fmt(np.float32(0.25)) == "0.250" and fmt(np.array(-3.0)) == "−3.00" and fmt(7) == "7.00"


def test_short_form_for_graph_nodes():
    assert fmt(3.6, short=True) == "3.60" and fmt(0.0, short=True) == "0"
    assert fmt(-123456.0, short=True) == "−1.2e5" and fmt(1.23e-5, short=True) == "1.2e-5"
    assert fmt(-0.0049, short=True) == "−0.0049" and fmt(0.00999, short=True) == "0.010"
    assert fmt(0.0125, short=True) == "0.0125" and fmt(-1.5e-300, short=True) == "−2e-300"


def test_differences_precise_and_exact():
    assert fmt_signed(0.4) == "+0.400" and fmt_signed(-0.1) == "−0.100" and fmt_signed(0.0) == "±0"
    assert fmt_precise(0.12499999999999992) == "0.125" and fmt_precise(6.2412345) == "6.24123"
    assert fmt_precise(-1.5e-7) == "−1.5e-07" and fmt_precise(0.0) == "0"
    assert fmt_exact(1.0) == "1.0" and fmt_exact(0.8375000000000001) == "0.8375000000000001"
    assert fmt_exact(-0.24) == "-0.24" and fmt_exact(1e300) == "1e+300"


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_every_float_has_a_short_readable_form(v):
    text = fmt(v, short=True)
    assert len(text.removeprefix("−")) <= 6 and "-" not in text.split("e")[0]
    if math.isfinite(v) and 1e-2 <= abs(v) < 100:  # three significant digits
        assert float(text.replace("−", "-")) == pytest.approx(v, rel=5e-3)
    elif 1e-290 < abs(v) < 1e300:  # two digits; one with a three-digit exponent
        one_digit = "e" in text and "." not in text
        assert float(text.replace("−", "-")) == pytest.approx(v, rel=0.34 if one_digit else 0.05)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_exact_text_reads_back_as_the_same_float(v):
    assert float(fmt_exact(v)) == v
