"""One call, all cores: strong scaling of ``threads=T`` for T = 1..usable cores.

    python benchmarks/scaling.py [--backend c] [--repeat 7] [--max-threads N] [--quick]

For each kernel whose work splits, one fixed-size call is timed at every T, the T values
interleaved round after round (so a change in machine load hits every T alike), and the
medians printed: wall time, speedup over T=1, efficiency (speedup / T), cores obtained
(process CPU time / wall: below T when other processes took the cores or threads waited),
and an Amdahl fit (serial fraction) over T >= 2. For sum and dot it prints the bandwidth
achieved beside a copy-bandwidth probe (numpy copies in T threads) at the same T: the
roofline a memory-bound call meets. Unset OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for this run
only when comparing against NumPy. No figure here is asserted by a test: busy machines
move them.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

import numpy as np

import fastkern
from fastkern._info import cpu_model, thread_budget

N_VECTOR = 10_000_000


def cases(quick: bool) -> dict:
    """Kernel name -> (positional args, keyword args): the issue's sizes (smaller if quick)."""
    rng = np.random.default_rng(0)
    n = 1_000_000 if quick else N_VECTOR
    side = 256 if quick else 512
    return {
        "mandelbrot": ((500, 500) if quick else (2000, 2000), {}),
        "spectral_norm": ((500 if quick else 2000,), {}),
        "matmul": ((rng.random((side, side)), rng.random((side, side))), {}),
        "sum": ((rng.random(n),), {}),
        "dot": ((rng.random(n), rng.random(n)), {}),
        "monte_carlo_pi": ((2_000_000 if quick else 20_000_000,), {}),
        "fannkuch": ((9 if quick else 10,), {}),
        "binary_trees": ((12 if quick else 18,), {}),
    }


def timed(call) -> tuple[float, float]:
    """Wall seconds and process CPU seconds (every thread's) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


def copy_probe(n: int, threads: int) -> float:
    """Wall seconds for ``threads`` threads to copy one slice each of an n-element array."""
    source, target = np.ones(n), np.empty(n)
    bounds = np.linspace(0, n, threads + 1).astype(int)
    start = threading.Barrier(threads + 1)

    def copy(lo: int, hi: int) -> None:
        start.wait()
        np.copyto(target[lo:hi], source[lo:hi])

    workers = [threading.Thread(target=copy, args=(lo, hi)) for lo, hi in zip(bounds, bounds[1:])]
    for worker in workers:
        worker.start()
    began = time.perf_counter()
    start.wait()
    for worker in workers:
        worker.join()
    return time.perf_counter() - began


def amdahl_serial_fraction(speedups: dict[int, float]) -> float | None:
    """Least-squares f in 1/S(T) = f + (1 - f)/T over T >= 2 (None without such T)."""
    points = [(1 - 1 / t, 1 / s - 1 / t) for t, s in speedups.items() if t >= 2]
    denominator = sum(x * x for x, _ in points)
    return sum(x * y for x, y in points) / denominator if denominator else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="c", choices=["c", "typed"])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--max-threads", type=int, default=thread_budget())
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    options = parser.parse_args()
    counts = list(range(1, options.max_threads + 1))
    print(f"{cpu_model()}; threads=0 would use {thread_budget()}; backend {options.backend}; "
          f"median of {options.repeat} interleaved rounds; fastkern {fastkern.__version__}")
    for kernel, (args, kwargs) in cases(options.quick).items():
        function = getattr(fastkern, kernel)
        runs = {t: [] for t in counts}
        copies = {t: [] for t in counts}
        for _ in range(options.repeat):
            for t in counts:
                runs[t].append(timed(lambda: function(*args, backend=options.backend, threads=t, **kwargs)))
                if kernel in ("sum", "dot"):
                    copies[t].append(copy_probe(len(args[0]), t))
        wall = {t: statistics.median(w for w, _ in runs[t]) for t in counts}
        cores = {t: statistics.median(c / w for w, c in runs[t]) for t in counts}
        speedup = {t: wall[1] / wall[t] for t in counts}
        fraction = amdahl_serial_fraction(speedup)
        print(f"\n{kernel}{args[:2] if kernel in ('mandelbrot',) else ''}: Amdahl serial fraction "
              + ("n/a (one T)" if fraction is None else f"{fraction:.3f}"))
        for t in counts:
            line = (f"  T={t:<3} {wall[t] * 1e3:9.2f} ms  speedup {speedup[t]:5.2f}  "
                    f"efficiency {speedup[t] / t:5.2f}  cores obtained {cores[t]:5.2f}")
            if kernel in ("sum", "dot"):
                moved = 8 * len(args[0]) * len(args)
                bandwidth = moved / wall[t] / 1e9
                copy = 16 * len(args[0]) / statistics.median(copies[t]) / 1e9
                line += f"  {bandwidth:6.2f} GB/s read vs copy {copy:6.2f} GB/s ({bandwidth / copy:4.2f}x)"
            print(line)


if __name__ == "__main__":
    main()
