"""Every example in README.md and docs/*.md runs as written.

In each file, fenced blocks are read by their language:

- ``python`` blocks are fed line by line to an interactive console in a fresh interpreter,
  as pasting them into the REPL would (so a compound statement not closed by a blank line
  fails here too); a block whose first line is ``# NAME.py`` is a file instead, written
  into the working folder (where the examples and commands can import it), not pasted;
- ``sh`` blocks: the lines that call ``python -m fastkern`` run as commands, in order. The
  lines that install (pip), build wheels or run pytest are run by .ci/run and .ci/wheel
  instead, and are checked here to be exactly the commands those scripts run;
- ``text`` blocks show commands that take too long for a test (full runs, benchmarks) or
  need another setup: they do not run, but every fastkern command anywhere in the docs,
  run or not, is checked to name a real verb and real options.
"""

import functools
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import fastkern
from helpers import default_ctrl_c

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FILE_NAME = re.compile(r"# ([\w.-]+\.py)\n")


def name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def blocks(path: Path) -> list[tuple[str, str]]:
    """The fenced code blocks of a markdown file: (language, text)."""
    return re.findall(r"^```(\w*)\n(.*?)^```", path.read_text(encoding="utf-8"), flags=re.M | re.S)


def python_blocks(path: Path) -> list[str]:
    return [text for language, text in blocks(path) if language == "python" and not FILE_NAME.match(text)]


def files(path: Path) -> dict[str, str]:
    """The blocks that are files: name -> text."""
    return {FILE_NAME.match(text)[1]: text for language, text in blocks(path)
            if language == "python" and FILE_NAME.match(text)}


def shell_lines(path: Path) -> list[str]:
    return [line.split("  #")[0].strip() for language, text in blocks(path) if language == "sh"
            for line in text.splitlines() if line.strip()]


def fastkern_lines(path: Path) -> list[str]:
    """The shell lines of ``path`` that this test runs."""
    return [line for line in shell_lines(path) if line.startswith("python -m fastkern")]


README = ROOT / "README.md"
ELSEWHERE = [line for line in shell_lines(README) if line not in fastkern_lines(README)]
WITH_PYTHON = [path for path in DOCS if python_blocks(path)]
WITH_COMMANDS = [path for path in DOCS if fastkern_lines(path)]


def write_files(path: Path, folder: Path) -> None:
    for file_name, text in files(path).items():
        (folder / file_name).write_text(text, encoding="utf-8")


#: Run in a fresh interpreter: pastes the blocks (JSON on stdin) into an interactive
#: console and exits with status 1 after the first line that fails, naming it.
CONSOLE = r"""
import code, json, sys

class Console(code.InteractiveConsole):
    error = None

    def showtraceback(self):
        self.error = self.error or sys.exc_info()[1]

    def showsyntaxerror(self, filename=None, **kwargs):
        self.error = self.error or sys.exc_info()[1]

console = Console()
for block in json.load(sys.stdin):
    for line in block.splitlines():
        console.push(line)
        if console.error is not None:
            sys.exit(f"{line!r}: {console.error!r}")
    if console.push(""):
        sys.exit("a block leaves a statement open")
"""


def test_every_file_of_docs_is_linked_from_the_readme():
    text = README.read_text(encoding="utf-8")
    for path in DOCS[1:]:
        assert f"]({name(path)})" in text or f"]({name(path)}#" in text, f"README does not link {name(path)}"


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("path", DOCS, ids=name)
def test_links_lead_somewhere(path):
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.M | re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"\w+://", target):
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        assert linked.exists(), f"{name(path)}: {target} leads nowhere"
        if anchor:
            headings = re.findall(r"^#+ (.*)$", linked.read_text(encoding="utf-8"), flags=re.M)
            assert anchor in {slug(h) for h in headings}, f"{name(path)}: no heading for {target}"


@pytest.mark.parametrize("path", WITH_PYTHON, ids=name)
def test_python_examples_run_when_pasted_into_the_repl(path, tmp_path):
    write_files(path, tmp_path)
    for file_name, text in files(path).items():
        compile(text, file_name, "exec")
    result = subprocess.run([sys.executable, "-c", CONSOLE], input=json.dumps(python_blocks(path)),
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{name(path)}: {result.stderr}"
    if path == README:
        assert "The ladder" in result.stdout


@pytest.mark.parametrize("path", WITH_COMMANDS, ids=name)
def test_fastkern_commands_run_in_order(path, tmp_path):
    write_files(path, tmp_path)
    lines = fastkern_lines(path)
    for line in lines:
        argv = shlex.split(line)
        result = subprocess.run([sys.executable, *argv[1:]], cwd=tmp_path, capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 0, f"{name(path)}: {line}: {result.stderr}"
        assert "Traceback" not in result.stderr, f"{name(path)}: {line}: {result.stderr}"
    written = re.findall(r"--(?:json|plot) (\S+)", " ".join(lines))
    for output in written:
        assert (tmp_path / output).stat().st_size > 0, f"{name(path)}: {output} not written"


@functools.lru_cache(maxsize=None)
def cli() -> dict[str, dict[str, bool]]:
    """Each verb of the command line (and "" for the top level): its options, each with
    whether it takes a value, read from ``--help``."""
    def options(*verb: str) -> dict[str, bool]:
        text = subprocess.run([sys.executable, "-m", "fastkern", *verb, "--help"], check=True,
                              capture_output=True, text=True, timeout=60).stdout
        text = text.partition("\noptions:\n")[2]
        found = re.findall(r"^\s+(?:-\w, )?(--[\w-]+)( [A-Z])?", text, flags=re.M)
        return {option: bool(value) for option, value in found}

    top = subprocess.run([sys.executable, "-m", "fastkern", "--help"], check=True,
                         capture_output=True, text=True, timeout=60).stdout
    verbs = re.search(r"\{([\w,]+)\}", top)[1].split(",")
    assert "anatomy" in verbs and "--quick" in options("anatomy")
    return {"": options(), **{verb: options(verb) for verb in verbs}}


def commands(path: Path) -> list[str]:
    """Every fastkern command line in ``path``: in any code block, or an inline code span."""
    text = path.read_text(encoding="utf-8")
    code = [line for _, block in blocks(path) for line in block.splitlines()]
    prose = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    code += [span.replace("\n", " ") for span in re.findall(r"(?<!`)`([^`]+)`(?!`)", prose)]
    found = []
    for line in code:
        for part in line.split("  #")[0].split("&&"):
            part = part.strip()
            if part == "fastkern" or part.startswith(("python -m fastkern", "fastkern ")):
                found.append(part)
    return found


def problem(command: str) -> str | None:
    """Why ``command`` is not a command line fastkern accepts, or None."""
    argv = shlex.split(command)
    argv = argv[3:] if argv[0] == "python" else argv[1:]
    verbs = cli()
    if not argv or argv[0] in verbs[""]:
        return None
    verb = argv[0] if argv[0] in verbs else "anatomy"
    if verb == "anatomy" and argv[0] != "anatomy" and not (
            argv[0].startswith("-") or argv[0] in fastkern.kernels() or ":" in argv[0]):
        return f"{argv[0]!r} is neither a verb nor a kernel"
    rest = argv[1:] if argv[0] == verb else argv
    takes_value = False
    for token in rest:
        if takes_value:
            takes_value = False
        elif token.startswith("--"):
            option = token.split("=")[0]
            if option not in verbs[verb]:
                return f"{verb} has no option {option}"
            takes_value = verbs[verb][option] and "=" not in token
        elif verb == "anatomy" and token not in fastkern.kernels() and ":" not in token:
            return f"{token!r} is not a kernel"
    return None


@pytest.mark.parametrize("path", DOCS, ids=name)
def test_every_fastkern_command_in_the_docs_is_one_the_cli_accepts(path):
    for command in commands(path):
        assert problem(command) is None, f"{name(path)}: {command}: {problem(command)}"


def test_the_commands_a_test_runs_are_quick():
    """A measuring command in an ``sh`` block runs in this test: it must be a quick pass
    (the full run and --repeat belong in ``text`` blocks)."""
    for path in WITH_COMMANDS:
        for line in fastkern_lines(path):
            argv = shlex.split(line)[3:]
            if not argv or argv[0] not in ("report", "compare", "info", "--version", "--help"):
                assert "--quick" in argv and "--repeat" not in argv, f"{name(path)}: {line}"


def test_install_and_build_lines_are_the_ones_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text() + (ROOT / ".ci" / "wheel").read_text()
    assert ELSEWHERE[1:3] == ['python -m pip install . && python -m fastkern',
                              'python -m pip install ".[test]" && python -m pytest']
    assert 'python -m pip install ".[test]"' in ci and "\nrun_pytest\n" in ci
    wheels = shell_lines(ROOT / "docs" / "wheels.md")
    assert "python -m pip wheel . --no-deps -w dist" in wheels and "python -m pip wheel . --no-deps" in ci
    assert any(line.startswith("auditwheel repair") for line in wheels) and "auditwheel repair" in ci
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
