"""The service report as data: findings from its tables, JSON, compare, checker, chart."""

import dataclasses
import json
import subprocess
import sys

import pytest
from service_helpers import latencies, made_report

from fastkern._report import compare
from fastkern._service import check
from fastkern._service import findings as service_findings
from fastkern._service.figures import highest_served
from fastkern._service.report import FORMAT, ServiceReport


def test_findings_come_first_and_say_which_scenario_hurts_the_victim():
    text = made_report().render(120)
    assert text.startswith("Findings")
    first = text.splitlines()[1]
    assert "python as async def hurts /health most: p99 22.5x its baseline" in first
    assert "c as def least: 1.15x" in first
    assert text.index("Findings") < text.index("What the work did to /health")


def test_every_number_in_a_finding_is_in_a_table():
    assert made_report().problems() == []


def test_the_checker_names_a_number_no_table_shows(monkeypatch):
    made = made_report()
    wrong = [service_findings.Finding("victim", "python hurts /health: p99 99.9x its baseline")]
    monkeypatch.setattr(check, "findings", lambda report: wrong)
    assert made.problems() == ["finding 'victim': 99.9x is in no table"]


def test_the_checker_names_a_scenario_put_in_the_wrong_group(monkeypatch):
    made = made_report()
    wrong = [service_findings.Finding("victim", "x hurts: p99 1.15x its baseline; "
                                                "at least 2x in most rounds: c as def 1.15x"),
             service_findings.Finding("sweep", "highest rate served of those tried: c as def 50/s")]
    monkeypatch.setattr(check, "findings", lambda report: wrong)
    assert made.problems() == [
        "victim: c as def 1.15x does not fit 'at least 2x in most rounds' (its rounds 1.12x–1.18x)",
        "sweep: c as def 50/s is not its highest rate served"]


def test_a_ratio_whose_rounds_straddle_the_bound_is_not_resolved():
    text = made_report(blocked=(0.002, 0.004, 0.010, 0.001)).render(200)
    assert "not resolved (rounds on both sides): python as async def" in text


def test_the_sweep_stops_at_the_first_rate_not_served():
    made = made_report()
    assert highest_served(made, "c as def") == 100.0
    assert highest_served(made, "python as async def") is None


def test_a_generator_that_fell_behind_is_said_and_marked():
    text = made_report(behind=True).render(200)
    assert "the load generator fell behind in 3 of 13 windows" in text
    assert "python as async def (behind)" in text


def test_requests_that_failed_are_said(monkeypatch):
    made = made_report()
    broken = dataclasses.replace(made.windows[1], work=latencies(0.1, 50.0, answered=90))
    made = dataclasses.replace(made, windows=(made.windows[0], broken, *made.windows[2:]))
    text = made.render(200)
    assert ("requests failed or went unanswered (see 'work errors', 'completed' and '/health "
            "unanswered') in: python as async def.") in text
    assert made.problems() == []


def test_json_round_trip_and_figures():
    made = made_report()
    data = json.loads(made.to_json())
    assert data["format"] == FORMAT == ServiceReport.FORMAT and data["version"] == 1
    assert ServiceReport.from_json(made.to_json()) == made
    keys = [f.key for f in made.figures()]
    assert len(keys) == len(set(keys))
    ratio = next(f for f in made.figures()
                 if f.key == "fastkern kernels | python as async def | /health p99 over baseline")
    assert ratio.rounds == pytest.approx((20.0, 25.0, 22.5))
    assert made.noise().df == 6
    assert made.sizes()["kernels"] == {"mandelbrot": 50}


@pytest.mark.parametrize("text, why", [
    ("{", "not JSON"), ('{"format": "fastkern-anatomy"}', "no format 'fastkern-service'"),
    ('{"format": "fastkern-service", "version": 9}', "version 9"),
    ('{"format": "fastkern-service", "version": 1, "report": {}}', "lacks the field")])
def test_from_json_refuses_what_is_not_a_service_report(text, why):
    with pytest.raises(ValueError, match=why):
        ServiceReport.from_json(text)


def test_compare_lines_up_two_service_reports():
    rows = compare.rows([made_report(), made_report(blocked=(0.2, 0.25, 0.22))])
    row = next(r for r in rows if r.key.endswith("python as async def | /health p99 over baseline"))
    assert row.changed(1)


def test_draw_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "service.png"
    made_report().draw(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_rendering_a_saved_service_report_loads_nothing_that_measures(tmp_path):
    saved = tmp_path / "service.json"
    saved.write_text(made_report().to_json())
    script = ("import sys\nfrom fastkern._service.report import ServiceReport\n"
              f"text = ServiceReport.from_json(open({str(saved)!r}).read()).render(100)\n"
              "assert text.startswith('Findings')\n"
              "print('MODULES', *sorted(sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, check=True)
    loaded = set(result.stdout.split("MODULES", 1)[1].split())
    measuring = {f"fastkern._service.{name}" for name in
                 ("run", "server", "generator", "app", "probes", "work", "procs")}
    assert not measuring & loaded
    assert not {"multiprocessing", "fastapi", "aiohttp", "uvicorn", "asyncio"} & loaded


def test_report_compare_and_plot_read_saved_service_reports(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    from fastkern import __main__ as cli

    first, other = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(made_report().to_json())
    other.write_text(made_report(blocked=(0.2, 0.25, 0.22)).to_json())
    assert cli.main(["report", str(first), "--plot", str(tmp_path / "a.png")]) == 0
    assert capsys.readouterr().out.startswith("Findings\n- python as async def hurts /health")
    assert (tmp_path / "a.png").exists()
    assert cli.main(["compare", str(first), str(other)]) == 0
    assert "/health p99 over baseline" in capsys.readouterr().out
