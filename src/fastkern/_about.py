"""``fastkern.info()``: this fastkern's version, backends and build, and the interpreter."""

from __future__ import annotations

import platform
import sys
import sysconfig

from ._dispatch import backends, default_rules, missing_backends
from ._info import build_info, cpu_model, cpu_quota, free_threaded, usable_cores, version


def info() -> dict:
    """Version, backends built (and why any are missing), each kernel's default backend,
    build settings and interpreter."""
    return {
        "fastkern": version(),
        "backends": backends(),
        "missing_backends": missing_backends(),
        "defaults": default_rules(),
        **build_info(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "free_threaded_build": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "gil_disabled": free_threaded(),
        "cpu": cpu_model(),
        "usable_cores": usable_cores(),
        "cpu_quota": cpu_quota(),
        "platform": platform.platform(),
    }
