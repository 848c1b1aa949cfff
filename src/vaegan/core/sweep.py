"""A small hyperparameter sweep: every combination of a grid, each one a run of its own.

Weights & Biases' sweeps are run by its server (``wandb.sweep`` registers the search,
``wandb.agent`` asks the server for the next configuration), so they need an account and
the network. :func:`grid_sweep` runs the same grid here, offline: one training run per
combination, all logged to one wandb group, so the results sit side by side in the wandb
interface once the offline runs are synced (``wandb sync``). :func:`sweep_config` gives
the grid in the form ``wandb.sweep`` takes, for the online version.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from typing import Callable

__all__ = ["grid", "sweep_config", "grid_sweep"]


def grid(parameters: dict[str, list]) -> list[dict]:
    """Every combination of ``{field: [values]}``, in order:
    ``{"lr": [1, 2], "b": [3]}`` -> ``[{"lr": 1, "b": 3}, {"lr": 2, "b": 3}]``."""
    if not parameters or any(not isinstance(values, (list, tuple)) or not values for values in parameters.values()):
        raise ValueError(f"a grid maps each field to a non-empty list of values, got {parameters!r}")
    names = list(parameters)
    return [dict(zip(names, values)) for values in itertools.product(*(parameters[name] for name in names))]


def sweep_config(parameters: dict[str, list], metric: str, goal: str = "minimize") -> dict:
    """The same grid as a W&B sweep configuration
    (``wandb.sweep(sweep_config(...), project=...)``)."""
    if goal not in ("minimize", "maximize"):
        raise ValueError(f"goal must be 'minimize' or 'maximize', got {goal!r}")
    grid(parameters)  # the same checks
    return {
        "method": "grid",
        "metric": {"name": metric, "goal": goal},
        "parameters": {name: {"values": list(values)} for name, values in parameters.items()},
    }


def grid_sweep(base_args, parameters: dict[str, list], trainer_class, group: str,
               measure: Callable | None = None, quiet: bool = True) -> list[dict]:
    """Train ``trainer_class`` once per combination of ``parameters`` (fields of
    ``base_args``), each run logged to wandb in ``group`` (offline unless ``WANDB_MODE``
    says otherwise).

    Returns one row per run: the overrides, the last step's training record and, with
    ``measure`` (a function of the trained model returning a dict of numbers), what it
    measured; the measurements are also written to the run's wandb summary. ``quiet``
    silences wandb's own messages (``WANDB_SILENT``) for the sweep: a page shows the
    table instead."""
    fields = {item.name for item in dataclasses.fields(base_args)}
    unknown = sorted(set(parameters) - fields)
    if unknown:
        raise ValueError(f"{type(base_args).__name__} has no field {', '.join(unknown)}; fields: {', '.join(sorted(fields))}")
    previous = os.environ.get("WANDB_SILENT")
    if quiet:
        os.environ["WANDB_SILENT"] = "true"
    try:
        return _run_grid(base_args, parameters, trainer_class, group, measure)
    finally:
        if quiet and previous is None:
            os.environ.pop("WANDB_SILENT", None)
        elif quiet:
            os.environ["WANDB_SILENT"] = previous


def _run_grid(base_args, parameters, trainer_class, group, measure) -> list[dict]:
    rows = []
    for overrides in grid(parameters):
        label = ", ".join(f"{name}={value}" for name, value in overrides.items())
        args = dataclasses.replace(base_args, use_wandb=True, wandb_group=group, wandb_name=f"{group}: {label}", **overrides)
        trainer = trainer_class(args)
        # keep the run open after training, so the measurements land in its summary
        trainer.finish_wandb = False
        model = trainer.train()
        measured = measure(model) if measure is not None else {}
        if trainer.wandb is not None:
            trainer.wandb.run.summary.update(measured)
            trainer.wandb.finish()
            trainer.wandb = None
        rows.append({**overrides, **{k: v for k, v in trainer.history[-1].items() if k not in ("step", "epoch")}, **measured})
    return rows
