"""What every model of the book shares: it records the arguments it was built with
(``config``, plain JSON values, so a checkpoint can rebuild it) and shows them in its
``repr``, and it refuses inputs of the wrong shape with a message naming the right one."""

from __future__ import annotations

from torch import Tensor, nn

__all__ = ["BookModel"]


class BookModel(nn.Module):
    """Base class: subclasses set ``config`` and, where they apply, ``image_shape`` and ``latent_size``."""

    config: dict
    image_shape: tuple
    latent_size: int

    def check_images(self, x: Tensor) -> None:
        if x.ndim != 4 or tuple(x.shape[1:]) != tuple(self.image_shape):
            raise ValueError(
                f"{type(self).__name__} takes images of shape (batch, {', '.join(map(str, self.image_shape))}), "
                f"got {tuple(x.shape)}"
                + (" (add a batch dimension with x.unsqueeze(0))" if tuple(x.shape) == tuple(self.image_shape) else "")
            )

    def check_latents(self, z: Tensor) -> None:
        if z.ndim != 2 or z.shape[1] != self.latent_size:
            raise ValueError(f"{type(self).__name__} decodes latents of shape (batch, {self.latent_size}), got {tuple(z.shape)}")

    def extra_repr(self) -> str:
        return ", ".join(f"{key}={value}" for key, value in self.config.items())
