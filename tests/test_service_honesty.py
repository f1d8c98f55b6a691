"""The load generator's honesty, against servers whose timing the tests control: a stall
is seen in every request it delayed, a constant handler reads as its time, and a generator
that cannot send on time says so."""

import os
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the service tests need fastkern[service]")

from service_apps import STALL  # noqa: E402

import fastkern  # noqa: E402
from fastkern._service import generator  # noqa: E402
from fastkern._service.generator import Stream  # noqa: E402
from fastkern._service.server import Server  # noqa: E402

TESTS = str(Path(__file__).resolve().parent)


@pytest.fixture
def served(monkeypatch):
    """A server of a test app (``service_apps.NAME``), stopped after the test."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [TESTS, os.environ.get("PYTHONPATH")])))
    started = []

    def serve(name, workers=1):
        server = Server({"app": f"service_apps:{name}"}, workers)
        started.append(server)
        server.start()
        return server

    yield serve
    for server in started:
        server.stop()


def test_a_loop_stalled_200_ms_once_a_second_reads_at_least_200_ms(served):
    server = served("stalling")
    server.probe()
    rate, seconds = 50.0, 3.0
    planned, outcomes = generator.send([Stream("victim", server.url + "/", rate)], seconds)["victim"]
    victim = generator.latencies(outcomes, planned, seconds)
    assert victim.sent == victim.planned == 150
    assert victim.p99 >= STALL and victim.max >= STALL
    assert max(lag for worker in server.probe().values() for lag in worker["lags"]) >= STALL * 0.9
    # open loop: the requests meant to go in a stall's first half all waited over half
    # of it; a client that waited for each answer would have sent one, not five
    delayed = sum(o.latency >= STALL / 2 for o in outcomes)
    assert delayed >= 2 * (STALL / 2 * rate - 1)


def test_every_worker_process_answers_its_own_probe(served):
    """Under two workers, a probe reaches one of them; the server's probe asks until both
    have answered, each with what its own loop recorded."""
    server = served("stalling", workers=2)
    generator.send([Stream("victim", server.url + "/", 20.0)], 1.0)
    found = server.probe()
    assert len(found) == 2 and set(found) <= set(server.members())
    assert all(worker["lags"] for worker in found.values())


def test_a_constant_10_ms_handler_reads_10_to_15_ms_at_a_rate_it_serves(served):
    server = served("sleepy")
    found, own = generator.run([Stream("work", server.url + "/", 50.0)], 2.0)
    assert found["work"].answered == found["work"].planned == 100
    assert 0.010 <= found["work"].p50 <= 0.015


def test_a_generator_asked_for_a_rate_it_cannot_send_is_marked_behind(served):
    server = served("sleepy")
    found, own = generator.run([Stream("work", server.url + "/", 20_000.0)], 0.3)
    assert own.behind
    assert own.send_lag_p99 > generator.BEHIND


def test_a_users_app_and_a_url_are_driven_the_same_way(served, monkeypatch):
    monkeypatch.chdir(TESTS)
    own = fastkern.service(app="service_apps:sleepy", path="/", quick=True, rounds=1)
    assert [s.name for s in own.scenarios] == ["/health alone", "/"]
    assert own.probes and len(own.windows) == 2 and own.problems() == []
    assert own.windows[1].work.p50 >= 0.010
    server = served("sleepy")
    elsewhere = fastkern.service(url=server.url, path="/", quick=True, rounds=1)
    assert [s.name for s in elsewhere.scenarios] == ["/"] and not elsewhere.probes
    assert elsewhere.windows[0].victim is None and elsewhere.windows[0].lag_p99 is None
    assert "no probes inside the server" in elsewhere.render(200)
