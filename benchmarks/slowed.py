"""A registered kernel that can be made to do more work per call, so that ``fastkern
compare`` can be measured on a real, known change (``compare_rates.py --real``).

    cd benchmarks
    python -m fastkern anatomy slowed:spring --quick --json before.json
    SLOWED_WORK=1.25 python -m fastkern anatomy slowed:spring --quick --json after.json

``SLOWED_WORK`` (default 1) multiplies the steps every call of every rung takes, while the
size the report is keyed by stays the same: the same figure, that much more work.
"""

import os

import fastkern

#: How many times the size's steps each call takes.
WORK = float(os.environ.get("SLOWED_WORK", "1"))


def _sample(steps: int) -> tuple:
    return (max(1, round(steps * WORK)), 0.001)


@fastkern.kernel(sample=_sample, unit="step", sizes=(1_000, 1_000_000))
def spring(steps: int, dt: float) -> float:
    """Position of a damped spring (stiffness 4, damping 0.1) after ``steps`` steps of ``dt``."""
    x = 1.0
    v = 0.0
    for _ in range(steps):
        a = -4.0 * x - 0.1 * v
        v += a * dt
        x += v * dt
    return x
