"""Is the service report's ranking stable? Runs ``fastkern service`` N times (default
settings) and prints, per run, the scenarios ranked by the victim's p99 over its baseline,
then each scenario's range of ranks and ratios over the runs.

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
from fastkern._service.figures import BASELINE, HURT, RATIO_LABEL, scenario_figures

BUSY_LOOP = "while True: pass"


def ranking(report) -> list[tuple[str, float]]:
    """The scenarios, most hurt victim first, with the median ratio."""
    found = [(s.name, scenario_figures(report, s.name).get(RATIO_LABEL)) for s in report.scenarios
             if s.name != BASELINE]
    return sorted(((name, f[2].value) for name, f in found if f), key=lambda pair: -pair[1])


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
    rankings = []
    try:
        for run in range(args.runs):
            report = reports[run] if args.reports else fastkern.service()
            if args.save and not args.reports:
                with open(os.path.join(args.save, f"service-{run + 1}.json"), "w") as out:
                    out.write(report.to_json())
            order = ranking(report)
            rankings.append(order)
            print(f"run {run + 1} ({report.elapsed:.0f} s): "
                  + " > ".join(f"{name} {value:.3g}x" for name, value in order), flush=True)
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()
    names = [name for name, _ in rankings[0]]
    print(f"\n{len(rankings)} runs; rank range, ratio range:")
    for name in names:
        ranks = [[n for n, _ in order].index(name) + 1 for order in rankings]
        ratios = [dict(order)[name] for order in rankings]
        print(f"  {name:<36} rank {min(ranks)}-{max(ranks)}  {min(ratios):.3g}x-{max(ratios):.3g}x")
    same = all([n for n, _ in order] == names for order in rankings)
    print("the same ranking in every run" if same else "the ranking differs between runs")
    hurt = [{n for n, value in order if value >= HURT} for order in rankings]
    print(f"the same scenarios at {HURT:g}x or more in every run: "
          + ("yes" if all(h == hurt[0] for h in hurt) else "no"))
    for name in sorted(set().union(*hurt) - set.intersection(*hurt)):
        print(f"  {name}: at {HURT:g}x or more in {sum(name in h for h in hurt)} of {len(hurt)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
