"""``fastkern.cluster``: every subject measured in each layout, on local clusters or the
user's, and the report of what layout each rung should run in."""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import time
from typing import Optional, Sequence

from .. import _dispatch
from .._anatomy import machine
from .._kernels import KERNELS
from . import lifecycle
from .layouts import local_layouts, usable
from .measure import Spec, run_layout
from .model import QUICK, Settings
from .report import ClusterReport

#: What ``fastkern cluster`` measures by default: a kernel bound by the interpreter (python)
#: and one that releases the GIL (c), then one bound by memory bandwidth.
DEFAULT = (Spec("mandelbrot", "python", 120), Spec("mandelbrot", "c", 120),
           Spec("sum", "c", 20_000_000))
#: ``--quick``: the same rungs, sum at half the size.
QUICK_DEFAULT = DEFAULT[:2] + (Spec("sum", "c", 10_000_000),)


def specs(kernels: Optional[Sequence[str]], backends: Optional[Sequence[str]],
          quick: bool) -> list[Spec]:
    """The subjects: each kernel at each backend (default: python and the fastest
    compiled rung it has), at its default size."""
    if not kernels:
        found = QUICK_DEFAULT if quick else DEFAULT
        return [s for s in found if backends is None or s.backend in backends]
    chosen = []
    for kernel in kernels:
        if kernel not in _dispatch.kernels():
            raise ValueError(f"kernels: unknown kernel {kernel!r}; choose one of "
                             f"{', '.join(_dispatch.kernels())} or give MODULE:FUNCTION")
        have = _dispatch.kernel_backends(kernel)
        wanted = backends or ["python", *[b for b in ("c", "typed", "compiled") if b in have][:1]]
        for backend in wanted:
            if backend not in have:
                raise ValueError(f"backends: {kernel} has no backend {backend!r}; "
                                 f"it has {', '.join(have)}")
            chosen.append(Spec(kernel, backend, _size(kernel)))
    return chosen


def _size(kernel: str) -> int:
    spec = KERNELS[kernel]
    if kernel == "mandelbrot":
        return DEFAULT[0].size
    return spec.reference_size or spec.sizes[-1]


def own_modules(chosen: Sequence[Spec]) -> list[str]:
    """The files of the modules that define the registered kernels among ``chosen``."""
    files = []
    for spec in chosen:
        own = KERNELS[spec.kernel].implementations
        if own.run_time:
            module = sys.modules.get(own.module)
            path = getattr(module, "__file__", None)
            if path and path not in files:
                files.append(path)
    return files


def _ship(client, chosen: Sequence[Spec]) -> None:
    """Make each registered kernel's module importable on the workers, restarted ones
    included: a single-file module is uploaded by distributed's ``UploadFile`` worker
    plugin (``client.upload_file`` less its scheduler half, which the kernel does not
    need); :class:`lifecycle.ClusterError` where it cannot be."""
    from distributed.diagnostics.plugin import UploadFile

    for path in own_modules(chosen):
        if os.path.basename(path) == "__init__.py":
            raise lifecycle.ClusterError(
                f"{os.path.dirname(path)} is a package: install it on every worker "
                f"(pip install) so that the workers can import it")
        client.register_plugin(UploadFile(path), name=f"fastkern-{os.path.basename(path)}")


def _check_workers(found: dict[str, tuple]) -> None:
    from .._info import version

    versions = {found_version for _host, _pid, found_version in found.values()}
    if versions != {version()}:
        raise lifecycle.ClusterError(
            f"the workers run fastkern {', '.join(sorted(versions))}, this is {version()}: "
            f"install the same fastkern on every worker")


def cluster(kernels: Optional[Sequence[str]] = None, *, scheduler: Optional[str] = None,
            backends: Optional[Sequence[str]] = None, quick: bool = False,
            settings: Optional[Settings] = None, progress: bool = False,
            connect_timeout: float = lifecycle.CONNECT_TIMEOUT) -> ClusterReport:
    """Measure each kernel's rungs as dask tasks in each layout and report which layout
    each should run in.

    Without ``scheduler``, each layout of the usable cores (N threads x 1 process, 1 thread
    x N processes, and a mix where N >= 4) is a local cluster started once and torn down;
    with it, the cluster at that address is measured as it is. Needs ``fastkern[cluster]``.
    """
    lifecycle.require()
    settings = settings or (QUICK if quick else Settings())
    chosen = specs(kernels, backends, quick)
    began = time.perf_counter()
    own_host = socket.gethostname()
    runs, notes = [], []
    layouts = local_layouts(usable()) if scheduler is None else ()
    with _progress(progress, max(1, len(layouts)) * (3 + settings.rounds)) as step:
        if scheduler is None:
            for layout in layouts:
                step(f"{layout.name}: starting")
                start = time.perf_counter()
                with lifecycle.local(layout) as client:
                    startup = time.perf_counter() - start
                    found = lifecycle.workers(client)
                    _ship(client, chosen)
                    runs.append(run_layout(client, layout, True, chosen, settings, found, own_host,
                                           startup, step))
        else:
            client = lifecycle.connect(scheduler, connect_timeout)
            try:
                found = lifecycle.workers(client)
                _check_workers(found)
                layout, notes = lifecycle.layout_of(client, found)
                notes.append(f"only the cluster's own layout ({layout.name}) was measured; "
                             f"to compare, start its workers with --nthreads 1 or with "
                             f"--nworkers 1 and measure again")
                _ship(client, chosen)
                runs.append(run_layout(client, layout, False, chosen, settings, found, own_host, 0.0,
                                       step))
            finally:
                client.close()
    import dask
    import distributed

    return ClusterReport(machine.describe(), scheduler, distributed.__version__, dask.__version__,
                         _gilknocker(), settings, tuple(runs), tuple(notes),
                         time.perf_counter() - began)


def _gilknocker() -> Optional[str]:
    try:
        from importlib.metadata import version

        return version("gilknocker")
    except Exception:
        return None


@contextlib.contextmanager
def _progress(shown: bool, total: int):
    """A step callback: a bar on stderr of ``total`` steps when ``shown``."""
    if not shown:
        yield lambda label: None
        return
    from .._report import terminal

    with terminal.progress_bar() as bar:
        done = [0]

        def step(label: str) -> None:
            bar(label, min(done[0], total), total)
            done[0] += 1

        yield step
