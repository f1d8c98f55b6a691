"""A service run: start the servers, fix the offered rate, send every scenario in
interleaved rounds, sweep the rate, stop everything; :func:`service` returns the report.

Each round sends every scenario once, in the same order, the baseline (``/health`` alone)
first, so each scenario is read against its own round's baseline and slow drift of the
machine falls on all scenarios alike. The work's offered rate is fixed once, from the
python rung's CPU time per request measured in the server (:data:`SHARE_OF_A_CORE` of one
core), so every rung serves the same requests at the same rate.
"""

from __future__ import annotations

import contextlib
import dataclasses
import statistics
import time
from typing import Iterator, Optional, Sequence

from .. import _dispatch
from .._anatomy import machine
from .._report import terminal
from .._anatomy.load import Meter
from .._info import thread_budget
from .._rungs import BUILT_IN, GIL_RELEASING, LADDER, STEPS, position
from . import extra, generator
from .app import route
from .figures import RATE_SERVED, verdict
from .generator import Stream
from .model import Scenario, Window
from .report import ServiceReport
from .probes import HEALTH
from .server import Server, get, stop_all

#: The kernels and rungs served by default (``fastkern service`` with no kernel).
DEFAULT_KERNELS = ("mandelbrot",)
DEFAULT_RUNGS = tuple(name for name in LADDER if name in BUILT_IN and name not in STEPS)
QUICK_RUNGS = ("python", "c")
#: The python rung's CPU per request the default request size aims at, seconds.
REQUEST_CPU = 0.005
#: The work's offered rate uses this share of one core on the python rung.
SHARE_OF_A_CORE = 0.5
VICTIM_RATE = 100.0
#: The victim's p99 above which a rate of the sweep counts as not served.
BOUND = 0.050
#: A rate of the sweep counts as served when at least this share of its requests is answered.
SERVED = 0.95
#: The sweep's rates, as multiples of the work's offered rate.
SWEEP = (1, 2, 4, 8)
QUICK_SWEEP = (1, 4)


@dataclasses.dataclass(frozen=True)
class Plan:
    rounds: int
    window: float
    sweep: tuple
    sweep_window: float


DEFAULT = Plan(rounds=3, window=1.0, sweep=SWEEP, sweep_window=0.6)
QUICK = Plan(rounds=2, window=0.6, sweep=QUICK_SWEEP, sweep_window=0.4)


def request_size(kernel: str) -> int:
    """The size whose python call takes about :data:`REQUEST_CPU` (the kernel's reference
    size lasts about 20 ms)."""
    spec = _dispatch.kernel_spec(kernel)
    if spec.reference_size is None:
        return spec.sizes[0]
    target = spec.work(spec.reference_size) * REQUEST_CPU / 0.020
    return min(range(1, spec.reference_size + 1), key=lambda size: abs(spec.work(size) - target))


def _label(kernel: str, rung: str, many_kernels: bool) -> str:
    return f"{kernel} {rung}" if many_kernels else rung


def scenarios(kernels: Sequence[str], rungs: Sequence[str], cores: int) -> list[Scenario]:
    """The baseline, then every rung as async def and def (GIL-releasing rungs also with
    the GIL held), python in a process pool and in ``cores`` worker processes, and the
    last GIL-releasing rung as def with ``cores`` thread-pool tokens instead of 40."""
    found = [Scenario("/health alone", None, None, None, None)]
    many = len(kernels) > 1
    for kernel in kernels:
        served = [r for r in rungs if r in _dispatch.kernel_backends(kernel)]
        for rung in served:
            name = _label(kernel, rung, many)
            found.append(Scenario(f"{name} as async def", kernel, rung, "async",
                                  route(kernel, rung, "async")))
            found.append(Scenario(f"{name} as def", kernel, rung, "def", route(kernel, rung, "def")))
            if rung in GIL_RELEASING:
                found.append(Scenario(f"{name} as def, GIL held", kernel, rung, "def-held",
                                      route(kernel, rung, "def-held")))
        first = served[0]
        found.append(Scenario(f"{_label(kernel, first, many)} in a process pool", kernel, first,
                              "pool", route(kernel, first, "pool")))
        if cores > 1:
            found.append(Scenario(f"{_label(kernel, first, many)} as async def, {cores} workers",
                                  kernel, first, "workers", route(kernel, first, "async"),
                                  workers=cores))
        releasing = [r for r in served if r in GIL_RELEASING]
        if releasing:
            found.append(Scenario(f"{_label(kernel, releasing[-1], many)} as def, {cores} tokens",
                                  kernel, releasing[-1], "tokens",
                                  route(kernel, releasing[-1], "def"), tokens=cores))
    return found


#: The modes the sweep runs on a kernel's first rung, and on its last.
SWEPT_FIRST = ("async", "def", "pool", "workers", "route")
SWEPT_LAST = ("def", "tokens")


def swept(found: Sequence[Scenario]) -> list[Scenario]:
    """The scenarios the sweep runs: each kernel's first rung as async def, def, in a
    process pool and in workers; its last as def with 40 tokens and with one per core."""
    chosen = []
    for kernel in dict.fromkeys(s.kernel for s in found if s.route):
        mine = [s for s in found if s.route and s.kernel == kernel]
        first, last = mine[0].rung, mine[-1].rung
        chosen += [s for s in mine if (s.rung == first and s.mode in SWEPT_FIRST)
                   or (s.rung == last and s.mode in SWEPT_LAST)]
    return chosen


def _server_key(scenario: Scenario) -> tuple:
    return (scenario.workers, scenario.tokens)


def _configs(scenarios_: Sequence[Scenario], sizes: dict, rungs: Sequence[str],
             cores: int) -> dict[tuple, tuple[dict, int]]:
    """One server per (workers, tokens): its configuration and worker count."""
    found = {}
    for s in scenarios_:
        key = _server_key(s)
        if key not in found:
            pool = cores if key == (1, None) else 0
            found[key] = ({"kernels": sizes, "rungs": list(rungs), "tokens": s.tokens,
                           "pool": pool}, s.workers)
    return found


def _cost(server: Optional[Server], address: str, calls: int = 8) -> float:
    """The work's median CPU per request inside the server, from requests sent one at a
    time (their median wall time where no probes record CPU); the first two warm up."""
    if server is not None:
        server.probe()
    walls = []
    for _ in range(calls):
        started = time.perf_counter()
        get(address, timeout=30.0)
        walls.append(time.perf_counter() - started)
    cpu = ([c for worker in server.probe().values() for c in worker["cpu"]]
           if server is not None else [])
    return statistics.median(cpu[2:] or walls[2:])


def _measure(scenario: Scenario, server: Optional[Server], base: str, victim: Optional[str],
             work_rate: float, victim_rate: float, seconds: float, index: int,
             meter: Meter) -> Window:
    streams = [Stream("victim", base + victim, victim_rate)] if victim else []
    rate = work_rate if scenario.route else 0.0
    if scenario.route:
        streams.append(Stream("work", base + scenario.route, rate))
    probes = server is not None
    if probes:
        server.probe()
        cpu_before = server.cpu_seconds()
    meter.start()
    found, own = generator.run(streams, seconds)
    server_cpu = server.cpu_seconds() - cpu_before if probes else 0.0
    load = meter.stop(scenario.name, helpers=[server_cpu])
    lags = cpu = None
    recorded = ()
    each: tuple[float, ...] = ()
    if probes:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server of {scenario.name!r} exited with status "
                               f"{server.process.returncode} during the run")
        recorded = server.probe().values()
        lags = sorted(lag for worker in recorded for lag in worker["lags"])
        cpu = [c for worker in recorded for c in worker["cpu"]]
        if len(recorded) > 1:
            each = tuple(generator.percentile(sorted(worker["lags"]), 0.99)
                         for worker in recorded if worker["lags"])
    answered = sum(f.answered for f in found.values())
    return Window(
        scenario=scenario.name, round=index, offered=rate, work=found.get("work"),
        victim=found.get("victim"), lag_p99=generator.percentile(lags, 0.99) if lags else None,
        lag_max=lags[-1] if lags else None,
        work_cpu=statistics.median(cpu) if cpu else None,
        server_cpu=server_cpu / answered if probes and answered else None,
        generator=own, load=load, probed=len(recorded), worker_lag_p99=each)


@contextlib.contextmanager
def _servers(configs: dict[tuple, tuple[dict, int]]) -> Iterator[dict[tuple, Server]]:
    """Every server started, and every one stopped however the block ends."""
    started: dict[tuple, Server] = {}
    try:
        for key, (config, workers) in configs.items():
            started[key] = Server(config, workers)
            started[key].start()
        yield started
    finally:
        stop_all(started.values())


def _check(kernels: Sequence[str], rungs: Sequence[str]) -> None:
    for kernel in kernels:
        if kernel not in _dispatch.kernels():
            raise ValueError(f"kernels: unknown kernel {kernel!r}; choose from "
                             f"{', '.join(_dispatch.kernels())}")
        if _dispatch.kernel_spec(kernel).implementations.run_time:
            raise ValueError(f"kernels: {kernel!r} is registered at run time, which a server "
                             "process cannot import; serve it in your own app with --app")
    for rung in rungs:
        if rung not in _dispatch.backends():
            raise ValueError(f"rungs: {rung!r} is not a built backend; built: "
                             f"{', '.join(_dispatch.backends())}")


def _what_to_serve(kernels: Optional[Sequence[str]], rungs: Optional[Sequence[str]],
                   app: Optional[str], path: str, url: Optional[str], quick: bool,
                   cores: int) -> tuple[list[Scenario], dict, dict[str, int], str]:
    """The scenarios, the servers' configurations, each kernel's request size, and the
    name of what is served."""
    if app is not None or url is not None:
        found = [Scenario("/health alone", None, None, None, None)] if app else []
        found.append(Scenario(path, None, None, "route", path))
        return found, ({(1, None): ({"app": app}, 1)} if app else {}), {}, app or url
    kernels = list(kernels or DEFAULT_KERNELS)
    rungs = sorted(rungs or (QUICK_RUNGS if quick else DEFAULT_RUNGS), key=position)
    _check(kernels, rungs)
    sizes = {kernel: request_size(kernel) for kernel in kernels}
    found = scenarios(kernels, rungs, cores)
    return found, _configs(found, sizes, rungs, cores), sizes, "fastkern kernels"


def service(kernels: Optional[Sequence[str]] = None, *, rungs: Optional[Sequence[str]] = None,
            app: Optional[str] = None, path: str = "/", url: Optional[str] = None,
            quick: bool = False, rounds: Optional[int] = None,
            progress: bool = False) -> ServiceReport:
    """Measure what serving each kernel's rungs does to a web service under load.

    ``kernels`` (default: mandelbrot) on ``rungs`` (default python, compiled, typed, c;
    quick: python, c), each as ``async def``, ``def``, a process pool, several workers,
    under an open-loop load beside ``/health``. ``app="module:app"`` serves your ASGI app
    instead and drives ``path``; ``url`` drives ``path`` on a server already running
    (no probes inside it). ``rounds`` (3 by default, 2 quick) interleaves the scenarios.
    Needs the extra ``fastkern[service]``.
    """
    extra.require()
    if sum(x is not None for x in (app, url)) + bool(kernels) > 1:
        raise ValueError("kernels, app and url: give at most one of them")
    if rounds is not None and (isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 1):
        raise ValueError(f"rounds must be a positive integer, got {rounds!r}")
    if not path.startswith("/"):
        raise ValueError(f"path must start with '/', got {path!r}")
    plan = QUICK if quick else DEFAULT
    if rounds is not None:
        plan = dataclasses.replace(plan, rounds=rounds)
    cores = thread_budget()
    started = time.perf_counter()
    found, configs, sizes, target = _what_to_serve(kernels, rungs, app, path, url, quick, cores)
    victim = (HEALTH if app else "/health") if url is None else None
    steps = plan.rounds * (len(found) + len(plan.sweep) * len(swept(found)))
    meter = Meter()
    with contextlib.ExitStack() as stack:
        servers = stack.enter_context(_servers(configs))
        report_step = stack.enter_context(terminal.progress_bar()) if progress else (lambda *a: None)
        main = servers.get((1, None))
        base_of = {key: s.url for key, s in servers.items()}
        first_work = next(s for s in found if s.route)
        report_step("fixing the rate", 0, steps)
        cost = _cost(main, (main.url if main else url.rstrip("/")) + first_work.route)
        work_rate = min(max(SHARE_OF_A_CORE / cost, 2.0), 400.0)

        def measure(scenario: Scenario, rate: float, index: int, seconds: float) -> Window:
            server = servers.get(_server_key(scenario))
            base = base_of.get(_server_key(scenario), (url or "").rstrip("/"))
            return _measure(scenario, server, base, victim, rate, VICTIM_RATE, seconds, index, meter)

        windows, done = [], 0
        for index in range(plan.rounds):
            for scenario in found:
                report_step(f"round {index + 1}: {scenario.name}"[:32], done, steps)
                windows.append(measure(scenario, work_rate, index, plan.window))
                done += 1
        sweep: list[Window] = []
        going = swept(found)
        for factor in plan.sweep:
            rate = work_rate * factor
            for index in range(plan.rounds):
                for scenario in going:
                    report_step(f"sweep {index + 1}: {scenario.name}"[:32], done, steps)
                    sweep.append(measure(scenario, rate, index, plan.sweep_window))
                    done += 1
            going = [s for s in going if verdict(
                [p for p in sweep if p.scenario == s.name and p.offered == rate],
                BOUND, SERVED) == RATE_SERVED]
    return ServiceReport(
        machine=machine.describe(), target=target, probes=url is None,
        request_sizes=tuple(sizes.items()), victim_rate=VICTIM_RATE if victim else 0.0,
        work_rate=work_rate, window=plan.window, rounds=plan.rounds, bound=BOUND, served=SERVED,
        scenarios=tuple(found), windows=tuple(windows), sweep=tuple(sweep),
        elapsed=time.perf_counter() - started, sweep_window=plan.sweep_window)

