"""vaegan.pages.tables: the layer table lists every leaf with its shape and parameters."""

import torch

from vaegan.gans.models import DCGANDiscriminator, DCGANGenerator
from vaegan.pages.tables import layer_table, markdown_table, parameter_count


def test_layer_table_lists_leaves_with_shapes_and_parameters():
    generator = DCGANGenerator(100, (32, 64), (1, 28, 28))
    rows = layer_table(generator, torch.randn(1, 100))
    assert [row["kind"] for row in rows][-2:] == ["ConvTranspose2d", "Tanh"]
    assert rows[-1]["output"] == (1, 1, 28, 28)
    assert sum(row["parameters"] for row in rows) == parameter_count(generator) == sum(p.numel() for p in generator.parameters())
    spectral = DCGANDiscriminator((32, 64), (1, 28, 28), norm="spectral")
    rows = layer_table(spectral, torch.zeros(1, 1, 28, 28))
    assert [row["kind"] for row in rows if row["parameters"]] == ["ParametrizedConv2d", "ParametrizedConv2d", "ParametrizedLinear"]
    assert sum(row["parameters"] for row in rows) == parameter_count(spectral)
    table = markdown_table(rows)
    assert table.splitlines()[0].startswith("| layer |") and f"**{parameter_count(spectral):,}**" in table
    assert generator.training  # restored after the eval-mode pass
