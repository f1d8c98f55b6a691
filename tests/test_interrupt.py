"""Ctrl-C: every long call in the main thread raises KeyboardInterrupt, on every backend.

Each backend (and each ``release_gil`` choice of typed and c) runs in its own subprocess,
all at once: the child starts a call that would run for minutes or more, the parent sends
SIGINT a moment later and reads back when the child caught KeyboardInterrupt. The test
asserts that every call raised KeyboardInterrupt inside a call sized to run for minutes or
more (a call that does not check for signals runs to the end, or past :data:`WAIT`), not
how fast: a busy machine stretches the reaction. Both sides read CLOCK_MONOTONIC, so
``python tests/test_interrupt.py`` prints the measured reaction times.
"""

from __future__ import annotations

import select
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import fastkern
from helpers import default_ctrl_c

#: Seconds between the call's start and SIGINT, and how long the parent waits for the
#: child's answer (far less than any of these calls takes when it is not interrupted).
DELAY = 0.3
WAIT = 60.0
LONG_KERNELS = ["nbody", "fib", "fannkuch", "mandelbrot", "monte_carlo_pi", "spectral_norm",
                "binary_trees", "matmul"]

_CHILD = r"""
import sys, time
import numpy as np
import fastkern

backend, release = sys.argv[1], sys.argv[2]
options = {} if release == "-" else {"release_gil": release == "1"}
objects = backend in ("python", "compiled")
matrix = np.ones((1000, 1000) if objects else (4000, 4000))
cases = {
    "nbody": ((10**10,), {}),
    "fib": ((92,), {}),
    "fannkuch": ((12,), {}),
    # Two rows of 200,000 pixels, mostly inside the set: minutes per row, so the call must
    # answer within a row, not only between rows.
    "mandelbrot": ((200000, 2), {"max_iter": 65535}),
    "monte_carlo_pi": ((2**62,), {}),
    "spectral_norm": ((8000 if backend == "numpy" else 100000,), {}),
    "binary_trees": ((24,), {}),
    "matmul": ((matrix, matrix), {}),
}
for name in sys.argv[3:]:
    args, kwargs = cases[name]
    function = getattr(fastkern, name)
    print("ready", name, flush=True)
    try:
        function(*args, backend=backend, **kwargs, **options)
    except KeyboardInterrupt:
        print("interrupted", time.monotonic(), flush=True)
    else:
        print("finished", flush=True)
"""


def _variants() -> list[tuple[str, str]]:
    variants = []
    for backend in fastkern.backends():
        releases = ["1", "0"] if backend in ("typed", "c") else ["-"]
        variants += [(backend, release) for release in releases]
    return variants


def _reactions(backend: str, release: str) -> dict[str, float | str]:
    """Seconds from SIGINT to KeyboardInterrupt for each long kernel the backend has."""
    kernels = [k for k in LONG_KERNELS if backend in fastkern.kernel_backends(k)]
    child = subprocess.Popen([sys.executable, "-c", _CHILD, backend, release, *kernels],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=default_ctrl_c)
    reactions: dict[str, float | str] = {}
    try:
        for kernel in kernels:
            line = child.stdout.readline().split()
            assert line == ["ready", kernel], f"{backend}: {line} {child.stderr.read()}"
            time.sleep(DELAY)
            sent = time.monotonic()
            child.send_signal(signal.SIGINT)
            if not select.select([child.stdout], [], [], WAIT)[0]:
                reactions[kernel] = "no reaction"
                break
            reply = child.stdout.readline().split()
            reactions[kernel] = float(reply[1]) - sent if reply[:1] == ["interrupted"] else " ".join(reply)
    finally:
        child.kill()
        child.wait()
    return reactions


def _all_reactions() -> dict[tuple[str, str], dict]:
    """Each variant's reactions, one child at a time: seven children at once on two cores
    stretched numpy's reaction past the bound under load (one BLAS call of an 8000x8000
    spectral_norm, its threads contending with everything else)."""
    return {variant: _reactions(*variant) for variant in _variants()}


@pytest.fixture(scope="module")
def reactions():
    return _all_reactions()


@pytest.mark.parametrize("backend, release", _variants())
def test_sigint_interrupts_every_long_call(reactions, backend, release):
    measured = reactions[(backend, release)]
    assert measured, f"{backend} has no long kernel"
    for kernel, seconds in measured.items():
        assert isinstance(seconds, float), f"{kernel} on {backend}: {seconds}"
        assert seconds >= 0, f"{kernel} on {backend}: the answer came before the signal"


class _Alarm(Exception):
    """Raised by a SIGALRM handler: any Python handler's exception ends the call."""


@pytest.mark.parametrize("backend", ["typed", "c"])
@pytest.mark.parametrize("kernel, args", [
    ("sum", (np.ones(4_000_000),)),
    ("dot", (np.ones(4_000_000), np.ones(4_000_000))),
    ("fnv1a", (bytes(4_000_000),)),
])
def test_a_signal_handler_interrupts_buffer_kernels_between_chunks(backend, kernel, args):
    module = fastkern.implementation(kernel, backend).__module__
    driver = sys.modules[module]

    def alarm(signum, frame):
        raise _Alarm

    old_handler = signal.signal(signal.SIGALRM, alarm)
    old_ops = driver._set_chunk_ops(1)  # a chunk per 16 units: thousands of signal checks
    try:
        with pytest.raises(_Alarm):  # armed inside, so a late alarm still lands in the block
            signal.setitimer(signal.ITIMER_REAL, 0.005)
            for _ in range(1000):  # until the alarm lands inside a call
                getattr(fastkern, kernel)(*args, backend=backend)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        driver._set_chunk_ops(old_ops)


_RSS_CHILD = r"""
import os, signal, sys, threading
import numpy as np
import fastkern

def rss_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024

backend = sys.argv[1]
before = rss_mb()
for call in [lambda: fastkern.binary_trees(22, backend=backend)] * 3 + \
        [lambda: fastkern.matmul(np.ones((2000, 2000)), np.ones((2000, 2000)), backend=backend)] * 2:
    threading.Timer(0.4, os.kill, (os.getpid(), signal.SIGINT)).start()
    try:
        call()
        print("finished")
    except KeyboardInterrupt:
        pass
print(round(rss_mb() - before))
"""


@pytest.mark.parametrize("backend", ["typed", "c"])
def test_an_interrupted_call_frees_its_scratch_memory(backend):
    done = subprocess.run([sys.executable, "-c", _RSS_CHILD, backend], capture_output=True,
                          text=True, timeout=120, preexec_fn=default_ctrl_c)
    assert done.returncode == 0, done.stderr
    assert "finished" not in done.stdout
    # Each interrupted binary_trees(22) had built a stretch tree of a few hundred MB.
    assert int(done.stdout.split()[-1]) < 150, done.stdout


def test_a_call_in_another_thread_runs_on_while_the_main_thread_is_interrupted():
    code = r"""
import os, signal, threading, time
import fastkern
results = []
worker = threading.Thread(target=lambda: results.append(fastkern.fib(33, backend="c")))
worker.start()
try:
    threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGINT)).start()
    time.sleep(30)
except KeyboardInterrupt:
    worker.join()
    print(results)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, preexec_fn=default_ctrl_c)
    assert done.stdout.split() == ["[3524578]"], done.stderr


def main() -> None:
    """Print the reaction table (seconds): kernel x backend x release_gil, one child at a time."""
    measured = _all_reactions()
    header = [f"{b}" + ("" if r == "-" else f" gil {'released' if r == '1' else 'held'}")
              for b, r in measured]
    print("| kernel | " + " | ".join(header) + " |")
    print("|---" * (len(header) + 1) + "|")
    for kernel in LONG_KERNELS:
        cells = [measured[v].get(kernel, "") for v in measured]
        print(f"| {kernel} | " + " | ".join(f"{c:.3f}" if isinstance(c, float) else str(c or "-")
                                           for c in cells) + " |")


if __name__ == "__main__":
    main()
