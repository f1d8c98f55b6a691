# The "floats" rung: the "ints" rung with its floats unboxed as well. The float locals,
# arguments and results of the kernels that compute on floats are C doubles: arithmetic
# on them makes no objects. A float becomes an object only where it enters a container
# (read from one, it is unboxed without making one).
# fnv1a and monte_carlo_pi's hash stay objects, as in "ints"; monte_carlo_pi takes the 53
# bits it scales into a C integer (converting an int object to a double would make a float
# object), and C converts them to a double exactly, as Python's int * float does.
cimport cython

cdef object MASK64, GOLDEN_GAMMA, BLOCK, interrupt_point
cdef object PI, SOLAR_MASS, DAYS_PER_YEAR, PLANETS
cdef object MIN_DEPTH, MAX_DEPTH, CHECKED_DEPTH, MAX_FIB, CHECKED_FIB
cdef object FNV_OFFSET_BASIS, FNV_PRIME
from libc cimport math
cdef object operator

@cython.locals(total=cython.double, value=cython.double)
cpdef sum(x)
@cython.locals(total=cython.double, a=cython.double, b=cython.double)
cpdef dot(x, y)
@cython.locals(pixels=cython.Py_ssize_t, py=cython.Py_ssize_t, first=cython.Py_ssize_t,
               ci=cython.double)
cpdef mandelbrot(Py_ssize_t width, Py_ssize_t height, Py_ssize_t max_iter)
@cython.locals(px=cython.Py_ssize_t, count=cython.Py_ssize_t, _=cython.Py_ssize_t,
               cr=cython.double, zr=cython.double, zi=cython.double, tr=cython.double,
               ti=cython.double)
cpdef _mandelbrot_pixels(row, Py_ssize_t first, Py_ssize_t last, Py_ssize_t width, double ci,
                         Py_ssize_t max_iter)
cpdef _solar_system()
@cython.locals(e=cython.double, x1=cython.double, y1=cython.double, z1=cython.double,
               vx=cython.double, vy=cython.double, vz=cython.double, m1=cython.double,
               x2=cython.double, y2=cython.double, z2=cython.double, m2=cython.double,
               dx=cython.double, dy=cython.double, dz=cython.double)
cpdef _energy(bodies)
cpdef nbody(steps)
@cython.locals(x1=cython.double, y1=cython.double, z1=cython.double, m1=cython.double,
               x2=cython.double, y2=cython.double, z2=cython.double, m2=cython.double,
               dx=cython.double, dy=cython.double, dz=cython.double, d2=cython.double,
               mag=cython.double, vx1=cython.double, vy1=cython.double, vz1=cython.double,
               vx2=cython.double, vy2=cython.double, vz2=cython.double, x=cython.double,
               y=cython.double, z=cython.double, vx=cython.double, vy=cython.double,
               vz=cython.double)
cpdef _advance(bodies, pairs, double dt, steps)
cpdef splitmix64_at(seed, k)
@cython.locals(hits=cython.Py_ssize_t, block=cython.Py_ssize_t, i=cython.Py_ssize_t,
               scale=cython.double, x=cython.double, y=cython.double,
               bits_x=cython.ulonglong, bits_y=cython.ulonglong)
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
cpdef double _a(long long i, long long j) except? -1
@cython.locals(n=cython.Py_ssize_t, rows=cython.Py_ssize_t, first=cython.Py_ssize_t,
               i=cython.Py_ssize_t, j=cython.Py_ssize_t, total=cython.double,
               uj=cython.double)
cpdef _times_a(u)
@cython.locals(n=cython.Py_ssize_t, rows=cython.Py_ssize_t, first=cython.Py_ssize_t,
               i=cython.Py_ssize_t, j=cython.Py_ssize_t, total=cython.double,
               uj=cython.double)
cpdef _times_a_transposed(u)
cpdef _times_ata(u)
@cython.locals(_=cython.Py_ssize_t, vbv=cython.double, vv=cython.double, ue=cython.double,
               ve=cython.double)
cpdef spectral_norm(Py_ssize_t n)
cpdef _flips(perm)
cpdef fannkuch(n)
@cython.locals(columns=cython.Py_ssize_t, rows=cython.Py_ssize_t, first=cython.Py_ssize_t,
               j=cython.Py_ssize_t, total=cython.double, a_ik=cython.double,
               b_kj=cython.double)
cpdef matmul(a, b)
