"""The ladder timed in a fresh interpreter: a new process, its own heap and inputs.

A process carries luck of its own that no later pass inside it can see: compiled
sum(1,000,000) read 6.88 and 6.80 ms in the two passes of one idle run here, and 7.43 and
7.64 ms in both passes of the next, the machine's speed probe level in both. The inputs'
place in memory and the interpreter's own layout are fixed for a process's life. So the
ladder's second pass (see :mod:`.passes`) runs in a new interpreter, started as
``python -m fastkern._anatomy.fresh``, and each rung pools two processes' samples.

The child reads one request as JSON on stdin (the kernel, size, backends, settings and the
parent's ``sys.path``) and writes the timings as JSON on stdout. It times by thread CPU
time with the speed probe, as the parent's default timer does.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from typing import Sequence

from .report import Timing
from .settings import Settings

#: Seconds a child may take before it is stopped and the pass runs in this process.
TIMEOUT = 300.0


class FreshError(RuntimeError):
    """The fresh interpreter did not start, failed, or answered with something unreadable."""


def measure(kernel: str, size: int, backends: Sequence[str], settings: Settings,
            executable: str = sys.executable,
            timeout: float = TIMEOUT) -> tuple[dict[str, Timing], float]:
    """The ladder of ``kernel`` at ``size`` timed in a new interpreter (``executable``), and
    the CPU seconds that process used; :class:`FreshError` where it could not be."""
    request = json.dumps({"kernel": kernel, "size": size, "backends": list(backends),
                          "settings": dataclasses.asdict(settings), "path": sys.path})
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    try:
        done = subprocess.run([executable, "-m", __name__], input=request, env=env,
                              capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError) as error:
        raise FreshError(f"{type(error).__name__}: {error}") from None
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        raise FreshError(last[0])
    try:
        answer = json.loads(done.stdout)
        timings = {backend: _timing(answer["timings"][backend]) for backend in backends}
        return timings, float(answer["cpu"])
    except (ValueError, KeyError, TypeError) as error:
        raise FreshError(f"unreadable answer: {type(error).__name__}: {error}") from None


def _timing(value: dict) -> Timing:
    fields = {field.name for field in dataclasses.fields(Timing)}
    found = {key: tuple(item) if isinstance(item, list) else item
             for key, item in value.items() if key in fields}
    return Timing(**found)


def main() -> None:
    """The child: one request on stdin, its timings on stdout."""
    request = json.load(sys.stdin)
    sys.path[:] = request["path"]
    from . import ladder, steady
    from .timing import THREAD_CPU, Timer

    settings = Settings(**request["settings"])
    timer = Timer(settings, THREAD_CPU, speed=steady.probe(THREAD_CPU, settings.speed_loops))
    timings = ladder.measure(request["kernel"], request["size"], request["backends"], timer)
    found = {backend: dataclasses.asdict(timing) for backend, timing in timings.items()}
    json.dump({"timings": found, "cpu": time.process_time()}, sys.stdout)


if __name__ == "__main__":
    main()
