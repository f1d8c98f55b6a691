"""The ladder's second pass in a fresh interpreter: what comes back, and every way it fails."""

import stat
import sys

import pytest

from fastkern._anatomy import fresh
from fastkern._anatomy.settings import Settings

QUICK = Settings.for_mode(True)


def test_a_fresh_interpreter_times_every_backend_asked_for():
    timings, cpu = fresh.measure("sum", 1000, ["python", "c"], QUICK)
    assert list(timings) == ["python", "c"]
    for timing in timings.values():
        assert len(timing.samples) == len(timing.speeds) == QUICK.ladder_samples
        assert timing.clock == "thread CPU" and timing.loops >= 1
        assert min(timing.samples) <= timing.median <= max(timing.samples)
    assert cpu > 0


def script(tmp_path, body):
    path = tmp_path / "python"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.mark.parametrize("body, said", [
    ("echo 'ValueError: no kernel' >&2; exit 3", "ValueError: no kernel"),
    ("exit 4", "exit status 4"),
    ("echo not json", "unreadable answer: JSONDecodeError"),
    ("echo '{\"timings\": {}, \"cpu\": 1}'", "unreadable answer: KeyError: 'python'"),
])
def test_a_failing_child_raises_fresh_error_with_its_last_word(tmp_path, body, said):
    with pytest.raises(fresh.FreshError, match=said):
        fresh.measure("sum", 1000, ["python"], QUICK, executable=script(tmp_path, body))


def test_a_child_that_cannot_start_or_hangs_raises_fresh_error(tmp_path):
    with pytest.raises(fresh.FreshError, match="FileNotFoundError"):
        fresh.measure("sum", 1000, ["python"], QUICK, executable=str(tmp_path / "missing"))
    with pytest.raises(fresh.FreshError, match="TimeoutExpired"):
        fresh.measure("sum", 1000, ["python"], QUICK, executable=script(tmp_path, "sleep 5"),
                      timeout=0.2)


def test_the_child_refuses_a_request_it_cannot_serve():
    with pytest.raises(fresh.FreshError, match="KeyError: 'no_such_kernel'"):
        fresh.measure("no_such_kernel", 1000, ["python"], QUICK, executable=sys.executable)
