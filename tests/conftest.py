"""Session-wide settings: one private cache for every kernel compiled at run time, and the
examples folder importable (worker processes of the anatomy import the examples by name)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))


@pytest.fixture(scope="session", autouse=True)
def compile_cache(tmp_path_factory) -> Path:
    """A cache directory shared by the session, so each rung compiles once per test run."""
    folder = tmp_path_factory.mktemp("fastkern-cache")
    saved = {key: os.environ.get(key) for key in ("FASTKERN_CACHE_DIR", "NUMBA_CACHE_DIR")}
    os.environ["FASTKERN_CACHE_DIR"] = str(folder / "fastkern")
    os.environ["NUMBA_CACHE_DIR"] = str(folder / "numba")
    yield folder / "fastkern"
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
