"""The trainer every family shares, in the ARENA course's shape, and its optional
Weights & Biases logging.

A trainer holds the data, the networks and the optimisers of one run, described by an
argument dataclass (a :class:`vaegan.core.args.RunArgs`). :class:`Trainer` owns what
every run has: the device, the seeding, the loader, the step count, ``history`` (one
dict a step), ``snapshots``, the loop (``train``) and ``save``. A family's trainer says
only

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
import json
import os
import platform
import time
from pathlib import Path

import torch
from torch import Tensor, nn

from vaegan.core import data
from vaegan.core.checkpoints import save_checkpoint
from vaegan.core.model import mode
from vaegan.core.progress import progress_bar
from vaegan.core.seeding import default_device, seed_everything

__all__ = ["Trainer", "DivergenceError", "check_finite", "start_wandb", "log_image_grids"]


class DivergenceError(RuntimeError):
    """Training produced a NaN or infinite loss."""


def check_finite(loss: Tensor, step: int, network: str, hint: str = "") -> None:
    """The one divergence rule of every trainer: a loss that is NaN or infinite stops
    the run at once, naming the step and the network, before the optimiser writes it
    into the weights."""
    if not bool(torch.isfinite(loss).all()):
        raise DivergenceError(
            f"training diverged at step {step}: the {network}'s loss is {loss.detach().flatten()[0].item()}. "
            + (hint or "Lower the learning rate, or check the inputs' scale.")
        )


def hardware(device: torch.device) -> dict:
    """What a run was trained on, for its checkpoint's record."""
    record = {"device": str(device), "torch_threads": torch.get_num_threads(), "cpu_count": os.cpu_count(),
              "machine": platform.machine(), "processor": platform.processor() or None}
    if device.type == "cuda":
        record["gpu"] = torch.cuda.get_device_name(device)
    return record


def start_wandb(args):
    """``wandb`` initialised for a run described by ``args`` (a trainer's argument
    dataclass), or None when ``args.use_wandb`` is off.

    The mode is ``offline`` unless the user set ``WANDB_MODE``: a run never hangs
    waiting for a login or a network."""
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
        self.epoch = 0  # epochs completed: where `train` starts (a resumed run is past 0)
        self.history: list[dict] = []
        self.snapshots: list[dict] = []
        self.wandb = None
        self.state_path: Path | None = None  # where `train` saves a resumable state after every epoch
        self.train_seconds = 0.0  # time spent in `train`, over every resumed part of the run

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
        """The modules ``train`` puts in training mode; the last one reads the training
        images."""
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
        """Run ``args.epochs`` epochs: one ``training_step`` a batch, a snapshot every
        ``log_every`` steps and at both ends, a tqdm bar, and wandb when asked. Returns
        ``trained()``, in the mode it was in before (every package function that
        evaluates it switches to evaluation mode itself, with
        :func:`vaegan.core.model.mode`)."""
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
        bar = progress_bar(total=self.args.epochs * len(self.loader), initial=self.epoch * len(self.loader),
                   desc=self.description, disable=not self.args.progress)
        # the bar is closed however the loop ends (a divergence, Ctrl-C), so a message after it starts on its own line
        with contextlib.closing(bar) as progress, mode(*self.networks(), train=True):
            if not self.snapshots:
                self.log_samples()
            started = time.perf_counter()
            for epoch in range(self.epoch, self.args.epochs):
                for images, labels in self.loader:
                    record = self.training_step(images, labels)
                    self.history.append({"step": self.step, "epoch": epoch, **record})
                    if self.wandb is not None:
                        self.wandb.log(record, step=self.step)
                    if self.step % self.args.log_every == 0:
                        self.log_samples()
                        progress.set_postfix(self.postfix(record))
                    progress.update()
                self.epoch = epoch + 1
                self.train_seconds += time.perf_counter() - started
                started = time.perf_counter()
                if self.state_path is not None:
                    self.save_state(self.state_path)
            if self.snapshots[-1]["step"] != self.step:
                self.log_samples()  # the final state is always in the snapshots
        if self.wandb is not None and self.finish_wandb:
            self.wandb.finish()
            self.wandb = None
        return self.trained()

    def schedule_learning_rates(self, rates: dict[torch.optim.Optimizer, float]) -> None:
        """Set each optimiser's rate for the step about to be taken (``self.step`` counts
        it): with ``args.lr_schedule == "linear"``, the initial rate times the share of
        the run still ahead, so the first step uses the full rate and the last one a rate
        near 0. The rate is a function of the step alone, so a resumed run carries on
        the same line."""
        if self.args.lr_schedule != "linear":
            return
        remaining = max(0.0, 1.0 - (self.step - 1) / (self.args.epochs * len(self.loader)))
        for optimizer, rate in rates.items():
            for group in optimizer.param_groups:
                group["lr"] = rate * remaining

    # --- resuming a long run ----------------------------------------------------------------------

    STATE_FORMAT = "vaegan-trainer-state/1"

    def _parts(self) -> dict:
        """Everything that changes while training, by attribute: networks, optimisers,
        random streams."""
        parts = {}
        for name, value in vars(self).items():
            if isinstance(value, (nn.Module, torch.optim.Optimizer)):
                parts[name] = value
            elif isinstance(value, torch.Generator):
                parts[name] = value
        parts["loader.generator"] = self.loader.generator
        return parts

    def state_dict(self) -> dict:
        """The whole run so far, at an epoch boundary: load it into a trainer built with
        the same arguments (``epochs`` may be larger) and ``train`` goes on as if it had
        never stopped."""
        state = {"format": self.STATE_FORMAT, "trainer": type(self).__name__, "args": json.loads(json.dumps(self.args.to_dict())),
                 "step": self.step, "epoch": self.epoch, "history": self.history, "snapshots": self.snapshots,
                 "torch_rng": torch.get_rng_state(), "train_seconds": self.train_seconds, "parts": {}}
        for name, part in self._parts().items():
            state["parts"][name] = part.get_state() if isinstance(part, torch.Generator) else part.state_dict()
        return state

    def load_state_dict(self, state: dict) -> None:
        from vaegan.core.checkpoints import CheckpointError, argument_differences

        if not isinstance(state, dict) or state.get("format") != self.STATE_FORMAT:
            raise CheckpointError(f"not a trainer state (format {state.get('format') if isinstance(state, dict) else None!r}); "
                                  f"expected {self.STATE_FORMAT!r}")
        if state["trainer"] != type(self).__name__:
            raise CheckpointError(f"this state is from a {state['trainer']}, not a {type(self).__name__}")
        differences = {k: v for k, v in argument_differences(state, self.args).items() if k != "epochs"}
        if differences:
            listed = "; ".join(f"{key}: stored {old!r}, now {new!r}" for key, (old, new) in differences.items())
            raise CheckpointError(f"the saved run used other arguments ({listed}); resume it with the same ones, "
                                  f"or start afresh without the state file")
        if state["epoch"] > self.args.epochs:
            raise CheckpointError(f"the saved run has done {state['epoch']} epochs, more than the {self.args.epochs} asked for")
        parts = self._parts()
        if set(parts) != set(state["parts"]):
            raise CheckpointError(f"the saved state holds {sorted(state['parts'])}, this trainer {sorted(parts)}")
        for name, part in parts.items():
            if isinstance(part, torch.Generator):
                part.set_state(state["parts"][name])
            else:
                part.load_state_dict(state["parts"][name])
        torch.set_rng_state(state["torch_rng"])
        self.step, self.epoch = state["step"], state["epoch"]
        self.history, self.snapshots = state["history"], state["snapshots"]
        self.train_seconds = state["train_seconds"]

    def save_state(self, path) -> Path:
        """Write :meth:`state_dict` to ``path`` in one step (a crash leaves the previous
        state whole)."""
        from vaegan.core.checkpoints import atomic_file

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(path) as temporary:
            torch.save(self.state_dict(), temporary)
        return path

    def resume(self, path) -> bool:
        """Load the state saved at ``path`` if there is one, and save there after every
        epoch from now on. Returns whether a saved run was found."""
        path = Path(path)
        self.state_path = path
        if not path.exists():
            return False
        self.load_state_dict(torch.load(path, map_location=self.device, weights_only=True))
        return True

    def metadata(self, metrics: dict | None = None, extra: dict | None = None) -> dict:
        """What the checkpoint's ``.json`` records about the run: its arguments, the
        hardware that trained it, and its training curve (every step's losses, to 4
        significant digits)."""
        # the losses: "loss", the GANs' "d_loss"/"g_loss", the autoregressive models' "nll"
        losses = sorted({key for row in self.history for key in row if key in ("loss", "nll") or key.endswith("_loss")})
        curve = {"step": [row["step"] for row in self.history]}
        curve.update({key: [float(f"{row[key]:.4g}") if key in row else None for row in self.history] for key in losses})
        return {"args": self.args.to_dict(), "scale": self.scale, "steps": self.step, "hardware": hardware(self.device),
                "metrics": metrics or {}, "training_curve": curve, **(extra or {})}

    def save(self, path, metrics: dict | None = None, half: bool = False, extra: dict | None = None):
        """Save ``trained()`` with the run's arguments, step count, ``metrics`` and any
        ``extra`` metadata."""
        return save_checkpoint(self.trained(), path, metadata=self.metadata(metrics, extra), half=half)
