"""fastkern cluster against a dask cluster started outside fastkern, in both 2-slot layouts.

    python benchmarks/cluster_layouts.py [--runs 5] [--busy 2] [--kernel mandelbrot] [--quick]

Starts ``dask scheduler``, then for each layout ``dask worker ADDRESS --nworkers 2
--nthreads 1`` and ``--nworkers 1 --nthreads 2``, runs ``fastkern cluster KERNEL
--scheduler ADDRESS`` ``--runs`` times in each, and prints each rung's scaling per run and
its range, with each run's load (the cluster's own CPUs and other programs'). ``--busy N``
runs N busy loops (``while True: pass``) beside it, as other work on the machine would. Every process it starts is ended when it ends (Ctrl-C included). A
benchmark, not a test: no figure here is asserted (busy machines move them).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

#: The two layouts of 2 slots: ``dask worker`` options.
LAYOUTS = {"2 processes": ("--nworkers", "2", "--nthreads", "1"),
           "2 threads": ("--nworkers", "1", "--nthreads", "2")}
DASK = str(Path(sys.executable).with_name("dask"))


@contextlib.contextmanager
def started(command: list[str]) -> Iterator[subprocess.Popen]:
    """A process group running ``command``, ended (the whole group) when the block ends."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def address_of(scheduler_file: Path, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            return json.loads(scheduler_file.read_text())["address"]
        time.sleep(0.2)
    raise SystemExit(f"dask scheduler wrote no address to {scheduler_file} in {timeout:g} s")


def wait_for_workers(address: str, count: int) -> None:
    from distributed import Client

    with Client(address, timeout=30) as client:
        client.wait_for_workers(count, timeout=60)


def scaling(path: Path) -> dict[str, float]:
    """Each rung's scaling from a saved report (only resolved ones)."""
    data = json.loads(path.read_text())
    return {figure["subject"].split()[-1]: figure["estimate"]["value"]
            for figure in data["figures"]
            if figure["label"] == "scaling" and figure["estimate"]["reason"] is None}


def load(path: Path) -> str:
    """Each host's CPUs used by the cluster's own processes and by other programs."""
    def cpus(value) -> str:
        return "-" if value is None else f"{value:.2f}"

    data = json.loads(path.read_text())
    return ", ".join(f"{h['host']}: cluster {cpus(h.get('cluster'))}, others {cpus(h['others'])} CPUs"
                     for run in data["report"]["layouts"] for h in run["load"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--busy", type=int, default=0, help="busy loops beside the runs")
    parser.add_argument("--kernel", default="mandelbrot")
    parser.add_argument("--quick", action="store_true", help="fastkern cluster --quick")
    args = parser.parse_args()
    found: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        for _ in range(args.busy):
            stack.enter_context(started([sys.executable, "-c", "while True: pass"]))
        scheduler_file = Path(folder) / "scheduler.json"
        stack.enter_context(started([DASK, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                     "--no-dashboard", "--scheduler-file", str(scheduler_file)]))
        address = address_of(scheduler_file)
        for name, options in LAYOUTS.items():
            with started([DASK, "worker", address, *options, "--no-dashboard"]):
                wait_for_workers(address, int(options[1]))
                for run in range(args.runs):
                    saved = Path(folder) / f"{name}-{run}.json"
                    command = [sys.executable, "-m", "fastkern", "cluster", args.kernel,
                               "--scheduler", address, "--json", str(saved)]
                    if args.quick:
                        command.append("--quick")
                    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
                    for rung, value in scaling(saved).items():
                        found.setdefault(rung, {}).setdefault(name, []).append(value)
                    print(f"{name} run {run + 1}: " + ", ".join(
                        f"{rung} {value:.2f}x" for rung, value in scaling(saved).items())
                        + f" ({load(saved)})", flush=True)
    print(f"\n{args.kernel}, {args.runs} runs per layout, {args.busy} busy loop(s) beside:")
    for rung, layouts in found.items():
        for name, values in layouts.items():
            print(f"  {rung:<8} {name:<12} scaling {min(values):.2f}x - {max(values):.2f}x "
                  f"(median {sorted(values)[len(values) // 2]:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
