# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
# cython: freethreading_compatible=True
"""The ``c`` backend: thin wrappers around the C99 kernels in ``csrc/``.

Each wrapper acquires its buffer arguments for the whole call (``_buffers.pxd``: NumPy's
C API for arrays, the buffer protocol otherwise; no memoryview object), releases the GIL
unless ``release_gil=False``, and calls one C function.
"""

from libc.stddef cimport ptrdiff_t
from libc.stdint cimport int64_t, uint8_t, uint16_t, uint64_t

cimport numpy as cnp

from ._buffers cimport call_bytes, call_matmul, call_vector, call_vectors

import numpy

cnp.import_array()


cdef extern from "fastkern.h" nogil:
    double fk_sum(const double *x, ptrdiff_t n)
    double fk_dot(const double *x, const double *y, ptrdiff_t n)
    void fk_mandelbrot_u8(ptrdiff_t width, ptrdiff_t height, int max_iter, uint8_t *out)
    void fk_mandelbrot_u16(ptrdiff_t width, ptrdiff_t height, int max_iter, uint16_t *out)
    void fk_nbody(ptrdiff_t steps, double *energy_before, double *energy_after)
    int64_t fk_monte_carlo_hits(uint64_t seed, int64_t first, int64_t count)
    enum:
        FK_BINARY_TREES_MAX_DEPTH
        FK_BINARY_TREES_MAX_ROWS
    ptrdiff_t fk_binary_trees(int max_depth, int64_t *rows)
    enum:
        FK_FIB_MAX_N
    int64_t fk_fib(int n)
    uint64_t fk_fnv1a(const uint8_t *data, ptrdiff_t n)
    double fk_spectral_norm(ptrdiff_t n, double *work)
    enum:
        FK_FANNKUCH_MAX_N
    void fk_fannkuch(int n, int64_t *checksum, int *max_flips)
    int fk_matmul(ptrdiff_t n, ptrdiff_t k, ptrdiff_t m, const double *a, const double *b,
                  double *out)


def sum(x, bint release_gil=True):
    return call_vector(fk_sum, x, release_gil)


def dot(x, y, bint release_gil=True):
    return call_vectors(fk_dot, x, y, release_gil)


def mandelbrot(Py_ssize_t width, Py_ssize_t height, int max_iter, bint release_gil=True):
    if not 0 <= max_iter <= 65535:
        raise ValueError(f"max_iter must be in 0..65535, got {max_iter}")
    out = numpy.empty((height, width), dtype=numpy.uint8 if max_iter <= 255 else numpy.uint16)
    if width == 0 or height == 0:
        return out
    cdef uint8_t[:, ::1] out8
    cdef uint16_t[:, ::1] out16
    if max_iter <= 255:
        out8 = out
        if release_gil:
            with nogil:
                fk_mandelbrot_u8(width, height, max_iter, &out8[0, 0])
        else:
            fk_mandelbrot_u8(width, height, max_iter, &out8[0, 0])
    else:
        out16 = out
        if release_gil:
            with nogil:
                fk_mandelbrot_u16(width, height, max_iter, &out16[0, 0])
        else:
            fk_mandelbrot_u16(width, height, max_iter, &out16[0, 0])
    return out


def nbody(Py_ssize_t steps, bint release_gil=True):
    cdef double before, after
    if release_gil:
        with nogil:
            fk_nbody(steps, &before, &after)
    else:
        fk_nbody(steps, &before, &after)
    return before, after


def monte_carlo_pi(int64_t samples, uint64_t seed, bint release_gil=True):
    if samples <= 0:
        raise ValueError(f"samples must be at least 1, got {samples}")
    cdef int64_t hits
    if release_gil:
        with nogil:
            hits = fk_monte_carlo_hits(seed, 0, samples)
    else:
        hits = fk_monte_carlo_hits(seed, 0, samples)
    return 4.0 * <double>hits / <double>samples


def binary_trees(int max_depth, bint release_gil=True):
    if not 0 <= max_depth <= FK_BINARY_TREES_MAX_DEPTH:
        raise ValueError(f"max_depth must be in 0..{FK_BINARY_TREES_MAX_DEPTH}, got {max_depth}")
    cdef int64_t rows[FK_BINARY_TREES_MAX_ROWS][3]
    cdef ptrdiff_t count
    if release_gil:
        with nogil:
            count = fk_binary_trees(max_depth, &rows[0][0])
    else:
        count = fk_binary_trees(max_depth, &rows[0][0])
    if count < 0:
        raise MemoryError(f"binary_trees({max_depth}) ran out of memory")
    return [(rows[i][0], rows[i][1], rows[i][2]) for i in range(count)]



def fib(int n, bint release_gil=True):
    if not 0 <= n <= FK_FIB_MAX_N:
        raise ValueError(f"n must be in 0..{FK_FIB_MAX_N}, got {n}")
    cdef int64_t result
    if release_gil:
        with nogil:
            result = fk_fib(n)
    else:
        result = fk_fib(n)
    return result


def fnv1a(data, bint release_gil=True):
    return call_bytes(fk_fnv1a, data, release_gil)


def spectral_norm(Py_ssize_t n, bint release_gil=True):
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    cdef double[::1] work = numpy.empty(3 * n)
    cdef double result
    if release_gil:
        with nogil:
            result = fk_spectral_norm(n, &work[0])
    else:
        result = fk_spectral_norm(n, &work[0])
    return result


def fannkuch(int n, bint release_gil=True):
    if not 1 <= n <= FK_FANNKUCH_MAX_N:
        raise ValueError(f"n must be in 1..{FK_FANNKUCH_MAX_N}, got {n}")
    cdef int64_t checksum
    cdef int max_flips
    if release_gil:
        with nogil:
            fk_fannkuch(n, &checksum, &max_flips)
    else:
        fk_fannkuch(n, &checksum, &max_flips)
    return checksum, max_flips


def matmul(a, b, bint release_gil=True):
    return call_matmul(fk_matmul, a, b, release_gil)
