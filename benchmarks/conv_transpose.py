"""From-scratch conv_transpose2d against PyTorch's, side by side in one run.

Shapes: the four generator layers of a 64x64 DCGAN (batch 64, kernel 4, stride 2,
padding 1), forward and forward+backward.  The two implementations alternate inside
every repetition so that machine noise hits both alike; the script prints the median
time of each and the ratio ours / PyTorch.  Target: at most 2.0 on every row.

    python benchmarks/conv_transpose.py                 # 2 threads, batch 64, 7 repetitions
    python benchmarks/conv_transpose.py --repeats 15 --threads 4
"""

from __future__ import annotations

import argparse

import torch

from vaegan.benchmark import conv_transpose_ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    print(f"torch {torch.__version__}, {args.threads} threads, batch {args.batch}, median of {args.repeats}")
    print(f"{'layer':>24} {'pass':>8} {'ours ms':>9} {'torch ms':>9} {'ratio':>6}")
    rows = conv_transpose_ratios(batch=args.batch, repeats=args.repeats)
    for row in rows:
        print(f"{row['layer']:>24} {row['pass']:>8} {1e3 * row['ours_s']:9.2f} {1e3 * row['torch_s']:9.2f} "
              f"{row['ratio']:6.2f}")
    print(f"worst ratio: {max(row['ratio'] for row in rows):.2f} (target <= 2.00)")


if __name__ == "__main__":
    main()
