"""Make an environment like a fresh Colab runtime, and install the package into it as a chapter's first cell does.

    python scripts/colab_env.py ENV_FOLDER [--home HOME_FOLDER [--run-notebooks [-- PYTEST_ARGS]]]

Colab comes with torch, torchvision and a Jupyter kernel; everything else a chapter needs must
come from the package's own install. This script:

1. creates a virtual environment in ENV_FOLDER holding only torch, torchvision and ipykernel
   (with what they need), linked from the running environment rather than copied, so it takes
   seconds instead of installing 1 GB again;
2. runs the pip command of a chapter's first cell, with the repository's address replaced by this
   clone (``pip install "vaegan[logging] @ git+file://<this clone>"``): pip clones the committed
   HEAD, builds it and installs its dependencies, as Colab's pip does from GitHub;
3. registers the environment's kernel as ``vaegan-colab`` under ENV_FOLDER/share/jupyter; and
4. with ``--home``, fills HOME_FOLDER/.cache/vaegan with links to the data in $VAEGAN_DATA_DIR, the
   folder a chapter downloads into on first use (this machine has no network to download from).

With ``--run-notebooks`` it then executes copies of the notebooks, outside the repository, under
nbval in that kernel, with HOME set to HOME_FOLDER and VAEGAN_DATA_DIR unset: the chapters as a
Colab learner runs them (their live explorers are widgets there, run by the kernel). It also runs
the live widget's round trip through that kernel's comm channel
(tests/pages/test_live_widget.py). `make test` runs it so, in the smoke profile.
"""

from __future__ import annotations

import argparse
import importlib.metadata as metadata
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PREINSTALLED = ("torch", "torchvision", "ipykernel")  # what a Colab runtime has before the first cell
KERNEL = "vaegan-colab"


def closure(names) -> list[metadata.Distribution]:
    """The installed distributions ``names`` need, themselves included (extras not followed)."""
    environment = {**default_environment(), "extra": ""}
    seen: dict[str, metadata.Distribution] = {}
    stack = list(names)
    while stack:
        name = re.sub(r"[-_.]+", "-", stack.pop()).lower()
        if name in seen:
            continue
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional dependency this environment does not have
        seen[name] = distribution
        for text in distribution.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate(environment):
                stack.append(requirement.name)
    return list(seen.values())


def link_distributions(distributions, site_packages: Path) -> int:
    """Link every top-level file or folder the distributions installed into ``site_packages``."""
    linked = 0
    here = Path(sysconfig.get_paths()["purelib"])
    for distribution in distributions:
        tops = {Path(str(file)).parts[0] for file in distribution.files or [] if not str(file).startswith("..")}
        for top in sorted(tops):
            source, target = here / top, site_packages / top
            if source.exists() and not target.exists() and top != "__pycache__":
                target.symlink_to(source)
                linked += 1
    return linked


def first_cell_command(notebook: Path) -> list[str]:
    """The pip arguments of a generated notebook's first code cell (the Colab install)."""
    cells = json.loads(notebook.read_text())["cells"]
    source = "".join(next(cell for cell in cells if cell["cell_type"] == "code")["source"])
    match = re.search(r'"-m",\s*"pip",\s*"install",\s*"-q",\s*"([^"]+)"', source)  # the list may wrap
    if not match:
        raise SystemExit(f"error: {notebook.name}'s first cell does not run `pip install -q <package>`; update this script")
    return ["-m", "pip", "install", "-q", match.group(1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("env", type=Path)
    parser.add_argument("--home", type=Path, help="a home folder whose ~/.cache/vaegan links to $VAEGAN_DATA_DIR")
    parser.add_argument(
        "--run-notebooks", action="store_true",
        help="then copy notebooks/*.ipynb out of the repository and execute them under nbval in the new kernel, "
             "with HOME=--home and VAEGAN_DATA_DIR unset (needs --home)",
    )
    parser.add_argument("pytest_args", nargs="*", help="more arguments for that pytest run (after --)")
    # what follows `--` (or any option this script does not know) is for pytest: `-- -k 01_transposed`
    options, extra = parser.parse_known_args()
    options.pytest_args += [argument for argument in extra if argument != "--"]
    if options.run_notebooks and not options.home:
        parser.error("--run-notebooks needs --home (the learner's home folder, with the data cache)")
    options.env = options.env.absolute()  # the steps below run from other folders
    options.home = options.home.absolute() if options.home else None

    if options.env.exists():
        shutil.rmtree(options.env)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(options.env)], check=True)
    python = options.env / "bin" / "python"
    site_packages = Path(subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True, check=True,
    ).stdout.strip())
    distributions = closure(PREINSTALLED + ("pip",))
    linked = link_distributions(distributions, site_packages)
    print(f"colab-like environment: {len(distributions)} distributions ({', '.join(PREINSTALLED)} and what they need), {linked} links")

    # every chapter's first-cell command (one address, with the extras that chapter needs), pointed at
    # this clone's committed HEAD instead of GitHub
    addresses = sorted({first_cell_command(notebook)[-1] for notebook in sorted((ROOT / "notebooks").glob("*.ipynb"))})
    for address in addresses:
        if "git+https://github.com/" not in address:
            raise SystemExit(f"error: a first cell installs {address!r}, not from GitHub; update this script")
    command = ["-m", "pip", "install", "-q"]
    local = [re.sub(r"git\+https://github\.com/\S+", f"git+file://{ROOT}", address) for address in addresses]
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src", "pyproject.toml"],
                           capture_output=True, text=True).stdout.strip()
    if dirty:
        print("note: pip installs the committed HEAD; uncommitted changes under src/ are not in this environment")
    started = subprocess.run([python, *command, *local], capture_output=True, text=True, timeout=900)
    if started.returncode != 0:
        print(started.stdout[-3000:], started.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"error: `pip install {' '.join(local)}` failed in the colab-like environment (see above)")
    print(f"installed {', '.join(local)}, as the chapters' first cells install {', '.join(addresses)}")

    subprocess.run([python, "-m", "ipykernel", "install", "--prefix", str(options.env), "--name", KERNEL,
                    "--display-name", "vaegan (colab-like)"], check=True, capture_output=True)
    check = subprocess.run(
        [python, "-c", "import vaegan, sys; print(vaegan.__file__); assert 'site-packages' in vaegan.__file__"],
        capture_output=True, text=True, cwd=options.env,
    )
    if check.returncode != 0:
        raise SystemExit(f"error: vaegan does not import from the new environment:\n{check.stderr[-2000:]}")
    print(f"kernel {KERNEL!r} in {options.env / 'share' / 'jupyter'}; vaegan from {check.stdout.strip()}")

    if options.home:
        source = Path(os.environ.get("VAEGAN_DATA_DIR", ""))
        if not (source / "MNIST").is_dir():
            raise SystemExit("error: --home needs VAEGAN_DATA_DIR pointing at the data (MNIST/, celeba/) to link")
        cache = options.home / ".cache" / "vaegan"
        cache.mkdir(parents=True, exist_ok=True)
        for entry in source.iterdir():
            target = cache / entry.name
            if not target.exists():
                target.symlink_to(entry.resolve())
        print(f"data linked into {cache} (where a chapter downloads it on first use)")
    if options.run_notebooks:
        return run_notebooks(options.env, options.home, options.pytest_args)
    return 0


def run_notebooks(env: Path, home: Path, pytest_args: list[str]) -> int:
    """nbval over copies of the generated notebooks, in the colab-like kernel, as a learner's runtime
    would run them: a folder outside the repository, the package from pip, the data from the cache."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="vaegan-colab-notebooks-"))
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        shutil.copy(notebook, folder / notebook.name)
    environment = {key: value for key, value in os.environ.items() if key not in ("VAEGAN_DATA_DIR", "PYTHONPATH")}
    environment.update(HOME=str(home.resolve()), JUPYTER_PATH=str((env / "share" / "jupyter").resolve()))
    environment.pop("XDG_CACHE_HOME", None)
    # and the live explorers' widget through that kernel's comm channel, as Colab's front-end talks to it
    environment["VAEGAN_TEST_KERNEL"] = KERNEL
    widget_test = f"{ROOT / 'tests' / 'pages' / 'test_live_widget.py'}::test_through_a_real_kernels_comm_channel"
    command = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-kernel-name", KERNEL, "-p", "no:cacheprovider",
               "--rootdir", str(folder), *pytest_args, str(folder), widget_test]
    print(f"executing {len(list(folder.glob('*.ipynb')))} notebooks from {folder} in the {KERNEL!r} kernel")
    try:
        return subprocess.run(command, env=environment, cwd=folder).returncode
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
