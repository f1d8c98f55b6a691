"""Runnable time, load and autogroups read from fake /proc files, checked exactly."""

import threading

import pytest

from fastkern._anatomy import load, sched
from fastkern._anatomy.load import Meter


class FakeProc:
    """Files by path; a test changes their text between readings."""

    def __init__(self, files):
        self.files = dict(files)

    def __call__(self, path):
        if path not in self.files:
            raise FileNotFoundError(path)
        return self.files[path]


def test_schedstat_fields_are_on_cpu_and_run_queue_wait():
    assert sched.parse_schedstat("186248083 47400 7\n") == (186248083, 47400)
    with pytest.raises(ValueError, match="schedstat"):
        sched.parse_schedstat("")


def test_a_probe_adds_run_queue_wait_to_thread_cpu_time():
    path = sched.schedstat_path(threading.get_native_id(), "/fake")
    proc = FakeProc({path: "5000000000 0 1"})
    cpu = [0.5]
    probe = sched.probe(proc, lambda: cpu[0], "/fake")
    first = probe()
    cpu[0] = 0.75
    proc.files[path] = "5000000000 250000000 9"
    assert probe() - first == 0.5


def test_without_schedstat_there_is_no_probe():
    assert sched.probe(FakeProc({}), proc="/fake") is None
    assert sched.probe(FakeProc({sched.schedstat_path(threading.get_native_id(), "/fake"): "x"}),
                       proc="/fake") is None


def test_autogroup():
    on = FakeProc({"/fake/sys/kernel/sched_autogroup_enabled": "1\n",
                   "/fake/self/autogroup": "/autogroup-2 nice 0\n"})
    assert sched.autogroup(on, "/fake") == "/autogroup-2 nice 0"
    off = FakeProc({"/fake/sys/kernel/sched_autogroup_enabled": "0\n"})
    assert sched.autogroup(off, "/fake") is None
    assert sched.autogroup(FakeProc({}), "/fake") is None


STAT = "cpu  {user} 0 {system} 4000 100 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n"
SELF = "1234 (python (x) y) R 1 2 3 4 5 6 7 8 9 10 {user} {system} 0 0 20 0 3\n"


def test_busy_ticks_leave_out_idle_and_iowait():
    assert load.busy_ticks(STAT.format(user=100, system=50)) == 150
    with pytest.raises(ValueError):
        load.busy_ticks("intr 5\n")


def test_process_ticks_parse_past_a_name_with_brackets():
    assert load.process_ticks(SELF.format(user=30, system=12)) == 42


def test_meter_subtracts_this_process_and_its_workers():
    proc = FakeProc({"/fake/stat": STAT.format(user=100, system=0),
                     "/fake/self/stat": SELF.format(user=10, system=0)})
    now = [0.0]
    meter = Meter(proc, lambda: now[0], "/fake", hertz=100)
    meter.start()
    now[0] = 2.0
    proc.files["/fake/stat"] = STAT.format(user=400, system=100)
    proc.files["/fake/self/stat"] = SELF.format(user=110, system=50)
    found = meter.stop("nbody: threads", helpers=[0.5])
    assert (found.section, found.seconds) == ("nbody: threads", 2.0)
    assert found.others == pytest.approx((400 - 150 - 50) / 100 / 2)
    assert found.busy


def test_meter_without_proc_stat_says_not_measured():
    meter = Meter(FakeProc({}), lambda: 1.0, "/fake", hertz=100)
    meter.start()
    found = meter.stop("memory")
    assert found.others is None and not found.busy
    with pytest.raises(RuntimeError):
        Meter(FakeProc({})).stop("x")
