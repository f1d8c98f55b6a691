# The chunk driver of the GIL-releasing backends, included by _typed.pyx and _c.pyx.
#
# A kernel's work is a range of units done in order by a ``range_fn`` on a state struct
# (see csrc/fastkern.h). ``run_chunked`` does the range in chunks of about CHUNK_OPS simple
# operations (~10 ms); between chunks, in the main thread, it takes the GIL back if it was
# released and lets Python handle pending signals, so Ctrl-C raises KeyboardInterrupt
# within a chunk. Other threads never receive signals in Python, so there it runs every
# chunk in one stretch without the GIL (when released), as Python threads behave.

from cpython.exc cimport PyErr_CheckSignals
from cpython.pythread cimport PyThread_get_thread_ident
from libc.stdint cimport int64_t, uintptr_t

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
    if PyThread_get_thread_ident() != _main_thread:
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


cdef inline int check_aligned(const void *data, size_t alignment, str name) except -1:
    """Refuse a buffer whose items are misaligned (e.g. from numpy.frombuffer with an offset):
    reading them would be undefined behaviour in C."""
    if <uintptr_t>data % alignment:
        raise ValueError(f"{name} must be aligned to {alignment} bytes, got a buffer at an "
                         f"address that is not; copy it first (numpy.array({name}))")
    return 0
