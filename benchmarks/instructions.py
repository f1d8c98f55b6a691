"""Instructions per call of every kernel x backend, counted by valgrind's callgrind.

Instruction counts repeat to within 0.01% for a long call (a short one varies by up to
~75 instructions with the state of Python's allocator) where wall-clock timings on a busy
machine vary by tens of percent, so they decide whether a change costs speed. Each
measurement is one warm-up call (where more than one call is counted), then ``calls``
calls counted together, less the loop's own instructions. Variants isolate the interrupt
checks:

- ``default``: as shipped;
- ``one-chunk`` (``typed``, ``c``): the chunk driver's chunk made larger than any call
  (``_set_chunk_ops``), so the work runs as one range with no signal check;
- ``no-points`` (``python``, ``compiled``): ``interrupt_point`` replaced by a C builtin
  that does nothing (an empty list's ``clear``), so the interpreted function is never
  entered (``points`` counts its calls).

    python benchmarks/instructions.py --backends typed c compiled --sizes small large \\
        --variants default one-chunk no-points --json after.json
    python benchmarks/instructions.py --compare before.json after.json

The first command runs itself under ``valgrind --tool=callgrind`` (needs valgrind and its
headers, and a C compiler for a ten-line helper). The ``v3`` clones of the C loops run
there: valgrind has no AVX-512.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import importlib
import itertools
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Iterator

HELPER = r"""
#include <valgrind/callgrind.h>
void fk_cg_toggle(void) { CALLGRIND_TOGGLE_COLLECT; }
void fk_cg_dump(const char *why) { CALLGRIND_DUMP_STATS_AT(why); }
int fk_cg_on_valgrind(void) { return RUNNING_ON_VALGRIND; }
"""
VARIANTS = {"default": ("typed", "c", "python", "compiled", "bound", "ints", "floats"),
            "one-chunk": ("typed", "c"),
            "no-points": ("python", "compiled")}
INNER = "FASTKERN_INSTRUCTIONS_DIR"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kernels", nargs="+", help="default: every built-in kernel")
    parser.add_argument("--backends", nargs="+", default=["typed", "c", "compiled"])
    parser.add_argument("--sizes", nargs="+", choices=("small", "large"), default=["small", "large"])
    parser.add_argument("--variants", nargs="+", choices=tuple(VARIANTS), default=["default"])
    parser.add_argument("--calls", type=int, nargs=2, default=(20, 1), metavar=("SMALL", "LARGE"),
                        help="calls counted per measurement at each size (default: 20 1)")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"),
                        help="print the ratios of two --json files and exit")
    args = parser.parse_args(argv)
    if args.compare:
        print_comparison(*(json.loads(path.read_text()) for path in args.compare))
        return
    if INNER not in os.environ:
        rows = run_under_callgrind(sys.argv[1:] if argv is None else argv, args.json)
        add_interrupt_points(rows)
        if args.json:
            args.json.write_text(json.dumps(rows, indent=1) + "\n")
        print_table(rows)
        return
    for row in measure(args):
        print(json.dumps(row), flush=True)


def run_under_callgrind(argv: list[str], keep: Path | None) -> list[dict]:
    """Runs this script under callgrind with the same arguments; returns its rows, each
    shown on stderr and written to ``keep`` (when given) as it comes."""
    if shutil.which("valgrind") is None:
        sys.exit("instructions.py needs valgrind (Debian: apt-get install valgrind)")
    rows = []
    with tempfile.TemporaryDirectory(prefix="fk-callgrind-") as folder:
        command = ["valgrind", "--tool=callgrind", "--collect-atstart=no",
                   f"--log-file={folder}/valgrind.log",
                   f"--callgrind-out-file={folder}/callgrind.out", sys.executable, __file__, *argv]
        env = dict(os.environ, PYTHONHASHSEED="0", **{INNER: folder})
        run = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
        for line in run.stdout:
            rows.append(json.loads(line))
            print(f"{rows[-1]['kernel']} {rows[-1]['size']} {rows[-1]['backend']} "
                  f"{rows[-1]['variant']}: {rows[-1]['instructions']:,.0f}", file=sys.stderr)
            if keep:
                keep.write_text(json.dumps(rows, indent=1) + "\n")
        if run.wait():
            sys.exit(f"callgrind run failed ({run.returncode}):\n"
                     + (Path(folder) / "valgrind.log").read_text()[-3000:])
    return rows


class Callgrind:
    """Collection switched on around a region, and the instructions of the region read back."""

    def __init__(self, folder: Path):
        self.folder = folder
        source = folder / "helper.c"
        source.write_text(HELPER)
        library = folder / "helper.so"
        compiler = (sysconfig.get_config_var("CC") or "cc").split()
        subprocess.run([*compiler, "-shared", "-fPIC", "-O1", str(source), "-o", str(library)],
                       check=True)
        self.lib = ctypes.CDLL(str(library))
        self.lib.fk_cg_dump.argtypes = [ctypes.c_char_p]
        if not self.lib.fk_cg_on_valgrind():
            sys.exit("the inner run must run under valgrind")
        self.dumps = self.empty = 0
        self.empty = self.count(lambda: None, 0)

    def count(self, call, calls: int) -> int:
        """Instructions of ``calls`` calls of ``call()``, less the loop's own."""
        repeat = itertools.repeat(None, calls)
        self.lib.fk_cg_toggle()
        for _ in repeat:
            call()
        self.lib.fk_cg_toggle()
        self.dumps += 1
        self.lib.fk_cg_dump(b"region")
        dump = self.folder / f"callgrind.out.{self.dumps}"
        totals = [line for line in dump.read_text().splitlines()
                  if line.startswith(("totals:", "summary:"))]
        dump.unlink()
        return int(totals[0].split()[1]) - self.empty


def measure(args: argparse.Namespace) -> Iterator[dict]:
    """One row per kernel x size x backend x variant asked for (inside callgrind)."""
    import fastkern
    from fastkern._dispatch import prepare
    from fastkern._kernels import KERNELS

    callgrind = Callgrind(Path(os.environ[INNER]))
    for kernel in args.kernels or list(KERNELS):
        spec = KERNELS[kernel]
        for size_name in args.sizes:
            size_index = ("small", "large").index(size_name)
            size, calls = spec.sizes[size_index], args.calls[size_index]
            for backend in args.backends:
                if backend not in fastkern.kernel_backends(kernel):
                    continue
                function = fastkern.implementation(kernel, backend)
                raw = prepare(kernel, backend, *spec.sample(size))
                module = importlib.import_module(f"fastkern.backends._{backend}")
                for variant in args.variants:
                    if backend not in VARIANTS[variant]:
                        continue
                    with variant_applied(variant, module):
                        if calls > 1:
                            function(*raw)  # warm-up
                        instructions = callgrind.count(lambda: function(*raw), calls)
                    yield dict(kernel=kernel, backend=backend, size=size, variant=variant,
                               calls=calls, instructions=instructions / calls)


def add_interrupt_points(rows: list[dict]) -> None:
    """Counts, outside callgrind, the ``interrupt_point`` calls of one call of each case."""
    import fastkern
    from fastkern._dispatch import prepare
    from fastkern._kernels import KERNELS

    points = {}
    for row in rows:
        case = row["kernel"], row["backend"], row["size"]
        if case not in points:
            module = importlib.import_module(f"fastkern.backends._{row['backend']}")
            raw = prepare(row["kernel"], row["backend"], *KERNELS[row["kernel"]].sample(row["size"]))
            points[case] = interrupt_points(module, fastkern.implementation(*case[:2]), raw)
        row["points"] = points[case]


def interrupt_points(module, function, raw) -> int | None:
    """The ``interrupt_point`` calls of one call (None where the module has none)."""
    point = getattr(module, "interrupt_point", None)
    if point is None:
        return None
    counter = itertools.count()
    module.interrupt_point = counter.__next__
    try:
        function(*raw)
    finally:
        module.interrupt_point = point
    return next(counter)


@contextlib.contextmanager
def variant_applied(variant: str, module):
    """A backend's module with ``variant`` applied (see the module docstring)."""
    if variant == "one-chunk":
        saved = module._set_chunk_ops(float(1 << 62))
        try:
            yield
        finally:
            module._set_chunk_ops(saved)
    elif variant == "no-points":
        saved = module.interrupt_point
        module.interrupt_point = [].clear
        try:
            yield
        finally:
            module.interrupt_point = saved
    else:
        yield


def print_table(rows: list[dict]) -> None:
    """Each case's variants side by side; ``checks``: default over the variant without them."""
    by_case = {}
    for row in rows:
        by_case.setdefault((row["kernel"], row["size"], row["backend"]), {})[row["variant"]] = row
    variants = [v for v in VARIANTS if any(v in case for case in by_case.values())]
    print(f"{'kernel':<16}{'size':>10} {'backend':<9}" + "".join(f"{v:>16}" for v in variants)
          + f"{'checks':>9}{'points':>9}")
    for (kernel, size, backend), case in by_case.items():
        cells = [f"{case[v]['instructions']:>16,.0f}" if v in case else f"{'':>16}" for v in variants]
        default = case.get("default")
        without = case.get("one-chunk") or case.get("no-points")
        share = (f"{(default['instructions'] / without['instructions'] - 1) * 100:>+8.3f}%"
                 if default and without else f"{'':>9}")
        points = next(iter(case.values()))["points"]
        print(f"{kernel:<16}{size:>10} {backend:<9}" + "".join(cells) + share
              + (f"{points:>9,}" if points is not None else ""))


def print_comparison(before: list[dict], after: list[dict]) -> None:
    """Instructions per call of the cases both files measured, with after / before."""
    def key(row: dict) -> tuple:
        return row["kernel"], row["size"], row["backend"], row["variant"]

    old = {key(row): row["instructions"] for row in before}
    print(f"{'kernel':<16}{'size':>10} {'backend':<9}{'variant':<10}{'before':>16}{'after':>16}{'change':>10}")
    for row in after:
        if key(row) in old:
            change = (row["instructions"] / old[key(row)] - 1) * 100
            print(f"{row['kernel']:<16}{row['size']:>10} {row['backend']:<9}{row['variant']:<10}"
                  f"{old[key(row)]:>16,.0f}{row['instructions']:>16,.0f}{change:>+9.2f}%")


if __name__ == "__main__":
    main()
