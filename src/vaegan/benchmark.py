"""Side-by-side timing: implementations alternate inside every repetition, so
machine noise hits them alike, and results are reported as ratios."""

from __future__ import annotations

import functools
import statistics
import time
from typing import Callable

__all__ = [
    "time_side_by_side", "conv_transpose_ratios", "trainer_throughput", "gan_trainer_throughput", "throughput_main",
    "DCGAN_GENERATOR_LAYERS",
]


def time_side_by_side(
    candidates: dict[str, Callable[[], object]], repeats: int = 7, warmup: int = 1
) -> dict[str, float]:
    """Median seconds of each zero-argument callable, measured interleaved."""
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    for _ in range(warmup):
        for run in candidates.values():
            run()
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, run in candidates.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


#: The four transposed convolutions of a 64x64 DCGAN generator: (in_channels, in_size, out_channels);
#: each has kernel 4, stride 2, padding 1 and doubles the size.
DCGAN_GENERATOR_LAYERS = [(512, 4, 256), (256, 8, 128), (128, 16, 64), (64, 32, 3)]


def _conv_transpose_pass(function, x, weight, backward: bool) -> None:
    """One DCGAN-layer call of ``function`` (kernel 4, stride 2, padding 1), with its
    backward if asked."""
    import torch

    with torch.set_grad_enabled(backward):
        out = function(x, weight, None, 2, 1)
        if backward:
            out.backward(torch.ones_like(out))
            x.grad = weight.grad = None


def conv_transpose_ratios(batch: int = 64, repeats: int = 7, layers=DCGAN_GENERATOR_LAYERS, seed: int = 0):
    """Time the from-scratch ``conv_transpose2d`` against PyTorch's on each layer,
    forward and forward+backward.  Returns one dict per layer and pass with both medians
    (seconds) and their ratio ours / PyTorch."""
    import torch
    import torch.nn.functional as F

    from vaegan.convtranspose.operations import conv_transpose2d

    generator = torch.Generator().manual_seed(seed)
    rows = []
    for in_channels, size, out_channels in layers:
        x = torch.randn(batch, in_channels, size, size, generator=generator).requires_grad_()
        weight = (0.02 * torch.randn(in_channels, out_channels, 4, 4, generator=generator)).requires_grad_()
        for backward in (False, True):
            seconds = time_side_by_side(
                {
                    name: functools.partial(_conv_transpose_pass, function, x, weight, backward)
                    for name, function in (("ours", conv_transpose2d), ("torch", F.conv_transpose2d))
                },
                repeats=repeats,
            )
            rows.append(
                {
                    "layer": f"{in_channels}x{size}x{size} -> {out_channels}x{2 * size}x{2 * size}",
                    "pass": "fwd+bwd" if backward else "forward",
                    "ours_s": seconds["ours"],
                    "torch_s": seconds["torch"],
                    "ratio": seconds["ours"] / seconds["torch"],
                }
            )
    return rows


def trainer_throughput(train_limit: int | None = None, repeats: int = 3, batch_size: int = 512, seed: int = 0) -> dict:
    """Images per second of one autoencoder epoch: the package's trainer (tqdm bar,
    history, holdout snapshots every ``log_every`` steps) against a bare hand-written
    loop with the same model, optimiser, batches and loss, interleaved in one run."""
    import torch
    import torch.nn.functional as F

    from vaegan.autoencoders.train import AutoencoderArgs, AutoencoderTrainer, build_model
    from vaegan.core import data

    args = AutoencoderArgs(epochs=1, batch_size=batch_size, train_limit=train_limit, seed=seed, device="cpu")
    trainset = data.mnist(train=True, scale="standard", limit=train_limit)
    holdout = data.holdout_digits(scale="standard")[0]
    trainer = AutoencoderTrainer(args, trainset=trainset, holdout=holdout)

    torch.manual_seed(seed)
    model = build_model(args)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, betas=args.betas)
    loader = data.TensorLoader(trainset, batch_size, shuffle=True, seed=seed)

    def bare_epoch() -> None:
        for images, _ in loader:
            loss = F.mse_loss(model(images), images)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)

    seconds = time_side_by_side({"trainer": trainer.train, "bare": bare_epoch}, repeats=repeats)
    return _rates(len(trainset), seconds)


def _rates(images: int, seconds: dict[str, float]) -> dict:
    trainer_rate, bare_rate = images / seconds["trainer"], images / seconds["bare"]
    return {"images": images, "trainer_per_s": trainer_rate, "bare_per_s": bare_rate, "ratio": trainer_rate / bare_rate}


def gan_trainer_throughput(train_limit: int | None = 6400, repeats: int = 3, batch_size: int = 64, seed: int = 0) -> dict:
    """Images per second of one DCGAN epoch on MNIST: the package's GAN trainer (tqdm
    bar, per-step history with gradient norms and D(x), D(G(z)), fixed-latent samples
    every ``log_every`` steps, divergence checks) against a bare loop with the same
    networks, optimisers, batches and losses (one discriminator and one generator step
    per batch)."""
    import torch
    import torch.nn.functional as F

    from vaegan.core import data
    from vaegan.gans.train import GANArgs, GANTrainer, build_gan

    args = GANArgs(epochs=1, batch_size=batch_size, train_limit=train_limit, seed=seed, device="cpu")
    trainset = data.mnist(train=True, scale="symmetric", limit=train_limit)
    trainer = GANTrainer(args, trainset=trainset)

    torch.manual_seed(seed)
    generator, discriminator = build_gan(args)
    optimizer_g = torch.optim.Adam(generator.parameters(), lr=args.lr, betas=args.betas)
    optimizer_d = torch.optim.Adam(discriminator.parameters(), lr=args.lr, betas=args.betas)
    loader = data.TensorLoader(trainset, batch_size, shuffle=True, seed=seed, drop_last=True)
    ones, zeros = torch.ones(batch_size), torch.zeros(batch_size)

    def bare_epoch() -> None:
        for real, _ in loader:
            with torch.no_grad():
                fake = generator(torch.randn(batch_size, args.latent_size))
            loss_d = F.binary_cross_entropy_with_logits(discriminator(real), ones) + F.binary_cross_entropy_with_logits(
                discriminator(fake), zeros
            )
            optimizer_d.zero_grad(set_to_none=True)
            loss_d.backward()
            optimizer_d.step()
            loss_g = F.binary_cross_entropy_with_logits(discriminator(generator(torch.randn(batch_size, args.latent_size))), ones)
            optimizer_g.zero_grad(set_to_none=True)
            loss_g.backward()
            optimizer_g.step()

    seconds = time_side_by_side({"trainer": trainer.train, "bare": bare_epoch}, repeats=repeats)
    return _rates(len(loader) * batch_size, seconds)


def throughput_main(description: str, measure: Callable[..., dict], default_limit: int | None) -> None:
    """The command line of the trainer benchmarks: ``--repeats``, ``--threads``,
    ``--limit``; prints both rates and the ratio trainer / bare (target at least
    0.95)."""
    import argparse

    import torch

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, default=default_limit, help=f"train on the first N digits (default: {default_limit or 'all'})")
    options = parser.parse_args()
    torch.set_num_threads(options.threads)
    result = measure(train_limit=options.limit, repeats=options.repeats)
    print(f"torch {torch.__version__}, {options.threads} threads, {result['images']} images per epoch, median of {options.repeats}")
    print(f"trainer: {result['trainer_per_s']:8.0f} images/s")
    print(f"bare:    {result['bare_per_s']:8.0f} images/s")
    print(f"ratio trainer / bare: {result['ratio']:.3f} (target >= 0.95)")
