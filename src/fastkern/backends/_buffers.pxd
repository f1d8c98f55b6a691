# cython: language_level=3
"""Buffer arguments of the raw ``typed`` and ``c`` callables, acquired without a memoryview.

A NumPy array is read through NumPy's C API (a few field reads); anything else through
the buffer protocol, whose export is held until :func:`release`, so no other thread can
free or resize the memory while a kernel runs with the GIL released. Either way the data
must be C-contiguous, aligned for its item type and in native byte order; otherwise a
``TypeError``/``ValueError`` names the argument. Every module that cimports this calls
``numpy.import_array()`` (Cython's ``cnp.import_array()``) first.
"""

from cpython.buffer cimport PyBUF_C_CONTIGUOUS, PyBUF_FORMAT, PyBuffer_Release, PyObject_GetBuffer
from libc.stdint cimport uintptr_t

cimport numpy as cnp


cdef extern from *:
    """
    static inline void fk_no_export(Py_buffer *view) { view->obj = NULL; }
    """
    void fk_no_export(Py_buffer *view) noexcept  # Cython types view.obj as an object


cdef inline bint _native_format(const char *format, char code) noexcept:
    if format[0] == b"@" or format[0] == b"=" or format[0] == b"<":
        format += 1
    return format[0] == code and format[1] == 0


cdef inline int acquire(object x, Py_buffer *view, int typenum, int ndim, str name) except -1:
    """Fill ``view`` with ``x``'s data: ``typenum`` (NPY_DOUBLE or NPY_UBYTE), ``ndim`` dims.

    For a NumPy array, ``view.obj`` stays NULL (the caller's reference keeps the array
    alive); :func:`release` is always safe to call once this returned 0.
    """
    cdef cnp.ndarray array
    cdef char code = b"d" if typenum == cnp.NPY_DOUBLE else b"B"
    cdef Py_ssize_t itemsize = 8 if typenum == cnp.NPY_DOUBLE else 1
    fk_no_export(view)
    if cnp.PyArray_Check(x):
        array = <cnp.ndarray>x
        if (cnp.PyArray_TYPE(array) != typenum or not cnp.PyArray_ISNOTSWAPPED(array)
                or cnp.PyArray_NDIM(array) != ndim):
            raise TypeError(f"{name} must be a {ndim}-D {'float64' if itemsize == 8 else 'uint8'} "
                            f"array in native byte order, got {x.dtype} with {x.ndim} dimension(s)")
        if not cnp.PyArray_IS_C_CONTIGUOUS(array):
            raise ValueError(f"{name} must be C-contiguous")
        view.buf = cnp.PyArray_DATA(array)
        view.ndim = ndim
        view.shape = <Py_ssize_t *>cnp.PyArray_DIMS(array)
    else:
        try:
            PyObject_GetBuffer(x, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT)
        except (TypeError, BufferError) as error:
            raise TypeError(f"{name} must be a C-contiguous buffer: {error}") from None
        if view.ndim != ndim or view.itemsize != itemsize or not _native_format(view.format, code):
            PyBuffer_Release(view)
            raise TypeError(f"{name} must be a {ndim}-D buffer of format {chr(code)!r}")
    if <uintptr_t>view.buf % <uintptr_t>itemsize:  # e.g. numpy.frombuffer at an odd offset
        PyBuffer_Release(view)
        raise ValueError(f"{name} must be aligned to {itemsize} bytes, got a buffer at an "
                         f"address that is not; copy it first (numpy.array({name}))")
    return 0


cdef inline void release(Py_buffer *view) noexcept:
    PyBuffer_Release(view)


cdef inline object new_float64_matrix(Py_ssize_t rows, Py_ssize_t columns):
    """A new uninitialised C-contiguous float64 array of shape (rows, columns)."""
    cdef cnp.npy_intp dims[2]
    dims[0] = rows
    dims[1] = columns
    return cnp.PyArray_EMPTY(2, dims, cnp.NPY_DOUBLE, 0)


cdef inline int acquire_pair(object x, object y, Py_buffer *views, int ndim, str x_name,
                             str y_name) except -1:
    """Two float64 buffers of ``ndim`` dimensions into views[0] and views[1], or neither."""
    acquire(x, &views[0], cnp.NPY_DOUBLE, ndim, x_name)
    try:
        acquire(y, &views[1], cnp.NPY_DOUBLE, ndim, y_name)
    except BaseException:
        release(&views[0])
        raise
    return 0
