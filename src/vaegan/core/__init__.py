"""What every part of the book stands on: profiles and seeds, data and pixel scales, the
model base, the argument base, the trainer base, and checkpoint files.

The dependency rule (checked by ``tests/test_layout.py``): ``core`` imports nothing else
of ``vaegan``; ``judge`` imports only ``core``; the parts import ``core``, ``judge`` and
the parts before them in book order (``convtranspose``, ``autoencoders``, ``gans``,
``autoregressive``); ``registry``, ``recipes``, ``cli``, ``benchmark`` and ``pages`` may
import everything.
"""

__version__ = "0.1.0"
