"""Past one machine: each rung as dask tasks, in threads or processes (``fastkern cluster``).

:func:`.run.cluster` (public as ``fastkern.cluster``) measures, on local clusters of the
usable cores or on the user's cluster, how each rung's tasks scale in each layout, and
:class:`.report.ClusterReport` says which layout each should run in. Needs
``fastkern[cluster]`` (dask.distributed).
"""
