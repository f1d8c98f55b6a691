# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
# cython: cdivision=True, freethreading_compatible=True
"""The ``typed`` backend: Cython with C types and typed memoryviews.

Every kernel's loop is a ``noexcept nogil`` function doing the same float operations in
the same order as the ``python`` backend, so results are bit-identical to it. The public
wrapper releases the GIL around that function unless ``release_gil=False``, in which case
the identical machine code runs with the GIL held. Buffer arguments are acquired for the
whole call (``_buffers.pxd``: NumPy's C API for arrays, the buffer protocol otherwise),
so no other thread can free them meanwhile; the loops index them by C pointer, and use
typed memoryviews for the scratch arrays they allocate themselves.
"""

from libc.math cimport sqrt
from libc.stddef cimport ptrdiff_t
from libc.stdint cimport int64_t, uint8_t, uint16_t, uint64_t
from libc.stdlib cimport free, malloc

cimport numpy as cnp

from ._buffers cimport call_bytes, call_matmul, call_vector, call_vectors

import numpy

cnp.import_array()

ctypedef fused count_t:
    uint8_t
    uint16_t


cdef double _sum(const double *x, ptrdiff_t n) noexcept nogil:
    cdef double total = 0.0
    cdef ptrdiff_t i
    for i in range(n):
        total += x[i]
    return total


def sum(x, bint release_gil=True):
    return call_vector(_sum, x, release_gil)


cdef double _dot(const double *x, const double *y, ptrdiff_t n) noexcept nogil:
    cdef double total = 0.0
    cdef ptrdiff_t i
    for i in range(n):
        total += x[i] * y[i]
    return total


def dot(x, y, bint release_gil=True):
    return call_vectors(_dot, x, y, release_gil)


cdef void _mandelbrot(count_t[:, ::1] out, int max_iter) noexcept nogil:
    # Two pixels per pass: their recurrences are independent, so the CPU overlaps them.
    # Each pixel still runs exactly the scalar recurrence, so counts are bit-identical.
    cdef Py_ssize_t height = out.shape[0], width = out.shape[1], px, py
    cdef double ci, cr0, cr1, zr0, zi0, tr0, ti0, zr1, zi1, tr1, ti1
    cdef int it, count0, count1
    cdef bint alive0, alive1
    for py in range(height):
        ci = 2.0 * py / height - 1.0
        for px in range(0, width, 2):
            cr0 = 2.0 * px / width - 1.5
            cr1 = 2.0 * (px + 1) / width - 1.5
            zr0 = zi0 = tr0 = ti0 = zr1 = zi1 = tr1 = ti1 = 0.0
            count0 = count1 = 0
            alive0 = alive1 = True
            for it in range(max_iter):
                zi0 = 2.0 * zr0 * zi0 + ci
                zr0 = tr0 - ti0 + cr0
                tr0 = zr0 * zr0
                ti0 = zi0 * zi0
                zi1 = 2.0 * zr1 * zi1 + ci
                zr1 = tr1 - ti1 + cr1
                tr1 = zr1 * zr1
                ti1 = zi1 * zi1
                alive0 = alive0 and tr0 + ti0 <= 4.0
                alive1 = alive1 and tr1 + ti1 <= 4.0
                count0 += alive0
                count1 += alive1
                if not (alive0 or alive1):
                    break
            out[py, px] = <count_t>count0
            if px + 1 < width:
                out[py, px + 1] = <count_t>count1


def mandelbrot(Py_ssize_t width, Py_ssize_t height, int max_iter, bint release_gil=True):
    if not 0 <= max_iter <= 65535:
        raise ValueError(f"max_iter must be in 0..65535, got {max_iter}")
    out = numpy.empty((height, width), dtype=numpy.uint8 if max_iter <= 255 else numpy.uint16)
    if max_iter <= 255:
        _mandelbrot_into[uint8_t](out, max_iter, release_gil)
    else:
        _mandelbrot_into[uint16_t](out, max_iter, release_gil)
    return out


cdef _mandelbrot_into(count_t[:, ::1] out, int max_iter, bint release_gil):
    if release_gil:
        with nogil:
            _mandelbrot(out, max_iter)
    else:
        _mandelbrot(out, max_iter)


cdef enum:
    BODIES = 5

cdef struct system_t:
    double x[BODIES]
    double y[BODIES]
    double z[BODIES]
    double vx[BODIES]
    double vy[BODIES]
    double vz[BODIES]
    double m[BODIES]

cdef double PI = 3.141592653589793
cdef double SOLAR_MASS = 4 * PI * PI
cdef double DAYS_PER_YEAR = 365.24
cdef double[BODIES][7] INITIAL = [
    [0, 0, 0, 0, 0, 0, 1],
    [4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
     1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
     9.54791938424326609e-04],
    [8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
     -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
     2.85885980666130812e-04],
    [1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
     2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
     4.36624404335156298e-05],
    [1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
     2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
     5.15138902046611451e-05],
]


cdef void _solar_system(system_t *s) noexcept nogil:
    cdef int i
    cdef double px = 0.0, py = 0.0, pz = 0.0
    for i in range(BODIES):
        s.x[i] = INITIAL[i][0]
        s.y[i] = INITIAL[i][1]
        s.z[i] = INITIAL[i][2]
        s.vx[i] = INITIAL[i][3] * DAYS_PER_YEAR
        s.vy[i] = INITIAL[i][4] * DAYS_PER_YEAR
        s.vz[i] = INITIAL[i][5] * DAYS_PER_YEAR
        s.m[i] = INITIAL[i][6] * SOLAR_MASS
    for i in range(BODIES):
        px += s.vx[i] * s.m[i]
        py += s.vy[i] * s.m[i]
        pz += s.vz[i] * s.m[i]
    s.vx[0] = -px / SOLAR_MASS
    s.vy[0] = -py / SOLAR_MASS
    s.vz[0] = -pz / SOLAR_MASS


cdef double _energy(system_t *s) noexcept nogil:
    cdef double e = 0.0, dx, dy, dz
    cdef int i, j
    for i in range(BODIES):
        e += 0.5 * s.m[i] * (s.vx[i] * s.vx[i] + s.vy[i] * s.vy[i] + s.vz[i] * s.vz[i])
        for j in range(i + 1, BODIES):
            dx = s.x[i] - s.x[j]
            dy = s.y[i] - s.y[j]
            dz = s.z[i] - s.z[j]
            e -= s.m[i] * s.m[j] / sqrt(dx * dx + dy * dy + dz * dz)
    return e


cdef void _nbody(Py_ssize_t steps, double *before, double *after) noexcept nogil:
    cdef system_t s
    cdef double dt = 0.01, dx, dy, dz, d2, mag
    cdef Py_ssize_t step
    cdef int i, j
    _solar_system(&s)
    before[0] = _energy(&s)
    for step in range(steps):
        for i in range(BODIES):
            for j in range(i + 1, BODIES):
                dx = s.x[i] - s.x[j]
                dy = s.y[i] - s.y[j]
                dz = s.z[i] - s.z[j]
                d2 = dx * dx + dy * dy + dz * dz
                mag = dt / (d2 * sqrt(d2))
                s.vx[i] -= dx * s.m[j] * mag
                s.vy[i] -= dy * s.m[j] * mag
                s.vz[i] -= dz * s.m[j] * mag
                s.vx[j] += dx * s.m[i] * mag
                s.vy[j] += dy * s.m[i] * mag
                s.vz[j] += dz * s.m[i] * mag
        for i in range(BODIES):
            s.x[i] += dt * s.vx[i]
            s.y[i] += dt * s.vy[i]
            s.z[i] += dt * s.vz[i]
    after[0] = _energy(&s)


def nbody(Py_ssize_t steps, bint release_gil=True):
    cdef double before, after
    if release_gil:
        with nogil:
            _nbody(steps, &before, &after)
    else:
        _nbody(steps, &before, &after)
    return before, after


cdef inline uint64_t _splitmix64_at(uint64_t seed, uint64_t k) noexcept nogil:
    cdef uint64_t z = seed + k * <uint64_t>0x9E3779B97F4A7C15
    z = (z ^ (z >> 30)) * <uint64_t>0xBF58476D1CE4E5B9
    z = (z ^ (z >> 27)) * <uint64_t>0x94D049BB133111EB
    return z ^ (z >> 31)


cdef int64_t _monte_carlo_hits(int64_t samples, uint64_t seed) noexcept nogil:
    cdef double scale = 1.0 / 9007199254740992.0, x, y
    cdef int64_t hits = 0, i
    for i in range(samples):
        x = <double>(_splitmix64_at(seed, 2 * <uint64_t>i + 1) >> 11) * scale
        y = <double>(_splitmix64_at(seed, 2 * <uint64_t>i + 2) >> 11) * scale
        if x * x + y * y <= 1.0:
            hits += 1
    return hits


def monte_carlo_pi(int64_t samples, uint64_t seed, bint release_gil=True):
    if samples <= 0:
        raise ValueError(f"samples must be at least 1, got {samples}")
    cdef int64_t hits
    if release_gil:
        with nogil:
            hits = _monte_carlo_hits(samples, seed)
    else:
        hits = _monte_carlo_hits(samples, seed)
    return 4.0 * <double>hits / <double>samples


cdef enum:
    MIN_TREE_DEPTH = 4
    MAX_TREE_DEPTH = 24
    MAX_TREE_ROWS = (MAX_TREE_DEPTH - MIN_TREE_DEPTH) // 2 + 3

cdef struct node_t:
    node_t *left
    node_t *right


cdef node_t *_build(node_t **next, int depth) noexcept nogil:
    cdef node_t *node = next[0]
    next[0] += 1
    if depth == 0:
        node.left = node.right = NULL
    else:
        node.left = _build(next, depth - 1)
        node.right = _build(next, depth - 1)
    return node


cdef int64_t _check(const node_t *node) noexcept nogil:
    if node.left == NULL:
        return 1
    return 1 + _check(node.left) + _check(node.right)


cdef node_t *_new_tree(int depth) noexcept nogil:
    """A tree of ``depth`` in one new block (free the root to free it), or NULL."""
    cdef node_t *nodes = <node_t *>malloc(((<size_t>1 << (depth + 1)) - 1) * sizeof(node_t))
    cdef node_t *next = nodes
    if nodes != NULL:
        _build(&next, depth)
    return nodes


cdef int64_t _check_new_tree(int depth) noexcept nogil:
    cdef node_t *tree = _new_tree(depth)
    if tree == NULL:
        return -1
    cdef int64_t result = _check(tree)
    free(tree)
    return result


cdef Py_ssize_t _binary_trees(int max_depth, int64_t[:, ::1] rows) noexcept nogil:
    cdef int deepest = max(max_depth, MIN_TREE_DEPTH + 2), depth
    cdef int64_t iterations, i, total, one
    cdef Py_ssize_t row = 0
    rows[row, 0], rows[row, 1], rows[row, 2] = deepest + 1, 1, _check_new_tree(deepest + 1)
    cdef node_t *long_lived = _new_tree(deepest)
    if rows[row, 2] < 0 or long_lived == NULL:
        free(long_lived)
        return -1
    for depth in range(MIN_TREE_DEPTH, deepest + 1, 2):
        row += 1
        iterations = <int64_t>1 << (deepest - depth + MIN_TREE_DEPTH)
        total = 0
        for i in range(iterations):
            one = _check_new_tree(depth)
            if one < 0:
                free(long_lived)
                return -1
            total += one
        rows[row, 0], rows[row, 1], rows[row, 2] = depth, iterations, total
    row += 1
    rows[row, 0], rows[row, 1], rows[row, 2] = deepest, 1, _check(long_lived)
    free(long_lived)
    return row + 1


def binary_trees(int max_depth, bint release_gil=True):
    if not 0 <= max_depth <= MAX_TREE_DEPTH:
        raise ValueError(f"max_depth must be in 0..{MAX_TREE_DEPTH}, got {max_depth}")
    rows = numpy.empty((MAX_TREE_ROWS, 3), dtype=numpy.int64)
    cdef int64_t[:, ::1] view = rows
    cdef Py_ssize_t count
    if release_gil:
        with nogil:
            count = _binary_trees(max_depth, view)
    else:
        count = _binary_trees(max_depth, view)
    if count < 0:
        raise MemoryError(f"binary_trees({max_depth}) ran out of memory")
    return [tuple(row) for row in rows[:count].tolist()]


cdef enum:
    MAX_FIB = 92


cdef int64_t _fib(int n) noexcept nogil:
    if n < 2:
        return n
    return _fib(n - 1) + _fib(n - 2)


def fib(int n, bint release_gil=True):
    if not 0 <= n <= MAX_FIB:
        raise ValueError(f"n must be in 0..{MAX_FIB}, got {n}")
    cdef int64_t result
    if release_gil:
        with nogil:
            result = _fib(n)
    else:
        result = _fib(n)
    return result


cdef uint64_t _fnv1a(const uint8_t *data, ptrdiff_t n) noexcept nogil:
    cdef uint64_t h = 0xCBF29CE484222325
    cdef ptrdiff_t i
    for i in range(n):
        h = (h ^ data[i]) * <uint64_t>0x100000001B3
    return h


def fnv1a(data, bint release_gil=True):
    return call_bytes(_fnv1a, data, release_gil)


cdef inline double _a(Py_ssize_t i, Py_ssize_t j) noexcept nogil:
    cdef Py_ssize_t ij = i + j
    return 1.0 / (ij * (ij + 1) // 2 + i + 1)


cdef void _times_a(const double[::1] u, double[::1] v) noexcept nogil:
    cdef Py_ssize_t n = u.shape[0], i, j
    cdef double total
    for i in range(n):
        total = 0.0
        for j in range(n):
            total += _a(i, j) * u[j]
        v[i] = total


cdef void _times_a_transposed(const double[::1] u, double[::1] v) noexcept nogil:
    cdef Py_ssize_t n = u.shape[0], i, j
    cdef double total
    for i in range(n):
        total = 0.0
        for j in range(n):
            total += _a(j, i) * u[j]
        v[i] = total


cdef void _times_ata(const double[::1] u, double[::1] v, double[::1] tmp) noexcept nogil:
    _times_a(u, tmp)
    _times_a_transposed(tmp, v)


cdef double _spectral_norm(double[::1] u, double[::1] v, double[::1] tmp) noexcept nogil:
    cdef Py_ssize_t i
    cdef int rounds
    cdef double vbv = 0.0, vv = 0.0
    for i in range(u.shape[0]):
        u[i] = 1.0
    for rounds in range(10):
        _times_ata(u, v, tmp)
        _times_ata(v, u, tmp)
    for i in range(u.shape[0]):
        vbv += u[i] * v[i]
        vv += v[i] * v[i]
    return sqrt(vbv / vv)


def spectral_norm(Py_ssize_t n, bint release_gil=True):
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    cdef double[:, ::1] work = numpy.empty((3, n))
    cdef double result
    if release_gil:
        with nogil:
            result = _spectral_norm(work[0], work[1], work[2])
    else:
        result = _spectral_norm(work[0], work[1], work[2])
    return result


cdef enum:
    MAX_FANNKUCH = 12


cdef int _flips(const int *perm, int n) noexcept nogil:
    cdef int p[MAX_FANNKUCH]
    cdef int flips = 0, first, lo, hi, i
    for i in range(n):
        p[i] = perm[i]
    first = p[0]
    while first:
        lo, hi = 0, first
        while lo < hi:
            p[lo], p[hi] = p[hi], p[lo]
            lo += 1
            hi -= 1
        flips += 1
        first = p[0]
    return flips


cdef void _fannkuch(int n, int64_t *checksum, int *max_flips) noexcept nogil:
    cdef int perm[MAX_FANNKUCH]
    cdef int count[MAX_FANNKUCH]
    cdef int r = n, flips, first, i
    cdef int64_t index = 0
    for i in range(n):
        perm[i] = i
        count[i] = 0
    checksum[0] = 0
    max_flips[0] = 0
    while True:
        while r != 1:
            count[r - 1] = r
            r -= 1
        flips = _flips(perm, n)
        max_flips[0] = max(max_flips[0], flips)
        checksum[0] += -flips if index % 2 else flips
        while True:
            if r == n:
                return
            first = perm[0]
            for i in range(r):
                perm[i] = perm[i + 1]
            perm[r] = first
            count[r] -= 1
            if count[r] > 0:
                break
            r += 1
        index += 1


def fannkuch(int n, bint release_gil=True):
    if not 1 <= n <= MAX_FANNKUCH:
        raise ValueError(f"n must be in 1..{MAX_FANNKUCH}, got {n}")
    cdef int64_t checksum
    cdef int max_flips
    if release_gil:
        with nogil:
            _fannkuch(n, &checksum, &max_flips)
    else:
        _fannkuch(n, &checksum, &max_flips)
    return checksum, max_flips


cdef int _matmul(ptrdiff_t n, ptrdiff_t k, ptrdiff_t m, const double *a, const double *b,
                 double *out) noexcept nogil:
    cdef ptrdiff_t i, j, p
    cdef double a_ip
    for i in range(n):
        for j in range(m):
            out[i * m + j] = 0.0
        for p in range(k):
            a_ip = a[i * k + p]
            for j in range(m):
                out[i * m + j] += a_ip * b[p * m + j]
    return 0


def matmul(a, b, bint release_gil=True):
    return call_matmul(_matmul, a, b, release_gil)
