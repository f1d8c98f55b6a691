"""ASGI apps whose timing the service tests control (fixtures, not measurements)."""

import asyncio
import time

#: How long the stalling app blocks its event loop, once a second.
STALL = 0.200


async def _answer(send, body=b"{}"):
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


class Stalling:
    """Answers at once, except that the first request of each second blocks the loop for
    :data:`STALL` (``time.sleep`` in an async handler) before answering."""

    def __init__(self):
        self.last = 0.0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        now = time.monotonic()
        if now - self.last >= 1.0:
            self.last = now
            time.sleep(STALL)
        await _answer(send)


async def sleepy(scope, receive, send):
    """Answers every request 10 ms later, without blocking the loop."""
    if scope["type"] != "http":
        return
    await asyncio.sleep(0.010)
    await _answer(send)


stalling = Stalling()
