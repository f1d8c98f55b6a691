"""The command line: exit codes, one-line errors, and a real quick run end to end."""

import json
import subprocess
import sys

import pytest

from fastkern import __main__ as cli
from fastkern._anatomy import plot


def run(*args):
    return subprocess.run([sys.executable, "-m", "fastkern", *args], capture_output=True,
                          text=True, timeout=120)


def one_line_error(text):
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert lines[0].startswith("fastkern") and "error:" in lines[0]
    assert "Traceback" not in text


@pytest.mark.parametrize("args, message", [
    (["anatomy", "nope"], "unknown kernel 'nope'"),
    (["anatomy", "sum", "--size", "0"], "positive integer"),
    (["anatomy", "sum", "--size", "-5"], "positive integer"),
    (["anatomy", "sum", "--size", "ten"], "positive integer"),
    (["anatomy", "sum", "--threads", "1,,2"], "thread counts"),
    (["anatomy", "sum", "--threads", "0"], "thread counts"),
    (["anatomy", "sum", "--threads", "two"], "thread counts"),
    (["anatomy", "sum", "--backends", "fortran"], "unknown backend 'fortran'"),
    (["anatomy", "sum", "nbody", "--size", "9"], "--size needs exactly one kernel"),
    (["anatomy", "sum", "--json", "/no/such/folder/r.json"], "does not exist"),
    (["report", "/no/such/report.json"], "cannot read"),
    (["frobnicate"], "'frobnicate' is neither a verb (anatomy, report, compare, "),
    (["no_such_module_here:f"], "cannot import 'no_such_module_here'"),
    (["own_kernels:nothere"], "module 'own_kernels' has no attribute 'nothere'"),
    (["own_kernels:not_registered"], "own_kernels:not_registered is not a fastkern kernel"),
    (["anatomy", "sum", "--size", "99999999999999999999", "--quick"], "the largest size that fits is "),
    (["anatomy", "matmul", "--size", "99999999", "--backends", "c"], "matmul's inputs need "),
    (["anatomy", "mandelbrot", "--size", "99999999999999999999"], "mandelbrot takes sizes up to 2147483647"),
])
def test_bad_arguments_give_one_line_and_status_2(args, message, capsys):
    try:
        status = cli.main(args)
    except SystemExit as exit:
        status = exit.code
    assert status == 2
    err = capsys.readouterr().err
    one_line_error(err)
    assert message in err


def test_a_size_beyond_the_address_space_limit_is_refused_before_allocating():
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30)); "
    done = subprocess.run([sys.executable, "-c", limit + "from fastkern.__main__ import main; "
                           "raise SystemExit(main(['sum', '--size', '1000000000', '--quick']))"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    one_line_error(done.stderr)
    assert "under the address-space limit" in done.stderr


@pytest.mark.parametrize("text, message", [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"format": "fastkern-anatomy", "version": %d, "report": {"kernels": []}}', "lacks the field(s) 'machine'"),
])
def test_a_broken_saved_report_is_one_line(text, message, tmp_path, capsys):
    from fastkern._anatomy.report import VERSION

    path = tmp_path / "broken.json"
    path.write_text(text % VERSION if "%d" in text else text)
    assert cli.main(["report", str(path)]) == 2
    err = capsys.readouterr().err
    one_line_error(err)
    assert message in err


def test_a_kernel_that_refuses_the_size(capsys):
    assert cli.main(["anatomy", "mandelbrot", "--size", str(2**40), "--quick"]) == 2
    one_line_error(capsys.readouterr().err)


def test_missing_matplotlib_is_a_clear_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(plot, "available", lambda: False)
    assert cli.main(["anatomy", "sum", "--plot", str(tmp_path / "a.png")]) == 2
    err = capsys.readouterr().err
    one_line_error(err)
    assert "pip install 'fastkern[plot]'" in err


def test_report_of_a_file_that_is_not_a_report(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text('{"format": "something else"}')
    assert cli.main(["report", str(path)]) == 2
    one_line_error(capsys.readouterr().err)


def test_subprocess_errors_are_one_line():
    result = run("anatomy", "nope")
    assert result.returncode == 2
    one_line_error(result.stderr)
    result = run("anatomy", "sum", "--threads", "1,x")
    assert result.returncode == 2
    one_line_error(result.stderr)


def test_info_still_works():
    result = run("info", "--json")
    assert result.returncode == 0
    assert "backends" in json.loads(result.stdout)


def test_quick_anatomy_saves_json_and_report_rerenders_it(tmp_path):
    path = tmp_path / "sum.json"
    result = run("anatomy", "sum", "--size", "1000", "--threads", "1,2", "--backends",
                 "python,compiled,typed,c", "--quick", "--json", str(path))
    assert result.returncode == 0, result.stderr
    assert "The ladder" in result.stdout and result.stdout.startswith("Findings")
    saved = json.loads(path.read_text())
    assert saved["format"] == "fastkern-anatomy"
    assert [r["backend"] for r in saved["report"]["kernels"][0]["ladder"]] == [
        "python", "compiled", "typed", "c"]
    again = run("report", str(path))
    assert again.returncode == 0, again.stderr
    assert "The ladder" in again.stdout and "Traceback" not in again.stderr


def test_a_ctrl_c_while_the_command_shuts_down_keeps_exit_status_130():
    """An interrupted command closes its clusters, pools and servers on the way out; a
    second Ctrl-C then must not turn status 130 into death by signal (-2)."""
    script = ("import os, signal, sys, threading, time\n"
              "from fastkern import __main__ as cli\n"
              "def interrupted(args):\n"
              "    again = lambda: (time.sleep(0.1), os.kill(os.getpid(), signal.SIGINT))\n"
              "    threading.Thread(target=again).start()\n"
              "    raise KeyboardInterrupt\n"
              "cli.cmd_report = interrupted\n"
              "sys.argv = ['fastkern', 'report', 'x.json']\n"
              "status = cli.main()\n"
              "time.sleep(0.5)  # the shutdown, during which the second Ctrl-C arrives\n"
              "sys.exit(status)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip().endswith("fastkern: interrupted")
