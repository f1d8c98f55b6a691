"""Your own function on the ladder: :func:`kernel` registers it in fastkern's registry.

The registered function becomes the ``python`` rung; fastkern builds ``compiled``,
``annotated`` and ``numba`` from its source on first use (see :mod:`fastkern._build`), and
``add`` puts any implementation you already have beside them. Dispatch, the anatomy and
the pytest plugin read the registry entry exactly as they read a built-in kernel's.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import threading
import types
from typing import Callable, Optional, Sequence

from . import _build
from ._boundary import OBJECTS
from ._dispatch import BackendError, check_backend, public_function
from ._kernels import Kernel, register
from ._rungs import position


def _refuse(function: Callable, why: str) -> ValueError:
    return ValueError(f"fastkern.kernel cannot register {getattr(function, '__qualname__', function)!r}: {why}")


def function_source(function: Callable) -> str:
    """The ``def`` of ``function`` alone: dedented, decorators dropped, comments kept."""
    try:
        text = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        raise _refuse(function, "its source cannot be found (defined in an interactive session "
                                "or by exec?); define it in a file") from None
    node = ast.parse(text).body[0]
    lines = text.splitlines()
    return "\n".join(lines[node.lineno - 1:node.end_lineno]) + "\n"


def _has_annotations(source: str) -> bool:
    node = ast.parse(source).body[0]
    arguments = node.args.posonlyargs + node.args.args
    return (node.returns is not None or any(a.annotation is not None for a in arguments)
            or any(isinstance(n, ast.AnnAssign) for n in ast.walk(node)))


#: Why the step that binds names early is never built for a registered function.
NOT_BOUND = ("not built for your own function: binding its module's names early takes "
             "declarations of the whole module, and fastkern compiles the function alone")


def _steps_not_built(source: str) -> dict[str, str]:
    """The steps inside dynamic typing & boxing that ``source``'s annotations do not give,
    with why (its ``annotated`` rung, where built, removes their costs with the rest)."""
    kinds = _build.annotation_kinds(source)
    found = {"bound": NOT_BOUND}
    if "int" not in kinds:
        found["ints"] = ("no C integer annotation (cython.int, cython.Py_ssize_t, ...); "
                         "an int annotation stays a Python int, which never overflows")
    if "float" not in kinds:
        found["floats"] = "no float annotation (float, cython.double)"
    return found


def check_function(function: Callable) -> inspect.Signature:
    """Refuse what cannot be put on the ladder; the function's signature otherwise."""
    if not inspect.isfunction(function):
        raise TypeError(f"fastkern.kernel registers a Python function (def), "
                        f"got {type(function).__name__}")
    if function.__name__ == "<lambda>":
        raise _refuse(function, "a lambda has no name or source of its own; use def")
    if (inspect.isgeneratorfunction(function) or inspect.iscoroutinefunction(function)
            or inspect.isasyncgenfunction(function)):
        raise _refuse(function, "a generator or coroutine function returns before its work is "
                                "done; register a function that computes its result")
    if function.__code__.co_freevars:
        raise _refuse(function, "it is a closure over "
                      f"{', '.join(function.__code__.co_freevars)}; the rungs are built from its "
                      "source alone, so pass those as arguments or make them module globals")
    if "<locals>" in function.__qualname__:
        raise _refuse(function, "it is defined inside another function; define it at module "
                                "level, where worker processes can import it")
    signature = inspect.signature(function)
    odd = [p.name for p in signature.parameters.values()
           if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if odd:
        raise _refuse(function, f"parameters {', '.join(odd)} are keyword-only or variadic; "
                                "every rung is called with positional arguments")
    return signature


def _rebound(function: Callable, namespace: dict) -> types.FunctionType:
    """A copy of ``function`` whose globals are ``namespace``, where its name is the copy."""
    copy = types.FunctionType(function.__code__, namespace, function.__name__,
                              function.__defaults__)
    copy.__qualname__, copy.__doc__ = function.__qualname__, function.__doc__
    namespace[function.__name__] = copy
    return copy


def _global_names(function: Callable) -> list[str]:
    """The module globals ``function`` reads, other than its own name.

    Cython refuses names it cannot see defined, so the compiled source declares each
    (``name = None`` after the function) and the loaded module is given its value.
    """
    names, codes = set(), [function.__code__]
    while codes:
        code = codes.pop()
        names.update(code.co_names)
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    names.discard(function.__name__)
    return sorted(n for n in names if n in function.__globals__ and not n.startswith("__"))


class Implementations:
    """A registered kernel's backends: built, to be built on first use, or absent (and why).

    The protocol of :class:`fastkern._backends.BuiltIn`. ``table`` maps a backend to
    ``(callable, input form)`` and is read by dispatch without a lock; it only grows,
    under the lock, one complete entry at a time. Every rung takes Python objects, and
    none takes ``release_gil`` or ``threads``: the user's code runs on the calling thread.
    """

    run_time = True
    choosing: frozenset = frozenset()
    #: Why the kernel's calls do not split over threads.
    serial = "a registered kernel runs on the calling thread"

    def __init__(self, function: Callable, name: str, sample: Callable, sizes: tuple):
        self.function, self.name, self.sample, self.sizes = function, name, sample, sizes
        self.origin = f"{function.__module__}:{function.__qualname__}"
        self.module = function.__module__
        self.source = function_source(function)
        self.table: dict[str, tuple] = {}
        self.releasing: set[str] = set()
        self.absent: dict[str, str] = {}
        self.added: list[str] = []
        self.progress: Callable[[str], None] = _say
        self._lock = threading.RLock()
        self.absent.update(_steps_not_built(self.source))
        runtime = [r for r in _build.RUNTIME_RUNGS
                   if r != "annotated" or _has_annotations(self.source)]
        self._buildable = ["python", *runtime]
        self.dispatcher: Optional[Callable] = None

    def names(self) -> list[str]:
        """Every backend this kernel has or may have, absent ones included."""
        return self._buildable + self.added

    def backends(self) -> list[str]:
        """Backends built or buildable on this machine, in ladder order."""
        with self._lock:
            for rung in self._buildable:
                if rung not in self.table and rung not in self.absent and rung != "python":
                    try:
                        _build.require(rung)
                    except _build.Unavailable as reason:
                        self.absent[rung] = str(reason)
            present = [n for n in self.names() if n not in self.absent]
        return sorted(present, key=position)

    def form(self, backend: str) -> str:
        """The input form every rung takes: Python objects."""
        return OBJECTS

    def resolve(self, backend: str) -> tuple:
        """``(callable, form)`` of ``backend``, building it on first use (thread-safe)."""
        found = self.table.get(backend)
        if found is not None:
            return found
        if backend not in self._buildable:
            check_backend(backend)
            raise BackendError(f"backend {backend!r} has no {self.name}; "
                               f"it is in {', '.join(self.backends())}")
        with self._lock:
            if backend not in self.table:
                if backend in self.absent:
                    raise BackendError(f"backend {backend!r} of {self.name} is absent: "
                                       f"{self.absent[backend]}")
                try:
                    built = self._build(backend)
                except _build.Unavailable as reason:
                    self.absent[backend] = str(reason)
                    raise BackendError(f"backend {backend!r} of {self.name} is absent: {reason}") from None
                except _build.BuildError as error:
                    self.absent[backend] = error.reason
                    raise
                if backend in _build.RELEASE_GIL:
                    self.releasing.add(backend)
                self.table[backend] = (built, OBJECTS)
            return self.table[backend]

    def _build(self, rung: str) -> Callable:
        function = self.function
        if rung == "python":
            return _rebound(function, dict(function.__globals__))
        _build.require(rung)
        if rung == "numba":
            namespace = dict(function.__globals__)
            self.progress(f"{self.name}: numba compiling")
            copy = _rebound(function, namespace)
            return _build.numba_function(copy, namespace, self.sample(self.sizes[0]))
        names = _global_names(function)
        source = _build.annotations_kept(self.source, rung) + "".join(
            f"\n{key} = None" for key in names)
        module = _build.cython_module(self.name, rung, source,
                                      lambda step: self.progress(f"{self.name}: {step}"))
        for key in names:
            setattr(module, key, function.__globals__[key])
        return getattr(module, function.__name__)

    def build(self, backends: Optional[Sequence[str]] = None) -> dict[str, str]:
        """Build ``backends`` (default: every rung fastkern builds) now; the absent ones' reasons."""
        for backend in backends or self._buildable:
            try:
                self.resolve(backend)
            except BackendError:
                pass
        return {b: self.absent[b] for b in (backends or self._buildable) if b in self.absent}

    def add(self, backend: str, implementation: Callable, *, releases_gil: bool = False) -> Callable:
        """Put ``implementation`` on the ladder as ``backend``: called with the same
        positional arguments as the function; ``releases_gil`` says it runs without the GIL."""
        if not isinstance(backend, str) or not backend.isidentifier():
            raise ValueError(f"backend must be a name (an identifier), got {backend!r}")
        if not callable(implementation):
            raise TypeError(f"implementation must be callable, got {type(implementation).__name__}")
        if not isinstance(releases_gil, bool):
            raise TypeError(f"releases_gil must be True or False, got {releases_gil!r}")
        with self._lock:
            if backend in self.names():
                raise ValueError(f"{self.name} already has a backend {backend!r}")
            if releases_gil:
                self.releasing.add(backend)
            self.table[backend] = (implementation, OBJECTS)
            self.added.append(backend)
        return implementation


def _say(message: str) -> None:
    import sys

    print(f"fastkern: {message}", file=sys.stderr, flush=True)


def kernel(sample: Callable[[int], tuple], *, unit: str = "call", work: Optional[Callable[[int], int]] = None,
           sizes: tuple = (1_000, 100_000), name: Optional[str] = None,
           default: str = "python") -> Callable[[Callable], Callable]:
    """Register a pure-Python function as a fastkern kernel, on the same ladder as the built-ins.

    ``sample(size)`` returns a tuple of arguments for a deterministic input of ``size``;
    ``work(size)`` counts the ``unit``\\ s of work it holds (default: ``size``); ``sizes``
    are a (small, large) pair for benchmarks. ``default`` is the backend used when no
    ``backend=``, :func:`fastkern.use` or ``FASTKERN_BACKEND`` chooses one.

    The decorated name becomes a dispatching function like ``fastkern.sum``: call it with
    ``backend=`` (``python``, ``compiled``, ``annotated`` where the function has
    annotations, ``numba``, or one you ``add``); ``kernel_backends``, ``implementation``
    and ``fastkern.anatomy`` accept it or its name. It also has ``add(backend, callable,
    releases_gil=False)`` and ``build()``. Each rung runs the function's own code with its
    own name bound to itself (recursion stays on the rung) and its module's other
    globals as they were at its first use. It runs on the calling thread: ``threads=``
    (which splits built-in kernels) is refused with the reason. Refused: lambdas, closures, generators,
    functions without source or defined inside functions, keyword-only parameters, and
    the names of fastkern's own kernels.
    """
    if not callable(sample):
        raise TypeError(f"sample must be a function of the size returning a tuple of arguments, "
                        f"got {type(sample).__name__}")
    if not isinstance(default, str):
        raise TypeError(f"default must be a backend name, got {type(default).__name__}")

    def decorate(function: Callable) -> Callable:
        signature = check_function(function)
        own = Implementations(function, name or function.__name__, sample, tuple(sizes))
        spec = Kernel(own.name, function.__doc__ or "", _binder(own.name, signature), sample,
                      unit, work or (lambda size: size), sizes=tuple(sizes),
                      fastest_first=(default, "python"), implementations=own)
        register(spec, replaces=lambda old: old.implementations.origin == own.origin)
        dispatching = public_function(spec)
        dispatching.__module__, dispatching.__qualname__ = function.__module__, function.__qualname__
        dispatching.__name__ = function.__name__
        dispatching.__wrapped__ = function
        dispatching.add, dispatching.build = own.add, own.build
        own.dispatcher = dispatching
        return dispatching

    return decorate


def _binder(name: str, signature: inspect.Signature) -> Callable[..., tuple]:
    """The registry's ``prepare`` for a registered function: its arguments, positionally."""
    count = len(signature.parameters)

    def prepare(form, *args, **kwargs):
        if not kwargs and len(args) == count:
            return args
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as error:
            raise TypeError(f"{name}(): {error}") from None
        bound.apply_defaults()
        return bound.args

    form = inspect.Parameter("form", inspect.Parameter.POSITIONAL_ONLY)
    prepare.__signature__ = signature.replace(parameters=[form, *signature.parameters.values()],
                                              return_annotation=inspect.Signature.empty)
    return prepare
