"""Rungs built at run time from a registered function's own source: Cython and numba.

``compiled`` is the function's source transpiled by Cython exactly as the build does for
the built-in ``compiled`` rung (type inference and annotation typing off), ``annotated``
the same with Cython reading the function's annotations (its pure-Python mode), and
``numba`` the function under ``numba.njit(nogil=True)``. C is compiled with the flags of
fastkern's own build. Each extension is built once and kept in a private per-user cache
directory, keyed by everything that changes the machine code.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import warnings
from pathlib import Path
from types import ModuleType
from typing import Callable

from ._dispatch import BackendError

#: Rungs fastkern builds from a registered function's source, in ladder order.
RUNTIME_RUNGS = ("compiled", "bound", "ints", "floats", "annotated", "numba")
#: The steps inside dynamic typing & boxing built from the function's own annotations: each
#: keeps those of its kind and of the steps before it (see :func:`annotations_kept`).
ANNOTATION_STEPS = ("ints", "floats")
#: Built rungs that run without the GIL (numba's ``nogil=True``).
RELEASE_GIL = frozenset({"numba"})
INSTALL_HINT = 'pip install "fastkern[compile]"'
#: Bumped whenever the way a cached extension is built changes.
CACHE_FORMAT = 1
#: The Cython options of each Cython rung; ``compiled`` matches CMakeLists.txt's. Both
#: declare themselves free-threading compatible, as the built-in compiled rung does: the
#: module keeps no state of its own, so loading it on a free-threaded CPython (3.13t) must
#: not re-enable the GIL for the whole process.
DIRECTIVES = {
    "compiled": ("-X", "infer_types=False", "-X", "annotation_typing=False",
                 "-X", "freethreading_compatible=True"),
    "annotated": ("-X", "annotation_typing=True", "-X", "freethreading_compatible=True"),
    # The steps type from their annotations only: Cython's inference, which ``annotated``
    # keeps, would type integers and floats at once.
    "ints": ("-X", "infer_types=False", "-X", "annotation_typing=True",
             "-X", "freethreading_compatible=True"),
    "floats": ("-X", "infer_types=False", "-X", "annotation_typing=True",
               "-X", "freethreading_compatible=True"),
}
#: Annotations that make a C integer or a C double (``int`` and ``list`` stay Python objects).
C_INTEGERS = frozenset({"char", "short", "int", "long", "longlong", "Py_ssize_t", "size_t",
                        "uchar", "ushort", "uint", "ulong", "ulonglong", "Py_hash_t"})
C_FLOATS = frozenset({"float", "double", "longdouble"})
#: What the project's build adds to its configured flags (CMake's C standard and PIC).
_BUILD_EXTRAS = ("-std=gnu99", "-fPIC")
_DEFAULT_FLAGS = "-O3 -DNDEBUG -ffp-contract=off -fno-math-errno"

Progress = Callable[[str], None]


class Unavailable(Exception):
    """A rung that cannot be built here; the message is a one-line reason."""


class BuildError(BackendError):
    """Cython or the C compiler refused the source; the message is theirs."""

    @property
    def reason(self) -> str:
        """One line: the tool, and its first ``file:line:column:`` diagnostic (else its last line)."""
        tool, _, output = str(self).partition("\n")
        lines = [line.strip() for line in output.splitlines() if line.strip()]
        located = [line for line in lines if re.search(r":\d+:\d+: ", line)]
        pick = located[0] if located else (lines[-1] if lines else "")
        return f"{tool} {pick}".strip()


def cache_dir() -> Path:
    """The private per-user cache: ``FASTKERN_CACHE_DIR``, else ``$XDG_CACHE_HOME/fastkern``.

    Created with mode 0700; one that another user owns, or that others may write to, is
    refused, since fastkern loads machine code from it.
    """
    root = os.environ.get("FASTKERN_CACHE_DIR")
    if not root:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(base, "fastkern")
    path = Path(root)
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = path.stat()
    except OSError as error:
        raise Unavailable(f"cannot create the cache directory {path}: {error.strerror}") from None
    if status.st_uid != os.getuid() or status.st_mode & 0o022:
        raise Unavailable(f"the cache directory {path} is not private to this user "
                          f"(owner or others may write to it); set FASTKERN_CACHE_DIR")
    return path


def compiler() -> list[str]:
    """The C compiler command: ``CC``, else the one Python was built with, found on PATH."""
    command = shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")
    if not command or shutil.which(command[0]) is None:
        name = command[0] if command else "(empty CC)"
        raise Unavailable(f"no C compiler: {name} is not on PATH; install one, and {INSTALL_HINT}")
    return command


def c_flags() -> list[str]:
    """The flags fastkern's own extensions were compiled with."""
    try:
        from ._build_info import C_FLAGS
    except ImportError:
        C_FLAGS = None
    return shlex.split(C_FLAGS or _DEFAULT_FLAGS) + list(_BUILD_EXTRAS)


def cython_version() -> str:
    try:
        from Cython import __version__
    except ImportError:
        raise Unavailable(f"Cython is not installed: {INSTALL_HINT}") from None
    return __version__


def require(rung: str) -> None:
    """Raise :class:`Unavailable` when ``rung`` cannot be built on this machine, cheaply (nothing built)."""
    if rung == "numba":
        if importlib.util.find_spec("numba") is None:
            raise Unavailable("numba is not installed: pip install numba")
        return
    cython_version()
    compiler()
    cache_dir()


def cache_key(rung: str, source: str) -> str:
    """A digest of everything the machine code depends on."""
    parts = [str(CACHE_FORMAT), rung, source, cython_version(), " ".join(compiler()),
             " ".join(c_flags()), " ".join(DIRECTIVES[rung]), sys.version,
             sysconfig.get_config_var("EXT_SUFFIX") or ""]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:20]


def _kind(annotation: ast.expr) -> str:
    """"int" for a C integer annotation (``cython.int``...), "float" for a C double
    (``float``, ``cython.double``...), else "other"."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return "other"
    if isinstance(annotation, ast.Name) and annotation.id == "float":
        return "float"
    if isinstance(annotation, ast.Attribute) and isinstance(annotation.value, ast.Name) \
            and annotation.value.id == "cython":
        if annotation.attr in C_INTEGERS:
            return "int"
        if annotation.attr in C_FLOATS:
            return "float"
    return "other"


def annotation_kinds(source: str) -> set[str]:
    """The kinds (see :func:`_kind`) of the annotations in ``source``."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        for annotation in _annotations(node):
            found.add(_kind(annotation))
    return found


def _annotations(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.arg) and node.annotation is not None:
        return [node.annotation]
    if isinstance(node, ast.AnnAssign):
        return [node.annotation]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
        return [node.returns]
    return []


def annotations_kept(source: str, rung: str) -> str:
    """``source`` as the step ``rung`` compiles it: only the annotations of its kinds kept
    (``ints``: C integers; ``floats``: C integers and doubles); ``annotated`` keeps them
    all. Each imports ``cython``, so that ``cython.int`` annotations mean C types; other
    rungs get ``source`` unchanged."""
    if rung == "annotated":
        return "import cython\n" + source
    if rung not in ANNOTATION_STEPS:
        return source
    kept = {"int"} if rung == "ints" else {"int", "float"}
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None \
                and _kind(node.annotation) not in kept:
            node.annotation = None
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None \
                and _kind(node.returns) not in kept:
            node.returns = None
    for parent in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            statements = getattr(parent, field, None)
            if isinstance(statements, list):
                setattr(parent, field, [_unannotated(s, kept) for s in statements])
    return "import cython\n" + ast.unparse(tree)


def _unannotated(statement: ast.stmt, kept: set[str]) -> ast.stmt:
    """An annotated assignment whose annotation is not ``kept``, as a plain one."""
    if not isinstance(statement, ast.AnnAssign) or _kind(statement.annotation) in kept:
        return statement
    if statement.value is None:
        return ast.copy_location(ast.Pass(), statement)
    return ast.copy_location(ast.Assign([statement.target], statement.value), statement)


_LOCK = threading.Lock()
_LOADED: dict[str, ModuleType] = {}


def cython_module(name: str, rung: str, source: str, progress: Progress) -> ModuleType:
    """The extension module of ``source`` for ``rung``, built unless cached, loaded once."""
    module_name = f"fastkern_{rung}_{name}_{cache_key(rung, source)}"
    target = cache_dir() / (module_name + (sysconfig.get_config_var("EXT_SUFFIX") or ".so"))
    with _LOCK:
        if module_name not in _LOADED:
            if not target.exists():
                _build(module_name, rung, source, target, progress)
            spec = importlib.util.spec_from_file_location(module_name, target)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            _LOADED[module_name] = module
        return _LOADED[module_name]


def _build(module_name: str, rung: str, source: str, target: Path, progress: Progress) -> None:
    """Transpile and compile in a private scratch folder, then move the result into place.

    ``os.replace`` is atomic, so two processes building the same module at once each
    install a complete file, and a process that loaded the first keeps its mapping.
    """
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as scratch:
        folder = Path(scratch)
        python_file = folder / f"{module_name}.py"
        python_file.write_text(source, encoding="utf-8")
        c_file = folder / f"{module_name}.c"
        progress(f"Cython: transpiling ({rung})")
        _run([sys.executable, "-m", "cython", "-3", "--module-name", module_name,
              *DIRECTIVES[rung], str(python_file), "-o", str(c_file)], "Cython", folder)
        progress(f"C compiler: compiling ({rung})")
        built = folder / target.name
        _run([*compiler(), *c_flags(), f"-I{sysconfig.get_paths()['include']}", "-shared",
              *(["-undefined", "dynamic_lookup"] if sys.platform == "darwin" else []),
              str(c_file), "-o", str(built)], "the C compiler", folder)
        os.replace(built, target)
    progress(f"built {rung} in {time.perf_counter() - started:.1f} s")


def _run(command: list[str], tool: str, folder: Path) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, cwd=folder)
    except OSError as error:
        raise BuildError(f"{tool} could not be started: {error}") from None
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().replace(str(folder) + os.sep, "")
        raise BuildError(f"{tool} failed:\n{message}")


def one_line(error: Exception, limit: int = 160) -> str:
    """The first two lines of an error's message, colour codes removed, cut to ``limit``."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(error))
    line = " ".join(part.strip() for part in text.splitlines()[:2] if part.strip())
    line = line or type(error).__name__
    return line if len(line) <= limit else line[:limit - 3] + "..."


def numba_function(function: Callable, namespace: dict, sample: tuple) -> Callable:
    """``function`` under ``numba.njit(nogil=True)``, compiled now for the sample's types.

    ``namespace`` is the function's globals; its name there becomes the compiled function,
    so recursion stays compiled. numba keeps its machine code in its own on-disk cache.
    """
    import numba

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compiled = numba.njit(nogil=True, cache=True)(function)
        namespace[function.__name__] = compiled
        try:
            compiled(*sample)
        except Exception as error:  # numba raises many kinds; each means "not in nopython mode"
            raise Unavailable(f"numba cannot compile it in nopython mode: {one_line(error)}") from None
    return compiled
