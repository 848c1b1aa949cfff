"""vaegan: the tested package behind the book *Generative image models, from transposed
convolutions to autoregressive models*.

The layout follows the book (see README, "The package"): :mod:`vaegan.core` (profiles,
data, scales, the model, argument and trainer bases, checkpoints), :mod:`vaegan.judge`
(the classifier that measures generated digits), one subpackage per part
(:mod:`vaegan.convtranspose`, :mod:`vaegan.autoencoders`, :mod:`vaegan.gans`,
:mod:`vaegan.autoregressive`), and on top :mod:`vaegan.registry`, :mod:`vaegan.recipes`,
:mod:`vaegan.cli` and :mod:`vaegan.pages`.

Importing the package first makes torchvision importable on CPU-only torch builds (see
:mod:`vaegan.core.torchvision_compat`); every module that needs torchvision imports it
lazily, after this has run.
"""

from vaegan.core.torchvision_compat import ensure_torchvision_importable

TORCHVISION_STATUS = ensure_torchvision_importable()

from vaegan.core import __version__  # noqa: E402
from vaegan.core.profiles import current_profile, pick, use_profile  # noqa: E402
from vaegan.core.seeding import default_device, seed_everything, use_threads  # noqa: E402

__all__ = ["current_profile", "pick", "use_profile", "seed_everything", "use_threads", "default_device", "TORCHVISION_STATUS", "__version__"]
