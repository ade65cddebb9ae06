"""Test-wide settings: property tests are reproducible in CI.

Locally hypothesis draws new examples on every run (and remembers failures in its
database), which is how it finds bugs. Under ``CI=true`` it draws the same examples every
time and keeps no database, so a CI run is a pure function of the commit.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
    settings.load_profile("ci")
