"""The open-loop load generator: constant-rate streams, one per endpoint, every request timed
from the moment it was *meant* to be sent.

A closed-loop client waits for an answer before it sends again, so a stalled server
slows it down and the requests it would have sent during the stall are never sent, never
timed (coordinated omission). Here request ``i`` of a stream at ``rate`` is meant to go
at ``start + i / rate`` whatever happened to the others, and its latency is its answer's
time minus that moment: a stall shows in every request it delayed. The generator times
its own lateness too (send lag: when a request went out minus when it was meant to) and
its own CPU, and marks a window where it fell behind (:data:`BEHIND`), where its figures
under-count.

The client is aiohttp (one ``ClientSession``, HTTP/1.1 keep-alive, no connection limit):
a maintained library that costs the generator less CPU per request than httpx (see
docs/service.md), which leaves more of the machine to the server it measures.
A request not answered by the end of the window plus :data:`GRACE` is cancelled and
counted as unanswered, with the time it waited as its latency (a lower bound).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Sequence

from .model import Generator, Latencies

#: A window's send lag at its 99th percentile above which the generator fell behind.
BEHIND = 0.010
#: Seconds past the window's end that requests still in flight are waited for.
GRACE = 1.0


@dataclass(frozen=True)
class Stream:
    """Requests to ``url`` at ``rate`` per second for the whole window."""

    name: str
    url: str
    rate: float


@dataclass(frozen=True)
class Outcome:
    late: float
    """Seconds it was sent after it was meant to be."""
    latency: float
    """Seconds from when it was meant to be sent to its answer (or to giving up)."""
    status: str
    """"ok", "error" (an HTTP error status or a failed connection) or "unanswered"."""


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of sorted values (0 for none)."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, int(fraction * len(ordered) + 0.999999) - 1))]


def latencies(outcomes: Sequence[Outcome], planned: int, seconds: float) -> Latencies:
    """A stream's figures: the latency percentiles count every request sent, unanswered
    ones at the time they waited."""
    ordered = sorted(o.latency for o in outcomes)
    answered = sum(o.status == "ok" for o in outcomes)
    return Latencies(planned=planned, sent=len(outcomes), answered=answered,
                     errors=sum(o.status == "error" for o in outcomes),
                     unanswered=sum(o.status == "unanswered" for o in outcomes),
                     p50=percentile(ordered, 0.5), p99=percentile(ordered, 0.99),
                     max=ordered[-1] if ordered else 0.0, achieved=answered / seconds)


async def _one(client, url: str, meant: float, clock) -> Outcome:
    late = clock() - meant
    try:
        async with client.get(url) as answer:
            await answer.read()
            status = "ok" if answer.status == 200 else "error"
    except asyncio.CancelledError:
        return Outcome(late, clock() - meant, "unanswered")
    except Exception:  # any failure of the connection or the protocol is an error answer
        status = "error"
    return Outcome(late, clock() - meant, status)


async def _stream(client, stream: Stream, start: float, seconds: float, clock,
                  tasks: list) -> int:
    """Sends the stream's requests on time (or as soon after as it can); how many were planned."""
    planned = max(1, round(stream.rate * seconds))
    for index in range(planned):
        meant = start + index / stream.rate
        if clock() > start + seconds + GRACE:
            break
        wait = meant - clock()
        if wait > 0:
            await asyncio.sleep(wait)
        tasks.append(asyncio.ensure_future(_one(client, stream.url, meant, clock)))
    return planned


async def _window(streams: Sequence[Stream], seconds: float) -> tuple[dict, float]:
    """Each stream's (planned, outcomes) and the wall seconds it all took."""
    import aiohttp

    clock = time.perf_counter
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(None)) as client:
        start = clock() + 0.01
        tasks: dict[str, list] = {s.name: [] for s in streams}
        # each stream starts half its interval in, so streams of equal rates do not send together
        planned = await asyncio.gather(*(
            _stream(client, s, start + 0.5 / s.rate, seconds, clock, tasks[s.name]) for s in streams))
        every = [task for found in tasks.values() for task in found]
        if every:
            await asyncio.wait(every, timeout=max(start + seconds + GRACE - clock(), 0.0))
        for task in every:
            task.cancel()
        await asyncio.gather(*every, return_exceptions=True)
        ended = clock()
    found = {s.name: (count, [t.result() for t in tasks[s.name] if not t.cancelled()])
             for s, count in zip(streams, planned)}
    return found, ended - start


def send(streams: Sequence[Stream], seconds: float) -> dict[str, tuple[int, list[Outcome]]]:
    """Sends ``streams`` for ``seconds``: per stream, the requests planned and each one's
    outcome."""
    return asyncio.run(_window(streams, seconds))[0]


def run(streams: Sequence[Stream], seconds: float) -> tuple[dict[str, Latencies], Generator]:
    """Sends ``streams`` for ``seconds``: each stream's figures, and the generator's own."""
    cpu, wall = time.process_time(), time.perf_counter()
    found = send(streams, seconds)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    figures = {name: latencies(outcomes, planned, seconds)
               for name, (planned, outcomes) in found.items()}
    lates = sorted(o.late for _, outcomes in found.values() for o in outcomes)
    unsent = sum(planned - len(outcomes) for planned, outcomes in found.values())
    lag = percentile(lates, 0.99)
    behind = lag > BEHIND or unsent > 0
    return figures, Generator(send_lag_p99=lag, send_lag_max=lates[-1] if lates else 0.0,
                              cpu=cpu / wall if wall > 0 else 0.0, behind=behind)
