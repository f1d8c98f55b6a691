"""Options for the benchmark suites, and the peer group's summary of interleaved ratios."""

import pytest

#: (group, {call: median seconds}) of each group ``test_peers.test_interleaved`` timed.
PEER_RATIOS = pytest.StashKey[list]()


def pytest_addoption(parser):
    parser.addoption("--kernel-sizes", choices=("small", "large", "all"), default="all",
                     help="which registry sizes to benchmark: small, large or all (default)")


def pytest_generate_tests(metafunc):
    if "size_index" in metafunc.fixturenames:
        choice = metafunc.config.getoption("--kernel-sizes")
        indices = {"small": [0], "large": [1], "all": [0, 1]}[choice]
        metafunc.parametrize("size_index", indices, ids=["small", "large"][indices[0]:indices[-1] + 1])


def _duration(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def pytest_terminal_summary(terminalreporter, config):
    groups = config.stash.get(PEER_RATIOS, [])
    if not groups:
        return
    terminalreporter.section("peers: interleaved medians of thread CPU time")
    for group, medians in groups:
        (first, reference), *others = medians.items()
        terminalreporter.write_line(f"{group}: {first} {_duration(reference)}")
        for label, median in others:
            terminalreporter.write_line(
                f"    {label}: {_duration(median)}, {first} takes {reference / median:.2f}x its time"
                + (f" (adds {_duration(reference - median)})" if label == "raw c" else ""))
