"""Clusters: a local one started per layout and torn down, or the user's, connected to.

fastkern runs no scheduler of its own: a local layout is ``distributed.LocalCluster``
(worker processes with their nannies, the scheduler in this process), closed when its
block ends however it ends, after which any process it left is ended by its id. The
user's cluster is used as it is; :func:`layout_of` reads its layout.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import warnings
from collections import Counter
from typing import Iterator

from . import tasks
from .model import Layout

INSTALL = 'python -m pip install "fastkern[cluster]"'
#: Seconds to wait for a scheduler given by address to answer.
CONNECT_TIMEOUT = 10.0
#: Seconds to wait for a local cluster's workers to start.
START_TIMEOUT = 60.0


class ClusterError(RuntimeError):
    """The cluster cannot be used: the extra is missing, a scheduler does not answer, the
    workers lack fastkern or the kernel's module."""


def require():
    """The ``distributed`` module; :class:`ClusterError` with the install command without it."""
    try:
        import distributed
    except ImportError:
        raise ClusterError(f"fastkern cluster needs dask.distributed: {INSTALL}") from None
    return distributed


@contextlib.contextmanager
def local(layout: Layout) -> Iterator:
    """A client of a local cluster of ``layout`` (worker processes, no dashboard), closed
    when the block ends; any child process still there then is ended. The workers ignore
    Ctrl-C (:class:`.plugin.IgnoreInterrupts`): it reaches the whole process group at a
    terminal, and this process closes them."""
    distributed = require()
    before = _children()
    cluster = client = None
    with warnings.catch_warnings():
        # the scheduler's GIL monitor (gilknocker) in this process, starved by busy threads
        warnings.filterwarnings("ignore", "timed out waiting on channel", UserWarning)
        try:
            with _deferred_interrupts():
                cluster = distributed.LocalCluster(
                    n_workers=layout.workers, threads_per_worker=layout.threads,
                    processes=True, dashboard_address=None, scheduler_port=0, host="127.0.0.1",
                    # no dashboard; its HTTP server (health, metrics) on a free local port,
                    # not on 8787, which another cluster may hold
                    scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
                    silence_logs=logging.CRITICAL, timeout=START_TIMEOUT)
            client = distributed.Client(cluster, timeout=START_TIMEOUT)
            from .plugin import IgnoreInterrupts

            client.register_plugin(IgnoreInterrupts())
            yield client
        finally:
            with _deferred_interrupts():
                for closing in (client, cluster):
                    with contextlib.suppress(Exception):
                        if closing is not None:
                            closing.close(timeout=10)
                _end(_children() - before)


@contextlib.contextmanager
def _deferred_interrupts() -> Iterator[None]:
    """A Ctrl-C during the block (starting or closing the cluster, which must not be left
    half done) is raised as KeyboardInterrupt when the block ends."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            raise KeyboardInterrupt  # in place of what the interrupt made fail meanwhile


def _children() -> set[int]:
    """Our child processes, but multiprocessing's resource tracker (shared by the whole
    interpreter, it ends with it)."""
    import psutil

    found = set()
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "resource_tracker" not in " ".join(child.cmdline()):
                found.add(child.pid)
    return found


def _end(pids: set[int]) -> None:
    """End the processes ``pids`` (ours, started by the cluster) and wait for them."""
    import psutil

    found = []
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            process = psutil.Process(pid)
            process.kill()
            found.append(process)
    psutil.wait_procs(found, timeout=5)


def connect(address: str, timeout: float = CONNECT_TIMEOUT):
    """A client of the scheduler at ``address``; :class:`ClusterError` if it does not
    answer within ``timeout`` seconds."""
    distributed = require()
    try:
        return distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise ClusterError(f"no dask scheduler answered at {address} within {timeout:g} s "
                           f"({type(error).__name__}); start one with `dask scheduler` and "
                           f"give the address it prints") from None
    except ValueError as error:
        raise ClusterError(f"--scheduler {address!r} is not a scheduler address: {error}") from None


def workers(client) -> dict[str, tuple]:
    """Each worker's address: its host, process id and fastkern version."""
    return client.run(tasks.identity)


def layout_of(client, found: dict[str, tuple]) -> tuple[Layout, list[str]]:
    """The cluster's layout (hosts, worker processes, threads each) and what it cannot
    say (workers with different thread counts)."""
    if not found:
        raise ClusterError("the cluster has no workers; start some with "
                           "`dask worker ADDRESS --nworkers N --nthreads T`")
    threads = client.nthreads()
    counts = Counter(threads.values())
    common = counts.most_common(1)[0][0]
    notes = [] if len(counts) == 1 else [
        f"workers run different thread counts ({', '.join(map(str, sorted(counts)))}); "
        f"the layout is named by the most common, {common}"]
    hosts = {host for host, *_ in found.values()}
    return Layout(len(hosts), len(found), common), notes

