"""The graph's colour scale: the largest finite |value| over the lanes shown, whatever NaN or ±inf they hold."""
import numpy as np
import pytest

from lstmviz.app.model.lanes import largest_finite


@pytest.mark.parametrize(("values", "largest"), [
    ([0.5, -3.0, 2.0], 3.0),
    ([[1.0, -0.25], [0.75, 2.5]], 2.5),
    ([1.0, np.nan, -2.5], 2.5),               # NaN is passed over, not returned
    ([np.inf, -4.0, 0.5], 4.0),               # so is +inf
    ([[-np.inf, 1.5], [np.nan, -1.0]], 1.5),
    ([1e308, -1.5e308], 1.5e308),             # finite however large
])
def test_the_largest_finite_magnitude(values, largest):
    assert largest_finite(np.array(values)) == largest


@pytest.mark.parametrize("values", [[], [np.nan], [np.inf, -np.inf, np.nan]])
def test_no_finite_value_gives_none(values):
    assert largest_finite(np.array(values, float)) is None
