"""The anatomy's arithmetic, driven by a fake clock and checked exactly."""

import threading

import fastkern

import pytest

from fastkern._anatomy import gil, ladder, stall
from fastkern._anatomy.fit import fit_line
from fastkern._anatomy.report import NOISY, UNSTABLE, Timing, stability, worst
from fastkern._anatomy.settings import Settings
from fastkern._anatomy.timing import Timer, quartiles, summarize

#: Powers of two, so that sums and products of them are exact in binary floating point.
TICK = 2.0 ** -10


class FakeClock:
    """A clock that moves only when told to; safe to advance from several threads."""

    def __init__(self):
        self.now = 0.0
        self.reads = 0
        self._lock = threading.Lock()

    def __call__(self):
        self.reads += 1
        return self.now

    def advance(self, seconds):
        with self._lock:
            self.now += seconds


def settings(**overrides):
    return Settings(**{"min_time": 16 * TICK, "samples": 5, "warmup": 1, **overrides})


def timing(median, iqr=0.0):
    return Timing((median,), 1, median, iqr)


def test_quartiles_and_spread_are_exact():
    result = summarize([5.0, 1.0, 4.0, 2.0, 3.0], loops=7)
    assert quartiles([1.0, 2.0, 3.0, 4.0, 5.0]) == (2.0, 3.0, 4.0)
    assert (result.median, result.iqr, result.loops) == (3.0, 2.0, 7)
    assert result.samples == (5.0, 1.0, 4.0, 2.0, 3.0)
    assert result.spread == 2.0 / 3.0


def test_stability_thresholds():
    assert stability(NOISY) == "stable"
    assert stability(NOISY * 1.01) == "noisy"
    assert stability(UNSTABLE) == "noisy"
    assert stability(UNSTABLE * 1.01) == "unstable"
    assert worst("stable", "unstable", "noisy") == "unstable"
    assert worst() == "stable"
    assert Timing((1.0, 1.25), 1, 1.0, 0.25).stability == "unstable"
    assert Timing((0.0,), 1, 0.0, 0.0).spread == 0.0


def test_timer_auto_ranges_to_the_minimum_duration():
    clock = FakeClock()
    timer = Timer(settings(), clock)
    result = timer.time(lambda: clock.advance(TICK))
    assert result.loops == 16
    assert result.samples == (TICK,) * 5
    assert (result.median, result.iqr) == (TICK, 0.0)


def test_timer_takes_one_call_per_sample_when_a_call_is_long_enough():
    clock = FakeClock()
    costs = iter([32 * TICK, 32 * TICK] + [TICK * k for k in (20, 24, 28, 32, 36)])
    result = Timer(settings(), clock).time(lambda: clock.advance(next(costs)))
    assert result.loops == 1
    assert result.median == 28 * TICK
    assert result.iqr == 8 * TICK
    assert result.stability == "unstable"


def test_timer_copes_with_a_clock_that_does_not_move():
    clock = FakeClock()
    calls = []

    def call():
        calls.append(1)
        if len(calls) > 100:
            clock.advance(TICK * 16)

    assert Timer(settings(samples=1), clock).time(call).loops >= 10


def test_interleaved_samples_alternate():
    clock = FakeClock()
    order = []
    timer = Timer(settings(samples=3, min_time=TICK, warmup=0), clock)

    def call(name, cost):
        def run():
            order.append(name)
            clock.advance(cost)
        return run

    result = timer.time_all({"a": call("a", TICK), "b": call("b", 2 * TICK)})
    assert order[-6:] == ["a", "b"] * 3
    assert (result["a"].median, result["b"].median) == (TICK, 2 * TICK)


def test_fit_recovers_a_line_exactly():
    work = [1, 3, 5, 7]
    fixed, per_unit = 2.0 ** -20, 2.0 ** -26
    seconds = [fixed + per_unit * w for w in work]
    unweighted = fit_line(work, seconds, weights=[1.0] * len(work))
    assert (unweighted.intercept, unweighted.slope, unweighted.r2) == (fixed, per_unit, 1.0)
    weighted = fit_line(work, seconds)
    assert weighted.intercept == pytest.approx(fixed, rel=1e-12)
    assert weighted.slope == pytest.approx(per_unit, rel=1e-12)
    assert weighted.r2 == pytest.approx(1.0, rel=1e-12)


def test_fit_needs_two_amounts_of_work():
    with pytest.raises(ValueError):
        fit_line([5, 5], [1.0, 1.0])


def test_decomposition_splits_python_time_by_rung():
    times = {"python": timing(8.0), "compiled": timing(5.0), "typed": timing(2.0),
             "c": timing(1.0, iqr=0.5), "numpy": timing(0.5)}
    parts = ladder.decompose(times)
    assert [p.name for p in parts] == ["interpreter and generic dispatch",
                                       "dynamic typing & boxing", "C headroom",
                                       "remainder (c itself)"]
    assert [p.seconds for p in parts] == [3.0, 3.0, 1.0, 1.0]
    assert [p.share for p in parts] == [0.375, 0.375, 0.125, 0.125]
    assert sum(p.share for p in parts) == 1.0
    assert [p.stability for p in parts] == ["stable", "stable", "unstable", "unstable"]
    assert [r.speedup for r in ladder.rungs(times)] == [1.0, 1.6, 4.0, 8.0, 16.0]


def test_decomposition_merges_the_steps_around_a_missing_rung():
    parts = ladder.decompose({"python": timing(4.0), "typed": timing(1.0)})
    assert [(p.name, p.share) for p in parts] == [
        ("interpreter and generic dispatch + dynamic typing & boxing", 0.75),
        ("remainder (typed itself)", 0.25)]
    assert ladder.decompose({"c": timing(1.0)}) == ()


def test_scaling_efficiency_is_relative_to_t_times_one_thread():
    efficiency = gil.efficiency([1, 2, 4], [12, 12, 12], [1.0, 0.5, 1.0], one_thread=1.0 / 12)
    assert efficiency == (1.0, 1.0, 0.25)
    assert gil.share(10, 4) == 3
    assert gil.share(1, 4) == 1


def test_serialised_threads_scale_as_one_over_t():
    """Every call advances one shared clock: threads that take turns, as under the GIL."""
    clock = FakeClock()
    timer = Timer(settings(samples=3), clock)

    def batch(threads, calls):
        started = threading.Event()  # without a GIL, workers could otherwise run before the start

        def start_clock():
            started.set()
            return clock()

        return gil.threaded_batch(lambda: (started.wait(), clock.advance(TICK)), threads, calls,
                                  start_clock)

    result = gil.scaling("python", None, (1, 2, 4), 8, batch, timer)
    assert result.calls == (8, 8, 8)
    assert [w.median for w in result.walls] == [8 * TICK] * 3
    assert result.efficiency == (1.0, 0.5, 0.25)


def test_scaling_against_a_separate_reference():
    clock = FakeClock()
    timer = Timer(settings(samples=1), clock)

    def parallel(workers, calls):
        clock.advance(calls * TICK)
        return calls * TICK

    def reference(workers, calls):
        clock.advance(2 * calls * TICK)
        return 2 * calls * TICK

    result = gil.scaling("python", None, (1, 2), 6, parallel, timer, reference)
    assert result.efficiency == (2.0, 2.0)
    assert result.calls == (6, 6)


def test_stall_statistics():
    lags = [i / 1000 for i in range(1, 101)]
    result = stall.stall("c", False, 3, lags)
    assert (result.worst, result.p99, result.ticks, result.calls) == (0.1, 0.099, 100, 3)
    assert result.median == pytest.approx(0.0505)
    assert result.label == "c (GIL held)"
    assert stall.stall(None, None, 0, []).label == "idle loop"


def test_a_share_that_rounds_to_zero_prints_without_a_sign():
    from fastkern._anatomy import formatting

    assert formatting.share(-0.001) == "0%"
    assert formatting.share(-0.02) == "-2%"
    assert formatting.share(0.625) == "62%"


def test_gil_calls_are_lengthened_to_the_minimum_where_the_kernel_allows():
    args, size, seconds = gil.long_args("nbody", "c", 100, per_call=1e-4, min_call=1e-3)
    assert size == 1000 and seconds == pytest.approx(1e-3)
    assert fastkern.implementation("nbody", "c")(*args) == fastkern.nbody(1000, backend="c")
    args, size, seconds = gil.long_args("nbody", "c", 100, per_call=1e-3, min_call=1e-3)
    assert args == (100,) and size is None and seconds == 1e-3
    args, size, seconds = gil.long_args("fib", "c", 90, per_call=1e-6, min_call=1.0)
    assert args == (90,) and size is None and seconds == 1e-6, "fib above 92 is refused"
