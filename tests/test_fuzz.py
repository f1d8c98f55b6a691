"""Fuzzing with hostile objects: no crash, no hang, only the contract's exceptions.

Every public kernel and every raw callable (``fastkern.implementation``) is called with
hypothesis-drawn hostile arguments: lying ``__index__``/``__len__``, huge and negative
sizes, NaN and infinities, released, misaligned, strided and read-only buffers of every
dtype and up to three dimensions. It runs in a child process (a crash kills the child,
not pytest) under a 3 GiB address-space limit (AddressSanitizer's max_allocation_size_mb
where that is preloaded), for a
bounded time; a call still running after ``ALARM`` seconds is interrupted by SIGALRM,
which must end it promptly (within ``LATE`` seconds of CPU time). The alarm repeats until the call has ended: a signal handler
that happens to run inside a finalizer (a generator closed by the garbage collector) has
its exception swallowed as "unraisable", and a one-shot alarm lost that way left a raw
``python`` mandelbrot of 2**31 rows running until the test's own timeout. Public calls may raise only TypeError or ValueError (and
MemoryError, or the hostile object's own exception); raw callables may raise any ordinary
exception, never crash.
``FASTKERN_FUZZ_SECONDS`` sets the budget (default 20).
"""

from __future__ import annotations

import array
import gc
import inspect
import math
import os
import resource
import signal
import subprocess
import sys
import time

import numpy as np

SECONDS = float(os.environ.get("FASTKERN_FUZZ_SECONDS", "20"))
ALARM = 0.2
#: CPU seconds a call may go on for after its alarm (unwinding a deep python tree frees
#: millions of objects first).
LATE = 5.0


def test_hostile_calls_never_crash_hang_or_break_the_contract():
    sanitized = "asan" in os.environ.get("LD_PRELOAD", "")

    def limit():
        if not sanitized:
            resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    try:
        done = subprocess.run([sys.executable, __file__], capture_output=True, text=True,
                              preexec_fn=limit, timeout=SECONDS + 120)
    except subprocess.TimeoutExpired as hung:
        said = (hung.stdout or b"").decode()[-2000:] + "\n" + (hung.stderr or b"").decode()[-2000:]
        raise AssertionError(f"hung after: {said}") from None
    tail = "\n".join(done.stdout.splitlines()[-5:]) + "\n" + done.stderr[-3000:]
    assert done.returncode == 0, f"child ended with {done.returncode}; last calls:\n{tail}"
    assert "calls:" in done.stdout, tail


class _Timeout(Exception):
    """Raised by the SIGALRM handler in a call that runs too long."""


class LyingIndex:
    """An integer that says one thing to __index__ and another to everything else."""

    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value

    def __int__(self):
        return 3

    def __repr__(self):
        return f"LyingIndex({self.value!r})"


class _UserError(Exception):
    """Raised by a hostile object's own method: it propagates, as Python's own calls do."""


class RaisingIndex:
    def __index__(self):
        raise _UserError("__index__ refuses")


class LyingSequence:
    """A sequence whose __len__ lies about what __getitem__ gives."""

    def __init__(self, length, item):
        self.length, self.item = length, item

    def __len__(self):
        return self.length

    def __getitem__(self, i):
        if isinstance(i, int) and i >= 3:
            raise IndexError(i)
        return self.item

    def __repr__(self):
        return f"LyingSequence({self.length!r}, {self.item!r})"


def _strategies():
    from hypothesis import strategies as st

    huge = st.sampled_from([2**31 - 1, 2**31, 2**62, 2**63 - 1, 2**63, 2**64, 2**64 + 1,
                            -1, -2**63, -2**64, sys.maxsize, (2**64 + 2) // 3])
    floats = st.sampled_from([math.nan, math.inf, -math.inf, 0.5, -0.0, 1e308, 5.0])
    dtypes = st.sampled_from(["?", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2",
                              "f4", "f8", ">f8", "c8", "c16", "M8[s]", "m8[ms]", "O", "U3",
                              "S3", "V8"])

    @st.composite
    def arrays(draw):
        shape = tuple(draw(st.lists(st.integers(0, 4), max_size=3)))
        dtype = np.dtype(draw(dtypes))
        array_ = np.zeros(shape, dtype=dtype)
        if dtype.kind == "f":
            array_[...] = draw(st.sampled_from([0.0, 1.0, math.nan, math.inf]))
        if array_.ndim and draw(st.booleans()):
            array_ = array_[..., ::-1] if draw(st.booleans()) else array_[..., ::2]
        if draw(st.booleans()):
            array_.flags.writeable = False
        return array_

    @st.composite
    def odd_buffers(draw):
        count = draw(st.integers(0, 12))
        kind = draw(st.sampled_from(["misaligned", "released", "array", "bytes", "matrix"]))
        if kind == "misaligned":
            return np.frombuffer(bytearray(8 * count + 1), dtype=np.float64, offset=1, count=count)
        if kind == "matrix":
            data = bytearray(8 * count * count + 1)
            return np.frombuffer(data, dtype=np.float64, offset=1).reshape(count, count) if count else \
                np.zeros((0, 0))
        if kind == "released":
            view = memoryview(np.ones(count))
            view.release()
            return view
        if kind == "array":
            return array.array(draw(st.sampled_from("bBhHiIlLqQfd")), [1] * count)
        return draw(st.sampled_from([bytes(count), bytearray(count), memoryview(bytes(count))]))

    scalars = st.one_of(st.integers(-3, 40), huge, floats, st.booleans(), st.none(),
                        st.sampled_from(["3", b"3", 3j, [], (), {}, object()]),
                        st.builds(LyingIndex, st.one_of(huge, st.integers(-3, 40), st.just("3"),
                                                        st.just(2.5))),
                        st.builds(RaisingIndex))
    sequences = st.one_of(
        st.lists(st.one_of(st.floats(), st.integers(-2**70, 2**70)), max_size=5),
        st.lists(st.lists(st.floats(allow_nan=True), max_size=3), max_size=3),
        st.builds(LyingSequence, st.one_of(st.integers(-3, 10), huge),
                  st.sampled_from([1.0, "x", None, [1.0], math.nan])))
    return st.one_of(scalars, sequences, arrays(), odd_buffers())


#: True while a fuzzed call runs: the SIGALRM handler raises only then.
_armed = False


#: The largest loop count a public call accepts (mandelbrot's max_iter).
LARGEST_PUBLIC_COUNT = 65535


def _count(value) -> int:
    """The integer ``value`` stands for as a loop count, or 0 if none."""
    if isinstance(value, LyingIndex):
        value = value.value
    return value if isinstance(value, int) else 0


def _alarm(signum, frame):
    if _armed:
        raise _Timeout


def _call(function, args, kwargs, allowed, log):
    print(log, flush=True)
    # Without hypothesis's garbage-collector callback while the call runs: an alarm handled
    # inside a gc callback has its exception swallowed ("Exception ignored"), and an
    # allocating call runs the collector so often that every repeat of the alarm landed
    # there (compiled binary_trees(24) ran on for minutes under load).
    callbacks, gc.callbacks[:] = gc.callbacks[:], []
    try:
        _interrupted_call(function, args, kwargs, allowed, log)
    finally:
        gc.callbacks[:] = callbacks


def _interrupted_call(function, args, kwargs, allowed, log):
    global _armed
    started = time.process_time()
    _armed = True
    signal.setitimer(signal.ITIMER_REAL, ALARM, ALARM)
    try:
        try:
            function(*args, **kwargs)
        finally:
            # A repeat that fires before this line raises _Timeout here, caught below.
            _armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Timeout:
        # CPU time, which load does not stretch: at most ALARM of it before the alarm.
        spent = time.process_time() - started
        assert spent < ALARM + LATE, f"{log}: interrupted after {spent:.2f} s of CPU time"
    except allowed:
        pass


def main() -> None:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    import fastkern
    from fastkern._boundary import OBJECTS
    from fastkern._dispatch import GIL_RELEASING
    from fastkern._kernels import KERNELS
    from fastkern._rungs import BUILT_IN, BY_NAME

    #: The rungs built from _python.py by Cython (compiled and the steps inside typing &
    #: boxing): their raw callables check nothing, as the compiled one does.
    from_source = {name for name in BUILT_IN if name != "python" and BY_NAME[name].form is OBJECTS}

    signal.signal(signal.SIGALRM, _alarm)
    hostile = _strategies()
    kernels = fastkern.kernels()
    deadline = time.monotonic() + SECONDS
    calls = [0]
    public_errors = (TypeError, ValueError, MemoryError, _UserError)
    # Raw callables check only what their C types enforce: any ordinary exception is fair,
    # but not SystemError (a C-API misuse) and of course no crash.
    raw_errors = (ArithmeticError, LookupError, TypeError, ValueError, MemoryError,
                  RecursionError, AttributeError, RuntimeError, _UserError)

    # No explain phase: it replays a failure under sys.settrace, which slows Python code
    # tenfold and so turns any alarm into a late one.
    @settings(max_examples=200, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck),
              phases=[Phase.explicit, Phase.generate, Phase.shrink])
    @given(kernel=st.sampled_from(kernels), raw=st.booleans(),
           hostile_args=st.lists(hostile, min_size=4, max_size=4),
           replace=st.lists(st.booleans(), min_size=4, max_size=4), arity=st.integers(-1, 1),
           option=st.one_of(st.none(), hostile), release=st.sampled_from([None, True, False, 1]),
           backend=st.sampled_from(fastkern.backends() + ["", None, "C"]))
    def fuzz(kernel, raw, hostile_args, replace, arity, option, release, backend):
        """A valid call with some arguments swapped for hostile ones (and maybe one too many
        or too few), so that every argument position meets every kind of hostility."""
        if time.monotonic() > deadline:
            return
        calls[0] += 1
        valid = list(KERNELS[kernel].sample(3))
        if raw:
            if backend not in fastkern.kernel_backends(kernel):
                return
            valid = list(fastkern._dispatch.prepare(kernel, backend, *valid))
        args = [h if r else v for v, h, r in zip(valid, hostile_args, replace)]
        args = args[:-1] if arity < 0 else args + hostile_args[len(args):len(args) + arity]
        if raw:
            if backend in from_source and any(_count(a) > LARGEST_PUBLIC_COUNT for a in args):
                # A raw compiled rung checks nothing and handles signals only at its
                # interrupt points, placed for public sizes: a max_iter of 2**31 is one
                # pixel of minutes without one. Asked of it, it would only time out here.
                return
            function = fastkern.implementation(kernel, backend)
            extra = [] if release is None or backend not in GIL_RELEASING else [release]
            errors = raw_errors
            if (backend == "python" or backend in from_source) and \
                    any(isinstance(a, memoryview) for a in args):
                # CPython 3.11's zip() over a released memoryview raises SystemError (a
                # CPython bug, reproducible without fastkern); these rungs iterate as given.
                errors += (SystemError,)
            _call(function, [*args, *extra], {}, errors,
                  f"raw {kernel} {backend} {args!r:.300} {extra}")
        else:
            kwargs = {"backend": backend}
            if release is not None:
                kwargs["release_gil"] = release
            options = [p for p in inspect.signature(getattr(fastkern, kernel)).parameters.values()
                       if p.kind is p.KEYWORD_ONLY and p.name not in kwargs and p.default is not None]
            if options and option is not None:
                kwargs[options[0].name] = option
            _call(getattr(fastkern, kernel), args, kwargs, public_errors,
                  f"public {kernel} {args!r:.300} {kwargs}")

    while time.monotonic() < deadline:
        fuzz()
    print(f"calls: {calls[0]}", flush=True)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(__file__))
    main()
