"""Functions registered by the tests, at module level as fastkern.kernel requires."""

import math

import fastkern


def _squares_sample(size):
    return ([float(i % 7) for i in range(size)],)


@fastkern.kernel(sample=_squares_sample, unit="element", sizes=(10, 100))
def sum_of_squares(x, scale=1.0):
    """Sum of ``scale * v * v`` over ``x``."""
    total = 0.0
    for v in x:
        total += scale * v * v
    return math.fsum([total])


@fastkern.kernel(sample=lambda n: (n,), unit="call", name="own_fib")
def fib(n: int) -> int:
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def generator(n):
    yield n


def keyword_only(x, *, y):
    return x + y


def not_registered(x):
    return x


@fastkern.kernel(sample=lambda n: (n,), default="counted")
def half(n):
    return n / 2


COUNTED = []
half.add("counted", lambda n: COUNTED.append(n) or n / 2)
