# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
# cython: cdivision=True, freethreading_compatible=True
"""The ``typed`` backend: Cython with C types and typed memoryviews.

Every kernel's loop is a ``noexcept nogil`` function doing the same float operations in
the same order as the ``python`` backend, so results are bit-identical to it. It does a
range of the kernel's units on a state struct, and the public wrapper runs the whole range
through the chunk driver of ``_chunks.pxi``: without the GIL unless ``release_gil=False``
(then the identical machine code runs with the GIL held), with a signal check between
chunks of about 10 ms in the main thread, so Ctrl-C raises ``KeyboardInterrupt`` and frees
what the call allocated. Buffer arguments are acquired for the whole call (``_buffers.pxd``:
NumPy's C API for arrays, the buffer protocol otherwise), so no other thread can resize or
free them meanwhile, except through NumPy's documented unsafe
``ndarray.resize(refcheck=False)``, which frees the buffer regardless of its exports: never
use it on an array a call may be using. The kernels whose work splits take ``threads``: 0
runs the unsplit call, N >= 1 the same ranged work over a team of N threads (``run_split``),
with a result independent of N.
"""

from libc.math cimport sqrt
from libc.stddef cimport ptrdiff_t
from libc.stdint cimport int64_t, uint8_t, uint16_t, uint64_t
from libc.stdlib cimport free, malloc

import numpy

include "_chunks.pxi"

ctypedef fused count_t:
    uint8_t
    uint16_t


ctypedef struct vector_t:
    const double *x
    const double *y
    double total


cdef void _sum_range(void *state, int64_t begin, int64_t end) noexcept nogil:
    cdef vector_t *s = <vector_t *>state
    cdef const double *x = s.x
    cdef double total = s.total
    cdef int64_t i
    for i in range(begin, end):
        total += x[i]
    s.total = total


cdef void _sum_blocks(void *state, int64_t begin, int64_t end) noexcept nogil:
    cdef sum_blocks_t *s = <sum_blocks_t *>state
    cdef vector_t block
    cdef int64_t b
    for b in range(begin, end):
        block = vector_t(x=s.x + b * SPLIT_BLOCK, y=NULL, total=0.0)
        _sum_range(&block, 0, block_length(s, b))
        s.partial[b] = block.total


cdef void _vector_open(void *state, const double *x, const double *y, ptrdiff_t n) noexcept nogil:
    cdef vector_t *s = <vector_t *>state
    s.x, s.y, s.total = x, y, 0.0


cdef double _vector_total(void *state) noexcept nogil:
    return (<vector_t *>state).total


def sum(x, bint release_gil=True, int threads=0):
    cdef vector_t state
    return call_vector(_vector_open, _sum_range, _vector_total, &state, chunk_units(4), x,
                       release_gil, _sum_blocks, 4, threads)


cdef void _dot_range(void *state, int64_t begin, int64_t end) noexcept nogil:
    cdef vector_t *s = <vector_t *>state
    cdef const double *x = s.x
    cdef const double *y = s.y
    cdef double total = s.total
    cdef int64_t i
    for i in range(begin, end):
        total += x[i] * y[i]
    s.total = total


cdef void _dot_blocks(void *state, int64_t begin, int64_t end) noexcept nogil:
    cdef sum_blocks_t *s = <sum_blocks_t *>state
    cdef vector_t block
    cdef int64_t b
    for b in range(begin, end):
        block = vector_t(x=s.x + b * SPLIT_BLOCK, y=s.y + b * SPLIT_BLOCK, total=0.0)
        _dot_range(&block, 0, block_length(s, b))
        s.partial[b] = block.total


def dot(x, y, bint release_gil=True, int threads=0):
    cdef vector_t state
    return call_vectors(_vector_open, _dot_range, _vector_total, &state, chunk_units(4), x, y,
                        release_gil, _dot_blocks, 4, threads)


ctypedef struct mandelbrot_t:
    Py_ssize_t width, height
    int max_iter
    void *out
    # Pixels [first, last) of row py for out's count type: called through this pointer,
    # so that the compiler keeps it apart from the row loop, whose variables would
    # otherwise crowd the recurrence out of registers (+7% instructions).
    void (*row)(const mandelbrot_t *s, Py_ssize_t py, Py_ssize_t first, Py_ssize_t last) noexcept nogil


cdef inline void _mandelbrot_pixels(const mandelbrot_t *s, Py_ssize_t py, Py_ssize_t first,
                                    Py_ssize_t last, count_t *row) noexcept nogil:
    # Pixels [first, last) of row py (first even), two per pass: their recurrences are
    # independent, so the CPU overlaps them. Each pixel still runs exactly the scalar
    # recurrence, so counts are bit-identical.
    cdef Py_ssize_t width = s.width, px
    cdef int max_iter = s.max_iter
    cdef double ci = 2.0 * py / s.height - 1.0, cr0, cr1, zr0, zi0, tr0, ti0, zr1, zi1, tr1, ti1
    cdef int it, count0, count1
    cdef bint alive0, alive1
    for px in range(first, last, 2):
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
        row[px] = <count_t>count0
        if px + 1 < width:
            row[px + 1] = <count_t>count1


cdef void _mandelbrot_row_u8(const mandelbrot_t *s, Py_ssize_t py, Py_ssize_t first,
                             Py_ssize_t last) noexcept nogil:
    _mandelbrot_pixels(s, py, first, last, <uint8_t *>s.out + py * s.width)


cdef void _mandelbrot_row_u16(const mandelbrot_t *s, Py_ssize_t py, Py_ssize_t first,
                              Py_ssize_t last) noexcept nogil:
    _mandelbrot_pixels(s, py, first, last, <uint16_t *>s.out + py * s.width)


cdef void _mandelbrot_range(void *state, int64_t begin, int64_t end) noexcept nogil:
    """Units are pairs of pixels, row after row."""
    cdef const mandelbrot_t *s = <const mandelbrot_t *>state
    cdef Py_ssize_t pairs = (s.width + 1) // 2, py
    for py in range(begin // pairs, (end + pairs - 1) // pairs):
        s.row(s, py, 2 * (begin - py * pairs) if begin > py * pairs else 0,
              2 * (end - py * pairs) if end < (py + 1) * pairs else s.width)


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
    cdef mandelbrot_t state = mandelbrot_t(width=width, height=height, max_iter=max_iter,
                                           out=NULL, row=_mandelbrot_row_u8)
    if max_iter <= 255:
        out8 = out
        state.out = &out8[0, 0]
    else:
        out16 = out
        state.out, state.row = &out16[0, 0], _mandelbrot_row_u16
    cdef int64_t units = height * ((width + 1) // 2)
    run_shared(_mandelbrot_range, NULL, &state, threads, units,
               chunk_units(2 * 8 * (max_iter + 1.0)), units, release_gil)
    return out


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


cdef void _nbody_range(void *state, int64_t begin, int64_t end) noexcept nogil:
    cdef system_t s = (<system_t *>state)[0]
    cdef double dt = 0.01, dx, dy, dz, d2, mag
    cdef int64_t step
    cdef int i, j
    for step in range(begin, end):
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
    (<system_t *>state)[0] = s


def nbody(Py_ssize_t steps, bint release_gil=True):
    cdef system_t state
    _solar_system(&state)
    cdef double before = _energy(&state)
    run_chunked(_nbody_range, &state, steps, chunk_units(150), release_gil)
    return before, _energy(&state)


cdef inline uint64_t _splitmix64_at(uint64_t seed, uint64_t k) noexcept nogil:
    cdef uint64_t z = seed + k * <uint64_t>0x9E3779B97F4A7C15
    z = (z ^ (z >> 30)) * <uint64_t>0xBF58476D1CE4E5B9
    z = (z ^ (z >> 27)) * <uint64_t>0x94D049BB133111EB
    return z ^ (z >> 31)


cdef void _monte_carlo_range(void *state, int64_t begin, int64_t end) noexcept nogil:
    cdef monte_carlo_t *s = <monte_carlo_t *>state
    cdef double scale = 1.0 / 9007199254740992.0, x, y
    cdef uint64_t seed = s.seed, k = 2 * <uint64_t>begin
    cdef int64_t hits = s.hits, i
    for i in range(end - begin):  # a count from 0: the compiler then keeps no second counter
        x = <double>(_splitmix64_at(seed, k + 1) >> 11) * scale
        y = <double>(_splitmix64_at(seed, k + 2) >> 11) * scale
        if x * x + y * y <= 1.0:
            hits += 1
        k += 2
    s.hits = hits


def monte_carlo_pi(int64_t samples, uint64_t seed, bint release_gil=True, int threads=0):
    if samples <= 0:
        raise ValueError(f"samples must be at least 1, got {samples}")
    check_threads(threads)
    cdef monte_carlo_t state = monte_carlo_t(seed=seed, hits=0)
    run_copies(_monte_carlo_range, &state, sizeof(monte_carlo_t), add_hits, threads, samples,
               chunk_units(8), release_gil)
    return 4.0 * <double>state.hits / <double>samples


cdef enum:
    MIN_TREE_DEPTH = 4
    MAX_TREE_DEPTH = 24
    MAX_TREE_ROWS = (MAX_TREE_DEPTH - MIN_TREE_DEPTH) // 2 + 3
    # Trees deeper than this are built and walked a piece of this depth at a time.
    PIECE_DEPTH = 18

cdef enum tree_work:
    BUILD_AND_CHECK, BUILD, CHECK

cdef struct node_t:
    node_t *left
    node_t *right

ctypedef struct tree_phase_t:
    tree_work kind
    int depth, row
    int64_t items, item_units, first_unit

ctypedef struct binary_trees_t:
    int rows, phases
    bint failed
    int64_t row[MAX_TREE_ROWS][3]
    tree_phase_t phase[MAX_TREE_ROWS + 1]
    node_t *deep  # the deep scratch tree being built and walked piece by piece
    node_t **long_lived  # shared by the copies of a split call


cdef node_t *_build(node_t *node, int depth) noexcept nogil:
    """A tree of ``depth`` rooted at ``node``, its nodes taken from there on in depth-first
    order; returns the node after it (the free node passed in and out stays in a register)."""
    cdef node_t *right
    if depth == 0:
        node.left = node.right = NULL
        return node + 1
    right = _build(node + 1, depth - 1)
    node.left, node.right = node + 1, right
    return _build(right, depth - 1)


cdef int64_t _check(const node_t *node) noexcept nogil:
    if node.left == NULL:
        return 1
    return 1 + _check(node.left) + _check(node.right)


cdef inline int64_t _tree_nodes(int depth) noexcept nogil:
    return (<int64_t>1 << (depth + 1)) - 1


cdef node_t *_new_tree(int depth) noexcept nogil:
    """A tree of ``depth`` in one new block (free the root to free it), or NULL."""
    cdef node_t *nodes = <node_t *>malloc(_tree_nodes(depth) * sizeof(node_t))
    if nodes != NULL:
        _build(nodes, depth)
    return nodes


cdef int64_t _check_new_tree(int depth) noexcept nogil:
    cdef node_t *tree = _new_tree(depth)
    if tree == NULL:
        return -1
    cdef int64_t result = _check(tree)
    free(tree)
    return result


cdef int64_t _check_new_trees(int depth, int64_t trees) noexcept nogil:
    """The checks of ``trees`` trees of ``depth`` built one after another, or -1."""
    cdef int64_t total = 0, one, i
    for i in range(trees):
        one = _check_new_tree(depth)
        if one < 0:
            return -1
        total += one
    return total


# A tree deeper than PIECE_DEPTH: its top ``levels`` levels (2**levels - 1 nodes, in heap
# order at the start of its block) over 2**levels pieces of depth PIECE_DEPTH, each laid
# out depth-first after them.
cdef inline int _top_levels(int depth) noexcept nogil:
    return depth - PIECE_DEPTH if depth > PIECE_DEPTH else 0


cdef inline node_t *_piece(node_t *tree, int levels, int64_t i) noexcept nogil:
    return tree + ((<int64_t>1 << levels) - 1) + i * _tree_nodes(PIECE_DEPTH)


cdef void _link_top(node_t *tree, int levels) noexcept nogil:
    cdef int64_t top = (<int64_t>1 << levels) - 1, t, left, right
    for t in range(top):
        left, right = 2 * t + 1, 2 * t + 2
        tree[t].left = tree + left if left < top else _piece(tree, levels, left - top)
        tree[t].right = tree + right if right < top else _piece(tree, levels, right - top)


cdef int64_t _check_top(const node_t *node, int levels) noexcept nogil:
    """The nodes above the pieces, walked through the links."""
    if levels == 0:
        return 0
    return 1 + _check_top(node.left, levels - 1) + _check_top(node.right, levels - 1)


cdef void _add_phase(binary_trees_t *s, tree_work kind, int depth, int64_t trees,
                     int64_t *units) noexcept nogil:
    cdef tree_phase_t *phase = &s.phase[s.phases]
    cdef int64_t pieces = <int64_t>1 << _top_levels(depth)
    s.phases += 1
    phase.kind, phase.depth, phase.row = kind, depth, s.rows - 1
    if pieces == 1:
        phase.items = trees
        phase.item_units = (2 if kind == BUILD_AND_CHECK else 1) * _tree_nodes(depth)
    else:
        phase.items = trees * (2 * pieces if kind == BUILD_AND_CHECK else pieces)
        phase.item_units = _tree_nodes(PIECE_DEPTH)
    phase.first_unit = units[0]
    units[0] += phase.items * phase.item_units


cdef void _add_row(binary_trees_t *s, int64_t depth, int64_t iterations) noexcept nogil:
    s.row[s.rows][0], s.row[s.rows][1], s.row[s.rows][2] = depth, iterations, 0
    s.rows += 1


cdef int64_t _binary_trees_open(binary_trees_t *s, int max_depth) noexcept nogil:
    """The phases (stretch tree, long-lived tree built, each depth's iterations, long-lived
    tree walked) and their units: nodes built or walked."""
    cdef int deepest = max(max_depth, MIN_TREE_DEPTH + 2), depth
    cdef int64_t units = 0
    s.rows = s.phases = 0
    s.failed = False
    s.deep = NULL
    _add_row(s, deepest + 1, 1)
    _add_phase(s, BUILD_AND_CHECK, deepest + 1, 1, &units)
    _add_phase(s, BUILD, deepest, 1, &units)
    for depth in range(MIN_TREE_DEPTH, deepest + 1, 2):
        _add_row(s, depth, <int64_t>1 << (deepest - depth + MIN_TREE_DEPTH))
        _add_phase(s, BUILD_AND_CHECK, depth, s.row[s.rows - 1][1], &units)
    _add_row(s, deepest, 1)
    _add_phase(s, CHECK, deepest, 1, &units)
    return units


cdef void _tree_item(binary_trees_t *s, const tree_phase_t *phase, int64_t i) noexcept nogil:
    """Item i of a phase: a whole tree, or (for deep trees) the building or the walk of one
    piece; the last piece built links the top, the last walked walks it."""
    cdef int levels = _top_levels(phase.depth)
    cdef int64_t pieces = <int64_t>1 << levels, j
    cdef int64_t *check = &s.row[phase.row][2]
    cdef node_t **tree = &s.deep if phase.kind == BUILD_AND_CHECK else s.long_lived
    if levels == 0:  # the long-lived tree, built or walked
        if phase.kind == BUILD:
            s.long_lived[0] = _new_tree(phase.depth)
            s.failed = s.long_lived[0] == NULL
        else:
            check[0] += _check(s.long_lived[0])
        return
    j = i % (2 * pieces) if phase.kind == BUILD_AND_CHECK else i
    if phase.kind == BUILD or (phase.kind == BUILD_AND_CHECK and j < pieces):
        j %= pieces
        if j == 0:
            tree[0] = <node_t *>malloc(_tree_nodes(phase.depth) * sizeof(node_t))
            s.failed = tree[0] == NULL
            if s.failed:
                return
        _build(_piece(tree[0], levels, j), PIECE_DEPTH)
        if j == pieces - 1:
            _link_top(tree[0], levels)
    else:
        j %= pieces
        check[0] += _check(_piece(tree[0], levels, j))
        if j == pieces - 1:
            check[0] += _check_top(tree[0], levels)
            if phase.kind == BUILD_AND_CHECK:
                free(tree[0])
                tree[0] = NULL


cdef void _binary_trees_range(void *state, int64_t begin, int64_t end) noexcept nogil:
    """Units count nodes; an item belongs to the range its first unit is in."""
    cdef binary_trees_t *s = <binary_trees_t *>state
    cdef const tree_phase_t *phase
    cdef int64_t first, last, i, total
    cdef int p
    for p in range(s.phases):
        phase = &s.phase[p]
        first = max(0, begin - phase.first_unit + phase.item_units - 1) // phase.item_units
        last = min(phase.items, max(0, end - phase.first_unit + phase.item_units - 1) // phase.item_units)
        if phase.kind == BUILD_AND_CHECK and _top_levels(phase.depth) == 0:
            total = _check_new_trees(phase.depth, last - first)
            if total < 0:
                s.failed = True
                return
            s.row[phase.row][2] += total
            continue
        for i in range(first, last):
            if s.failed:
                return
            _tree_item(s, phase, i)


cdef int _binary_trees_groups(const void *state, int64_t unit, int64_t *start,
                              int64_t *end) noexcept nogil:
    """For threads: a phase of whole trees is one group (each item mallocs its own tree); a
    phase of trees built in pieces is one group per tree (or per phase: the long-lived
    tree's build, its walk), done by one thread."""
    cdef const binary_trees_t *s = <const binary_trees_t *>state
    cdef int p = 0
    while p + 1 < s.phases and s.phase[p + 1].first_unit <= unit:
        p += 1
    cdef const tree_phase_t *phase = &s.phase[p]
    cdef int64_t tree_units = 2 * (<int64_t>1 << _top_levels(phase.depth)) * phase.item_units
    if _top_levels(phase.depth) and phase.kind == BUILD_AND_CHECK:
        start[0] = unit - (unit - phase.first_unit) % tree_units
        end[0] = start[0] + tree_units
    else:
        start[0] = phase.first_unit
        end[0] = phase.first_unit + phase.items * phase.item_units
    return FK_GROUP_WHOLE if _top_levels(phase.depth) else FK_GROUP_SHARED


def binary_trees(int max_depth, bint release_gil=True, int threads=0):
    if not 0 <= max_depth <= MAX_TREE_DEPTH:
        raise ValueError(f"max_depth must be in 0..{MAX_TREE_DEPTH}, got {max_depth}")
    check_threads(threads)
    cdef binary_trees_t state
    cdef binary_trees_t *states = NULL
    cdef node_t *long_lived = NULL
    cdef int64_t units = _binary_trees_open(&state, max_depth)
    cdef int t, r
    state.long_lived = &long_lived
    try:
        if not threads:
            run_chunked(_binary_trees_range, &state, units, chunk_units(8), release_gil)
        else:
            states = <binary_trees_t *>thread_states(&state, sizeof(binary_trees_t), threads)
            run_split(_binary_trees_range, _binary_trees_groups, states, sizeof(binary_trees_t),
                      threads, units, chunk_units(8), units // state.rows, release_gil)
            for t in range(threads):
                state.failed |= states[t].failed
                for r in range(state.rows):
                    state.row[r][2] += states[t].row[r][2]
    finally:
        free(state.deep)
        if states != NULL:
            for t in range(threads):
                free(states[t].deep)
            free(states)
        free(long_lived)
    if state.failed:
        raise MemoryError(f"binary_trees({max_depth}) ran out of memory")
    return [(state.row[i][0], state.row[i][1], state.row[i][2]) for i in range(state.rows)]


cdef enum:
    MAX_FIB = 92
    # fib(n) for n > FIB_LEAF is the sum of its recursion's subtrees at FIB_LEAF and
    # FIB_LEAF - 1, each done by the naive recursion: one unit per subtree.
    FIB_LEAF = 27
    FIB_LEAF_CALLS = 635621  # 2 * fib(FIB_LEAF + 1) - 1

ctypedef struct fib_t:
    int n
    int64_t leaves[MAX_FIB + 1]  # leaves[k]: the subtrees of fib(k)'s recursion
    int64_t sum


cdef int64_t _fib(int n) noexcept nogil:
    if n < 2:
        return n
    return _fib(n - 1) + _fib(n - 2)


cdef void _fib_range(void *state, int64_t begin, int64_t end) noexcept nogil:
    """Subtree i is found walking down from fib(n): n - 1 holds the first leaves[n - 1]."""
    cdef fib_t *s = <fib_t *>state
    cdef int64_t i, j
    cdef int k
    for i in range(begin, end):
        k, j = s.n, i
        while k > FIB_LEAF:
            if j < s.leaves[k - 1]:
                k -= 1
            else:
                j -= s.leaves[k - 1]
                k -= 2
        s.sum += _fib(k)


def fib(int n, bint release_gil=True):
    if not 0 <= n <= MAX_FIB:
        raise ValueError(f"n must be in 0..{MAX_FIB}, got {n}")
    cdef fib_t state
    cdef int k
    state.n, state.sum = n, 0
    for k in range(n + 1):
        state.leaves[k] = 1 if k <= FIB_LEAF else state.leaves[k - 1] + state.leaves[k - 2]
    run_chunked(_fib_range, &state, state.leaves[n], chunk_units(2.0 * FIB_LEAF_CALLS), release_gil)
    return state.sum


ctypedef struct fnv1a_t:
    const uint8_t *data
    uint64_t h


cdef void _fnv1a_range(void *state, int64_t begin, int64_t end) noexcept nogil:
    cdef fnv1a_t *s = <fnv1a_t *>state
    cdef const uint8_t *data = s.data
    cdef uint64_t h = s.h
    cdef int64_t i
    for i in range(begin, end):
        h = (h ^ data[i]) * <uint64_t>0x100000001B3
    s.h = h


cdef void _fnv1a_open(void *state, const uint8_t *data) noexcept nogil:
    cdef fnv1a_t *s = <fnv1a_t *>state
    s.data, s.h = data, 0xCBF29CE484222325


cdef uint64_t _fnv1a_result(void *state) noexcept nogil:
    return (<fnv1a_t *>state).h


def fnv1a(data, bint release_gil=True):
    cdef fnv1a_t state
    return call_bytes(_fnv1a_open, _fnv1a_range, _fnv1a_result, &state, chunk_units(2), data,
                      release_gil)


cdef inline double _a(Py_ssize_t i, Py_ssize_t j) noexcept nogil:
    # ij * (ij + 1) is never negative, so >> 1 is // 2 without the rounding fix-up of a
    # signed division (the compiler cannot tell from a range that starts at ``first``).
    cdef Py_ssize_t ij = i + j
    return 1.0 / ((ij * (ij + 1) >> 1) + i + 1)


cdef void _times_a(const double *u, double *v, Py_ssize_t n, Py_ssize_t first,
                   Py_ssize_t last) noexcept nogil:
    cdef Py_ssize_t i, j
    cdef double total
    for i in range(first, last):
        total = 0.0
        for j in range(n):
            total += _a(i, j) * u[j]
        v[i] = total


cdef void _times_a_transposed(const double *u, double *v, Py_ssize_t n, Py_ssize_t first,
                              Py_ssize_t last) noexcept nogil:
    cdef Py_ssize_t i, j
    cdef double total
    for i in range(first, last):
        total = 0.0
        for j in range(n):
            total += _a(j, i) * u[j]
        v[i] = total


ctypedef struct spectral_norm_t:
    Py_ssize_t n
    double *u
    double *v
    double *tmp


cdef void _spectral_norm_range(void *state, int64_t begin, int64_t end) noexcept nogil:
    """Ten rounds of tmp = A u, v = A^T tmp, tmp = A v, u = A^T tmp: 40 products of n
    units (rows) each."""
    cdef spectral_norm_t *s = <spectral_norm_t *>state
    cdef Py_ssize_t n = s.n, product, row, last
    cdef const double *source[4]
    cdef double *target[4]
    cdef int64_t unit = begin
    source[0], source[1], source[2], source[3] = s.u, s.tmp, s.v, s.tmp
    target[0], target[1], target[2], target[3] = s.tmp, s.v, s.tmp, s.u
    while unit < end:
        product, row = unit // n, unit % n
        last = row + (end - unit) if end - unit < n - row else n
        if product % 2:
            _times_a_transposed(source[product % 4], target[product % 4], n, row, last)
        else:
            _times_a(source[product % 4], target[product % 4], n, row, last)
        unit += last - row


cdef int _spectral_norm_groups(const void *state, int64_t unit, int64_t *start,
                               int64_t *end) noexcept nogil:
    """For threads: the rows of one product form a group."""
    cdef int64_t n = (<const spectral_norm_t *>state).n
    start[0] = unit - unit % n
    end[0] = start[0] + n
    return FK_GROUP_SHARED


def spectral_norm(Py_ssize_t n, bint release_gil=True, int threads=0):
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    check_threads(threads)
    cdef double[:, ::1] work = numpy.empty((3, n))
    cdef spectral_norm_t state = spectral_norm_t(n=n, u=&work[0, 0], v=&work[1, 0], tmp=&work[2, 0])
    cdef Py_ssize_t i
    cdef double vbv = 0.0, vv = 0.0
    for i in range(n):
        state.u[i] = 1.0
    run_shared(_spectral_norm_range, _spectral_norm_groups, &state, threads, 40 * n,
               chunk_units(4.0 * n), n, release_gil)
    for i in range(n):
        vbv += state.u[i] * state.v[i]
        vv += state.v[i] * state.v[i]
    return sqrt(vbv / vv)


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


cdef inline void _rotate(int *perm, int r) noexcept nogil:
    """Move element 0 to position r, shifting 1..r down."""
    cdef int first = perm[0], i
    for i in range(r):
        perm[i] = perm[i + 1]
    perm[r] = first


ctypedef struct fannkuch_t:
    int n, max_flips
    int64_t checksum


cdef void _fannkuch_range(void *state, int64_t begin, int64_t end) noexcept nogil:
    """Permutations [begin, end) of the Benchmarks Game's order. Permutation i has the
    mixed-radix digits d[r] = (i / r!) mod (r + 1): from the identity, the prefix of r + 1
    elements is rotated d[r] times for r from n - 1 down to 1, and count[r] (the rotations
    left at level r) is r + 1 - d[r]."""
    cdef fannkuch_t *s = <fannkuch_t *>state
    cdef int perm[MAX_FANNKUCH]
    cdef int count[MAX_FANNKUCH]
    cdef int n = s.n, r = 1, flips, i, level, most = s.max_flips
    cdef int64_t index, factorial = 1, digit, k, checksum = s.checksum
    if begin >= end:
        return
    for i in range(n):
        perm[i] = i
        count[i] = 0
    for level in range(1, n):
        factorial *= level
    index = begin
    for level in range(n - 1, 0, -1):
        digit = index // factorial
        index %= factorial
        factorial //= level
        for k in range(digit):
            _rotate(perm, level)
        count[level] = level + 1 - <int>digit
    index = begin
    while True:
        while r != 1:
            count[r - 1] = r
            r -= 1
        flips = _flips(perm, n)
        most = max(most, flips)
        checksum += -flips if index % 2 else flips
        index += 1
        if index == end:
            s.max_flips, s.checksum = most, checksum  # once: threads' states share cache lines
            return
        while True:
            _rotate(perm, r)
            count[r] -= 1
            if count[r] > 0:
                break
            r += 1


cdef void _add_fannkuch(void *state, const void *copy) noexcept nogil:
    cdef fannkuch_t *s = <fannkuch_t *>state
    cdef const fannkuch_t *c = <const fannkuch_t *>copy
    s.checksum += c.checksum
    s.max_flips = max(s.max_flips, c.max_flips)


def fannkuch(int n, bint release_gil=True, int threads=0):
    if not 1 <= n <= MAX_FANNKUCH:
        raise ValueError(f"n must be in 1..{MAX_FANNKUCH}, got {n}")
    check_threads(threads)
    cdef fannkuch_t state = fannkuch_t(n=n, max_flips=0, checksum=0)
    cdef int64_t permutations = 1
    cdef int k
    for k in range(2, n + 1):
        permutations *= k
    run_copies(_fannkuch_range, &state, sizeof(fannkuch_t), _add_fannkuch, threads, permutations,
               chunk_units(100), release_gil)
    return state.checksum, state.max_flips


ctypedef struct matmul_t:
    const double *a
    const double *b
    double *out
    Py_ssize_t k, m


cdef void _matmul_range(void *state, int64_t begin, int64_t end) noexcept nogil:
    """Rows [begin, end) of out, in i-k-j order."""
    cdef matmul_t *s = <matmul_t *>state
    cdef const double *a = s.a
    cdef const double *b = s.b
    cdef double *out = s.out
    cdef Py_ssize_t k = s.k, m = s.m, i, j, p
    cdef double a_ip
    for i in range(begin, end):
        for j in range(m):
            out[i * m + j] = 0.0
        for p in range(k):
            a_ip = a[i * k + p]
            for j in range(m):
                out[i * m + j] += a_ip * b[p * m + j]


cdef int64_t _matmul_open(void *state, ptrdiff_t n, ptrdiff_t k, ptrdiff_t m, const double *a,
                          const double *b, double *out, double *unit_ops) noexcept nogil:
    """One unit per row of out."""
    cdef matmul_t *s = <matmul_t *>state
    s.a, s.b, s.out, s.k, s.m = a, b, out, k, m
    unit_ops[0] = 2.0 * k * m + 1
    return n


cdef matmul_split_t _by_rows = matmul_split_t(open=NULL, work=NULL, groups=NULL)


def matmul(a, b, bint release_gil=True, int threads=0):
    cdef matmul_t state
    return call_matmul(_matmul_open, _matmul_range, NULL, &state, a, b, release_gil, &_by_rows,
                       threads)
