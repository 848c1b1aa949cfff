"""Train a GAN recipe and judge its generator after every epoch: the measurements behind the
recipes' comments (which change to a GAN recipe helps, and when it levels off).

    python scripts/judge_epochs.py dcgan_mnist --set extra_layers=1 --set lr_schedule=constant --epochs 6
    python scripts/judge_epochs.py dcgan_mnist --set extra_layers=1 --epochs 6 --ema 0.999

The run is exactly ``python -m vaegan train NAME`` with the same options (the ``full`` profile,
then --epochs and every --set), on one CPU thread unless --threads says otherwise. After each
epoch it prints one JSON line: the epoch, the minutes so far, and the verdict on 1,000 samples
drawn with seed 0 (confident share, classes covered, effective classes, Frechet distance), the
numbers the book's pages judge a generator by. Nothing is saved.

``--ema DECAY`` also keeps an exponential moving average of the generator's weights, updated
after every step, and judges it beside the trained generator. Its batch-norm statistics are
recomputed for the averaged weights before each verdict (the trained generator's statistics
belong to other weights).
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
from vaegan.gans.train import GANArgs
from vaegan.judge.sampling import judge_images
from vaegan.registry import trainer_for


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
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            module.reset_running_stats()
            module.momentum = None
    noise = torch.Generator().manual_seed(12345)
    copied.train()
    for _ in range(batches):
        copied(torch.randn(batch_size, copied.latent_size, generator=noise))
    return copied.eval()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", help="a GAN run from `python -m vaegan list` (its full profile)")
    parser.add_argument("--epochs", type=int, help="override the recipe's epochs")
    parser.add_argument("--seed", type=int, help="override the seed (default 0)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="FIELD=VALUE",
                        help="override a field of the recipe, as for `python -m vaegan train`")
    parser.add_argument("--ema", type=float, help="also judge a moving average of the generator's weights, with this decay")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    options = parser.parse_args()
    if options.ema is not None and not 0 < options.ema < 1:
        parser.error(f"--ema must be a decay between 0 and 1, got {options.ema}")
    torch.set_num_threads(options.threads)
    args = run_args(options.name, "full", epochs=options.epochs, seed=options.seed, assignments=options.overrides)
    if not isinstance(args, GANArgs):
        parser.error(f"{options.name} is not a GAN run")
    # no progress bar and no snapshots between the ends: this script prints its own lines
    trainer = trainer_for(dataclasses.replace(args, progress=False, log_every=10**9))
    average = copy.deepcopy(trainer.generator) if options.ema is not None else None
    started, steps_per_epoch = time.perf_counter(), len(trainer.loader)
    step_once = trainer.training_step

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
