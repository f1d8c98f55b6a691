"""The wording of every renderer, pinned once: a saved real report rendered as a person reads it.

Rewording the report touches these golden files only. After a deliberate change, rewrite
them with ``FASTKERN_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py`` and read the
diff. The other tests check figures and structure, not sentences.
"""

import os
from pathlib import Path

import pytest

from fastkern import Report
from fastkern._anatomy import check

GOLDEN = Path(__file__).resolve().parent / "golden"
REPORT = Report.from_json((GOLDEN / "report.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name, width, explain", [
    ("report-80.txt", 80, False),
    ("report-explain-120.txt", 120, True),
])
def test_the_rendering_reads_as_recorded(name, width, explain):
    text = REPORT.render(width, explain=explain)
    path = GOLDEN / name
    if os.environ.get("FASTKERN_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_the_golden_report_passes_the_checker():
    assert check.problems(REPORT) == []
