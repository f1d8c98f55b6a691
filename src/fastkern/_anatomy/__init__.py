"""The anatomy: measure, on this machine, where Python's time goes.

The pipeline, one module a job: :mod:`.settings` (how long to measure), the measuring
sections (:mod:`.ladder`, :mod:`.costs`, :mod:`.gil`, :mod:`.cores`, :mod:`.stall`,
:mod:`.boundary`, :mod:`.memory`, :mod:`.garbage`, :mod:`.features`, driven by
:mod:`.run`), the data they produce (:mod:`.model`, :class:`.report.Report`), and the
display, which imports nothing that measures (:mod:`.derive`, :mod:`.figures`,
:mod:`.findings`, :mod:`.check`, :mod:`.render`, :mod:`.plot`), built on what every report
type shares (:mod:`fastkern._report`: estimates, figures, the terminal, saved JSON,
``compare``). :mod:`fastkern` re-exports ``anatomy``, ``anatomy_all``, ``Report`` and
``Settings``; this package imports none of its modules by itself.
"""
