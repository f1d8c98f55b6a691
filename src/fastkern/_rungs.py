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
    arises: Optional[frozenset] = None
    """For the steps that split "dynamic typing & boxing" (None for the other rungs): the
    built-in kernels in which the cost the step removes arises. Elsewhere it is no part of
    the kernel's time, and the step is absent."""
    builds: Optional[frozenset] = None
    """Those of ``arises`` from whose source the step removes its cost alone: dispatch offers
    the rung for them only. Where the cost arises but the step is not built, the next rung
    removes it together with its own."""


#: The kernels whose per-unit work reads a module-level name or calls a module function.
_BINDING = frozenset({"nbody", "monte_carlo_pi", "binary_trees", "fib", "fnv1a",
                      "spectral_norm", "fannkuch"})
#: The kernels whose loops count, index or return in integers that fit C integers. fannkuch
#: computes on integers too, but on ones that live in lists.
_COUNTING = frozenset({"mandelbrot", "monte_carlo_pi", "binary_trees", "fib",
                       "spectral_norm", "matmul"})
#: The kernels that hash in integers wrapping at 2**64: checked C arithmetic refuses to wrap,
#: so the hash stays int objects until "typed", which unboxes it.
_WRAPPING = frozenset({"fnv1a", "monte_carlo_pi"})
#: The built-in kernels that keep no data in containers: "typed" unboxes none in them.
_SCALAR = frozenset({"fib", "monte_carlo_pi"})
#: The cost "typed" removes in a kernel of ``_WRAPPING``, beside boxed containers.
WRAPPING = "wrapping int objects"
#: The kernels that compute on floats; typed float locals unbox them in each.
_FLOATING = frozenset({"sum", "dot", "mandelbrot", "nbody", "monte_carlo_pi",
                       "spectral_norm", "matmul"})

#: Every rung, slowest first.
RUNGS = (
    RungKind("python", None, OBJECTS, "fastkern.backends._python", False, "#1f77b4"),
    RungKind("compiled", "interpreter and generic dispatch", OBJECTS,
             "fastkern.backends._compiled", False, "#ff7f0e"),
    # "compiled" to "typed" splits into the steps below, each built from _python.py with its
    # own augmenting declarations (backends/_<name>.pxd). A registered kernel gets ints and
    # floats where its annotations give them (fastkern._build), and "annotated" after them.
    RungKind("bound", "late binding", OBJECTS, "fastkern.backends._bound", False, "#e377c2",
             _BINDING, _BINDING),
    RungKind("ints", "int objects", OBJECTS, "fastkern.backends._ints", False, "#7f7f7f",
             _COUNTING | {"fannkuch"}, _COUNTING),
    RungKind("floats", "float objects", OBJECTS, "fastkern.backends._floats", False,
             "#17becf", _FLOATING, _FLOATING),
    RungKind("annotated", "dynamic typing & boxing", OBJECTS, None, False, "#bcbd22"),
    RungKind("typed", "boxed containers", BUFFERS, "fastkern.backends._typed", True,
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


#: The steps inside "dynamic typing & boxing": timed on the ladder only.
STEPS = frozenset(rung.name for rung in RUNGS if rung.arises is not None)


def arises(name: str, kernel: str) -> bool:
    """Whether the cost rung ``name`` removes arises in ``kernel`` (always, for a rung that
    is not a step)."""
    found = BY_NAME.get(name)
    return found is None or found.arises is None or kernel in found.arises


def builds(name: str, kernel: str) -> bool:
    """Whether rung ``name`` is built for ``kernel`` (always, for a rung that is not a step)."""
    found = BY_NAME.get(name)
    return found is None or found.builds is None or kernel in found.builds


def _removable(rung: RungKind) -> tuple[str, ...]:
    """Every cost ``rung`` removes in some kernel, in ladder order."""
    if rung.removes is None:
        return ()
    return ((WRAPPING,) if rung.name == "typed" else ()) + (rung.removes,)


def causes(name: str, kernel: str) -> tuple[str, ...]:
    """The costs rung ``name`` removes from the rung above it in ``kernel``: none where none
    arises. "typed" removes boxed containers, but in the built-in kernels that hold none, and
    the wrapping hash of those that have one."""
    found = BY_NAME.get(name)
    if found is None or not arises(name, kernel):
        return ()
    if name != "typed":
        return _removable(found)
    return tuple(cause for cause in _removable(found)
                 if (kernel in _WRAPPING if cause == WRAPPING else kernel not in _SCALAR))


#: Every cost a rung removes, in ladder order.
CAUSES = tuple(cause for rung in RUNGS for cause in _removable(rung))
#: Those inside "dynamic typing & boxing": what the steps and "typed" remove.
BUCKET_CAUSES = tuple(cause for rung in RUNGS if rung.arises is not None or rung.name == "typed"
                      for cause in _removable(rung))


def position(name: str) -> int:
    """Where ``name`` sits on the ladder; names the table lacks come after every rung."""
    return ORDER.index(name) if name in ORDER else len(ORDER)
