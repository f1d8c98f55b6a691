"""The default backend of a call against the backend it should match, interleaved.

    OPENBLAS_NUM_THREADS=1 python benchmarks/default_backend.py [--rounds 15] [--wall]

``fastkern.matmul(a, b)`` with no backend picks by the call's size (``fastkern.info()
["defaults"]``): below the threshold it should cost what ``backend="c"`` costs, above it
what ``backend="numpy"`` (BLAS) costs. Each round times both calls of a pair in turn (each
repeated to last about 20 ms), by the calling thread's CPU time, which holds BLAS's work
only when it runs on that thread (``OPENBLAS_NUM_THREADS=1``), or with ``--wall`` by wall
time; the ratio default / named is the median over rounds with its quartiles. Unset OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for this run
only when comparing against NumPy. No figure here is asserted by a test.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import fastkern

#: (size, the backend the default should match there).
PAIRS = ((16, "c"), (512, "numpy"))


def per_call(call, repeats: int, clock=time.thread_time) -> float:
    """Seconds of one call by ``clock``, over ``repeats`` calls."""
    start = clock()
    for _ in range(repeats):
        call()
    return (clock() - start) / repeats


def repeats_for(call, clock, goal: float = 0.02) -> int:
    """How many calls last about ``goal`` seconds."""
    once = max(per_call(call, 3, clock), 1e-7)
    return max(1, int(goal / once))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds")
    parser.add_argument("--wall", action="store_true", help="wall time, not thread CPU time")
    options = parser.parse_args()
    clock = time.perf_counter if options.wall else time.thread_time
    print(f"fastkern {fastkern.__version__}; matmul default: {fastkern.info()['defaults']['matmul']}; "
          f"{'wall' if options.wall else 'thread CPU'} time")
    for size, named in PAIRS:
        rng = np.random.default_rng(size)
        a, b = rng.random((size, size)), rng.random((size, size))
        default = lambda: fastkern.matmul(a, b)  # noqa: E731
        chosen = lambda: fastkern.matmul(a, b, backend=named)  # noqa: E731
        repeats = repeats_for(chosen, clock)
        ratios, times = [], []
        for _ in range(options.rounds):
            mine, theirs = per_call(default, repeats, clock), per_call(chosen, repeats, clock)
            ratios.append(mine / theirs)
            times.append((mine, theirs))
        low, median, high = statistics.quantiles(ratios, n=4)
        print(f"matmul {size}x{size}: default {statistics.median(t[0] for t in times) * 1e6:.2f} us, "
              f"backend={named!r} {statistics.median(t[1] for t in times) * 1e6:.2f} us; "
              f"default / {named} = {median:.3f} (quartiles {low:.3f}..{high:.3f}, "
              f"{options.rounds} rounds)")


if __name__ == "__main__":
    main()
