"""Rungs built at run time: the private cache, the compiler's own error, and a machine
without Cython or a C compiler (simulated in a subprocess)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import threading

import pytest

import fastkern
from fastkern import _build

from conftest import EXAMPLES


def test_cache_dir_is_created_private_under_xdg_cache_home(tmp_path, monkeypatch):
    monkeypatch.delenv("FASTKERN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = _build.cache_dir()
    assert folder == tmp_path / "xdg" / "fastkern"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_cache_dir_others_may_write_to_is_refused(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("FASTKERN_CACHE_DIR", str(shared))
    with pytest.raises(_build.Unavailable, match="not private"):
        _build.cache_dir()


def test_cache_key_changes_with_source_rung_and_compiler(monkeypatch):
    key = _build.cache_key("compiled", "def f(x):\n    return x\n")
    assert key == _build.cache_key("compiled", "def f(x):\n    return x\n")
    assert key != _build.cache_key("annotated", "def f(x):\n    return x\n")
    assert key != _build.cache_key("compiled", "def f(x):\n    return x + 1\n")
    monkeypatch.setenv("CC", f"{_build.compiler()[0]} -DDIFFERENT")
    assert key != _build.cache_key("compiled", "def f(x):\n    return x\n")


def test_a_compiler_error_is_reported_as_the_compilers_message(tmp_path, monkeypatch):
    fake = tmp_path / "fakecc"
    fake.write_text("#!/bin/sh\necho 'fakecc: error: simulated failure' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CC", str(fake))
    from own_kernels import sum_of_squares

    with pytest.raises(fastkern.BackendError) as raised:
        sum_of_squares([1.0], backend="compiled")
    assert isinstance(raised.value, _build.BuildError)
    assert str(raised.value) == "the C compiler failed:\nfakecc: error: simulated failure"
    assert "compiled" not in fastkern.kernel_backends("sum_of_squares")
    assert raised.value.reason == "the C compiler failed: fakecc: error: simulated failure"
    with pytest.raises(fastkern.BackendError, match="absent: the C compiler failed: fakecc: error"):
        sum_of_squares([1.0], backend="compiled")


def test_eight_threads_asking_for_a_rung_at_once_share_one_build():
    import oscillator

    start = threading.Barrier(8)
    results, errors = [], []

    def worker():
        try:
            start.wait()
            results.append(oscillator.oscillator(100, 0.01, backend="compiled"))
        except BaseException as error:
            errors.append(error)

    pool = [threading.Thread(target=worker) for _ in range(8)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    assert results == [oscillator.oscillator(100, 0.01, backend="python")] * 8
    assert type(fastkern.implementation("oscillator", "compiled")).__name__ == "cython_function_or_method"


def _run(code: str, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(EXAMPLES), **env}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=environment, timeout=300)


def test_without_a_c_compiler_the_report_runs_with_those_rungs_absent(tmp_path):
    done = _run("""
        import fastkern, trees
        from fastkern._anatomy import render
        print(fastkern.kernel_backends("tree_sum"))
        report = fastkern.anatomy(trees.tree_sum, 300, threads=(1, 2), quick=True, shared=False)
        render.render(report)
        """, CC="/nonexistent/cc", PATH=str(tmp_path), FASTKERN_CACHE_DIR=str(tmp_path / "cache"),
                NUMBA_CACHE_DIR=str(tmp_path / "numba"))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.splitlines()[0] in ("['python']", "['python', 'numba']")
    text = " ".join(done.stdout.split())
    reason = ("compiled, annotated not timed: no C compiler: /nonexistent/cc is not on PATH; "
              'install one, and pip install "fastkern[compile]"')
    assert text.count(reason) == 1 and text.count("no C compiler") == 1
    for title in ("The ladder", "Where python's time goes", "GIL", "Event loop"):
        assert title in done.stdout


def test_without_cython_the_rungs_are_absent_with_the_install_hint():
    done = _run("""
        import importlib.abc, sys
        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name == "Cython" or name.startswith("Cython."):
                    raise ImportError("simulated: no Cython")
        sys.meta_path.insert(0, Block())
        import fastkern, oscillator
        print(fastkern.kernel_backends("oscillator")[:1])
        print(oscillator.oscillator.build(["compiled", "annotated"]))
        print(oscillator.oscillator(10, 0.1) == oscillator.oscillator(10, 0.1, backend="python"))
        """)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "['python']"
    reason = 'Cython is not installed: pip install "fastkern[compile]"'
    assert lines[1] == repr({"compiled": reason, "annotated": reason})
    assert lines[2] == "True"


def test_two_processes_building_the_same_rung_at_once_both_succeed(tmp_path):
    code = textwrap.dedent("""
        import own_kernels
        print(own_kernels.sum_of_squares([1.0, 2.0], backend="compiled"))
        """)
    environment = {**os.environ, "PYTHONPATH": os.path.dirname(__file__),
                   "FASTKERN_CACHE_DIR": str(tmp_path / "cache")}
    builds = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=environment)
              for _ in range(2)]
    outputs = [build.communicate(timeout=300) for build in builds]
    assert [build.returncode for build in builds] == [0, 0], outputs
    assert [out for out, _ in outputs] == ["5.0\n", "5.0\n"]
    assert [p.name.startswith("fastkern_compiled_sum_of_squares_") for p in (tmp_path / "cache").iterdir()] == [True]
