"""graph.shown.colour_indices: where a value falls on the colour map, and which values are drawn black."""
import numpy as np

from lstmviz.app.widgets.graph.shown import N_COLOURS, colour_indices


def test_the_ends_the_middle_and_the_non_finite_values():
    values = np.array([np.nan, np.inf, -np.inf, 0.0, 2.0, -4.0, 1.0, -0.5])
    idx, black = colour_indices(values, scale=2.0)
    top, middle = N_COLOURS - 1, (N_COLOURS - 1) // 2
    assert idx.tolist() == [middle, top, 0, middle, top, 0, round(0.75 * top), round(0.375 * top)]
    assert black.tolist() == [True, True, True, False, False, False, False, False]


def test_the_input_is_left_as_it_was():
    values = np.array([[np.nan, 1.0], [3.0, -1.0]])
    colour_indices(values, scale=1.0)
    assert np.isnan(values[0, 0]) and values[1, 0] == 3.0
