"""The ladder's rungs, in one table: every other module reads the rungs from here.

A rung is one way to run a kernel. The built-in rungs have a backend module; ``annotated``
and ``numba`` exist only for a function registered with :func:`fastkern.kernel`, built from
its source. On the ladder (``removes`` set) each rung removes one cost from the rung above
it, so the difference between neighbours is that cost; the others are references beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ._boundary import BUFFERS, OBJECTS


@dataclass(frozen=True)
class RungKind:
    name: str
    removes: Optional[str]
    """What the step down to this rung from the ladder rung above removes; None for the
    first rung and for references beside the ladder."""
    form: str
    """The input form its callables take: Python objects or typed buffers."""
    module: Optional[str]
    """The backend module of the built-in kernels; None for rungs built per function."""
    chooses_gil: bool
    """Whether a built-in kernel's callable takes ``release_gil`` (and ``threads``)."""
    colour: str
    """Its colour in every chart."""


#: Every rung, slowest first.
RUNGS = (
    RungKind("python", None, OBJECTS, "fastkern.backends._python", False, "#1f77b4"),
    RungKind("compiled", "interpreter and generic dispatch", OBJECTS,
             "fastkern.backends._compiled", False, "#ff7f0e"),
    RungKind("annotated", "dynamic typing & boxing", OBJECTS, None, False, "#bcbd22"),
    RungKind("typed", "dynamic typing & boxing", BUFFERS, "fastkern.backends._typed", True,
             "#2ca02c"),
    RungKind("numba", None, OBJECTS, None, False, "#8c564b"),
    RungKind("c", "C headroom", BUFFERS, "fastkern.backends._c", True, "#d62728"),
    RungKind("numpy", None, BUFFERS, "fastkern.backends._numpy", False, "#9467bd"),
)
BY_NAME = {rung.name: rung for rung in RUNGS}
#: Rung names in ladder order.
ORDER = tuple(BY_NAME)
#: The built-in backends: name -> backend module.
BUILT_IN = {rung.name: rung.module for rung in RUNGS if rung.module is not None}
#: Built-in backends whose callables take ``release_gil`` and ``threads``.
GIL_RELEASING = frozenset(rung.name for rung in RUNGS if rung.chooses_gil)
#: The ladder the decomposition walks: each rung removes one cost from the one above.
LADDER = tuple(rung.name for rung in RUNGS if rung.removes is not None or rung.name == "python")


def position(name: str) -> int:
    """Where ``name`` sits on the ladder; names the table lacks come after every rung."""
    return ORDER.index(name) if name in ORDER else len(ORDER)
