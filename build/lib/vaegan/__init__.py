"""vaegan: the tested package behind the book *Generative image models, from
transposed convolutions to WGAN-GP*.

Importing the package first makes torchvision importable on CPU-only torch
builds (see :mod:`vaegan.torchvision_compat`); every module that needs
torchvision imports it lazily, after this has run.
"""

from vaegan.torchvision_compat import ensure_torchvision_importable

TORCHVISION_STATUS = ensure_torchvision_importable()

from vaegan.profiles import current_profile, pick, use_profile  # noqa: E402
from vaegan.reproducibility import default_device, seed_everything  # noqa: E402

__version__ = "0.1.0"
__all__ = ["current_profile", "pick", "use_profile", "seed_everything", "default_device", "TORCHVISION_STATUS", "__version__"]
