"""How often ``fastkern compare`` cries wolf, and how often it sees a real change.

    python benchmarks/compare_rates.py A1.json B1.json [A2.json B2.json ...] [--factor 1.25]
    python benchmarks/compare_rates.py --real A1.json S1.json [A2.json S2.json ...]

Each pair A, B is two saved reports of the same command run one after the other (e.g.
``python -m fastkern sum fib --quick --json A1.json``, then ``... --json B1.json``), so no
figure truly changed between them. It prints:

* the **false-alarm rate**: the share of figures compared that ``compare`` calls changed
  between A and B (every figure present in both counts, whatever its verdict);
* how far identical runs lie apart, section by section: the root mean square of the log
  of each figure's ratio (at equal machine speed where both reports read it), against
  which a change must stand out;
* the **detection rate** for a known change: B with every timing's samples multiplied by
  ``--factor`` (a program that got 25% slower), against A, over the figures that the
  scaling moves by at least 20% either way (times, fits, bandwidths...; ratios of two
  timings do not move); once with A's own samples scaled (the test's power with no
  run-to-run noise), once with B's (the same change seen across two real runs);
* the **ceiling** of any test that judges a section's rows alike: the threshold on the
  ratio that 5% of the identical rows pass, and the share of the scaled rows that pass
  it (and the minimum effect).

With ``--real``, each pair is instead a run and a run of a really changed program (the same
kernel and size, e.g. a registered kernel doing 25% more work per call): it prints the
share of figures called changed among those the change moved (their ratio at equal machine
speed where both reports read it, else of their values, median over the pairs, at least 20%
from 1) and among the others (false alarms).

Only reads saved reports: run it with the fastkern whose ``compare`` is to be measured.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import statistics
import sys
from collections import Counter

from fastkern._report import compare, saved
from fastkern._anatomy.model import Timing, map_timings
from fastkern._anatomy.report import Report

#: A figure counts as changed by the scaling when it moves by at least this factor.
MOVED = 1.2
#: The sections whose ceiling is printed: those that timings make up.
CEILING_SECTIONS = ("ladder", "speedup over python", "per call", "dispatch adds", "collector")


def scaled(report: Report, factor: float) -> Report:
    """``report`` with every timing's samples (and passes) multiplied by ``factor``."""
    def scale(timing: Timing) -> Timing:
        return dataclasses.replace(timing, samples=tuple(s * factor for s in timing.samples),
                                   median=timing.median * factor, iqr=timing.iqr * factor)
    return map_timings(report, scale)


def flagged(first: Report, other: Report) -> dict[str, compare.Judgement]:
    """Each figure both reports have, judged."""
    return {row.key: row.judged(1) for row in compare.rows([first, other])
            if all(f is not None for f in row.found)}


def moved(before: Report, after: Report) -> set[str]:
    """The figures the scaling moved by :data:`MOVED` or more (resolved in both)."""
    keys = set()
    for row in compare.rows([before, after]):
        a, b = row.found
        if a is None or b is None or not (a.estimate.resolved and b.estimate.resolved):
            continue
        if a.estimate.value > 0 and b.estimate.value > 0 and \
                abs(math.log(b.estimate.value / a.estimate.value)) >= math.log(MOVED) - 1e-9:
            keys.add(row.key)
    return keys


def rates(pairs: list[tuple[Report, Report]], factor: float) -> dict:
    """False alarms over identical pairs, and detections of ``factor`` (see the module)."""
    alarms, figures, verdicts, sections = 0, 0, Counter(), Counter()
    seen = {"own": [0, 0], "across": [0, 0]}
    by_section: dict[str, list[int]] = {}
    apart: dict[str, list[float]] = {}
    for first, other in pairs:
        judged = flagged(first, other)
        figures += len(judged)
        for key, judgement in judged.items():
            verdicts[judgement.verdict] += 1
            found = _ratio(judgement)
            if found is not None and found > 0 and judgement.verdict != compare.UNRESOLVED:
                apart.setdefault(_section(key), []).append(math.log(found))
            if judgement.changed:
                alarms += 1
                sections[_section(key)] += 1
        for name, base in (("own", first), ("across", other)):
            slower = scaled(base, factor)
            keys = moved(base, slower)
            found = flagged(first, slower)
            seen[name][0] += sum(found[key].changed for key in keys if key in found)
            seen[name][1] += sum(key in found for key in keys)
            if name == "across":
                for key in keys & set(found):
                    tally = by_section.setdefault(_section(key), [0, 0])
                    tally[0] += found[key].changed
                    tally[1] += 1
    return {"pairs": len(pairs), "figures": figures, "alarms": alarms, "verdicts": verdicts,
            "ceiling": {section: ceiling(logs, factor) for section, logs in apart.items()},
            "sections": sections, "own": seen["own"], "across": seen["across"],
            "by_section": by_section,
            "apart": {section: math.sqrt(statistics.fmean(x * x for x in logs))
                      for section, logs in apart.items()}}


def ceiling(logs: list[float], factor: float, alarms: float = 0.05) -> tuple[float, float]:
    """The threshold on |log ratio| that ``alarms`` of identical rows (``logs``) pass, and
    the share of the same rows moved by ``factor`` that pass it and the minimum effect."""
    apart = sorted(abs(x) for x in logs)
    threshold = apart[max(0, math.ceil((1 - alarms) * len(apart)) - 1)]
    least = max(threshold, math.log1p(compare.MIN_EFFECT))
    moved = [abs(x + math.log(factor)) for x in logs]
    return threshold, sum(m > least for m in moved) / len(moved)


def _section(key: str) -> str:
    """The section of a figure's key, thread counts left out."""
    return key.split(" | ")[1].split(" T=")[0]


def _ratio(judged: compare.Judgement):
    """What the verdict is drawn from: the ratio at equal machine speed where known."""
    return judged.at_speed if judged.at_speed is not None else judged.ratio


def real(pairs: list[tuple[Report, Report]]) -> dict:
    """Verdicts of pairs (before, after) of a real change, split by whether the change moved
    the figure (its ratio, median over the pairs, at least :data:`MOVED` from 1)."""
    judged = [flagged(first, other) for first, other in pairs]
    keys = set.intersection(*(set(found) for found in judged))
    moved_keys = set()
    for key in keys:
        found = [_ratio(j[key]) for j in judged if _ratio(j[key]) is not None and _ratio(j[key]) > 0]
        if found and abs(math.log(statistics.median(found))) >= math.log(MOVED) - 1e-9:
            moved_keys.add(key)
    out = {"moved": [0, 0], "others": [0, 0], "missed": Counter()}
    for found in judged:
        for key in keys:
            bucket = out["moved" if key in moved_keys else "others"]
            bucket[0] += found[key].changed
            bucket[1] += 1
            if key in moved_keys and not found[key].changed:
                out["missed"][found[key].verdict] += 1
    out["keys"] = sorted(moved_keys)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", metavar="A.json B.json",
                        help="pairs of reports of identical runs: A1 B1 A2 B2 ...")
    parser.add_argument("--factor", type=float, default=1.25,
                        help="the known change to detect (default 1.25: 25%% slower)")
    parser.add_argument("--real", action="store_true",
                        help="each pair's second report is of a really changed program")
    args = parser.parse_args(argv)
    if len(args.paths) % 2:
        parser.error("give reports in pairs: A1 B1 A2 B2 ...")
    reports = [saved.read(path) for path in args.paths]
    if args.real:
        found = real(list(zip(reports[::2], reports[1::2])))
        print(compare.rule())
        for name, words in (("moved", "figures the change moved"),
                            ("others", "figures it did not move (false alarms)")):
            hit, total = found[name]
            print(f"called changed, {words}: {hit} of {total} = "
                  f"{hit / total if total else 0.0:.1%}")
        print("  moved: " + "; ".join(found["keys"]))
        if found["missed"]:
            print("  moved but not called: " + ", ".join(
                f"{n} {v}" for v, n in found["missed"].most_common()))
        return 0
    found = rates(list(zip(reports[::2], reports[1::2])), args.factor)
    share = found["alarms"] / found["figures"] if found["figures"] else 0.0
    print(f"{compare.rule()}")
    print(f"false alarms: {found['alarms']} of {found['figures']} figures in {found['pairs']} "
          f"identical pairs = {share:.1%}")
    print("  verdicts: " + ", ".join(f"{n} {v}" for v, n in found["verdicts"].most_common()))
    if found["sections"]:
        print("  flagged by section: " + ", ".join(
            f"{s} {n}" for s, n in found["sections"].most_common()))
    for name, words in (("own", "A against A scaled (no run-to-run noise)"),
                        ("across", "A against B scaled (across two runs)")):
        hit, total = found[name][:2]
        print(f"detection of x{args.factor:g}, {words}: {hit} of {total} moved figures = "
              f"{hit / total if total else 0.0:.1%}")
    print("identical runs apart (root mean square of the log of the ratio at equal speed, "
          "else of the values), by section: " + ", ".join(
              f"{section} {spread:.3f}" for section, spread in found["apart"].items()))
    print("ceiling of a test judging a section's rows alike (5% of identical rows flagged): "
          + ", ".join(f"{section} {share:.1%}" for section, (_, share)
                      in found["ceiling"].items() if section in CEILING_SECTIONS))
    print("  across two runs, by section: " + ", ".join(
        f"{section} {hit}/{total}" for section, (hit, total)
        in sorted(found["by_section"].items(), key=lambda item: -item[1][1])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
