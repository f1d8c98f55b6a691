"""The anatomy's arithmetic, driven by a fake clock and checked exactly."""

import statistics
import threading

import fastkern

import pytest

import dataclasses

from fastkern._anatomy import derive, gil, ladder, stall
from fastkern._anatomy.fit import fit_line
from fastkern._report.figure import CPU, NOISY, UNSTABLE, WALL
from fastkern._report.estimate import quartiles
from fastkern._anatomy.model import (CallCost, DispatchCost, GarbageCollection, KernelReport,
                                     Passes, Rung, Scaling, Timing, stability, summarize)
from fastkern._anatomy.settings import Settings
from fastkern._anatomy.timing import Timer
from fastkern._report.estimate import (ABOVE_FULL, Estimate, INCONSISTENT, NEAR_FULL, NEAR_ZERO,
                                       NEGATIVE, SWAMPED, bounded)
from fastkern._report.numbers import share

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
    """Settings for exact fake clocks: every round taken (min_samples = samples) unless
    a test asks otherwise."""
    samples = overrides.get("samples", 5)
    return Settings(**{"min_time": 16 * TICK, "samples": samples, "min_samples": samples,
                       "warmup": 1, **overrides})


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


def test_shares_are_signed_and_sum_to_one_and_a_share_that_may_be_zero_says_so():
    inverted = derive.parts(kernel_with({"python": rounds_of(4.0, 4.0, 4.0),
                                         "compiled": rounds_of(5.0, 6.0, 5.5)}))
    assert [p.share.value for p in inverted] == [-0.375, 1.375], "compiled adds time"
    assert not inverted[0].near_zero and all(p.share.resolved for p in inverted)
    noisy = derive.parts(kernel_with({"python": rounds_of(4.0, 4.0, 4.0, 4.0, 4.0),
                                      "compiled": rounds_of(3.0, 3.5, 4.5, 5.0, 3.9)}))
    assert noisy[0].near_zero
    assert sum(p.share.value for p in noisy) == pytest.approx(1.0)
    assert bounded(Estimate(0.99, 0.98, 1.01)).reason == NEAR_FULL
    assert bounded(Estimate(-1.0, -2.0, -0.5)).reason == NEGATIVE
    assert bounded(Estimate(5.0, 4.0, 6.0), ceiling=None).resolved


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
    assert derive.line(CallCost("c", (1, 2, 4), work, negative)).slope.reason == NEGATIVE


def test_dispatch_adds_is_resolved_only_above_noise():
    us = 2.0 ** -20
    clear = DispatchCost("c", 1, rounds_of(3 * us, 3 * us, 3 * us), rounds_of(us, us, us))
    assert derive.dispatch_adds(clear) == Estimate(2 * us, 2 * us, 2 * us)
    noise = DispatchCost("c", 1, rounds_of(us, 2 * us, 1.5 * us), rounds_of(1.5 * us, 1.5 * us, 1.5 * us))
    assert derive.dispatch_adds(noise).reason == NEAR_ZERO
    slow = DispatchCost("python", 1, rounds_of(2.0, 2.0, 2.0), rounds_of(1.0, 1.0, 1.0))
    assert derive.dispatch_adds(slow).reason == SWAMPED, "a call that does real work"


def test_gc_ratio_without_collections_is_flagged_inconsistent():
    gc = GarbageCollection("binary_trees", 8, rounds_of(1.0, 1.0, 1.0), rounds_of(2.0, 2.1, 2.2),
                           (0, 0, 0), 0.0)
    assert derive.gc_ratio(gc).reason == INCONSISTENT
    assert derive.gc_ratio(dataclasses.replace(gc, collections=(3, 0, 0))).resolved
    same = dataclasses.replace(gc, disabled=rounds_of(0.9, 1.0, 1.1))
    assert derive.gc_ratio(same).resolved
    assert derive.gc_pause_share(dataclasses.replace(gc, pause=0.25)).value == 0.25
    assert derive.gc_pause_share(dataclasses.replace(gc, pause=2.0)).reason == ABOVE_FULL


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
    assert derive.efficiency(beyond, 1).reason == ABOVE_FULL


def test_runnable_threads_are_summed_runnable_time_over_wall_time():
    found = scaling_of([(1.0,) * 3, (0.5,) * 3], (1.0,) * 3,
                       runnable=[(1.0,) * 3, (0.99, 1.0, 1.0)])
    assert derive.runnable(found, 0).value == 1.0
    assert derive.runnable(found, 1).value == 2.0 and derive.runnable(found, 1).resolved
    impossible = scaling_of([(1.0,) * 3, (0.5,) * 3], (1.0,) * 3, runnable=[(1.0,) * 3, (2.0,) * 3])
    assert derive.runnable(impossible, 1).reason == ABOVE_FULL
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
    assert [derive.efficiency(result, i).reason for i in range(2)] == [ABOVE_FULL] * 2
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
    assert share(-0.001) == "0%"
    assert share(-0.02) == "-2%"
    assert share(0.625) == "62%"


def test_gil_calls_are_lengthened_to_the_minimum_where_the_kernel_allows():
    args, size, seconds = gil.long_args("nbody", "c", 100, per_call=1e-4, min_call=1e-3)
    assert size == 1000 and seconds == pytest.approx(1e-3)
    assert fastkern.implementation("nbody", "c")(*args) == fastkern.nbody(1000, backend="c")
    args, size, seconds = gil.long_args("nbody", "c", 100, per_call=1e-3, min_call=1e-3)
    assert args == (100,) and size is None and seconds == 1e-3
    args, size, seconds = gil.long_args("fib", "c", 90, per_call=1e-6, min_call=1.0)
    assert args == (90,) and size is None and seconds == 1e-6, "fib above 92 is refused"


def test_samples_run_with_the_collector_off_and_restore_its_state():
    import gc

    was = gc.isenabled()
    for start in (True, False):
        (gc.enable if start else gc.disable)()
        clock = FakeClock()
        seen = []

        def call():
            seen.append(gc.isenabled())
            clock.advance(TICK)

        Timer(settings(), clock, clock).time(call)
        assert gc.isenabled() == start, "the collector's state is restored"
        timed = seen[settings().warmup:]
        assert timed and set(timed) == {False}
    (gc.enable if was else gc.disable)()


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
        assert timing.samples == (TICK,) * 3
    assert Timer(settings(samples=3), clock).time(call("c")).speeds == ()


def test_a_rung_moved_only_when_two_of_its_passes_lie_apart_beyond_the_threshold():
    first = summarize([1.0, 1.01, 0.99])

    def rung(*others):
        return Rung("c", first, (first, *(summarize(list(o)) for o in others)))

    assert derive.moved(rung((1.1, 1.11, 1.09))) == pytest.approx(0.1)
    assert derive.moved(rung((0.9, 0.91, 0.89))) == pytest.approx(1 / 0.9 - 1), \
        "slower over faster, whichever pass came first"
    assert derive.moved(rung((0.98, 1.0, 1.1, 1.11, 1.12))) is None, "middle halves overlap"
    assert derive.moved(rung((1.1, 1.11, 1.09, 1.12, 0.98))) == pytest.approx(0.1), \
        "one stray round does not hide a move"
    assert derive.moved(rung((1.04, 1.05, 1.03))) is None, f"apart, but within {derive.MOVED:.0%}"
    assert derive.moved(Rung("c", first, (first,))) is None, "one pass"
    assert derive.moved(rung((0.9, 0.91, 0.89), (1.2, 1.21, 1.19))) == \
        pytest.approx(1.2 / 0.9 - 1), "the two passes furthest apart"
    level, slow = (1.0, 1.01, 0.99), (1.2, 1.21, 1.19)
    assert derive.moved(rung(level, (0.9, 0.91, 0.89), slow)) is None, \
        "of four passes, the fastest and the slowest are left out"
    assert derive.moved(rung(level, level, level, level, level, slow)) is None, \
        "one process's luck among seven passes is not a move"
    assert derive.moved(rung(level, level, level, level, slow, slow)) == pytest.approx(0.2), \
        "two passes that moved are"
    kernel = kernel_with({"python": first, "c": first})
    kernel = dataclasses.replace(kernel, ladder=(kernel.ladder[0], rung((1.2, 1.2, 1.2))))
    assert [(r.backend, round(change, 6)) for r, change in derive.moved_rungs(kernel)] == \
        [("c", 0.2)]


def test_pooling_a_kernels_later_passes_keeps_each_pass_in_round_order():
    kernel = kernel_with({"python": summarize([8.0, 9.0]), "c": summarize([1.0, 2.0])})
    second = {"python": summarize([10.0, 11.0]), "c": summarize([3.0, 4.0])}
    third = {"python": summarize([12.0, 13.0]), "c": summarize([5.0, 6.0])}
    how = Passes(3, 42.0, 2)
    found = ladder.pooled(kernel, [second, third], how)
    assert found.passes == how
    assert found.rung("python").time.samples == (8.0, 9.0, 10.0, 11.0, 12.0, 13.0)
    assert found.rung("c").time.samples == (1.0, 2.0, 3.0, 4.0, 5.0, 6.0)
    assert found.rung("c").passes == (kernel.rung("c").time, second["c"], third["c"])
    assert derive.speedup(found, "c").value == statistics.median(
        [8.0, 4.5, 10 / 3, 11 / 4, 12 / 5, 13 / 6])


def test_the_passes_method_says_where_the_later_passes_ran():
    from fastkern._anatomy import render

    def at(name, fresh, why=None):
        return dataclasses.replace(kernel_with({"c": summarize([1.0])}), kernel=name,
                                   passes=Passes(3, 10.0, fresh, why))

    method = render.passes_method([at("sum", 2), at("fib", 2)])
    assert f"({render.FRESH})" in method
    assert "pools 3 passes" in method and "leaving out" not in method
    mixed = render.passes_method([at("sum", 2), at("mine", 0, "it is registered")])
    assert (f"{render.FRESH} for sum; "
            + render.IN_PROCESS.format(kernels="mine", why="it is registered")) in mixed
    four = dataclasses.replace(at("sum", 3), passes=Passes(4, 10.0, 3))
    assert render.TRIMMED.format(count=4) in render.passes_method([four])


def test_steady_figures_stop_at_min_samples_and_noisy_ones_take_them_all():
    clock = FakeClock()
    adaptive = settings(samples=7, min_samples=3, settled_spread=0.02, warmup=0, min_time=TICK)
    steady = Timer(adaptive, clock).time_all({"a": lambda: clock.advance(TICK),
                                              "b": lambda: clock.advance(2 * TICK)}, {"a": 1, "b": 1})
    assert [len(t.samples) for t in steady.values()] == [3, 3]
    steps = iter([1, 1.5, 1, 1.5, 1, 1.5, 1, 1.5] * 3)
    noisy = Timer(adaptive, clock).time_all({"a": lambda: clock.advance(TICK),
                                             "b": lambda: clock.advance(next(steps) * TICK)},
                                            {"a": 1, "b": 1})
    assert [len(t.samples) for t in noisy.values()] == [7, 7], "one noisy figure keeps both going"
    rounds = Timer(adaptive, clock).rounds({"x": lambda: (1.0, None, None)}, gil.wall_of)
    assert len(rounds["x"]) == 3
    assert len(Timer(adaptive, clock).rounds({"x": lambda: (1.0, None, None)})["x"]) == 7


def test_a_rung_is_settled_once_its_median_is_known_to_tight():
    def rung(*medians, spread=0.0):
        passes = tuple(Timing((m,) * 5, 1, m, spread * m) for m in medians)
        pooled = Timing(tuple(m for m in medians for _ in range(5)), 1, statistics.median(medians),
                        spread * statistics.median(medians))
        return Rung("c", pooled, passes)

    assert ladder.uncertainty(rung(1.0)) == float("inf"), "one pass says nothing"
    assert ladder.uncertainty(rung(1.0, 1.0, 1.0)) == 0.0
    assert ladder.uncertainty(rung(1.0, 1.01, 0.99)) < ladder.TIGHT
    assert ladder.uncertainty(rung(1.0, 1.2, 0.9)) > ladder.TIGHT, "passes apart"
    assert ladder.uncertainty(rung(1.0, 1.0, 1.0, spread=0.3)) > ladder.TIGHT, "samples spread"


def test_passes_beyond_the_minimum_take_fewer_rounds():
    full = Settings()
    assert [ladder.pass_settings(full, n).ladder_samples for n in range(1, 8)] == \
        [full.ladder_samples] * full.ladder_min_passes + \
        [full.min_samples] * (full.ladder_passes - full.ladder_min_passes)
    few = Settings(ladder_samples=2, min_samples=3, ladder_min_passes=1)
    assert ladder.pass_settings(few, 2).ladder_samples == 2, "never more than ladder_samples"


def test_the_steps_split_the_bucket_into_parts_that_sum_to_it():
    times = {"python": timing(10.0), "compiled": timing(6.0), "floats": timing(4.0),
             "typed": timing(1.0), "c": timing(0.5)}
    kernel = kernel_with(times)  # sum: no late binding or int objects arise in it
    assert [(p.name, p.share.value) for p in derive.parts(kernel)] == [
        ("interpreter and generic dispatch", 0.4), ("float objects", 0.2),
        ("boxed containers", 0.3), ("C headroom", 0.05), ("remainder (c itself)", 0.05)]
    whole = derive.bucket(kernel)
    assert (whole.name, whole.share.value) == ("dynamic typing & boxing", 0.5)
    assert [p.name for p in derive.summary(kernel)] == [
        "interpreter and generic dispatch", "dynamic typing & boxing", "C headroom",
        "remainder (c itself)"]
    assert sum(p.share.value for p in derive.summary(kernel)) == pytest.approx(1.0)


def test_a_step_whose_costs_do_not_arise_goes_with_the_step_above():
    fib = dataclasses.replace(kernel_with({
        "python": timing(10.0), "compiled": timing(4.0), "bound": timing(3.0),
        "ints": timing(1.5), "typed": timing(1.0), "c": timing(0.9)}), kernel="fib")
    assert [(p.name, p.share.value) for p in derive.parts(fib)][:4] == [
        ("interpreter and generic dispatch", 0.6), ("late binding", 0.1),
        ("int objects", pytest.approx(0.2)), ("C headroom", pytest.approx(0.01))]
    assert derive.bucket(fib).share.value == pytest.approx(0.3), "fib holds no container"


def test_a_wrapping_hash_is_unboxed_by_typed_and_named_so():
    times = {"python": timing(10.0), "compiled": timing(8.0), "bound": timing(7.5),
             "ints": timing(7.0), "floats": timing(6.0), "typed": timing(0.5)}
    pi = dataclasses.replace(kernel_with(times), kernel="monte_carlo_pi")
    assert [p.name for p in derive.parts(pi)][1:5] == [
        "late binding", "int objects", "float objects", "wrapping int objects"]
    fnv = dataclasses.replace(kernel_with({"python": timing(3.0), "compiled": timing(2.0),
                                           "bound": timing(1.5), "typed": timing(0.1)}),
                              kernel="fnv1a")
    assert [p.name for p in derive.parts(fnv)][2] == "wrapping int objects + boxed containers"
    assert derive.part_order("wrapping int objects") < derive.part_order("boxed containers")


def test_a_step_not_built_for_a_kernel_goes_with_the_next():
    spectral = dataclasses.replace(kernel_with({
        "python": timing(10.0), "compiled": timing(6.0), "ints": timing(4.0),
        "typed": timing(1.0)}), kernel="spectral_norm")
    assert [p.name for p in derive.parts(spectral)][:3] == [
        "interpreter and generic dispatch", "late binding + int objects",
        "float objects + boxed containers"]
    assert derive.bucket(kernel_with({"python": timing(2.0), "compiled": timing(1.0),
                                      "typed": timing(0.5)})) is None
