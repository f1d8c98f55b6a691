"""On a free-threaded CPython (3.13t and later): fastkern keeps the GIL off."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig

import pytest

import fastkern

pytestmark = pytest.mark.skipif(
    not sysconfig.get_config_var("Py_GIL_DISABLED"),
    reason="needs a free-threaded CPython build (e.g. 3.13t); this interpreter has a GIL")

IMPORT_EVERYTHING = """
import importlib, pkgutil, sys
import fastkern
names = [info.name for info in pkgutil.walk_packages(fastkern.__path__, "fastkern.")]
for name in names:
    importlib.import_module(name)
print(len(names), sys._is_gil_enabled())
"""


def test_importing_every_module_keeps_the_gil_off():
    env = {key: value for key, value in os.environ.items() if key != "PYTHON_GIL"}
    done = subprocess.run([sys.executable, "-c", IMPORT_EVERYTHING], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    count, enabled = done.stdout.split()
    assert int(count) > 10 and enabled == "False", done.stderr
    assert "GIL" not in done.stderr, done.stderr


def test_info_says_the_gil_is_off():
    details = fastkern.info()
    assert details["free_threaded_build"] is True and details["gil_disabled"] is True


BUILD_A_RUNG = """
import sys
sys.path.insert(0, sys.argv[1])
import oscillator
absent = oscillator.oscillator.build(["compiled", "annotated"])
assert not absent, absent
assert oscillator.oscillator(100, 0.01, backend="compiled") == oscillator.oscillator(100, 0.01)
print(sys._is_gil_enabled())
"""


def test_building_a_registered_kernels_rungs_keeps_the_gil_off(tmp_path):
    examples = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")
    env = {key: value for key, value in os.environ.items() if key != "PYTHON_GIL"}
    env["FASTKERN_CACHE_DIR"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-c", BUILD_A_RUNG, examples], capture_output=True,
                          text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False"] and "GIL" not in done.stderr, done.stderr
