"""Is the service report's ranking stable? Runs ``fastkern service`` N times (default
settings) and prints, per run, the ranking the report gives: the scenarios by the victim's
p99 over its baseline, in resolved groups (scenarios whose rounds overlap share a
rank, marked =). Then each scenario's range of ranks and ratios over the runs, and whether
the runs agree: no scenario ranked above another beyond noise in one run and below it in
another (a tie agrees with either order).

    python benchmarks/service_ranking.py --runs 5               # on an idle machine
    python benchmarks/service_ranking.py --runs 5 --busy 2      # beside two busy loops
    python benchmarks/service_ranking.py --runs 5 --save DIR    # also keep each report
    python benchmarks/service_ranking.py --reports DIR/*.json   # rank saved reports

Needs ``fastkern[service]``. Ctrl-C stops it and its busy loops.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import fastkern
from fastkern._service.figures import HURT, ranking, ranks, ratios

BUSY_LOOP = "while True: pass"


def groups(report) -> list[list[tuple[str, float]]]:
    """The report's ranking: groups of (scenario, median ratio), most hurt victim first; the
    scenarios it leaves unplaced are not in them."""
    return [[(name, estimate.value) for name, estimate in group] for group in ranking(report)[0]]


def contradictions(runs: list[list[list[tuple[str, float]]]]) -> list[tuple[str, str]]:
    """Pairs (a, b) that one run ranks a above b beyond noise and another b above a."""
    above = set()
    for run in runs:
        place = {name: index for index, group in enumerate(run) for name, _ in group}
        above |= {(a, b) for a in place for b in place if place[a] < place[b]}
    return sorted((a, b) for a, b in above if (b, a) in above and a < b)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--busy", type=int, default=0, help="busy loops running beside")
    parser.add_argument("--save", metavar="DIR", help="save each report as DIR/service-N.json")
    parser.add_argument("--reports", nargs="+", metavar="PATH.json",
                        help="rank these saved reports instead of running")
    args = parser.parse_args(argv)
    if args.reports:
        from fastkern._report import saved

        reports = [saved.read(path) for path in args.reports]
        args.runs, args.busy = len(reports), 0
    elif args.save:
        os.makedirs(args.save, exist_ok=True)
    loops = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) for _ in range(args.busy)]
    runs, marks, values = [], [], []
    try:
        for run in range(args.runs):
            report = reports[run] if args.reports else fastkern.service()
            if args.save and not args.reports:
                with open(os.path.join(args.save, f"service-{run + 1}.json"), "w") as out:
                    out.write(report.to_json())
            runs.append(groups(report))
            marks.append(ranks(report))
            values.append({name: estimate.value for name, estimate in ratios(report)})
            shown = [", ".join(f"{marks[-1][name]} {name} {value:.3g}x" for name, value in group)
                     for group in runs[-1]]
            placed = {name for group in runs[-1] for name, _ in group}
            shown += [f"not placed: {name} ({marks[-1][name]}) {value:.3g}x"
                      for name, value in values[-1].items() if name not in placed]
            print(f"run {run + 1} ({report.elapsed:.0f} s): " + " | ".join(shown), flush=True)
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()
    print(f"\n{len(runs)} runs; ranks (competition ranks, a tie counts as its first place; "
          f"in brackets where not placed), ratio range:")
    for name in values[0]:
        shown = [mark[name] if "-" in mark[name] else mark[name].rstrip("=") for mark in marks]
        ratio = [found[name] for found in values]
        print(f"  {name:<36} rank {' '.join(shown):<14} {min(ratio):.3g}x-{max(ratio):.3g}x")
    shapes = [[sorted(name for name, _ in group) for group in run] for run in runs]
    print("the same groups in every run: " + ("yes" if all(s == shapes[0] for s in shapes) else "no"))
    against = contradictions(runs)
    print("the runs agree (no order resolved in one run is reversed in another): "
          + ("yes" if not against else f"no, {len(against)} pair(s)"))
    for a, b in against:
        print(f"  {a} / {b}: each resolved above the other in some run")
    hurt = [{n for n, value in found.items() if value >= HURT} for found in values]
    print(f"the same scenarios at {HURT:g}x or more in every run: "
          + ("yes" if all(h == hurt[0] for h in hurt) else "no"))
    for name in sorted(set().union(*hurt) - set.intersection(*hurt)):
        print(f"  {name}: at {HURT:g}x or more in {sum(name in h for h in hurt)} of {len(hurt)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
