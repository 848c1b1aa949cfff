"""``python -m vaegan``: train any of the book's runs and write its checkpoint and
metrics.

    python -m vaegan list
    python -m vaegan train vae                      # the full profile, into runs/
    python -m vaegan train celeba_vae --out src/vaegan/weights --half
    python -m vaegan train autoencoder --profile smoke --epochs 2
    python -m vaegan train vae --profile book --set beta_kl=4 --save-as vae_beta4
    python -m vaegan bounds bernoulli_vae           # the ELBO chapter's table in nats
    python -m vaegan train pixelcnn --resume runs/pixelcnn.state   # a long run: saved every epoch, rerun to go on

Writes ``OUT/NAME.pt`` (the state_dict), ``OUT/NAME.json`` (metadata, with the metrics
inside) and prints the metrics as JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shlex
import shutil
import signal
import sys
from pathlib import Path

from vaegan.core.checkpoints import CheckpointError
from vaegan.core.data import DataError
from vaegan.core.profiles import PROFILES
from vaegan.core.trainer import DivergenceError

#: errors whose message says what went wrong and how to fix it: the command line prints the message alone
USER_ERRORS = (CheckpointError, DataError, DivergenceError, ValueError, FileNotFoundError)

__all__ = ["main", "args_from_command", "run_args"]


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
    train.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="FIELD=VALUE",
        help="override one field of the run's arguments, e.g. --set beta_kl=4 (repeatable)",
    )
    train.add_argument("--save-as", help="file name for the checkpoint (default: the run's name)")
    train.add_argument(
        "--resume", type=Path, metavar="STATE",
        help="save the whole run to STATE after every epoch, and continue from STATE if it exists "
             "(run the same command again after a stop; --epochs may be raised)",
    )
    train.add_argument("--overwrite", action="store_true", help="allow replacing a checkpoint committed in the package's weights/")
    train.add_argument(
        "--timeline", type=int, default=0, metavar="K",
        help="GANs: also write NAME_timeline.pt with K fixed-latent samples per snapshot and every step's signals",
    )
    train.add_argument(
        "--samples", type=int, default=0, metavar="N",
        help="autoregressive models: also draw N samples (100 at a time, seeded) into NAME_samples.pt",
    )
    train.add_argument(
        "--discriminator", action="store_true",
        help="GANs: also write the trained discriminator as NAME_discriminator.pt (for pages that keep training it)",
    )
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
    bounds.add_argument("--overwrite", action="store_true", help="allow replacing the table committed in the package's weights/")
    return parser


def parse_overrides(args, assignments: list[str]) -> dict:
    """``["beta_kl=4", "channels=32,64"]`` ->
    ``{"beta_kl": 4.0, "channels": (32, 64)}``, each value converted to the type of the
    field it replaces in ``args`` (a dataclass)."""
    fields = {field.name for field in dataclasses.fields(args)}
    overrides = {}
    for assignment in assignments:
        name, separator, text = assignment.partition("=")
        name = name.strip().replace("-", "_")
        if not separator or not name:
            raise ValueError(f"--set takes FIELD=VALUE, got {assignment!r}")
        if name not in fields:
            raise ValueError(f"--set {name}: {type(args).__name__} has no such field; fields: {', '.join(sorted(fields))}")
        current = getattr(args, name)
        try:
            if isinstance(current, bool):
                if text.lower() not in ("true", "false", "1", "0"):
                    raise ValueError("use true or false")
                value = text.lower() in ("true", "1")
            elif isinstance(current, tuple):
                value = tuple(type(current[0])(part) if current else json.loads(part) for part in text.split(",") if part)
            elif isinstance(current, (int, float)):
                value = type(current)(text) if not (isinstance(current, int) and "." in text) else float(text)
            elif current is None:
                value = None if text.lower() == "none" else json.loads(text)
            else:
                value = None if text.lower() == "none" else text
        except ValueError as error:
            raise ValueError(f"--set {name}={text!r}: not a valid {type(current).__name__} ({error})") from None
        overrides[name] = value
    return overrides


def run_args(name: str, profile: str | None = "full", *, epochs: int | None = None, seed: int | None = None,
             assignments: list[str] | tuple[str, ...] = ()):
    """The arguments
    ``python -m vaegan train NAME [--profile P] [--epochs N] [--seed S] [--set F=V ...]``
    trains with: the run's recipe in ``profile``, then ``epochs``, ``seed`` and every
    ``"FIELD=VALUE"`` of ``assignments``. An unknown run or a bad value raises a
    ``ValueError`` that names it."""
    from vaegan.recipes import recipe

    overrides = {key: value for key, value in (("epochs", epochs), ("seed", seed)) if value is not None}
    args = recipe(name, profile)  # an unknown name is refused here, with the list of runs
    overrides.update(parse_overrides(args, list(assignments)))
    try:
        return dataclasses.replace(args, **overrides)
    except TypeError as error:
        raise ValueError(str(error)) from None


def _run_args(options):
    """:func:`run_args` for a parsed ``train`` command line."""
    return run_args(options.name, options.profile, epochs=options.epochs, seed=options.seed,
                    assignments=options.overrides)


def args_from_command(command: str):
    """The run arguments that ``command``, a ``python -m vaegan train ...`` line as a
    checkpoint's metadata records it, trains with (device and logging fields left at
    their defaults)."""
    words = shlex.split(command)
    if words[:4] != ["python", "-m", "vaegan", "train"]:
        raise ValueError(f"not a `python -m vaegan train` command: {command!r}")
    return _run_args(_parser().parse_args(words[3:]))


# the options that ask a trainer for a side file (its ``side_files``), and who has them
SIDE_OPTIONS = {
    "timeline": "--timeline and --discriminator are for GANs",
    "discriminator": "--timeline and --discriminator are for GANs",
    "samples": "--samples is for autoregressive models",
}


def _train(options) -> dict:
    import torch

    from vaegan.core.checkpoints import check_not_committed, check_writable, output_lock, side_path
    from vaegan.registry import trainer_class

    if options.threads:
        torch.set_num_threads(options.threads)
    args = _run_args(options)
    # what Ctrl-C reports: --resume saves the whole run after every epoch
    options.resumable = f"{options.resume} (as of the last finished epoch)" if options.resume else None
    Trainer = trainer_class(args)
    for option, sentence in SIDE_OPTIONS.items():
        if getattr(options, option) and option not in Trainer.side_files:
            raise SystemExit(f"error: {sentence}; {options.name!r} is not one")
    if options.samples < 0:
        raise SystemExit(f"error: --samples must be >= 0, got {options.samples}")
    if args.epochs < 1:
        raise SystemExit(f"error: epochs must be at least 1, got {args.epochs} (an untrained model is not a result)")
    args = dataclasses.replace(args, device=options.device, use_wandb=options.wandb, wandb_name=options.save_as or options.name)
    # everything that could stop the run after hours of work is checked now: the output folder, the files it
    # would replace, a second run writing the same name, and (when the trainer is built) the data
    path = check_writable(options.out) / (options.save_as or options.name)
    outputs = [path.with_suffix(".pt"), path.with_suffix(".json")] + [
        side_path(path, "discriminator").with_suffix(suffix) for suffix in (".pt", ".json") if options.discriminator
    ] + [side_path(path, kind) for kind in ("timeline", "samples") if getattr(options, kind)]
    check_not_committed(outputs, options.overwrite)
    with output_lock(path):
        trainer = Trainer(args)
        if options.resume is not None and trainer.resume(options.resume):
            print(f"resuming from {options.resume}: {trainer.epoch} of {args.epochs} epochs done", file=sys.stderr)
        model = trainer.train().cpu()
        seconds = trainer.train_seconds
        metrics = trainer.evaluate(model)
        trainer.save(
            path, metrics={**metrics, "train_seconds": seconds, "profile": options.profile}, half=options.half,
            extra={"command": options.command_line, "run": options.name},
            **{option: getattr(options, option) for option in Trainer.side_files},
        )
        options.written += [str(file) for file in outputs]
    if getattr(trainer, "sample_set", None):
        metrics["sample_seconds"] = trainer.sample_set["seconds"]
    metrics = {key: value for key, value in metrics.items() if key != "class_histogram"}
    print(json.dumps({"run": options.name, "profile": options.profile, "train_seconds": round(seconds, 1), **metrics}, indent=2))
    print(f"wrote {path.with_suffix('.pt')} and {path.with_suffix('.json')}", file=sys.stderr)
    return metrics


def _bounds(options) -> dict:
    import torch

    from vaegan.autoencoders.bounds import bounds_table
    from vaegan.core.checkpoints import PRETRAINED, check_not_committed, check_writable, output_lock, save_bounds, side_path
    from vaegan.registry import load_checkpoint

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
    out = options.out or side_path(folder / options.name, "bounds")
    if out.is_dir():
        raise SystemExit(f"error: --out {out} is a folder; give the file to write, e.g. {out / (options.name + '_bounds.json')}")
    check_writable(out.parent)
    check_not_committed([out], options.overwrite)
    # the run's progress, saved after every batch: the same command continues from it (a run of hours)
    progress_folder = out.with_name(f".{out.stem}.progress")
    with output_lock(out.with_suffix("")):
        options.resumable = progress_folder
        table = bounds_table(
            model, options.small_ks, options.large_ks, options.subset, options.test_limit, options.seed,
            resume=progress_folder,
        )
        table["checkpoint"] = options.name
        out = save_bounds(out, table)
        options.written.append(str(out))
        options.resumable = None
        shutil.rmtree(progress_folder, ignore_errors=True)
    labels = {"elbo": "negative ELBO", "reconstruction": "  -E_q[log p(x|z)]", "kl": "  KL(q(z|x) || p(z))"}
    for part, title in (("all", f"all {table['test_images']} test images"), ("subset", f"first {table['subset_images']}")):
        print(title)
        for name, values in table[part].items():
            sign = 1 if name == "kl" else -1  # bounds on log p(x) are printed as nats of negative log-likelihood
            label = labels.get(name, f"negative IWAE bound, k = {name.removeprefix('iwae_')}")
            print(f"  {label:34} {sign * values['mean']:8.2f} nats  (standard error over images {values['standard_error']:.2f})")
    print(f"wrote {out} in {table['seconds']['total']:.0f} s", file=sys.stderr)
    return table


def _stop_on_sigterm(signal_number, frame) -> None:
    """SIGTERM (``kill``, a job scheduler's stop, the end of a session) stops a run as Ctrl-C
    does: saved progress kept, one line saying what was written. A run started in the
    background with ``&`` ignores Ctrl-C's SIGINT, so this is the clean way to stop it."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    options = _parser().parse_args(argv)
    options.command_line = "python -m vaegan " + shlex.join(argv)
    options.written = []  # every file written so far: what Ctrl-C reports
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        return _run(options)
    except KeyboardInterrupt:
        kept = f"wrote {', '.join(options.written)}" if options.written else "nothing was written"
        if getattr(options, "resumable", None):
            kept += f"; the progress so far is in {options.resumable}, and the same command continues from it"
        # on a line of its own, even when Ctrl-C cut a progress bar's line short
        print(f"\ninterrupted: {kept}; a save in progress leaves the files it would replace as they were", file=sys.stderr)
        return 130
    except USER_ERRORS as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(options) -> int:
    if options.command == "bounds":
        _bounds(options)
        return 0
    if options.command == "list":
        from vaegan.recipes import RECIPES

        print("\n".join(RECIPES))
        return 0
    if options.save_as is not None and (not options.save_as or any(c in options.save_as for c in "./\\")):
        raise SystemExit(f"error: --save-as takes a plain file name without dots or folders, got {options.save_as!r}")
    if options.epochs is not None and options.epochs < 1:
        raise SystemExit(f"error: --epochs must be at least 1, got {options.epochs}")
    _train(options)
    return 0
