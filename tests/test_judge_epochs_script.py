"""scripts/judge_epochs.py: one verdict per epoch, for the trained and the averaged generator."""

import json
import runpy
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "judge_epochs.py"


def run_script(*arguments, monkeypatch, capsys) -> list[dict]:
    """Run the script as `python scripts/judge_epochs.py ARGUMENTS` would, in this process; return
    the JSON lines it printed."""
    import torch

    threads = torch.get_num_threads()
    monkeypatch.setattr(sys, "argv", [SCRIPT.name, *arguments])
    try:
        runpy.run_path(str(SCRIPT), run_name="__main__")
    finally:
        torch.set_num_threads(threads)
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_each_epoch_gets_a_verdict_for_both_generators(monkeypatch, capsys, data_root):
    header, *epochs = run_script("dcgan_mnist", "--profile", "smoke", "--epochs", "2", "--ema", "0.9",
                                 monkeypatch=monkeypatch, capsys=capsys)
    assert header["run"] == "dcgan_mnist" and header["args"]["epochs"] == 2 and header["args"]["train_limit"] == 1024
    assert [line["epoch"] for line in epochs] == [1, 2]
    for line in epochs:
        for verdict in (line["generator"], line["moving_average"]):
            confident, classes, effective, distance = verdict
            assert 0 <= confident <= 1 and 0 <= classes <= 10 and 1 <= effective <= 10 and distance > 0


def test_runs_it_cannot_judge_are_refused_before_training(monkeypatch, capsys):
    for arguments, message in ((["celeba_dcgan"], "not an MNIST GAN run"), (["pixelcnn"], "choose one of mlp_gan"),
                               (["dcgan_mnist", "--set", "nope=1"], "GANArgs has no such field"),
                               (["dcgan_mnist", "--ema", "1.5"], "between 0 and 1")):
        with pytest.raises(SystemExit):
            run_script(*arguments, monkeypatch=monkeypatch, capsys=capsys)
        assert message in capsys.readouterr().err
