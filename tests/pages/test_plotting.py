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


def test_image_panels_show_digits_at_twice_and_faces_at_native_size_stacking_what_overflows():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch

    from vaegan.pages.plotting import COLUMN_PIXELS, FIGURE_DPI, Grid, Plot, display_scale, image_panels, show_images

    assert (display_scale(28), display_scale(32), display_scale(64)) == (2, 2, 1)
    digits, faces = torch.rand(20, 1, 28, 28), torch.rand(8, 3, 64, 64)
    # ten digits a row: 10 x (28 + 1) + 1 pixels, doubled
    figure, (ax,) = image_panels([Grid(digits, nrow=10)])
    assert figure.get_size_inches()[0] * FIGURE_DPI == pytest.approx(2 * (10 * 29 + 1))
    width_pixels = ax.get_position().width * figure.get_size_inches()[0] * FIGURE_DPI
    assert width_pixels == pytest.approx(2 * 291)
    # two such grids do not fit the column side by side: stacked, same scale
    figure, axes = image_panels([Grid(digits), Grid(digits)])
    assert figure.get_size_inches()[0] * FIGURE_DPI == pytest.approx(582)
    assert axes[0].get_position().y0 > axes[1].get_position().y1
    # a plot beside five digits fits: one row, the plot's axes left empty for the caller
    figure, (grid_ax, plot_ax) = image_panels([Grid(digits[:5], nrow=5), Plot(300, 200)])
    assert figure.get_size_inches()[0] * FIGURE_DPI <= COLUMN_PIXELS
    assert figure.get_size_inches()[1] * FIGURE_DPI == pytest.approx(200) and not plot_ax.lines  # one row
    # faces at their native 64 pixels: 8 x 65 + 1
    figure, _ = image_panels([Grid(faces, nrow=8)])
    assert figure.get_size_inches()[0] * FIGURE_DPI == pytest.approx(8 * 65 + 1)
    # show_images without axes makes such a figure
    ax = show_images(digits, nrow=10, title="t")
    assert ax.figure.get_size_inches()[0] * FIGURE_DPI == pytest.approx(582) and ax.get_title() == "t"
    plt.close("all")
    with pytest.raises(ValueError, match="at least one"):
        image_panels([])
    with pytest.raises(TypeError, match="Grid"):
        image_panels([digits])


def test_row_labels_take_room_left_of_the_grid_and_must_match_the_rows():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch

    from vaegan.pages.plotting import FIGURE_DPI, show_images

    digits = torch.rand(20, 1, 28, 28)
    ax = show_images(digits, nrow=10, row_labels=["clean", "noisy"])
    assert [t.get_text() for t in ax.texts] == ["clean", "noisy"]
    assert ax.figure.get_size_inches()[0] * FIGURE_DPI > 582  # the labels' room is added, the digits keep 2x
    assert ax.get_position().width * ax.figure.get_size_inches()[0] * FIGURE_DPI == pytest.approx(582)
    with pytest.raises(ValueError, match="one label per row"):
        show_images(digits, nrow=10, row_labels=["only one"])
    plt.close("all")
