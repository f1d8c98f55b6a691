"""The machine a report was measured on, from ``fastkern.info()``."""

from __future__ import annotations

import datetime
import os

from .._about import info
from . import sched
from .model import Machine


def describe() -> Machine:
    details = info()
    return Machine(
        cpu=details["cpu"], usable_cores=details["usable_cores"], python=details["python"],
        implementation=details["implementation"],
        free_threaded_build=details["free_threaded_build"], gil_disabled=details["gil_disabled"],
        compiler=details["compiler"], c_flags=details["c_flags"], cython=details["cython"],
        fastkern=details["fastkern"], backends=tuple(details["backends"]),
        platform=details["platform"],
        timestamp=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        load=os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        cpu_quota=details["cpu_quota"], autogroup=sched.autogroup(),
        schedstat=sched.probe() is not None)
