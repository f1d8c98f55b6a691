"""Every section of a real quick anatomy run is present and well formed, and survives JSON."""

import dataclasses
import io
import json
import math

import pytest
from rich.console import Console

import fastkern
from fastkern._anatomy import derive, findings, render
from fastkern._report.figure import CPU, UNTIMED, WALL
from fastkern._anatomy.model import Timing
from fastkern._anatomy.report import FORMAT, VERSION, Report
from fastkern._anatomy.settings import mode
from fastkern._rungs import LADDER, STEPS


@pytest.fixture(scope="module")
def report():
    return fastkern.anatomy("sum", 2000, threads=(1, 2), quick=True)


@pytest.fixture(scope="module")
def partial_ladder():
    return fastkern.anatomy("fib", 12, threads=(1, 2), quick=True, shared=False)


def well_formed(timing: Timing):
    assert timing.loops >= 1 and timing.samples
    assert all(math.isfinite(s) and s >= 0 for s in timing.samples)
    assert min(timing.samples) <= timing.median <= max(timing.samples)
    assert timing.iqr >= 0


def test_lazy_public_names():
    from fastkern._anatomy import run, settings

    assert fastkern.anatomy is run.anatomy
    assert fastkern.anatomy_all is run.anatomy_all
    assert fastkern.Report is Report
    assert fastkern.Settings is settings.Settings
    assert {"Report", "Settings", "anatomy", "anatomy_all"} <= set(dir(fastkern))
    with pytest.raises(AttributeError):
        fastkern.no_such_name


def test_every_timing_is_well_formed(report):
    timings = report.timings()
    assert len(timings) > 40
    for timing in timings:
        well_formed(timing)


def test_thread_cpu_timings_carry_their_rounds_speed_readings(report):
    (kernel,) = report.kernels
    rounds = [t for r in kernel.ladder for t in r.passes] + [report.boundary.to_list]
    assert all(len(t.speeds) == len(t.samples) and all(s > 0 for s in t.speeds) for t in rounds)
    assert all(not t.speeds for t in kernel.gil.threads[0].walls), "wall timings have none"


def test_ladder_and_decomposition(report):
    (kernel,) = report.kernels
    assert (kernel.kernel, kernel.size, kernel.work, kernel.unit) == ("sum", 2000, 2000, "element")
    assert [r.backend for r in kernel.ladder] == fastkern.kernel_backends("sum")
    assert all(r.time.clock == CPU and r.time.wall is not None for r in kernel.ladder)
    assert derive.speedup(kernel, "python").value == 1.0
    parts = derive.parts(kernel)
    assert [p.name for p in parts] == ["interpreter and generic dispatch", "float objects",
                                       "boxed containers", "C headroom", "remainder (c itself)"]
    for part in parts:
        assert part.share.low <= part.share.value <= part.share.high
        assert part.share.resolved == (0 <= part.share.low and part.share.high <= 1)


def test_call_costs_and_dispatch(report):
    (kernel,) = report.kernels
    assert {c.backend for c in kernel.costs} == {r.backend for r in kernel.ladder} - STEPS
    for cost in kernel.costs:
        assert cost.sizes[0] == 1 and cost.sizes[-1] >= 2000
        assert list(cost.sizes) == sorted(set(cost.sizes))
        assert all(t.clock == CPU for t in cost.times)
        fitted = derive.line(cost)
        assert math.isfinite(fitted.slope.value) and math.isfinite(fitted.intercept.value)
        assert fitted.r2 <= 1.0
    assert {d.backend for d in kernel.dispatch} == {r.backend for r in kernel.ladder} - STEPS


def test_gil_threads_and_processes(report):
    gil = report.kernels[0].gil
    assert gil.usable_cores >= 1
    no_gil = ["compiled"] if fastkern.info()["gil_disabled"] else []
    assert [s.label for s in gil.threads] == [
        "python", *no_gil, "typed", "typed (GIL held)", "c", "c (GIL held)"]
    for scaling in gil.threads + (gil.processes.scaling,):
        assert scaling.workers == (1, 2)
        assert all(w.clock == WALL for w in scaling.walls)
        assert all(derive.efficiency(scaling, i).value > 0 for i in range(2))
        assert all((r is None) != report.machine.schedstat for r in scaling.runnable)
    assert derive.efficiency(gil.threads[0], 0).value == pytest.approx(1.0)
    assert gil.processes.input_bytes > 2000 * 8
    assert gil.processes.startup > 0
    assert gil.processes.worker_cpu > 0


def test_event_loop_stall(report):
    stalls = report.kernels[0].stall
    assert stalls[0].label == "idle loop"
    assert [s.label for s in stalls[1:]] == [
        "python", "compiled", "typed", "typed (GIL held)", "c", "c (GIL held)", "numpy"]
    for stall in stalls:
        assert stall.ticks >= 1
        assert 0 <= stall.median <= stall.p99 <= stall.worst


def test_shared_sections(report):
    assert report.boundary.elements == report.settings.memory_elements
    memory = report.memory
    assert 7.9 < memory.buffer_bytes < 8.5
    assert memory.list_bytes > 3 * memory.buffer_bytes
    assert report.gc.kernel == "binary_trees" and len(report.gc.collections) == 3
    assert report.gc.pause >= 0
    assert len(report.features.pairs) == 5


def test_machine(report):
    machine = report.machine
    assert machine.usable_cores == fastkern.info()["usable_cores"]
    assert machine.fastkern == fastkern.__version__
    assert machine.python and machine.cpu and machine.timestamp
    assert mode(report.settings) == "quick pass"
    assert mode(dataclasses.replace(report.settings, samples=9)) == "custom settings"


def test_json_round_trip(report):
    text = report.to_json()
    data = json.loads(text)
    assert (data["format"], data["version"]) == (FORMAT, VERSION)
    again = Report.from_json(text)
    assert again == report
    assert again.to_json() == text


def test_json_refuses_other_formats_and_versions(report):
    data = json.loads(report.to_json())
    data["version"] = VERSION + 1
    with pytest.raises(ValueError, match="version"):
        Report.from_json(json.dumps(data))
    with pytest.raises(ValueError, match="not a fastkern"):
        Report.from_json("[]")
    with pytest.raises(ValueError, match="not JSON"):
        Report.from_json("{")
    data["version"] = 1
    with pytest.raises(ValueError, match="wall clock"):
        Report.from_json(json.dumps(data))


def test_json_nested_too_deeply_or_missing_a_field_is_a_value_error_saying_so(report):
    with pytest.raises(ValueError, match="nested too deeply"):
        Report.from_json("[" * 100_000 + "]" * 100_000)
    data = json.loads(report.to_json())
    del data["report"]["kernels"][0]["size"]
    with pytest.raises(ValueError, match=r"^KernelReport lacks the field\(s\) 'size'$"):
        Report.from_json(json.dumps(data))
    data["report"] = []
    with pytest.raises(ValueError, match=r"^Report must be a JSON object, got list$"):
        Report.from_json(json.dumps(data))


def test_json_carries_every_figure_with_its_clock(report):
    data = json.loads(report.to_json())
    found = data["figures"]
    assert {CPU, WALL} <= {f["clock"] for f in found} <= {CPU, WALL, UNTIMED}
    counted = [f for f in found if f["clock"] == UNTIMED]
    assert all(f["section"] == "bytes per element" for f in counted)
    ladder = [f for f in found if f["section"] == "ladder"]
    assert [f["label"] for f in ladder] == fastkern.kernel_backends("sum")
    assert all(f["subject"] == "sum(2000)" for f in ladder)


def test_a_missing_rung_merges_the_decomposition(partial_ladder):
    (kernel,) = partial_ladder.kernels
    present = [b for b in LADDER if kernel.rung(b)]
    parts = derive.parts(kernel)
    merged = "ints" in present and "typed" in present  # fib holds no container for typed
    assert len(parts) == len(present) - merged
    assert parts[-1].name == f"remainder ({present[-1]} itself)"
    assert partial_ladder.memory is None and partial_ladder.features is None
    assert Report.from_json(partial_ladder.to_json()) == partial_ladder


def test_render_and_summary(report):
    out = io.StringIO()
    render.render(report, Console(file=out, width=200), explain=True)
    text = out.getvalue()
    for heading in ("Findings", "The ladder", "Where python's time goes", "Fixed cost per call",
                    "GIL:", "Event loop", "Boundary, memory", "How this was measured"):
        assert heading in text
    assert any(f.subject == "sum(2000)" for f in findings.findings(report))
    assert "Clocks:" in text


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown kernel"):
        fastkern.anatomy("nope", 10)
    with pytest.raises(ValueError, match="positive"):
        fastkern.anatomy("sum", 0)
    with pytest.raises(ValueError, match="thread counts"):
        fastkern.anatomy("sum", 10, threads=(0,))
    with pytest.raises(ValueError, match="unknown backend"):
        fastkern.anatomy("sum", 10, backends=["fortran"])


def test_settings_are_plain_data(report):
    assert dataclasses.asdict(report.settings)["samples"] == 3
