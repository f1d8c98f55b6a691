"""A script that calls the anatomy without ``if __name__ == "__main__":`` gets told so,
instead of every worker process of the processes section running the whole anatomy again."""

import multiprocessing
import subprocess
import sys
import textwrap
from concurrent.futures.process import BrokenProcessPool

import pytest

import fastkern
from fastkern._anatomy import run

GUARD = "if __name__ == \"__main__\":"


def test_a_call_made_while_a_worker_imports_the_main_module_is_refused(monkeypatch):
    monkeypatch.setattr(multiprocessing.current_process(), "_inheriting", True, raising=False)
    with pytest.raises(RuntimeError, match="worker process was importing the main module") as caught:
        fastkern.anatomy("sum", 1000, quick=True)
    assert GUARD in str(caught.value)
    with pytest.raises(RuntimeError, match="importing the main module"):
        fastkern.anatomy_all(["sum"], quick=True)


def test_the_hint_names_the_script_only_for_a_broken_pool(monkeypatch, tmp_path):
    script = tmp_path / "mine.py"
    monkeypatch.setattr(sys.modules["__main__"], "__file__", str(script), raising=False)
    assert "each worker first imports mine.py" in run._broken_pool_hint(BrokenProcessPool("x"))
    assert GUARD in run._broken_pool_hint(BrokenProcessPool("x"))
    assert run._broken_pool_hint(ValueError("x")) == ""
    monkeypatch.setattr(sys.modules["__main__"], "__file__", fastkern.__file__)
    assert run._broken_pool_hint(BrokenProcessPool("x")) == "", "fastkern's own CLI is guarded"


def test_an_unguarded_script_runs_its_anatomy_once_and_names_the_cause(tmp_path):
    script = tmp_path / "unguarded.py"
    script.write_text(textwrap.dedent("""\
        import fastkern
        report = fastkern.anatomy("sum", 1000, quick=True, backends=["python"], shared=False)
        print("report of", report.kernels[0].kernel, "absent:", dict(report.kernels[0].absent))
    """))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("report of sum") == 1, done.stdout
    assert "worker processes failed: BrokenProcessPool" in done.stdout
    assert "each worker first imports unguarded.py" in done.stdout
    assert "worker process was importing the main module" in done.stderr
