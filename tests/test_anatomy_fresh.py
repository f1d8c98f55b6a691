"""The ladder's later passes in a fresh interpreter: what comes back, and every way it fails."""

import stat
import sys

import pytest

from fastkern._anatomy import fresh
from fastkern._anatomy.settings import Settings

QUICK = Settings.for_mode(True)
#: The module a fresh interpreter runs to serve the ladder's passes.
LADDER = "fastkern._anatomy.ladder"


def test_one_fresh_interpreter_times_each_kernel_asked_for_in_turn():
    with fresh.Interpreter(QUICK, LADDER) as child:
        first = child.measure("sum", 1000, ["python", "c"])
        used = child.cpu
        process = child._child
        second = child.measure("fib", 10, ["c"])
        assert child._child is process, "one interpreter serves every request"
        assert child.cpu >= used > 0
    assert process.returncode == 0, "the child exits when its input ends"
    assert list(first) == ["python", "c"] and list(second) == ["c"]
    for timing in [*first.values(), *second.values()]:
        assert len(timing.samples) == len(timing.speeds) == QUICK.ladder_samples
        assert timing.clock == "thread CPU" and timing.loops >= 1
        assert min(timing.samples) <= timing.median <= max(timing.samples)


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
    with fresh.Interpreter(QUICK, LADDER, executable=script(tmp_path, body)) as child:
        with pytest.raises(fresh.FreshError, match=said):
            child.measure("sum", 1000, ["python"])
        with pytest.raises(fresh.FreshError, match=said):
            child.measure("fib", 10, ["python"])
        assert child._child is None, "a failed child is not started again"


def test_a_child_that_cannot_start_or_hangs_raises_fresh_error(tmp_path):
    with pytest.raises(fresh.FreshError, match="FileNotFoundError"):
        with fresh.Interpreter(QUICK, LADDER, executable=str(tmp_path / "missing")) as child:
            child.measure("sum", 1000, ["python"])
    hung = fresh.Interpreter(QUICK, LADDER, executable=script(tmp_path, "sleep 30"), timeout=0.2)
    with pytest.raises(fresh.FreshError, match="no answer within 0.2 s"):
        hung.measure("sum", 1000, ["python"])
    assert hung._child is None, "the hung child was stopped"


def test_the_child_refuses_a_request_it_cannot_serve():
    with fresh.Interpreter(QUICK, LADDER, executable=sys.executable) as child:
        with pytest.raises(fresh.FreshError, match="KeyError: 'no_such_kernel'"):
            child.measure("no_such_kernel", 1000, ["python"])


def test_a_pipe_that_cannot_be_waited_on_raises_fresh_error(monkeypatch):
    def refused(*args):
        raise OSError("[WinError 10038] not a socket")

    monkeypatch.setattr(fresh.select, "select", refused)
    with fresh.Interpreter(QUICK, LADDER) as child:
        with pytest.raises(fresh.FreshError, match="cannot wait for the child: .*10038"):
            child.measure("sum", 1000, ["python"])
