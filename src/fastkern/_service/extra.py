"""Whether the optional extra ``fastkern[service]`` is installed, and what to say if not."""

from __future__ import annotations

import importlib.util

#: The packages the server and the load generator import.
PACKAGES = ("fastapi", "uvicorn", "aiohttp")
INSTALL = 'python -m pip install "fastkern[service]"'


def missing() -> list[str]:
    """The packages of the extra that cannot be imported."""
    return [name for name in PACKAGES if importlib.util.find_spec(name) is None]


def require() -> None:
    """RuntimeError, on one line with the install command, when the extra is missing."""
    absent = missing()
    if absent:
        raise RuntimeError(f"fastkern service needs {', '.join(absent)}: {INSTALL}")
