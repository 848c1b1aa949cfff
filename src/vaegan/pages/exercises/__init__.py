"""The checkers of the chapters' exercises, one module per chapter.

Each checker takes the learner's function or class, runs it on several random cases and
compares it with the package's own solution (or PyTorch's operation). It prints one line
and returns a :class:`~vaegan.pages.exercises._checking.Verdict`, true when the answer
is right; a wrong answer raises an ``AssertionError`` that says what is wrong, naming
the mistake when it is a typical one; an exercise not yet written prints "not attempted"
and nothing else, so a learner can run the whole notebook before starting.
"""

from vaegan.pages.exercises._checking import Verdict
from vaegan.pages.exercises.autoencoders import *  # noqa: F401,F403
from vaegan.pages.exercises.autoregressive import *  # noqa: F401,F403
from vaegan.pages.exercises.dcgan import *  # noqa: F401,F403
from vaegan.pages.exercises.elbo import *  # noqa: F401,F403
from vaegan.pages.exercises.gans import *  # noqa: F401,F403
from vaegan.pages.exercises.transposed_convolutions import *  # noqa: F401,F403
from vaegan.pages.exercises.variational import *  # noqa: F401,F403
