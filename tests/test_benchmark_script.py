"""The benchmark script runs and reports ratios (its timings are not asserted: see README)."""

import re
import runpy
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

from vaegan.benchmark import time_side_by_side


def run_script(name: str, *arguments: str, monkeypatch, capsys) -> str:
    """Run a benchmark script as `python benchmarks/NAME ARGUMENTS` would, in this process (a
    subprocess would spend most of its time importing torch again); return what it printed."""
    import torch

    threads = torch.get_num_threads()
    monkeypatch.setattr(sys, "argv", [name, *arguments])
    try:
        runpy.run_path(str(ROOT / "benchmarks" / name), run_name="__main__")
    except SystemExit as exit:  # a script that ends with sys.exit(main())
        assert exit.code in (0, None), exit.code
    finally:
        torch.set_num_threads(threads)
    return capsys.readouterr().out


def test_conv_transpose_benchmark_prints_a_ratio_per_layer_and_pass(monkeypatch, capsys):
    printed = run_script("conv_transpose.py", "--batch", "2", "--repeats", "1", monkeypatch=monkeypatch, capsys=capsys)
    rows = re.findall(r"(forward|fwd\+bwd)\s+[\d.]+\s+[\d.]+\s+([\d.]+)", printed)
    assert len(rows) == 8 and all(float(ratio) > 0 for _, ratio in rows)
    assert "worst ratio" in printed


def test_time_side_by_side_measures_each_candidate():
    calls = {"a": 0, "b": 0}

    def bump(name):
        calls[name] += 1

    times = time_side_by_side({"a": lambda: bump("a"), "b": lambda: bump("b")}, repeats=3, warmup=1)
    assert set(times) == {"a", "b"} and calls == {"a": 4, "b": 4}


@pytest.mark.parametrize("script", ["autoencoder_trainer.py", "dcgan_trainer.py"])
def test_trainer_benchmarks_print_both_rates_and_the_ratio(script, data_root, monkeypatch, capsys):
    printed = run_script(script, "--limit", "256", "--repeats", "1", monkeypatch=monkeypatch, capsys=capsys)
    ratio = re.search(r"ratio trainer / bare: ([\d.]+)", printed)
    assert ratio and float(ratio.group(1)) > 0
