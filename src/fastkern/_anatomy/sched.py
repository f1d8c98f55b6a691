"""Runnable time: how long a thread was on a CPU or waiting for one (not blocked).

A thread waiting for the GIL sleeps, so it is not runnable; a thread waiting because
other programs hold the CPUs is. Summed over worker threads and divided by the wall time,
runnable time says how many threads the code let run at once, whatever else the machine
runs. Linux reports it in ``/proc/self/task/<tid>/schedstat``: field 1 is time on a CPU,
field 2 time waiting in a run queue (nanoseconds). Field 1 is brought up to date only at
scheduler events; ``CLOCK_THREAD_CPUTIME_ID`` (``time.thread_time``) reads the same counter
up to date, so it stands in for field 1. Field 2 is current whenever the thread reads it,
since it is updated each time the thread gets a CPU.

A reading must not let go of the GIL: a thread that releases it (as Python's file reads
do) may have to wait for it and then for a CPU, and on a busy machine that wait lands
just after the reading, inside the measured window. :func:`read_holding_gil` reads through
libc called with the GIL held.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from typing import Callable, Optional

Reader = Callable[[str], str]
#: The calling thread's runnable seconds so far (a counter: only differences mean anything).
Probe = Callable[[], float]

PROC = "/proc"


def read_text(path: str) -> str:
    with open(path, encoding="ascii") as file:
        return file.read()


_LIBC = None


def read_holding_gil(path: str, size: int = 256) -> str:
    """The start of a small file, read by libc's open/pread/close without releasing the GIL."""
    global _LIBC
    if _LIBC is None:
        _LIBC = ctypes.PyDLL(None, use_errno=True)
        _LIBC.pread.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_long)
        _LIBC.pread.restype = ctypes.c_ssize_t
    buffer = ctypes.create_string_buffer(size)
    fd = _LIBC.open(path.encode(), os.O_RDONLY)
    if fd < 0:
        raise OSError(ctypes.get_errno(), f"cannot open {path}")
    try:
        count = _LIBC.pread(fd, buffer, size, 0)
    finally:
        _LIBC.close(fd)
    if count < 0:
        raise OSError(ctypes.get_errno(), f"cannot read {path}")
    return buffer.raw[:count].decode("ascii")


def schedstat_path(tid: int, proc: str = PROC) -> str:
    return f"{proc}/self/task/{tid}/schedstat"


def parse_schedstat(text: str) -> tuple[int, int]:
    """Nanoseconds on a CPU and waiting in a run queue, from a schedstat line."""
    fields = text.split()
    if len(fields) < 2:
        raise ValueError(f"schedstat has fields 'on-CPU run-queue-wait timeslices', got {text!r}")
    return int(fields[0]), int(fields[1])


def probe(read: Reader = read_holding_gil, cpu: Callable[[], float] = time.thread_time,
          proc: str = PROC) -> Optional[Probe]:
    """The calling thread's runnable-seconds probe, or None without schedstat (or libc)."""
    try:
        parse_schedstat(read(schedstat_path(threading.get_native_id(), proc)))
    except (OSError, ValueError, AttributeError, TypeError):
        return None

    def runnable() -> float:
        waited = parse_schedstat(read(schedstat_path(threading.get_native_id(), proc)))[1]
        return cpu() + waited / 1e9

    return runnable


def autogroup(read: Reader = read_text, proc: str = PROC) -> Optional[str]:
    """This process's CFS autogroup (e.g. ``/autogroup-2 nice 0``) when autogroups are on.

    With autogroups, the CPUs are shared fairly between sessions first: a busy program in
    another session caps all our threads together at its share, whatever their number.
    """
    try:
        if read(f"{proc}/sys/kernel/sched_autogroup_enabled").strip() != "1":
            return None
        return read(f"{proc}/self/autogroup").strip() or None
    except OSError:
        return None
