# cython: language_level=3
"""Counts the float and int objects freed while a callable runs: the numbers boxed and
dropped again, which is what unboxing removes.

Counting is by the types' deallocators (``tp_dealloc``), swapped for counting ones during
the call and restored after it: unlike the allocator, they see objects that Python's free
lists recycle. Code compiled by Cython frees every object through them; the interpreter's
own specialised float and int instructions do not, so the count of an interpreted function
(the ``python`` rung) misses those. Every thread's objects are counted: count while no
other Python thread runs.
"""

cdef extern from *:
    """
    static destructor fk_float_dealloc = NULL;
    static destructor fk_long_dealloc = NULL;
    static Py_ssize_t fk_floats = 0, fk_ints = 0;
    static void fk_count_float(PyObject *o) { fk_floats++; fk_float_dealloc(o); }
    static void fk_count_long(PyObject *o) { fk_ints++; fk_long_dealloc(o); }
    static void fk_boxes_start(void) {
        fk_floats = fk_ints = 0;
        fk_float_dealloc = PyFloat_Type.tp_dealloc;
        fk_long_dealloc = PyLong_Type.tp_dealloc;
        PyFloat_Type.tp_dealloc = fk_count_float;
        PyLong_Type.tp_dealloc = fk_count_long;
    }
    static void fk_boxes_stop(void) {
        PyFloat_Type.tp_dealloc = fk_float_dealloc;
        PyLong_Type.tp_dealloc = fk_long_dealloc;
    }
    """
    void fk_boxes_start()
    void fk_boxes_stop()
    Py_ssize_t fk_floats
    Py_ssize_t fk_ints


def freed(call):
    """``(floats, ints)``: the float and int objects freed while ``call()`` ran."""
    fk_boxes_start()
    try:
        call()
    finally:
        fk_boxes_stop()
    return fk_floats, fk_ints
