"""What every checker shares: the verdict, the comparison that names a mistake, one name per checker."""

import pytest
import torch

from vaegan.pages.exercises._checking import Verdict, call, compare, correct, not_attempted, unattempted


def test_no_two_chapters_export_a_checker_of_the_same_name():
    import importlib

    names = {}
    for module in ("autoencoders", "autoregressive", "dcgan", "elbo", "gans", "transposed_convolutions", "variational"):
        for name in importlib.import_module(f"vaegan.pages.exercises.{module}").__all__:
            assert name not in names, f"{name} is exported by both {names[name]} and {module}: one would hide the other"
            names[name] = module



def test_a_verdict_is_true_only_when_passed_and_shows_nothing(capsys):
    assert correct("fine. Correct.") and not not_attempted("thing")
    assert capsys.readouterr().out == "fine. Correct.\nthing: not attempted yet. Write it, then run this cell again.\n"
    assert Verdict(True, "m")._ipython_display_() is None
    assert unattempted(None) and unattempted(torch.nn.Module()) and not unattempted(torch.nn.Linear(1, 1))


def test_compare_names_a_known_mistake_and_otherwise_gives_the_difference():
    expected = torch.tensor([1.0, 2.0])
    compare("f", "case", expected.clone(), expected)
    with pytest.raises(AssertionError, match="f: you doubled it"):
        compare("f", "case", expected * 2, expected, mistakes={"you doubled it": expected * 2})
    with pytest.raises(AssertionError, match="differ .* by up to 0.5"):
        compare("f", "case", expected + 0.5, expected)
    with pytest.raises(AssertionError, match=r"shape \(1,\), expected \(2,\)"):
        compare("f", "case", torch.ones(1), expected)
    with pytest.raises(AssertionError, match="should return a tensor"):
        compare("f", "case", [1.0, 2.0], expected)


def test_call_names_the_exercise_when_the_learners_code_raises():
    def broken(x):
        return x.nonexistent

    with pytest.raises(AssertionError, match="f: your code raised AttributeError"):
        call("f", broken, 1)
    def unwritten():
        raise NotImplementedError
    assert call("f", unwritten) is None
