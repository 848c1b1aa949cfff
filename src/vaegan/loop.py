"""The training loop every trainer shares, and its optional Weights & Biases logging.

A trainer (``AutoencoderTrainer``, ``VAETrainer``, ``GANTrainer``) says what one step
is (``training_step``) and what a snapshot keeps (``log_samples``); :class:`TrainingLoop`
runs the epochs: one step per batch, a snapshot every ``log_every`` steps and at both
ends, every step's record kept in ``history``, a tqdm bar, and wandb when asked.
"""

from __future__ import annotations

import os

from torch import Tensor, nn

__all__ = ["TrainingLoop", "start_wandb", "log_image_grids"]


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


def log_image_grids(wandb, images: dict[str, Tensor], step: int, nrow: int) -> None:
    """Log each ``(n, c, h, w)`` batch of [0, 1] pixels as one image grid."""
    from torchvision.utils import make_grid

    wandb.log(
        {name: wandb.Image(make_grid(batch, nrow=nrow).permute(1, 2, 0).numpy()) for name, batch in images.items()},
        step=step,
    )


class TrainingLoop:
    """``train()`` for a trainer that has ``args`` (``epochs``, ``log_every``, ``progress``
    and the wandb fields), ``loader``, ``step``, ``history``, ``snapshots`` and ``wandb``,
    and provides:

    * ``training_step(batch) -> dict`` and ``log_samples()``;
    * ``networks()``: the modules to put in training mode, and ``trained()``: what ``train``
      returns (put in eval mode at the end); by default the trainer's one ``model``, so only
      a trainer of several networks (the GAN's) overrides them;
    * ``description`` and ``postfix(record)``: the progress bar's label and readout.
    """

    def networks(self) -> list[nn.Module]:
        return [self.model]

    def trained(self) -> nn.Module:
        return self.model

    def train(self) -> nn.Module:
        """Run ``args.epochs`` epochs; return the trained model in eval mode."""
        from tqdm.auto import tqdm

        self.wandb = start_wandb(self.args)
        for network in self.networks():
            network.train()
        progress = tqdm(total=self.args.epochs * len(self.loader), desc=self.description, disable=not self.args.progress)
        self.log_samples()
        for epoch in range(self.args.epochs):
            for batch, _ in self.loader:
                record = self.training_step(batch)
                self.history.append({"step": self.step, "epoch": epoch, **record})
                if self.wandb is not None:
                    self.wandb.log(record, step=self.step)
                if self.step % self.args.log_every == 0:
                    self.log_samples()
                    progress.set_postfix(self.postfix(record))
                progress.update()
        progress.close()
        if self.snapshots[-1]["step"] != self.step:
            self.log_samples()  # the final state is always in the snapshots
        if self.wandb is not None:
            self.wandb.finish()
            self.wandb = None
        model = self.trained()
        model.eval()
        return model
