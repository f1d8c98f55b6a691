"""What each backend does to a web service under load (``fastkern service``).

The same kernels and rungs, served by a real server (FastAPI under uvicorn, in its own
process group) under an open-loop load, beside a light ``/health`` endpoint whose latency
says what the work did to every other request. The server side (:mod:`.app`,
:mod:`.probes`) and the measuring side (:mod:`.server`, :mod:`.generator`, :mod:`.run`)
need the optional extra ``fastkern[service]``; the report (:mod:`.report` and the modules
it displays with) is plain data and needs nothing beyond fastkern.
"""
