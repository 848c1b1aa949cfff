"""What a network does to its input, layer by layer: the table the DCGAN chapter prints.

    rows = layer_table(generator, torch.randn(1, 100))
    display(Markdown(markdown_table(rows)))

Each row is one leaf module (a layer with no sub-layers) in the order the forward pass
runs it, with the shape it returned and its own parameter count.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from vaegan.core.model import mode

__all__ = ["layer_table", "markdown_table", "parameter_count"]


def parameter_count(model: nn.Module) -> int:
    """Trainable numbers in ``model``."""
    return sum(parameter.numel() for parameter in model.parameters() if parameter.requires_grad)


@torch.no_grad()
def layer_table(model: nn.Module, example: Tensor) -> list[dict]:
    """``[{"layer", "kind", "output", "parameters"}]`` for every leaf module that ``model(example)`` calls.

    Runs in eval mode (batch norm then uses its running statistics and accepts a batch of one)."""
    rows: list[dict] = []
    names = {module: name for name, module in model.named_modules()}

    def record(module: nn.Module, inputs, output) -> None:
        shape = tuple(output.shape) if isinstance(output, Tensor) else "?"
        rows.append({
            "layer": names[module], "kind": type(module).__name__, "output": shape,
            "parameters": sum(p.numel() for p in module.parameters()),
        })

    # a layer wrapped by torch.nn.utils.parametrize (spectral norm) keeps its weight in a
    # `parametrizations` child; the layer, not that child, is the leaf
    leaves = [
        module for name, module in model.named_modules()
        if ".parametrizations" not in f".{name}" and all(child == "parametrizations" for child, _ in module.named_children())
    ]
    hooks = [module.register_forward_hook(record) for module in leaves]
    try:
        with mode(model):
            model(example)
    finally:
        for hook in hooks:
            hook.remove()
    return rows


def markdown_table(rows: list[dict]) -> str:
    """The rows of :func:`layer_table` as a Markdown table, with the total underneath."""
    lines = ["| layer | kind | output shape | parameters |", "|---|---|---|---:|"]
    for row in rows:
        lines.append(f"| `{row['layer']}` | {row['kind']} | {tuple(row['output'])} | {row['parameters']:,} |")
    lines.append(f"| | **total** | | **{sum(row['parameters'] for row in rows):,}** |")
    return "\n".join(lines)
