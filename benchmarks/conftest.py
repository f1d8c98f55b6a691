"""Options for the benchmark suites."""


def pytest_addoption(parser):
    parser.addoption("--kernel-sizes", choices=("small", "large", "all"), default="all",
                     help="which registry sizes to benchmark: small, large or all (default)")


def pytest_generate_tests(metafunc):
    if "size_index" in metafunc.fixturenames:
        choice = metafunc.config.getoption("--kernel-sizes")
        indices = {"small": [0], "large": [1], "all": [0, 1]}[choice]
        metafunc.parametrize("size_index", indices, ids=["small", "large"][indices[0]:indices[-1] + 1])
