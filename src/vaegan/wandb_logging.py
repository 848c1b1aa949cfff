"""Optional Weights & Biases logging, shared by every trainer."""

from __future__ import annotations

import os

__all__ = ["start_wandb"]


def start_wandb(args):
    """``wandb`` initialised for a run described by ``args`` (a trainer's argument dataclass),
    or None when ``args.use_wandb`` is off.

    The mode is ``offline`` unless the user set ``WANDB_MODE``: a run never hangs waiting
    for a login or a network."""
    if not args.use_wandb:
        return None
    try:
        import wandb
    except ImportError as error:
        raise ImportError("use_wandb=True needs the wandb package: pip install 'vaegan[logging]'") from error
    wandb.init(
        project=args.wandb_project, name=args.wandb_name, config=args.to_dict(),
        mode=os.environ.get("WANDB_MODE", "offline"), reinit="finish_previous",
    )
    return wandb
