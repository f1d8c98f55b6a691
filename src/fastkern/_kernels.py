"""The kernel registry: one entry per kernel, read by dispatch, tests, benchmarks and anatomy.

A :class:`Kernel` says how to check and convert the public arguments for each kind of
backend (``prepare``), how to turn an object backend's raw result into the public one
(``finish``; buffer backends return it already), its documentation (written once, shared by every backend), and how to
make a deterministic input of a given size (``sample``) for benchmarks and the anatomy.
Which backends implement a built-in kernel is not listed here: a backend implements it
exactly when its module defines a function of the kernel's name. A kernel registered at
run time (:func:`fastkern.kernel`) carries its own implementations instead (``own``).
"""

from __future__ import annotations

import functools
import math
import sys
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Optional, Union

import numpy as np

from . import _boundary as b
from ._backends import BuiltIn
from ._boundary import matmul_operands

if TYPE_CHECKING:
    from ._registered import Implementations as Registered

#: Preference when no backend is chosen: the first one built that implements the kernel.
FASTEST_FIRST = ("c", "typed", "numpy", "compiled", "python")


@dataclass(frozen=True)
class Buffer:
    """A positional argument that ``prepare`` hands to the buffer backends unchanged when
    it already is a C-contiguous, aligned, native-order NumPy array of ``dtype`` (or, for
    ``uint8``, ``bytes``) whose dimensions fit ``shape``: dimensions of the same name, in
    any of the kernel's buffers, are equal, and with ``nonempty`` none is zero.

    Dispatch calls the backend directly for such arguments (``_fastcall``), and takes the
    full ``prepare`` path for any others.
    """

    dtype: str
    shape: tuple[str, ...]
    nonempty: bool = False


@dataclass(frozen=True)
class Count:
    """A positional integer argument that ``prepare`` hands to every backend unchanged when
    it already is an ``int`` (not a bool) in ``minimum..maximum``."""

    minimum: int
    maximum: int


@dataclass(frozen=True)
class Kernel:
    """One kernel: its checks and conversions, documentation, sample inputs and sizes.

    ``unit`` names what ``work(size)`` counts; ``sizes`` are the (small, large) sizes the
    benchmarks use; ``reorders`` lists the backends whose float results differ from the
    others by reordering; ``fastest_first`` is the order the default backend is picked in;
    ``args``, when given, declares every positional argument (a :class:`Buffer` or
    :class:`Count`), and ``options`` every keyword-only one, ``(name, Count)``: what dispatch
    may hand to a backend without ``prepare`` (an option left out takes ``prepare``'s default).
    ``implementations`` are the kernel's backends, one protocol for every kernel (see
    :mod:`fastkern._backends`): a built-in kernel's are the backend modules' functions (the
    default), a registered kernel's are built from its source.
    ``reference_size`` is where the anatomy anchors its sizes: one ``python`` call at it
    lasts about 20 ms on a current x86 core; None for
    registered kernels, whose sizes come from a 1-2-5 grid of work instead.
    ``splits`` says whether one call's work can be split over threads (``threads=``); a
    registered kernel never splits (its rungs are the user's code, run on the calling thread).
    ``large``, when given, is ``(backend, work)``: the default backend of a call whose
    buffers hold at least that much work (the product of their named dimensions, each once:
    ``n * k * m`` for matmul) where ``fastest_first`` picks for smaller calls.
    """

    name: str
    doc: str
    prepare: Callable[..., tuple]
    sample: Callable[[int], tuple]
    unit: str
    work: Callable[[int], int] = lambda size: size
    finish: Callable[[str, object, tuple], object] | None = None
    reorders: frozenset = frozenset()
    sizes: tuple = (1_000, 100_000)
    reference_size: int | None = None
    fastest_first: tuple = FASTEST_FIRST
    args: tuple[Buffer | Count, ...] = ()
    options: tuple[tuple[str, Count], ...] = ()
    implementations: Union[BuiltIn, Registered, None] = None
    splits: bool = False
    large: Optional[tuple[str, int]] = None

    def __post_init__(self) -> None:
        if self.implementations is None:
            object.__setattr__(self, "implementations", BuiltIn(self.name))

    def call_work(self, raw: tuple) -> int:
        """The work of a call with these raw buffer arguments (see ``large``)."""
        dimensions = {}
        for arg, value in zip(self.args, raw):
            if isinstance(arg, Buffer):
                dimensions.update(zip(arg.shape, getattr(value, "shape", (len(value),))))
        return math.prod(dimensions.values())


#: Samples up to this many elements are drawn once per process and copied after: the
#: anatomy asks for the same sample for every backend and section.
CACHED_SAMPLE = 1 << 20


def _random_vector(size: int, stream: int) -> np.ndarray:
    """``size`` uniform floats, the same for the same ``size`` and ``stream``; a fresh copy
    the caller may change."""
    if size > CACHED_SAMPLE:
        return _drawn(size, stream)
    return _cached(size, stream).copy()


def _drawn(size: int, stream: int) -> np.ndarray:
    return np.random.default_rng([size, stream]).random(size)


_cached = functools.lru_cache(maxsize=4)(_drawn)


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



#: The largest n whose Fibonacci number fits a signed 64-bit integer.
MAX_FIB = 92


def _prepare_fib(form, n):
    return (b.count(n, "n", maximum=MAX_FIB),)


def _fib_calls(n: int) -> int:
    previous, current = 1, 1
    for _ in range(n):
        previous, current = current, previous + current + 1
    return previous


def _prepare_fnv1a(form, data):
    return (b.byte_data(data, "data", form),)


def _random_bytes(size: int) -> bytes:
    return np.random.default_rng([size, 3]).integers(0, 256, size, dtype=np.uint8).tobytes()


#: The sizes spectral_norm and fannkuch accept.
SPECTRAL_NORM_N = Count(1, 100_000)
FANNKUCH_N = Count(1, 12)


def _prepare_spectral_norm(form, n):
    return (b.count(n, "n", minimum=SPECTRAL_NORM_N.minimum, maximum=SPECTRAL_NORM_N.maximum),)


def _prepare_fannkuch(form, n):
    return (b.count(n, "n", minimum=FANNKUCH_N.minimum, maximum=FANNKUCH_N.maximum),)


#: The multiply-adds (n * k * m) from which BLAS's ``a @ b`` outruns c's blocked loop, whose
#: call costs less; benchmarks/default_backend.py measures both sides of it.
MATMUL_BLAS_WORK = 24 ** 3


def _prepare_matmul(form, a, b):  # ``b`` is the public argument's name, so no ``b.`` here
    return matmul_operands(a, b, form)


def _finish_matmul(form, product, args):
    return np.array(product, dtype=np.float64)


def _random_square_matrices(size: int) -> tuple:
    rng = np.random.default_rng([size, 4])
    return rng.random((size, size)), rng.random((size, size))


KERNELS: dict[str, Kernel] = {k.name: k for k in [
    Kernel(
        "sum",
        """Sum of a 1-D float64 array, as a Python float.

        ``x`` is any float64 buffer (NumPy array, ``array.array('d')``, memoryview) or a
        sequence of real numbers; a non-contiguous buffer is copied once. ``python``,
        ``compiled`` and ``typed`` add left to right and agree bit for bit; ``c`` (16
        interleaved accumulators) and ``numpy`` (pairwise) reorder the additions, so they
        differ from the others by at most ``2 * (n - 1) * eps * sum(abs(x))`` while no
        partial sum overflows. With ``threads=N`` (any N, 1 included) ``typed`` and ``c``
        sum blocks of 65536 elements each as above and add the block sums in order: the same
        result for every N, and the unsplit result when ``len(x) <= 65536``.""",
        _prepare_sum,
        sample=lambda size: (_random_vector(size, 0),),
        unit="element",
        reorders=frozenset({"c", "numpy"}),
        sizes=(1_000, 10_000_000),
        reference_size=1_000_000,
        args=(Buffer("float64", ("n",)),),
        splits=True,
    ),
    Kernel(
        "dot",
        """Dot product of two 1-D float64 arrays of equal length, as a Python float.

        Inputs as for :func:`sum`. ``python``, ``compiled`` and ``typed`` accumulate left
        to right and agree bit for bit; ``c`` and ``numpy`` (BLAS) reorder, and differ from
        them by at most ``2 * n * eps * sum(abs(x * y))`` while nothing overflows. ``threads=N``
        adds in blocks as :func:`sum` does, with the same guarantees.""",
        _prepare_dot,
        sample=lambda size: (_random_vector(size, 1), _random_vector(size, 2)),
        unit="element",
        reorders=frozenset({"c", "numpy"}),
        sizes=(1_000, 10_000_000),
        reference_size=500_000,
        args=(Buffer("float64", ("n",)), Buffer("float64", ("n",))),
        splits=True,
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
        args=(Count(0, 2**31 - 1), Count(0, 2**31 - 1)),  # any such width*height fits
        options=(("max_iter", Count(0, 65535)),),
        work=lambda size: size * size,
        sizes=(32, 400),
        reference_size=100,
        splits=True,
    ),
    Kernel(
        "nbody",
        """Benchmarks Game n-body: the 5-body solar system advanced ``steps`` times (dt=0.01).

        Returns ``(energy_before, energy_after)``. Every backend performs the same float
        operations in the same order and agrees bit for bit.""",
        _prepare_nbody,
        sample=lambda size: (size,),
        unit="step",
        args=(Count(0, sys.maxsize),),
        sizes=(100, 100_000),
        reference_size=5_000,
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
        args=(Count(1, 2**62),),
        options=(("seed", Count(0, 2**64 - 1)),),
        sizes=(1_000, 1_000_000),
        reference_size=20_000,
        splits=True,
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
        collector), so they exercise allocation, reference counting and the collector;
        ``typed`` and ``c`` allocate nodes in C from arenas freed after use (``c`` keeps
        up to four of at most 16 MB for its next call, so their pages need no faulting in).
        Every backend returns identical rows.""",
        _prepare_binary_trees,
        sample=lambda size: (size,),
        unit="node",
        args=(Count(0, MAX_TREE_DEPTH),),
        work=_binary_trees_nodes,
        sizes=(8, 13),
        reference_size=10,
        splits=True,
    ),
    Kernel(
        "fib",
        """The ``n``-th Fibonacci number (``fib(0) = 0``, ``fib(1) = 1``) by naive double recursion.

        The cost is almost all function calls: ``fib(n)`` makes ``2 * fib(n + 1) - 1`` of
        them. ``n`` must be in 0..92 on every backend, ``python`` included: ``fib(92)`` is
        the largest that fits the 64-bit integers of ``typed`` and ``c``, and one signature
        means one set of accepted inputs. Every backend returns the same int.""",
        _prepare_fib,
        sample=lambda size: (size,),
        unit="call",
        args=(Count(0, MAX_FIB),),
        work=_fib_calls,
        sizes=(15, 32),
        reference_size=27,
    ),
    Kernel(
        "fnv1a",
        """64-bit FNV-1a hash of a bytes-like object, as an int in 0..2**64-1.

        ``data`` is bytes, bytearray, memoryview, ``array.array('B')`` or a NumPy uint8
        (or int8) array of any shape, hashed in C order; a non-contiguous buffer is copied.
        Buffers of wider items are refused rather than hashed by their bytes, and ``str`` is
        refused with a ``TypeError``: encode it first. ``python`` works on Python ints masked
        to 64 bits, the others on machine words; every backend returns the same int.""",
        _prepare_fnv1a,
        sample=lambda size: (_random_bytes(size),),
        unit="byte",
        sizes=(1_000, 4_000_000),
        reference_size=200_000,
        args=(Buffer("uint8", ("n",)),),
    ),
    Kernel(
        "spectral_norm",
        """Benchmarks Game spectral-norm: the spectral norm of the infinite matrix A, truncated to n x n.

        ``A(i, j) = 1 / ((i + j)(i + j + 1) / 2 + i + 1)``; ten rounds of
        ``v = A^T A u; u = A^T A v`` from ``u = 1``, then ``sqrt(u.v / v.v)``. ``n`` is
        1..100000. ``python`` and ``compiled`` evaluate A(i, j) by a function call in the
        innermost loop; ``typed`` and ``c`` inline it. Those four do the same float
        operations in the same order and agree bit for bit; ``numpy`` builds A whole (8 n^2
        bytes) and multiplies with BLAS, which reorders the sums, so it differs from them
        by at most ``2 * 42 * n * eps * 1.275`` (42 sums of positive terms, each off by at
        most ``n * eps`` relatively; the norm is below 1.275).""",
        _prepare_spectral_norm,
        sample=lambda size: (size,),
        unit="A(i,j)",
        args=(SPECTRAL_NORM_N,),
        work=lambda size: 40 * size * size,
        reorders=frozenset({"numpy"}),
        sizes=(50, 300),
        reference_size=50,
        splits=True,
    ),
    Kernel(
        "fannkuch",
        """Benchmarks Game fannkuch-redux: ``(checksum, max_flips)`` over all permutations of 0..n-1.

        Each permutation is flipped (its first ``k + 1`` elements reversed, ``k`` its first
        element) until it starts with 0; ``max_flips`` is the most flips any needed and
        ``checksum`` adds the flips of even-numbered permutations and subtracts those of
        odd-numbered ones, in the Benchmarks Game's order. ``n`` must be in 1..12 (the
        work grows as n!; a ``ValueError`` says so otherwise). Every backend returns the
        same ints.""",
        _prepare_fannkuch,
        sample=lambda size: (size,),
        unit="permutation",
        args=(FANNKUCH_N,),
        work=math.factorial,
        sizes=(6, 9),
        reference_size=8,
        splits=True,
    ),
    Kernel(
        "matmul",
        """Matrix product of float64 matrices ``a`` (n, k) and ``b`` (k, m), as an (n, m) float64 array.

        Inputs as for :func:`sum`, two-dimensional; every dimension must be at least 1, and
        a shape mismatch raises ``ValueError`` naming both shapes. ``python`` loops over
        lists of rows, ``typed`` over memoryviews in i-k-j order, ``c`` in cache-sized
        blocks with vectorised inner loops; all three add each element's products in
        order of k and agree bit for bit. ``numpy`` is ``a @ b`` (BLAS), which reorders
        and may fuse multiply-adds, so it differs by at most
        ``2 * k * eps * (|a| @ |b|)`` per element.""",
        _prepare_matmul,
        finish=_finish_matmul,
        sample=_random_square_matrices,
        unit="multiply-add",
        work=lambda size: size ** 3,
        reorders=frozenset({"numpy"}),
        sizes=(16, 192),
        reference_size=80,
        fastest_first=("c", "typed", "numpy", "compiled", "python"),
        args=(Buffer("float64", ("n", "k"), nonempty=True), Buffer("float64", ("k", "m"), nonempty=True)),
        splits=True,
        large=("numpy", MATMUL_BLAS_WORK),
    ),
]}

#: The kernels fastkern ships; registered kernels may not take their names.
BUILTIN = frozenset(KERNELS)
_REGISTERING = threading.Lock()


def register(spec: Kernel, replaces: Callable[[Kernel], bool] = lambda old: False) -> Kernel:
    """Add a run-time kernel to the registry (thread-safe).

    A name already taken is refused unless ``replaces(existing)`` says the new entry is
    the same function registered again (a reloaded module).
    """
    with _REGISTERING:
        existing = KERNELS.get(spec.name)
        if spec.name in BUILTIN:
            raise ValueError(f"kernel name {spec.name!r} is taken by a built-in fastkern kernel; "
                             f"pass name=... to register it under another name")
        if existing is not None and not replaces(existing):
            raise ValueError(f"kernel name {spec.name!r} is already registered "
                             f"(by {existing.implementations.origin}); pass name=... to choose another")
        KERNELS[spec.name] = spec
    return spec
