"""scripts/bench.py at N=10: valid synthetic cases, a floor project that builds, a complete report."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT
from macros.catalog import load_catalog

spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
bench = sys.modules["bench"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One benchmark run at N=10, its work folder kept: (report text, work folder)."""
    work = tmp_path_factory.mktemp("bench")
    report = work / "performance.md"
    assert bench.main(["--sizes", "10", "--repeat", "1", "--report", str(report), "--workdir", str(work)]) == 0
    return report.read_text(encoding="utf-8"), work


def tables(markdown: str) -> list[list[list[str]]]:
    """Every Markdown table as rows of cells, header first, separator dropped."""
    found, current = [], []
    for line in markdown.splitlines() + [""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r"-+", c) for c in cells):
                current.append(cells)
        elif current:
            found.append(current)
            current = []
    return found


def strict_build(project, out) -> str:
    """`mkdocs build --strict` without -q (-q hides warnings from --strict): its log."""
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=project,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_report_has_every_column_filled(run):
    text, _ = run
    found = tables(text)
    assert len(found) >= 5
    for table in found:
        width = len(table[0])
        for row in table:
            assert len(row) == width and all(row), row
    headers = {cell for table in found for cell in table[0]}
    for column in ("build (s)", "floor (s)", "ours / floor", "ms per case", "peak memory (MB)", "validate.py (s)",
                   "search bundle on disk", "ours: first results", "floor: built-in index gzip", "case page raw / gzip (median)", "drug page raw / gzip (median)",
                   "cases index raw / gzip", "site"):
        assert column in headers, column
    assert "## Machine" in text and "CPU:" in text and "mkdocs-material" in text
    budget = next(t for t in found if t[0] == ["budget", "measured", "result"])
    assert {row[2] for row in budget[1:]} <= {"PASS", "FAIL", "NOT RUN"}
    assert any(row[2] == "PASS" for row in budget[1:])


def test_generated_cases_are_valid_with_unique_ids(run):
    _, work = run
    catalog = load_catalog(work / "n10" / "project")
    assert len(catalog.cases) == 10 and not catalog.warnings
    questions = [q.id for case in catalog.cases.values() for o in case.objectives for q in o.questions]
    assert len(questions) == 10 * bench.SHAPE["questions"] == len(set(questions))
    case = next(iter(catalog.cases.values()))
    assert len(case.treatment) == bench.SHAPE["treatment lines"] and len(case.em_sites) == bench.SHAPE["EM sites"]
    assert any(d.startswith("benchmab-") for d in catalog.drugs) and "inotuzumab-ozogamicin" in catalog.drugs


def test_floor_and_ours_build_strictly_with_the_same_pages(run, tmp_path):
    _, work = run
    assert "WARNING" not in strict_build(work / "n10" / "floor", tmp_path / "floor")
    assert "WARNING" not in strict_build(work / "n10" / "project", tmp_path / "ours")
    pages = lambda site: sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))  # noqa: E731
    assert pages(tmp_path / "floor") == pages(tmp_path / "ours")
    config = (work / "n10" / "floor" / "mkdocs.yml").read_text()
    assert "macros" not in config and "hooks" not in config


def test_estimates_are_linear():
    assert bench.estimate({1000: 2.0}, 1000) == (2.0, "measured")
    assert bench.estimate({100: 1.0}, 5000)[0] is None
    assert bench.estimate({100: 1.0, 1000: 10.0}, 5000)[0] == pytest.approx(50.0)
    assert bench.crossing({100: 1.0, 1000: 10.0}, 5.0)[0] == pytest.approx(500.0)
    assert bench.crossing({100: 1.0, 1000: 10.0}, 20.0)[0] == pytest.approx(2000.0)
    assert bench.crossing({100: 1.0}, 20.0)[0] is None
