"""``threads=``: one call split over a team of threads gives the same result for every N."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastkern
from fastkern import _info
from fastkern.backends import _c, _typed

from helpers import BUILTIN_KERNELS as KERNELS, assert_identical

SPLITTING = [name for name, spec in KERNELS.items() if spec.splits]
SPLIT_BLOCK = 1 << 16


@pytest.fixture(autouse=True)
def small_chunks():
    """Tiny chunks, so a call becomes many tasks and threads interleave a lot."""
    old = [module._set_chunk_ops(2_000) for module in (_c, _typed)]
    yield
    for module, ops in zip((_c, _typed), old):
        module._set_chunk_ops(ops)


def _arguments(kernel: str, size: int, seed: int) -> tuple[tuple, dict]:
    rng = np.random.default_rng([size, seed])
    if kernel == "sum":
        return (rng.standard_normal(size),), {}
    if kernel == "dot":
        return (rng.standard_normal(size), rng.standard_normal(size)), {}
    if kernel == "mandelbrot":
        return (1 + size % 61, 1 + size % 37), {"max_iter": 1 + size % 300}
    if kernel == "monte_carlo_pi":
        return (1 + size,), {"seed": seed}
    if kernel == "spectral_norm":
        return (1 + size % 90,), {}
    if kernel == "fannkuch":
        return (1 + size % 8,), {}
    if kernel == "binary_trees":
        return (size % 11,), {}
    shape = (1 + size % 40, 1 + size % 300, 1 + size % 530)
    return (rng.random(shape[:2]), rng.random(shape[1:])), {}


@pytest.mark.parametrize("backend", ["typed", "c"])
@pytest.mark.parametrize("kernel", SPLITTING)
@settings(max_examples=12, deadline=None)
@given(size=st.integers(0, 4 * SPLIT_BLOCK + 100), threads=st.integers(2, 9),
       seed=st.integers(0, 2**32))
def test_every_thread_count_gives_the_one_thread_result(kernel, backend, size, threads, seed):
    args, kwargs = _arguments(kernel, size, seed)
    function = getattr(fastkern, kernel)
    one = function(*args, backend=backend, threads=1, **kwargs)
    assert_identical(function(*args, backend=backend, threads=threads, **kwargs), one)
    assert_identical(function(*args, backend=backend, threads=threads, release_gil=False, **kwargs), one)


@pytest.mark.parametrize("backend", ["typed", "c"])
@pytest.mark.parametrize("kernel", SPLITTING)
def test_split_equals_unsplit_where_documented(kernel, backend):
    """Only sums longer than one block add in a different order when split."""
    function = getattr(fastkern, kernel)
    for size in (0, 1, 17, SPLIT_BLOCK, 3 * SPLIT_BLOCK + 5):
        args, kwargs = _arguments(kernel, size, 7)
        if kernel in ("sum", "dot") and size > SPLIT_BLOCK:
            continue
        assert_identical(function(*args, backend=backend, threads=3, **kwargs),
                         function(*args, backend=backend, **kwargs))


@pytest.mark.parametrize("kernel", ["sum", "dot"])
def test_long_split_sums_add_the_block_sums_in_order(kernel):
    args, _ = _arguments(kernel, 3 * SPLIT_BLOCK + 5, 3)
    blocks = [tuple(a[i:i + SPLIT_BLOCK] for a in args) for i in range(0, len(args[0]), SPLIT_BLOCK)]
    for backend in ("typed", "c"):
        function = getattr(fastkern, kernel)
        partial = [function(*block, backend=backend) for block in blocks]
        expected = partial[0]
        for value in partial[1:]:
            expected += value
        assert_identical(function(*args, backend=backend, threads=4), expected)


@settings(max_examples=10, deadline=None)
@given(samples=st.integers(1, 300_000), seed=st.integers(0, 2**64 - 1), threads=st.integers(1, 8))
def test_monte_carlo_pi_split_matches_every_backend(samples, seed, threads):
    expected = fastkern.monte_carlo_pi(samples, seed=seed, backend="typed")
    for backend in ("typed", "c"):
        assert_identical(fastkern.monte_carlo_pi(samples, seed=seed, backend=backend, threads=threads),
                         expected)
    if samples <= 20_000:
        assert_identical(fastkern.monte_carlo_pi(samples, seed=seed, backend="python"), expected)


@pytest.mark.parametrize("bad, error", [(-1, ValueError), (True, TypeError), (2.0, TypeError),
                                        (10**6, ValueError), ("4", TypeError), (2**70, ValueError)])
@pytest.mark.parametrize("backend", ["typed", "c", "python"])
def test_bad_thread_counts_are_refused_naming_threads(bad, error, backend):
    with pytest.raises(error, match="threads must be"):
        fastkern.sum([1.0, 2.0], backend=backend, threads=bad)


def test_raw_callables_refuse_bad_thread_counts():
    for module in (_c, _typed):
        with pytest.raises(ValueError, match="threads must be in 1..1024"):
            module.sum(np.ones(3), True, -2)
        with pytest.raises(ValueError, match="threads must be in 1..1024"):
            module.mandelbrot(2, 2, 5, True, 5000)


@pytest.mark.parametrize("kernel", [name for name, spec in KERNELS.items() if not spec.splits])
def test_serial_kernels_refuse_threads(kernel):
    args, kwargs = {"nbody": ((1,), {}), "fib": ((3,), {}), "fnv1a": ((b"ab",), {})}[kernel]
    with pytest.raises(ValueError, match=f"{kernel} does not split over threads"):
        getattr(fastkern, kernel)(*args, threads=2, **kwargs)


@pytest.mark.parametrize("backend", ["python", "compiled", "numpy"])
def test_one_thread_backends_take_threads_1_and_refuse_more(backend):
    if backend not in fastkern.kernel_backends("sum"):
        pytest.skip(f"{backend} is not built here")
    assert fastkern.sum([1.0, 2.0], backend=backend, threads=1) == 3.0
    for threads in (0, 2):
        with pytest.raises(ValueError, match=f"backend '{backend}' runs one thread per call: threads"):
            fastkern.sum([1.0, 2.0], backend=backend, threads=threads)


def test_threads_0_means_the_usable_cores_capped_by_the_quota(monkeypatch):
    monkeypatch.setattr(_info, "usable_cores", lambda: 16)
    monkeypatch.setattr(_info, "cpu_quota", lambda: None)
    assert _info.thread_budget() == 16
    monkeypatch.setattr(_info, "cpu_quota", lambda: 2.5)
    assert _info.thread_budget() == 3
    monkeypatch.setattr(_info, "cpu_quota", lambda: 0.2)
    assert _info.thread_budget() == 1
    x = np.arange(5.0)
    assert fastkern.sum(x, threads=0) == fastkern.sum(x, threads=3) == 10.0


def test_info_says_whether_calls_split():
    line = fastkern.info()["threads"]
    assert line.startswith("pthreads: threads=N splits") or line.startswith("none: built without")


@pytest.mark.parametrize("backend", ["typed", "c"])
def test_split_calls_from_many_python_threads_are_correct(backend):
    x = np.random.default_rng(5).random(3 * SPLIT_BLOCK)
    expected = fastkern.sum(x, backend=backend, threads=1)
    results = []

    def call():
        results.append(fastkern.sum(x, backend=backend, threads=3))

    workers = [threading.Thread(target=call) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert results == [expected] * 4


@pytest.mark.parametrize("backend", ["typed", "c"])
def test_ctrl_c_interrupts_a_split_call(backend):
    """SIGINT during a long split call raises KeyboardInterrupt in the calling thread, once
    the team's threads have stopped: none may still write to the call's freed output (they
    did when the signal check skipped the team's finish, crashing the process soon after)."""
    script = textwrap.dedent(f"""
        import os, signal, threading, time, fastkern
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a background job ignores it
        try:
            threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
            fastkern.mandelbrot(3000, 3000, max_iter=65535, backend={backend!r}, threads=2)
        except KeyboardInterrupt:
            junk = [bytearray(1 << 20) for _ in range(64)]  # reuse the freed memory
            time.sleep(0.5)
            print("interrupted", len(threading.enumerate()), flush=True)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert (done.returncode, done.stdout.strip()) == (0, "interrupted 1"), done


@pytest.mark.parametrize("backend", ["typed", "c"])
def test_binary_trees_built_in_pieces_split_alike(backend):
    """Depth 19: the stretch and long-lived trees are built in pieces, each by one thread."""
    expected = fastkern.binary_trees(19, backend=backend)
    assert_identical(fastkern.binary_trees(19, backend=backend, threads=3), expected)
