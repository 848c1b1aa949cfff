"""``python -m vaegan``: train any of the book's runs and write its checkpoint and metrics.

    python -m vaegan list
    python -m vaegan train vae                      # the full profile, into runs/
    python -m vaegan train celeba_vae --out src/vaegan/weights --half
    python -m vaegan train autoencoder --profile smoke --epochs 2

Writes ``OUT/NAME.pt`` (the state_dict), ``OUT/NAME.json`` (metadata, with the
metrics inside) and prints the metrics as JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

from vaegan.profiles import PROFILES

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m vaegan", description="Train the book's models.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the runs that `train` knows")
    train = commands.add_parser("train", help="train one run and save its checkpoint and metrics")
    train.add_argument("name", help="a run from `python -m vaegan list`")
    train.add_argument("--profile", default="full", choices=PROFILES, help="sizes to use (default: full)")
    train.add_argument("--out", type=Path, default=Path("runs"), help="folder for NAME.pt and NAME.json (default: runs)")
    train.add_argument("--epochs", type=int, help="override the profile's number of epochs")
    train.add_argument("--seed", type=int, help="override the seed (default 0)")
    train.add_argument("--device", help="cpu, cuda, mps (default: the best available)")
    train.add_argument("--half", action="store_true", help="store the weights in float16 (half the size)")
    train.add_argument("--wandb", action="store_true", help="log to Weights & Biases (offline unless WANDB_MODE is set)")
    train.add_argument("--threads", type=int, help="torch CPU threads")
    return parser


def _train(options) -> dict:
    import torch

    from vaegan.checkpoints import save_checkpoint
    from vaegan.classifier import ClassifierArgs, train_classifier
    from vaegan.evaluation import evaluate_autoencoder
    from vaegan.recipes import RECIPES, recipe
    from vaegan.train import make_trainer

    if options.name not in RECIPES:
        raise SystemExit(f"error: unknown run {options.name!r}; choose one of: {', '.join(RECIPES)}")
    if options.threads:
        torch.set_num_threads(options.threads)
    overrides = {key: value for key, value in (("epochs", options.epochs), ("seed", options.seed)) if value is not None}
    args = recipe(options.name, options.profile, **overrides)
    if not isinstance(args, ClassifierArgs):
        args = dataclasses.replace(args, device=options.device, use_wandb=options.wandb, wandb_name=options.name)
    path = options.out / options.name
    started = time.perf_counter()
    if isinstance(args, ClassifierArgs):
        model, metrics = train_classifier(args)
        seconds = time.perf_counter() - started
        save_checkpoint(model, path, metadata={"args": args.to_dict(), "profile": options.profile, "train_seconds": seconds, "metrics": metrics}, half=options.half)
    else:
        trainer = make_trainer(args)
        model = trainer.train().cpu()
        seconds = time.perf_counter() - started
        metrics = evaluate_autoencoder(model, args)
        trainer.save(path, metrics={**metrics, "train_seconds": seconds, "profile": options.profile}, half=options.half)
    print(json.dumps({"run": options.name, "profile": options.profile, "train_seconds": round(seconds, 1), **metrics}, indent=2))
    print(f"wrote {path.with_suffix('.pt')} and {path.with_suffix('.json')}", file=sys.stderr)
    return metrics


def main(argv: list[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    if options.command == "list":
        from vaegan.recipes import RECIPES

        print("\n".join(RECIPES))
        return 0
    if options.epochs is not None and options.epochs < 1:
        raise SystemExit(f"error: --epochs must be at least 1, got {options.epochs}")
    _train(options)
    return 0
