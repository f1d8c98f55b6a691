"""The chart is a valid PNG (only when the optional matplotlib is installed)."""

import pytest

from fastkern._anatomy import plot


def test_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    import fastkern

    report = fastkern.anatomy_all(["sum", "fib"], sizes={"sum": 1000, "fib": 10}, threads=(1, 2),
                                  quick=True, shared=False)
    path = tmp_path / "anatomy.png"
    plot.write(report, str(path))
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000


def test_compare_plot_writes_a_png_of_the_largest_thread_count(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    import fastkern
    from fastkern import __main__ as cli
    from fastkern._anatomy import compare

    report = fastkern.anatomy("sum", 1000, backends=["python", "c"], threads=(1, 2), quick=True,
                              shared=False)
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for path in paths:
        path.write_text(report.to_json())
    chart = tmp_path / "compared.png"
    assert cli.main(["compare", *map(str, paths), "--plot", str(chart)]) == 0
    assert f"chart written to {chart}" in capsys.readouterr().out
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    drawn = [row.key.split(" | ")[1] for row in plot._compared(compare.rows([report, report]))]
    assert "ladder" in drawn and "runnable at once T=2" in drawn
    assert not any(section.endswith("T=1") for section in drawn)
    assert not any(section in ("per call", "dispatch adds") for section in drawn)
