"""The ``numpy`` backend: the vectorised NumPy version a user would otherwise write.

A reference point, not a rung of the ladder. NumPy reorders float reductions (pairwise
summation, BLAS), so ``sum``, ``dot``, ``spectral_norm`` and ``matmul`` agree with the other
backends within a tolerance; the other kernels do the same float operations per element
and agree bit for bit. Kernels NumPy cannot express without a Python loop per element
(nbody, fib, fnv1a, fannkuch, binary_trees) are absent.
"""

import numpy as np

_CHUNK = 1 << 16
#: Elements per step of the kernels that cut their work into steps (~10 ms each), so that
#: Ctrl-C, seen only between NumPy calls, is seen promptly.
_BLOCK = 1 << 22


def sum(x):
    with np.errstate(all="ignore"):
        return float(np.sum(x))


def dot(x, y):
    with np.errstate(all="ignore"):
        return float(np.dot(x, y))


def mandelbrot(width, height, max_iter):
    counts = np.zeros((height, width), dtype=np.uint8 if max_iter <= 255 else np.uint16)
    if width == 0 or height == 0:
        return counts
    rows = _BLOCK // 4 // width + 1  # a block of rows at a time, so Ctrl-C is seen between
    for first in range(0, height, rows):
        _mandelbrot_rows(counts[first:first + rows], first, height, max_iter)
    return counts


def _mandelbrot_rows(counts, first, height, max_iter):
    """Rows first.. of the image into ``counts`` (zeros), iterating only live pixels."""
    rows, width = counts.shape
    cr = 2.0 * np.arange(width, dtype=np.float64) / width - 1.5
    ci = 2.0 * np.arange(first, first + rows, dtype=np.float64)[:, None] / height - 1.0
    cr, ci = np.broadcast_arrays(cr[None, :], ci)
    cr, ci = cr.ravel(), ci.ravel()
    counts = counts.reshape(-1)
    live = np.arange(width * rows)
    zr = np.zeros(live.size)
    zi = np.zeros(live.size)
    tr = np.zeros(live.size)
    ti = np.zeros(live.size)
    for _ in range(max_iter):
        if live.size == 0:
            break
        zi = 2.0 * zr * zi + ci[live]
        zr = tr - ti + cr[live]
        tr = zr * zr
        ti = zi * zi
        inside = tr + ti <= 4.0
        live, zr, zi, tr, ti = live[inside], zr[inside], zi[inside], tr[inside], ti[inside]
        counts[live] += 1


_GAMMA = np.uint64(0x9E3779B97F4A7C15)


def _splitmix64_at(seed, k):
    z = np.uint64(seed) + k * _GAMMA
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def monte_carlo_pi(samples, seed):
    scale = 1.0 / 9007199254740992.0
    hits = 0
    with np.errstate(over="ignore"):
        for start in range(0, samples, _CHUNK):
            k = 2 * np.arange(start, min(start + _CHUNK, samples), dtype=np.uint64)
            x = (_splitmix64_at(seed, k + np.uint64(1)) >> np.uint64(11)).astype(np.float64) * scale
            y = (_splitmix64_at(seed, k + np.uint64(2)) >> np.uint64(11)).astype(np.float64) * scale
            hits += int(np.count_nonzero(x * x + y * y <= 1.0))
    return 4.0 * hits / samples


def _rows_of_a(first, last, n):
    i = np.arange(first, last, dtype=np.float64)[:, None]
    ij = i + np.arange(n, dtype=np.float64)
    return 1.0 / (ij * (ij + 1.0) / 2.0 + i + 1.0)


def spectral_norm(n):
    rows = _BLOCK // n + 1  # A is built a block of rows at a time, so Ctrl-C is seen between
    if rows >= n:
        a = _rows_of_a(0, n, n)
    else:
        a = np.empty((n, n))
        for first in range(0, n, rows):
            a[first:first + rows] = _rows_of_a(first, min(first + rows, n), n)
    u = np.ones(n)
    for _ in range(10):
        v = a.T @ (a @ u)
        u = a.T @ (a @ v)
    return float(np.sqrt((u @ v) / (v @ v)))




def matmul(a, b):
    rows = _BLOCK * 16 // max(1, a.shape[1] * b.shape[1]) + 1
    if rows >= a.shape[0]:
        return a @ b
    out = np.empty((a.shape[0], b.shape[1]))
    for first in range(0, a.shape[0], rows):
        np.matmul(a[first:first + rows], b, out=out[first:first + rows])
    return out
