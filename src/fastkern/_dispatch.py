"""Backend discovery and per-call dispatch.

The backend for a call is, in order: the ``backend=`` argument, the innermost
``with fastkern.use(...)`` block (a ``ContextVar``, so threads and asyncio tasks do not
leak into each other), the ``FASTKERN_BACKEND`` environment variable read at import, and
otherwise the default: the fastest backend built that can do what the call asks, at its
size. That is the first built of the kernel's ``fastest_first``, except that

- a call of at least ``Kernel.large``'s work runs on its backend (matmul: BLAS, whose call
  costs more than c's but whose loop is faster, from ``MATMUL_BLAS_WORK`` multiply-adds);
- a call giving ``threads`` or ``release_gil`` runs on the first of ``fastest_first`` that
  takes them (typed or c), never on a backend that would refuse them.

A backend the user chose (``backend=``, ``use()``, ``FASTKERN_BACKEND``) is never replaced;
``default_rules()`` says each kernel's rule (``fastkern.info()["defaults"]``).

``FASTKERN_BACKEND`` is a process-wide preference: a kernel its backend does not implement
(``numpy`` has no ``nbody``) runs on the fastest backend built that does. A name that is
not a backend, or one that is not built, is an error naming the variable, raised at
the first call that would use it.

Each public function is the full path below (``slow``), fronted where the extension
``fastkern._fastcall`` is built by a C-level callable that runs the common case --
arguments already in the backend's form -- without it (see ``Kernel.args``).
"""

from __future__ import annotations

import contextlib
import contextvars
import inspect
import numbers
import os
from typing import Callable, Iterator

from ._backends import LADDER, MISSING, MODULES, BackendError
from ._boundary import BUFFERS
from ._kernels import KERNELS, Count, Kernel
from ._rungs import GIL_RELEASING

#: Backends whose raw callables read any C-contiguous buffer, not only NumPy arrays.
ANY_BUFFER = frozenset({"typed", "c"})
#: The most threads one call may be split over (csrc/fastkern.h: FK_MAX_THREADS).
MAX_THREADS = 1024

try:
    from ._fastcall import KernelFunction
except ImportError:
    KernelFunction = None
_ENV_BACKEND = os.environ.get("FASTKERN_BACKEND") or None
_chosen: contextvars.ContextVar[str | None] = contextvars.ContextVar("fastkern_backend", default=None)


def backends() -> list[str]:
    """The backends built and importable, slowest rung first."""
    return list(MODULES)


def missing_backends() -> dict[str, str]:
    """Each built-in backend that did not import, with why."""
    return dict(MISSING)


def kernels() -> list[str]:
    """Every kernel's name."""
    return list(KERNELS)


def kernel_backends(kernel: str | Callable) -> list[str]:
    """The built backends that implement ``kernel`` (a name or a kernel's function), slowest
    rung first.

    For a registered kernel, the rungs fastkern builds from its source on first use are
    listed while they can be built on this machine.
    """
    return kernel_spec(kernel).implementations.backends()


def chooses_gil(kernel: str, backend: str) -> bool:
    """Whether ``backend`` of ``kernel`` takes ``release_gil`` (the built-in typed and c)."""
    return backend in kernel_spec(kernel).implementations.choosing


def releases_gil(kernel: str, backend: str) -> bool:
    """Whether ``backend`` of ``kernel`` can run with the GIL released."""
    return backend in kernel_spec(kernel).implementations.releasing


def kernel_spec(kernel: str | Callable) -> Kernel:
    """The registry entry of ``kernel``: its name or its dispatching function (``fastkern.sum``,
    a function decorated by :func:`fastkern.kernel`); ValueError naming the kernels where unknown."""
    name = getattr(kernel, "__fastkern_kernel__", kernel)
    try:
        return KERNELS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown kernel {name!r}; choose one of {', '.join(KERNELS)}") from None


def known_backends() -> list[str]:
    """The ladder's backends, then those that registered kernels add."""
    names = list(LADDER)
    for spec in list(KERNELS.values()):
        names += [name for name in spec.implementations.names() if name not in names]
    return names


def _not_a_name(name: object) -> TypeError:
    return TypeError(f"backend must be a backend name (str), got {type(name).__name__}; "
                     f"choose one of {', '.join(known_backends())}")


def _backend_problem(name: object) -> str | None:
    """Why ``name`` cannot be used as a backend, or None when it can."""
    if name not in LADDER:
        known = known_backends()
        return None if name in known else f"unknown backend {name!r}; choose one of {', '.join(known)}"
    if name in MISSING:
        return (f"backend {name!r} is not available: its extension module did not import "
                f"({MISSING[name]}); reinstall fastkern with a C compiler and Cython available")
    return None


def check_backend(name: object) -> str:
    """``name`` where it is a backend that can be used; TypeError or BackendError saying why
    not."""
    if not isinstance(name, str):
        raise _not_a_name(name)
    problem = _backend_problem(name)
    if problem:
        raise BackendError(problem)
    return name


def _default_backend(names, fastest: str | None) -> str | None:
    """``FASTKERN_BACKEND`` where it implements the kernel (is in ``names``); otherwise
    the fastest built.

    A bad variable is kept, so that the first call using it reports it.
    """
    if _ENV_BACKEND is None or _ENV_BACKEND in names or _backend_problem(_ENV_BACKEND):
        return _ENV_BACKEND or fastest
    return fastest


def _resolve(spec: Kernel, name: object, chosen: object) -> tuple:
    """``(callable, form)`` of backend ``name`` of ``spec``, built where it is built on first
    use; the error says so where the name came from ``FASTKERN_BACKEND``."""
    try:
        return spec.implementations.resolve(check_backend(name))
    except BackendError as error:
        if chosen is None and name == _ENV_BACKEND:
            raise BackendError(f"environment variable FASTKERN_BACKEND={name!r}: {error}") from None
        raise


def _signature_error(spec: Kernel, signature: inspect.Signature, args: tuple, kwargs: dict) -> None:
    """A TypeError about the public function's own signature when the arguments do not fit it."""
    try:
        signature.bind(*args, **kwargs)
    except TypeError as error:
        positional = sum(p.kind is p.POSITIONAL_OR_KEYWORD for p in signature.parameters.values())
        hint = ""
        if any(isinstance(extra, str) for extra in args[positional:]):
            hint = f"; backend is keyword-only: {_called(spec)}(..., backend={args[-1]!r})"
        raise TypeError(f"{_called(spec)}{signature}: {error}{hint}") from None


def _called(spec: Kernel) -> str:
    """How the user calls the kernel: ``fastkern.sum``, or a registered function's name."""
    return spec.name if spec.implementations.run_time else f"fastkern.{spec.name}"


def implementation(kernel: str | Callable, backend: str) -> Callable:
    """The raw callable of ``kernel`` in ``backend``, with no dispatch or conversion.

    It takes each argument already in the backend's natural form (lists of Python
    numbers for ``python``/``compiled``, contiguous float64 buffers for the others),
    positionally, and does no checking beyond what its types enforce: for benchmarks.
    """
    return kernel_spec(kernel).implementations.resolve(check_backend(backend))[0]


def prepare(kernel: str, backend: str, *args, **kwargs) -> tuple:
    """The raw positional arguments that ``implementation(kernel, backend)`` takes."""
    spec = kernel_spec(kernel)
    return spec.prepare(spec.implementations.form(check_backend(backend)), *args, **kwargs)


@contextlib.contextmanager
def use(backend: str) -> Iterator[str]:
    """Within the block, calls that name no backend use ``backend``."""
    token = _chosen.set(check_backend(backend))
    try:
        yield backend
    finally:
        _chosen.reset(token)


def _check_release_gil(release_gil: object, backend: str, releasing=GIL_RELEASING,
                       choosing=GIL_RELEASING) -> None:
    """``releasing``: backends that can release the GIL; ``choosing``: those that may hold it too."""
    if not isinstance(release_gil, bool):
        raise TypeError(f"release_gil must be True, False or None, got {release_gil!r}")
    if backend not in releasing and (release_gil or backend == "numpy"):
        who = (f"only {' and '.join(sorted(choosing))} choose whether to release the GIL"
               if choosing else "it runs with the GIL held")
        raise ValueError(f"backend {backend!r} cannot honour release_gil={release_gil}; {who}")
    if backend in releasing and backend not in choosing and not release_gil:
        raise ValueError(f"backend {backend!r} always releases the GIL; "
                         f"it cannot honour release_gil=False")




def check_threads(threads: object, kernel: Kernel, backend: str) -> int:
    """The thread count a ``threads=`` value asks for (0: every usable core)."""
    if isinstance(threads, bool) or not isinstance(threads, numbers.Integral):
        raise TypeError(f"threads must be None or an int (0: all usable cores), got {threads!r}")
    threads = int(threads)
    if not 0 <= threads <= MAX_THREADS:
        raise ValueError(f"threads must be in 0..{MAX_THREADS} (0: all usable cores), got {threads}")
    if not kernel.splits:
        split = ", ".join(name for name, spec in KERNELS.items() if spec.splits)
        raise ValueError(f"{kernel.name} does not split over threads "
                         f"({kernel.implementations.serial}); threads is taken by {split}")
    if backend not in GIL_RELEASING and threads != 1:
        raise ValueError(f"backend {backend!r} runs one thread per call: threads must be None "
                         f"or 1 there, got {threads}; {' and '.join(sorted(GIL_RELEASING))} split calls")
    if threads == 0:
        from ._info import thread_budget

        return thread_budget()
    return threads


def _fastest(spec: Kernel) -> str | None:
    """The first backend of the kernel's ``fastest_first`` that it has; a kernel whose
    backends are added at run time takes the first, which may come later."""
    impls = spec.implementations
    names = impls.names()
    return next((name for name in spec.fastest_first if name in names or impls.run_time), None)


def _default_rules(spec: Kernel) -> tuple[str | None, tuple[str, int] | None]:
    """The default's exceptions (see the module's documentation): the first backend that
    takes ``threads`` and ``release_gil`` (None if none does), and ``(backend, work)`` for
    large calls where that backend is built and takes the same arguments as the fastest
    (else None)."""
    impls = spec.implementations
    table, fastest = impls.table, _fastest(spec)
    honouring = next((name for name in spec.fastest_first if name in table and name in impls.choosing),
                     None)
    large = spec.large
    if large is None or large[0] not in table or table[large[0]][1] is not table[fastest][1]:
        large = None
    return honouring, large


def default_rules() -> dict[str, str]:
    """Each built-in kernel's default backend when the call names none, as a rule in words."""
    rules = {}
    for kernel, spec in KERNELS.items():
        if spec.implementations.run_time:
            continue
        default = _default_backend(spec.implementations.names(), _fastest(spec))
        if default == _ENV_BACKEND:
            rules[kernel] = f"{default} (FASTKERN_BACKEND)"
            continue
        rule = str(default)
        honouring, large = _default_rules(spec)
        if large is not None:
            rule += f"; {large[0]} from {large[1]} {spec.unit}s"
        if honouring is not None and (large is not None or default not in GIL_RELEASING):
            rule += f"; {honouring} when threads or release_gil is given"
        rules[kernel] = rule
    return rules


def public(name: str) -> Callable:
    """The dispatching function ``fastkern.<name>`` of a kernel, the same object each time."""
    impls = kernel_spec(name).implementations
    if impls.dispatcher is None:
        impls.dispatcher = public_function(kernel_spec(name))
    return impls.dispatcher


def public_function(spec: Kernel) -> Callable:
    """The dispatching function ``fastkern.<kernel>`` for one kernel.

    Its table of implementations is the kernel's own: fixed at import for a built-in
    kernel, live for a registered one, whose backends not in it yet are resolved (built)
    on first use.
    """
    impls = spec.implementations
    table, releasing, choosing = impls.table, impls.releasing, impls.choosing
    default = _default_backend(impls.names(), _fastest(spec))
    honouring = large = None
    if default != _ENV_BACKEND:  # FASTKERN_BACKEND is a choice too: never replaced
        honouring, large = _default_rules(spec)
    prepare_args, finish = spec.prepare, spec.finish

    def slow(*args, backend=None, release_gil=None, threads=None, **kwargs):
        chosen = _chosen.get() if backend is None else backend  # a falsy name is no default
        name = default if chosen is None else chosen
        asks = threads is not None or release_gil is not None
        if chosen is None and asks and honouring is not None and name not in choosing:
            name = honouring
        try:
            impl, form = table[name]
        except (KeyError, TypeError):
            impl, form = _resolve(spec, name, chosen)
        try:
            raw = prepare_args(form, *args, **kwargs)
        except TypeError:
            _signature_error(spec, signature, args, kwargs)
            raise
        if chosen is None and not asks and large is not None and spec.call_work(raw) >= large[1]:
            name = large[0]
            impl, form = table[name]
        if release_gil is not None:
            _check_release_gil(release_gil, name, releasing, choosing)
        if threads is not None and name in choosing:
            count = check_threads(threads, spec, name)
            result = impl(*raw, True if release_gil is None else release_gil, count)
        elif threads is not None:
            check_threads(threads, spec, name)
            result = impl(*raw)
        elif release_gil is None:
            result = impl(*raw)
        else:
            result = impl(*raw, release_gil) if name in choosing else impl(*raw)
        return result if finish is None or form is BUFFERS else finish(form, result, raw)

    kernel = slow
    if KernelFunction is not None and not impls.run_time:  # a growing table has no C front
        any_form = finish is None and all(isinstance(arg, Count) for arg in spec.args)
        fast = {name: (impl, name in GIL_RELEASING, name in ANY_BUFFER)
                for name, (impl, form) in table.items() if form is BUFFERS or any_form}
        defaults = inspect.signature(spec.prepare).parameters
        options = [(name, count, defaults[name].default) for name, count in spec.options]
        kernel = KernelFunction(slow, spec.args, options, fast, default, _chosen, large)
    params = list(inspect.signature(spec.prepare).parameters.values())[1:]
    params += [inspect.Parameter("backend", inspect.Parameter.KEYWORD_ONLY, default=None),
               inspect.Parameter("release_gil", inspect.Parameter.KEYWORD_ONLY, default=None)]
    if spec.splits:
        params.append(inspect.Parameter("threads", inspect.Parameter.KEYWORD_ONLY, default=None))
    kernel.__signature__ = signature = inspect.Signature(params)
    kernel.__name__ = kernel.__qualname__ = spec.name
    kernel.__module__ = "fastkern"
    kernel.__fastkern_kernel__ = spec.name
    kernel.__doc__ = inspect.cleandoc(spec.doc)
    if not impls.run_time:
        kernel.__doc__ += _COMMON_DOC.format(fastest=", ".join(
            name for name in spec.fastest_first if name in table), large=(
            f" ({large[0]} for a call of at least {large[1]} {spec.unit}s)" if large else "")) + (
            _THREADS_DOC if spec.splits else "")
    return kernel


_COMMON_DOC = """

``backend`` picks the implementation (see :func:`fastkern.backends`); unset, it comes
from :func:`fastkern.use`, then ``FASTKERN_BACKEND`` (when that backend implements this
kernel), then the first built of: {fastest}{large}; a call giving ``threads`` or
``release_gil`` takes the first of those that honours them.
``release_gil`` (``typed`` and ``c`` only; default True there) runs the same machine code
with the GIL released or held; other backends raise ``ValueError`` for a value they cannot
honour. On a free-threaded build (no GIL) ``release_gil=False`` does not stop other
threads: it keeps the calling thread attached to the interpreter for the whole call, which
holds off stop-the-world pauses (such as the cycle collector's) until the call ends; True
detaches it, as releasing the GIL does. Bad arguments raise ``TypeError`` or ``ValueError``
naming the argument.
"""

_THREADS_DOC = """
``threads`` (``typed`` and ``c``) splits this one call over that many threads with the GIL
released (unless ``release_gil=False``: then the calling thread holds it while the others
work); 0 means every usable core (affinity mask, capped by the cgroup CPU quota); None
(default) runs the unsplit single-thread call. The work is cut into fixed pieces whose
results combine in a fixed order, so the result does not depend on the number of threads.
Other backends take only None or 1. A build without thread support raises ``ValueError``
for ``threads`` > 1 (``fastkern.info()["threads"]`` says which it is).
"""
