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
:func:`use`, :func:`implementation`, :func:`info`; :func:`kernel` puts your own function
on the ladder, beside them.

Where the time goes (imported on first use):

- :func:`anatomy` ``(kernel, size=None, *, quick=False, progress=False, ...)``: measure
  one kernel on this machine and return a :class:`Report`;
- :func:`anatomy_all` ``(kernels=None, ...)``: the same for several (default: the set
  ``python -m fastkern`` measures);
- :class:`Report`: ``print(report)`` or ``report.render(width)`` shows it, ``to_json()``
  and ``Report.from_json()`` save and load it; notebooks display it as HTML;
- :class:`Settings`: how long and how often the anatomy measures (``settings=``);
- :func:`service` ``(kernels=None, *, quick=False, app=None, url=None, ...)``: what each
  rung does to a web service under load (needs ``fastkern[service]``), as a report.
- :func:`cluster` ``(kernels=None, *, scheduler=None, quick=False, ...)``: each rung as
  dask tasks in threads and in processes, and the layout it should run in (needs
  ``fastkern[cluster]``).
"""

from ._about import info
from ._dispatch import BackendError, backends, implementation, kernel_backends, kernels, use
from ._dispatch import public as _public
from ._info import version as _version
from ._kernels import BUILTIN as _BUILTIN

__version__ = _version()

sum = _public("sum")
dot = _public("dot")
mandelbrot = _public("mandelbrot")
nbody = _public("nbody")
monte_carlo_pi = _public("monte_carlo_pi")
binary_trees = _public("binary_trees")
fib = _public("fib")
fnv1a = _public("fnv1a")
spectral_norm = _public("spectral_norm")
fannkuch = _public("fannkuch")
matmul = _public("matmul")

__all__ = ["BackendError", "Report", "Settings", "anatomy", "anatomy_all", "backends", "cluster",
           "implementation", "info", "kernel", "kernel_backends", "kernels", "service", "use",
           *sorted(_BUILTIN)]

_LAZY = frozenset({"anatomy", "anatomy_all", "Report", "Settings", "service", "cluster", "kernel"})


def __dir__() -> list[str]:
    return sorted(set(globals()) | _LAZY)


def __getattr__(name: str):
    """``anatomy``, ``anatomy_all``, ``Report``, ``Settings``, ``service``, ``cluster`` and
    ``kernel``, imported on first use (rendering a saved report imports nothing that
    measures, builds or starts processes)."""
    if name == "kernel":
        from ._registered import kernel

        return kernel
    if name in ("anatomy", "anatomy_all"):
        from ._anatomy import run

        return getattr(run, name)
    if name == "Report":
        from ._anatomy.report import Report

        return Report
    if name == "service":
        from ._service.run import service

        return service
    if name == "cluster":
        from ._cluster.run import cluster

        return cluster
    if name == "Settings":
        from ._anatomy.settings import Settings

        return Settings
    raise AttributeError(f"module 'fastkern' has no attribute {name!r}")
