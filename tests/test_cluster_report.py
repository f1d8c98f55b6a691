"""The cluster report from hand-made figures: layouts, findings, checker, JSON, CLI, plot."""

from __future__ import annotations

import dataclasses
import os
import json
import subprocess
import sys

import pytest

from fastkern._report import saved
from fastkern._anatomy.machine import describe
from fastkern._cluster import derive, findings
from fastkern._cluster import report as report_module
from fastkern._cluster.layouts import local_layouts
from fastkern._cluster.model import (HostLoad, Incident, Layout, LayoutRun, Rounds, Sending,
                                     Settings, Subject)
from fastkern._cluster.report import ClusterReport

THREADS, PROCESSES = Layout(1, 1, 2), Layout(1, 2, 1)


def _rounds(label: str, alone: float, rate: float, cpu: float, grown: float = 1.0) -> Rounds:
    kernel, backend = label.split()
    subject = Subject(kernel, backend, 100, 3, cpu / 3, 800 if kernel == "mandelbrot" else 80_000_000)
    spread = (0.98, 1.0, 1.02)
    return Rounds(subject, 8, tuple(alone * s for s in spread), tuple(rate * s for s in spread),
                  tuple(cpu * grown * s for s in spread), tuple(cpu * s for s in spread),
                  tuple(cpu * grown * 1.05 * s for s in spread), tuple(0.5 * s for s in spread))


def _run(layout: Layout, rows: tuple[Rounds, ...], memory: tuple[int, ...], **extra) -> LayoutRun:
    return LayoutRun(layout, True, 1.5, (0.002, 0.0021, 0.0022), rows,
                     tuple(Sending(r.subject.label, r.subject.input_bytes, (0.01, 0.011))
                           for r in rows), memory, (HostLoad("here", 0.05),), **extra)


def report(**extra) -> ClusterReport:
    threads = _run(THREADS, (_rounds("mandelbrot python", 20, 20.5, 0.05),
                             _rounds("mandelbrot c", 20, 39, 0.05),
                             _rounds("sum c", 20, 21, 0.05, grown=1.9)), (150_000_000,))
    processes = _run(PROCESSES, (_rounds("mandelbrot python", 20, 38, 0.05),
                                 _rounds("mandelbrot c", 20, 39, 0.05),
                                 _rounds("sum c", 20, 21.5, 0.05, grown=1.9)),
                     (150_000_000, 150_000_000), **extra)
    return ClusterReport(describe(), None, "2026.8.0", "2026.8.0", "0.4.2", Settings(),
                         (threads, processes), (), 30.0)


def test_layouts_from_cores():
    assert local_layouts(1) == local_layouts(2) == (THREADS, PROCESSES)
    four = local_layouts(4)
    assert [(l.workers, l.threads) for l in four] == [(1, 4), (4, 1), (2, 2)]
    assert {l.slots for l in four} == {4}
    assert THREADS.name == "2 threads x 1 process" and PROCESSES.flags == "--nworkers 2 --nthreads 1"
    with pytest.raises(ValueError, match="cores"):
        local_layouts(0)


def test_each_rung_gets_the_layout_its_figures_show():
    found = {f.subject: f.text for f in findings.findings(report())}
    python, c, memory = (found[k] for k in ("mandelbrot(100) python", "mandelbrot(100) c",
                                             "sum(100) c"))
    assert "1.02x on 2 threads and 1.9x on 2 processes" in python
    assert findings.GIL_BOUND in python and "--nworkers 2 --nthreads 1" in python
    assert findings.THREADS_DO in c and "150 MB against 300 MB" in c and "--nthreads 2" in c
    assert findings.MEMORY_BOUND in memory


def test_the_report_is_consistent_and_round_trips_through_json(tmp_path):
    made = report()
    assert made.problems() == []
    text = made.to_json()
    again = saved.loads(text)
    assert isinstance(again, ClusterReport) and again == made
    assert again.render(width=100) == made.render(width=100)
    assert made.render(width=100).startswith("Findings")
    keys = {f.key for f in made.figures()}
    assert "mandelbrot(100) python | 2 threads x 1 process | scaling" in keys
    scaling = next(f for f in made.figures() if f.key.endswith("1 thread x 2 processes | scaling"))
    assert len(scaling.rounds) == 3
    assert made.sizes() == {"mandelbrot python": 100, "mandelbrot c": 100, "sum c": 100}
    assert made.noise().known


def test_the_checker_finds_a_number_and_a_verdict_the_figures_do_not_show(monkeypatch):
    made = report()
    wrong = [findings.Finding("mandelbrot(100) c", "mandelbrot(100) c: 9.99x on 2 threads: "
                                                   f"{findings.GIL_BOUND}")]
    monkeypatch.setattr(findings, "findings", lambda _report: wrong)
    monkeypatch.setattr(report_module, "findings", lambda _report: wrong)
    found = made.problems()
    assert any("9.99x is in no table" in problem for problem in found)
    assert any("GIL holds threads back, yet threads scale" in problem for problem in found)


def test_a_scaling_beyond_the_slots_is_not_resolved():
    row = report().layouts[0].subjects[1]
    assert derive.scaling(row, 2).resolved
    fast = dataclasses.replace(row, rate=tuple(r * 3 for r in row.rate))
    assert not derive.scaling(fast, 2).resolved


def test_a_lost_worker_is_said_with_its_cost():
    incident = Incident("mandelbrot(100) c", 2, 1, 0.42, "a worker was replaced")
    made = report(incidents=(incident,))
    text = made.render(width=160)
    assert "1 worker(s) lost in 1 thread x 2 processes, round 2" in text and "420 ms" in text
    assert made.problems() == []


@pytest.mark.parametrize("bad", ["{}", '{"format": "fastkern-cluster", "version": 9}', "[1"])
def test_bad_json_is_refused(bad):
    with pytest.raises(ValueError):
        ClusterReport.from_json(bad) if "version" in bad else saved.loads(bad)


def test_report_compare_and_plot_from_the_command_line(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(report().to_json())
    second.write_text(report().to_json())
    chart = tmp_path / "chart.png"
    script = ("import sys\nfrom fastkern.__main__ import main\n"
              f"assert main(['report', {str(first)!r}, '--plot', {str(chart)!r}]) == 0\n"
              f"assert main(['compare', {str(first)!r}, {str(second)!r}]) == 0\n"
              "print('MODULES', *sorted(sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Findings" in result.stdout and chart.stat().st_size > 0
    loaded = set(result.stdout.split("MODULES", 1)[1].split())
    measuring = {f"fastkern._cluster.{m}" for m in ("run", "measure", "lifecycle", "tasks", "plugin")}
    assert not measuring & loaded and "distributed" not in loaded
    assert json.loads(first.read_text())["format"] == ClusterReport.FORMAT


def test_tasks_that_waited_for_cpus_are_not_blamed_on_the_code():
    flat = _rounds("mandelbrot python", 20, 20, 0.04)  # 0.8 CPUs busy, 1.0x
    waited = dataclasses.replace(flat, runnable=tuple(0.09 * s for s in (0.98, 1.0, 1.02)))
    made = dataclasses.replace(report(), layouts=(
        _run(THREADS, (waited,), (150_000_000,)),
        _run(PROCESSES, (waited,), (150_000_000, 150_000_000))))
    (finding,) = [f for f in findings.findings(made) if f.subject == "mandelbrot(100) python"]
    assert findings.WAITED in finding.text and "1.80 tasks runnable at once" in finding.text
    assert made.problems() == []


def test_tasks_that_do_not_scale_on_a_loaded_machine_are_not_blamed_on_the_code():
    flat = _rounds("mandelbrot python", 20, 20, 0.04)  # 0.8 CPUs busy, 1.0x, 1 runnable
    loaded = (HostLoad("here", 0.9),)
    made = dataclasses.replace(report(), layouts=(
        dataclasses.replace(_run(THREADS, (flat,), (150_000_000,)), load=loaded),
        dataclasses.replace(_run(PROCESSES, (flat,), (150_000_000, 150_000_000)), load=loaded)))
    (finding,) = [f for f in findings.findings(made) if f.subject == "mandelbrot(100) python"]
    assert findings.LOADED in finding.text and "serialises" not in finding.text
    quiet = dataclasses.replace(made, layouts=tuple(
        dataclasses.replace(run, load=(HostLoad("here", 0.05),)) for run in made.layouts))
    (finding,) = [f for f in findings.findings(quiet) if f.subject == "mandelbrot(100) python"]
    assert "serialises" in finding.text
    assert made.problems() == [] and quiet.problems() == []


def test_one_layout_of_threads_that_does_not_scale_is_the_gil():
    flat = _rounds("mandelbrot python", 20, 20, 0.05)
    made = dataclasses.replace(report(), scheduler="tcp://127.0.0.1:8786", layouts=(
        _run(THREADS, (flat,), (150_000_000,)),))
    (finding,) = [f for f in findings.findings(made) if f.subject == "mandelbrot(100) python"]
    assert findings.GIL_BOUND in finding.text and "--nthreads 1" in finding.text
    assert made.problems() == []


def test_the_clusters_own_processes_on_a_host_are_not_counted_as_other_programs():
    """A host where, over 2 s, all CPUs were busy 500 ticks: the meter's own worker 100,
    another worker 100, the nanny 20, the scheduler 80, another program 200. The cluster
    used 300 ticks (1.5 CPUs), other programs 200 (1.0 CPU)."""
    from fastkern._cluster.tasks import HostMeter

    me, worker, nanny, scheduler = os.getpid(), 101, 102, 103
    ticks = {"self": 0, me: 0, worker: 0, nanny: 0, scheduler: 0, "busy": 0}
    after = {"self": 100, me: 100, worker: 100, nanny: 20, scheduler: 80, "busy": 500}

    def stat(pid):
        return f"{pid} (python) S 1 1 1 0 -1 0 0 0 0 0 {ticks[pid]} 0 0 0"

    def read(path):
        name = path.split("/")[2]
        if name == "stat":
            return f"cpu  {ticks['busy']} 0 0 9000 0 0 0 0\n"
        return stat("self" if name == "self" else int(name))

    clock = iter([0.0, 2.0])
    meter = HostMeter([me, worker, nanny, scheduler], read=read, proc="/fake",
                      wall=lambda: next(clock), hertz=100)
    meter.start()
    ticks.update(after)
    assert meter.stop() == (pytest.approx(1.0), pytest.approx(1.5))


def test_the_layouts_table_shows_the_clusters_cpus_and_other_programs_apart():
    loaded = (HostLoad("here", 0.25, 1.75),)
    made = report()
    made = dataclasses.replace(made, layouts=tuple(dataclasses.replace(run, load=loaded)
                                                   for run in made.layouts))
    text = made.render(width=250)
    assert "cluster's CPUs" in text and "here 1.75" in text and "here 0.25" in text
    assert made.problems() == []
