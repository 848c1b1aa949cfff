"""``python -m vaegan``: train any of the book's runs and write its checkpoint and metrics.

    python -m vaegan list
    python -m vaegan train vae                      # the full profile, into runs/
    python -m vaegan train celeba_vae --out src/vaegan/weights --half
    python -m vaegan train autoencoder --profile smoke --epochs 2
    python -m vaegan bounds bernoulli_vae           # the ELBO chapter's table in nats

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
    bounds = commands.add_parser(
        "bounds", help="a Bernoulli VAE's test ELBO and importance-weighted bounds in nats (the ELBO chapter's table)"
    )
    bounds.add_argument("name", nargs="?", default="bernoulli_vae", help="checkpoint name (default: bernoulli_vae)")
    bounds.add_argument("--weights", type=Path, help="folder with NAME.pt/NAME.json (default: the package's weights/)")
    bounds.add_argument("--out", type=Path, help="where to write the table (default: NAME_bounds.json beside the checkpoint)")
    bounds.add_argument("--small-ks", type=int, nargs="+", default=[1, 10, 100], help="k for every test image")
    bounds.add_argument("--large-ks", type=int, nargs="+", default=[1000, 5000], help="k for the first --subset images")
    bounds.add_argument("--subset", type=int, default=1000, help="test images for the large k (default 1000)")
    bounds.add_argument("--test-limit", type=int, help="score only the first N test images")
    bounds.add_argument("--seed", type=int, default=0)
    bounds.add_argument("--device", help="cpu, cuda, mps (default: cpu)")
    bounds.add_argument("--threads", type=int, help="torch CPU threads")
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


def _bounds(options) -> dict:
    import torch

    from vaegan.checkpoints import PRETRAINED, load_checkpoint
    from vaegan.likelihood import bounds_table

    if options.threads:
        torch.set_num_threads(options.threads)
    for name in ("subset", "test_limit"):
        value = getattr(options, name)
        if value is not None and value < 1:
            raise SystemExit(f"error: --{name.replace('_', '-')} must be at least 1, got {value}")
    if min(options.small_ks + options.large_ks) < 1:
        raise SystemExit("error: every k must be at least 1")
    folder = options.weights or PRETRAINED
    model, metadata = load_checkpoint(folder / options.name, map_location=options.device or "cpu")
    likelihood = metadata.get("args", {}).get("likelihood")
    if likelihood != "bernoulli":
        raise SystemExit(f"error: {options.name} was trained with likelihood={likelihood!r}; the bounds need a Bernoulli decoder")
    table = bounds_table(
        model, options.small_ks, options.large_ks, options.subset, options.test_limit, options.seed,
    )
    table["checkpoint"] = options.name
    out = options.out or folder / f"{options.name}_bounds.json"
    out.write_text(json.dumps(table, indent=2) + "\n")
    labels = {"elbo": "negative ELBO", "reconstruction": "  -E_q[log p(x|z)]", "kl": "  KL(q(z|x) || p(z))"}
    for part, title in (("all", f"all {table['test_images']} test images"), ("subset", f"first {table['subset_images']}")):
        print(title)
        for name, values in table[part].items():
            sign = 1 if name == "kl" else -1  # bounds on log p(x) are printed as nats of negative log-likelihood
            label = labels.get(name, f"negative IWAE bound, k = {name.removeprefix('iwae_')}")
            print(f"  {label:34} {sign * values['mean']:8.2f} nats  (standard error over images {values['standard_error']:.2f})")
    print(f"wrote {out} in {table['seconds']['total']:.0f} s", file=sys.stderr)
    return table


def main(argv: list[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    if options.command == "bounds":
        _bounds(options)
        return 0
    if options.command == "list":
        from vaegan.recipes import RECIPES

        print("\n".join(RECIPES))
        return 0
    if options.epochs is not None and options.epochs < 1:
        raise SystemExit(f"error: --epochs must be at least 1, got {options.epochs}")
    _train(options)
    return 0
