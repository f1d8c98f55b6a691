"""Processes and listening ports from ``/proc``: a server's process group, the CPU time it
used, and whether any of it is left (no psutil)."""

from __future__ import annotations

import os
from typing import Iterable

from .._anatomy.load import processes_ticks, ticks_per_second
from .._anatomy.sched import PROC, read_text

#: The state of a listening socket in /proc/net/tcp.
LISTEN = "0A"


def _stat_fields(pid: int) -> list[str]:
    stat = read_text(f"{PROC}/{pid}/stat")
    return stat[stat.rindex(")") + 2:].split()


def pids() -> list[int]:
    return [int(name) for name in os.listdir(PROC) if name.isdigit()]


def group(pgid: int) -> list[int]:
    """The live processes (zombies left out) of process group ``pgid``."""
    found = []
    for pid in pids():
        try:
            fields = _stat_fields(pid)
        except (OSError, ValueError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(pid)
    return found


def cpu_seconds(members: Iterable[int]) -> float:
    """User plus system CPU seconds the processes have used so far (those gone count 0)."""
    return sum(processes_ticks(members).values()) / ticks_per_second()


def _listening_inodes() -> dict[str, int]:
    """Inode -> port of every listening TCP socket."""
    found = {}
    for table in ("tcp", "tcp6"):
        try:
            lines = read_text(f"{PROC}/net/{table}").splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == LISTEN:
                found[fields[9]] = int(fields[1].rsplit(":", 1)[1], 16)
    return found


def listening(members: Iterable[int]) -> dict[int, list[int]]:
    """The TCP ports each of the processes listens on (those listening on none left out)."""
    inodes = _listening_inodes()
    found: dict[int, list[int]] = {}
    for pid in members:
        try:
            links = [os.readlink(f"{PROC}/{pid}/fd/{fd}") for fd in os.listdir(f"{PROC}/{pid}/fd")]
        except OSError:
            continue
        ports = [inodes[link[8:-1]] for link in links
                 if link.startswith("socket:[") and link[8:-1] in inodes]
        if ports:
            found[pid] = ports
    return found
