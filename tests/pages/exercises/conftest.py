"""What every chapter's checker tests share."""

import pytest
import torch


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models: one thread is faster on a shared CPU, and leaves the other core to others."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


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
