"""Execution profiles: one switch that sizes every chapter's runs.

=========  ===================================================================
``smoke``  CI runs every notebook with nbval: seconds per chapter, small
           subsets, the same code path as the real runs.
``book``   What the website shows: real training where a 2-core CPU allows it.
``full``   A learner on a GPU: the full-size runs.
=========  ===================================================================

Chosen with the environment variable ``VAEGAN_PROFILE`` (default ``book``). A chapter
asks for its sizes with :func:`pick`, so the three sizes sit side by side where the
reader can see them.
"""

from __future__ import annotations

import os
from typing import TypeVar

__all__ = ["PROFILES", "ENVIRONMENT_VARIABLE", "current_profile", "pick", "use_profile"]

PROFILES = ("smoke", "book", "full")
ENVIRONMENT_VARIABLE = "VAEGAN_PROFILE"
DEFAULT_PROFILE = "book"

T = TypeVar("T")


def current_profile() -> str:
    """The active profile, validated."""
    profile = os.environ.get(ENVIRONMENT_VARIABLE, DEFAULT_PROFILE).strip().lower() or DEFAULT_PROFILE
    if profile not in PROFILES:
        raise ValueError(
            f"{ENVIRONMENT_VARIABLE}={profile!r} is not a profile; use one of {', '.join(PROFILES)} "
            f"(for example `export {ENVIRONMENT_VARIABLE}=smoke`)"
        )
    return profile


def pick(*, smoke: T, book: T, full: T, profile: str | None = None) -> T:
    """Return the value for the active (or the given) profile."""
    if profile is None:
        profile = current_profile()
    elif profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; use one of {', '.join(PROFILES)}")
    return {"smoke": smoke, "book": book, "full": full}[profile]


DESCRIPTIONS = {
    "smoke": "seconds per chapter on small subsets (CI runs every notebook this way)",
    "book": "real training sized for a laptop CPU (what the website shows)",
    "full": "the full-size runs, meant for a GPU (Colab: Runtime > Change runtime type)",
}


def use_profile(profile: str | None = None) -> str:
    """The one setting at the top of every chapter.

    ``use_profile()`` keeps ``$VAEGAN_PROFILE`` (default ``book``);
    ``use_profile("full")`` switches this kernel to another profile.
    Prints which profile is active and what it means, and returns its name.
    """
    if profile is not None:
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}; use one of {', '.join(PROFILES)}")
        os.environ[ENVIRONMENT_VARIABLE] = profile
    active = current_profile()
    print(f"profile {active!r}: {DESCRIPTIONS[active]}")
    return active
