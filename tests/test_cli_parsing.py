"""The command line's parsing: the default verb, --version, option values starting with "-"."""

import subprocess
import sys

import pytest

import fastkern
from fastkern import __main__ as cli


def parse(*argv):
    top = cli.parser()
    return top.parse_args(cli.attach_values(cli.with_default_verb(list(argv), top), top))


@pytest.mark.parametrize("argv, kernels", [
    ((), []),
    (("--quick",), []),
    (("--quick", "--json", "r.json"), []),
    (("sum", "--quick"), ["sum"]),
    (("anatomy", "sum", "nbody"), ["sum", "nbody"]),
])
def test_the_default_verb_takes_its_options_without_being_named(argv, kernels):
    args = parse(*argv)
    assert args.verb == "anatomy"
    assert args.kernels == kernels
    assert args.quick == ("--quick" in argv)


def test_options_of_the_default_verb_keep_their_values():
    args = parse("--json", "r.json", "--plot", "r.png", "--threads", "1,2", "--backends", "c")
    assert (args.json, args.plot, args.threads, args.backends) == ("r.json", "r.png", (1, 2), ["c"])


def test_other_verbs_are_untouched():
    assert parse("info", "--json").verb == "info"
    assert parse("report", "r.json").path == "r.json"


@pytest.mark.parametrize("argv, message", [
    (["--threads", "-1,2"], "thread counts"),
    (["anatomy", "sum", "--threads", "-1"], "thread counts"),
    (["--size", "-5"], "positive integer"),
    (["sum", "--size", "-0.5"], "positive integer"),
])
def test_values_starting_with_a_dash_reach_their_checks(argv, message, capsys):
    with pytest.raises(SystemExit) as exit:
        cli.main(argv)
    assert exit.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "expected one argument" not in err


def test_a_missing_value_is_still_reported_as_missing(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--json", "--quick"])
    assert "expected one argument" in capsys.readouterr().err


def test_version():
    result = subprocess.run([sys.executable, "-m", "fastkern", "--version"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.strip() == f"fastkern {fastkern.__version__}"
