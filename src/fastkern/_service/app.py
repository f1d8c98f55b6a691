"""The served app: ``uvicorn --factory fastkern._service.app:create`` builds it from the
JSON configuration in the environment variable :data:`CONFIG` (set by :mod:`.server`).

For each kernel and rung, the same work (:func:`.work.call`) behind four routes, under
``/work/{kernel}/{rung}/``:

- ``async``: an ``async def`` handler that runs it on the event loop;
- ``def``: a ``def`` handler, which FastAPI runs in AnyIO's thread pool; typed and c
  release the GIL there;
- ``def-held``: the same with the GIL held (typed and c only);
- ``pool``: an ``async def`` handler that hands it to a process pool (forkserver, started
  before the server takes requests and shut down with the app).

``/health`` is the victim: an ``async def`` handler with no work. The configuration's
``tokens`` sets the thread pool's size (AnyIO's default limiter, 40 tokens unless set).
With ``app`` set instead, the user's ASGI app is served. Either way it is wrapped in
:class:`.probes.Probed`.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Optional

from .._rungs import GIL_RELEASING
from . import work
from .probes import RECORDER, Probed
from .work import call

CONFIG = "FASTKERN_SERVICE_CONFIG"


def route(kernel: str, rung: str, mode: str) -> str:
    return f"/work/{kernel}/{rung}/{mode}"


def _user_app(path: str) -> Callable:
    module_name, _, attribute = path.partition(":")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    return getattr(importlib.import_module(module_name), attribute)


def _lifespan(tokens: Optional[int], pool_size: int, state: dict[str, Any]):
    @contextlib.asynccontextmanager
    async def lifespan(app):
        if tokens:
            import anyio.to_thread

            anyio.to_thread.current_default_thread_limiter().total_tokens = tokens
        if pool_size:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([work.__name__])
            pool = ProcessPoolExecutor(pool_size, mp_context=context)
            loop = asyncio.get_running_loop()
            await asyncio.gather(*(loop.run_in_executor(pool, work.ready) for _ in range(pool_size)))
            state["pool"] = pool
        try:
            yield
        finally:
            if "pool" in state:
                state.pop("pool").shutdown(wait=False, cancel_futures=True)
    return lifespan


def _add_routes(app, kernel: str, rung: str, size: int, state: dict[str, Any]) -> None:
    releasing = rung in GIL_RELEASING
    release = True if releasing else None

    @app.get(route(kernel, rung, "async"))
    async def on_the_loop() -> dict:
        RECORDER.work(call(kernel, rung, size, release))
        return {}

    @app.get(route(kernel, rung, "def"))
    def in_a_thread() -> dict:
        RECORDER.work(call(kernel, rung, size, release))
        return {}

    if releasing:
        @app.get(route(kernel, rung, "def-held"))
        def in_a_thread_holding_the_gil() -> dict:
            RECORDER.work(call(kernel, rung, size, False))
            return {}

    @app.get(route(kernel, rung, "pool"))
    async def in_a_process() -> dict:
        if "pool" not in state:
            from fastapi import HTTPException

            raise HTTPException(503, "this server has no process pool")
        loop = asyncio.get_running_loop()
        RECORDER.work(await loop.run_in_executor(state["pool"], call, kernel, rung, size, release))
        return {}


def build(config: dict[str, Any]) -> Callable:
    """The app a configuration describes, wrapped in the probes."""
    if config.get("app"):
        return Probed(_user_app(config["app"]))
    from fastapi import FastAPI

    state: dict[str, Any] = {}
    app = FastAPI(lifespan=_lifespan(config.get("tokens"), config.get("pool", 0), state))

    @app.get("/health")
    async def health() -> dict:
        return {"ok": True}

    for kernel, size in config.get("kernels", {}).items():
        for rung in config.get("rungs", ()):
            _add_routes(app, kernel, rung, size, state)
    return Probed(app)


def create() -> Callable:
    """uvicorn's factory: the app of :data:`CONFIG`."""
    return build(json.loads(os.environ[CONFIG]))
