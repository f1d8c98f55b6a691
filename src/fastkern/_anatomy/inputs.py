"""Inputs prepared once, outside every timed region, and the sizes a kernel is timed at."""

from __future__ import annotations

import functools
import math
import time
from typing import Callable, Optional

from .. import _dispatch
from .._kernels import KERNELS, Kernel


def spec(kernel: str) -> Kernel:
    """The registry entry of ``kernel``, or ValueError naming the choices."""
    return _dispatch.kernel_spec(kernel)


def kernel_name(kernel: object) -> str:
    """A kernel's registry name, from the name or the dispatching function (``fastkern.sum``,
    or a function decorated by ``fastkern.kernel``)."""
    return getattr(kernel, "__fastkern_kernel__", kernel)


def prepared(kernel: str, backend: str, size: int) -> tuple:
    """The raw positional arguments of ``implementation(kernel, backend)`` at ``size``."""
    return _dispatch.prepare(kernel, backend, *KERNELS[kernel].sample(size))


def raw_call(kernel: str, backend: str, size: int, release_gil: Optional[bool] = None,
             args: Optional[tuple] = None) -> Callable[[], object]:
    """A zero-argument call of the raw kernel on inputs converted beforehand."""
    if args is None:
        args = prepared(kernel, backend, size)
    impl = _dispatch.implementation(kernel, backend)
    if release_gil is None:
        return functools.partial(impl, *args)
    return functools.partial(impl, *args, release_gil)


def direct_call(function: Callable, *args, **kwargs) -> Callable[[], object]:
    """A zero-argument callable whose body is the plain call ``function(a0, ..., key=k0)``.

    Calls compared with each other must be made alike. ``functools.partial`` with keywords,
    or ``f(*args, **kwargs)``, builds a tuple and a dict on every call, which a call
    written out in user code does not; so the call is compiled from source, its arguments
    bound as globals of its own.
    """
    names = [f"a{i}" for i in range(len(args))]
    keywords = {f"k_{key}": value for key, value in kwargs.items()}
    source = ", ".join(names + [f"{key}=k_{key}" for key in kwargs])
    scope = {"function": function, **dict(zip(names, args)), **keywords}
    return eval(f"lambda: function({source})", scope)


def dispatched_call(kernel: str, backend: str, size: int) -> Callable[[], object]:
    """A zero-argument call of the public ``fastkern.<kernel>`` naming ``backend``, written
    out as a user writes it (see :func:`direct_call`), to compare with :func:`raw_direct_call`."""
    return direct_call(_dispatch.public(kernel), *KERNELS[kernel].sample(size), backend=backend)


def raw_direct_call(kernel: str, backend: str, size: int) -> Callable[[], object]:
    """:func:`raw_call` made like :func:`dispatched_call`, for the dispatch layer's cost."""
    return direct_call(_dispatch.implementation(kernel, backend), *prepared(kernel, backend, size))


def slowest(kernel: str, backends: Optional[list] = None) -> str:
    """The slowest rung built for ``kernel`` (python where it exists)."""
    return (backends or _dispatch.kernel_backends(kernel))[0]


def accepts(kernel: str, size: int) -> bool:
    try:
        prepared(kernel, slowest(kernel), size)
    except (TypeError, ValueError):
        return False
    return True


def smallest_size(kernel: str, limit: int = 64) -> int:
    """The smallest size from 1 up that the kernel accepts."""
    return next((size for size in range(1, limit) if accepts(kernel, size)), limit)


def size_for_work(kernel: str, target: float, lowest: int = 1) -> int:
    """The smallest size at or above ``lowest`` whose work reaches ``target`` units."""
    work = KERNELS[kernel].work
    high = max(lowest, 1)
    while work(high) < target:
        high *= 2
    low = lowest
    while low < high:
        middle = (low + high) // 2
        if work(middle) < target:
            low = middle + 1
        else:
            high = middle
    return low


#: The steps of the size grid within each decade of work.
GRID_STEPS = (1, 2, 5)


def grid(low: float, high: float) -> list[int]:
    """The amounts of work on the grid of 1-2-5 steps per decade from ``low`` to ``high``."""
    found: list[int] = []
    decade = 1
    while decade <= high:
        found += [step * decade for step in GRID_STEPS if low <= step * decade <= high]
        decade *= 10
    return found


def snap(work: float, anchor: Optional[float] = None) -> float:
    """The grid amount of work nearest to ``work`` (by ratio).

    With an ``anchor``, the grid is the anchor times the powers of ten: a machine picks
    the anchor's own size unless it is over ~3x (10**0.5) faster or slower than the
    reference, so noise near a grid boundary cannot flip the choice from run to run, and
    machines of similar speed pick the same sizes (their reports line up in ``compare``).
    Without one it is the 1-2-5 grid from 1.
    """
    if anchor is not None:
        return anchor * 10.0 ** round(math.log10(max(work, 1e-300) / anchor))
    candidates = grid(1, max(work, 1) * 10)
    return min(candidates, key=lambda point: abs(math.log(point / max(work, 1))))


#: One python call at a kernel's reference size lasts about this long (see ``Kernel``).
REFERENCE_TIME = 0.02


def anchor(kernel: str, target_time: float) -> Optional[float]:
    """The work a call of ``target_time`` does at the kernel's reference speed, if it has one."""
    found = spec(kernel)
    if found.reference_size is None:
        return None
    return found.work(found.reference_size) * target_time / REFERENCE_TIME


def grid_size(kernel: str, work: float, lowest: int = 1, anchor: Optional[float] = None) -> int:
    """The size (at or above ``lowest``) whose work is nearest, by ratio, to ``work`` snapped
    to the grid (fannkuch's work grows by factorials: the size above may be far off)."""
    goal = snap(work, anchor)
    above = size_for_work(kernel, goal, lowest)
    done = spec(kernel).work
    candidates = [size for size in (above - 1, above) if size >= lowest and done(size) > 0]
    return min(candidates, key=lambda size: abs(math.log(done(size) / goal)), default=above)


def fit_sizes(kernel: str, largest: int, points: int, lowest: int = 1) -> list[int]:
    """Up to ``points`` distinct sizes from ``lowest`` to ``largest``, from the work grid.

    The smallest pins down the fixed cost of a call, the largest the cost per unit; the
    ones between are grid points evenly spread in log(work), so reruns pick the same.
    """
    work = KERNELS[kernel].work
    inner = [size_for_work(kernel, w, lowest) for w in grid(work(lowest) + 1, work(largest) - 1)]
    inner = sorted(set(s for s in inner if lowest < s < largest))
    wanted = max(points, 2) - 2
    if inner and wanted:
        step = len(inner) / wanted
        inner = sorted({inner[min(len(inner) - 1, int(step * (i + 0.5)))] for i in range(wanted)})
    else:
        inner = []
    return sorted({lowest, *inner, largest})


def choose_size(kernel: str, target_time: float, backend: Optional[str] = None,
                clock: Callable[[], float] = time.thread_time) -> int:
    """A size on the work grid at which one call of ``backend`` lasts about ``target_time``.

    The call is calibrated, then its work is snapped to the nearest grid point (see
    :func:`snap`): anchored at the kernel's reference size where it has one, so the same
    machine picks the same size run after run.
    """
    backend = backend or slowest(kernel)
    lowest = smallest_size(kernel)
    size = lowest
    work = KERNELS[kernel].work
    goal = float(work(size))
    for _ in range(6):
        call = raw_call(kernel, backend, size)
        elapsed = min(_once(call, clock) for _ in range(3))
        goal = work(size) * min(max(target_time / elapsed, 0.1), 1000.0) if elapsed > 0 \
            else work(size) * 1000.0
        if target_time / 2 <= elapsed <= target_time * 2:
            break
        nearer = size_for_work(kernel, goal, lowest=lowest)
        if nearer == size:
            break
        size = nearer
    return max(lowest, grid_size(kernel, goal, lowest, anchor(kernel, target_time)))


def _once(call: Callable[[], object], clock: Callable[[], float]) -> float:
    start = clock()
    call()
    return clock() - start
