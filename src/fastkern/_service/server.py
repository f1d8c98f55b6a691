"""The server process: uvicorn serving :func:`.app.create` on 127.0.0.1 at a free port, in a
process group of its own, started and waited for, and stopped with everything it started.

Every process the server starts (uvicorn's workers, the forkserver and its process pool)
stays in the group, so :meth:`Server.stop` ends them all by signalling the group, then
kills whatever of it is left. The server also gets SIGTERM if the process that started it
dies without stopping it (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from typing import Any, Iterable, Optional

from . import extra, procs
from .app import CONFIG
from .probes import HEALTH, PROBE

#: Seconds a server may take to answer its first request.
START_TIMEOUT = 60.0
#: Seconds :meth:`Server.probe` goes on asking until every worker has answered.
PROBE_TIMEOUT = 5.0
#: Seconds a stopped server may take to end before it is killed.
STOP_GRACE = 5.0
_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _die_with_parent() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


#: Requests go straight to the server, whatever proxy the environment names.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url: str, timeout: float = 2.0) -> bytes:
    with _DIRECT.open(url, timeout=timeout) as answer:
        return answer.read()


class Server:
    """One uvicorn server of ``config`` (see :mod:`.app`) with ``workers`` processes; a
    context manager that starts it and stops it."""

    def __init__(self, config: dict[str, Any], workers: int = 1,
                 timeout: float = START_TIMEOUT) -> None:
        self.config, self.workers, self.timeout = config, workers, timeout
        self.process: Optional[subprocess.Popen] = None
        self.port = 0
        self._log = tempfile.TemporaryFile()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pgid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Starts the server and waits until it answers; RuntimeError naming the cause if
        it exits first or does not answer within ``timeout`` seconds."""
        extra.require()
        self.port = free_port()
        command = [sys.executable, "-m", "uvicorn", "fastkern._service.app:create", "--factory",
                   "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers),
                   "--log-level", "warning", "--no-access-log"]
        env = {**os.environ, CONFIG: json.dumps(self.config)}
        self.process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL,
                                        stdout=self._log, stderr=self._log,
                                        start_new_session=True, preexec_fn=_die_with_parent)
        try:
            self._wait()
        except BaseException:
            self.stop()
            raise

    def _last_words(self) -> str:
        self._log.seek(0)
        lines = [line for line in self._log.read().decode(errors="replace").splitlines() if line.strip()]
        return lines[-1].strip() if lines else "it printed nothing"

    def _wait(self) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with status {self.process.returncode} "
                                   f"before answering: {self._last_words()}")
            try:
                get(self.url + HEALTH, timeout=1.0)
                if len(self.probe()) >= self.workers:
                    return
            except (OSError, ValueError):
                time.sleep(0.05)
        raise RuntimeError(f"the server did not answer on {self.url} within {self.timeout:g} s: "
                           f"{self._last_words()}")

    def members(self) -> list[int]:
        return procs.group(self.pgid) if self.process is not None else []

    def cpu_seconds(self) -> float:
        """CPU seconds the server's processes have used so far."""
        return procs.cpu_seconds(self.members())

    def probe(self) -> dict[int, dict[str, list[float]]]:
        """Each worker process's loop lags and work CPU times recorded since its last probe,
        by process id. Each probe goes on a connection of its own, which the kernel hands
        to one worker, so probes go out until every one of the server's workers has
        answered, or for at most :data:`PROBE_TIMEOUT` seconds (then those that did)."""
        found: dict[int, dict[str, list[float]]] = {}
        deadline = time.monotonic() + PROBE_TIMEOUT
        while True:
            answer = json.loads(get(self.url + PROBE, timeout=10.0))
            mine = found.setdefault(answer["pid"], {"lags": [], "cpu": []})
            mine["lags"] += answer["lags"]
            mine["cpu"] += answer["cpu"]
            if len(found) >= self.workers or time.monotonic() > deadline:
                return found

    def stop(self) -> None:
        """Ends the server and everything it started; returns when none of it is left."""
        if self.process is None:
            return
        try:
            os.killpg(self.pgid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(STOP_GRACE)
        except subprocess.TimeoutExpired:
            pass
        deadline = time.monotonic() + STOP_GRACE
        while True:
            left = self.members()
            if not left:
                break
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
        self.process.wait()
        self._log.close()
        self.process = None


def stop_all(servers: Iterable[Server]) -> None:
    """Stops every server; a Ctrl-C meanwhile is held until all are stopped, then raised."""
    caught: list[int] = []
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, lambda *_: caught.append(1)) if main else None
    try:
        for server in servers:
            server.stop()
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt
