"""The first check of every report type: each number in its sentences is a cell of its tables.

A report's findings are generated from its figures; :func:`unbacked` proves that every
figure a sentence quotes is one a table shows. Each report type adds its own checks
(shares that sum to 100%, verdicts that agree with their figures).
"""

from __future__ import annotations

import re
from typing import Iterable

#: A figure as the report prints it: a number with its unit, or a decimal.
FIGURE = re.compile(r"(?<![\w.(/])-?\d[\d,]*(?:\.\d+)?(?:[kMG]\b)?"
                    r"(?: ?(?:ns|µs|ms|s|x|%|B/element|GB/s)(?![\w/]))?")


def figures_in(text: str) -> list[str]:
    """The figures in ``text`` that carry a unit or a decimal point (counts like "2 threads"
    and names like float64 are left out)."""
    return [found.strip() for found in FIGURE.findall(text)
            if "." in found or not found.strip().lstrip("-").replace(",", "").isdigit()]


def flat(text: str) -> str:
    return " ".join(text.split())


def unbacked(sentences: Iterable[tuple[str, str]], tables: str) -> list[str]:
    """A problem for each number in a sentence (its subject, its text) that ``tables``
    (the report's tables as text) do not show: any report type's first check."""
    shown = flat(tables)
    return [f"finding {subject!r}: {figure} is in no table"
            for subject, text in sentences for figure in figures_in(text) if figure not in shown]
