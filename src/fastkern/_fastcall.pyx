# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, freethreading_compatible=True
"""The public kernel functions as C-level callables: a fast path in front of the Python one.

A :class:`KernelFunction` is called through CPython's vectorcall protocol, with no argument
tuple or keyword dictionary built. When a call is the common case, it calls the backend's
raw callable directly: every positional argument is what the registry entry's ``args``
declare -- a C-contiguous, aligned, native NumPy array of the declared dtype and shape
(``bytes`` for ``uint8``; for ``typed`` and ``c``, whose raw callables read any buffer, any
such buffer), or an ``int`` in the declared range -- as is every keyword option given (the
others take their defaults), the backend is one in the ``fast`` table, and ``release_gil``
is absent, None, True or False (a ``threads`` keyword always takes the full path). That is
what the full path would
call, since ``prepare`` passes such arguments through unchanged (other buffers as a NumPy
view of the same memory). Every other call, and so every error, goes to the full Python
path (``_dispatch.public_function``'s ``slow``), which resolves the backend and checks and
converts the arguments as it always has.
"""

from cpython.buffer cimport PyBUF_C_CONTIGUOUS, PyBUF_FORMAT, PyBuffer_Release
from cpython.contextvars cimport PyContextVar_Get
from cpython.exc cimport PyErr_Clear
from cpython.object cimport PyObject, PyTypeObject, Py_TYPE
from cpython.ref cimport Py_DECREF
from libc.limits cimport LLONG_MAX
from libc.stdint cimport uintptr_t

cimport numpy as cnp

from .backends._buffers cimport _native_format

cnp.import_array()


cdef extern from "Python.h":
    ctypedef object (*vectorcallfunc)(object, PyObject **, size_t, PyObject *)
    Py_ssize_t PyVectorcall_NARGS(size_t nargsf)
    object PyObject_Vectorcall(object callable, PyObject **args, size_t nargsf, PyObject *kwnames)
    Py_ssize_t PyTuple_GET_SIZE(PyObject *tuple)
    PyObject *PyTuple_GET_ITEM(PyObject *tuple, Py_ssize_t index)
    Py_ssize_t PyBytes_GET_SIZE(PyObject *bytes)
    bint PyBytes_CheckExact(PyObject *obj)
    bint PyUnicode_CheckExact(PyObject *obj)
    bint PyLong_CheckExact(PyObject *obj)
    long long PyLong_AsLongLongAndOverflow(PyObject *obj, int *overflow) noexcept
    int PyUnicode_Compare(PyObject *left, PyObject *right) except? -1
    PyObject *PyDict_GetItemWithError(object dict, PyObject *key) except? NULL
    void PyType_Modified(PyTypeObject *type)
    int get_buffer_or_minus_one "PyObject_GetBuffer"(PyObject *obj, Py_buffer *view, int flags) noexcept
    unsigned long Py_TPFLAGS_HAVE_VECTORCALL

    ctypedef struct VectorcallType "PyTypeObject":
        Py_ssize_t tp_vectorcall_offset
        unsigned long tp_flags


#: Limits of the fast path; a kernel beyond them simply always takes the full path.
cdef enum:
    MAX_ARGS = 6
    MAX_DIMS = 4
    ARG_FLOAT64 = 0
    ARG_UINT8 = 1
    ARG_COUNT = 2
    ALIGNED_CONTIGUOUS = cnp.NPY_ARRAY_C_CONTIGUOUS | cnp.NPY_ARRAY_ALIGNED


cdef class KernelFunction:
    """``fastkern.<kernel>``: the vectorcall fast path in front of the full Python path."""

    cdef vectorcallfunc vectorcall
    cdef object slow, fast, default, chosen, large
    cdef double large_work
    cdef tuple option_names, option_defaults
    cdef int nargs, noptions, nsymbols
    cdef int kinds[MAX_ARGS]
    cdef int ndims[MAX_ARGS]
    cdef int symbols[MAX_ARGS][MAX_DIMS]
    cdef bint nonempty[MAX_ARGS]
    cdef long long minimum[MAX_ARGS]
    cdef long long maximum[MAX_ARGS]
    cdef dict __dict__

    def __init__(self, slow, args, options, fast, default, chosen, large=None):
        """``slow``: the full path; ``args``: the registry entry's ``Buffer``/``Count``
        declarations; ``options``: (name, ``Count``, default) of each keyword option; ``fast``: backend name -> (raw callable, takes release_gil, takes any
        buffer) for the backends that take such arguments as they are and whose raw result
        is the public one; ``default``: the backend when none is chosen; ``chosen``: the
        ``ContextVar`` of ``fastkern.use``; ``large``: None, or ``(backend, work)``, the
        default instead for a call whose buffers hold at least that much work (the product
        of their named dimensions)."""
        self.slow, self.fast, self.default, self.chosen = slow, dict(fast), default, chosen
        self.large, self.large_work = (None, 0.0) if large is None else (large[0], float(large[1]))
        self.nargs, self.noptions = -1, len(options)
        self.option_names = tuple(name for name, _, _ in options)
        self.option_defaults = tuple(default for _, _, default in options)
        names = {}
        declared = list(args) + [count for _, count, _ in options]
        if 0 < len(args) and len(declared) <= MAX_ARGS and all(
                len(getattr(a, "shape", ())) <= MAX_DIMS for a in declared):
            self.nargs = len(args)
            for i, arg in enumerate(declared):
                if hasattr(arg, "shape"):
                    self.kinds[i] = {"float64": ARG_FLOAT64, "uint8": ARG_UINT8}[arg.dtype]
                    self.ndims[i] = len(arg.shape)
                    self.nonempty[i] = arg.nonempty
                    for d, symbol in enumerate(arg.shape):
                        self.symbols[i][d] = names.setdefault(symbol, len(names))
                else:
                    self.kinds[i] = ARG_COUNT
                    self.minimum[i], self.maximum[i] = arg.minimum, min(arg.maximum, LLONG_MAX)
        self.nsymbols = len(names)
        self.vectorcall = <vectorcallfunc>_vectorcall

    def __call__(self, *args, **kwargs):
        return self.slow(*args, **kwargs)

    def __reduce__(self):
        return self.__qualname__

    def __repr__(self):
        return f"<fastkern kernel function {self.__name__}>"


cdef bint _keyword_is(PyObject *name, str expected) except -1:
    return name == <PyObject *>expected or PyUnicode_Compare(name, <PyObject *>expected) == 0


cdef int _option_index(KernelFunction self, PyObject *name) except -2:
    """The index of keyword ``name`` among the options, or -1."""
    cdef int j
    for j in range(self.noptions):
        if _keyword_is(name, <str>self.option_names[j]):
            return j
    return -1


cdef bint _fits(Py_ssize_t *sizes, int symbol, Py_ssize_t size, bint nonempty) noexcept:
    if size == 0 and nonempty:
        return False
    if sizes[symbol] < 0:
        sizes[symbol] = size
    return sizes[symbol] == size


cdef bint _exported_buffer_fits(KernelFunction self, int i, PyObject *arg, Py_ssize_t *sizes) noexcept:
    """A non-NumPy buffer (array.array, memoryview, bytearray...) that a raw callable taking
    any buffer accepts as it is; checked on a view released at once (the callee holds its own)."""
    cdef Py_buffer view
    cdef bint fits
    cdef int d
    cdef char code = b"d" if self.kinds[i] == ARG_FLOAT64 else b"B"
    if get_buffer_or_minus_one(arg, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0:
        PyErr_Clear()
        return False
    fits = (view.ndim == self.ndims[i] and view.itemsize == (8 if code == b"d" else 1)
            and _native_format(view.format, code)
            and <uintptr_t>view.buf % <uintptr_t>view.itemsize == 0)
    d = 0
    while fits and d < view.ndim:
        fits = _fits(sizes, self.symbols[i][d], view.shape[d], self.nonempty[i])
        d += 1
    PyBuffer_Release(&view)
    return fits


cdef bint _count_fits(KernelFunction self, int i, PyObject *arg) noexcept:
    cdef int overflow
    cdef long long value
    if not PyLong_CheckExact(arg):
        return False
    value = PyLong_AsLongLongAndOverflow(arg, &overflow)
    return overflow == 0 and self.minimum[i] <= value <= self.maximum[i]


cdef bint _args_fit(KernelFunction self, PyObject **args, bint any_buffer, Py_ssize_t *sizes) noexcept:
    """Whether the raw callable takes every positional argument as it is: an ``int`` in
    its declared range, a NumPy array (or ``bytes``) already in the full path's form, or,
    for a raw callable that reads any buffer (``any_buffer``), a buffer of the declared type.
    ``sizes`` receives each named dimension's size."""
    cdef Py_ssize_t size
    cdef int i, d, ndim, typenum
    cdef cnp.npy_intp *dims
    cdef PyObject *arg
    cdef cnp.ndarray array
    for i in range(self.nsymbols):
        sizes[i] = -1
    for i in range(self.nargs):
        arg = args[i]
        ndim = self.ndims[i]
        if self.kinds[i] == ARG_COUNT:
            if _count_fits(self, i, arg):
                continue
            return False
        if Py_TYPE(<object>arg) == <PyTypeObject *>cnp.ndarray:
            array = <cnp.ndarray>arg
            typenum = cnp.NPY_DOUBLE if self.kinds[i] == ARG_FLOAT64 else cnp.NPY_UBYTE
            if (cnp.PyArray_NDIM(array) != ndim or cnp.PyArray_TYPE(array) != typenum
                    or not cnp.PyArray_ISNOTSWAPPED(array)
                    or cnp.PyArray_FLAGS(array) & ALIGNED_CONTIGUOUS != ALIGNED_CONTIGUOUS):
                return False
            dims = cnp.PyArray_DIMS(array)
        elif self.kinds[i] == ARG_UINT8 and ndim == 1 and PyBytes_CheckExact(arg):
            size = PyBytes_GET_SIZE(arg)
            dims = <cnp.npy_intp *>&size
        elif (any_buffer and not cnp.PyArray_Check(<object>arg) and not PyUnicode_CheckExact(arg)
                and _exported_buffer_fits(self, i, arg, sizes)):
            continue  # not an ndarray subclass: a masked array's buffer is data without its mask
        else:
            return False
        for d in range(ndim):
            if not _fits(sizes, self.symbols[i][d], dims[d], self.nonempty[i]):
                return False
    return True


cdef object _vectorcall(KernelFunction self, PyObject **args, size_t nargsf, PyObject *kwnames):
    cdef Py_ssize_t nargs = PyVectorcall_NARGS(nargsf), i
    cdef PyObject *backend = NULL
    cdef PyObject *release_gil = NULL
    cdef PyObject *name
    cdef PyObject *chosen
    cdef PyObject *entry
    cdef PyObject *stack[MAX_ARGS + 1]
    cdef Py_ssize_t sizes[MAX_ARGS * MAX_DIMS]
    cdef double work
    cdef bint by_default = False
    cdef int j
    if nargs != self.nargs:
        return PyObject_Vectorcall(self.slow, args, nargsf, kwnames)
    for j in range(self.noptions):
        stack[nargs + j] = <PyObject *>self.option_defaults[j]
    if kwnames != NULL:
        for i in range(PyTuple_GET_SIZE(kwnames)):
            name = PyTuple_GET_ITEM(kwnames, i)
            if _keyword_is(name, "backend"):
                backend = args[nargs + i]
            elif _keyword_is(name, "release_gil"):
                release_gil = args[nargs + i]
            else:
                j = _option_index(self, name)
                if j < 0 or not _count_fits(self, nargs + j, args[nargs + i]):
                    return PyObject_Vectorcall(self.slow, args, nargsf, kwnames)
                stack[nargs + j] = args[nargs + i]
    if backend == NULL or backend == <PyObject *>None:
        PyContextVar_Get(self.chosen, NULL, &chosen)
        if chosen == <PyObject *>None:
            by_default = True
            entry = (PyDict_GetItemWithError(self.fast, <PyObject *>self.default)
                     if self.default is not None else NULL)
        else:
            entry = PyDict_GetItemWithError(self.fast, chosen) if PyUnicode_CheckExact(chosen) else NULL
        Py_DECREF(<object>chosen)
    else:
        entry = PyDict_GetItemWithError(self.fast, backend) if PyUnicode_CheckExact(backend) else NULL
    if entry == NULL:
        return PyObject_Vectorcall(self.slow, args, nargsf, kwnames)
    impl, takes_release_gil, takes_any_buffer = <tuple><object>entry
    if not _args_fit(self, args, takes_any_buffer, sizes):
        return PyObject_Vectorcall(self.slow, args, nargsf, kwnames)
    if by_default and self.large_work > 0 and (release_gil == NULL or release_gil == <PyObject *>None):
        work = 1.0
        for j in range(self.nsymbols):
            work *= <double>sizes[j]
        if work >= self.large_work:
            entry = PyDict_GetItemWithError(self.fast, <PyObject *>self.large)
            if entry == NULL:
                return PyObject_Vectorcall(self.slow, args, nargsf, kwnames)
            impl, takes_release_gil, large_any_buffer = <tuple><object>entry
            if takes_any_buffer and not large_any_buffer and not _args_fit(self, args, False, sizes):
                return PyObject_Vectorcall(self.slow, args, nargsf, kwnames)
    for i in range(nargs):
        stack[i] = args[i]
    nargs += self.noptions
    if release_gil != NULL and release_gil != <PyObject *>None:
        if not takes_release_gil or (release_gil != <PyObject *>True and release_gil != <PyObject *>False):
            return PyObject_Vectorcall(self.slow, args, nargsf, kwnames)
        stack[nargs] = release_gil
        nargs += 1
    return PyObject_Vectorcall(impl, stack, nargs, NULL)


def _enable_vectorcall():
    """Point the type's vectorcall slot at each instance's ``vectorcall`` field."""
    probe = KernelFunction(None, (), (), {}, None, None)
    cdef VectorcallType *kind = <VectorcallType *>Py_TYPE(probe)
    kind.tp_vectorcall_offset = <char *>&(<KernelFunction>probe).vectorcall - <char *><PyObject *>probe
    kind.tp_flags |= Py_TPFLAGS_HAVE_VECTORCALL
    PyType_Modified(<PyTypeObject *>kind)


_enable_vectorcall()
