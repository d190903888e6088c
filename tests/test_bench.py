"""scripts/bench.py and its parts (scripts/benchlib): valid synthetic cases for any N and seed, a floor
that builds the same pages, budgets judged right, a report rendered from results. No timing is
asserted here: budgets are measured by bench.py, never by tests."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from macros.catalog import load_catalog
from macros.kinds import PAGE_KINDS
from macros.model import NOT_STATED, OBJECTIVES

sys.path.insert(0, str(ROOT / "scripts"))
from benchlib import BenchError, budgets, measure, report, synthetic  # noqa: E402
from benchlib.measure import Result, Run, Serve  # noqa: E402

spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
bench = sys.modules["bench"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


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


# ------------------------------------------------------------------ synthetic cases


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """The smallest project the generator needs: the reference data, the editors' schemas, no cases."""
    src = tmp_path_factory.mktemp("source")
    shutil.copytree(ROOT / "reference", src / "reference")
    shutil.copytree(ROOT / "schema", src / "schema")
    (src / "cases").mkdir()
    return src


@pytest.mark.parametrize("n, seed", [(1, 0), (7, 2026), (40, 5)])
def test_synthetic_cases_validate_under_the_current_model(source, tmp_path, n, seed):
    catalog, facts = synthetic.make_project(tmp_path / "p", n, seed, source)  # raises unless valid and warning-free
    assert len(catalog.cases) == n and not catalog.warnings
    assert facts["words"] > 500
    for slug, case in catalog.cases.items():
        assert slug.startswith("bench-case-")
        assert len(case.treatment) == synthetic.SHAPE["treatment lines"]
        assert len(case.transplants) == synthetic.SHAPE["transplants"]
        assert len(case.em_sites) == synthetic.SHAPE["EM sites"]
        assert OBJECTIVES[0] <= len(case.objectives) <= OBJECTIVES[1]
        assert case.credits.written_by
        uses = [u for line in case.treatment for u in line.drugs] + [
            u for tx in case.transplants for u in tx.conditioning + tx.gvhd_prophylaxis] + list(case.supportive)
        assert uses and all(u.dose for u in uses)
        assert all(1 <= tx.after_line <= len(case.treatment) for tx in case.transplants)
    doses = {u.dose == NOT_STATED for case in catalog.cases.values() for line in case.treatment for u in line.drugs}
    assert n < 7 or doses == {True, False}  # both a printed dose and "not stated" occur
    questions = [q.id for case in catalog.cases.values() for o in case.objectives for q in o.questions]
    assert len(questions) == n * synthetic.SHAPE["questions"] == len(set(questions))
    # the reference grew, every entry with its sources and review month, regimens by component
    for kind in PAGE_KINDS:
        grown = [i for i in catalog.tables[kind.folder] if i.startswith("bench")]
        assert len(grown) >= 2, kind.folder
        assert all(catalog.tables[kind.folder][i].sources and catalog.tables[kind.folder][i].reviewed for i in grown)
    assert all(r.components for i, r in catalog.regimens.items() if i.startswith("bench"))


def test_synthetic_project_passes_validate_py(source, tmp_path):
    """What a contributor runs: no problem, no warning, schemas current."""
    synthetic.make_project(tmp_path / "p", 5, 1, source)
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "validate.py"), "--root", str(tmp_path / "p")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_same_seed_same_cases_other_seed_other_cases(source, tmp_path):
    texts = {}
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        synthetic.make_project(tmp_path / name, 2, seed, source)
        texts[name] = (tmp_path / name / "cases" / "bench-case-00001.yml").read_text()
    assert texts["a"] == texts["b"] != texts["c"]


def test_vocabulary_has_nothing_a_check_would_flag():
    words = synthetic.vocabulary()
    assert words
    assert not [w for w in set(words) if any(rule.pattern.search(w) for rule in synthetic.DEID_RULES)]


# ------------------------------------------------------------------ measuring


def test_page_types_from_paths():
    assert measure.page_type("index.html") == "home"
    assert measure.page_type("cases/index.html") == "cases index"
    assert measure.page_type("cases/some-case/index.html") == "case page"
    for kind in PAGE_KINDS:
        assert measure.page_type(f"{kind.folder}/x/index.html") == f"{kind.key} page"
        assert measure.page_type(f"{kind.folder}/index.html") == f"{kind.folder} index"
    assert measure.page_type("quiz/drugs-2/index.html") == "quiz page"
    assert measure.page_type("tags/index.html") == "tags"
    assert measure.page_type("404.html") == "404.html"


def test_data_files_grouped_per_case(tmp_path):
    site = tmp_path / "site"
    for rel, text in {"data/cases.json": "[]" * 50, "cases/a.bib": "x" * 10, "cases/b.bib": "y" * 300,
                      "cases/a/index.html": "<p>", "assets/x.js": "1", "pagefind/p.js": "2"}.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text)
    rows = {name: rest for name, *rest in measure.data_files([p for p in site.rglob("*") if p.is_file()], site,
                                                               {"a": "<case>", "b": "<case>"})}
    assert set(rows) == {"data/cases.json", "cases/<case>.bib"}
    count, raw, _, largest = rows["cases/<case>.bib"]
    assert count == 2 and raw == 310 and largest == measure.gz(site / "cases/b.bib")


def test_run_reports_cpu_and_peak_memory_of_the_command(tmp_path):
    result = measure.run([sys.executable, "-c", "x = bytearray(80_000_000); sum(range(10**6))"], tmp_path)
    assert result.peak_mb >= result.process_mb >= 75 and result.cpu > 0 and result.seconds > 0
    # a child process holding memory while its parent holds its own: the peak is their sum (2 s: sampled
    # every 50 ms, on a loaded machine)
    both = ("import subprocess, sys; x = bytearray(80_000_000); "
            "subprocess.run([sys.executable, '-c', 'import time; y = bytearray(80_000_000); time.sleep(2)'])")
    result = measure.run([sys.executable, "-c", both], tmp_path)
    assert result.process_mb < 150 <= result.peak_mb
    with pytest.raises(BenchError, match="failed"):
        measure.run([sys.executable, "-c", "raise SystemExit(3)"], tmp_path)


# ------------------------------------------------------------------ budgets


def fake(n: int, cpu: float = 10.0, floor_cpu: float = 20.0, mb: float = 100.0, floor_mb: float = 200.0,
         largest_kb: float = 50.0, preview: float | None = None, validate: float = 1.0, lighthouse=None) -> Result:
    """A result as bench_size() leaves it, with made-up numbers."""
    r = Result(n, 1, {"words": 1000.0, **{k: 3 for k in synthetic.GROWTH}})
    r.build, r.floor = [Run(cpu * 1.1, cpu, mb, mb * 0.8)], [Run(floor_cpu * 1.1, floor_cpu, floor_mb, floor_mb)]
    r.validate, r.load = [Run(validate, validate, 50.0, 50.0)] * 3, [0.5]
    page = ("cases/bench-case-00001/index.html", 60_000, 12_000)
    r.sizes = {
        "pages": n + 20, "site": n * 60_000,
        "pagefind": {"total": 200_000, "fixed": 130_000, "chunk": 30_000, "filters": 5_000, "fragments": 35_000,
                     "files": 100, "bundle": 1_000_000},
        "by_type": {"tags": ("tags/index.html", 900_000, int(largest_kb * 1024)), "case page": page},
        "largest": ("tags/index.html", 900_000, int(largest_kb * 1024)),
        "case": (60_000, 12_000), "drug": (20_000, 5_000), "drug_max": (6_000, "inotuzumab-ozogamicin"),
        "data": [("data/cases.json", 1, 500_000, 50_000, 50_000), ("cases/<case>.bib", n, n * 300, n * 200, 210)],
        "fixed": {"tags/index.html": int(largest_kb * 1024), "index.html": 5_000},
    }
    r.floor_site, r.floor_index = n * 55_000, (n * 4_000, n * 1_000)
    r.serve = Serve(first=3.0, saves=[preview, preview + 1, preview - 0.1]) if preview is not None else None
    r.lighthouse = lighthouse
    return r


def budget(metric: str, **kw) -> budgets.Budget:
    return budgets.Budget(budget=metric, issue=16, metric=metric, **kw)


def test_budget_passes_fails_or_is_not_run():
    cpu = budget("cpu_ratio", max=0.5, at=(1000, 5000))
    assert budgets.evaluate(cpu, [fake(1000, cpu=10), fake(5000, cpu=9)]).result == "PASS"  # 0.5 and 0.45: at the limit holds
    assert budgets.evaluate(cpu, [fake(1000, cpu=10), fake(5000, cpu=12)]).result == "FAIL"
    assert budgets.evaluate(cpu, [fake(1000, cpu=10)]).result == "NOT RUN"  # N=5,000 missing
    assert budgets.evaluate(cpu, [fake(1000, cpu=30)]).result == "FAIL"  # a failure is a failure, whatever is missing
    verdict = budgets.evaluate(cpu, [fake(10, cpu=30)])
    assert verdict.result == "NOT RUN" and "for information: 1.50× " in verdict.measured and "N=10" in verdict.measured


def test_preview_budget_reads_the_median_save():
    preview = budget("preview", max=1.0, at=(100,))
    assert budgets.evaluate(preview, [fake(100, preview=0.9)]).result == "PASS"  # saves 0.8, 0.9, 1.9: median 0.9
    assert budgets.evaluate(preview, [fake(100, preview=1.2)]).result == "FAIL"
    assert "--serve" in budgets.evaluate(preview, [fake(100)]).measured


def test_memory_size_and_every_n_budgets():
    assert budgets.evaluate(budget("memory_ratio", max=1.0, at=(5000,)), [fake(5000, mb=200, floor_mb=200)]).result == "PASS"
    assert budgets.evaluate(budget("memory_ratio", max=1.0, at=(5000,)), [fake(5000, mb=201, floor_mb=200)]).result == "FAIL"
    every = budget("largest_page", max=300)  # no `at`: every N measured
    assert budgets.evaluate(every, [fake(10, largest_kb=20), fake(100, largest_kb=299)]).result == "PASS"
    assert budgets.evaluate(every, [fake(10, largest_kb=20), fake(100, largest_kb=301)]).result == "FAIL"


def test_extrapolated_and_minimum_budgets():
    validate = budget("validate", max=10, at=(5000,), extrapolate=True)
    verdict = budgets.evaluate(validate, [fake(100, validate=1.0), fake(1000, validate=2.0)])  # 1 s per 900 cases: 6.4 s
    assert verdict.result == "PASS" and "extrapolated" in verdict.measured
    assert budgets.evaluate(validate, [fake(100, validate=1.0), fake(1000, validate=4.0)]).result == "FAIL"
    assert budgets.evaluate(validate, [fake(1000, validate=2.0)]).result == "NOT RUN"
    # not from sizes too small to say anything about N=5,000 (start-up costs dominate them)
    assert budgets.evaluate(validate, [fake(10, validate=0.3), fake(100, validate=3.0)]).result == "NOT RUN"
    score = budget("lighthouse_performance", min=90, at=(1000,))
    pages = {"cases index": {"performance": 95, "tbt": 120}, "tags": {"performance": 89, "tbt": 80}}
    assert budgets.evaluate(score, [fake(1000, lighthouse=pages)]).result == "FAIL"  # the worst page type
    assert budgets.evaluate(budget("lighthouse_blocking", max=200, at=(1000,)), [fake(1000, lighthouse=pages)]).result == "PASS"
    assert "lighthouse.py" in budgets.evaluate(score, [fake(1000)]).measured


def test_budgets_file_states_every_budget_of_issue_16():
    found = budgets.load_budgets()
    by_metric = {}
    for b in found:
        by_metric.setdefault(b.metric, []).append(b)
    assert {(b.max, b.at) for b in by_metric["preview"]} == {(1.0, (100,)), (2.0, (1000,))}
    assert [(b.max, b.at) for b in by_metric["cpu_ratio"]] == [(0.5, (1000, 5000))]
    assert [(b.max, b.at) for b in by_metric["memory_ratio"]] == [(1.0, (5000,))]
    assert [b.max for b in by_metric["largest_page"]] == [300]
    assert [b.min for b in by_metric["lighthouse_performance"]] == [90]
    assert [b.max for b in by_metric["lighthouse_blocking"]] == [200]


def test_budgets_file_errors_are_clear(tmp_path):
    path = tmp_path / "budgets.yml"
    path.write_text("- {budget: x, issue: 1, metric: nonsense, max: 1}\n")
    with pytest.raises(BenchError, match="unknown metric 'nonsense'"):
        budgets.load_budgets(path)
    path.write_text("- {budget: x, issue: 1, metric: preview}\n")
    with pytest.raises(BenchError, match="exactly one of max or min"):
        budgets.load_budgets(path)
    path.write_text("- {budget: x, issue: 1, metric: preview, max: 1, typo: 2}\n")
    with pytest.raises(BenchError, match="budget 1"):
        budgets.load_budgets(path)


# ------------------------------------------------------------------ the report


def test_report_renders_from_fake_results():
    results = [fake(10, preview=0.5), fake(100, preview=0.8, cpu=25)]
    text = report.render(results, " --sizes 10,100 --serve", ["CPU: test", "Python 3"])
    assert text.startswith("# Performance\n") and "`python scripts/bench.py --sizes 10,100 --serve`" in text
    assert '!!! note "A small run"' in text  # 1,000 and 5,000 not measured: said on the page
    found = tables(text)
    for table in found:
        assert all(len(row) == len(table[0]) and all(row) for row in table), table
    budget_table = next(t for t in found if t[0] == ["budget", "issue", "limit", "measured", "result"])
    assert len(budget_table) - 1 == len(budgets.load_budgets())
    assert {row[4] for row in budget_table[1:]} <= set(report.VERDICT_WORDS.values())
    assert not re.search(r"\b(PASS|FAIL|NOT RUN)\b", text)  # verdicts in words: capitals read as abbreviations
    speed = next(t for t in found if "preview: save → page (s)" in t[0])
    assert [row[1] for row in speed[1:]] == ["0.5", "0.8"]
    assert speed[2][speed[0].index("CPU ours / floor")] == "1.25"
    by_type = next(t for t in found if t[0][0] == "page type")
    assert by_type[0] == ["page type", "N=10", "N=100"] and {row[0] for row in by_type[1:]} == {"tags", "case page"}
    assert any(row[0] == "`cases/<case>.bib`" for t in found for row in t)
    assert "Not part of this run. `scripts/lighthouse.py`" in text


def test_saved_results_render_the_same_report():
    results = [fake(10, preview=0.5), fake(100, lighthouse={"home": {"performance": 99, "tbt": 10.0}})]
    again, about = measure.read_results(measure.results_json(results, command=" --sizes 10,100", machine=["m"]))
    assert about == {"command": " --sizes 10,100", "machine": ["m"]}
    assert report.render(again, about["command"], about["machine"]) == report.render(results, " --sizes 10,100", ["m"])


def test_report_with_lighthouse_results_and_every_budget_size():
    pages = {"cases index": {"performance": 92, "tbt": 150, "tbt_runs": [150, 90, 310]}}
    results = [fake(n, preview=0.5, lighthouse=pages) for n in (100, 1000, 5000)]
    text = report.render(results, "", ["x"])
    assert "A small run" not in text and "Not part of this run" not in text
    assert ["1,000", "cases index", "92", "150", "150, 90, 310"] in next(t for t in tables(text) if t[0][0:2] == ["N", "page type"])


# ------------------------------------------------------------------ end to end


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """One benchmark run at N=3 through the command line's main(), its work folder kept."""
    work = tmp_path_factory.mktemp("bench")
    out = work / "performance.md"
    assert bench.main(["--sizes", "3", "--repeat", "1", "--report", str(out), "--workdir", str(work / "w")]) == 0
    return out.read_text(encoding="utf-8"), work / "w" / "n3"


def test_main_writes_a_report_with_every_table_filled(small_run):
    text, _ = small_run
    for table in tables(text):
        assert all(len(row) == len(table[0]) and all(row) for row in table), table
    assert "## Budgets" in text and "CPU:" in text and "mkdocs-material" in text
    assert "--workdir" not in text


def test_synthetic_text_has_no_abbreviation_the_glossary_scan_would_flag(small_run):
    """The suite must pass on a corpus holding synthetic cases (scripts/corpus.py): their prose
    may not bring abbreviations nothing explains (capitalised 'cGy', a Roman numeral out of context)."""
    from test_glossary import unexplained

    _, here = small_run
    data_pages = ("cases", "quiz", "tags", "glossary", *(kind.folder for kind in PAGE_KINDS))  # hand-written pages aside
    found = {token: [w for w in where if w.split(":")[0].split("/")[0] in data_pages]
             for token, where in unexplained(here / "site", load_catalog(here / "project")).items()}
    assert not {token: where for token, where in found.items() if where}


def test_floor_and_ours_build_strictly_with_the_same_pages(small_run, tmp_path):
    _, here = small_run

    def strict(project: Path, out: Path) -> str:  # without -q, which would hide the warnings --strict counts
        result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=project,
                                env=ENV, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        return result.stderr

    assert "WARNING" not in strict(here / "floor", tmp_path / "floor")
    pages = lambda site: sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))  # noqa: E731
    assert pages(tmp_path / "floor") == pages(here / "site")
    config = (here / "floor" / "mkdocs.yml").read_text()
    assert "macros" not in config and "hooks" not in config


def test_serve_preview_is_measured_through_live_reload(small_run):
    _, here = small_run
    slug = next(p.stem for p in sorted((here / "project" / "cases").glob("*.yml")))
    result = measure.measure_serve(here / "project", slug, saves=1, timeout=300)
    assert result.error is None and len(result.saves) == 1 and result.first is not None
    assert "benchmarker" in (here / "project" / "cases" / f"{slug}.yml").read_text()


def test_lighthouse_keeps_the_run_with_the_median_score_whole():
    import lighthouse
    runs = [{"performance": 95, "tbt": 120.0}, {"performance": 80, "tbt": 640.0}, {"performance": 91, "tbt": 230.0}]
    kept = lighthouse.median_run(runs)
    assert (kept["performance"], kept["tbt"]) == (91, 230.0)  # one run's figures, not medians taken apart
    assert kept["runs"] == 3 and kept["tbt_runs"] == [120, 640, 230]
    assert lighthouse.median_run(runs[:1])["performance"] == 95
