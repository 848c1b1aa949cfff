"""Throughput of the package's autoencoder trainer against a bare PyTorch loop.

One epoch of ARENA's MNIST autoencoder (batch 512, Adam) each way, alternating
inside every repetition so that machine noise hits both alike. Prints images per
second and the ratio trainer / bare. Target: at least 0.95.

    python benchmarks/autoencoder_trainer.py               # 2 threads, all 60,000 digits, 3 repetitions
    python benchmarks/autoencoder_trainer.py --repeats 5 --threads 4
"""

from __future__ import annotations

import argparse

import torch

from vaegan.benchmark import trainer_throughput


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N digits (default: all)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    result = trainer_throughput(train_limit=args.limit, repeats=args.repeats)
    print(f"torch {torch.__version__}, {args.threads} threads, {result['images']} images per epoch, median of {args.repeats}")
    print(f"trainer: {result['trainer_per_s']:8.0f} images/s")
    print(f"bare:    {result['bare_per_s']:8.0f} images/s")
    print(f"ratio trainer / bare: {result['ratio']:.3f} (target >= 0.95)")


if __name__ == "__main__":
    main()
