"""pytest plugin: one kernel, built-in or registered, benchmarked on every rung as one group.

Registered through the ``pytest11`` entry point and inactive unless a test asks for the
``fastkern_ladder`` fixture: it lives outside the fastkern package, so pytest loading it
imports nothing of fastkern (nor NumPy) until then. Needs pytest-benchmark::

    @pytest.mark.fastkern_ladder(norm2, size=10_000)     # a kernel, its function or its name
    def test_norm2(fastkern_ladder):
        fastkern_ladder()

The test runs once per rung (``test_norm2[python]``, ``[compiled]``...), each a benchmark in
the group ``"norm2 size=10000"``, so ``pytest --benchmark-group-by=group`` shows the ladder
and ``--benchmark-compare`` compares it across runs. A registered kernel's rung is first
checked against python's result on the sample; one that disagrees fails, not timed. A test
that uses the fixture without the marker, or names an unknown kernel or backend in it, fails
on its own with the reason; the rest of its file runs.
"""

from __future__ import annotations

from typing import Optional

import pytest

MARK = "fastkern_ladder"
FIXTURE = "fastkern_ladder"


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", f"{MARK}(kernel, size=None, backends=None): benchmark "
                                       "every rung of a fastkern kernel (fixture fastkern_ladder)")


class Misuse:
    """The parameter of a test that uses the plugin wrongly: its fixture fails that one test."""

    def __init__(self, message: str):
        self.message = message


def _marker(node) -> pytest.Mark:
    marker = node.get_closest_marker(MARK)
    if marker is None or not (marker.args or "kernel" in marker.kwargs):
        raise ValueError(f"the {FIXTURE} fixture needs @pytest.mark.{MARK}(kernel, size=...)")
    return marker


def _rungs(node) -> list[str]:
    """The backends the test's marker asks for (all its kernel has, unless it names some);
    ValueError saying what is wrong with the marker."""
    from fastkern import _dispatch

    marker = _marker(node)
    kernel = marker.args[0] if marker.args else marker.kwargs["kernel"]
    available = _dispatch.kernel_backends(kernel)
    asked = marker.kwargs.get("backends")
    if not asked:
        return available
    known = _dispatch.known_backends() + [name for name in available if name not in _dispatch.known_backends()]
    unknown = [name for name in asked if name not in known]
    if unknown:
        raise ValueError(f"unknown backend(s) {', '.join(map(repr, unknown))} in @pytest.mark.{MARK}; "
                         f"choose from {', '.join(known)}")
    return list(asked)


def pytest_generate_tests(metafunc) -> None:
    if FIXTURE not in metafunc.fixturenames:
        return
    try:
        backends = _rungs(metafunc.definition)
    except ValueError as error:
        metafunc.parametrize(FIXTURE, [Misuse(f"{metafunc.definition.nodeid}: {error}")],
                             indirect=True, ids=["misused"])
        return
    metafunc.parametrize(FIXTURE, backends, indirect=True, ids=backends)


class Rung:
    """One rung of the ladder, ready to benchmark: call it to run the benchmark."""

    def __init__(self, benchmark, kernel: str, backend: str, size: int):
        self.benchmark, self.kernel, self.backend, self.size = benchmark, kernel, backend, size

    def __call__(self) -> object:
        from fastkern import _dispatch
        from fastkern._anatomy.agreement import agrees
        from fastkern._kernels import KERNELS

        spec = KERNELS[self.kernel]
        try:
            implementation = _dispatch.implementation(self.kernel, self.backend)
        except _dispatch.BackendError as error:
            pytest.skip(f"{self.kernel} on {self.backend} is absent: {error}")
        args = _dispatch.prepare(self.kernel, self.backend, *spec.sample(self.size))
        if spec.implementations.run_time and self.backend != "python":
            reference = _dispatch.implementation(self.kernel, "python")(
                *_dispatch.prepare(self.kernel, "python", *spec.sample(self.size)))
            result = implementation(*args)
            if not agrees(result, reference):
                pytest.fail(f"{self.kernel} on {self.backend} disagrees with python on the sample: "
                            f"{result!r} != {reference!r}")
        self.benchmark.group = f"{self.kernel} size={self.size}"
        self.benchmark.extra_info.update(kernel=self.kernel, backend=self.backend, size=self.size,
                                         work=spec.work(self.size), unit=spec.unit)
        return self.benchmark(implementation, *args)


@pytest.fixture
def fastkern_ladder(request) -> Rung:
    """The rung this test instance benchmarks (see the module's documentation)."""
    from fastkern import _dispatch
    from fastkern._kernels import KERNELS

    if isinstance(request.param, Misuse):
        pytest.fail(request.param.message, pytrace=False)
    try:
        benchmark = request.getfixturevalue("benchmark")
    except pytest.FixtureLookupError:
        raise pytest.UsageError(f"the {FIXTURE} fixture needs pytest-benchmark: "
                                "pip install pytest-benchmark") from None
    marker = _marker(request.node)
    kernel = _dispatch.kernel_spec(marker.args[0] if marker.args else marker.kwargs["kernel"]).name
    size: Optional[int] = marker.kwargs.get("size")
    return Rung(benchmark, kernel, request.param,
                size if size is not None else KERNELS[kernel].sizes[0])
