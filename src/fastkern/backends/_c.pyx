# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
# cython: freethreading_compatible=True
"""The ``c`` backend: thin wrappers around the C99 kernels in ``csrc/``.

Each wrapper acquires its buffer arguments for the whole call (``_buffers.pxd``: NumPy's
C API for arrays, the buffer protocol otherwise; no memoryview object), opens the kernel's
state and runs its ranged work through the chunk driver of ``_chunks.pxi``: without the
GIL unless ``release_gil=False``, with a signal check between chunks in the main thread (Ctrl-C raises ``KeyboardInterrupt``; scratch memory is freed).
The kernels whose work splits take ``threads``: 0 runs the unsplit call, N >= 1 runs the
same ranged work over a team of N threads (``run_split``), with a result independent of N.
"""

from libc.stddef cimport ptrdiff_t
from libc.stdint cimport int64_t, uint8_t, uint16_t, uint64_t
from libc.stdlib cimport free

import numpy

include "_chunks.pxi"


cdef extern from "fastkern.h" nogil:
    enum:
        FK_GRANULE
        FK_MANDELBROT_LANES
        FK_BINARY_TREES_MAX_DEPTH
        FK_FIB_MAX_N
        FK_FIB_LEAF_CALLS
        FK_SPECTRAL_NORM_LANES
        FK_FANNKUCH_MAX_N
    ctypedef struct fk_sum_t:
        pass
    void fk_sum_open(fk_sum_t *s, const double *x, ptrdiff_t n)
    void fk_sum_range(void *state, int64_t begin, int64_t end)
    double fk_sum_result(fk_sum_t *s)
    ctypedef struct fk_dot_t:
        pass
    void fk_dot_open(fk_dot_t *s, const double *x, const double *y, ptrdiff_t n)
    void fk_dot_range(void *state, int64_t begin, int64_t end)
    double fk_dot_result(fk_dot_t *s)
    ctypedef struct fk_mandelbrot_t:
        pass
    int64_t fk_mandelbrot_open(fk_mandelbrot_t *s, ptrdiff_t width, ptrdiff_t height,
                               int max_iter, void *out)
    void fk_mandelbrot_range(void *state, int64_t begin, int64_t end)
    ctypedef struct fk_nbody_t:
        pass
    void fk_nbody_open(fk_nbody_t *s)
    double fk_nbody_energy(const fk_nbody_t *s)
    void fk_nbody_range(void *state, int64_t begin, int64_t end)
    int64_t fk_monte_carlo_hits(uint64_t seed, int64_t first, int64_t count)
    ctypedef struct fk_binary_trees_t:
        int rows
        int64_t row[1][3]
    int64_t fk_binary_trees_open(fk_binary_trees_t *s, int max_depth)
    void fk_binary_trees_range(void *state, int64_t begin, int64_t end)
    void fk_binary_trees_close(fk_binary_trees_t *s)
    int fk_binary_trees_groups(const void *state, int64_t unit, int64_t *start, int64_t *end)
    int fk_binary_trees_fork(const fk_binary_trees_t *s, fk_binary_trees_t *copy)
    void fk_binary_trees_add(fk_binary_trees_t *s, const fk_binary_trees_t *copy)
    ctypedef struct fk_fib_t:
        int64_t sum
    int64_t fk_fib_open(fk_fib_t *s, int n)
    void fk_fib_range(void *state, int64_t begin, int64_t end)
    ctypedef struct fk_fnv1a_t:
        uint64_t h
    void fk_fnv1a_open(fk_fnv1a_t *s, const uint8_t *data)
    void fk_fnv1a_range(void *state, int64_t begin, int64_t end)
    ctypedef struct fk_spectral_norm_t:
        pass
    int64_t fk_spectral_norm_open(fk_spectral_norm_t *s, ptrdiff_t n, double *work)
    void fk_spectral_norm_range(void *state, int64_t begin, int64_t end)
    double fk_spectral_norm_result(const fk_spectral_norm_t *s)
    int fk_spectral_norm_groups(const void *state, int64_t unit, int64_t *start, int64_t *end)
    ctypedef struct fk_fannkuch_t:
        int max_flips
        int64_t checksum
    int64_t fk_fannkuch_open(fk_fannkuch_t *s, int n)
    void fk_fannkuch_range(void *state, int64_t begin, int64_t end)
    ctypedef struct fk_matmul_t:
        pass
    int64_t fk_matmul_open(fk_matmul_t *s, ptrdiff_t n, ptrdiff_t k, ptrdiff_t m,
                           const double *a, const double *b, double *out, double *unit_ops)
    void fk_matmul_range(void *state, int64_t begin, int64_t end)
    void fk_matmul_close(fk_matmul_t *s)
    int64_t fk_matmul_open_split(fk_matmul_t *s, ptrdiff_t n, ptrdiff_t k, ptrdiff_t m,
                                 const double *a, const double *b, double *out, double *unit_ops)
    void fk_matmul_split_range(void *state, int64_t begin, int64_t end)
    int fk_matmul_split_groups(const void *state, int64_t unit, int64_t *start, int64_t *end)


cdef void _sum_blocks(void *state, int64_t begin, int64_t end) noexcept nogil:
    cdef sum_blocks_t *s = <sum_blocks_t *>state
    cdef fk_sum_t block
    cdef int64_t b, length
    for b in range(begin, end):
        length = block_length(s, b)
        fk_sum_open(&block, s.x + b * SPLIT_BLOCK, length)
        fk_sum_range(&block, 0, length)
        s.partial[b] = fk_sum_result(&block)


cdef void _dot_blocks(void *state, int64_t begin, int64_t end) noexcept nogil:
    cdef sum_blocks_t *s = <sum_blocks_t *>state
    cdef fk_dot_t block
    cdef int64_t b, length
    for b in range(begin, end):
        length = block_length(s, b)
        fk_dot_open(&block, s.x + b * SPLIT_BLOCK, s.y + b * SPLIT_BLOCK, length)
        fk_dot_range(&block, 0, length)
        s.partial[b] = fk_dot_result(&block)


cdef void _sum_open(void *state, const double *x, const double *y, ptrdiff_t n) noexcept nogil:
    fk_sum_open(<fk_sum_t *>state, x, n)


cdef double _sum_result(void *state) noexcept nogil:
    return fk_sum_result(<fk_sum_t *>state)


def sum(x, bint release_gil=True, int threads=0):
    cdef fk_sum_t state
    return call_vector(_sum_open, fk_sum_range, _sum_result, &state,
                       chunk_units(1, FK_GRANULE), x, release_gil, _sum_blocks, 1, threads)


cdef void _dot_open(void *state, const double *x, const double *y, ptrdiff_t n) noexcept nogil:
    fk_dot_open(<fk_dot_t *>state, x, y, n)


cdef double _dot_result(void *state) noexcept nogil:
    return fk_dot_result(<fk_dot_t *>state)


def dot(x, y, bint release_gil=True, int threads=0):
    cdef fk_dot_t state
    return call_vectors(_dot_open, fk_dot_range, _dot_result, &state,
                        chunk_units(2, FK_GRANULE), x, y, release_gil, _dot_blocks, 2, threads)


def mandelbrot(Py_ssize_t width, Py_ssize_t height, int max_iter, bint release_gil=True,
               int threads=0):
    if not 0 <= max_iter <= 65535:
        raise ValueError(f"max_iter must be in 0..65535, got {max_iter}")
    check_threads(threads)
    out = numpy.empty((height, width), dtype=numpy.uint8 if max_iter <= 255 else numpy.uint16)
    if width == 0 or height == 0:
        return out
    cdef uint8_t[:, ::1] out8
    cdef uint16_t[:, ::1] out16
    cdef void *pixels
    if max_iter <= 255:
        out8 = out
        pixels = &out8[0, 0]
    else:
        out16 = out
        pixels = &out16[0, 0]
    cdef fk_mandelbrot_t state
    cdef int64_t units = fk_mandelbrot_open(&state, width, height, max_iter, pixels)
    cdef int64_t chunk = chunk_units(FK_MANDELBROT_LANES * (max_iter + 1.0))
    run_shared(fk_mandelbrot_range, NULL, &state, threads, units, chunk, units, release_gil)
    return out


def nbody(Py_ssize_t steps, bint release_gil=True):
    cdef fk_nbody_t state
    fk_nbody_open(&state)
    cdef double before = fk_nbody_energy(&state)
    run_chunked(fk_nbody_range, &state, steps, chunk_units(150), release_gil)
    return before, fk_nbody_energy(&state)


cdef void _monte_carlo_range(void *state, int64_t begin, int64_t end) noexcept nogil:
    cdef monte_carlo_t *s = <monte_carlo_t *>state
    s.hits += fk_monte_carlo_hits(s.seed, begin, end - begin)


def monte_carlo_pi(int64_t samples, uint64_t seed, bint release_gil=True, int threads=0):
    if samples <= 0:
        raise ValueError(f"samples must be at least 1, got {samples}")
    check_threads(threads)
    cdef monte_carlo_t state = monte_carlo_t(seed=seed, hits=0)
    run_copies(_monte_carlo_range, &state, sizeof(monte_carlo_t), add_hits, threads, samples,
               chunk_units(4), release_gil)
    return 4.0 * <double>state.hits / <double>samples


def binary_trees(int max_depth, bint release_gil=True, int threads=0):
    if not 0 <= max_depth <= FK_BINARY_TREES_MAX_DEPTH:
        raise ValueError(f"max_depth must be in 0..{FK_BINARY_TREES_MAX_DEPTH}, got {max_depth}")
    check_threads(threads)
    cdef fk_binary_trees_t state
    cdef fk_binary_trees_t *states = NULL
    cdef int64_t units = fk_binary_trees_open(&state, max_depth)
    cdef int t, forked = 1
    if units < 0:
        raise MemoryError(f"binary_trees({max_depth}) ran out of memory")
    try:
        if not threads:
            run_chunked(fk_binary_trees_range, &state, units, chunk_units(8), release_gil)
        else:
            states = <fk_binary_trees_t *>thread_states(&state, sizeof(fk_binary_trees_t), threads)
            for forked in range(1, threads + 1):
                if forked == threads or fk_binary_trees_fork(&state, &states[forked]) < 0:
                    break
            if forked < threads:
                raise MemoryError(f"binary_trees({max_depth}) ran out of memory for its threads")
            run_split(fk_binary_trees_range, fk_binary_trees_groups, states,
                      sizeof(fk_binary_trees_t), threads, units, chunk_units(8),
                      units // state.rows, release_gil)
            for t in range(1, threads):
                fk_binary_trees_add(&states[0], &states[t])
            state = states[0]
    finally:
        if states != NULL:
            for t in range(1, forked):
                fk_binary_trees_close(&states[t])
            free(states)
        fk_binary_trees_close(&state)
    return [(state.row[i][0], state.row[i][1], state.row[i][2]) for i in range(state.rows)]


def fib(int n, bint release_gil=True):
    if not 0 <= n <= FK_FIB_MAX_N:
        raise ValueError(f"n must be in 0..{FK_FIB_MAX_N}, got {n}")
    cdef fk_fib_t state
    cdef int64_t units = fk_fib_open(&state, n)
    run_chunked(fk_fib_range, &state, units, chunk_units(2.0 * FK_FIB_LEAF_CALLS),
                release_gil)
    return state.sum


cdef void _fnv1a_open(void *state, const uint8_t *data) noexcept nogil:
    fk_fnv1a_open(<fk_fnv1a_t *>state, data)


cdef uint64_t _fnv1a_result(void *state) noexcept nogil:
    return (<fk_fnv1a_t *>state).h


def fnv1a(data, bint release_gil=True):
    cdef fk_fnv1a_t state
    return call_bytes(_fnv1a_open, fk_fnv1a_range, _fnv1a_result, &state, chunk_units(2),
                      data, release_gil)


def spectral_norm(Py_ssize_t n, bint release_gil=True, int threads=0):
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    check_threads(threads)
    cdef double[:, ::1] work = numpy.empty((3, n))
    cdef fk_spectral_norm_t state
    cdef int64_t units = fk_spectral_norm_open(&state, n, &work[0, 0])
    cdef int64_t chunk = chunk_units(4.0 * FK_SPECTRAL_NORM_LANES * n)
    run_shared(fk_spectral_norm_range, fk_spectral_norm_groups, &state, threads, units, chunk,
               units // 40, release_gil)
    return fk_spectral_norm_result(&state)


cdef void _add_fannkuch(void *state, const void *copy) noexcept nogil:
    cdef fk_fannkuch_t *s = <fk_fannkuch_t *>state
    cdef const fk_fannkuch_t *c = <const fk_fannkuch_t *>copy
    s.checksum += c.checksum
    s.max_flips = max(s.max_flips, c.max_flips)


def fannkuch(int n, bint release_gil=True, int threads=0):
    if not 1 <= n <= FK_FANNKUCH_MAX_N:
        raise ValueError(f"n must be in 1..{FK_FANNKUCH_MAX_N}, got {n}")
    check_threads(threads)
    cdef fk_fannkuch_t state
    cdef int64_t units = fk_fannkuch_open(&state, n)
    run_copies(fk_fannkuch_range, &state, sizeof(fk_fannkuch_t), _add_fannkuch, threads, units,
               chunk_units(40), release_gil)
    return state.checksum, state.max_flips


cdef int64_t _matmul_open(void *state, ptrdiff_t n, ptrdiff_t k, ptrdiff_t m, const double *a,
                          const double *b, double *out, double *unit_ops) noexcept nogil:
    return fk_matmul_open(<fk_matmul_t *>state, n, k, m, a, b, out, unit_ops)


cdef void _matmul_close(void *state) noexcept nogil:
    fk_matmul_close(<fk_matmul_t *>state)


cdef int64_t _matmul_open_split(void *state, ptrdiff_t n, ptrdiff_t k, ptrdiff_t m,
                                const double *a, const double *b, double *out,
                                double *unit_ops) noexcept nogil:
    return fk_matmul_open_split(<fk_matmul_t *>state, n, k, m, a, b, out, unit_ops)


cdef matmul_split_t _matmul_split = matmul_split_t(
    open=_matmul_open_split, work=fk_matmul_split_range, groups=fk_matmul_split_groups)


def matmul(a, b, bint release_gil=True, int threads=0):
    cdef fk_matmul_t state
    return call_matmul(_matmul_open, fk_matmul_range, _matmul_close, &state, a, b, release_gil,
                       &_matmul_split, threads)
