"""One request's work: a kernel's call on one rung, timed by the CPU time of the thread
that ran it (in the server's loop thread, a pool thread or a pool process alike)."""

from __future__ import annotations

import functools
import os
import time
from typing import Optional

from .._dispatch import kernel_spec, public


@functools.lru_cache(maxsize=None)
def _inputs(kernel: str, size: int) -> tuple:
    """The kernel's sample inputs at ``size``, made once per process, not per request."""
    return kernel_spec(kernel).sample(size)


def call(kernel: str, rung: str, size: int, release_gil: Optional[bool]) -> float:
    """Runs ``kernel`` at ``size`` on ``rung`` once; the thread CPU seconds it took.
    ``release_gil`` is None for rungs that do not choose."""
    args = _inputs(kernel, size)
    options = {} if release_gil is None else {"release_gil": release_gil}
    started = time.thread_time()
    public(kernel)(*args, backend=rung, **options)
    return time.thread_time() - started


def ready() -> int:
    """A pool process's id, once it has imported what :func:`call` needs (its warm-up)."""
    return os.getpid()
