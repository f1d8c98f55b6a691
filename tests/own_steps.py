"""A registered function whose annotations give every step inside dynamic typing & boxing
that fastkern builds for one: C integers and C doubles."""

import cython

import fastkern


@fastkern.kernel(sample=lambda steps: (steps, 0.001), unit="step", sizes=(100, 10_000))
def spring(steps: cython.Py_ssize_t, dt: float) -> float:
    x: float = 1.0
    v: float = 0.0
    i: cython.Py_ssize_t
    for i in range(steps):
        v -= (4.0 * x + 0.1 * v) * dt
        x += v * dt
    return x
