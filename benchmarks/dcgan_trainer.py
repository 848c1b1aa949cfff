"""Throughput of the package's GAN trainer against a bare PyTorch loop.

One epoch of the MNIST DCGAN (28x28, hidden channels 64 and 128, batch 64, Adam 2e-4)
each way, alternating inside every repetition so that machine noise hits both alike.
Prints images per second and the ratio trainer / bare. Target: at least 0.95.

    python benchmarks/dcgan_trainer.py                  # 2 threads, 6,400 digits, 3 repetitions
    python benchmarks/dcgan_trainer.py --limit 60000 --repeats 5 --threads 4
"""

from __future__ import annotations

from vaegan.benchmark import gan_trainer_throughput, throughput_main

if __name__ == "__main__":
    throughput_main(__doc__.splitlines()[0], gan_trainer_throughput, default_limit=6400)
