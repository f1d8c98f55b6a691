"""What cutting one slot's work into dask tasks costs its scaling, on one local worker.

    python benchmarks/cluster_task_cost.py [--threads 2] [--rounds 5] [--kernel mandelbrot]
        [--backend c] [--size 120] [--shapes 0.1x4 0.1x8 0.2x4 0.05x8]

Starts ``LocalCluster(n_workers=1, threads_per_worker=THREADS)`` and, for each shape
``SECONDSxFILLS`` (a task's thread CPU seconds, tasks per slot), times round by round:
one slot kept busy (one task doing FILLS tasks' work back to back, as ``fastkern cluster``
times it), a batch of THREADS x FILLS tasks over every slot (as ``fastkern cluster`` does),
and THREADS tasks each doing FILLS tasks' work back to back (the same work with no task
boundaries between). Prints both scalings against the one slot. A benchmark, not a test:
no figure is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys


def _shape(text: str) -> tuple[float, int]:
    seconds, fills = text.split("x")
    return float(seconds), int(fills)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--kernel", default="mandelbrot")
    parser.add_argument("--backend", default="c")
    parser.add_argument("--size", type=int, default=120)
    parser.add_argument("--shapes", nargs="+", type=_shape,
                        default=[(0.1, 4), (0.1, 8), (0.2, 4), (0.05, 8)])
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    from fastkern._cluster import measure, tasks
    from fastkern._cluster.model import Settings

    spec = measure.Spec(args.kernel, args.backend, args.size)
    with LocalCluster(n_workers=1, threads_per_worker=args.threads, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        for seconds, fills in args.shapes:
            subject = measure._calibrate(client, spec, 0, Settings(task_time=seconds))
            batch, whole = [], []
            for _ in range(args.rounds):
                one, _cpu = measure._alone(client, subject, fills)
                rate, *_rest = measure._batch(client, subject, args.threads * fills)
                batch.append(rate / one)
                walls = client.gather([
                    client.submit(tasks.alone, spec.kernel, spec.backend, spec.size,
                                  subject.repeats, fills, pure=False)
                    for _ in range(args.threads)])
                whole.append(args.threads * fills / max(w for w, _ in walls) / one)
            print(f"{seconds:g} s x {fills} per slot: batch of tasks "
                  f"{statistics.median(batch):.2f}x (rounds {min(batch):.2f}-{max(batch):.2f}), "
                  f"the same work as {args.threads} long tasks {statistics.median(whole):.2f}x "
                  f"({min(whole):.2f}-{max(whole):.2f})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
