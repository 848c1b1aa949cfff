"""What every chapter's checker tests share."""

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_thread(one_thread):
    """Every checker test runs on one thread (the shared fixture of tests/conftest.py)."""


@pytest.fixture
def assert_not_attempted():
    """``assert_not_attempted(check, answer, capsys)``: an unwritten answer prints one "not attempted"
    line and gives a falsy verdict."""

    def check_unwritten(check, answer, capsys):
        capsys.readouterr()
        verdict = check(answer)
        assert not verdict
        out = capsys.readouterr().out
        assert "not attempted" in out and out.count("\n") == 1

    return check_unwritten
