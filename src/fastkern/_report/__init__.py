"""What every report type shares for display: figures and their estimates, numbers in
words, the terminal, saved JSON, the checker's first rule and ``compare``.

A leaf: it imports nothing from the packages that measure (:mod:`fastkern._anatomy`,
:mod:`fastkern._service`, :mod:`fastkern._cluster`); they build on it.
"""
