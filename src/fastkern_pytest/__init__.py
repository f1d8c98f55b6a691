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
checked against python's result on the sample; one that disagrees fails, not timed.
"""

from __future__ import annotations

from typing import Optional

import pytest

MARK = "fastkern_ladder"
FIXTURE = "fastkern_ladder"


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", f"{MARK}(kernel, size=None, backends=None): benchmark "
                                       "every rung of a fastkern kernel (fixture fastkern_ladder)")


def _marker(node) -> pytest.Mark:
    marker = node.get_closest_marker(MARK)
    if marker is None or not (marker.args or "kernel" in marker.kwargs):
        raise pytest.UsageError(f"{node.nodeid}: the {FIXTURE} fixture needs "
                                f"@pytest.mark.{MARK}(kernel, size=...)")
    return marker


def _kernel(marker: pytest.Mark) -> str:
    from fastkern._anatomy.inputs import kernel_name

    return kernel_name(marker.args[0] if marker.args else marker.kwargs["kernel"])


def pytest_generate_tests(metafunc) -> None:
    if FIXTURE not in metafunc.fixturenames:
        return
    import fastkern

    marker = _marker(metafunc.definition)
    backends = marker.kwargs.get("backends") or fastkern.kernel_backends(_kernel(marker))
    metafunc.parametrize(FIXTURE, list(backends), indirect=True, ids=list(backends))


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
        if spec.own is not None and self.backend != "python":
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
    from fastkern._kernels import KERNELS

    try:
        benchmark = request.getfixturevalue("benchmark")
    except pytest.FixtureLookupError:
        raise pytest.UsageError(f"the {FIXTURE} fixture needs pytest-benchmark: "
                                "pip install pytest-benchmark") from None
    marker = _marker(request.node)
    kernel = _kernel(marker)
    size: Optional[int] = marker.kwargs.get("size")
    return Rung(benchmark, kernel, request.param,
                size if size is not None else KERNELS[kernel].sizes[0])
