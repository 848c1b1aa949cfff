"""Install the package the way a Colab learner does (pip from the repository, not editable)
into a fresh folder and use it from there."""

import shutil
import subprocess
import sys
import textwrap

from conftest import ROOT


def test_pip_install_from_the_repository_gives_a_working_package(tmp_path):
    # Build from a copy holding only what a clone of the repository gives pip, so the test
    # sees a missing file the way a learner would, and leaves no build/ folder behind here.
    source = tmp_path / "source"
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    target = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(source)],
        capture_output=True, text=True, timeout=600,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    code = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(target)!r})
        import torch, torch.nn.functional as F
        import vaegan
        from vaegan import checks, convtranspose, data, explorers, profiles, stamping, notebook, benchmark
        from vaegan import checkpoints, classifier, evaluation, latent, losses, metrics, models, plotting, recipes, train
        from vaegan import cli, elbo, likelihood, linear_gaussian
        assert vaegan.__file__.startswith({str(target)!r}), vaegan.__file__
        # the committed checkpoints travel inside the package
        for name in ("classifier", "celeba_vae", "bernoulli_vae", "celeba_dcgan", "wgan_gp_mnist", "vae_beta_4"):
            model, record = checkpoints.load_pretrained(name)
            assert str(checkpoints.PRETRAINED).startswith({str(target)!r})
        assert (checkpoints.PRETRAINED / "bernoulli_vae_bounds.json").is_file()
        from vaegan import gan_evaluation, gan_train, inception_fid, model_summary
        assert gan_train.load_timeline(checkpoints.PRETRAINED / "celeba_dcgan")["samples"].shape[2:] == (3, 64, 64)
        assert classifier.load_classifier()(torch.zeros(1, 1, 28, 28)).shape == (1, 10)
        x, w = torch.randn(2, 3, 5, 5), torch.randn(3, 4, 4, 4)
        assert torch.allclose(convtranspose.conv_transpose2d(x, w, None, 2, 1), F.conv_transpose2d(x, w, None, 2, 1), atol=1e-5)
        print("ok", vaegan.__version__)
        """
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("ok")
