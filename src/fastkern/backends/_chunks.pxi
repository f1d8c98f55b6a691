# The chunk driver of the GIL-releasing backends, included by _typed.pyx and _c.pyx, and
# the raw wrappers of their buffer kernels, which run through it.
#
# A kernel's work is a range of units done in order by a ``range_fn`` on a state struct
# (see csrc/fastkern.h). ``run_chunked`` does the range in chunks of about CHUNK_OPS simple
# operations (~10 ms); between chunks, in the main thread, it takes the GIL back if it was
# released and lets Python handle pending signals, so Ctrl-C raises KeyboardInterrupt
# within a chunk. Other threads never receive signals in Python, so there it runs every
# chunk in one stretch without the GIL (when released), as Python threads behave; so does
# a call of one chunk, which has no point between chunks to check at.

from cpython.exc cimport PyErr_CheckSignals
from cpython.pythread cimport PyThread_get_thread_ident
from libc.stddef cimport ptrdiff_t
from libc.stdint cimport int64_t, uint8_t, uint64_t
from libc.string cimport memset

cimport numpy as cnp

from ._buffers cimport acquire, acquire_pair, new_float64_matrix, release

cnp.import_array()

import threading

ctypedef void (*range_fn)(void *state, int64_t begin, int64_t end) noexcept nogil

cdef unsigned long _main_thread = threading.main_thread().ident
cdef double _chunk_ops = 1 << 23


def _set_chunk_ops(double ops):
    """Set the operations per chunk (for tests: 1 makes every unit its own chunk); returns the old value."""
    global _chunk_ops
    if not ops >= 1:
        raise ValueError(f"ops must be at least 1, got {ops}")
    old, _chunk_ops = _chunk_ops, ops
    return old


cdef inline int64_t chunk_units(double unit_ops, int64_t granule=1) noexcept nogil:
    """Units per chunk for units of ``unit_ops`` operations each: a multiple of ``granule``."""
    cdef double units = _chunk_ops / unit_ops if unit_ops > 1 else _chunk_ops
    if units < granule:
        return granule
    if units > <double>(1LL << 62):
        return (1LL << 62) // granule * granule
    return <int64_t>units // granule * granule


cdef inline void _run_all(range_fn work, void *state, int64_t total, int64_t chunk) noexcept nogil:
    cdef int64_t begin = 0
    while begin < total:
        work(state, begin, begin + chunk if chunk < total - begin else total)
        begin = begin + chunk if chunk < total - begin else total


cdef int run_chunked(range_fn work, void *state, int64_t total, int64_t chunk,
                     bint release_gil) except -1:
    """Do units [0, total) of ``work`` on ``state``, chunk by chunk (see the module comment).

    Returns -1 with the exception set when a signal handler raised (KeyboardInterrupt):
    the caller then releases what the state holds.
    """
    cdef int64_t begin = 0, end
    if total <= chunk or PyThread_get_thread_ident() != _main_thread:
        if release_gil:
            with nogil:
                _run_all(work, state, total, chunk)
        else:
            _run_all(work, state, total, chunk)
        return 0
    while begin < total:
        end = begin + chunk if chunk < total - begin else total
        if release_gil:
            with nogil:
                work(state, begin, end)
        else:
            work(state, begin, end)
        begin = end
        if begin < total and PyErr_CheckSignals() < 0:
            return -1
    return 0


# The raw wrappers of buffer kernels, written once: acquire the buffer arguments
# (_buffers.pxd), open the kernel's state on them, run its units through run_chunked,
# release. Each backend passes its ranged functions and its state.
ctypedef void (*vectors_open_fn)(void *state, const double *x, const double *y,
                                 ptrdiff_t n) noexcept nogil
ctypedef double (*double_result_fn)(void *state) noexcept nogil
ctypedef void (*bytes_open_fn)(void *state, const uint8_t *data) noexcept nogil
ctypedef uint64_t (*bytes_result_fn)(void *state) noexcept nogil
ctypedef int64_t (*matmul_open_fn)(void *state, ptrdiff_t n, ptrdiff_t k, ptrdiff_t m,
                                   const double *a, const double *b, double *out,
                                   double *unit_ops) noexcept nogil
ctypedef void (*close_fn)(void *state) noexcept nogil


cdef inline double call_vector(vectors_open_fn open, range_fn work, double_result_fn result,
                               void *state, int64_t chunk, object x,
                               bint release_gil) except? -1.0:
    """``x``'s n items as units [0, n); ``open`` gets y = NULL."""
    cdef Py_buffer view
    acquire(x, &view, cnp.NPY_DOUBLE, 1, "x")
    try:
        open(state, <const double *>view.buf, NULL, view.shape[0])
        run_chunked(work, state, view.shape[0], chunk, release_gil)
    finally:
        release(&view)
    return result(state)


cdef inline double call_vectors(vectors_open_fn open, range_fn work, double_result_fn result,
                                void *state, int64_t chunk, object x, object y,
                                bint release_gil) except? -1.0:
    """Item i of ``x`` and of ``y`` as unit i."""
    cdef Py_buffer views[2]
    acquire_pair(x, y, views, 1, "x", "y")
    cdef ptrdiff_t n = views[0].shape[0]
    try:
        if n != views[1].shape[0]:
            raise ValueError(f"x and y must have the same length, got {n} and {views[1].shape[0]}")
        open(state, <const double *>views[0].buf, <const double *>views[1].buf, n)
        run_chunked(work, state, n, chunk, release_gil)
    finally:
        release(&views[1])
        release(&views[0])
    return result(state)


cdef inline object call_bytes(bytes_open_fn open, range_fn work, bytes_result_fn result,
                              void *state, int64_t chunk, object data, bint release_gil):
    """Byte i of ``data`` as unit i."""
    cdef Py_buffer view
    acquire(data, &view, cnp.NPY_UBYTE, 1, "data")
    try:
        open(state, <const uint8_t *>view.buf)
        run_chunked(work, state, view.shape[0], chunk, release_gil)
    finally:
        release(&view)
    return result(state)


cdef inline object call_matmul(matmul_open_fn open, range_fn work, close_fn close, void *state,
                               object a, object b, bint release_gil):
    """``open`` says the units and their multiply-adds (-1: out of memory); ``close``
    (or NULL) frees what it took, also after an interrupt. Empty products are done here."""
    cdef Py_buffer views[2]
    acquire_pair(a, b, views, 2, "a", "b")
    cdef ptrdiff_t n = views[0].shape[0], k = views[0].shape[1], m = views[1].shape[1]
    cdef double unit_ops
    cdef int64_t units
    cdef double *out
    try:
        if k != views[1].shape[0]:
            raise ValueError(f"a's columns must match b's rows: a has shape ({n}, {k}), "
                             f"b has shape ({views[1].shape[0]}, {m})")
        product = new_float64_matrix(n, m)
        if n == 0 or m == 0:
            return product
        out = <double *>cnp.PyArray_DATA(<cnp.ndarray>product)
        if k == 0:
            memset(out, 0, sizeof(double) * <size_t>n * <size_t>m)
            return product
        units = open(state, n, k, m, <const double *>views[0].buf,
                     <const double *>views[1].buf, out, &unit_ops)
        if units < 0:
            raise MemoryError("matmul ran out of memory for its packing buffers")
        try:
            run_chunked(work, state, units, chunk_units(unit_ops), release_gil)
        finally:
            if close != NULL:
                close(state)
    finally:
        release(&views[1])
        release(&views[0])
    return product
