"""The benchmark script runs and reports ratios (its timings are not asserted: see README)."""

import re
import subprocess
import sys

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


def test_trainer_benchmark_prints_both_rates_and_the_ratio(data_root):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "autoencoder_trainer.py"), "--limit", "1024", "--repeats", "1"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    ratio = re.search(r"ratio trainer / bare: ([\d.]+)", result.stdout)
    assert ratio and float(ratio.group(1)) > 0
    assert re.search(r"trainer:\s+\d+ images/s", result.stdout) and re.search(r"bare:\s+\d+ images/s", result.stdout)
