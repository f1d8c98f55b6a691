# The "ints" rung: the "bound" rung with its integers unboxed. The indices, counters, sizes
# and integer results of the kernels whose loops count in integers are C integers (the build
# checks their arithmetic for overflow). Floats and containers stay Python objects.
# fnv1a and monte_carlo_pi's hash stay objects: their 64-bit arithmetic wraps by masking,
# which checked C arithmetic would refuse.
cimport cython

cdef object MASK64, GOLDEN_GAMMA, BLOCK, interrupt_point
cdef object PI, SOLAR_MASS, DAYS_PER_YEAR, PLANETS
cdef object MIN_DEPTH, MAX_DEPTH, CHECKED_DEPTH, MAX_FIB, CHECKED_FIB
cdef object FNV_OFFSET_BASIS, FNV_PRIME
from libc cimport math
cdef object operator

cpdef sum(x)
cpdef dot(x, y)
@cython.locals(pixels=cython.Py_ssize_t, py=cython.Py_ssize_t, first=cython.Py_ssize_t)
cpdef mandelbrot(Py_ssize_t width, Py_ssize_t height, Py_ssize_t max_iter)
@cython.locals(px=cython.Py_ssize_t, count=cython.Py_ssize_t, _=cython.Py_ssize_t)
cpdef _mandelbrot_pixels(row, Py_ssize_t first, Py_ssize_t last, Py_ssize_t width, ci,
                         Py_ssize_t max_iter)
cpdef _solar_system()
cpdef _energy(bodies)
cpdef nbody(steps)
cpdef _advance(bodies, pairs, dt, steps)
cpdef splitmix64_at(seed, k)
@cython.locals(hits=cython.Py_ssize_t, block=cython.Py_ssize_t, i=cython.Py_ssize_t)
cpdef monte_carlo_pi(Py_ssize_t samples, seed)
cpdef _tree(long depth)
cpdef long long _check(node) except? -1
cpdef _big_tree(long depth)
cpdef long long _check_big(node, long depth) except? -1
cpdef _depth_in_range(value, name, low, high)
@cython.locals(stretch=cython.long, depth=cython.long, iterations=cython.longlong,
               check=cython.longlong, block=cython.longlong, _=cython.longlong)
cpdef binary_trees(max_depth)
cpdef long long _fib(long long n) except? -1
cpdef long long _fib_checked(long long n) except? -1
cpdef fib(n)
cpdef fnv1a(data)
@cython.locals(ij=cython.longlong)
cpdef _a(long long i, long long j)
@cython.locals(n=cython.Py_ssize_t, rows=cython.Py_ssize_t, first=cython.Py_ssize_t,
               i=cython.Py_ssize_t, j=cython.Py_ssize_t)
cpdef _times_a(u)
@cython.locals(n=cython.Py_ssize_t, rows=cython.Py_ssize_t, first=cython.Py_ssize_t,
               i=cython.Py_ssize_t, j=cython.Py_ssize_t)
cpdef _times_a_transposed(u)
cpdef _times_ata(u)
@cython.locals(_=cython.Py_ssize_t)
cpdef spectral_norm(Py_ssize_t n)
cpdef _flips(perm)
cpdef fannkuch(n)
@cython.locals(columns=cython.Py_ssize_t, rows=cython.Py_ssize_t, first=cython.Py_ssize_t,
               j=cython.Py_ssize_t)
cpdef matmul(a, b)
