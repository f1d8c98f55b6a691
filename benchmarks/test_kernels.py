"""Every kernel x backend, on inputs converted outside the timed region.

Each table groups one kernel at one size, so the rungs of the ladder line up; the
dispatch layer's cost and the GIL's release cost are one table each:

    pytest benchmarks/                                     # about a minute, large sizes
    pytest benchmarks/ --benchmark-full                    # both sizes, full rounds
    pytest benchmarks/ --kernel-sizes small --benchmark-disable     # smoke pass
"""

from __future__ import annotations

import pytest

import fastkern
from fastkern._dispatch import GIL_RELEASING, prepare
from fastkern._kernels import KERNELS

CASES = [pytest.param(k, b, id=f"{k}-{b}") for k in KERNELS for b in fastkern.kernel_backends(k)]


@pytest.mark.parametrize("kernel, backend", CASES)
def test_kernel(benchmark, kernel, backend, size_index):
    spec = KERNELS[kernel]
    size = spec.sizes[size_index]
    raw = prepare(kernel, backend, *spec.sample(size))
    benchmark.group = f"{kernel} size={size}"
    benchmark.extra_info.update(kernel=kernel, backend=backend, size=size, work=spec.work(size))
    benchmark(fastkern.implementation(kernel, backend), *raw)


@pytest.mark.parametrize("route", ["dispatched", "raw"])
@pytest.mark.parametrize("backend", fastkern.kernel_backends("sum"))
def test_dispatch_overhead(benchmark, backend, route):
    """One-element sum: what the dispatch layer adds to a call (dispatched - raw)."""
    x = KERNELS["sum"].sample(1)[0]
    benchmark.group = "dispatch overhead: sum of 1 element, fastkern.sum (dispatched) vs raw"
    if route == "raw":
        benchmark(fastkern.implementation("sum", backend), *prepare("sum", backend, x))
    else:
        benchmark(fastkern.sum, x, backend=backend)


@pytest.mark.parametrize("release_gil", [True, False], ids=["released", "held"])
@pytest.mark.parametrize("backend", sorted(GIL_RELEASING))
def test_gil_release_cost(benchmark, backend, release_gil):
    """The price of dropping and retaking the GIL around a tiny kernel."""
    benchmark.group = "GIL release cost: nbody(1), released vs held"
    benchmark(fastkern.implementation("nbody", backend), 1, release_gil)
