"""From-scratch conv_transpose2d against PyTorch's, side by side in one run.

Shapes: the four generator layers of a 64x64 DCGAN (batch 64, kernel 4,
stride 2, padding 1).  For each shape and each implementation it times a
forward pass and a forward+backward pass, alternating the two implementations
in every repetition so that machine noise hits both alike, and prints the
median time ratio ours / PyTorch (the target is at most 2.0).

    python benchmarks/conv_transpose.py            # defaults: 2 threads, 7 repetitions
    python benchmarks/conv_transpose.py --repeats 15 --threads 4
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F

from vaegan.convtranspose import conv_transpose2d

SHAPES = [  # (in_channels, in_size, out_channels)
    (512, 4, 256),
    (256, 8, 128),
    (128, 16, 64),
    (64, 32, 3),
]


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    print(f"torch {torch.__version__}, {args.threads} threads, batch {args.batch}, median of {args.repeats}")
    print(f"{'layer':>22} {'pass':>9} {'ours ms':>9} {'torch ms':>9} {'ratio':>6}")
    worst = 0.0
    for in_channels, size, out_channels in SHAPES:
        x = torch.randn(args.batch, in_channels, size, size, requires_grad=True)
        weight = (0.02 * torch.randn(in_channels, out_channels, 4, 4)).requires_grad_()
        implementations = {"ours": conv_transpose2d, "torch": F.conv_transpose2d}

        def forward(function):
            with torch.no_grad():
                function(x, weight, None, 2, 1)

        def forward_backward(function):
            out = function(x, weight, None, 2, 1)
            out.backward(torch.ones_like(out))
            x.grad = weight.grad = None

        for label, run in (("forward", forward), ("fwd+bwd", forward_backward)):
            for function in implementations.values():  # warm-up
                run(function)
            times = {name: [] for name in implementations}
            for _ in range(args.repeats):
                for name, function in implementations.items():
                    times[name].append(timed(lambda: run(function)))
            ours, reference = statistics.median(times["ours"]), statistics.median(times["torch"])
            worst = max(worst, ours / reference)
            layer = f"{in_channels}x{size}x{size}->{out_channels}x{2 * size}x{2 * size}"
            print(f"{layer:>22} {label:>9} {1e3 * ours:9.2f} {1e3 * reference:9.2f} {ours / reference:6.2f}")
    print(f"worst ratio: {worst:.2f} (target <= 2.00)")


if __name__ == "__main__":
    main()
