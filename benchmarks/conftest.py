"""Options for the benchmark suites.

The default run takes about a minute: one size per kernel (the large one, where the rungs
of the ladder separate), at least 3 rounds of at most 0.25 s per benchmark, and the columns
the legend explains. ``--benchmark-full`` runs the full matrix (both sizes, pytest-benchmark's
own 5 rounds and 1 s); ``--kernel-sizes`` and any ``--benchmark-*`` option given on the
command line override these defaults. The peer group (``test_peers.py``) ends the run with
its interleaved medians and ratios.
"""

import pytest

#: pytest-benchmark options of the default run: (command-line flag, attribute, value).
QUICK_DEFAULTS = (
    ("--benchmark-max-time", "benchmark_max_time", 0.25),
    ("--benchmark-min-rounds", "benchmark_min_rounds", 3),
)
#: Median and IQR, plus the columns pytest-benchmark's legend explains (Outliers, OPS).
COLUMNS = ("--benchmark-columns", "benchmark_columns", ["median", "iqr", "outliers", "ops", "rounds"])
#: (group, {call: median seconds}) of each group ``test_peers.test_interleaved`` timed.
PEER_RATIOS = pytest.StashKey[list]()


def pytest_addoption(parser):
    parser.addoption("--kernel-sizes", choices=("small", "large", "all"), default=None,
                     help="which registry sizes to benchmark: small, large (default) or all")
    parser.addoption("--benchmark-full", action="store_true",
                     help="the full matrix: every kernel at both sizes, with pytest-benchmark's "
                          "default rounds and time per benchmark (several minutes)")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    given = config.invocation_params.args
    defaults = [COLUMNS] + ([] if config.getoption("--benchmark-full") else list(QUICK_DEFAULTS))
    for flag, attribute, value in defaults:
        if not any(str(arg).startswith(flag) for arg in given) and hasattr(config.option, attribute):
            setattr(config.option, attribute, value)


def kernel_sizes(config) -> str:
    return config.getoption("--kernel-sizes") or ("all" if config.getoption("--benchmark-full") else "large")


def pytest_generate_tests(metafunc):
    if "size_index" in metafunc.fixturenames:
        indices = {"small": [0], "large": [1], "all": [0, 1]}[kernel_sizes(metafunc.config)]
        metafunc.parametrize("size_index", indices, ids=["small", "large"][indices[0]:indices[-1] + 1])


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, config):
    if config.getoption("benchmark_disable", False):
        return
    terminalreporter.write_line("  Median: the middle round; IQR: interquartile range of the rounds "
                                "(the spread); Rounds: timed rounds, each of one or more calls")
    peers = config.stash.get(PEER_RATIOS, [])
    if peers:
        terminalreporter.section("peers: interleaved medians (thread CPU time; wall clock where marked)")
    for group, medians in peers:
        (first, reference), *others = medians.items()
        terminalreporter.write_line(f"{group}: {first} {_duration(reference)}")
        for label, median in others:
            terminalreporter.write_line(
                f"    {label}: {_duration(median)}, {first} takes {reference / median:.2f}x its time"
                + (f" (adds {_duration(reference - median)})" if label == "raw c" else ""))


def _duration(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"
