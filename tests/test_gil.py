"""The GIL: ``typed`` and ``c`` release it around their work, and hold it when told to.

The proof is what another Python thread manages to do meanwhile: with the GIL released,
a counting thread keeps running while the kernel runs; with it held, it cannot execute a
single bytecode between the kernel's start and end. On a free-threaded build there is no
GIL to hold: there the tests check that other threads run in both cases.
"""

from __future__ import annotations

import array
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import fastkern
from fastkern._info import free_threaded

from helpers import BUILTIN_KERNELS as KERNELS, assert_identical

#: Arguments that keep the typed/c kernel busy for at least several milliseconds here.
LONG_RUNNING = {
    "sum": lambda: (np.ones(20_000_000),),
    "dot": lambda: (np.ones(20_000_000), np.ones(20_000_000)),
    "mandelbrot": lambda: (3000, 3000),
    "nbody": lambda: (3_000_000,),
    "monte_carlo_pi": lambda: (30_000_000,),
    "spectral_norm": lambda: (1500,),
    "fannkuch": lambda: (10,),
    "binary_trees": lambda: (18,),
    "fib": lambda: (35,),
    "fnv1a": lambda: (bytes(300_000_000),),
    "matmul": lambda: (np.ones((600, 600)), np.ones((600, 600))),
}


def test_every_kernel_has_a_long_running_case():
    assert set(KERNELS) <= set(LONG_RUNNING)


def _other_thread_ticks_during(call) -> int:
    """How often another thread ran while ``call()`` ran.

    The counting thread yields the GIL after every tick and the switch interval is made
    long, so the interpreter never forces the calling thread to hand the GIL over: the
    counter can run during the call only if the call itself releases the GIL.
    """
    ticks: list[float] = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(30.0)
    counter = threading.Thread(target=count)
    try:
        counter.start()
        time.sleep(0.02)
        start = time.perf_counter()
        call()
        end = time.perf_counter()
    finally:
        stop.set()
        counter.join()
        sys.setswitchinterval(interval)
    return sum(start < t < end for t in ticks)


@pytest.mark.parametrize("kernel, backend", [(k, b) for k in KERNELS for b in ("typed", "c")])
def test_gil_released_by_default_and_held_on_request(kernel, backend):
    function = getattr(fastkern, kernel)
    args = LONG_RUNNING[kernel]()
    # The same call with the GIL released lets the other thread tick: so the case lasts
    # long enough that no tick while it is held means the GIL was held (no clock asked).
    assert _ticked(lambda: function(*args, backend=backend))
    held = _other_thread_ticks_during(
        lambda: function(*args, backend=backend, release_gil=False))
    if free_threaded():
        # No GIL: release_gil=False keeps this thread attached, it cannot stop the others.
        assert _ticked(lambda: function(*args, backend=backend, release_gil=False))
    else:
        assert held == 0


def _ticked(call) -> bool:
    """Whether another thread ran during ``call``. Any tick proves it (the switch interval
    is 30 s); on a busy machine the counting thread may get no CPU during one call, so
    this tries thrice."""
    return any(_other_thread_ticks_during(call) for _ in range(3))


@pytest.mark.parametrize("kernel, backend", [(k, b) for k in KERNELS for b in fastkern.kernel_backends(k)])
def test_concurrent_calls_from_many_threads_are_correct(kernel, backend):
    spec = KERNELS[kernel]
    function = getattr(fastkern, kernel)
    inputs = [spec.sample(spec.sizes[0] + i) for i in range(4)]
    expected = [function(*args, backend=backend) for args in inputs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda args: function(*args, backend=backend), inputs * 4))
    for result, wanted in zip(results, expected * 4):
        assert_identical(result, wanted)


def test_a_buffer_in_use_without_the_gil_cannot_be_resized():
    data = array.array("d", bytes(8 * 8_000_000))
    refused, results = [], []

    looping = threading.Event()

    def work():  # until a resize was refused (a busy machine may not run both threads at once)
        looping.wait()
        while len(results) < 6 or not refused and len(results) < 500:
            results.append(fastkern.sum(data, backend="c"))

    worker = threading.Thread(target=work)
    worker.start()
    looping.set()
    while worker.is_alive():
        try:
            data.append(1.0)
        except BufferError:
            refused.append(True)
            continue
        while True:  # a call may export the buffer between the append and the pop
            try:
                data.pop()
                break
            except BufferError:
                refused.append(True)
    worker.join()
    assert refused, "the array was never exported while summed"
    # Each call sums the zeros, or (when it took the buffer between an append and its pop,
    # which threads running truly in parallel on a free-threaded build do) them and the 1.0.
    assert len(results) >= 6 and set(results) <= {0.0, 1.0}
