"""Helpers of the service tests: a report built by hand, and what is left of a run."""

import os
import platform

from fastkern._anatomy.model import Load, Machine
from fastkern._service import procs
from fastkern._service.model import Generator, Latencies, Scenario, Window
from fastkern._service.report import ServiceReport

MACHINE = Machine(cpu="test cpu", usable_cores=2, python=platform.python_version(),
                  implementation="CPython", free_threaded_build=False, gil_disabled=False,
                  compiler="cc", c_flags="-O2", cython="3", fastkern="0", backends=("python",),
                  platform="linux", timestamp="2026-01-01T00:00:00+00:00", load=0.0,
                  cpu_quota=None, autogroup=None, schedstat=False)


def latencies(p99, rate=100.0, answered=100):
    return Latencies(planned=100, sent=100, answered=answered, errors=0,
                     unanswered=100 - answered, p50=p99 / 3, p99=p99, max=p99 * 1.2,
                     achieved=rate)


def window(name, index, victim_p99, work_p99=None, offered=50.0, behind=False):
    work = latencies(work_p99, offered) if work_p99 is not None else None
    return Window(scenario=name, round=index, offered=offered if work else 0.0, work=work,
                  victim=latencies(victim_p99), lag_p99=victim_p99 / 2, lag_max=victim_p99,
                  work_cpu=0.005 if work else None, server_cpu=0.004,
                  generator=Generator(0.001, 0.002, 0.1, behind), load=Load(name, 1.0, 0.1))


SCENARIOS = (Scenario("/health alone", None, None, None, None),
             Scenario("python as async def", "mandelbrot", "python", "async", "/a"),
             Scenario("c as def", "mandelbrot", "c", "def", "/b"))


def swept(name, offered, victim_p99s, work_p99=0.004):
    """One rate of the sweep: a window per round."""
    return tuple(window(name, index, victim, work_p99, offered=offered)
                 for index, victim in enumerate(victim_p99s))


def made_report(blocked=(0.040, 0.050, 0.045), behind=False, last=(0.090, 0.1, 0.08)):
    """Three rounds: /health p99 2 ms alone, ``blocked`` beside python as async def, 2.2 ms
    beside c as def; a sweep of three rounds where c serves 100/s (and at 200/s /health p99
    reads ``last``) and python not even 50/s."""
    windows = []
    for index, blocking in enumerate(blocked):
        windows += [window("/health alone", index, 0.002),
                    window("python as async def", index, blocking, 0.1, behind=behind),
                    window("c as def", index, 0.0022 + index * 1e-4, 0.003)]
    sweep = (*swept("python as async def", 50.0, (0.2, 0.3, 0.25), 0.4),
             *swept("c as def", 50.0, (0.003, 0.003, 0.0035)),
             *swept("c as def", 100.0, (0.004, 0.005, 0.0045), 0.005),
             *swept("c as def", 200.0, last, 0.2))
    return ServiceReport(machine=MACHINE, target="fastkern kernels", probes=True,
                         request_sizes=(("mandelbrot", 50),), victim_rate=100.0, work_rate=50.0,
                         window=1.0, rounds=len(blocked), bound=0.05, served=0.95,
                         scenarios=SCENARIOS, windows=tuple(windows), sweep=sweep, elapsed=10.0)


def marked(marker):
    """The processes whose environment holds ``marker`` (a run's, and all its children's)."""
    found = []
    for pid in procs.pids():
        try:
            with open(f"/proc/{pid}/environ", "rb") as environ:
                if marker.encode() in environ.read():
                    found.append(pid)
        except OSError:
            continue
    return [pid for pid in found if pid != os.getpid()]
