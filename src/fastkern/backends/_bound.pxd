# The "bound" rung: _python.py compiled as "compiled" is, with its names bound early. Every
# module function is a cpdef function, so the module's own calls are direct C calls, and every
# module-level name the kernels read is a C variable, not a look-up in the module's dict.
# math's functions are C's (libc.math): a call of math.sqrt is a C call, as a call of the
# module's own functions is, with no look-up of the name or the attribute.
# Builtins need no declaration: Cython caches them at import already (cache_builtins), in
# "compiled" too. Nothing is typed: every value is still a Python object.

cdef object MASK64, GOLDEN_GAMMA, BLOCK, interrupt_point
cdef object PI, SOLAR_MASS, DAYS_PER_YEAR, PLANETS
cdef object MIN_DEPTH, MAX_DEPTH, CHECKED_DEPTH, MAX_FIB, CHECKED_FIB
cdef object FNV_OFFSET_BASIS, FNV_PRIME
from libc cimport math
cdef object operator

cpdef sum(x)
cpdef dot(x, y)
cpdef mandelbrot(width, height, max_iter)
cpdef _mandelbrot_pixels(row, first, last, width, ci, max_iter)
cpdef _solar_system()
cpdef _energy(bodies)
cpdef nbody(steps)
cpdef _advance(bodies, pairs, dt, steps)
cpdef splitmix64_at(seed, k)
cpdef monte_carlo_pi(samples, seed)
cpdef _tree(depth)
cpdef _check(node)
cpdef _big_tree(depth)
cpdef _check_big(node, depth)
cpdef _depth_in_range(value, name, low, high)
cpdef binary_trees(max_depth)
cpdef _fib(n)
cpdef _fib_checked(n)
cpdef fib(n)
cpdef fnv1a(data)
cpdef _a(i, j)
cpdef _times_a(u)
cpdef _times_a_transposed(u)
cpdef _times_ata(u)
cpdef spectral_norm(n)
cpdef _flips(perm)
cpdef fannkuch(n)
cpdef matmul(a, b)
