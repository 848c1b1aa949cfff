"""A page's claims about its own runs, checked in the profiles whose numbers the page
was written for.

A chapter states what its run shows ("the VAE's samples are judged digits twice as often
as the autoencoder's") and checks it in a hidden cell, so that the website cannot say
something its run did not do. The thresholds in those checks were measured in the
``smoke`` and ``book`` profiles. In ``full`` (larger runs, usually on a GPU) the same
claims should hold with more room, but nobody has measured that page's numbers, and a
learner who switches profile must not meet an ``AssertionError`` written for another
one: there, a claim that fails prints a note instead.

    claim(vae_share > autoencoder_share + 0.2, "the VAE's samples are judged digits more often", vae_share)
"""

from __future__ import annotations

from vaegan.core.profiles import current_profile

__all__ = ["claim", "ASSERTED_PROFILES"]

#: the profiles in which a failed claim stops the notebook (the build and CI run these)
ASSERTED_PROFILES = ("smoke", "book")


def claim(holds: bool, what: str, *evidence, profiles: tuple[str, ...] = ASSERTED_PROFILES) -> bool:
    """Assert ``holds`` in ``profiles``; in any other profile print a note when it
    fails.

    ``what`` says the claim in words; ``evidence`` (the numbers it rests on) goes into
    the message. Returns ``holds``."""
    holds = bool(holds)
    if holds:
        return True
    detail = f" ({', '.join(map(repr, evidence))})" if evidence else ""
    profile = current_profile()
    if profile in profiles:
        raise AssertionError(f"the page claims {what}, and this {profile}-profile run does not show it{detail}")
    print(f"Note: this {profile}-profile run does not show what the page says for the book profile: {what}{detail}.")
    return False
