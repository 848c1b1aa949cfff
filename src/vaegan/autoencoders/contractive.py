"""The contractive autoencoder's penalty (Rifai et al. 2011): the encoder's Jacobian,
squared.

A plain autoencoder is free to make its code react sharply to tiny changes of the input.
The contractive penalty is the squared Frobenius norm of the Jacobian of the code with
respect to the input, ``sum_j ||d code_j / d x||^2``: small when the code moves little
as the input moves, so that only the directions the reconstruction needs survive.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["contractive_penalty", "jacobian_norm"]


def contractive_penalty(encoder: nn.Module, images: Tensor) -> Tensor:
    """``images (b, c, h, w)`` -> the batch mean of ``||d encoder(x) / d x||_F^2``,
    differentiable.

    One backward pass per code number: the gradient of ``code[:, j].sum()`` with respect
    to the batch is every image's own row ``j`` of its Jacobian, because each code
    depends only on its own image. ``create_graph=True`` keeps the penalty
    differentiable, so it can train the encoder.
    """
    images = images.detach().requires_grad_(True)
    code = encoder(images)  # (b, latent)
    squared = images.new_zeros(images.shape[0])
    for j in range(code.shape[1]):
        (row,) = torch.autograd.grad(code[:, j].sum(), images, create_graph=True)
        squared = squared + row.flatten(1).square().sum(1)
    return squared.mean()


def jacobian_norm(encoder: nn.Module, images: Tensor, batch_size: int = 500) -> float:
    """The encoder's Jacobian's Frobenius norm (not squared), averaged over ``images``:
    how strongly the code reacts to small changes of the input. No graph is kept; for
    measuring, not training.
    """
    norms = []
    for start in range(0, len(images), batch_size):
        batch = images[start : start + batch_size].detach().requires_grad_(True)
        code = encoder(batch)
        squared = batch.new_zeros(batch.shape[0])
        for j in range(code.shape[1]):
            (row,) = torch.autograd.grad(
                code[:, j].sum(), batch, retain_graph=j < code.shape[1] - 1
            )
            squared += row.flatten(1).square().sum(1)
        norms.append(squared.sqrt())
    return torch.cat(norms).mean().item()
