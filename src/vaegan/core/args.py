"""What the argument dataclasses of every trainer share.

``RunArgs`` holds the seed and the fields that say where a run happens and how it
reports (device, Weights & Biases, the progress bar). Those last ones never change what
a run learns, so they are left out of ``repr`` (a page that prints its arguments shows
what decides the result) and :func:`vaegan.core.checkpoints.argument_differences`
ignores them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

__all__ = ["RunArgs", "BOOKKEEPING_FIELDS"]


#: how a run's learning rates move: "constant", or "linear": from the initial rate at the first step
#: to near 0 at the last (the step count comes from epochs, so resuming with more epochs stretches it)
LR_SCHEDULES = ("constant", "linear")


@dataclass(kw_only=True)
class RunArgs:
    seed: int = 0
    device: str | None = field(default=None, repr=False)  # None: CUDA, else MPS, else CPU
    use_wandb: bool = field(default=False, repr=False)
    wandb_project: str = field(default="vaegan", repr=False)
    wandb_name: str | None = field(default=None, repr=False)
    wandb_group: str | None = field(default=None, repr=False)  # runs of one sweep share a group
    wandb_watch: int = field(default=0, repr=False)  # log gradient histograms every N steps (0: off)
    wandb_dir: str | None = field(default=None, repr=False)  # where offline runs are written (None: ./wandb)
    progress: bool = field(default=True, repr=False)  # the tqdm bar

    def require(self, condition: bool, message: str) -> None:
        """Refuse a bad combination of arguments with a message naming the class and the
        problem."""
        if not condition:
            raise ValueError(f"{type(self).__name__}: {message}")

    def require_lr_schedule(self) -> None:
        """Refuse an ``lr_schedule`` field (the runs that have one) outside
        :data:`LR_SCHEDULES`."""
        self.require(
            self.lr_schedule in LR_SCHEDULES,
            f"lr_schedule must be one of {', '.join(LR_SCHEDULES)}, got {self.lr_schedule!r}",
        )

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


# the shared fields above that do not change what a run learns, and how often it takes snapshots
BOOKKEEPING_FIELDS = frozenset(
    {f.name for f in dataclasses.fields(RunArgs) if not f.repr} | {"log_every"}
)
