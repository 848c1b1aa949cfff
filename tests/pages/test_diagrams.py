"""vaegan.pages.diagrams: each diagram states its model's real sizes, and the PixelCNN receptive
field is causal, has the blind spot, and agrees with what the logit actually depends on."""

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.patches import FancyBboxPatch
from matplotlib.text import Text
from torch import nn

from vaegan.autoencoders.models import MLPVAE, VAE, Autoencoder
from vaegan.autoregressive.models import PixelCNN, PixelLSTM
from vaegan.gans.models import DCGANDiscriminator, DCGANGenerator
from vaegan.pages.diagrams import (
    autoencoder_diagram, dcgan_stack_diagram, gan_diagram, pixelcnn_diagram, receptive_field, vae_diagram,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def texts(figure) -> list:
    return [t for t in figure.findobj(Text) if t.get_text().strip()]


def words(figure) -> str:
    return "\n".join(t.get_text() for t in texts(figure))


PAGE = 6.8  # inches: the text column is 688 CSS px and a tight PNG at dpi 100 adds about 10 px a side


def assert_page_ready(figure):
    """White, a page column wide and no wider, and no text under 9 pt."""
    assert tuple(figure.get_facecolor()) == (1, 1, 1, 1)
    assert 6.5 <= figure.get_size_inches()[0] <= PAGE
    small = [(t.get_text(), t.get_fontsize()) for t in texts(figure) if t.get_fontsize() < 9]
    assert not small, small


def chapter_diagrams():
    """The diagrams as the chapters make them."""
    return {
        "autoencoder": autoencoder_diagram, "vae": vae_diagram, "gan": gan_diagram,
        "dcgan": lambda: dcgan_stack_diagram(DCGANGenerator(), DCGANDiscriminator()),
        "pixelcnn": lambda: pixelcnn_diagram(PixelCNN(channels=32, layers=5), 14, 14),
    }


def overlap(a, b, slack: float = 1.0) -> bool:
    """Whether two display boxes share more than ``slack`` pixels each way."""
    return min(a.x1, b.x1) - max(a.x0, b.x0) > slack and min(a.y1, b.y1) - max(a.y0, b.y0) > slack


def inside(inner, outer, slack: float = 1.0) -> bool:
    return (inner.x0 >= outer.x0 - slack and inner.x1 <= outer.x1 + slack
            and inner.y0 >= outer.y0 - slack and inner.y1 <= outer.y1 + slack)


def layout_faults(figure) -> list[str]:
    """What a reader would see wrong: drawing outside the figure (cut off, or a tight PNG wider than the
    column), two texts on top of each other, a text across a box's edge."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    faults = []
    width, height = figure.get_size_inches()
    drawn = figure.get_tightbbox(renderer)
    if drawn.x0 < -0.01 or drawn.y0 < -0.01 or drawn.x1 > width + 0.01 or drawn.y1 > height + 0.01:
        faults.append(f"drawn outside the {width}×{height} in figure: {drawn}")
    shown = [(t.get_text(), t.get_window_extent(renderer)) for t in texts(figure) if t.get_visible()]
    for index, (first, a) in enumerate(shown):
        faults += [f"{first!r} overlaps {second!r}" for second, b in shown[index + 1:] if overlap(a, b)]
    boxes = [p.get_window_extent(renderer) for p in figure.axes[0].patches
             if isinstance(p, FancyBboxPatch) and p.get_facecolor()[3] > 0]
    for text, extent in shown:
        crossed = [box for box in boxes if overlap(extent, box) and not inside(extent, box)]
        faults += [f"{text!r} crosses a box's edge"] * len(crossed)
    return faults


@pytest.mark.parametrize("name", list(chapter_diagrams()))
def test_the_chapters_diagrams_fit_the_column_and_nothing_overlaps(name):
    figure = chapter_diagrams()[name]()
    assert figure.get_size_inches()[0] <= PAGE
    assert_page_ready(figure)
    assert not layout_faults(figure), layout_faults(figure)


def test_the_layout_check_can_fail():
    """A text pushed over a box's edge, one on top of another and one off the page are all caught."""
    figure = gan_diagram()
    assert not layout_faults(figure)
    ax = figure.axes[0]
    ax.text(0.65, 3.3, "noise", fontsize=9)  # on the noise box's own words
    ax.text(1.4, 3.3, "over the edge of two boxes", fontsize=9)
    ax.text(6.6, 0.1, "off the page", fontsize=9)
    faults = "\n".join(layout_faults(figure))
    assert "overlaps 'noise'" in faults and "'over the edge of two boxes' crosses" in faults
    assert "drawn outside" in faults


def test_a_deep_dcgan_goes_on_over_more_lines_inside_the_column():
    generator = DCGANGenerator(100, (512, 256, 128, 64), (3, 128, 128))
    figure = dcgan_stack_diagram(generator, DCGANDiscriminator((64, 128, 256, 512), (3, 128, 128)))
    assert_page_ready(figure)
    assert figure.get_size_inches()[1] > dcgan_stack_diagram(DCGANGenerator()).get_size_inches()[1] * 2
    assert "3×128×128" in words(figure) and not layout_faults(figure)


def test_autoencoder_diagram_states_the_models_sizes():
    default = words(autoencoder_diagram())
    expected = ("5 numbers", "16×14×14", "32×7×7", "1×28×28", "Linear 128→5", "ConvTranspose 4×4, stride 2")
    assert all(part in default for part in expected), default
    smaller = autoencoder_diagram(Autoencoder(latent_size=7, channels=(8, 16)))
    assert_page_ready(smaller)
    text = words(smaller)
    assert "7 numbers" in text and "8×14×14" in text and "16×7×7" in text
    assert "5 numbers" not in text and "32×7×7" not in text


def test_vae_diagram_draws_the_noise_input_and_both_loss_terms():
    figure = vae_diagram()
    assert_page_ready(figure)
    text = words(figure)
    assert "\\epsilon \\sim \\mathcal{N}(0, I)" in text and "no gradient" in text
    assert "z = \\mu + \\sigma \\odot \\epsilon" in text
    assert "KL term" in text and "reconstruction" in text
    assert "2×5" in text  # the encoder's last layer gives mean and log sigma of the 5-number code
    mlp = words(vae_diagram(MLPVAE()))
    assert "Linear 784→400, ReLU" in mlp and "2×20" in mlp and "BCE" in mlp  # the Bernoulli decoder's loss


def test_the_autoencoder_diagrams_refuse_each_others_models():
    with pytest.raises(ValueError, match="use vae_diagram"):
        autoencoder_diagram(VAE())
    with pytest.raises(ValueError, match="use autoencoder_diagram"):
        vae_diagram(Autoencoder())
    with pytest.raises(ValueError, match="got Linear"):
        vae_diagram(nn.Linear(2, 2))


def test_gan_diagram_names_both_losses_and_what_each_updates():
    figure = gan_diagram()
    assert_page_ready(figure)
    text = words(figure)
    assert "-\\log D(G(z))" in text and "non-saturating" in text
    assert "real labelled 1, fake labelled 0" in text
    assert "updates G" in text and "updates D" in text


def forward_shapes(generator: DCGANGenerator) -> set[str]:
    """The shapes a forward pass makes after the projection and after each transposed convolution."""
    shapes, x = set(), torch.zeros(2, generator.latent_size)
    generator.eval()
    with torch.no_grad():
        for layer in generator.net:
            x = layer(x)
            if isinstance(layer, (nn.ConvTranspose2d, nn.BatchNorm2d)):
                shapes.add("×".join(map(str, x.shape[1:])))
    return shapes


def test_dcgan_stack_labels_are_the_shapes_of_a_forward_pass():
    generator = DCGANGenerator(latent_size=12, hidden_channels=(16, 32), image_shape=(1, 28, 28))
    figure = dcgan_stack_diagram(generator)
    assert_page_ready(figure)
    expected = forward_shapes(generator)
    assert expected == {"32×7×7", "16×14×14", "1×28×28"}
    text = words(figure)
    assert all(shape in text for shape in expected), (expected, text)
    assert "Linear\n12→1568" in text and "tanh" in text
    wider = words(dcgan_stack_diagram(DCGANGenerator(12, (24, 48), (1, 28, 28))))
    assert "48×7×7" in wider and "24×14×14" in wider and "32×7×7" not in wider


def test_dcgan_stack_draws_the_discriminator_and_leaves_the_model_as_it_was():
    generator, discriminator = DCGANGenerator(), DCGANDiscriminator()
    generator.train()
    before = generator.net[2].running_mean.clone()
    text = words(dcgan_stack_diagram(generator, discriminator))
    for shape in ("512×8×8", "256×16×16", "128×32×32", "3×64×64", "1 (logit)", "LeakyReLU(0.2)"):
        assert shape in text, shape
    assert generator.training and torch.equal(generator.net[2].running_mean, before)
    with pytest.raises(ValueError, match="same image shape"):
        dcgan_stack_diagram(generator, DCGANDiscriminator((16, 32), (1, 28, 28)))
    with pytest.raises(ValueError, match="draws a DCGANGenerator"):
        dcgan_stack_diagram(discriminator)


def small_pixelcnn(layers: int = 3) -> PixelCNN:
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return PixelCNN(channels=4, layers=layers, image_shape=(1, 12, 12))


def test_receptive_field_is_causal_at_the_corners_edges_and_inside():
    model = small_pixelcnn()
    for row in (0, 1, 6, 11):
        for column in (0, 6, 11):
            field = receptive_field(model, row, column)
            assert field.shape == (12, 12) and field.dtype == torch.bool
            later = torch.arange(144).reshape(12, 12) >= row * 12 + column
            assert not (field & later).any(), (row, column)
    assert not receptive_field(model, 0, 0).any()  # the first pixel sees nothing


def test_receptive_field_sees_the_neighbours_reaches_model_reach_and_has_the_blind_spot():
    model = small_pixelcnn(layers=3)
    row, column = 9, 4
    field = receptive_field(model, row, column)
    assert field[row, column - 1] and field[row - 1, column]  # the left neighbour and the pixel above
    rows_seen = field.any(dim=1).nonzero().flatten()
    assert rows_seen.min() == row - model.reach  # the 7x7 layer sees 3 rows up, each 3x3 layer one more
    # the blind spot: one row up, the field stops 3 columns right, though rows further up reach further
    assert field[row - 1, column + 3] and not field[row - 1, column + 4]
    assert field[row - 2, column + 4] and field[row - 3, column + 5]
    # a single masked 7x7 layer has no wedge: it sees its three rows above in full
    alone = receptive_field(small_pixelcnn(layers=0), row, column)
    assert alone[row - 3:row, column - 3:column + 4].all() and not alone[row - 1, column + 4]


def test_receptive_field_matches_what_the_logit_depends_on():
    """Independently of gradients: with random weights, changing every pixel outside the field leaves
    the logit as it was, and changing the left neighbour moves it."""
    model = small_pixelcnn()
    row, column = 7, 6
    field = receptive_field(model, row, column)
    generator = torch.Generator().manual_seed(1)
    image = torch.bernoulli(torch.full((1, 1, 12, 12), 0.5), generator=generator)
    outside = image.clone()
    outside[0, 0][~field] = 1 - outside[0, 0][~field]
    neighbour = image.clone()
    neighbour[0, 0, row, column - 1] = 1 - neighbour[0, 0, row, column - 1]
    with torch.no_grad():
        logit = model(image)[0, 0, row, column]
        assert torch.allclose(model(outside)[0, 0, row, column], logit, atol=1e-6)
        assert not torch.allclose(model(neighbour)[0, 0, row, column], logit, atol=1e-6)


def test_receptive_field_refuses_bad_arguments_and_leaves_the_weights_alone():
    model = small_pixelcnn()
    weights = {name: value.clone() for name, value in model.state_dict().items()}
    receptive_field(model, 5, 5)
    assert all(torch.equal(model.state_dict()[name], value) for name, value in weights.items())
    with pytest.raises(ValueError, match="takes a PixelCNN, got PixelLSTM"):
        receptive_field(PixelLSTM(hidden_size=4), 0, 0)
    with pytest.raises(ValueError, match=r"outside the 12×12 image"):
        receptive_field(model, 12, 0)
    with pytest.raises(ValueError, match=r"outside the 12×12 image"):
        receptive_field(model, 3, -1)


def test_pixelcnn_diagram_counts_the_layers_and_shows_the_blind_spot():
    figure = pixelcnn_diagram(small_pixelcnn(layers=3), row=8, column=4)
    assert_page_ready(figure)
    text = words(figure)
    assert "masked conv 7×7, type A" in text and "3 × residual layer, type B" in text
    assert "1 → 4 channels" in text and "row 8, column 4" in text
    field = receptive_field(small_pixelcnn(layers=3), 8, 4)
    assert f"seen ({int(field.sum())})" in text
    assert "blind spot: earlier, not seen (6)" in text  # the 3 + 2 + 1 wedge of three type-B layers
    assert "4 × residual layer" in words(pixelcnn_diagram(PixelCNN(channels=4, layers=4)))
    with pytest.raises(ValueError, match="draws a PixelCNN"):
        pixelcnn_diagram(PixelLSTM(hidden_size=4))
    with pytest.raises(ValueError, match="outside"):
        pixelcnn_diagram(small_pixelcnn(), row=0, column=40)


def test_a_stack_without_masks_is_caught_seeing_itself():
    """The checks can fail: with every mask opened, the field holds the pixel and later ones."""
    model = small_pixelcnn(layers=1)
    for layer in (model.first, *model.body):
        layer.mask.fill_(1)
    field = receptive_field(model, 5, 5)
    assert field[5, 5] and field[6, 6]
    with pytest.raises(ValueError, match="not causal"):
        pixelcnn_diagram(model, 5, 5)
