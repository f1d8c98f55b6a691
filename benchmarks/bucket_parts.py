"""The parts of "dynamic typing & boxing" in saved anatomy reports, as docs/method.md
tabulates them: each kernel's parts as shares of python's time and of compiled's time (the
base Barany's shares compare with: compiled code on the interpreter's object API), with the
numbers boxed per unit of work on each rung.

    python benchmarks/bucket_parts.py PATH.json [...]
"""

from __future__ import annotations

import sys

from fastkern._anatomy import derive
from fastkern._report import saved
from fastkern._report.numbers import share


def main(paths: list[str]) -> int:
    for path in paths:
        report = saved.read(path)
        print(path)
        for kernel in report.kernels:
            compiled = kernel.rung("compiled")
            inside = [p for p in derive.parts(kernel) if derive.inside_bucket(p)]
            if compiled is None or not inside:
                continue
            print(f"  {kernel.kernel}({kernel.size})")
            for part in inside:
                marked = "" if part.share.resolved and not part.near_zero else " (~0 or not resolved)"
                print(f"    {part.name:<36} {share(part.share.value):>6} of python, "
                      f"{share(part.seconds.value / compiled.time.median):>6} of compiled{marked}")
            print("    boxed per unit (float/int): " + ", ".join(
                f"{b.backend} {b.floats:.2f}/{b.ints:.2f}" for b in kernel.boxes))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
