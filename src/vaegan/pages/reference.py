"""Load a run's committed checkpoint, or train it on the page: one call, the same result
either way.

A chapter shows a model that it either trains while the reader watches (``smoke`` and
``full``, or any profile where the page asks) or loads from ``vaegan/weights/``
(``book``, where the committed run was made by the command in its metadata with exactly
the page's arguments). :func:`load_or_train` hides that branch: it returns a
:class:`Run` whose fields mean the same in both cases, so the cells after it never ask
which happened.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

from torch import nn

from vaegan.core.checkpoints import PRETRAINED, load_samples, load_timeline, pack_timeline, side_path, unpack_timeline
from vaegan.core.profiles import current_profile
from vaegan.pages.tables import parameter_count
from vaegan.registry import committed_reference_args, load_pretrained, load_reference, trainer_for

__all__ = ["Run", "load_or_train", "load_reference_run"]


@dataclass
class Run:
    """One run as a page uses it.

    ``record`` has the fields of a checkpoint's metadata that a page reads (``args``,
    ``steps``, ``metrics["train_seconds"]``, ``parameters``, ``command``, and
    ``history`` for the autoregressive models); ``trainer`` is None for a loaded run."""

    name: str
    args: object
    model: nn.Module
    record: dict
    trained_here: bool
    trainer: object = None
    discriminator: nn.Module | None = None
    timeline: dict | None = None
    samples: dict | None = None
    extras: dict = field(default_factory=dict)

    def epoch_means(self, loss: str) -> list[float]:
        """The mean of ``loss`` (``"d_loss"``, ``"nll"``, ...) over each epoch of the
        run, from every step's losses in its record (the training curve, or the history
        where the curve lacks it), or, for a GAN's other signals (``"d_real"``,
        ``"grad_norm_g"``, ...), from its timeline's every-step history. Steps with no value
        (NaN: WGAN-GP's generator loss on critic-only steps) are left out."""
        steps = (self.timeline or {}).get("history", [])
        signals = {key: [row.get(key, math.nan) for row in steps] for key in (steps[0] if steps else {})}
        curves = {**signals, **self.record.get("history", {}), **self.record.get("training_curve", {})}
        if loss not in curves:
            raise ValueError(f"{self.name} recorded no {loss!r} for every step; it has {', '.join(sorted(curves))}")
        values, epochs = curves[loss], self.args.epochs
        if len(values) % epochs:
            raise ValueError(f"{self.name} recorded {len(values)} steps of {loss!r}, not a whole number of its "
                             f"{epochs} epochs: its record does not match its arguments")
        per_epoch = len(values) // epochs
        means = []
        for start in range(0, len(values), per_epoch):
            kept = [value for value in values[start:start + per_epoch] if not math.isnan(value)]
            means.append(sum(kept) / len(kept) if kept else math.nan)
        return means

    def describe(self) -> str:
        """One line on where the model came from."""
        seconds = self.record["metrics"]["train_seconds"]
        if self.trained_here:
            return f"{self.name}: trained on this page, {self.record['steps']:,} steps in {seconds:.0f} s"
        return (f"{self.name}: loaded, made by `{self.record['command']}`\n"
                f"  {self.record['steps']:,} steps in {seconds / 60:.1f} min")


def load_or_train(
    name: str,
    args,
    *,
    train: bool | None = None,
    checkpoint: str | None = None,
    discriminator: bool = False,
    timeline: int = 0,
    samples: tuple[int, int] | None = None,
    folder: Path = PRETRAINED,
) -> Run:
    """The run ``name`` with arguments ``args``: trained here when ``train`` is true
    (default: in every profile but ``book``), else loaded from the committed checkpoint
    ``checkpoint`` (default ``name``), which must have been trained with exactly
    ``args``.

    ``discriminator`` (GANs) also gives the trained discriminator, ``timeline=k`` the
    run's timeline with ``k`` samples a snapshot, and ``samples=(count, chunk)``
    (autoregressive models) a seeded sample set; a loaded run reads the side files its
    command wrote (from ``folder``, by default the package's ``weights/``)."""
    train = current_profile() != "book" if train is None else train
    checkpoint = checkpoint or name
    if train:
        trainer = trainer_for(args)
        started = time.perf_counter()
        model = trainer.train()
        record = trainer.metadata({"train_seconds": time.perf_counter() - started})
        record.update(parameters=parameter_count(model), command=None)
        record = json.loads(json.dumps(record, default=str))  # JSON values, as a checkpoint's .json holds them
        run = Run(name, args, model, record, True, trainer)
        if discriminator:
            run.discriminator = trainer.discriminator
        if timeline:  # in the stored form (uint8 pixels, float32 signals), as a loaded run's
            run.timeline = unpack_timeline(pack_timeline(**trainer.timeline(timeline)))
        if samples:
            count, chunk = samples
            run.samples = {"images": model.sample_images(count, seed=0, chunk=chunk), "seed": 0, "chunk": chunk}
        return run
    model, record = load_pretrained(checkpoint, expected_args=args, folder=folder)
    run = Run(name, args, model, record, False)
    if discriminator:
        run.discriminator, _ = load_pretrained(side_path(checkpoint, "discriminator").name, expected_args=args, folder=folder)
    if timeline:
        run.timeline = load_timeline(folder / checkpoint)
    if samples:
        run.samples = load_samples(folder / checkpoint)
    return run


def load_reference_run(name: str, *, timeline: int = 0, samples: bool = False) -> Run:
    """A committed reference model (:data:`vaegan.recipes.REFERENCES`) as a page uses
    it: always loaded (training it takes from half an hour to hours of CPU), and refused
    unless it was trained with exactly its reference arguments. ``timeline`` and
    ``samples`` load the side files its command wrote."""
    model, record = load_reference(name)
    run = Run(name, committed_reference_args(name, progress=False), model, record, False)
    if timeline:
        run.timeline = load_timeline(PRETRAINED / name)
    if samples:
        run.samples = load_samples(PRETRAINED / name)
    return run
