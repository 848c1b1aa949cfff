import pytest

from vaegan.core import profiles


def test_default_is_book(monkeypatch):
    monkeypatch.delenv("VAEGAN_PROFILE", raising=False)
    assert profiles.current_profile() == "book"
    assert profiles.pick(smoke=1, book=2, full=3) == 2


def test_environment_selects_the_profile(monkeypatch):
    monkeypatch.setenv("VAEGAN_PROFILE", "Smoke")
    assert profiles.pick(smoke=1, book=2, full=3) == 1
    assert profiles.pick(smoke=1, book=2, full=3, profile="full") == 3


def test_unknown_profile_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("VAEGAN_PROFILE", "fast")
    with pytest.raises(ValueError, match="smoke, book, full"):
        profiles.current_profile()
    with pytest.raises(ValueError, match="unknown profile"):
        profiles.pick(smoke=1, book=2, full=3, profile="huge")


def test_use_profile_switches_and_announces(monkeypatch, capsys):
    monkeypatch.setenv("VAEGAN_PROFILE", "book")
    assert profiles.use_profile("full") == "full"
    assert profiles.current_profile() == "full"
    assert "profile 'full'" in capsys.readouterr().out
    with pytest.raises(ValueError):
        profiles.use_profile("gpu")
