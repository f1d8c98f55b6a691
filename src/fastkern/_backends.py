"""The built-in backends: their modules, loaded once, and a built-in kernel's implementations.

A kernel's implementations answer one protocol, read by dispatch, the anatomy and the
tools alike: :class:`BuiltIn` here (the kernel's functions in the backend modules, fixed at
import) and :class:`fastkern._registered.Implementations` (a user's function, each rung
built from its source on first use).
"""

from __future__ import annotations

import importlib
from typing import Callable, Optional

from ._rungs import BUILT_IN, BY_NAME, GIL_RELEASING, builds

#: Every built-in backend, slowest rung first: name -> (module, input form).
LADDER = {name: (module, BY_NAME[name].form) for name, module in BUILT_IN.items()}


class BackendError(ValueError):
    """An unknown backend name, or a backend that is not built or lacks the kernel."""

    __module__ = "fastkern"


def _load() -> tuple[dict, dict]:
    modules, missing = {}, {}
    for name, (module, _) in LADDER.items():
        try:
            modules[name] = importlib.import_module(module)
        except ImportError as error:
            missing[name] = f"{type(error).__name__}: {error}"
    return modules, missing


#: The built backends' modules, and why each other one did not import.
MODULES, MISSING = _load()


class BuiltIn:
    """A built-in kernel's implementations: its function in each backend module that has it
    (a step inside dynamic typing & boxing only where it is built for the kernel).

    The protocol every kernel's implementations follow: ``table`` maps each built backend
    to ``(callable, input form)``; ``releasing`` are the backends that can run with the GIL
    released and ``choosing`` those whose callables take ``release_gil`` and ``threads``;
    ``resolve`` gives a backend's entry or raises :class:`BackendError`; ``build`` makes
    the backends that are made on first use, returning those absent with why;
    ``run_time`` says whether rungs are built in this process at run time (then the table
    grows, and a fresh interpreter cannot import them); ``module`` is the module a worker
    process imports to find the kernel (None: fastkern itself).
    """

    run_time = False
    origin = "fastkern"
    module: Optional[str] = None
    releasing = choosing = GIL_RELEASING
    #: Why the kernel's calls do not split over threads, where they do not.
    serial = "its work is serial"

    def __init__(self, name: str):
        self.name = name
        self.table = {backend: (getattr(module, name), LADDER[backend][1])
                      for backend, module in MODULES.items()
                      if hasattr(module, name) and builds(backend, name)}
        self.dispatcher: Optional[Callable] = None

    def names(self) -> list[str]:
        """Every backend this kernel has."""
        return list(self.table)

    def backends(self) -> list[str]:
        """The built backends that implement it, slowest rung first."""
        return list(self.table)

    def form(self, backend: str) -> str:
        """The input form ``backend``'s callable takes."""
        return LADDER[backend][1]

    def resolve(self, backend: str) -> tuple:
        """``(callable, form)`` of ``backend``; BackendError where it lacks this kernel."""
        try:
            return self.table[backend]
        except KeyError:
            raise BackendError(f"backend {backend!r} has no {self.name}; "
                               f"it is in {', '.join(self.table)}") from None

    def build(self, backends: list[str]) -> dict[str, str]:
        """Nothing to build: every built-in backend is built with the package."""
        return {}
