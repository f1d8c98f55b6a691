"""A fresh interpreter that answers requests: the transport of the ladder's later passes.

A process carries luck of its own (its heap, its inputs' place in memory, the
interpreter's own layout) that nothing timed inside it can see, so :mod:`.ladder` times its
later passes each in a new interpreter, started as ``python -m <module>`` (the ladder's
module), which hands :func:`serve` the function that answers a request.

The child reads one request per line as JSON on stdin (the kernel, size, backends and each
backend's calls per sample; the first line also the settings and the parent's
``sys.path``) and answers each with one line of JSON on stdout: the timings, and the CPU
time it has used so far.
"""

from __future__ import annotations

import dataclasses
import json
import os
import select
import subprocess
import sys
import tempfile
import time
from typing import Callable, Optional, Sequence

from .._report.saved import decode
from .model import Timing
from .settings import Settings

#: Seconds a child may take for one kernel before it is stopped and the pass runs here.
TIMEOUT = 300.0


class FreshError(RuntimeError):
    """The fresh interpreter did not start, failed, or answered with something unreadable."""


class Interpreter:
    """A fresh interpreter that times ladders on request, one after another.

    Started on the first :meth:`measure`; once it has failed, every later call raises the
    same :class:`FreshError`. Use it as a context manager, or call :meth:`close`."""

    def __init__(self, settings: Settings, module: str, executable: str = sys.executable,
                 timeout: float = TIMEOUT):
        self.settings, self.module = settings, module
        self.executable, self.timeout = executable, timeout
        self.cpu = 0.0
        """CPU seconds the child has used, as of its last answer."""
        self._child: Optional[subprocess.Popen] = None
        self._stderr = None
        self._failed: Optional[FreshError] = None

    def __enter__(self) -> "Interpreter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def measure(self, kernel: str, size: int, backends: Sequence[str],
                loops: Optional[dict[str, int]] = None) -> dict[str, Timing]:
        """The ladder of ``kernel`` at ``size`` timed in the child, each backend's samples
        of ``loops`` calls where given; :class:`FreshError` where it could not be."""
        if self._failed is not None:
            raise self._failed
        try:
            return self._ask(kernel, size, backends, loops or {})
        except FreshError as error:
            self._failed = error
            if self._child is not None and self._child.poll() is None:
                self._child.kill()
            self.close()
            raise

    def _ask(self, kernel: str, size: int, backends: Sequence[str],
             loops: dict[str, int]) -> dict[str, Timing]:
        request = {"kernel": kernel, "size": size, "backends": list(backends), "loops": loops}
        if self._child is None:
            self._start()
            request.update(settings=dataclasses.asdict(self.settings), path=sys.path)
        try:
            self._child.stdin.write(json.dumps(request) + "\n")
            self._child.stdin.flush()
        except OSError:
            pass  # the child has stopped reading: its answer or its end says why
        try:
            ready, _, _ = select.select([self._child.stdout], [], [], self.timeout)
        except (OSError, ValueError) as error:  # a pipe select() cannot wait on (Windows)
            raise FreshError(f"cannot wait for the child: {error}") from None
        if not ready:
            raise FreshError(f"no answer within {self.timeout:g} s")
        line = self._child.stdout.readline()
        if not line:
            raise self._death()
        try:
            answer = json.loads(line)
            timings = {backend: decode(Timing, answer["timings"][backend]) for backend in backends}
            self.cpu = float(answer["cpu"])
        except (ValueError, KeyError, TypeError) as error:
            raise FreshError(f"unreadable answer: {type(error).__name__}: {error}") from None
        return timings

    def _start(self) -> None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        self._stderr = tempfile.TemporaryFile(mode="w+")
        try:
            self._child = subprocess.Popen([self.executable, "-m", self.module], env=env,
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                           stderr=self._stderr, text=True)
        except (OSError, subprocess.SubprocessError) as error:
            raise FreshError(f"{type(error).__name__}: {error}") from None

    def _death(self) -> FreshError:
        """The error of a child that stopped answering: its last word on stderr."""
        status = self._child.wait()
        self._stderr.seek(0)
        last = self._stderr.read().strip().splitlines()[-1:] or [f"exit status {status}"]
        return FreshError(last[0])

    def close(self) -> None:
        """Ends the child (it exits when its stdin closes) and frees its pipes."""
        child, self._child = self._child, None
        if child is not None:
            for stream in (child.stdin, child.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


#: Answers one request in the child: (kernel, size, backends, loops, settings) -> timings.
Handler = Callable[[str, int, Sequence[str], dict, Settings], dict]


def serve(handler: Handler) -> None:
    """The child's loop: requests on stdin, one line each, answers on stdout, until stdin
    ends."""
    first = json.loads(sys.stdin.readline())
    sys.path[:] = first["path"]
    settings = Settings(**first["settings"])
    request = first
    while request is not None:
        timings = handler(request["kernel"], request["size"], request["backends"],
                          request.get("loops") or {}, settings)
        found = {backend: dataclasses.asdict(timing) for backend, timing in timings.items()}
        print(json.dumps({"timings": found, "cpu": time.process_time()}), flush=True)
        line = sys.stdin.readline()
        request = json.loads(line) if line.strip() else None
