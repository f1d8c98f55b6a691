"""What the load generator's HTTP client costs: CPU seconds per request of httpx and of
aiohttp, each sending the same open-loop stream to the same server's /health.

    python benchmarks/service_client_cost.py [--requests 400] [--rate 200] [--repeat 2]

Needs ``fastkern[service]`` and httpx. The generator uses the cheaper client, so that it
takes less of the machine from the server it measures (docs/service.md).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from fastkern._service.probes import HEALTH
from fastkern._service.server import Server


async def _open_loop(get, count: int, rate: float) -> None:
    started, tasks = time.perf_counter(), []
    for index in range(count):
        wait = started + index / rate - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        tasks.append(asyncio.ensure_future(get()))
    await asyncio.gather(*tasks)


async def with_httpx(url: str, count: int, rate: float) -> None:
    import httpx

    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    async with httpx.AsyncClient(limits=limits, timeout=None) as client:
        await _open_loop(lambda: client.get(url), count, rate)


async def with_aiohttp(url: str, count: int, rate: float) -> None:
    import aiohttp

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as client:
        async def get():
            async with client.get(url) as answer:
                await answer.read()

        await _open_loop(get, count, rate)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    with Server({}) as server:
        for _ in range(args.repeat):
            for name, send in (("httpx", with_httpx), ("aiohttp", with_aiohttp)):
                cpu = time.process_time()
                asyncio.run(send(server.url + HEALTH, args.requests, args.rate))
                cpu = time.process_time() - cpu
                print(f"{name:<8} {cpu / args.requests * 1e6:6.0f} µs CPU per request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
