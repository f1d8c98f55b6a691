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
#
# ``run_split`` does the same range over a team of threads (csrc/team.c): the calling
# thread is one of them and, in the main thread, checks signals between its tasks (each at
# most one chunk), so Ctrl-C stops the team within about a chunk. Sums split by ``threads``
# add fixed blocks of SPLIT_BLOCK elements, each summed as one unsplit call would, in block
# order (``sum_blocks``): the same result for every number of threads, and the unsplit
# call's result whenever the input fits one block.

from cpython.exc cimport PyErr_CheckSignals
from cpython.pythread cimport PyThread_get_thread_ident
from libc.stddef cimport ptrdiff_t
from libc.stdint cimport int64_t, uint8_t, uint64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy, memset

cimport numpy as cnp

from ._buffers cimport acquire, acquire_pair, new_float64_matrix, release

cnp.import_array()

import threading

ctypedef void (*range_fn)(void *state, int64_t begin, int64_t end) noexcept nogil
ctypedef int (*groups_fn)(const void *state, int64_t unit, int64_t *start,
                          int64_t *end) noexcept nogil
ctypedef void (*merge_fn)(void *state, const void *copy) noexcept nogil

cdef extern from "Python.h":
    # PyErr_CheckSignals as plain C: -1 with the exception set, which Cython's own
    # declaration (``except -1``) would propagate at once, skipping the caller's clean-up.
    int signal_raised "PyErr_CheckSignals" ()

cdef extern from "fastkern.h" nogil:
    enum:
        FK_MAX_THREADS
        FK_GROUP_SHARED
        FK_GROUP_WHOLE
        FK_GROUP_SINGLE
    ctypedef struct fk_team_t:
        pass
    int fk_threads_available()
    fk_team_t *fk_team_start(range_fn work, groups_fn groups, void *states, size_t state_size,
                             int threads, int64_t units, int64_t task)
    int fk_team_step(fk_team_t *team)
    void fk_team_finish(fk_team_t *team, int stop)
    void fk_team_count(int on)
    int64_t fk_team_counted(int *still_running, int64_t *last_exit)

cdef enum:
    SPLIT_BLOCK = 1 << 16
    TASKS_PER_THREAD = 4

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


def count_team_runnable(bint on):
    """Measurement: from now on (``on``, zeroing the total) or no longer, each worker thread
    that a split call of this module starts adds its runnable time as it exits."""
    fk_team_count(on)


def team_runnable():
    """(seconds, workers still to exit, last exit): the runnable time (on a CPU or in a run
    queue) counted since ``count_team_runnable(True)``, None where a worker could not read
    it (no ``/proc/thread-self/schedstat``); and when the last counted worker exited, in
    ``time.monotonic()`` seconds (0.0: none yet). The calling thread is not counted."""
    cdef int still_running
    cdef int64_t last_exit
    cdef int64_t counted = fk_team_counted(&still_running, &last_exit)
    return (None if counted < 0 else counted / 1e9), still_running, last_exit / 1e9


cdef int check_threads(int threads) except -1:
    """Refuse a thread count the team cannot honour; 0 means "do not split"."""
    if not 0 <= threads <= FK_MAX_THREADS:
        raise ValueError(f"threads must be in 1..{FK_MAX_THREADS} (or 0: not split), got {threads}")
    if threads > 1 and not fk_threads_available():
        raise ValueError(f"threads={threads} needs thread support, and this fastkern was built "
                         f"without it (fastkern.info()['threads']); use threads=1 or None")
    return 0


cdef int run_split(range_fn work, groups_fn groups, void *states, size_t state_size, int threads,
                   int64_t total, int64_t chunk, int64_t span, bint release_gil) except -1:
    """Do units [0, total) of ``work`` over ``threads`` threads (see the module comment).

    Thread t works on ``states + t * state_size`` (``state_size`` 0: one shared state);
    ``groups`` (or NULL) orders groups of units as ``fk_team_start`` says; tasks are about
    a ``TASKS_PER_THREAD * threads``-th of ``span`` units (a typical group), at most
    ``chunk``. Returns -1 with the exception set when a signal handler raised.
    """
    cdef int64_t task = (span + TASKS_PER_THREAD * threads - 1) // (TASKS_PER_THREAD * threads)
    cdef fk_team_t *team
    cdef bint check_signals = PyThread_get_thread_ident() == _main_thread
    cdef int more = 1, stop = 0
    if total <= 0:
        return 0
    team = fk_team_start(work, groups, states, state_size, threads, total, min(task, chunk))
    if team == NULL:
        raise MemoryError("could not start a team of threads")
    while more:
        if release_gil:
            with nogil:
                more = fk_team_step(team)
        else:
            more = fk_team_step(team)
        if more and check_signals and signal_raised() < 0:
            stop = 1  # finish the team (its threads stop after their tasks), then raise
            more = 0
    if release_gil:
        with nogil:
            fk_team_finish(team, stop)
    else:
        fk_team_finish(team, stop)
    return -1 if stop else 0


cdef int run_shared(range_fn work, groups_fn groups, void *state, int threads, int64_t total,
                    int64_t chunk, int64_t span, bint release_gil) except -1:
    """``run_chunked`` when ``threads`` is 0, else ``run_split`` with one shared state (for
    ranged work whose units only read the state and write disjoint outputs)."""
    if threads:
        return run_split(work, groups, state, 0, threads, total, chunk, span, release_gil)
    return run_chunked(work, state, total, chunk, release_gil)


cdef void *thread_states(const void *first, size_t size, int threads) except NULL:
    """``threads`` copies of the state at ``first``, side by side: free them with ``free``."""
    cdef char *states = <char *>malloc(size * threads)
    cdef int t
    if states == NULL:
        raise MemoryError(f"no memory for the states of {threads} threads")
    for t in range(threads):
        memcpy(states + t * size, first, size)
    return states


cdef int run_copies(range_fn work, void *state, size_t size, merge_fn merge, int threads,
                    int64_t total, int64_t chunk, bint release_gil) except -1:
    """``run_chunked`` when ``threads`` is 0, else ``run_split`` over ``threads`` copies of
    ``state``, each then merged into ``state`` by ``merge``: for results that do not depend
    on which thread did which units (counts, integer sums, maxima)."""
    cdef char *states
    cdef int t
    if not threads:
        return run_chunked(work, state, total, chunk, release_gil)
    states = <char *>thread_states(state, size, threads)
    try:
        run_split(work, NULL, states, size, threads, total, chunk, total, release_gil)
        for t in range(threads):
            merge(state, states + t * size)
    finally:
        free(states)
    return 0


ctypedef struct monte_carlo_t:
    uint64_t seed
    int64_t hits


cdef void add_hits(void *state, const void *copy) noexcept nogil:
    (<monte_carlo_t *>state).hits += (<const monte_carlo_t *>copy).hits


ctypedef struct sum_blocks_t:
    const double *x
    const double *y
    int64_t n
    double *partial


cdef double sum_blocks(range_fn block_sums, const double *x, const double *y, int64_t n,
                       double unit_ops, int threads, bint release_gil) except? -1.0:
    """Sum split by threads: ``block_sums`` stores the sum of each SPLIT_BLOCK-element block
    [begin, end) of x (or x*y) in ``partial``, which is then added in block order."""
    cdef int64_t blocks = (n + SPLIT_BLOCK - 1) // SPLIT_BLOCK, i
    cdef sum_blocks_t state = sum_blocks_t(x=x, y=y, n=n, partial=NULL)
    cdef double total
    if blocks == 0:
        return 0.0
    state.partial = <double *>malloc(blocks * sizeof(double))
    if state.partial == NULL:
        raise MemoryError(f"no memory for the partial sums of {blocks} blocks")
    try:
        run_split(block_sums, NULL, &state, 0, threads, blocks,
                  chunk_units(unit_ops * SPLIT_BLOCK), blocks, release_gil)
        total = state.partial[0]
        for i in range(1, blocks):
            total += state.partial[i]
    finally:
        free(state.partial)
    return total


cdef inline int64_t block_length(const sum_blocks_t *s, int64_t block) noexcept nogil:
    return min(<int64_t>SPLIT_BLOCK, s.n - block * SPLIT_BLOCK)


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


ctypedef struct matmul_split_t:
    matmul_open_fn open  # opens the state for splitting (NULL: ``work`` splits by rows)
    range_fn work
    groups_fn groups


cdef inline double call_vector(vectors_open_fn open, range_fn work, double_result_fn result,
                               void *state, int64_t chunk, object x, bint release_gil,
                               range_fn blocks, double unit_ops, int threads) except? -1.0:
    """``x``'s n items as units [0, n); ``open`` gets y = NULL. With ``threads``,
    ``sum_blocks`` over ``blocks`` (units of ``unit_ops`` operations) instead."""
    cdef Py_buffer view
    cdef double total
    check_threads(threads)
    acquire(x, &view, cnp.NPY_DOUBLE, 1, "x")
    try:
        if threads:
            total = sum_blocks(blocks, <const double *>view.buf, NULL, view.shape[0], unit_ops,
                               threads, release_gil)
        else:
            open(state, <const double *>view.buf, NULL, view.shape[0])
            run_chunked(work, state, view.shape[0], chunk, release_gil)
    finally:
        release(&view)
    return total if threads else result(state)


cdef inline double call_vectors(vectors_open_fn open, range_fn work, double_result_fn result,
                                void *state, int64_t chunk, object x, object y, bint release_gil,
                                range_fn blocks, double unit_ops, int threads) except? -1.0:
    """Item i of ``x`` and of ``y`` as unit i; ``threads`` as in ``call_vector``."""
    cdef Py_buffer views[2]
    cdef double total
    check_threads(threads)
    acquire_pair(x, y, views, 1, "x", "y")
    cdef ptrdiff_t n = views[0].shape[0]
    try:
        if n != views[1].shape[0]:
            raise ValueError(f"x and y must have the same length, got {n} and {views[1].shape[0]}")
        if threads:
            total = sum_blocks(blocks, <const double *>views[0].buf, <const double *>views[1].buf,
                               n, unit_ops, threads, release_gil)
        else:
            open(state, <const double *>views[0].buf, <const double *>views[1].buf, n)
            run_chunked(work, state, n, chunk, release_gil)
    finally:
        release(&views[1])
        release(&views[0])
    return total if threads else result(state)


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
                               object a, object b, bint release_gil, const matmul_split_t *split,
                               int threads):
    """``open`` says the units and their multiply-adds (-1: out of memory); ``close``
    (or NULL) frees what it took, also after an interrupt. Empty products are done here.
    With ``threads``, ``split`` says how the work splits: by ``split.open``'s units, in
    ``split.groups`` of one k-slice (of 256) each, or else by rows (``work``, shared state)."""
    cdef Py_buffer views[2]
    check_threads(threads)
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
        if threads and split.open != NULL:
            open, work = split.open, split.work
        units = open(state, n, k, m, <const double *>views[0].buf,
                     <const double *>views[1].buf, out, &unit_ops)
        if units < 0:
            raise MemoryError("matmul ran out of memory for its packing buffers")
        try:
            if threads and split.open != NULL:
                run_split(work, split.groups, state, 0, threads, units, chunk_units(unit_ops),
                          units // ((k + 255) // 256) // 2, release_gil)
            else:
                run_shared(work, NULL, state, threads, units, chunk_units(unit_ops), units,
                           release_gil)
        finally:
            if close != NULL:
                close(state)
    finally:
        release(&views[1])
        release(&views[0])
    return product
