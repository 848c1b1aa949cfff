"""A page's claim stops the notebook in the profiles its numbers were written for, and only prints there else."""

import pytest

from vaegan.core.profiles import use_profile
from vaegan.pages.claims import claim


@pytest.fixture
def profile(monkeypatch):
    def switch(name):
        monkeypatch.setenv("VAEGAN_PROFILE", name)
        use_profile(name)
    yield switch
    use_profile("smoke")


def test_a_claim_that_holds_is_silent(profile, capsys):
    for name in ("smoke", "book", "full"):
        profile(name)
        assert claim(True, "anything") is True
    assert capsys.readouterr().out.count("Note") == 0


@pytest.mark.parametrize("name", ["smoke", "book"])
def test_a_failed_claim_stops_the_smoke_and_book_runs_naming_it(profile, name):
    profile(name)
    with pytest.raises(AssertionError, match=rf"the page claims the samples are digits, and this {name}-profile run does not show it \(0.1\)"):
        claim(0.1 > 0.5, "the samples are digits", 0.1)


def test_a_failed_claim_prints_a_note_in_the_full_profile(profile, capsys):
    profile("full")
    assert claim(False, "the samples are digits", 0.1) is False
    assert "Note: this full-profile run does not show what the page says" in capsys.readouterr().out


def test_a_claim_can_be_asserted_in_book_only(profile, capsys):
    profile("smoke")
    assert claim(False, "a book-sized effect", profiles=("book",)) is False
    assert "Note" in capsys.readouterr().out
