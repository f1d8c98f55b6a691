"""The kernel registry: one entry per kernel, read by dispatch, tests, benchmarks and anatomy.

A :class:`Kernel` says how to check and convert the public arguments for each kind of
backend (``prepare``), how to turn a backend's raw result into the public one
(``finish``), its documentation (written once, shared by every backend), and how to
make a deterministic input of a given size (``sample``) for benchmarks and the anatomy.
Which backends implement a kernel is not listed here: a backend implements it exactly
when its module defines a function of the kernel's name.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import _boundary as b
from ._boundary import BUFFERS

#: Preference when no backend is chosen: the first one built that implements the kernel.
FASTEST_FIRST = ("c", "typed", "numpy", "compiled", "python")


@dataclass(frozen=True)
class Kernel:
    name: str
    doc: str
    prepare: Callable[..., tuple]
    sample: Callable[[int], tuple]
    unit: str
    work: Callable[[int], int] = lambda size: size
    finish: Callable[[str, object, tuple], object] | None = None
    reorders: frozenset = frozenset()
    sizes: tuple = (1_000, 100_000)
    fastest_first: tuple = FASTEST_FIRST
    extra: dict = field(default_factory=dict)


def _random_vector(size: int, stream: int) -> np.ndarray:
    return np.random.default_rng([size, stream]).random(size)


def _prepare_sum(form, x):
    return (b.float64_vector(x, "x", form),)


def _prepare_dot(form, x, y):
    x = b.float64_vector(x, "x", form)
    y = b.float64_vector(y, "y", form)
    b.same_length(x, y, "x and y")
    return x, y


def _prepare_mandelbrot(form, width, height, *, max_iter=50):
    width = b.count(width, "width")
    height = b.count(height, "height")
    max_iter = b.count(max_iter, "max_iter", maximum=65535)
    if width and height > sys.maxsize // 2 // width:
        raise ValueError(f"width*height = {width}*{height} is too large for one array")
    return width, height, max_iter


def _finish_mandelbrot(form, counts, args):
    if form is BUFFERS:
        return counts
    width, height, max_iter = args
    return np.array(counts, dtype=np.uint8 if max_iter <= 255 else np.uint16).reshape(height, width)


def _prepare_nbody(form, steps):
    return (b.count(steps, "steps"),)


def _prepare_monte_carlo_pi(form, samples, *, seed=0):
    return b.count(samples, "samples", minimum=1, maximum=2**62), b.count(seed, "seed", maximum=2**64 - 1)


#: Benchmarks Game binary-trees: the smallest trees built, and the deepest ``max_depth``
#: accepted (its stretch tree has 2**26 nodes: about 4 GB as Python objects).
MIN_TREE_DEPTH = 4
MAX_TREE_DEPTH = 24


def _prepare_binary_trees(form, max_depth):
    return (b.count(max_depth, "max_depth", maximum=MAX_TREE_DEPTH),)


def _tree_nodes(depth: int) -> int:
    return (1 << (depth + 1)) - 1


def _binary_trees_nodes(size: int) -> int:
    deepest = max(MIN_TREE_DEPTH + 2, size)
    return _tree_nodes(deepest + 1) + _tree_nodes(deepest) + sum(
        (1 << (deepest - depth + MIN_TREE_DEPTH)) * _tree_nodes(depth)
        for depth in range(MIN_TREE_DEPTH, deepest + 1, 2))


KERNELS: dict[str, Kernel] = {k.name: k for k in [
    Kernel(
        "sum",
        """Sum of a 1-D float64 array, as a Python float.

        ``x`` is any float64 buffer (NumPy array, ``array.array('d')``, memoryview) or a
        sequence of real numbers; a non-contiguous buffer is copied once. ``python``,
        ``compiled`` and ``typed`` add left to right and agree bit for bit; ``c`` (16
        interleaved accumulators) and ``numpy`` (pairwise) reorder the additions, so they
        differ from the others by at most ``2 * (n - 1) * eps * sum(abs(x))`` while no
        partial sum overflows.""",
        _prepare_sum,
        sample=lambda size: (_random_vector(size, 0),),
        unit="element",
        reorders=frozenset({"c", "numpy"}),
        sizes=(1_000, 10_000_000),
    ),
    Kernel(
        "dot",
        """Dot product of two 1-D float64 arrays of equal length, as a Python float.

        Inputs as for :func:`sum`. ``python``, ``compiled`` and ``typed`` accumulate left
        to right and agree bit for bit; ``c`` and ``numpy`` (BLAS) reorder, and differ from
        them by at most ``2 * n * eps * sum(abs(x * y))`` while nothing overflows.""",
        _prepare_dot,
        sample=lambda size: (_random_vector(size, 1), _random_vector(size, 2)),
        unit="element",
        reorders=frozenset({"c", "numpy"}),
        sizes=(1_000, 10_000_000),
    ),
    Kernel(
        "mandelbrot",
        """Escape counts of the Benchmarks Game Mandelbrot region, shape ``(height, width)``.

        Pixel ``(x, y)`` has ``c = (2x/width - 1.5) + i(2y/height - 1)``. The count is the
        number of iterates that stay within ``|z|^2 <= 4`` before the first that does not,
        at most ``max_iter`` (0..65535), so ``counts == max_iter`` is the Benchmarks Game
        bitmap. The dtype is uint8 when ``max_iter <= 255``, else uint16. Every backend
        agrees bit for bit.""",
        _prepare_mandelbrot,
        finish=_finish_mandelbrot,
        sample=lambda size: (size, size),
        unit="pixel",
        work=lambda size: size * size,
        sizes=(32, 400),
    ),
    Kernel(
        "nbody",
        """Benchmarks Game n-body: the 5-body solar system advanced ``steps`` times (dt=0.01).

        Returns ``(energy_before, energy_after)``. Every backend performs the same float
        operations in the same order and agrees bit for bit.""",
        _prepare_nbody,
        sample=lambda size: (size,),
        unit="step",
        sizes=(100, 100_000),
    ),
    Kernel(
        "monte_carlo_pi",
        """Monte Carlo estimate of pi from ``samples`` points of the unit square.

        Point ``i`` takes splitmix64 outputs ``2i+1`` and ``2i+2`` of a counter-based
        stream started at ``seed`` (0..2**64-1), each reduced to 53 bits in [0, 1); so every
        backend, and any split of the samples over threads, draws the identical numbers and
        returns the bit-identical estimate ``4 * hits / samples``.""",
        _prepare_monte_carlo_pi,
        sample=lambda size: (size,),
        unit="sample",
        sizes=(1_000, 1_000_000),
    ),
    Kernel(
        "binary_trees",
        """Benchmarks Game binary-trees: allocate, walk and free many perfect binary trees.

        ``max_depth`` (0..24) is raised to at least 6, as the Benchmarks Game does. Returns
        one ``(depth, iterations, check)`` row per line the Benchmarks Game prints: the
        stretch tree of depth ``max_depth + 1``; for depth = 4, 6, ... up to ``max_depth``,
        ``2**(max_depth - depth + 4)`` trees of that depth; and finally the long-lived
        tree of depth ``max_depth``, built before the loop and kept alive through it.
        ``check`` is the number of nodes walked. ``python`` and ``compiled`` build every
        node as a Python object (a two-slot class instance, tracked by the cycle
        collector), so they exercise allocation, reference counting and the collector; ``typed`` and ``c`` allocate nodes in C from arenas freed after use.
        Every backend returns identical rows.""",
        _prepare_binary_trees,
        sample=lambda size: (size,),
        unit="node",
        work=_binary_trees_nodes,
        sizes=(8, 13),
    ),
]}
