"""Load: the CPUs other processes kept busy while a section ran (``/proc/stat`` minus us).

``/proc/stat`` counts every CPU's busy time since boot; ``/proc/<pid>/stat`` counts one
process's (all its threads). Both are in clock ticks. The difference over a section,
divided by its wall time, is how many CPUs others used on average.
"""

from __future__ import annotations

import os
import time
from typing import Callable, Iterable, Optional

from .model import Load
from .sched import PROC, Reader, read_text

def busy_ticks(stat: str) -> int:
    """Ticks all CPUs spent busy (not idle, not waiting for I/O), from ``/proc/stat``."""
    for line in stat.splitlines():
        fields = line.split()
        if fields and fields[0] == "cpu":
            ticks = [int(value) for value in fields[1:9]]
            if len(ticks) < 5:
                break
            return sum(ticks) - ticks[3] - ticks[4]
    raise ValueError("/proc/stat has no 'cpu' line with user nice system idle iowait ...")


def process_ticks(stat: str) -> int:
    """User plus system ticks of one process, from ``/proc/<pid>/stat``."""
    after_name = stat[stat.rindex(")") + 2:].split()
    if len(after_name) < 13:
        raise ValueError(f"/proc/<pid>/stat is too short: {stat!r}")
    return int(after_name[11]) + int(after_name[12])


def processes_ticks(pids: Iterable[int], read: Reader = read_text,
                    proc: str = PROC) -> dict[int, int]:
    """User plus system ticks of each of ``pids`` that can be read (those gone left out)."""
    found = {}
    for pid in pids:
        try:
            found[pid] = process_ticks(read(f"{proc}/{pid}/stat"))
        except (OSError, ValueError):
            continue
    return found


def ticks_per_second() -> int:
    return os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class Meter:
    """Measures others' CPU use between :meth:`start` and :meth:`stop`."""

    def __init__(self, read: Reader = read_text, wall: Callable[[], float] = time.perf_counter,
                 proc: str = PROC, hertz: Optional[int] = None):
        self.read, self.wall, self.proc = read, wall, proc
        self.hertz = hertz or ticks_per_second()
        self._start: Optional[tuple] = None

    def _ticks(self) -> Optional[tuple[int, int]]:
        try:
            return (busy_ticks(self.read(f"{self.proc}/stat")),
                    process_ticks(self.read(f"{self.proc}/self/stat")))
        except (OSError, ValueError):
            return None

    def start(self) -> None:
        self._start = (self.wall(), self._ticks())

    def stop(self, section: str, helpers: Iterable[float] = ()) -> Load:
        """The section's load; ``helpers`` are CPU seconds of our own worker processes."""
        if self._start is None:
            raise RuntimeError("Meter.stop() before start()")
        began, before = self._start
        seconds = self.wall() - began
        after = self._ticks()
        if before is None or after is None or seconds <= 0:
            return Load(section, seconds, None)
        others = (after[0] - before[0]) - (after[1] - before[1])
        cpus = (others / self.hertz - sum(helpers)) / seconds
        return Load(section, seconds, max(cpus, 0.0))
