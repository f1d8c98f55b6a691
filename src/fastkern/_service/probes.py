"""The probes every served app is wrapped in: a victim route, the event loop's lag, and the
CPU time each request's work took, read by the load generator after each scenario.

:class:`Probed` is a plain ASGI wrapper, so it wraps fastkern's own app and a user's app
(``fastkern service --app module:app``) alike. It answers two paths itself:

- :data:`HEALTH`: an ``async def`` handler on the loop, the victim of the user's app
  (fastkern's own app serves ``/health`` through FastAPI as well);
- :data:`PROBE`: the loop lags and work CPU times recorded since the last read, as JSON,
  and starts recording afresh.

The heartbeat is a task that sleeps :data:`TICK` and records how much later than asked it
woke: the loop's lag, what every request waiting for the loop waits too. It starts with
the first request, so it runs in the server's own loop.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any, Awaitable, Callable

HEALTH = "/__fastkern/health"
PROBE = "/__fastkern/probe"
#: The heartbeat's sleep, seconds.
TICK = 0.005

Scope = dict
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


class Recorder:
    """Loop lags and per-request work CPU seconds since the last :meth:`read`."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self.cpu: list[float] = []
        self._beat: asyncio.Task | None = None

    def work(self, cpu_seconds: float) -> None:
        self.cpu.append(cpu_seconds)

    def start(self) -> None:
        if self._beat is None:
            self._beat = asyncio.get_running_loop().create_task(self._heartbeat())

    async def _heartbeat(self) -> None:
        while True:
            asked = time.perf_counter()
            await asyncio.sleep(TICK)
            self.lags.append(max(time.perf_counter() - asked - TICK, 0.0))

    def read(self) -> dict[str, Any]:
        found = {"pid": os.getpid(), "lags": self.lags, "cpu": self.cpu}
        self.lags, self.cpu = [], []
        return found


#: The recorder of this server process (one per worker process).
RECORDER = Recorder()


async def _answer(send: Send, body: bytes) -> None:
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


class Probed:
    """``app`` with the probe routes and the heartbeat."""

    def __init__(self, app: Callable, recorder: Recorder = RECORDER) -> None:
        self.app, self.recorder = app, recorder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.recorder.start()
            if scope["path"] == HEALTH:
                return await _answer(send, b'{"ok":true}')
            if scope["path"] == PROBE:
                return await _answer(send, json.dumps(self.recorder.read()).encode())
        await self.app(scope, receive, send)
