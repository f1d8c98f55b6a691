"""The anatomy's arithmetic, driven by a fake clock and checked exactly."""

import statistics
import threading

import fastkern

import pytest

import dataclasses

from fastkern._anatomy import derive, gil, ladder, stall
from fastkern._anatomy.fit import fit_line
from fastkern._anatomy.report import (CPU, NOISY, UNSTABLE, WALL, CallCost, DispatchCost,
                                      GarbageCollection, KernelReport, Scaling, Timing, stability)
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


def kernel_with(times):
    """A kernel report holding only a ladder of the given timings."""
    return KernelReport("sum", 8, "element", 8, ladder.rungs(times), (), (), None, ())


def test_decomposition_splits_python_time_by_rung():
    times = {"python": timing(8.0), "compiled": timing(5.0), "typed": timing(2.0),
             "c": timing(1.0), "numpy": timing(0.5)}
    parts = derive.parts(kernel_with(times))
    assert [p.name for p in parts] == ["interpreter and generic dispatch",
                                       "dynamic typing & boxing", "C headroom",
                                       "remainder (c itself)"]
    assert [p.seconds.value for p in parts] == [3.0, 3.0, 1.0, 1.0]
    assert [p.share.value for p in parts] == [0.375, 0.375, 0.125, 0.125]
    assert all(p.share.resolved for p in parts)
    assert [derive.speedup(kernel_with(times), b).value for b in times] == [1.0, 1.6, 4.0, 8.0, 16.0]


def test_decomposition_merges_the_steps_around_a_missing_rung():
    parts = derive.parts(kernel_with({"python": timing(4.0), "typed": timing(1.0)}))
    assert [(p.name, p.share.value) for p in parts] == [
        ("interpreter and generic dispatch + dynamic typing & boxing", 0.75),
        ("remainder (typed itself)", 0.25)]
    assert derive.parts(kernel_with({"c": timing(1.0)})) == ()


def rounds_of(*values):
    """A timing whose samples are ``values``, one per round."""
    return summarize(list(values))


def test_derived_figures_are_computed_round_by_round_with_quartile_intervals():
    python = rounds_of(8.0, 8.0, 8.0, 8.0, 8.0)
    compiled = rounds_of(4.0, 5.0, 6.0, 7.0, 2.0)
    found = derive.per_round(lambda p, c: (p - c) / p, python, compiled)
    assert (found.low, found.value, found.high) == (0.25, 0.375, 0.5)
    assert found.resolved


def test_a_share_is_resolved_only_if_its_interval_fits_in_0_to_100_percent():
    inverted = derive.parts(kernel_with({"python": rounds_of(4.0, 4.0, 4.0),
                                         "compiled": rounds_of(5.0, 6.0, 5.5)}))
    assert inverted[0].share.reason == derive.INVERTED
    assert inverted[1].share.reason == derive.ABOVE_FULL
    noisy = derive.parts(kernel_with({"python": rounds_of(4.0, 4.0, 4.0, 4.0, 4.0),
                                      "compiled": rounds_of(3.0, 3.5, 4.5, 5.0, 3.9)}))
    assert noisy[0].share.reason == derive.NEAR_ZERO
    assert derive.bounded(derive.Estimate(0.99, 0.98, 1.01)).reason == derive.NEAR_FULL
    assert derive.bounded(derive.Estimate(-1.0, -2.0, -0.5)).reason == derive.NEGATIVE
    assert derive.bounded(derive.Estimate(5.0, 4.0, 6.0), ceiling=None).resolved


def test_fit_intervals_come_from_the_same_fit_made_round_by_round():
    work = (1, 2, 4)
    fixed, per_unit = 2.0 ** -10, 2.0 ** -12
    rounds = [(fixed + per_unit * w) for w in work]
    times = tuple(summarize([t, t * 2, t]) for t in rounds)
    fitted = derive.line(CallCost("c", (1, 2, 4), work, times))
    assert fitted.intercept.value == pytest.approx(fixed)
    assert fitted.slope.value == pytest.approx(per_unit)
    assert fitted.intercept.low == pytest.approx(fixed)
    assert fitted.intercept.high == pytest.approx(1.5 * fixed)
    assert fitted.intercept.resolved and fitted.slope.resolved
    negative = tuple(summarize([2.0 - 0.25 * w] * 3) for w in work)
    assert derive.line(CallCost("c", (1, 2, 4), work, negative)).slope.reason == derive.NEGATIVE


def test_dispatch_adds_is_resolved_only_above_noise():
    clear = DispatchCost("c", 1, rounds_of(3.0, 3.0, 3.0), rounds_of(1.0, 1.0, 1.0))
    assert derive.dispatch_adds(clear) == derive.Estimate(2.0, 2.0, 2.0)
    noise = DispatchCost("c", 1, rounds_of(1.0, 2.0, 1.5), rounds_of(1.5, 1.5, 1.5))
    assert derive.dispatch_adds(noise).reason == derive.NEAR_ZERO


def test_gc_ratio_without_collections_is_flagged_inconsistent():
    gc = GarbageCollection("binary_trees", 8, rounds_of(1.0, 1.0, 1.0), rounds_of(2.0, 2.1, 2.2),
                           (0, 0, 0), 0.0)
    assert derive.gc_ratio(gc).reason == derive.INCONSISTENT
    assert derive.gc_ratio(dataclasses.replace(gc, collections=(3, 0, 0))).resolved
    same = dataclasses.replace(gc, disabled=rounds_of(0.9, 1.0, 1.1))
    assert derive.gc_ratio(same).resolved
    assert derive.gc_pause_share(dataclasses.replace(gc, pause=0.25)).value == 0.25
    assert derive.gc_pause_share(dataclasses.replace(gc, pause=2.0)).reason == derive.ABOVE_FULL


def scaling_of(walls, reference, runnable=None, workers=(1, 2), total=8):
    return Scaling("c", True, workers, tuple(t * gil.share(total, t) for t in workers),
                   tuple(rounds_of(*w) for w in walls), rounds_of(*reference), total,
                   tuple(None if r is None else rounds_of(*r) for r in (runnable or [None] * len(workers))))


def test_scaling_efficiency_is_relative_to_t_times_one_thread():
    found = scaling_of([(1.0, 1.0, 1.0), (0.5, 0.5, 0.5)], (1.0, 1.0, 1.0))
    assert [derive.efficiency(found, i).value for i in range(2)] == [1.0, 1.0]
    serial = scaling_of([(1.0,) * 3, (1.0,) * 3], (1.0,) * 3)
    assert derive.efficiency(serial, 1).value == 0.5
    assert gil.share(10, 4) == 3
    assert gil.share(1, 4) == 1


def test_scaling_above_100_percent_is_resolved_only_within_noise():
    within = scaling_of([(1.0,) * 3, (0.45, 0.5, 0.55)], (1.0,) * 3)
    assert derive.efficiency(within, 1).resolved
    beyond = scaling_of([(1.0,) * 3, (0.3, 0.3, 0.3)], (1.0,) * 3)
    assert derive.efficiency(beyond, 1).reason == derive.ABOVE_FULL


def test_runnable_threads_are_summed_runnable_time_over_wall_time():
    found = scaling_of([(1.0,) * 3, (0.5,) * 3], (1.0,) * 3,
                       runnable=[(1.0,) * 3, (0.99, 1.0, 1.0)])
    assert derive.runnable(found, 0).value == 1.0
    assert derive.runnable(found, 1).value == 2.0 and derive.runnable(found, 1).resolved
    impossible = scaling_of([(1.0,) * 3, (0.5,) * 3], (1.0,) * 3, runnable=[(1.0,) * 3, (2.0,) * 3])
    assert derive.runnable(impossible, 1).reason == derive.ABOVE_FULL
    assert derive.runnable(scaling_of([(1.0,) * 3] * 2, (1.0,) * 3), 1) is None


def test_serialised_threads_scale_as_one_over_t():
    """Every call advances one shared clock: threads that take turns, as under the GIL."""
    clock = FakeClock()
    timer = Timer(settings(samples=3), clock, clock)
    runnable = {}

    def probe():
        """Each thread's own runnable seconds: here, the ticks its own calls advanced."""
        return runnable.get(threading.get_ident(), 0.0)

    def call():
        clock.advance(TICK)
        runnable[threading.get_ident()] = probe() + TICK

    def batch(threads, calls):
        return gil.threaded_batch(call, threads, calls, clock, probe, cpu_clock=probe)

    result = gil.scaling("python", None, (1, 2, 4), 8, batch, timer)
    assert result.calls == (8, 8, 8)
    assert [w.median for w in result.walls] == [8 * TICK] * 3
    assert [w.clock for w in result.walls] == [WALL] * 3
    assert [derive.efficiency(result, i).value for i in range(3)] == [1.0, 0.5, 0.25]
    assert [derive.runnable(result, i).value for i in range(3)] == [1.0, 1.0, 1.0]
    assert [derive.on_cpu(result, i).value for i in range(3)] == [1.0, 1.0, 1.0]


def test_scaling_against_a_separate_reference():
    clock = FakeClock()
    timer = Timer(settings(samples=1), clock, clock)

    def parallel(workers, calls):
        return calls * TICK, None, None

    def reference(workers, calls):
        return 2 * calls * TICK, None, None

    result = gil.scaling("python", None, (1, 2), 6, parallel, timer, reference)
    assert result.reference.median == 12 * TICK
    assert [derive.efficiency(result, i).reason for i in range(2)] == [derive.ABOVE_FULL] * 2
    assert result.calls == (6, 6)
    assert result.runnable == (None, None) and result.on_cpu == (None, None)
    assert derive.on_cpu(result, 1) is None


def test_the_timer_keeps_wall_time_beside_thread_cpu_time():
    cpu, wall = FakeClock(), FakeClock()

    def call():
        cpu.advance(TICK)
        wall.advance(4 * TICK)

    result = Timer(settings(samples=3), cpu, wall).time(call)
    assert (result.median, result.wall, result.clock) == (TICK, 4 * TICK, CPU)


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


def test_samples_run_with_the_collector_off_unless_the_settings_say_on():
    import gc

    for collecting in (False, True):
        clock = FakeClock()
        seen = []

        def call():
            seen.append(gc.isenabled())
            clock.advance(TICK)

        was = gc.isenabled()
        Timer(settings(collector=collecting), clock, clock).time(call)
        assert gc.isenabled() == was, "the collector's state is restored"
        timed = seen[settings().warmup:]
        assert timed and set(timed) == {collecting}


def test_the_collector_census_is_per_call_over_several_calls():
    import gc

    from fastkern._anatomy import garbage

    calls = [0]

    def every_other_call_collects():
        calls[0] += 1
        if calls[0] % 2:
            gc.collect()

    clock = FakeClock()
    collections, pause = garbage.census(every_other_call_collects, clock, calls=4)
    assert collections == (0.0, 0.0, 0.5) and pause == 0.0
    assert garbage.census(every_other_call_collects, clock)[0] in ((0, 0, 0), (0, 0, 1))


def test_each_round_carries_the_mean_of_the_speed_readings_around_it():
    """The speed probe is read before the first round and after each; a sample's reading is
    the mean of the two around its round, the same for every call in that round."""
    clock = FakeClock()
    readings = iter([4 * TICK, 6 * TICK, 8 * TICK, 4 * TICK])
    order = []

    def speed():
        order.append("speed")
        return next(readings)

    def call(name):
        def run():
            order.append(name)
            clock.advance(TICK)
        return run

    timer = Timer(settings(samples=3, min_time=TICK, warmup=0), clock, speed=speed)
    result = timer.time_all({"a": call("a"), "b": call("b")})
    assert order[-10:] == ["speed", "a", "b", "speed", "a", "b", "speed", "a", "b", "speed"]
    for timing in result.values():
        assert timing.speeds == (5 * TICK, 7 * TICK, 6 * TICK)
        assert timing.samples == (TICK,) * 3 and timing.measured == ()
    assert Timer(settings(samples=3), clock).time(call("c")).speeds == ()


def test_samples_are_scaled_to_one_speed_and_ratios_stay_as_they_were():
    """A timing is scaled by one factor, the run's speed over the median of its rounds'."""
    from fastkern._anatomy import steady

    python = summarize([8.0, 16.0, 8.0], speeds=[2.0, 4.0, 2.0])
    c = summarize([1.0, 2.0, 1.0], speeds=[2.0, 4.0, 2.0])
    scaled = steady.scaled(python, 1.0)
    assert scaled.samples == (4.0, 8.0, 4.0) and (scaled.median, scaled.iqr) == (4.0, 2.0)
    assert scaled.measured == (8.0, 16.0, 8.0) and scaled.speeds == python.speeds
    again = steady.scaled(scaled, 4.0, reading=1.0)
    assert again.samples == (32.0, 64.0, 32.0) and again.measured == python.samples, \
        "from as measured, from the reading given"
    assert steady.scaled(summarize([1.0, 2.0]), 1.0) == summarize([1.0, 2.0]), "no readings"
    assert steady.scaled(summarize([1.0], speeds=[0.0]), 1.0).measured == ()
    times = {"python": python, "c": c}
    before = kernel_with(times)
    after = kernel_with({b: steady.scaled(t, 1.0) for b, t in times.items()})
    assert derive.speedup(after, "c") == derive.speedup(before, "c")
    assert [p.share for p in derive.parts(after)] == [p.share for p in derive.parts(before)]


def test_a_report_is_scaled_to_its_speed_with_the_collectors_pause():
    from fastkern._anatomy import steady
    from fastkern._anatomy.report import Machine, Report

    machine = Machine("cpu", 2, "3.11", "CPython", False, False, None, None, None, "0", (), "", "")
    enabled = summarize([4.0, 8.0, 8.0], speeds=[1.0, 2.0, 2.0])
    gc_report = GarbageCollection("binary_trees", 10, enabled, enabled, (1.0, 0.0, 0.0), 1.0)
    kernel = kernel_with({"python": summarize([8.0, 16.0, 16.0], speeds=[1.0, 2.0, 2.0])})
    report = Report(machine, settings(), (kernel,), None, None, gc_report, None, 1.0)
    assert sorted(steady.speeds(report)) == [1.0] * 3 + [2.0] * 6
    scaled = steady.at_speed(report, 1.0)
    assert scaled.speed == 1.0
    assert scaled.kernels[0].ladder[0].time.samples == (4.0, 8.0, 8.0)
    assert scaled.gc.enabled.median == 4.0 and scaled.gc.pause == 0.5, "pause x 4/8"
    assert steady.at_speed(report, None) is report


def test_a_groups_speed_is_smoothed_over_its_neighbours_and_the_fastest_is_the_anchor():
    """Groups of rounds (one time_all each, in the order measured) read their speed as the
    median of their own readings and their NEIGHBOURS' on either side."""
    from fastkern._anatomy import steady
    from fastkern._anatomy.report import Machine, Report

    machine = Machine("cpu", 2, "3.11", "CPython", False, False, None, None, None, "0", (), "", "")
    readings = [(float(i),) * 3 for i in range(1, 12)]
    kernel = kernel_with({f"b{i}": summarize([1.0] * 3, speeds=r) for i, r in enumerate(readings)})
    report = Report(machine, settings(), (kernel,), None, None, None, None, 1.0)
    found = steady.group_speeds(report.timings())
    n = steady.NEIGHBOURS
    assert [found[r] for r in readings] == [
        statistics.median(range(max(1, i - n), min(11, i + n) + 1)) for i in range(1, 12)]
    assert steady.fastest([report.timings()]) == found[readings[0]] == 3.0
    assert steady.fastest([dataclasses.replace(report, kernels=()).timings()]) is None
    scaled = steady.at_speed(report, 3.0)
    assert [r.time.samples[0] for r in scaled.kernels[0].ladder] == [
        3.0 / found[r] for r in readings]


def test_a_rung_moved_only_when_two_of_its_passes_lie_apart_beyond_the_threshold():
    from fastkern._anatomy import passes
    from fastkern._anatomy.report import Rung

    first = summarize([1.0, 1.01, 0.99])
    def rung(*others):
        return Rung("c", first, (first, *(summarize(list(o)) for o in others)))
    assert passes.moved(rung((1.1, 1.11, 1.09))) == pytest.approx(0.1)
    assert passes.moved(rung((0.9, 0.91, 0.89))) == pytest.approx(1 / 0.9 - 1), \
        "slower over faster, whichever pass came first"
    assert passes.moved(rung((0.98, 1.0, 1.1, 1.11, 1.12))) is None, "middle halves overlap"
    assert passes.moved(rung((1.1, 1.11, 1.09, 1.12, 0.98))) == pytest.approx(0.1), \
        "one stray round does not hide a move"
    assert passes.moved(rung((1.04, 1.05, 1.03))) is None, f"apart, but within {passes.MOVED:.0%}"
    assert passes.moved(Rung("c", first)) is None, "one pass"
    assert passes.moved(rung((0.9, 0.91, 0.89), (1.2, 1.21, 1.19))) == \
        pytest.approx(1.2 / 0.9 - 1), "the two passes furthest apart"
    steady, slow = (1.0, 1.01, 0.99), (1.2, 1.21, 1.19)
    assert passes.moved(rung(steady, (0.9, 0.91, 0.89), slow)) is None, \
        "of four passes, the fastest and the slowest are left out"
    assert passes.moved(rung(steady, steady, steady, steady, steady, slow)) is None, \
        "one process's luck among seven passes is not a move"
    assert passes.moved(rung(steady, steady, steady, steady, slow, slow)) == pytest.approx(0.2), \
        "two passes that moved are"
    assert passes.moved(rung((1.0, 1.01, 0.99), (1.04, 1.05, 1.03))) is None
    kernel = kernel_with({"python": first, "c": first})
    kernel = dataclasses.replace(kernel, ladder=(kernel.ladder[0], rung((1.2, 1.2, 1.2))))
    assert [(r.backend, round(change, 6)) for r, change in passes.moved_rungs(kernel)] == \
        [("c", 0.2)]
    assert passes.left_out([kernel]) == "", "two passes: none left out"
    four = dataclasses.replace(kernel, ladder=(kernel.ladder[0], rung(steady, steady, slow)))
    assert passes.left_out([four]) == \
        ", leaving out the fastest and the slowest of each rung's 4 passes"


def test_combining_pools_each_rung_with_its_later_passes_in_round_order():
    from fastkern._anatomy import passes
    from fastkern._anatomy.report import Machine, Report

    machine = Machine("cpu", 2, "3.11", "CPython", False, False, None, None, None, "0", (), "", "")
    kernel = kernel_with({"python": summarize([8.0, 9.0]), "c": summarize([1.0, 2.0])})
    report = Report(machine, settings(), (kernel,), None, None, None, None, 1.0)
    second = {"python": summarize([10.0, 11.0]), "c": summarize([3.0, 4.0])}
    third = {"python": summarize([12.0, 13.0]), "c": summarize([5.0, 6.0])}
    found = passes.combined(report, [[second, third]], [42.0], [passes.FRESH]).kernels[0]
    assert found.passes_apart == 42.0
    assert found.passes_where == passes.FRESH
    assert found.rung("python").time.samples == (8.0, 9.0, 10.0, 11.0, 12.0, 13.0)
    assert found.rung("c").time.samples == (1.0, 2.0, 3.0, 4.0, 5.0, 6.0)
    assert found.rung("c").passes == (kernel.rung("c").time, second["c"], third["c"])
    assert derive.speedup(found, "c").value == statistics.median(
        [8.0, 4.5, 10 / 3, 11 / 4, 12 / 5, 13 / 6])
    assert passes.count([found]) == 3 and passes.how_often([found]) == "3 times"
    assert passes.later([found]) == "each later one"
    two = passes.combined(report, [[second]], [42.0], [passes.FRESH]).kernels[0]
    assert (passes.count([two]), passes.how_often([two]), passes.later([two])) == \
        (2, "twice", "the second")


def test_where_the_second_passes_ran_in_words():
    from fastkern._anatomy import passes

    def at(name, place):
        return dataclasses.replace(kernel_with({"c": summarize([1.0])}), kernel=name,
                                   passes_where=place)

    fresh = [at("sum", passes.FRESH), at("fib", passes.FRESH)]
    assert passes.where(fresh) == "in a fresh interpreter"
    mixed = fresh + [at("mine", f"{passes.SAME}: a registered kernel's rungs are built here")]
    assert passes.where(mixed) == ("in a fresh interpreter for sum, fib, and in this process "
                                   "for mine, since a registered kernel's rungs are built here")
    assert passes.where([at("sum", f"{passes.SAME}: told so")]) == "in this process, since told so"
