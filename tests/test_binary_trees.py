"""binary_trees: the Benchmarks Game rows, the depth clamp, bad inputs, every backend."""

from __future__ import annotations

import gc
import resource
import subprocess
import sys
import textwrap

import pytest

import fastkern

from helpers import assert_identical, call_all

BACKENDS = fastkern.kernel_backends("binary_trees")
PUBLISHED_10 = [(11, 1, 4095), (4, 1024, 31744), (6, 256, 32512), (8, 64, 32704),
                (10, 16, 32752), (10, 1, 2047)]


def nodes(depth):
    return 2 ** (depth + 1) - 1


def expected_rows(max_depth):
    """The rows from the definition, by arithmetic rather than by building trees."""
    deepest = max(6, max_depth)
    rows = [(deepest + 1, 1, nodes(deepest + 1))]
    for depth in range(4, deepest + 1, 2):
        iterations = 2 ** (deepest - depth + 4)
        rows.append((depth, iterations, iterations * nodes(depth)))
    return rows + [(deepest, 1, nodes(deepest))]


@pytest.mark.parametrize("backend", BACKENDS)
def test_max_depth_10_matches_the_published_output(backend):
    assert_identical(fastkern.binary_trees(10, backend=backend), PUBLISHED_10)


@pytest.mark.parametrize("max_depth", [0, 1, 5, 6, 7, 9, 11])
def test_every_backend_gives_the_rows_of_the_definition(max_depth):
    for backend, rows in call_all("binary_trees", max_depth).items():
        assert_identical(rows, expected_rows(max_depth), backend)


def test_depths_below_six_are_raised_to_six():
    assert fastkern.binary_trees(0, backend="python") == expected_rows(6)
    assert fastkern.binary_trees(0, backend="python")[0] == (7, 1, 255)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("bad, error, words", [
    (-1, ValueError, "in 0..24"), (25, ValueError, "in 0..24"), (2**70, ValueError, "in 0..24"),
    (10.0, TypeError, "integer"), (True, TypeError, "integer"), ("10", TypeError, "integer"),
    (None, TypeError, "integer"),
])
def test_bad_depths_are_refused_naming_the_argument(backend, bad, error, words):
    with pytest.raises(error, match=f"^max_depth must .*{words}"):
        fastkern.binary_trees(bad, backend=backend)


@pytest.mark.parametrize("module", ["_python", "_compiled"])
def test_object_backends_build_nodes_the_cycle_collector_tracks(module):
    import importlib

    backend = importlib.import_module(f"fastkern.backends.{module}")
    tree = backend._tree(3)
    assert type(tree).__name__ == "Node" and gc.is_tracked(tree)
    assert backend._check(tree) == 15


def test_the_python_backend_runs_the_cycle_collector():
    # Compiled code never passes the interpreter's eval-breaker checks, where Python 3.12+
    # runs a pending collection, so only the interpreted backend is sure to trigger one. A
    # fresh interpreter: free-threaded 3.13t collects only once the young objects pass a
    # quarter of the long-lived ones, which a test process holds by the hundred thousand.
    script = textwrap.dedent("""
        import gc, fastkern
        collections = []
        gc.collect()
        gc.callbacks.append(lambda phase, info: collections.append(phase))
        fastkern.binary_trees(12, backend="python")  # 8191 live nodes: past the thresholds
        print(collections.count("start"))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 1


@pytest.mark.parametrize("backend", ["typed", "c"])
def test_release_gil_does_not_change_the_rows(backend):
    assert_identical(fastkern.binary_trees(9, backend=backend, release_gil=False),
                     fastkern.binary_trees(9, backend=backend, release_gil=True))


@pytest.mark.parametrize("backend", ["typed", "c"])
def test_raw_c_backends_refuse_depths_they_cannot_allocate(backend):
    raw = fastkern.implementation("binary_trees", backend)
    for bad in (-1, 25):
        with pytest.raises(ValueError, match="max_depth must be in 0..24"):
            raw(bad)


@pytest.mark.parametrize("threads", [None, 2])
def test_c_keeps_its_blocks_so_a_repeated_call_faults_few_pages_in(threads):
    # A block freed back to glibc is trimmed from the heap and faulted in again on the next
    # call: about 2,000 page faults per depth-16 call with threads=2, more than the pages of
    # one depth-16 tree (2**17 nodes of 16 bytes: 512 pages). Two calls first: the second
    # may hand a block only partly touched by the first to another role.
    for _ in range(2):
        fastkern.binary_trees(16, backend="c", threads=threads)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    fastkern.binary_trees(16, backend="c", threads=threads)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before < 512
