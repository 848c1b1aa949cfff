"""Train a GAN recipe on MNIST and judge its generator after every epoch: the measurements behind
the recipes' comments (which change to a GAN recipe helps, and when it levels off).

    python scripts/judge_epochs.py dcgan_mnist --set lr_schedule=constant --epochs 6
    python scripts/judge_epochs.py dcgan_mnist --set lr_schedule=constant --epochs 6 --ema 0.999

The run is exactly ``python -m vaegan train NAME`` with the same options (the ``full`` profile
unless --profile says otherwise, then --epochs and every --set), on one CPU thread unless
--threads says otherwise. After each epoch it prints one JSON line: the epoch, the minutes so far
(judging included), and the verdict on 1,000 samples drawn with seed 0 (confident share, classes
covered, effective classes, Frechet distance), the numbers the book's pages judge a generator by.
Nothing is saved.

``--ema DECAY`` also keeps an exponential moving average of the generator's weights, updated
after every training step (for WGAN-GP, a step is one critic update, so the generator changes
only every ``critic_steps`` of them), and judges it beside the trained generator. Its batch-norm
statistics are recomputed for the averaged weights before each verdict (the trained generator's
statistics belong to other weights).
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import time

import torch
from torch import nn

from vaegan.cli import run_args
from vaegan.core.profiles import PROFILES
from vaegan.gans.train import GANArgs
from vaegan.recipes import RECIPES, recipe
from vaegan.judge.sampling import judge_images
from vaegan.registry import trainer_for


#: the GAN runs whose samples are digits, which the classifier can judge
MNIST_GANS = [name for name in RECIPES
              if isinstance(recipe(name, "full"), GANArgs) and recipe(name, "full").dataset == "mnist"]


def verdict(generator: nn.Module) -> list:
    """``[confident share, classes, effective classes, Frechet distance]`` of 1,000 samples (seed 0)."""
    judged = judge_images(generator.sample_images(1000, seed=0))
    return [round(judged["confident_share"], 3), judged["class_coverage"],
            round(judged["effective_classes"], 2), round(judged["frechet_distance"], 1)]


@torch.no_grad()
def recalibrated(generator: nn.Module, batches: int = 20, batch_size: int = 500) -> nn.Module:
    """A copy of ``generator`` whose batch-norm statistics are the averages over ``batches`` fresh
    batches of its own outputs (momentum None: an equal-weight average, not a running one)."""
    copied = copy.deepcopy(generator)
    for module in copied.modules():
        if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
            module.reset_running_stats()
            module.momentum = None
    noise = torch.Generator().manual_seed(12345)
    copied.train()
    for _ in range(batches):
        copied(copied.sample_latents(batch_size, noise))  # on the generator's device
    return copied.eval()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", help=f"an MNIST GAN run: {', '.join(MNIST_GANS)}")
    parser.add_argument("--profile", default="full", choices=PROFILES, help="sizes to use (default: full)")
    parser.add_argument("--epochs", type=int, help="override the recipe's epochs")
    parser.add_argument("--seed", type=int, help="override the seed (default 0)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="FIELD=VALUE",
                        help="override a field of the recipe, as for `python -m vaegan train`")
    parser.add_argument("--ema", type=float,
                        help="also judge a moving average of the generator's weights, with this decay")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    options = parser.parse_args()
    if options.ema is not None and not 0 < options.ema < 1:
        parser.error(f"--ema must be a decay between 0 and 1, got {options.ema}")
    if options.threads < 1 or (options.epochs is not None and options.epochs < 1):
        parser.error("--threads and --epochs must be at least 1")
    if options.name not in MNIST_GANS:
        parser.error(f"{options.name} is not an MNIST GAN run (the verdict is the digit classifier's); "
                     f"choose one of {', '.join(MNIST_GANS)}")
    torch.set_num_threads(options.threads)
    try:
        args = run_args(options.name, options.profile, epochs=options.epochs, seed=options.seed,
                        assignments=options.overrides)
    except ValueError as error:
        parser.error(str(error))
    # no progress bar and no snapshots between the ends: this script prints its own lines
    trainer = trainer_for(dataclasses.replace(args, progress=False, log_every=10**9))
    average = copy.deepcopy(trainer.generator) if options.ema is not None else None
    started, steps_per_epoch = time.perf_counter(), len(trainer.loader)
    step_once = trainer.training_step

    # the verdicts hook into every step rather than calling train() an epoch at a time, because the
    # learning-rate schedule is laid out over the whole run's epochs when train() starts
    def training_step(images, labels=None):
        record = step_once(images, labels)
        if average is not None:
            with torch.no_grad():
                for averaged, current in zip(average.parameters(), trainer.generator.parameters()):
                    averaged.lerp_(current, 1 - options.ema)
        if trainer.step % steps_per_epoch == 0:
            line = {"epoch": trainer.step // steps_per_epoch, "minutes": round((time.perf_counter() - started) / 60, 1),
                    "generator": verdict(trainer.generator)}
            if average is not None:
                line["moving_average"] = verdict(recalibrated(average))
            print(json.dumps(line), flush=True)
        return record

    trainer.training_step = training_step
    print(json.dumps({"run": options.name, "args": args.to_dict(),
                      "generator_parameters": sum(p.numel() for p in trainer.generator.parameters())}), flush=True)
    trainer.train()


if __name__ == "__main__":
    main()
