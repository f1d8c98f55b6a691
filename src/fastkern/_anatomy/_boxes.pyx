# cython: language_level=3, freethreading_compatible=True
"""Counts the float and int objects freed while a callable runs: the numbers boxed and
dropped again, which is what unboxing removes.

Counting is by the types' deallocators (``tp_dealloc``), swapped for counting ones during
the call and restored after it: unlike the allocator, they see objects that Python's free
lists recycle. Code compiled by Cython frees every object through them; the interpreter's
own specialised float and int instructions do not, so the count of an interpreted function
(the ``python`` rung) misses those. Every thread's objects are counted: count while no
other Python thread runs (with or without a GIL), and one call at a time: a second
``freed`` while one counts raises ``RuntimeError``.
"""

cdef extern from *:
    """
    static destructor fk_float_dealloc = NULL;
    static destructor fk_long_dealloc = NULL;
    static Py_ssize_t fk_floats = 0, fk_ints = 0;
    static void fk_count_float(PyObject *o) { fk_floats++; fk_float_dealloc(o); }
    static void fk_count_long(PyObject *o) { fk_ints++; fk_long_dealloc(o); }
    static int fk_boxes_start(void) {
        if (PyFloat_Type.tp_dealloc == fk_count_float) return -1;
        fk_floats = fk_ints = 0;
        fk_float_dealloc = PyFloat_Type.tp_dealloc;
        fk_long_dealloc = PyLong_Type.tp_dealloc;
        PyFloat_Type.tp_dealloc = fk_count_float;
        PyLong_Type.tp_dealloc = fk_count_long;
        return 0;
    }
    static void fk_boxes_stop(void) {
        PyFloat_Type.tp_dealloc = fk_float_dealloc;
        PyLong_Type.tp_dealloc = fk_long_dealloc;
    }
    """
    int fk_boxes_start()
    void fk_boxes_stop()
    Py_ssize_t fk_floats
    Py_ssize_t fk_ints


def freed(call):
    """``(floats, ints)``: the float and int objects freed while ``call()`` ran."""
    if fk_boxes_start() < 0:
        raise RuntimeError("freed() is already counting another call; count one call at a time")
    try:
        call()
    finally:
        fk_boxes_stop()
    return fk_floats, fk_ints
