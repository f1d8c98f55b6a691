"""Language features, python only: each costly idiom against the plain way to the same end.

Every loop below runs ``n`` iterations of one operation; the empty loop is timed too, as
the part of each figure that is only the ``for`` loop.
"""

from __future__ import annotations

import functools
from typing import Callable

from .model import FeaturePair, Features
from .timing import Timer


class _Point:
    def __init__(self) -> None:
        self.x = 1.0

    def method(self) -> None:
        return None


def _function(point: _Point) -> None:
    return None


def _pass_through(function: Callable) -> Callable:
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return function(*args, **kwargs)
    return wrapper


def _plain() -> None:
    return None


@_pass_through
def _decorated() -> None:
    return None


def _three(a, b, c) -> None:
    return None


def empty_loop(n: int) -> None:
    for _ in range(n):
        pass


def exception_raised(n: int) -> None:
    for _ in range(n):
        try:
            raise ValueError
        except ValueError:
            pass


def condition_tested(n: int) -> None:
    failed = True
    for _ in range(n):
        if failed:
            pass


def getattr_string(n: int) -> None:
    point, name = _Point(), "x"
    for _ in range(n):
        getattr(point, name)


def attribute(n: int) -> None:
    point = _Point()
    for _ in range(n):
        point.x


def decorated_call(n: int) -> None:
    for _ in range(n):
        _decorated()


def plain_call(n: int) -> None:
    for _ in range(n):
        _plain()


def method_call(n: int) -> None:
    point = _Point()
    for _ in range(n):
        point.method()


def function_call(n: int) -> None:
    point = _Point()
    for _ in range(n):
        _function(point)


def keyword_args(n: int) -> None:
    for _ in range(n):
        _three(a=1, b=2, c=3)


def positional_args(n: int) -> None:
    for _ in range(n):
        _three(1, 2, 3)


#: (feature, loop), (plainer alternative, loop).
PAIRS = (
    (("exception raised and caught", exception_raised), ("condition tested", condition_tested)),
    (("getattr(obj, 'x')", getattr_string), ("obj.x", attribute)),
    (("decorated call", decorated_call), ("plain call", plain_call)),
    (("method call", method_call), ("function call", function_call)),
    (("keyword arguments", keyword_args), ("positional arguments", positional_args)),
)


def measure(n: int, timer: Timer) -> Features:
    """Seconds per operation of each pair (sampled in turn), and of the empty loop."""
    pairs = []
    for (feature, feature_loop), (plain, plain_loop) in PAIRS:
        times = timer.time_all({feature: functools.partial(feature_loop, n),
                                plain: functools.partial(plain_loop, n)})
        pairs.append(FeaturePair(feature, plain, times[feature].per(n), times[plain].per(n)))
    return Features(timer.time(functools.partial(empty_loop, n)).per(n), tuple(pairs))
