"""The benchmark script runs and reports ratios (its timings are not asserted: see README)."""

import re
import subprocess
import sys

import pytest

from conftest import ROOT

from vaegan.benchmark import time_side_by_side


def test_conv_transpose_benchmark_prints_a_ratio_per_layer_and_pass():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "conv_transpose.py"), "--batch", "2", "--repeats", "1"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    rows = re.findall(r"(forward|fwd\+bwd)\s+[\d.]+\s+[\d.]+\s+([\d.]+)", result.stdout)
    assert len(rows) == 8 and all(float(ratio) > 0 for _, ratio in rows)
    assert "worst ratio" in result.stdout


def test_time_side_by_side_measures_each_candidate():
    calls = {"a": 0, "b": 0}

    def bump(name):
        calls[name] += 1

    times = time_side_by_side({"a": lambda: bump("a"), "b": lambda: bump("b")}, repeats=3, warmup=1)
    assert set(times) == {"a", "b"} and calls == {"a": 4, "b": 4}


@pytest.mark.parametrize("script", ["autoencoder_trainer.py", "dcgan_trainer.py"])
def test_trainer_benchmarks_print_both_rates_and_the_ratio(script, data_root):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), "--limit", "256", "--repeats", "1"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    ratio = re.search(r"ratio trainer / bare: ([\d.]+)", result.stdout)
    assert ratio and float(ratio.group(1)) > 0
