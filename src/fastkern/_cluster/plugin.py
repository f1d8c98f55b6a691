"""A worker plugin of local clusters (imported only where distributed is installed)."""

from __future__ import annotations

import signal
import threading

from distributed.diagnostics.plugin import WorkerPlugin


class IgnoreInterrupts(WorkerPlugin):
    """The worker process ignores SIGINT: a Ctrl-C at the terminal reaches the whole process
    group, and fastkern closes the cluster itself. Applies to workers a nanny restarts too."""

    name = "fastkern-ignore-interrupts"

    def setup(self, worker) -> None:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)
