"""Seeds and threads: the same command gives the same numbers."""

import pytest
import torch

import vaegan
from vaegan.core.seeding import seed_everything, use_threads


@pytest.fixture
def restore_threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_seeding_twice_gives_the_same_draws():
    first = seed_everything(3)
    a = (torch.rand(4), torch.rand(4, generator=first))
    second = seed_everything(3)
    b = (torch.rand(4), torch.rand(4, generator=second))
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    with pytest.raises(ValueError, match="non-negative int"):
        seed_everything(-1)


def test_threads_are_the_default_unless_the_environment_says(monkeypatch, restore_threads):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert vaegan.use_threads(2) == 2 and torch.get_num_threads() == 2
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert use_threads(2) == 1 and torch.get_num_threads() == 1
    monkeypatch.setenv("OMP_NUM_THREADS", " ")  # set but empty: the default
    assert use_threads(2) == 2 and torch.get_num_threads() == 2


@pytest.mark.parametrize("value", ["two", "0", "-1", "1.5"])
def test_a_bad_thread_count_in_the_environment_is_named_with_the_fix(monkeypatch, restore_threads, value):
    monkeypatch.setenv("OMP_NUM_THREADS", value)
    before = torch.get_num_threads()
    with pytest.raises(ValueError, match=r"OMP_NUM_THREADS=.* is not a positive whole number.*unset it"):
        use_threads(2)
    assert torch.get_num_threads() == before  # nothing changed


@pytest.mark.parametrize("default", [0, -2, 1.5, True, "2"])
def test_a_bad_default_is_refused(default, restore_threads):
    with pytest.raises(ValueError, match="positive int"):
        use_threads(default)
