"""What this fastkern is and how it was built, and the machine it runs on: the facts that
``fastkern.info()`` (:mod:`._about`) and the anatomy report."""

from __future__ import annotations

import math
import os
import platform
import sys
import sysconfig

from importlib.metadata import PackageNotFoundError, version as _version


def version() -> str:
    """This fastkern's version, as installed."""
    try:
        return _version("fastkern")
    except PackageNotFoundError:
        return "0+unknown"


def build_info() -> dict:
    """How the extension modules were built (None where they were not)."""
    try:
        from . import _build_info as built
    except ImportError:
        return {"compiler": None, "c_flags": None, "cython": None, "native": None, "threads": None}
    return {"compiler": built.COMPILER, "c_flags": built.C_FLAGS, "cython": built.CYTHON_VERSION,
            "native": built.NATIVE, "threads": _threads_line(built.THREADS)}


def threads_built() -> bool:
    """Whether this build splits one call over threads (``threads=N`` with N > 1)."""
    try:
        from . import _build_info as built
    except ImportError:
        return False
    return bool(built.THREADS)


def _threads_line(built_with_threads: bool) -> str:
    if built_with_threads:
        return "pthreads: threads=N splits one typed or c call over N threads"
    return "none: built without pthreads, threads > 1 raises ValueError"


def cpu_model() -> str:
    """The CPU's model name, as the OS reports it."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cores() -> int:
    """Cores this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def cpu_quota() -> float | None:
    """The cgroup v2 CPU limit in cores (``cpu.max``), or None where there is none.

    A container may see many cores in its affinity mask yet be allowed far less CPU
    time than that; thread and process scaling cannot exceed this quota.
    """
    try:
        with open("/sys/fs/cgroup/cpu.max", encoding="ascii") as limit:
            quota, period = limit.read().split()[:2]
    except (OSError, ValueError):
        return None
    return None if quota == "max" else int(quota) / int(period)


def thread_budget() -> int:
    """Threads ``threads=0`` uses: the usable cores, capped by the CPU quota (rounded up)."""
    quota = cpu_quota()
    cores = usable_cores()
    return cores if quota is None else max(1, min(cores, math.ceil(quota)))


def free_threaded() -> bool:
    """Whether this interpreter is a free-threaded build with the GIL actually off."""
    if not sysconfig.get_config_var("Py_GIL_DISABLED"):
        return False
    return not getattr(sys, "_is_gil_enabled", lambda: True)()
