"""Side-by-side timing: implementations alternate inside every repetition, so
machine noise hits them alike, and results are reported as ratios."""

from __future__ import annotations

import functools
import statistics
import time
from typing import Callable

__all__ = ["time_side_by_side", "conv_transpose_ratios", "trainer_throughput", "DCGAN_GENERATOR_LAYERS"]


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
    """One DCGAN-layer call of ``function`` (kernel 4, stride 2, padding 1), with its backward if asked."""
    import torch

    with torch.set_grad_enabled(backward):
        out = function(x, weight, None, 2, 1)
        if backward:
            out.backward(torch.ones_like(out))
            x.grad = weight.grad = None


def conv_transpose_ratios(batch: int = 64, repeats: int = 7, layers=DCGAN_GENERATOR_LAYERS, seed: int = 0):
    """Time the from-scratch ``conv_transpose2d`` against PyTorch's on each layer, forward
    and forward+backward.  Returns one dict per layer and pass with both medians (seconds)
    and their ratio ours / PyTorch."""
    import torch
    import torch.nn.functional as F

    from vaegan.convtranspose import conv_transpose2d

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

    from vaegan import data
    from vaegan.train import AutoencoderArgs, AutoencoderTrainer, build_model

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
    images = len(trainset)
    trainer_rate, bare_rate = images / seconds["trainer"], images / seconds["bare"]
    return {"images": images, "trainer_per_s": trainer_rate, "bare_per_s": bare_rate, "ratio": trainer_rate / bare_rate}
