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
