"""vaegan.pages.plotting: moving averages and signal plots."""

import numpy as np
import pytest

from vaegan.pages.plotting import moving_average, plot_signals


def test_moving_average_skips_nan_and_plot_signals_names_missing_keys():
    values = [1.0, float("nan"), 3.0, 5.0]
    np.testing.assert_allclose(moving_average(values, 2), [1.0, 3.0, 4.0])
    with pytest.raises(ValueError, match="window must be at least 1"):
        moving_average(values, 0)
    history = [{"step": 1, "d_loss": 1.0}, {"step": 2, "d_loss": 0.5}]
    with pytest.raises(KeyError, match=r"no signal \['g_loss'\]"):
        plot_signals(history, ["g_loss"])
    with pytest.raises(ValueError, match="history is empty"):
        plot_signals([], ["d_loss"])
