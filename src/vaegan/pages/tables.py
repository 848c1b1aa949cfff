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

__all__ = ["layer_table", "markdown_table", "parameter_count", "results_table"]


def parameter_count(model: nn.Module) -> int:
    """Trainable numbers in ``model``."""
    return sum(parameter.numel() for parameter in model.parameters() if parameter.requires_grad)


@torch.no_grad()
def layer_table(model: nn.Module, example: Tensor) -> list[dict]:
    """``[{"layer", "kind", "output", "parameters"}]`` for every leaf module that
    ``model(example)`` calls.

    Runs in eval mode (batch norm then uses its running statistics and accepts a batch
    of one)."""
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
    """The rows of :func:`layer_table` as a Markdown table, with the total
    underneath."""
    lines = ["| layer | kind | output shape | parameters |", "|---|---|---|---:|"]
    for row in rows:
        lines.append(f"| `{row['layer']}` | {row['kind']} | {tuple(row['output'])} | {row['parameters']:,} |")
    lines.append(f"| | **total** | | **{sum(row['parameters'] for row in rows):,}** |")
    return "\n".join(lines)


def results_table(rows: list[dict], columns: dict[str, tuple[str, str]], index: str | None = None):
    """A table of measured results, shown as Markdown (so it wraps to the text column
    and reads well in both themes): ``rows`` are dicts, ``columns`` maps a key to
    ``(header, format spec)``, e.g.
    ``{"confident_share": ("confident", ".1%"), "frechet_distance": ("FD", ".1f")}``;
    ``index`` names the key shown first, unformatted (the model's name). A missing value
    shows as a dash."""
    from IPython.display import Markdown

    keys = ([index] if index else []) + list(columns)
    headers = ([index] if index else []) + [header for header, _ in columns.values()]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(["---"] + ["---:"] * (len(headers) - 1)) + "|"]
    for row in rows:
        cells = [str(row[index])] if index else []
        for key, (_, spec) in columns.items():
            value = row.get(key)
            cells.append("–" if value is None else format(value, spec))
        lines.append("| " + " | ".join(cells) + " |")
    if not rows:
        raise ValueError("results_table needs at least one row")
    unknown = [key for key in keys if key and not any(key in row for row in rows)]
    if unknown:
        raise KeyError(f"no row has {', '.join(unknown)}; the rows have {', '.join(sorted(rows[0]))}")
    return Markdown("\n".join(lines))
