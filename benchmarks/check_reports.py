"""Run the report checker over saved reports of any kind (anatomy, service, cluster): every sentence against the figures beside it.

    python benchmarks/check_reports.py PATH.json [...]

Prints each report's problems (a number in a finding or a note that no table shows, shares
of python's time that do not sum to 100%, a verdict its numbers contradict, a lag quoted
that is not a median) and a count; exits 1 when any report has one.
"""

from __future__ import annotations

import sys

from fastkern._report import saved


def main(paths: list[str]) -> int:
    failed = 0
    for path in paths:
        found = saved.read(path).problems()
        failed += bool(found)
        print(f"{path}: {'ok' if not found else f'{len(found)} problems'}")
        for problem in found:
            print(f"  {problem}")
    print(f"{len(paths) - failed} of {len(paths)} reports without a problem")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
