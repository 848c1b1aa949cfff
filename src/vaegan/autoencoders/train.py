"""Trainers for the autoencoder family, in the ARENA course's shape.

An argument dataclass says everything about a run; a trainer (a
:class:`vaegan.core.trainer.Trainer`) holds the data, the model and the optimiser, and
has three methods:

* ``training_step(images, labels)``: one optimiser step on one batch, returns the
  losses;
* ``log_samples()``: decode the holdout digits (one of each class) and, for a
  VAE, a fixed batch of prior samples; kept in ``trainer.snapshots``;
* ``train()``: the loop, with a tqdm bar and optional Weights & Biases logging.

Everything a run records (``trainer.history``, one dict per step, and
``trainer.snapshots``) stays on the trainer, so a chapter can plot it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from vaegan.autoencoders.contractive import contractive_penalty
from vaegan.autoencoders.evaluate import evaluate_autoencoder
from vaegan.autoencoders.latent import decode, encode
from vaegan.autoencoders.losses import LIKELIHOODS, gaussian_kl, reconstruction_loss
from vaegan.autoencoders.models import MLPVAE, VAE, Autoencoder
from vaegan.core import data, scales
from vaegan.core.args import RunArgs
from vaegan.core.trainer import Trainer, check_finite, log_image_grids

__all__ = [
    "AutoencoderArgs",
    "VAEArgs",
    "AutoencoderTrainer",
    "VAETrainer",
    "DATASETS",
    "image_scale",
    "output_scale",
    "build_model",
]

DATASETS = {"mnist": (1, 28, 28), "celeba": (3, 64, 64)}


@dataclass
class AutoencoderArgs(RunArgs):
    """One autoencoder run. Defaults are the ARENA course's MNIST autoencoder."""

    model: str = "autoencoder"
    dataset: str = "mnist"
    latent_size: int = 5
    hidden_size: int = 128
    channels: tuple[int, ...] = (16, 32)
    conv_transpose: str = "torch"  # or "vaegan": chapter 1's from-scratch layer
    likelihood: str = (
        "gaussian"  # MSE on standardised pixels; "bernoulli": BCE on [0, 1] pixels
    )
    binarize: bool = (
        False  # dynamic binarisation: every batch re-drawn as Bernoulli(pixel), for the bernoulli likelihood
    )
    noise_std: float = (
        0.0  # denoising: Gaussian noise (in [0, 1] pixel units) added to the input only
    )
    sparsity_weight: float = 0.0  # sparse: weight of the mean |code| added to the loss
    contractive_weight: float = (
        0.0  # contractive: weight of the encoder's squared Jacobian norm
    )
    batch_size: int = 512
    epochs: int = 10
    lr: float = 1e-3
    betas: tuple[float, float] = (0.5, 0.999)
    train_limit: int | None = None  # first N training images (smoke runs)
    log_every: int = 50  # steps between holdout snapshots

    MODELS = ("autoencoder",)

    def __post_init__(self) -> None:
        need = self.require
        need(
            self.model in self.MODELS,
            f"model must be one of {', '.join(self.MODELS)}, got {self.model!r}",
        )
        need(
            self.dataset in DATASETS,
            f"unknown dataset {self.dataset!r}; use one of {', '.join(DATASETS)}",
        )
        need(
            isinstance(self.latent_size, int) and self.latent_size >= 1,
            f"latent_size must be an int >= 1, got {self.latent_size!r}",
        )
        need(self.hidden_size >= 1, f"hidden_size must be >= 1, got {self.hidden_size}")
        need(
            self.likelihood in LIKELIHOODS,
            f"likelihood must be one of {', '.join(LIKELIHOODS)}, got {self.likelihood!r}",
        )
        need(
            not (self.dataset == "celeba" and self.likelihood == "bernoulli"),
            "the bernoulli likelihood needs binary-ish pixels: use it with mnist",
        )
        need(
            not self.binarize
            or (self.likelihood == "bernoulli" and self.dataset == "mnist"),
            "binarize=True draws 0/1 pixels for the bernoulli likelihood on mnist; set likelihood='bernoulli', dataset='mnist'",
        )
        need(self.noise_std >= 0, f"noise_std must be >= 0, got {self.noise_std}")
        need(
            self.sparsity_weight >= 0,
            f"sparsity_weight must be >= 0, got {self.sparsity_weight}",
        )
        need(
            self.contractive_weight >= 0,
            f"contractive_weight must be >= 0, got {self.contractive_weight}",
        )
        need(self.batch_size >= 1, f"batch_size must be >= 1, got {self.batch_size}")
        need(self.epochs >= 0, f"epochs must be >= 0, got {self.epochs}")
        need(self.lr > 0, f"lr must be > 0, got {self.lr}")
        need(
            len(self.betas) == 2 and all(0 <= b < 1 for b in self.betas),
            f"betas must be two numbers in [0, 1), got {self.betas}",
        )
        need(
            self.train_limit is None or self.train_limit >= 1,
            f"train_limit must be None or >= 1, got {self.train_limit}",
        )
        need(self.log_every >= 1, f"log_every must be >= 1, got {self.log_every}")
        self.channels, self.betas = tuple(self.channels), tuple(self.betas)


@dataclass
class VAEArgs(AutoencoderArgs):
    """One VAE run. Defaults are the ARENA course's MNIST VAE (beta 0.1, MSE on
    standardised pixels)."""

    model: str = "vae"
    beta_kl: float = (
        0.1  # weight of the KL term (per latent dimension, averaged) against the per-pixel loss
    )

    MODELS = ("vae", "mlp_vae")

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.beta_kl >= 0:
            raise ValueError(
                f"VAEArgs: beta_kl must be >= 0, got {self.beta_kl} (0 gives a plain autoencoder with noise)"
            )


def image_scale(args: AutoencoderArgs) -> str:
    """How the run's images are scaled: ARENA's standardised MNIST for MSE, [0, 1] for
    the Bernoulli likelihood, [-1, 1] for faces."""
    if args.dataset == "celeba":
        return "symmetric"
    return "unit" if args.likelihood == "bernoulli" else "standard"


def output_scale(args: AutoencoderArgs) -> str:
    """What the run's decoder outputs: logits for the Bernoulli likelihood, else the
    images' own scale."""
    return "logits" if args.likelihood == "bernoulli" else image_scale(args)


def build_model(args: AutoencoderArgs):
    shape = DATASETS[args.dataset]
    if args.model == "mlp_vae":
        return MLPVAE(
            latent_size=args.latent_size,
            hidden_size=args.hidden_size,
            image_shape=shape,
            output_scale=output_scale(args),
        )
    model_class = VAE if args.model == "vae" else Autoencoder
    return model_class(
        args.latent_size,
        args.hidden_size,
        shape,
        args.channels,
        args.conv_transpose,
        output_scale(args),
    )


def training_images(args: AutoencoderArgs) -> data.ImageTensors:
    if args.dataset == "celeba":
        return data.celeba_tensors("train", limit=args.train_limit)
    return data.mnist(train=True, scale=image_scale(args), limit=args.train_limit)


def holdout_images(args: AutoencoderArgs) -> Tensor:
    """Ten fixed test images: one digit of each class, or the first ten test faces."""
    if args.dataset == "celeba":
        return data.celeba_tensors("test", limit=10).images
    return data.holdout_digits(scale=image_scale(args))[0]


class AutoencoderTrainer(Trainer):
    args_class = AutoencoderArgs

    def __init__(
        self,
        args: AutoencoderArgs,
        trainset: data.ImageTensors | None = None,
        holdout: Tensor | None = None,
    ):
        super().__init__(args, trainset)
        self.holdout = holdout if holdout is not None else holdout_images(args)

    @property
    def scale(self) -> str:
        return image_scale(self.args)

    def training_images(self) -> data.ImageTensors:
        return training_images(self.args)

    def build(self) -> None:
        self.model = build_model(self.args).to(self.device)
        self.optimizer = torch.optim.Adam(
            self.model.parameters(), lr=self.args.lr, betas=self.args.betas
        )
        self.noise = torch.Generator(device=self.device).manual_seed(self.args.seed + 1)

    def corrupt(self, images: Tensor) -> Tensor:
        """The denoising autoencoder's input: the clean images plus Gaussian noise."""
        if self.args.noise_std == 0:
            return images
        return scales.add_pixel_noise(
            images, self.args.noise_std, self.scale, self.noise
        )

    def prepare(self, images: Tensor) -> Tensor:
        """What the model sees and must reproduce: the batch itself, or with
        ``binarize`` a fresh Bernoulli draw of it (so no two epochs see the same 0/1
        digits)."""
        return scales.binarize(images, self.noise) if self.args.binarize else images

    def losses(self, images: Tensor) -> dict[str, Tensor]:
        """The loss to minimise (``"loss"``) and its parts, for one batch on the
        device."""
        code = self.model.encoder(self.corrupt(images))
        reconstruction = reconstruction_loss(
            self.model.decoder(code), images, self.args.likelihood
        )
        sparsity = code.abs().mean()
        loss = reconstruction + self.args.sparsity_weight * sparsity
        parts = {"loss": loss, "reconstruction": reconstruction, "code_l1": sparsity}
        if self.args.contractive_weight:
            parts["jacobian"] = contractive_penalty(
                self.model.encoder, self.corrupt(images)
            )
            parts["loss"] = loss + self.args.contractive_weight * parts["jacobian"]
        return parts

    def training_step(
        self, images: Tensor, labels: Tensor | None = None
    ) -> dict[str, float]:
        """One optimiser step on one batch (the labels are not used); returns the losses
        as numbers."""
        losses = self.losses(self.prepare(images.to(self.device)))
        check_finite(losses["loss"], self.step + 1, self.args.model)
        losses["loss"].backward()
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.step += 1
        return {name: value.item() for name, value in losses.items()}

    def decode_holdout(self) -> dict[str, Tensor]:
        """What a snapshot keeps: the holdout images' reconstructions."""
        return {"reconstructions": decode(self.model, encode(self.model, self.holdout))}

    @torch.no_grad()
    def log_samples(self) -> dict:
        """Decode the holdout images now; keep and (optionally) log the result."""
        snapshot = {"step": self.step, **self.decode_holdout()}
        self.snapshots.append(snapshot)
        if self.wandb is not None:
            images = {
                name: self.model.to_pixels(value)
                for name, value in snapshot.items()
                if name != "step"
            }
            log_image_grids(self.wandb, images, self.step, nrow=10)
        return snapshot

    def evaluate(self, model) -> dict:
        return evaluate_autoencoder(model)

    @property
    def description(self) -> str:
        return f"{self.args.model} on {self.args.dataset}"


class VAETrainer(AutoencoderTrainer):
    """Adds the KL term, and a fixed batch of prior samples to every snapshot."""

    args_class = VAEArgs

    def build(self) -> None:
        super().build()
        self.fixed_latents = torch.randn(
            20,
            self.args.latent_size,
            generator=torch.Generator().manual_seed(self.args.seed),
        )

    def losses(self, images: Tensor) -> dict[str, Tensor]:
        decoded, mu, log_sigma = self.model(self.corrupt(images))
        reconstruction = reconstruction_loss(decoded, images, self.args.likelihood)
        kl = gaussian_kl(mu, log_sigma).mean()
        loss = reconstruction + self.args.beta_kl * kl
        return {
            "loss": loss,
            "reconstruction": reconstruction,
            "kl": kl,
            "mean_sigma": log_sigma.detach().exp().mean(),
        }

    def decode_holdout(self) -> dict[str, Tensor]:
        return {
            **super().decode_holdout(),
            "samples": decode(self.model, self.fixed_latents),
        }
