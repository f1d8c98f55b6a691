"""One call, all cores, at the sizes of issue 11: the anatomy's section on its own.

    python benchmarks/scaling.py [--backend c] [--repeat 7] [--max-threads N] [--quick]
                                 [--kernel NAME [--size N]]

A thin command line over ``fastkern._anatomy.cores`` (``fastkern anatomy --cores`` measures
the same at sizes chosen from the ladder): for each kernel whose work splits, one call at
a fixed size is timed at T = 1..N threads, the T values interleaved round after round, and
each figure is printed as the anatomy derives it (median over rounds, not resolved where
its interquartile interval does not fit): speedup, efficiency, threads runnable at once,
Amdahl's serial fraction, and for sum and dot the bandwidth read against T threads copying
memory. Unset OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for this run only when comparing against
NumPy. No figure here is asserted by a test: busy machines move them.
"""

from __future__ import annotations

import argparse
import dataclasses

import fastkern
from fastkern._anatomy import cores, derive
from fastkern._report.numbers import FULL_LEGEND, fraction, times
from fastkern._anatomy.formatting import at_once
from fastkern._anatomy.settings import Settings
from fastkern._anatomy.timing import Timer
from fastkern._info import cpu_model, thread_budget

#: Kernel -> its size argument: the issue's sizes, and smaller ones for --quick.
SIZES = {"mandelbrot": (2000, 500), "spectral_norm": (2000, 500), "matmul": (512, 256),
         "sum": (10_000_000, 1_000_000), "dot": (10_000_000, 1_000_000),
         "monte_carlo_pi": (20_000_000, 2_000_000), "fannkuch": (10, 9), "binary_trees": (18, 12)}


def rows(found) -> list[str]:
    """One line per T: the figures the anatomy derives from the measured call."""
    lines = []
    for index, threads in enumerate(found.scaling.workers):
        line = (f"  T={threads:<3} {found.scaling.walls[index].median * 1e3:9.2f} ms  "
                f"speedup {times(derive.split_speedup(found, index))}  "
                f"efficiency {fraction(derive.efficiency(found.scaling, index))}")
        busy = derive.split_runnable(found, index)
        if busy is not None:
            line += f"  runnable at once {at_once(busy, threads)}"
        share = derive.of_copy_bandwidth(found, index)
        if share is not None:
            read = derive.bandwidth(found.bytes_read, found.scaling.walls[index]).value / 1e9
            copy = derive.bandwidth(found.copy_bytes, found.copies[index]).value / 1e9
            line += f"  {read:6.2f} GB/s read vs copy {copy:6.2f} GB/s ({times(share)})"
        lines.append(line)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="c", choices=["c", "typed"])
    parser.add_argument("--repeat", type=int, default=7, help="interleaved rounds")
    parser.add_argument("--max-threads", type=int, default=thread_budget())
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--kernel", choices=cores.splitting_kernels(), help="this kernel only")
    parser.add_argument("--size", type=int, help="the --kernel's size argument")
    options = parser.parse_args()
    if options.size is not None and options.kernel is None:
        parser.error("--size needs --kernel")
    counts = cores.thread_counts(options.max_threads)
    timer = Timer(dataclasses.replace(Settings(), samples=options.repeat))
    print(f"{cpu_model()}; threads=0 would use {thread_budget()}; backend {options.backend}; "
          f"median of {options.repeat} interleaved rounds; fastkern {fastkern.__version__}")
    for kernel in [options.kernel] if options.kernel else cores.splitting_kernels():
        size = options.size or SIZES[kernel][options.quick]
        found = cores.measure(kernel, options.backend, size, 0.0, counts, timer, call_time=0.0)
        print(f"\n{kernel}({size}): Amdahl serial fraction {fraction(derive.serial_fraction(found))}")
        print("\n".join(rows(found)))
    print(f"\n{FULL_LEGEND}")


if __name__ == "__main__":
    main()
