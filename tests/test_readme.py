"""Every example in README.md runs as written.

Python blocks are fed line by line to an interactive console, as pasting them into the
REPL would (so a compound statement not closed by a blank line fails here too). Shell
lines that call fastkern run as commands. The lines that install (pip), build wheels or
run pytest are run by .ci/run and .ci/wheel instead, and are checked here to be exactly
the commands those scripts run.
"""

import code
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import default_ctrl_c

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(\w+)\n(.*?)^```", README, flags=re.M | re.S)
PYTHON = [text for language, text in BLOCKS if language == "python"]
SHELL = [line.split("  #")[0].strip() for language, text in BLOCKS if language == "sh"
         for line in text.splitlines() if line.strip()]
FASTKERN = [line for line in SHELL if line.startswith("python -m fastkern")]
ELSEWHERE = [line for line in SHELL if line not in FASTKERN]


class Console(code.InteractiveConsole):
    """Records the first error instead of printing it."""

    error = None

    def showtraceback(self):
        self.error = self.error or sys.exc_info()[1]

    def showsyntaxerror(self, filename=None, **kwargs):
        self.error = self.error or sys.exc_info()[1]


def test_the_readme_has_examples():
    assert len(PYTHON) >= 3 and len(FASTKERN) >= 5


def test_python_examples_run_when_pasted_into_the_repl(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    console = Console()
    for block in PYTHON:
        for line in block.splitlines():
            console.push(line)
            assert console.error is None, f"{line!r}: {console.error!r}"
        assert not console.push(""), "a block leaves a statement open"
    assert "The ladder" in capsys.readouterr().out


def test_fastkern_commands_run_in_order(tmp_path):
    for line in FASTKERN:
        argv = shlex.split(line)
        result = subprocess.run([sys.executable, *argv[1:]], cwd=tmp_path, capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 0, f"{line}: {result.stderr}"
        assert "Traceback" not in result.stderr
    assert (tmp_path / "nbody.png").stat().st_size > 0


def test_install_and_build_lines_are_the_ones_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text() + (ROOT / ".ci" / "wheel").read_text()
    assert ELSEWHERE[1:3] == ['python -m pip install . && python -m fastkern',
                              'python -m pip install ".[test]" && python -m pytest']
    assert 'python -m pip install ".[test]"' in ci and "\nrun_pytest\n" in ci
    assert "python -m pip wheel . --no-deps" in ci and "auditwheel repair" in ci
    assert "pytest benchmarks" in ci


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used (Linux /proc), which load on the machine does not stretch."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_ctrl_c_stops_a_run_as_the_readme_says(tmp_path):
    run = subprocess.Popen([sys.executable, "-m", "fastkern", "--json", "r.json"], cwd=tmp_path,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           preexec_fn=default_ctrl_c)
    deadline = time.monotonic() + 120
    while cpu_seconds(run.pid) < 2.0 and time.monotonic() < deadline:  # imports done, measuring
        time.sleep(0.05)
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 130
    assert err.strip().endswith("fastkern: interrupted") and "Traceback" not in err
    assert out == "" and not (tmp_path / "r.json").exists()
