"""Checks of the anatomy's own figures, one command each (run from the repository root).

    python benchmarks/check_anatomy.py agree [--quick] [KERNEL ...]
        The anatomy's ladder and an independent timeit-style measurement of the same raw
        calls (``fastkern.implementation(kernel, backend)(*prepared args)`` in a plain loop
        timed by ``time.thread_time_ns``, the cycle collector off as timeit has it), made in
        the same run (three turns each, taken alternately; medians), side by side with their
        ratio.

    python benchmarks/check_anatomy.py load [--busy N] [--quick] [KERNEL ...]
        Each kernel's python/typed and python/c ladder ratios (medians of three ladder
        measurements) measured idle, idle again, and while N busy loops (default 2) spin in
        other sessions, with how far each run is from the first idle one; then each rung's
        own median in each run, to see which rung moved, and the machine's own speed (the
        anatomy's probe) after each kernel. Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import subprocess
import sys
import time
from typing import Callable, Sequence

import fastkern
from fastkern import _dispatch
from fastkern._anatomy import ladder, steady
from fastkern._anatomy.inputs import choose_size, prepared
from fastkern._anatomy.run import default_kernels
from fastkern._anatomy.model import Timing
from fastkern._anatomy.settings import Settings
from fastkern._anatomy.formatting import probe_work
from fastkern._anatomy.timing import Timer, collector

RATIOS = (("python", "typed"), ("python", "c"))


def independent(calls: dict[str, Callable[[], object]], rounds: int = 7,
                min_ns: int = 20_000_000) -> dict[str, float]:
    """Median thread-CPU seconds per call of each callable, the callables taking turns."""
    with collector(False):
        return _independent(calls, rounds, min_ns)


def _independent(calls: dict[str, Callable[[], object]], rounds: int,
                 min_ns: int) -> dict[str, float]:
    loops = {}
    for name, call in calls.items():
        n = 1
        while True:
            start = time.thread_time_ns()
            for _ in range(n):
                call()
            if time.thread_time_ns() - start >= min_ns:
                break
            n *= 2
        loops[name] = n
    per_call: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            start = time.thread_time_ns()
            for _ in range(loops[name]):
                call()
            per_call[name].append((time.thread_time_ns() - start) / 1e9 / loops[name])
    return {name: statistics.median(values) for name, values in per_call.items()}


def raw_calls(kernel: str, size: int, backends: Sequence[str]) -> dict[str, Callable[[], object]]:
    return {backend: functools.partial(fastkern.implementation(kernel, backend),
                                       *prepared(kernel, backend, size)) for backend in backends}


def sizes(kernels: Sequence[str], settings: Settings) -> dict[str, int]:
    return {kernel: choose_size(kernel, settings.target_time) for kernel in kernels}


class Ladders:
    """Ladder measurements as the anatomy takes them; medians over the turns."""

    def __init__(self, settings: Settings):
        self.timer = Timer(settings, speed=steady.probe(time.thread_time, settings.speed_loops))
        self.turns: dict[str, list[dict[str, Timing]]] = {}

    def measure(self, kernel: str, size: int) -> None:
        found = ladder.measure(kernel, size, _dispatch.kernel_backends(kernel), self.timer)
        self.turns.setdefault(kernel, []).append(found)

    def medians(self) -> dict[tuple[str, str], float]:
        """Each (kernel, backend)'s median over the turns."""
        return {(kernel, backend): statistics.median(turn[backend].median for turn in turns)
                for kernel, turns in self.turns.items() for backend in turns[0]}


def agree(kernels: Sequence[str], settings: Settings, turns: int = 3) -> None:
    """Both measurements, taking ``turns`` turns each, so that a change of load hits both."""
    print(f"{'kernel':<22}{'backend':<10}{'anatomy':>12}{'independent':>13}{'ratio':>8}")
    worst = 0.0
    chosen = sizes(kernels, settings)
    ladders = Ladders(settings)
    other: dict[tuple[str, str], list[float]] = {}
    for kernel, size in chosen.items():
        calls = raw_calls(kernel, size, _dispatch.kernel_backends(kernel))
        for _ in range(turns):
            ladders.measure(kernel, size)
            for backend, value in independent(calls).items():
                other.setdefault((kernel, backend), []).append(value)
    found = ladders.medians()
    for (kernel, backend), values in other.items():
        theirs = statistics.median(values)
        worst = max(worst, abs(found[kernel, backend] / theirs - 1))
        print(f"{kernel + f'({chosen[kernel]})':<22}{backend:<10}"
              f"{found[kernel, backend] * 1e6:>10.2f}us{theirs * 1e6:>11.2f}us"
              f"{found[kernel, backend] / theirs:>8.3f}")
    print(f"largest difference, anatomy vs independent: {worst:.1%}")


def ratios(kernels: dict[str, int], settings: Settings, turns: int = 3,
           times: dict | None = None, speeds: list | None = None) -> dict[tuple[str, str], float]:
    """Each kernel's ladder ratios from the medians of ``turns`` ladder measurements; each
    rung's median seconds go into ``times`` by kernel and backend when it is given, and a
    reading of the machine's own speed after each kernel into ``speeds``."""
    found = {}
    ladders = Ladders(settings)
    probe = steady.probe(time.thread_time, settings.speed_loops)
    for kernel, size in kernels.items():
        for _ in range(turns):
            ladders.measure(kernel, size)
        if speeds is not None:
            speeds.append(probe())
    medians = ladders.medians()
    if times is not None:
        times.update(medians)
    for kernel in kernels:
        for upper, lower in RATIOS:
            if (kernel, upper) in medians and (kernel, lower) in medians:
                found[kernel, f"{upper}/{lower}"] = medians[kernel, upper] / medians[kernel, lower]
    return found


def busy_loops(count: int) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
            for _ in range(count)]


def load(kernels: Sequence[str], settings: Settings, busy: int) -> None:
    chosen = sizes(kernels, settings)
    names = ["idle", "idle again", f"{busy} busy loops"]
    rungs: dict[str, dict] = {name: {} for name in names}
    speeds: dict[str, list] = {name: [] for name in names}

    def measure(name: str) -> dict:
        return ratios(chosen, settings, times=rungs[name], speeds=speeds[name])

    runs = {name: measure(name) for name in names[:2]}
    spinning = busy_loops(busy)
    try:
        time.sleep(1)
        runs[names[2]] = measure(names[2])
    finally:
        for process in spinning:
            process.kill()
            process.wait()
    _moves("ratio", names, runs, lambda value: f"{value:>15.3f}x", chosen)
    print()
    _moves("rung", names, rungs, lambda value: f"{value * 1e6:>14.1f}us", chosen)
    print(f"\nthe machine's own speed: {probe_work(settings.speed_loops)}, thread CPU time, "
          f"after each kernel")
    for name in names:
        print(f"  {name:<16}" + " ".join(f"{value * 1e3:.2f}" for value in speeds[name])
              + f" ms  (largest/least {max(speeds[name]) / min(speeds[name]):.2f})")


def _moves(label: str, names: list[str], runs: dict[str, dict], cell: Callable[[float], str],
           chosen: dict[str, int]) -> None:
    """A table of ``runs``' figures side by side, each run's move from the first, and the
    largest move (ratios: how far each run is from idle; backends: which rung moved)."""
    print(f"{'kernel':<22}{label:<14}" + "".join(f"{name:>16}" for name in names)
          + "".join(f"{'vs idle: ' + name:>26}" for name in names[1:]))
    worst = {name: 0.0 for name in names[1:]}
    for (kernel, what), first in runs[names[0]].items():
        cells = "".join(cell(runs[name][kernel, what]) for name in names)
        for name in names[1:]:
            worst[name] = max(worst[name], abs(runs[name][kernel, what] / first - 1))
        moved = "".join(f"{runs[name][kernel, what] / first - 1:>+26.1%}" for name in names[1:])
        print(f"{kernel + f'({chosen[kernel]})':<22}{what:<14}{cells}{moved}")
    for name, value in worst.items():
        print(f"largest difference of a {label}, {name} vs idle: {value:.1%}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("check", choices=("agree", "load"))
    parser.add_argument("kernels", nargs="*", help="kernels (default: the anatomy's)")
    parser.add_argument("--quick", action="store_true", help="the anatomy's quick settings")
    parser.add_argument("--busy", type=int, default=2, help="busy loops for the load check")
    args = parser.parse_args(argv)
    settings = Settings.for_mode(args.quick)
    kernels = args.kernels or default_kernels()
    if args.check == "agree":
        agree(kernels, settings)
    else:
        load(kernels, settings, args.busy)
    return 0


if __name__ == "__main__":
    sys.exit(main())
