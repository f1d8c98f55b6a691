"""fastkern beside numba (the optional ``peers`` extra) on the calls where the call itself counts.

Each group is one call made several ways on the same inputs: fastkern's public function
(dispatched), its raw ``c`` callable, numba's ``@njit`` version of the same loop (and
NumPy's ``a @ b`` for matmul), every one written out as a plain call (``direct_call``):

    pip install -e ".[test,peers]"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 pytest \\
        benchmarks/test_peers.py --benchmark-timer=time.thread_time --benchmark-columns=median,iqr

pytest-benchmark's tables time one call after another; ``test_interleaved`` then times each
group's calls in interleaved samples of thread CPU time, and the run ends with their
medians and ratios. The groups "one call on every core" put fastkern's ``threads=0`` beside
numba's ``parallel=True``/``prange`` (its default thread count, ``NUMBA_NUM_THREADS``) and
both unsplit (numba: the same loop compiled without ``parallel``), on the splitting kernels numba's prange expresses plainly (not fannkuch or
binary_trees); they are timed by the wall clock whatever ``--benchmark-timer`` says, since
thread CPU time counts only the calling thread, and ``test_interleaved_parallel`` times them
interleaved by the wall clock too. Without numba the whole module is skipped.
"""

from __future__ import annotations

import functools
import time

import numpy as np
import pytest

import fastkern
from fastkern._anatomy.inputs import direct_call
from fastkern._anatomy.settings import Settings
from fastkern._anatomy.timing import Timer
from fastkern._kernels import KERNELS

from conftest import PEER_RATIOS

try:
    import numba
except ImportError as error:  # absent, or present but broken (e.g. a NumPy it does not support)
    pytest.skip(f"the peer group needs numba (pip install fastkern[peers]): {error}", allow_module_level=True)

#: The samples of monte_carlo_pi: one call long enough to be all loop.
MONTE_CARLO_SAMPLES = 10_000_000


def _sum(x):
    total = 0.0
    for i in range(x.shape[0]):
        total += x[i]
    return total


numba_sum = numba.njit(_sum)
numba_sum_fastmath = numba.njit(fastmath=True)(_sum)


@numba.njit(fastmath=True)
def numba_dot_fastmath(x, y):
    total = 0.0
    for i in range(x.shape[0]):
        total += x[i] * y[i]
    return total


@numba.njit
def numba_fnv1a(data):
    h = np.uint64(0xCBF29CE484222325)
    for byte in data:
        h = (h ^ np.uint64(byte)) * np.uint64(0x100000001B3)
    return h


@numba.njit
def numba_matmul(a, b):
    n, k = a.shape
    m = b.shape[1]
    out = np.zeros((n, m))
    for i in range(n):
        for p in range(k):
            a_ip = a[i, p]
            for j in range(m):
                out[i, j] += a_ip * b[p, j]
    return out


@numba.njit
def _numba_splitmix64_at(seed, k):
    z = seed + k * np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _sum_prange(x):
    total = 0.0
    for i in numba.prange(x.shape[0]):
        total += x[i]
    return total


def _dot_prange(x, y):
    total = 0.0
    for i in numba.prange(x.shape[0]):
        total += x[i] * y[i]
    return total


def _mandelbrot_prange(width, height, max_iter):
    counts = np.zeros((height, width), dtype=np.uint32)
    for py in numba.prange(height):
        ci = 2.0 * py / height - 1.0
        for px in range(width):
            cr = 2.0 * px / width - 1.5
            zr = zi = tr = ti = 0.0
            count = 0
            for _ in range(max_iter):
                zi = 2.0 * zr * zi + ci
                zr = tr - ti + cr
                tr = zr * zr
                ti = zi * zi
                if not tr + ti <= 4.0:
                    break
                count += 1
            counts[py, px] = count
    return counts


def _spectral_norm_prange(n):
    u = np.ones(n)
    v = np.empty(n)
    w = np.empty(n)
    for _ in range(20):  # u <- A^T A u, ten times each way as the kernel does
        for i in numba.prange(n):
            total = 0.0
            for j in range(n):
                total += 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1) * u[j]
            w[i] = total
        for i in numba.prange(n):
            total = 0.0
            for j in range(n):
                total += 1.0 / ((j + i) * (j + i + 1) // 2 + j + 1) * w[j]
            v[i] = total
        u, v = v, u
    # now u = (A^T A)^20 1 and v = (A^T A)^19 1, as in the kernel
    return np.sqrt(np.dot(u, v) / np.dot(v, v))


def _matmul_prange(a, b):
    n, k = a.shape
    m = b.shape[1]
    out = np.zeros((n, m))
    for i in numba.prange(n):
        for p in range(k):
            a_ip = a[i, p]
            for j in range(m):
                out[i, j] += a_ip * b[p, j]
    return out


def _monte_carlo_pi_prange(samples, seed):
    seed = np.uint64(seed)
    scale = 1.0 / 9007199254740992.0
    hits = 0
    for i in numba.prange(samples):
        k = np.uint64(2) * np.uint64(i)
        x = np.float64(_numba_splitmix64_at(seed, k + np.uint64(1)) >> np.uint64(11)) * scale
        y = np.float64(_numba_splitmix64_at(seed, k + np.uint64(2)) >> np.uint64(11)) * scale
        if x * x + y * y <= 1.0:
            hits += 1
    return 4.0 * hits / samples


#: The unsplit peer of monte_carlo_pi: the prange loop compiled without parallel (prange is
#: range there).
numba_monte_carlo_pi = numba.njit(_monte_carlo_pi_prange)


def _raw(kernel: str):
    return fastkern.implementation(kernel, "c")


@functools.lru_cache(maxsize=None)
def groups() -> dict[str, dict[str, object]]:
    """Group -> label -> zero-argument call; the first label is fastkern's dispatched call."""
    one = KERNELS["sum"].sample(1)[0]
    vector = KERNELS["sum"].sample(1000)[0]
    x, y = KERNELS["dot"].sample(1000)
    data = KERNELS["fnv1a"].sample(1000)[0]
    a, b = KERNELS["matmul"].sample(16)
    samples = MONTE_CARLO_SAMPLES
    found = {
        "sum, 1 element": {
            "fastkern.sum(x)": direct_call(fastkern.sum, one),
            "raw c": direct_call(_raw("sum"), one),
            "numba": direct_call(numba_sum, one),
        },
        "sum, 1000 elements": {
            "fastkern.sum(x)": direct_call(fastkern.sum, vector),
            "raw c": direct_call(_raw("sum"), vector),
            "numba fastmath": direct_call(numba_sum_fastmath, vector),
        },
        "dot, 1000 elements": {
            "fastkern.dot(x, y)": direct_call(fastkern.dot, x, y),
            "raw c": direct_call(_raw("dot"), x, y),
            "numba fastmath": direct_call(numba_dot_fastmath, x, y),
        },
        "fnv1a, 1000 bytes": {
            "fastkern.fnv1a(data)": direct_call(fastkern.fnv1a, data),
            "raw c": direct_call(_raw("fnv1a"), data),
            "numba": direct_call(numba_fnv1a, data),
        },
        "matmul, 16x16": {
            "fastkern.matmul(a, b, backend='c')": direct_call(fastkern.matmul, a, b, backend="c"),
            "raw c": direct_call(_raw("matmul"), a, b),
            "a @ b": eval("lambda: a @ b", {"a": a, "b": b}),
            "numba": direct_call(numba_matmul, a, b),
            "fastkern.matmul(a, b) (numpy)": direct_call(fastkern.matmul, a, b),
        },
        "monte_carlo_pi, 1,000 samples": {
            "fastkern.monte_carlo_pi(n)": direct_call(fastkern.monte_carlo_pi, 1000),
            "raw c": direct_call(_raw("monte_carlo_pi"), 1000, 0),
            "numba": direct_call(numba_monte_carlo_pi, 1000, 0),
        },
        f"monte_carlo_pi, {samples:,} samples": {
            "fastkern.monte_carlo_pi(n)": direct_call(fastkern.monte_carlo_pi, samples),
            "raw c": direct_call(_raw("monte_carlo_pi"), samples, 0),
            "numba": direct_call(numba_monte_carlo_pi, samples, 0),
        },
    }
    for calls in found.values():  # compiles each numba function before anything is timed
        for call in calls.values():
            call()
    return found


#: One call over every core: kernel -> (its arguments, the loop with numba.prange).
SPLIT_SIZES = {
    "sum": (lambda: KERNELS["sum"].sample(10_000_000), _sum_prange),
    "dot": (lambda: KERNELS["dot"].sample(10_000_000), _dot_prange),
    "mandelbrot": (lambda: (1000, 1000, 50), _mandelbrot_prange),
    "spectral_norm": (lambda: (1000,), _spectral_norm_prange),
    "matmul": (lambda: KERNELS["matmul"].sample(256), _matmul_prange),
    "monte_carlo_pi": (lambda: (MONTE_CARLO_SAMPLES, 0), _monte_carlo_pi_prange),
}


@functools.lru_cache(maxsize=None)
def numba_versions(kernel: str) -> tuple:
    """(parallel=True, serial) compilations of a kernel's prange loop: the same code, so
    their ratio is numba's threading alone (prange is range when not parallel)."""
    loop = SPLIT_SIZES[kernel][1]
    return numba.njit(parallel=True)(loop), numba.njit(loop)


@functools.lru_cache(maxsize=None)
def parallel_groups() -> dict[str, dict[str, object]]:
    """Group -> label -> call: one call of a splitting kernel on every usable core, by
    fastkern's ``threads=0`` and by numba's ``parallel=True``/``prange`` (with its default
    thread count, numba.config.NUMBA_NUM_THREADS), beside both unsplit."""
    found = {}
    for kernel, (sample, _) in SPLIT_SIZES.items():
        args = sample()
        parallel, serial = numba_versions(kernel)
        public = getattr(fastkern, kernel)
        shown = f"{args[0]:,}" if isinstance(args[0], int) else "x".join(map(str, args[0].shape))
        found[f"{kernel}({shown}), all cores"] = {
            f"fastkern.{kernel}(..., threads=0)": direct_call(public, *args[:_public_arity(kernel)],
                                                               backend="c", threads=0),
            f"fastkern.{kernel}(...) unsplit": direct_call(public, *args[:_public_arity(kernel)],
                                                           backend="c"),
            "numba parallel=True": direct_call(parallel, *args),
            "numba unsplit": direct_call(serial, *args),
        }
    for calls in found.values():  # compiles each numba function before anything is timed
        for call in calls.values():
            call()
    return found


def _public_arity(kernel: str) -> int:
    """How many of a peer's positional arguments the public function takes positionally
    (mandelbrot's max_iter and monte_carlo_pi's seed are keyword-only there: defaults)."""
    return {"mandelbrot": 2, "monte_carlo_pi": 1}.get(kernel, 3)


CASES = [pytest.param(group, label, id=f"{group}-{label}") for group in groups() for label in groups()[group]]
PARALLEL_CASES = [pytest.param(group, label, id=f"{group}-{label}")
                  for group in parallel_groups() for label in parallel_groups()[group]]


@pytest.mark.parametrize("group, label", CASES)
def test_peer(benchmark, group, label):
    benchmark.group = f"peers: {group}"
    benchmark.extra_info.update(group=group, call=label)
    benchmark(groups()[group][label])


def test_peers_compute_the_same_results():
    one = KERNELS["sum"].sample(1)[0]
    data = KERNELS["fnv1a"].sample(1000)[0]
    a, b = KERNELS["matmul"].sample(16)
    assert numba_sum(one) == fastkern.sum(one)
    assert int(numba_fnv1a(data)) == fastkern.fnv1a(data)
    assert np.array_equal(numba_matmul(a, b), fastkern.matmul(a, b, backend="c"))
    for samples, seed in ((1000, 0), (999, np.uint64(2**64 - 1))):
        assert numba_monte_carlo_pi(samples, seed) == fastkern.monte_carlo_pi(samples, seed=int(seed))


@pytest.mark.benchmark(timer=time.perf_counter)
@pytest.mark.parametrize("group, label", PARALLEL_CASES)
def test_parallel_peer(benchmark, group, label):
    """Wall clock: a call over several threads is concurrency (thread CPU time would count
    the calling thread alone)."""
    benchmark.group = f"peers, one call on every core: {group}"
    benchmark.extra_info.update(group=group, call=label, numba_threads=numba.config.NUMBA_NUM_THREADS)
    benchmark(parallel_groups()[group][label])


def test_parallel_peers_compute_the_same_results():
    for kernel, (sample, _) in SPLIT_SIZES.items():
        args = sample()
        split = getattr(fastkern, kernel)(*args[:_public_arity(kernel)], backend="c", threads=0)
        for version in numba_versions(kernel):
            if kernel in ("mandelbrot", "monte_carlo_pi"):  # counts: exact
                assert np.array_equal(np.asarray(version(*args)), np.asarray(split)), kernel
            else:  # numba's prange reduces in its own order
                assert np.allclose(version(*args), split, rtol=1e-9), kernel


def _interleave(request, calls: dict, clock, title: str) -> None:
    """Time ``calls`` in interleaved samples of ``clock``; their medians end the run."""
    quick = request.config.getoption("benchmark_disable")
    settings = Settings(min_time=0.0, samples=1, warmup=0) if quick else Settings(min_time=0.05, samples=21)
    times = Timer(settings, clock=clock).time_all(calls)
    medians = {label: timing.median for label, timing in times.items()}
    assert all(median >= 0 for median in medians.values())
    request.config.stash.setdefault(PEER_RATIOS, []).append((title, medians))


@pytest.mark.parametrize("group", list(groups()))
def test_interleaved(request, group):
    """Each group's calls in interleaved samples of thread CPU time; ratios at the end of the run."""
    _interleave(request, groups()[group], time.thread_time, group)


@pytest.mark.parametrize("group", list(parallel_groups()))
def test_interleaved_parallel(request, group):
    """Each one-call-on-every-core group in interleaved samples of wall time."""
    _interleave(request, parallel_groups()[group], time.perf_counter, f"{group} (wall clock)")
