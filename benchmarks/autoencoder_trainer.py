"""Throughput of the package's autoencoder trainer against a bare PyTorch loop.

One epoch of ARENA's MNIST autoencoder (batch 512, Adam) each way, alternating
inside every repetition so that machine noise hits both alike. Prints images per
second and the ratio trainer / bare. Target: at least 0.95.

    python benchmarks/autoencoder_trainer.py               # 2 threads, all 60,000 digits, 3 repetitions
    python benchmarks/autoencoder_trainer.py --repeats 5 --threads 4
"""

from __future__ import annotations

from vaegan.benchmark import trainer_throughput, throughput_main

if __name__ == "__main__":
    throughput_main(__doc__.splitlines()[0], trainer_throughput, default_limit=None)
