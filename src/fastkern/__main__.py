"""Command line: ``python -m fastkern [info]``."""

from __future__ import annotations

import argparse
import json
import sys


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
    top = argparse.ArgumentParser(prog="fastkern", description=__doc__)
    verbs = top.add_subparsers(dest="verb")
    info = verbs.add_parser("info", help="version, backends built, compiler and flags")
    info.add_argument("--json", action="store_true", help="print JSON")
    info.set_defaults(run=cmd_info)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.verb is None:
        args = parser().parse_args(["info"])
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
