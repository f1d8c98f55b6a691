"""Command line: where Python's time goes, measured on this machine.

    fastkern [options]                     the anatomy of the default kernels (under two minutes)
    fastkern [anatomy] KERNEL [options]    one kernel (or several); --json, --plot, --quick
    fastkern [anatomy] MODULE:FUNCTION    your own function, registered by @fastkern.kernel
    fastkern report PATH.json [--plot P]   re-render a saved report
    fastkern compare A.json B.json [...]   the same figures of several saved reports side by side;
                                           --plot P draws their ratios
    fastkern service [KERNEL ...]          what each rung does to a web service under load
                                           (--app MODULE:APP --path /route, --url URL; needs
                                           fastkern[service])
    fastkern info [--json]                 version, backends built, compiler and flags
    fastkern cluster [KERNEL ...]          each rung as dask tasks in threads and in processes:
                                           the layout it should run in (fastkern[cluster])

anatomy is the default verb: a command line that starts with an option or a kernel name
runs it, so `fastkern --quick` is `fastkern anatomy --quick`. `fastkern anatomy --help`
lists its options. Ctrl-C stops a run (exit status 130) and prints nothing partial.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys

from . import __version__

#: The verb run when the command line names none: ``fastkern --quick`` is ``fastkern anatomy --quick``.
DEFAULT_VERB = "anatomy"
#: An option's value that starts with "-" but is a (bad) number or list, such as ``-1,2``.
_NEGATIVE_VALUE = re.compile(r"-[\d.,]")


class _Parser(argparse.ArgumentParser):
    """Reports bad arguments on one line, without the usage block."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


class _Refused(Exception):
    """A bad argument found after parsing: reported on one line, exit status 2."""


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _thread_counts(text: str) -> tuple[int, ...]:
    try:
        return tuple(_positive(part) for part in text.split(","))
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected positive thread counts separated by commas (e.g. 1,2,4), got {text!r}"
        ) from None


def _names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected names separated by commas, got {text!r}")
    return names


def _writable(path: str, option: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise _Refused(f"{option}: folder {folder} does not exist")


def _check_plot(path: str | None) -> None:
    if path is None:
        return
    from ._anatomy import plot

    if not plot.available():
        raise _Refused(plot.INSTALL_HINT)
    _writable(path, "--plot")


def _show(report, args: argparse.Namespace) -> None:
    from ._report import terminal

    report.show(terminal.console(), explain=args.explain)
    if args.plot:
        report.draw(args.plot)
        print(f"chart written to {args.plot}")


def _save_and_show(report, args: argparse.Namespace) -> int:
    """Saves ``report`` where ``--json`` says, then shows it (and its chart)."""
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            out.write(report.to_json())
    _show(report, args)
    if args.json:
        print(f"report saved to {args.json}")
    return 0


def _registered(path: str) -> str:
    """The registry name of the kernel ``module:function``, importing the module (from the
    current folder too, as ``python -m`` would)."""
    import importlib

    module_name, _, attribute = path.partition(":")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise _Refused(f"cannot import {module_name!r} for {path}: {error} (run from the folder "
                       f"that holds it, or add that folder to PYTHONPATH)") from None
    if not hasattr(module, attribute):
        raise _Refused(f"module {module_name!r} has no attribute {attribute!r} (from {path})")
    name = getattr(getattr(module, attribute), "__fastkern_kernel__", None)
    if name is None:
        raise _Refused(f"{path} is not a fastkern kernel: decorate the function with "
                       f"@fastkern.kernel(sample=...)")
    return name


def cmd_anatomy(args: argparse.Namespace) -> int:
    from . import _dispatch
    from ._anatomy import run

    args.kernels = [_registered(k) if ":" in k else k for k in args.kernels]
    for kernel in args.kernels:
        if kernel not in _dispatch.kernels():
            raise _Refused(f"unknown kernel {kernel!r}; choose one of {', '.join(_dispatch.kernels())}"
                           " or give MODULE:FUNCTION")
    if args.size is not None and len(args.kernels) != 1:
        raise _Refused("--size needs exactly one kernel")
    if args.size is not None and args.sizes_from:
        raise _Refused("give --size or --sizes-from, not both")
    if args.size is not None:
        from ._footprint import size_problem, takes_objects

        problem = size_problem(_dispatch.kernel_spec(args.kernels[0]), args.size,
                               takes_objects(args.backends))
        if problem:
            raise _Refused(problem)
    for backend in args.backends or ():
        if backend not in _dispatch.known_backends():
            raise _Refused(f"unknown backend {backend!r}; "
                           f"choose one of {', '.join(_dispatch.known_backends())}")
        if backend in _dispatch.missing_backends():
            raise _Refused(f"backend {backend!r} is not built here; built: {', '.join(_dispatch.backends())}")
    _check_plot(args.plot)
    if args.json:
        _writable(args.json, "--json")
    kernels = args.kernels or run.default_kernels()
    sizes = {kernels[0]: args.size} if args.size is not None else None
    if args.sizes_from:
        sizes = {k.kernel: k.size for k in _read_report(args.sizes_from).kernels
                 if k.kernel in kernels}
    report = run.anatomy_all(kernels, sizes=sizes, backends=args.backends, threads=args.threads,
                             quick=args.quick, repeat=args.repeat, cores=args.cores, progress=True)
    return _save_and_show(report, args)


def _read_report(path: str):
    from ._report import saved

    try:
        return saved.read(path)
    except OSError as error:
        raise _Refused(f"cannot read {path}: {error.strerror}") from None
    except (ValueError, KeyError, TypeError) as error:
        raise _Refused(f"{path} is not a readable fastkern report: {error}") from None


def cmd_report(args: argparse.Namespace) -> int:
    _check_plot(args.plot)
    _show(_read_report(args.path), args)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from ._report import compare

    if len(args.paths) < 2:
        raise _Refused("compare needs at least two saved reports")
    _check_plot(args.plot)
    if args.json and args.json != "-" and any(
            os.path.abspath(args.json) == os.path.abspath(path) for path in args.paths):
        raise _Refused(f"--json {args.json} would overwrite a report being compared")
    reports = [_read_report(path) for path in args.paths]
    names = [os.path.basename(path) for path in args.paths]
    if args.json == "-":
        print(compare.to_json(reports, names))
    else:
        compare.render(reports, names)
    if args.json and args.json != "-":
        with open(args.json, "w", encoding="utf-8") as out:
            out.write(compare.to_json(reports, names))
        print(f"comparison saved to {args.json}")
    if args.plot:
        from ._report import chart

        chart.write_comparison(compare.rows(reports), names, args.plot)
        print(f"chart written to {args.plot}", file=sys.stderr if args.json == "-" else sys.stdout)
    return 0


def cmd_service(args: argparse.Namespace) -> int:
    from ._service import extra

    if extra.missing():
        raise _Refused(f"fastkern service needs {', '.join(extra.missing())}: {extra.INSTALL}")
    if sum(map(bool, (args.kernels, args.app, args.url))) > 1:
        raise _Refused("give kernels, --app or --url, not two of them")
    if args.path and not (args.app or args.url):
        raise _Refused("--path needs --app or --url")
    if args.app and ":" not in args.app:
        raise _Refused(f"--app: expected MODULE:APP (e.g. myservice:app), got {args.app!r}")
    if args.url and not args.url.startswith(("http://", "https://")):
        raise _Refused(f"--url: expected an http:// or https:// address, got {args.url!r}")
    _check_plot(args.plot)
    if args.json:
        _writable(args.json, "--json")
    from ._service.run import service

    try:
        report = service(args.kernels or None, rungs=args.rungs, app=args.app,
                         path=args.path or "/", url=args.url, quick=args.quick,
                         rounds=args.rounds, progress=True)
    except RuntimeError as error:
        print(f"fastkern: error: {error}", file=sys.stderr)
        return 1
    return _save_and_show(report, args)


def cmd_cluster(args: argparse.Namespace) -> int:
    from ._cluster import lifecycle, run

    try:
        lifecycle.require()
        kernels = [_registered(k) if ":" in k else k for k in args.kernels]
        _check_plot(args.plot)
        if args.json:
            _writable(args.json, "--json")
        report = run.cluster(kernels or None, scheduler=args.scheduler, backends=args.backends,
                             quick=args.quick, progress=True, connect_timeout=args.timeout)
    except lifecycle.ClusterError as error:
        raise _Refused(str(error)) from None
    return _save_and_show(report, args)


def cmd_info(args: argparse.Namespace) -> int:
    from . import info

    details = info()
    if args.json:
        print(json.dumps(details, indent=2))
    else:
        width = max(map(len, details))
        for key, value in details.items():
            print(f"{key:<{width}}  {value}")
    return 0


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="fastkern", description=__doc__,
                  formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--version", action="version", version=f"fastkern {__version__}")
    verbs = top.add_subparsers(dest="verb")

    anatomy = verbs.add_parser("anatomy", help="measure where the time goes (the default)")
    anatomy.add_argument("kernels", nargs="*", metavar="KERNEL",
                         help="kernels to measure (default: a set telling different stories), "
                              "or MODULE:FUNCTION for a function decorated by @fastkern.kernel")
    anatomy.add_argument("--size", type=_positive,
                         help="the kernel's size argument (default: the kernel's reference size, or a "
                              "power of ten of its work away on a machine over 3x faster or "
                              "slower: a ~20 ms python call)")
    anatomy.add_argument("--sizes-from", metavar="PATH.json",
                         help="measure each kernel at its size in this saved report, so that "
                              "`compare` lines the two up on a machine or interpreter over 3x "
                              "faster or slower (kernels it lacks keep their default size)")
    anatomy.add_argument("--threads", type=_thread_counts,
                         help="thread counts, e.g. 1,2,4 (default: 1 up to the usable cores, at least 2)")
    anatomy.add_argument("--backends", type=_names, help="backends to time, e.g. python,typed,c")
    anatomy.add_argument("--json", metavar="PATH", help="save the report as JSON")
    anatomy.add_argument("--plot", metavar="PATH.png", help="draw a chart (needs fastkern[plot])")
    anatomy.add_argument("--quick", action="store_true", help="a fast, less precise pass")
    anatomy.add_argument("--explain", action="store_true",
                         help="the report in full: load table, every fit, notes, method")
    anatomy.add_argument("--repeat", type=_positive, default=1, metavar="N",
                         help="run every measurement N times, interleaved, and show each "
                              "figure's run-to-run spread (default 1)")
    anatomy.add_argument("--cores", action="store_true",
                         help="add 'one call, all cores' for each kernel whose one call splits "
                              "over threads (threads=): the call on c (else typed), sized to last "
                              "~50 ms unsplit, at T = 1 up to the usable cores (affinity, CPU "
                              "quota); speedup, efficiency and threads runnable at once at each T, "
                              "Amdahl's serial fraction, and for sum and dot the bandwidth read "
                              "against T threads copying memory")
    anatomy.set_defaults(run=cmd_anatomy)

    report = verbs.add_parser("report", help="re-render a saved JSON report")
    report.add_argument("path", metavar="PATH.json")
    report.add_argument("--plot", metavar="PATH.png", help="draw a chart (needs fastkern[plot])")
    report.add_argument("--explain", action="store_true",
                        help="the report in full: load table, every fit, notes, method")
    report.set_defaults(run=cmd_report)

    compared = verbs.add_parser("compare", help="line up the figures of saved JSON reports")
    compared.add_argument("paths", nargs="+", metavar="PATH.json")
    compared.add_argument("--plot", metavar="PATH.png",
                          help="also draw each figure's ratio to the first report, with the "
                               "interval both runs' noise allows, as a PNG (needs matplotlib)")
    compared.add_argument("--json", metavar="PATH",
                          help="also write the comparison as JSON to PATH, or with '-' to "
                               "standard output instead of the tables: each figure's value in "
                               "each report and, against the first, its ratio, p-value and "
                               "verdict (changed: a t-test at 5%% on its rounds with each "
                               "run's noise added, and at least 10%% apart)")
    compared.set_defaults(run=cmd_compare)

    served = verbs.add_parser("service", help="what each rung does to a web service under load")
    served.add_argument("kernels", nargs="*", metavar="KERNEL",
                        help="kernels to serve (default: mandelbrot)")
    served.add_argument("--rungs", type=_names,
                        help="rungs to serve, e.g. python,c (default python,compiled,typed,c; "
                             "--quick: python,c)")
    served.add_argument("--app", metavar="MODULE:APP", help="serve your own ASGI app instead")
    served.add_argument("--path", metavar="/ROUTE", help="the route of --app or --url to load")
    served.add_argument("--url", help="load a server already running there (no probes inside)")
    served.add_argument("--rounds", type=_positive, help="interleaved rounds (default 3; quick 2)")
    served.add_argument("--json", metavar="PATH", help="save the report as JSON")
    served.add_argument("--plot", metavar="PATH.png", help="draw latency against offered rate")
    served.add_argument("--quick", action="store_true", help="a fast, less precise pass")
    served.add_argument("--explain", action="store_true", help="add how it was measured")
    served.set_defaults(run=cmd_service)

    cluster = verbs.add_parser("cluster", help="each rung as dask tasks in threads and in "
                                               "processes (needs fastkern[cluster])")
    cluster.add_argument("kernels", nargs="*", metavar="KERNEL",
                         help="kernels to measure (default: mandelbrot at python and c, sum at "
                              "c), or MODULE:FUNCTION for a function decorated by @fastkern.kernel")
    cluster.add_argument("--scheduler", metavar="ADDRESS",
                         help="measure the dask cluster at this scheduler address as it is "
                              "(default: local clusters of the usable cores, one per layout)")
    cluster.add_argument("--timeout", type=_positive, default=10, metavar="SECONDS",
                         help="seconds to wait for --scheduler to answer (default 10)")
    cluster.add_argument("--backends", type=_names, help="backends to measure, e.g. python,c")
    cluster.add_argument("--json", metavar="PATH", help="save the report as JSON")
    cluster.add_argument("--plot", metavar="PATH.png", help="draw a chart (needs fastkern[plot])")
    cluster.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    cluster.set_defaults(run=cmd_cluster, explain=False)  # its report is shown in full

    info = verbs.add_parser("info", help="version, backends built, compiler and flags")
    info.add_argument("--json", action="store_true", help="print JSON")
    info.set_defaults(run=cmd_info)
    return top


def _verbs(top: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return next(action.choices for action in top._actions
                if isinstance(action, argparse._SubParsersAction))


def with_default_verb(argv: list[str], top: argparse.ArgumentParser) -> list[str]:
    """``argv`` with :data:`DEFAULT_VERB` put first when it names no verb.

    A command line that is empty, starts with an option (other than the top level's
    ``--help`` and ``--version``) or starts with a kernel name (or MODULE:FUNCTION) runs
    the default verb.
    """
    from ._dispatch import kernels

    if argv and (argv[0] in _verbs(top) or argv[0] in ("-h", "--help", "--version")):
        return argv
    if not argv or argv[0].startswith("-") or argv[0] in kernels() or ":" in argv[0]:
        return [DEFAULT_VERB, *argv]
    return argv


def attach_values(argv: list[str], top: argparse.ArgumentParser) -> list[str]:
    """``--opt -1,2`` as ``--opt=-1,2`` for options that take a value, so that argparse
    reads a value starting with "-" as the value (and its type reports the range)."""
    verb = _verbs(top).get(argv[0]) if argv else None
    takes_value = {option for p in (top, verb) if p is not None for action in p._actions
                   if action.nargs is None for option in action.option_strings}
    joined: list[str] = []
    for token in argv:
        if joined and joined[-1] in takes_value and _NEGATIVE_VALUE.match(token):
            joined[-1] = f"{joined[-1]}={token}"
        else:
            joined.append(token)
    return joined


def main(argv: list[str] | None = None) -> int:
    command_line = argv is None
    top = parser()
    argv = with_default_verb(list(sys.argv[1:] if argv is None else argv), top)
    if argv and argv[0] not in _verbs(top) and argv[0] not in ("-h", "--help", "--version"):
        from ._dispatch import kernels

        print(f"fastkern: error: {argv[0]!r} is neither a verb ({', '.join(_verbs(top))}) nor a "
              f"kernel ({', '.join(kernels())}) nor MODULE:FUNCTION", file=sys.stderr)
        return 2
    args = top.parse_args(attach_values(argv, top))
    try:
        return args.run(args)
    except _Refused as refusal:
        print(f"fastkern: error: {refusal}", file=sys.stderr)
        return 2
    except (ValueError, TypeError) as error:
        print(f"fastkern: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if command_line:
            # the command's own process: a Ctrl-C while it shuts down (its cluster, pools
            # and servers closing) must not turn exit status 130 into death by signal
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("fastkern: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader (e.g. ``| head``) stopped reading: nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
