"""Real local clusters, briefly: counts, layouts, a killed worker, a user's module, clean ends.

Nothing here judges a timing. Every process a run starts carries a marker in its
environment, so that :func:`leftovers` finds any that outlived it, orphans included, and
any port they still listen on (``ss -ltnp``).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid

import pytest

pytest.importorskip("distributed")

import fastkern  # noqa: E402
from fastkern._cluster import lifecycle  # noqa: E402
from fastkern._cluster.layouts import local_layouts  # noqa: E402
from fastkern._cluster.measure import Spec, run_layout  # noqa: E402
from fastkern._cluster.model import Layout, Settings  # noqa: E402

TINY = Settings(rounds=2, fills=1, task_time=0.002, empty_tasks=2, sends=1)
MARK = "FASTKERN_CLUSTER_TEST"
#: SIGINT runs of ``fastkern cluster --quick`` (FASTKERN_CLEAN_RUNS=20 for the long check).
RUNS = int(os.environ.get("FASTKERN_CLEAN_RUNS", "3"))


def marked() -> set[int]:
    """Processes whose environment holds this test's marker, but multiprocessing's resource
    tracker, which an in-process run starts for the whole interpreter (it ends with it)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/environ", "rb") as environ:
                    ours = f"{MARK}={os.environ[MARK]}".encode() in environ.read().split(b"\0")
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    tracker = b"resource_tracker" in cmdline.read()
            except OSError:
                continue
            if ours and not tracker:
                found.add(int(entry))
    return found


def listening(pids: set[int]) -> list[str]:
    """Lines of ``ss -ltnp`` that name one of ``pids``."""
    try:
        lines = subprocess.run(["ss", "-ltnp"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        pytest.fail("ss -ltnp could not be run")
    return [line for line in lines.splitlines() if any(f"pid={pid}," in line for pid in pids)]


def leftovers(deadline: float = 10.0) -> tuple[set[int], list[str]]:
    """Marked processes and their listening ports, given ``deadline`` seconds to go."""
    end = time.monotonic() + deadline
    while marked() and time.monotonic() < end:
        time.sleep(0.2)
    found = marked()
    return found, listening(found | {os.getpid()})


@pytest.fixture(autouse=True)
def marker(monkeypatch):
    monkeypatch.setenv(MARK, uuid.uuid4().hex)
    yield
    assert leftovers() == (set(), [])


def test_a_small_run_counts_what_it_was_asked_for():
    report = fastkern.cluster(["mandelbrot"], backends=["python", "c"], settings=TINY)
    layouts = local_layouts(2 if len(os.sched_getaffinity(0)) <= 2 else len(os.sched_getaffinity(0)))
    assert [run.layout for run in report.layouts][:2] == list(layouts)[:2]
    for run in report.layouts:
        assert len(run.empty) == TINY.rounds and len(run.memory) == run.layout.workers
        assert [row.subject.backend for row in run.subjects] == ["python", "c"]
        for row in run.subjects:
            assert row.tasks == TINY.fills * run.layout.slots
            assert len(row.rate) == len(row.alone) == len(row.cpu) == TINY.rounds
            assert row.subject.repeats >= 1
        assert [load.cluster is not None and load.others is not None for load in run.load] == [True]
    assert report.problems() == []
    assert type(report).from_json(report.to_json()) == report


def test_the_load_meter_knows_every_process_of_the_cluster():
    """The workers, the nannies and the scheduler of a local cluster (the last two live in
    this process) are the cluster's, however busy they were."""
    from fastkern._cluster.measure import _cluster_processes

    with lifecycle.local(Layout(1, 2, 1)) as client:
        found = lifecycle.workers(client)
        processes = _cluster_processes(client, found, next(iter(found.values()))[0])
    assert list(processes.values()) == [sorted({os.getpid(), *(pid for _h, pid, _v in found.values())})]


def test_a_killed_worker_is_recorded_and_the_run_goes_on():
    layout = Layout(1, 2, 1)
    settings = Settings(rounds=4, fills=2, task_time=0.02, empty_tasks=2, sends=1)
    with lifecycle.local(layout) as client:
        found = lifecycle.workers(client)

        def kill_in_round_two(step: str) -> None:
            if step.endswith("round 2"):
                os.kill(next(pid for _host, pid, *_rest in found.values()), signal.SIGKILL)

        run = run_layout(client, layout, True, [Spec("mandelbrot", "python", 40)], settings,
                         found, "here", 0.0, kill_in_round_two)
    assert run.incidents and run.incidents[0].round >= 2 and run.stopped is None
    lost = sum(1 for i in run.incidents if i.subject != "empty tasks")
    assert len(run.subjects[0].rate) == settings.rounds - lost


def test_a_scheduler_that_does_not_answer_is_said_within_the_timeout():
    start = time.monotonic()
    with pytest.raises(lifecycle.ClusterError, match="no dask scheduler answered at .* within 1 s"):
        lifecycle.connect("tcp://127.0.0.1:9", timeout=1)
    assert time.monotonic() - start < 30


def test_a_users_module_is_shipped_to_the_workers(tmp_path, monkeypatch):
    module = tmp_path / "cluster_own_kernel.py"
    module.write_text("import fastkern\n\n"
                      "@fastkern.kernel(sample=lambda n: (n,), sizes=(10, 20))\n"
                      "def count_up(n):\n    total = 0\n    for i in range(n):\n"
                      "        total += i\n    return total\n")
    monkeypatch.chdir(tmp_path)
    from fastkern.__main__ import _registered

    name = _registered("cluster_own_kernel:count_up")
    report = fastkern.cluster([name], backends=["python"], settings=TINY)
    assert {row.subject.kernel for run in report.layouts for row in run.subjects} == {name}


def _cli(*args: str, **options) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "fastkern", "cluster", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, **options)


@pytest.mark.parametrize("run", range(RUNS))
def test_ctrl_c_at_a_random_moment_leaves_nothing(run):
    process = _cli("--quick")
    time.sleep(random.uniform(0.5, 5.0))
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
    out, err = process.communicate(timeout=90)
    assert process.returncode in (0, 130), err
    if process.returncode == 130:
        assert err.strip().endswith("fastkern: interrupted")


def test_without_the_extra_one_line_says_how_to_install_it():
    script = ("import sys\nsys.modules['distributed'] = None\n"
              "from fastkern.__main__ import main\nsys.exit(main(['cluster', '--quick']))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        'fastkern: error: fastkern cluster needs dask.distributed: '
        'python -m pip install "fastkern[cluster]"']
