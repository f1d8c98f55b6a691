"""The anatomy: measure, on this machine, where Python's time goes.

Public names are re-exported by :mod:`fastkern` (``fastkern.anatomy``,
``fastkern.anatomy_all``, ``fastkern.Report``); the modules here each do one job.
"""

from .report import Report
from .run import anatomy, anatomy_all

__all__ = ["Report", "anatomy", "anatomy_all"]
