"""The trainer every family shares, in the ARENA course's shape, and its optional Weights & Biases logging.

A trainer holds the data, the networks and the optimisers of one run, described by an argument
dataclass (a :class:`vaegan.core.args.RunArgs`). :class:`Trainer` owns what every run has: the
device, the seeding, the loader, the step count, ``history`` (one dict a step), ``snapshots``,
the loop (``train``) and ``save``. A family's trainer says only

* ``build()``: make its networks and optimisers (called after seeding and loading, which
  draws no random numbers, so their initial weights depend only on the seed);
* ``training_images()``: the data set it trains on, when none is given;
* ``training_step(images, labels) -> dict``: one update, returning its numbers;
* ``log_samples() -> dict``: what a snapshot keeps;
* ``evaluate(model) -> dict``: the numbers the command line reports and saves;

and, when it trains several networks (the GAN's two), ``networks()`` and ``trained()``.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import torch
from torch import Tensor, nn

from vaegan.core import data
from vaegan.core.checkpoints import save_checkpoint
from vaegan.core.model import mode
from vaegan.core.seeding import default_device, seed_everything

__all__ = ["Trainer", "DivergenceError", "check_finite", "start_wandb", "log_image_grids"]


class DivergenceError(RuntimeError):
    """Training produced a NaN or infinite loss."""


def check_finite(loss: Tensor, step: int, network: str, hint: str = "") -> None:
    """The one divergence rule of every trainer: a loss that is NaN or infinite stops the run at once,
    naming the step and the network, before the optimiser writes it into the weights."""
    if not bool(torch.isfinite(loss).all()):
        raise DivergenceError(
            f"training diverged at step {step}: the {network}'s loss is {loss.detach().flatten()[0].item()}. "
            + (hint or "Lower the learning rate, or check the inputs' scale.")
        )


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
    if args.wandb_dir is not None:
        Path(args.wandb_dir).mkdir(parents=True, exist_ok=True)
    wandb.init(
        project=args.wandb_project, name=args.wandb_name, group=args.wandb_group, config=args.to_dict(),
        dir=args.wandb_dir, mode=os.environ.get("WANDB_MODE", "offline"), reinit="finish_previous",
    )
    return wandb


def log_image_grids(wandb, images: dict[str, Tensor], step: int, nrow: int) -> None:
    """Log each ``(n, c, h, w)`` batch of [0, 1] pixels as one image grid."""
    from torchvision.utils import make_grid

    wandb.log(
        {name: wandb.Image(make_grid(batch, nrow=nrow).permute(1, 2, 0).numpy()) for name, batch in images.items()},
        step=step,
    )


class Trainer:
    """The shared state and loop; see the module docstring for what a subclass gives."""

    #: the argument dataclass this trainer takes
    args_class: type = object
    #: drop the last, smaller batch of an epoch (batch norm and the GAN losses want full batches)
    drop_last: bool = False
    #: the side files ``save`` can also write (keyword arguments of ``save``; see :mod:`vaegan.core.checkpoints`)
    side_files: tuple[str, ...] = ()
    #: end the wandb run when ``train`` returns (a sweep keeps it open to add its measurements)
    finish_wandb: bool = True

    def __init__(self, args, trainset: data.ImageTensors | None = None):
        if not isinstance(args, self.args_class):
            raise TypeError(f"{type(self).__name__} needs {self.args_class.__name__}, got {type(args).__name__}")
        self.args = args
        self.device = torch.device(args.device) if args.device else default_device()
        self.generator = seed_everything(args.seed)  # a stream of its own, for trainers that draw augmentations
        self.trainset = trainset if trainset is not None else self.training_images()
        if len(self.trainset) == 0:
            raise ValueError(f"{type(self).__name__}: the training set is empty; check train_limit and the data folder")
        if self.drop_last and len(self.trainset) < args.batch_size:
            raise ValueError(
                f"{type(self).__name__}: {len(self.trainset)} training images are fewer than one batch of {args.batch_size}, "
                f"and this trainer drops incomplete batches, so it would take no step; lower batch_size or use more images"
            )
        # the loader shuffles with its own generator and loading draws nothing, so the networks'
        # initial weights below depend only on the seed
        self.loader = data.TensorLoader(self.trainset, args.batch_size, shuffle=True, seed=args.seed, drop_last=self.drop_last)
        self.build()
        self.networks()[-1].check_images(self.trainset.images[:1])  # the network that reads the data
        self.step = 0
        self.history: list[dict] = []
        self.snapshots: list[dict] = []
        self.wandb = None

    # --- what a family gives -------------------------------------------------------------------

    def build(self) -> None:
        raise NotImplementedError

    def training_images(self) -> data.ImageTensors:
        raise NotImplementedError

    def training_step(self, images: Tensor, labels: Tensor) -> dict[str, float]:
        raise NotImplementedError

    def log_samples(self) -> dict:
        snapshot = {"step": self.step}
        self.snapshots.append(snapshot)
        return snapshot

    def evaluate(self, model: nn.Module) -> dict:
        return {}

    def networks(self) -> list[nn.Module]:
        """The modules ``train`` puts in training mode; the last one reads the training images."""
        return [self.model]

    def trained(self) -> nn.Module:
        """What ``train`` returns and ``save`` writes."""
        return self.model

    #: the scale of the training images (see :mod:`vaegan.core.scales`)
    scale: str = "unit"

    @property
    def description(self) -> str:
        return type(self).__name__

    def postfix(self, record: dict) -> dict:
        return {"loss": f"{record['loss']:.4f}"} if "loss" in record else {}

    # --- what every run shares -----------------------------------------------------------------

    def train(self) -> nn.Module:
        """Run ``args.epochs`` epochs: one ``training_step`` a batch, a snapshot every ``log_every``
        steps and at both ends, a tqdm bar, and wandb when asked. Returns ``trained()``, in the
        mode it was in before (every package function that evaluates it switches to evaluation
        mode itself, with :func:`vaegan.core.model.mode`)."""
        from tqdm.auto import tqdm

        if self.args.epochs * len(self.loader) == 0:
            raise ValueError(
                f"{type(self).__name__}: epochs={self.args.epochs} with {len(self.loader)} batches an epoch is zero steps; "
                f"an untrained model is not a result (set epochs >= 1)"
            )
        self.wandb = start_wandb(self.args)
        if self.wandb is not None and self.args.wandb_watch:
            # gradient histograms of every parameter, every wandb_watch steps: the first place to look
            # when a loss stalls or explodes
            self.wandb.watch(self.networks(), log="gradients", log_freq=self.args.wandb_watch)
        bar = tqdm(total=self.args.epochs * len(self.loader), desc=self.description, disable=not self.args.progress)
        # the bar is closed however the loop ends (a divergence, Ctrl-C), so a message after it starts on its own line
        with contextlib.closing(bar) as progress, mode(*self.networks(), train=True):
            self.log_samples()
            for epoch in range(self.args.epochs):
                for images, labels in self.loader:
                    record = self.training_step(images, labels)
                    self.history.append({"step": self.step, "epoch": epoch, **record})
                    if self.wandb is not None:
                        self.wandb.log(record, step=self.step)
                    if self.step % self.args.log_every == 0:
                        self.log_samples()
                        progress.set_postfix(self.postfix(record))
                    progress.update()
            if self.snapshots[-1]["step"] != self.step:
                self.log_samples()  # the final state is always in the snapshots
        if self.wandb is not None and self.finish_wandb:
            self.wandb.finish()
            self.wandb = None
        return self.trained()

    def metadata(self, metrics: dict | None = None, extra: dict | None = None) -> dict:
        """What the checkpoint's ``.json`` records about the run."""
        return {"args": self.args.to_dict(), "scale": self.scale, "steps": self.step, "metrics": metrics or {}, **(extra or {})}

    def save(self, path, metrics: dict | None = None, half: bool = False, extra: dict | None = None):
        """Save ``trained()`` with the run's arguments, step count, ``metrics`` and any ``extra`` metadata."""
        return save_checkpoint(self.trained(), path, metadata=self.metadata(metrics, extra), half=half)
