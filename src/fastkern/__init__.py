"""fastkern: the same hot kernels as pure Python, compiled Python, typed GIL-free Cython
and tuned C behind one dispatch layer, and a report of where Python's time goes.

    >>> import fastkern
    >>> fastkern.sum([1.0, 2.0, 3.0])
    6.0
    >>> fastkern.nbody(1000, backend="python")[1]        # doctest: +ELLIPSIS
    -0.16908760523...

Kernels: sum, dot, mandelbrot, nbody, monte_carlo_pi, binary_trees, fib, fnv1a,
spectral_norm, fannkuch, matmul; each takes ``backend=`` (see :func:`backends`) and
``release_gil=``. See :func:`backends`, :func:`kernels`, :func:`kernel_backends`,
:func:`use`, :func:`implementation`, :func:`info`.

Where the time goes (imported on first use):

- :func:`anatomy` ``(kernel, size=None, *, quick=False, progress=False, ...)``: measure
  one kernel on this machine and return a :class:`Report`;
- :func:`anatomy_all` ``(kernels=None, ...)``: the same for several (default: the set
  ``python -m fastkern`` measures);
- :class:`Report`: ``print(report)`` or ``report.render(width)`` shows it, ``to_json()``
  and ``Report.from_json()`` save and load it; notebooks display it as HTML.
"""

from importlib.metadata import PackageNotFoundError, version as _version

from ._dispatch import BackendError, backends, implementation, kernel_backends, kernels, use
from ._info import info
from ._kernels import KERNELS as _KERNELS
from ._dispatch import public_function as _public_function

try:
    __version__ = _version("fastkern")
except PackageNotFoundError:
    __version__ = "0+unknown"

sum = _public_function(_KERNELS["sum"])
dot = _public_function(_KERNELS["dot"])
mandelbrot = _public_function(_KERNELS["mandelbrot"])
nbody = _public_function(_KERNELS["nbody"])
monte_carlo_pi = _public_function(_KERNELS["monte_carlo_pi"])
binary_trees = _public_function(_KERNELS["binary_trees"])
fib = _public_function(_KERNELS["fib"])
fnv1a = _public_function(_KERNELS["fnv1a"])
spectral_norm = _public_function(_KERNELS["spectral_norm"])
fannkuch = _public_function(_KERNELS["fannkuch"])
matmul = _public_function(_KERNELS["matmul"])

__all__ = ["BackendError", "Report", "anatomy", "anatomy_all", "backends", "implementation", "info",
           "kernel_backends", "kernels", "use", *_KERNELS]

_ANATOMY = frozenset({"anatomy", "anatomy_all", "Report"})


def __dir__() -> list[str]:
    return sorted(set(globals()) | _ANATOMY)


def __getattr__(name: str):
    """``anatomy``, ``anatomy_all`` and ``Report``, imported on first use."""
    if name in _ANATOMY:
        from . import _anatomy

        return getattr(_anatomy, name)
    raise AttributeError(f"module 'fastkern' has no attribute {name!r}")
