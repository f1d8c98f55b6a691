"""Clean ends: no process or listening port outlives a service run, whether it ends
normally, by Ctrl-C at a random moment, with a worker killed, or its server fails to start."""

import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid

import pytest

pytest.importorskip("fastapi", reason="the service tests need fastkern[service]")

from service_helpers import marked  # noqa: E402

from fastkern import __main__ as cli  # noqa: E402
from fastkern._service import extra, procs  # noqa: E402
from fastkern._service.server import Server  # noqa: E402

QUICK = [sys.executable, "-m", "fastkern", "service", "--quick", "--rounds", "1"]
#: The shortest run that still starts every kind of process (uvicorn workers, a process pool).
SHORT = [*QUICK, "--rungs", "python"]


def start(arguments, marker):
    env = {**os.environ, "FASTKERN_TEST_RUN": marker, "COLUMNS": "150"}
    return subprocess.Popen(arguments, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def assert_nothing_left(marker):
    """No process of the run is left, and none listens on a port (waits a moment for
    processes being reaped)."""
    deadline = time.monotonic() + 5
    while marked(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = marked(marker)
    assert not left, f"left behind: {left} listening on {procs.listening(left)}"


def test_a_quick_run_ends_with_findings_first_and_nothing_left(tmp_path):
    marker = uuid.uuid4().hex
    saved = tmp_path / "service.json"
    run = start([*SHORT, "--json", str(saved)], marker)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    assert out.startswith("Findings\n- ")
    assert "its baseline" in out.splitlines()[1]
    data = json.loads(saved.read_text())
    assert data["format"] == "fastkern-service"
    from fastkern._service.report import ServiceReport

    report = ServiceReport.from_json(saved.read_text())
    assert report.problems() == []
    workers = {s.name: s.workers for s in report.scenarios}
    # every worker process's probe is read, in the rounds and the sweep alike
    assert [w.probed for w in report.windows + report.sweep] == [
        workers[w.scenario] for w in report.windows + report.sweep]
    # and each of several workers' own loop lag is kept beside the pooled one
    assert all(len(w.worker_lag_p99) == (w.probed if w.probed > 1 else 0)
               for w in report.windows + report.sweep)
    assert {w.round for w in report.sweep} == {0}
    assert_nothing_left(marker)


@pytest.mark.parametrize("attempt", range(2))
def test_ctrl_c_at_a_random_moment_stops_everything(attempt):
    marker = uuid.uuid4().hex
    run = start(SHORT, marker)
    time.sleep(random.uniform(0.5, 6.0))
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=60)
    assert run.returncode in (130, 0), err
    if run.returncode == 130:
        assert "Traceback" not in err and "interrupted" in err
    assert_nothing_left(marker)


def test_a_killed_worker_leaves_nothing_behind():
    marker = uuid.uuid4().hex
    run = start(SHORT, marker)
    deadline = time.monotonic() + 60
    victims = []
    while not victims and time.monotonic() < deadline:
        time.sleep(0.5)
        victims = [pid for pid in marked(marker) if pid != run.pid
                   and "forkserver" not in open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace")
                   and b"spawn_main" in open(f"/proc/{pid}/cmdline", "rb").read()]
    assert victims, "no worker process appeared"
    os.kill(random.choice(victims), signal.SIGKILL)
    out, err = run.communicate(timeout=120)
    assert run.returncode in (0, 1), err
    assert_nothing_left(marker)


def test_a_server_that_cannot_start_says_why_and_leaves_nothing(monkeypatch):
    marker = uuid.uuid4().hex
    monkeypatch.setenv("FASTKERN_TEST_RUN", marker)
    with pytest.raises(RuntimeError, match="exited with status .* No module named 'no_such_module'"):
        Server({"app": "no_such_module:app"}).start()
    assert_nothing_left(marker)


def test_without_the_extra_the_command_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setattr(extra, "missing", lambda: ["fastapi"])
    assert cli.main(["service", "--quick"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"fastkern: error: fastkern service needs fastapi: {extra.INSTALL}"


@pytest.mark.parametrize("arguments, message", [
    ({"rounds": 0}, "rounds must be a positive integer, got 0"),
    ({"app": "a:b", "url": "http://x"}, "give at most one of them"),
    ({"app": "a:b", "path": "health"}, "path must start with '/', got 'health'"),
    ({"kernels": ["nosuch"]}, "kernels: unknown kernel 'nosuch'"),
    ({"rungs": ["fortran"]}, "rungs: 'fortran' is not a built backend")])
def test_bad_arguments_are_refused_before_anything_starts(arguments, message):
    import fastkern

    with pytest.raises(ValueError, match=message):
        fastkern.service(**arguments)


@pytest.mark.parametrize("argv, message", [
    (["--path", "/x"], "--path needs --app or --url"),
    (["--url", "ftp://x"], "--url: expected an http:// or https:// address"),
    (["fib", "--app", "m:a"], "give kernels, --app or --url, not two of them")])
def test_bad_command_lines_get_one_line_and_status_2(argv, message, capsys):
    assert cli.main(["service", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
