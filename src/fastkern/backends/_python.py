"""The ``python`` backend: idiomatic pure Python over lists of Python numbers.

This file is also the source of the ``compiled`` backend: the build transpiles it with
Cython, type inference off, under the module name ``fastkern.backends._compiled``. Keep
it plain Python with no imports from fastkern, so that both rungs run the same code.
Arguments arrive validated and converted by the dispatch layer; called raw, the
recursive kernels still check their size, so that no input recurses without bound (the
compiled rung has no recursion limit: it would crash).

Long loops call :func:`interrupt_point` every so often (each row and block of pixels, block
of samples or permutations, subtree): that is the only place the compiled rung lets Python handle
Ctrl-C. The python rung pays the same call.
"""

import math
import operator

MASK64 = 0xFFFFFFFFFFFFFFFF
GOLDEN_GAMMA = 0x9E3779B97F4A7C15

#: Made by eval, so it is interpreted bytecode in both rungs: entering it lets the
#: interpreter run pending signal handlers (Ctrl-C raises KeyboardInterrupt here), which
#: Cython-compiled loops never do.
interrupt_point = eval("lambda: None")

#: Loop iterations between two interrupt points where one iteration is short.
BLOCK = 1024


def sum(x):
    total = 0.0
    for value in x:
        total += value
    return total


def dot(x, y):
    total = 0.0
    for a, b in zip(x, y):
        total += a * b
    return total


def mandelbrot(width, height, max_iter):
    pixels = BLOCK * 64 // (max_iter + 1) + 1
    rows = []
    for py in range(height):
        interrupt_point()
        ci = 2.0 * py / height - 1.0
        row = []
        for first in range(0, width, pixels):
            if first:
                interrupt_point()
            _mandelbrot_pixels(row, first, min(first + pixels, width), width, ci, max_iter)
        rows.append(row)
    return rows


def _mandelbrot_pixels(row, first, last, width, ci, max_iter):
    """Appends to ``row`` the counts of pixels ``first`` to ``last - 1`` of its row."""
    for px in range(first, last):
        cr = 2.0 * px / width - 1.5
        zr = zi = tr = ti = 0.0
        count = 0
        for _ in range(max_iter):
            zi = 2.0 * zr * zi + ci
            zr = tr - ti + cr
            tr = zr * zr
            ti = zi * zi
            if not tr + ti <= 4.0:
                break
            count += 1
        row.append(count)


PI = 3.141592653589793
SOLAR_MASS = 4 * PI * PI
DAYS_PER_YEAR = 365.24
PLANETS = [
    ([4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01],
     [1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05],
     9.54791938424326609e-04),
    ([8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01],
     [-2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05],
     2.85885980666130812e-04),
    ([1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01],
     [2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05],
     4.36624404335156298e-05),
    ([1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01],
     [2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05],
     5.15138902046611451e-05),
]


def _solar_system():
    bodies = [([0.0, 0.0, 0.0], [0.0, 0.0, 0.0], SOLAR_MASS)]
    for position, velocity, mass in PLANETS:
        bodies.append((list(position), [v * DAYS_PER_YEAR for v in velocity], mass * SOLAR_MASS))
    px = py = pz = 0.0
    for _, (vx, vy, vz), mass in bodies:
        px += vx * mass
        py += vy * mass
        pz += vz * mass
    sun_velocity = bodies[0][1]
    sun_velocity[0] = -px / SOLAR_MASS
    sun_velocity[1] = -py / SOLAR_MASS
    sun_velocity[2] = -pz / SOLAR_MASS
    return bodies


def _energy(bodies):
    e = 0.0
    for i, ((x1, y1, z1), (vx, vy, vz), m1) in enumerate(bodies):
        e += 0.5 * m1 * (vx * vx + vy * vy + vz * vz)
        for (x2, y2, z2), _, m2 in bodies[i + 1:]:
            dx = x1 - x2
            dy = y1 - y2
            dz = z1 - z2
            e -= m1 * m2 / math.sqrt(dx * dx + dy * dy + dz * dz)
    return e


def nbody(steps):
    bodies = _solar_system()
    pairs = [(bodies[i], bodies[j]) for i in range(len(bodies)) for j in range(i + 1, len(bodies))]
    dt = 0.01
    before = _energy(bodies)
    for block in range(0, steps, BLOCK):
        interrupt_point()
        _advance(bodies, pairs, dt, min(BLOCK, steps - block))
    return before, _energy(bodies)


def _advance(bodies, pairs, dt, steps):
    for _ in range(steps):
        for (r1, v1, m1), (r2, v2, m2) in pairs:
            x1, y1, z1 = r1
            x2, y2, z2 = r2
            dx = x1 - x2
            dy = y1 - y2
            dz = z1 - z2
            d2 = dx * dx + dy * dy + dz * dz
            mag = dt / (d2 * math.sqrt(d2))
            vx1, vy1, vz1 = v1
            vx2, vy2, vz2 = v2
            v1[0] = vx1 - dx * m2 * mag
            v1[1] = vy1 - dy * m2 * mag
            v1[2] = vz1 - dz * m2 * mag
            v2[0] = vx2 + dx * m1 * mag
            v2[1] = vy2 + dy * m1 * mag
            v2[2] = vz2 + dz * m1 * mag
        for r, (vx, vy, vz), _ in bodies:
            x, y, z = r
            r[0] = x + dt * vx
            r[1] = y + dt * vy
            r[2] = z + dt * vz


def splitmix64_at(seed, k):
    z = (seed + k * GOLDEN_GAMMA) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def monte_carlo_pi(samples, seed):
    scale = 1.0 / 9007199254740992.0
    hits = 0
    for block in range(0, samples, BLOCK):
        interrupt_point()
        for i in range(block, min(block + BLOCK, samples)):
            bits_x = splitmix64_at(seed, 2 * i + 1) >> 11
            bits_y = splitmix64_at(seed, 2 * i + 2) >> 11
            x = bits_x * scale
            y = bits_y * scale
            if x * x + y * y <= 1.0:
                hits += 1
    return 4.0 * hits / samples


MIN_DEPTH = 4
MAX_DEPTH = 24
#: Trees deeper than this are built and walked with an interrupt point at every node above it.
CHECKED_DEPTH = 16


class Node:
    __slots__ = ("left", "right")

    def __init__(self, left, right):
        self.left = left
        self.right = right


def _tree(depth):
    if depth == 0:
        return Node(None, None)
    depth -= 1
    return Node(_tree(depth), _tree(depth))


def _check(node):
    if node.left is None:
        return 1
    return 1 + _check(node.left) + _check(node.right)


def _big_tree(depth):
    if depth <= CHECKED_DEPTH:
        return _tree(depth)
    interrupt_point()
    depth -= 1
    return Node(_big_tree(depth), _big_tree(depth))


def _check_big(node, depth):
    if depth <= CHECKED_DEPTH:
        return _check(node)
    interrupt_point()
    depth -= 1
    return 1 + _check_big(node.left, depth) + _check_big(node.right, depth)


def _depth_in_range(value, name, low, high):
    value = operator.index(value)
    if not low <= value <= high:
        raise ValueError(f"{name} must be in {low}..{high}, got {value}")
    return value


def binary_trees(max_depth):
    max_depth = max(MIN_DEPTH + 2, _depth_in_range(max_depth, "max_depth", 0, MAX_DEPTH))
    stretch = max_depth + 1
    rows = [(stretch, 1, _check_big(_big_tree(stretch), stretch))]
    long_lived = _big_tree(max_depth)
    for depth in range(MIN_DEPTH, max_depth + 1, 2):
        iterations = 1 << (max_depth - depth + MIN_DEPTH)
        check = 0
        deep = depth > CHECKED_DEPTH
        for block in range(0, iterations, 64):
            interrupt_point()
            for _ in range(min(64, iterations - block)):
                check += _check_big(_big_tree(depth), depth) if deep else _check(_tree(depth))
        rows.append((depth, iterations, check))
    rows.append((max_depth, 1, _check_big(long_lived, max_depth)))
    return rows


MAX_FIB = 92
#: fib(n) above this makes an interrupt point at each call, and the naive recursion below it.
CHECKED_FIB = 20


def _fib(n):
    if n < 2:
        return n
    return _fib(n - 1) + _fib(n - 2)


def _fib_checked(n):
    if n <= CHECKED_FIB:
        return _fib(n)
    interrupt_point()
    return _fib_checked(n - 1) + _fib_checked(n - 2)


def fib(n):
    return _fib_checked(_depth_in_range(n, "n", 0, MAX_FIB))


FNV_OFFSET_BASIS = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3


def fnv1a(data):
    h = FNV_OFFSET_BASIS
    for byte in data:
        h = ((h ^ byte) * FNV_PRIME) & MASK64
    return h


def _a(i, j):
    ij = i + j
    return 1.0 / (ij * (ij + 1) // 2 + i + 1)


def _times_a(u):
    n = len(u)
    v = []
    rows = BLOCK // n + 1
    for first in range(0, n, rows):
        interrupt_point()
        for i in range(first, min(first + rows, n)):
            total = 0.0
            for j in range(n):
                uj = u[j]
                total += _a(i, j) * uj
            v.append(total)
    return v


def _times_a_transposed(u):
    n = len(u)
    v = []
    rows = BLOCK // n + 1
    for first in range(0, n, rows):
        interrupt_point()
        for i in range(first, min(first + rows, n)):
            total = 0.0
            for j in range(n):
                uj = u[j]
                total += _a(j, i) * uj
            v.append(total)
    return v


def _times_ata(u):
    return _times_a_transposed(_times_a(u))


def spectral_norm(n):
    u = [1.0] * n
    for _ in range(10):
        v = _times_ata(u)
        u = _times_ata(v)
    vbv = vv = 0.0
    for ue, ve in zip(u, v):
        vbv += ue * ve
        vv += ve * ve
    return math.sqrt(vbv / vv)


def _flips(perm):
    p = perm[:]
    flips = 0
    first = p[0]
    while first:
        p[:first + 1] = p[first::-1]
        flips += 1
        first = p[0]
    return flips


def fannkuch(n):
    perm = list(range(n))
    count = [0] * n
    r = n
    index = checksum = max_flips = 0
    while True:
        while r != 1:
            count[r - 1] = r
            r -= 1
        if not index & 1023:
            interrupt_point()
        flips = _flips(perm)
        max_flips = max(max_flips, flips)
        checksum += -flips if index % 2 else flips
        while True:
            if r == n:
                return checksum, max_flips
            perm.insert(r, perm.pop(0))
            count[r] -= 1
            if count[r] > 0:
                break
            r += 1
        index += 1


def matmul(a, b):
    columns = len(b[0])
    out = []
    rows = BLOCK * 16 // (len(b) * columns) + 1
    for first in range(0, len(a), rows):
        interrupt_point()
        for a_row in a[first:first + rows]:
            out_row = []
            for j in range(columns):
                total = 0.0
                for a_ik, b_row in zip(a_row, b):
                    b_kj = b_row[j]
                    total += a_ik * b_kj
                out_row.append(total)
            out.append(out_row)
    return out
