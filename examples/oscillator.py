"""A numeric loop: a damped spring integrated step by step (semi-implicit Euler).

    python examples/oscillator.py [STEPS]        prints the anatomy of oscillator (a quick pass)
    python -m fastkern anatomy oscillator:oscillator --quick      (the same, from examples/)
"""

import fastkern


@fastkern.kernel(sample=lambda steps: (steps, 0.001), unit="step", sizes=(1_000, 1_000_000))
def oscillator(steps: int, dt: float) -> float:
    """Position of a damped spring (stiffness 4, damping 0.1) after ``steps`` steps of ``dt``."""
    x = 1.0
    v = 0.0
    for _ in range(steps):
        a = -4.0 * x - 0.1 * v
        v += a * dt
        x += v * dt
    return x


if __name__ == "__main__":
    import sys

    print(fastkern.anatomy(oscillator, int(sys.argv[1]) if len(sys.argv) > 1 else 100_000, quick=True,
                           progress=True))
