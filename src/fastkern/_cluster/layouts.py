"""The local layouts worth comparing on this machine, from the cores it may use.

Usable cores are the affinity mask capped by the cgroup CPU quota, as for ``threads=0``
(:func:`fastkern._info.thread_budget`): N threads in one process, N processes of one
thread, and where N >= 4 a mix (two processes of N/2 threads).
"""

from __future__ import annotations

from .._info import thread_budget
from .model import Layout


def local_layouts(cores: int) -> tuple[Layout, ...]:
    """The layouts of ``cores`` slots on one host (at least 2, so that there is something
    to share)."""
    if cores < 1:
        raise ValueError(f"cores must be a positive number, got {cores!r}")
    slots = max(2, cores)
    found = [Layout(1, 1, slots), Layout(1, slots, 1)]
    if slots >= 4:
        found.append(Layout(1, 2, slots // 2))
    return tuple(found)


def usable() -> int:
    """Cores this process may use: affinity, capped by the CPU quota."""
    return thread_budget()
