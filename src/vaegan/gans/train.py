"""The GAN trainer, in the same shape as :mod:`vaegan.autoencoders.train`.

``GANArgs`` says everything about a run; ``GANTrainer`` holds the data, both
networks and both optimisers, and has ``training_step``, ``log_samples`` and
``train``. Every step records both losses, the discriminator's mean verdict on
real and fake batches (``d_real``, ``d_fake``: probabilities for the standard
GAN, raw scores for a Wasserstein critic) and the gradient norm of each network:
the signals the DCGAN chapter's debugging section reads.

A loss that becomes NaN or infinite stops training at once with a
:class:`DivergenceError` naming the step and the network.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from vaegan.core import data
from vaegan.core.args import RunArgs
from vaegan.core.checkpoints import save_checkpoint, save_timeline, side_path
from vaegan.core.trainer import DivergenceError, Trainer, check_finite, log_image_grids
from vaegan.gans.losses import (
    GENERATOR_LOSSES,
    critic_generator_loss,
    critic_loss,
    discriminator_loss,
    generator_loss,
    gradient_penalty,
)
from vaegan.gans.models import (
    NORMS,
    DCGANDiscriminator,
    DCGANGenerator,
    MLPDiscriminator,
    MLPGenerator,
)
from vaegan.judge.sampling import evaluate_generator

__all__ = ["GANArgs", "GANTrainer", "DivergenceError", "build_gan", "LOSSES"]

LOSSES = ("bce", "wgan-gp")
GAN_DATASETS = {"mnist": 1, "celeba": 3}
GENERATORS = {"mlp": MLPGenerator, "dcgan": DCGANGenerator}


@dataclass
class GANArgs(RunArgs):
    """One GAN run. Defaults: a DCGAN on MNIST (28x28, two stages) with Radford et al.'s
    optimiser, Adam(2e-4, betas (0.5, 0.999))."""

    model: str = "dcgan"  # or "mlp": the seminar's fully connected GAN
    dataset: str = "mnist"
    latent_size: int = 100
    hidden_size: int = 400  # mlp only
    hidden_channels: tuple[int, ...] = (
        64,
        128,
    )  # dcgan only; ARENA's CelebA: (128, 256, 512)
    # dcgan only: stride-1 3x3 convolutions the generator adds at every size before the image
    extra_layers: int = 0
    image_size: int | None = None  # None: 28 for mnist, 64 for celeba
    loss: str = "bce"  # or "wgan-gp"
    generator_loss: str = "non_saturating"  # or "minimax" (bce only)
    norm: str = "batch"  # the discriminator's: batch, none, spectral
    gp_weight: float = 10.0
    critic_steps: int = 1  # discriminator steps per generator step (WGAN-GP: 5)
    lr: float = 2e-4
    discriminator_lr: float | None = None  # None: the same as lr
    lr_schedule: str = "constant"  # or "linear": both rates fall to 0 at the last step
    betas: tuple[float, float] = (0.5, 0.999)
    batch_size: int = 64
    epochs: int = 1
    train_limit: int | None = None
    log_every: int = 100  # steps between fixed-latent sample grids
    sample_count: int = 64

    def __post_init__(self) -> None:
        need = self.require
        need(
            self.model in ("mlp", "dcgan"),
            f"model must be 'mlp' or 'dcgan', got {self.model!r}",
        )
        need(
            self.dataset in GAN_DATASETS,
            f"unknown dataset {self.dataset!r}; use one of {', '.join(GAN_DATASETS)}",
        )
        need(
            isinstance(self.latent_size, int) and self.latent_size >= 1,
            f"latent_size must be an int >= 1, got {self.latent_size!r}",
        )
        need(
            self.loss in LOSSES,
            f"loss must be one of {', '.join(LOSSES)}, got {self.loss!r}",
        )
        need(
            self.generator_loss in GENERATOR_LOSSES,
            f"generator_loss must be one of {', '.join(GENERATOR_LOSSES)}, got "
            f"{self.generator_loss!r}",
        )
        need(
            self.norm in NORMS,
            f"norm must be one of {', '.join(NORMS)}, got {self.norm!r}",
        )
        need(
            not (self.loss == "wgan-gp" and self.norm == "batch"),
            "the WGAN-GP critic must not use batch norm (the penalty is per sample); "
            "use norm='none'",
        )
        need(
            not (self.loss == "wgan-gp" and self.generator_loss != "non_saturating"),
            "generator_loss applies to the bce loss only; a Wasserstein generator "
            "minimises -critic(G(z))",
        )
        need(
            self.model == "dcgan" or self.norm == "batch",
            "norm applies to the dcgan discriminator only",
        )
        need(
            isinstance(self.extra_layers, int) and self.extra_layers >= 0,
            f"extra_layers must be an int >= 0, got {self.extra_layers!r}",
        )
        need(
            self.model == "dcgan" or self.extra_layers == 0,
            "extra_layers applies to the dcgan generator only",
        )
        need(self.gp_weight >= 0, f"gp_weight must be >= 0, got {self.gp_weight}")
        need(
            self.critic_steps >= 1,
            f"critic_steps must be >= 1, got {self.critic_steps}",
        )
        need(
            self.lr > 0
            and (self.discriminator_lr is None or self.discriminator_lr > 0),
            "learning rates must be > 0",
        )
        self.require_lr_schedule()
        need(
            len(self.betas) == 2 and all(0 <= b < 1 for b in self.betas),
            f"betas must be two numbers in [0, 1), got {self.betas}",
        )
        need(
            self.batch_size >= 2,
            "batch_size must be >= 2 (batch norm needs more than one image), got "
            f"{self.batch_size}",
        )
        need(self.epochs >= 0, f"epochs must be >= 0, got {self.epochs}")
        need(
            self.train_limit is None or self.train_limit >= self.batch_size,
            f"train_limit must be None or at least one batch ({self.batch_size}), got "
            f"{self.train_limit}",
        )
        need(
            self.log_every >= 1 and self.sample_count >= 1,
            "log_every and sample_count must be >= 1",
        )
        self.hidden_channels, self.betas = tuple(self.hidden_channels), tuple(
            self.betas
        )

    @property
    def image_shape(self) -> tuple[int, int, int]:
        size = self.image_size or (28 if self.dataset == "mnist" else 64)
        return (GAN_DATASETS[self.dataset], size, size)


def build_gan(args: GANArgs) -> tuple[nn.Module, nn.Module]:
    """``(generator, discriminator)`` for ``args``."""
    if args.model == "mlp":
        return (
            MLPGenerator(args.latent_size, args.hidden_size, args.image_shape),
            MLPDiscriminator(args.hidden_size, args.image_shape),
        )
    return (
        DCGANGenerator(args.latent_size, args.hidden_channels, args.image_shape, args.extra_layers),
        DCGANDiscriminator(args.hidden_channels, args.image_shape, args.norm),
    )


def training_images(args: GANArgs, scale: str) -> data.ImageTensors:
    if args.dataset == "celeba":
        return data.celeba_tensors(
            "train", image_size=args.image_shape[1], limit=args.train_limit
        )
    digits = data.mnist(train=True, scale=scale, limit=args.train_limit)
    if args.image_shape[1:] != (28, 28):
        digits = data.ImageTensors(
            nn.functional.interpolate(
                digits.images,
                size=args.image_shape[1:],
                mode="bilinear",
                align_corners=False,
            ),
            digits.labels,
            digits.scale,
        )
    return digits


def _gradient_norm(model: nn.Module) -> float:
    norms = [p.grad.detach().norm() for p in model.parameters() if p.grad is not None]
    return torch.stack(norms).norm().item() if norms else 0.0


class GANTrainer(Trainer):
    args_class = GANArgs
    drop_last = True  # every step sees a full batch
    side_files = ("discriminator", "timeline")

    @property
    def scale(self) -> str:
        return GENERATORS[
            self.args.model
        ].output_scale  # the generator's output is what the data must look like

    def training_images(self) -> data.ImageTensors:
        return training_images(self.args, self.scale)

    def build(self) -> None:
        args = self.args
        self.generator, self.discriminator = (
            net.to(self.device) for net in build_gan(args)
        )
        self.optimizer_g = torch.optim.Adam(
            self.generator.parameters(), lr=args.lr, betas=args.betas
        )
        self.optimizer_d = torch.optim.Adam(
            self.discriminator.parameters(),
            lr=self._initial_rates()[1],
            betas=args.betas,
        )
        self.noise = torch.Generator().manual_seed(args.seed + 1)
        self.fixed_latents = torch.randn(
            args.sample_count,
            args.latent_size,
            generator=torch.Generator().manual_seed(args.seed),
        )
        self.last_generator = {"g_loss": float("nan"), "grad_norm_g": float("nan")}

    def _check(self, name: str, value: Tensor) -> None:
        network = "discriminator" if name.startswith("d") else "generator"
        check_finite(
            value,
            self.step,
            network,
            hint=(
                f"Lower the learning rate, check the inputs' scale ({self.scale}), or "
                "use the non-saturating/WGAN-GP loss."
            ),
        )

    def _latents(self, count: int) -> Tensor:
        return torch.randn(count, self.args.latent_size, generator=self.noise).to(
            self.device
        )

    def discriminator_step(self, real: Tensor) -> dict[str, float]:
        """One update of the discriminator (or critic) on a real batch and a fresh fake
        one."""
        with torch.no_grad():
            fake = self.generator(self._latents(real.shape[0]))
        real_out, fake_out = self.discriminator(real), self.discriminator(fake)
        if self.args.loss == "bce":
            loss = discriminator_loss(real_out, fake_out)
            d_real, d_fake = (
                torch.sigmoid(real_out).mean(),
                torch.sigmoid(fake_out).mean(),
            )
        else:
            penalty = gradient_penalty(self.discriminator, real, fake, self.noise)
            loss = critic_loss(real_out, fake_out) + self.args.gp_weight * penalty
            d_real, d_fake = real_out.mean(), fake_out.mean()
        self._check("d_loss", loss)
        self.optimizer_d.zero_grad(set_to_none=True)
        loss.backward()
        norm = _gradient_norm(self.discriminator)
        self.optimizer_d.step()
        return {
            "d_loss": loss.item(),
            "d_real": d_real.item(),
            "d_fake": d_fake.item(),
            "grad_norm_d": norm,
        }

    def generator_step(self) -> dict[str, float]:
        """One update of the generator against the current discriminator."""
        fake_out = self.discriminator(
            self.generator(self._latents(self.args.batch_size))
        )
        if self.args.loss == "bce":
            loss = generator_loss(fake_out, self.args.generator_loss)
        else:
            loss = critic_generator_loss(fake_out)
        self._check("g_loss", loss)
        self.optimizer_g.zero_grad(set_to_none=True)
        loss.backward()
        norm = _gradient_norm(self.generator)
        self.optimizer_g.step()
        return {"g_loss": loss.item(), "grad_norm_g": norm}

    def training_step(
        self, real: Tensor, labels: Tensor | None = None
    ) -> dict[str, float]:
        """A discriminator update on ``real`` (the labels are not used); every
        ``critic_steps``-th call, a generator update too. Returns the step's numbers
        (the generator's are those of its latest update)."""
        self.step += 1
        generator_rate, discriminator_rate = self._initial_rates()
        self.schedule_learning_rates(
            {self.optimizer_g: generator_rate, self.optimizer_d: discriminator_rate}
        )
        record = self.discriminator_step(real.to(self.device))
        if self.step % self.args.critic_steps == 0:
            self.last_generator = self.generator_step()
        return {**record, **self.last_generator}

    def _initial_rates(self) -> tuple[float, float]:
        """The generator's and the discriminator's learning rates at the first step."""
        return self.args.lr, self.args.discriminator_lr or self.args.lr

    def log_samples(self) -> dict:
        """The fixed latent batch, decoded now (in evaluation mode: batch norm uses its
        running statistics); kept in ``snapshots`` and (optionally) logged."""
        snapshot = {
            "step": self.step,
            "samples": self.generator.decode_images(self.fixed_latents),
        }
        self.snapshots.append(snapshot)
        if self.wandb is not None:
            log_image_grids(
                self.wandb, {"samples": snapshot["samples"]}, self.step, nrow=8
            )
        return snapshot

    @property
    def description(self) -> str:
        return f"{self.args.model} GAN on {self.args.dataset}"

    def networks(self) -> list[nn.Module]:
        return [self.generator, self.discriminator]

    def trained(self) -> nn.Module:
        return self.generator

    def postfix(self, record: dict) -> dict:
        return {"d": f"{record['d_loss']:.3f}", "g": f"{record['g_loss']:.3f}"}

    def evaluate(self, model: nn.Module) -> dict:
        return evaluate_generator(model)

    def save(
        self,
        path,
        metrics: dict | None = None,
        half: bool = False,
        discriminator: bool = False,
        timeline: int = 0,
        extra: dict | None = None,
    ):
        """Save the generator as ``path`` (and the discriminator as
        ``path_discriminator`` when asked).

        With ``timeline=k``, also ``path_timeline.pt``: the first k fixed-latent samples
        of every snapshot and every step's recorded signals, so a page can show how the
        run trained without training it (read it back with
        :func:`vaegan.core.checkpoints.load_timeline`).
        """
        written = super().save(path, metrics, half, extra)
        if discriminator:
            save_checkpoint(
                self.discriminator,
                side_path(path, "discriminator"),
                metadata=self.metadata(metrics, extra),
                half=half,
            )
        if timeline:
            save_timeline(path, **self.timeline(timeline))
        return written

    def timeline(self, count: int) -> dict:
        """How this run trained, in the format of
        :func:`vaegan.core.checkpoints.load_timeline`: the steps of the snapshots, the
        first ``count`` fixed-latent samples of each, and every step's signals.
        """
        return {
            "steps": torch.tensor([snapshot["step"] for snapshot in self.snapshots]),
            "samples": torch.stack(
                [snapshot["samples"][:count] for snapshot in self.snapshots]
            ),
            "history": self.history,
        }
