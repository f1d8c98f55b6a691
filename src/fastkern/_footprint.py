"""What a kernel's inputs take in memory at a size, against what this process may still
allocate: so that the command line refuses a size that cannot fit before allocating it."""

from __future__ import annotations

import resource
from typing import Optional

from ._boundary import OBJECTS
from ._kernels import Buffer, Count, Kernel
from ._rungs import BY_NAME

#: Bytes of one item of each buffer type the kernels declare.
_ITEM_BYTES = {"float64": 8, "uint8": 1}
#: A float64 as the object rungs hold it: a list slot (8 bytes) and a float object (24).
PYTHON_FLOAT_BYTES = 32


def takes_objects(backends: Optional[list[str]]) -> bool:
    """Whether the backends measured (None: every one) include one that reads Python objects."""
    return backends is None or any(name not in BY_NAME or BY_NAME[name].form == OBJECTS
                                   for name in backends)


def input_bytes(spec: Kernel, size: int, objects: bool) -> Optional[int]:
    """Bytes of ``spec.sample(size)``'s buffers (a built-in kernel's sample is ``size`` long
    in each dimension), plus their float64 data again as Python floats where ``objects``;
    None for a kernel that declares no buffers (its arguments are counts, or its own)."""
    buffers = [arg for arg in spec.args if isinstance(arg, Buffer)]
    if not buffers:
        return None
    return sum(size ** len(arg.shape) * (_ITEM_BYTES[arg.dtype] + (
        PYTHON_FLOAT_BYTES if objects and arg.dtype == "float64" else 0)) for arg in buffers)


def _proc_bytes(path: str, field: str) -> Optional[int]:
    """The kB figure ``field`` of a ``/proc`` file (``MemAvailable:`` of ``/proc/meminfo``),
    in bytes; None where it cannot be read."""
    try:
        with open(path, encoding="ascii") as found:
            for line in found:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def available_bytes() -> tuple[Optional[int], str]:
    """What this process may still allocate, and what says so: the memory the kernel reports
    available (MemAvailable) or what the address-space limit (RLIMIT_AS) leaves above this
    process's size, whichever is less; (None, "") where neither is known."""
    found = []
    memory = _proc_bytes("/proc/meminfo", "MemAvailable:")
    if memory is not None:
        found.append((memory, "available memory"))
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        found.append((max(0, soft - (_proc_bytes("/proc/self/status", "VmSize:") or 0)), "room left under the address-space limit (ulimit -v)"))
    return min(found) if found else (None, "")


def _gib(count: int) -> str:
    return f"{count / 2**30:.3g} GiB"


def size_problem(spec: Kernel, size: int, objects: bool) -> Optional[str]:
    """Why ``--size size`` cannot be measured, in one line naming the largest size that
    can: beyond what the kernel's integer arguments accept (a built-in kernel's sample passes
    the size as each of them), or inputs that do not fit in memory; None otherwise."""
    counts = [arg for arg in spec.args if isinstance(arg, Count)]
    if counts and size > min(arg.maximum for arg in counts):
        return f"--size {size}: {spec.name} takes sizes up to {min(arg.maximum for arg in counts)}"
    need = input_bytes(spec, size, objects)
    available, what = available_bytes()
    if need is None or available is None or need <= available:
        return None
    low, high = 0, size  # the largest size that fits: input_bytes grows with size
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if input_bytes(spec, middle, objects) <= available else (low, middle - 1)
    floats = objects and any(getattr(arg, "dtype", None) == "float64" for arg in spec.args)
    copies = " and their copy as Python floats" if floats else ""
    return (f"--size {size}: {spec.name}'s inputs{copies} need {_gib(need)}, more than the "
            f"{_gib(available)} of {what}; the largest size that fits is {low}")
