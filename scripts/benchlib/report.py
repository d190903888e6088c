"""The Markdown report: ``render(results, ...)`` turns results into rows of text, ``report.md.j2`` lays them out."""

from __future__ import annotations

import datetime
import os
import platform
import re
import statistics
import subprocess
from importlib import metadata
from pathlib import Path

import jinja2

from . import KB, MB, ROOT
from .budgets import Budget, crossing, verdicts
from .synthetic import GROWTH, SHAPE

TEMPLATE = "report.md.j2"
SEARCH_GZ = 1536 * KB  # where the floor's whole-site search index stops being a reasonable download (issue 6)
BUDGET_SIZES = (1000, 5000)  # the sizes the committed report is run at
# Verdicts in words on the page (capitals would read as abbreviations nothing explains).
VERDICT_WORDS = {"PASS": "holds", "FAIL": "**does not hold**", "NOT RUN": "not measured"}


def kb(b: float) -> str:
    return f"{b / KB:,.1f} KB" if b < MB else f"{b / MB:,.2f} MB"


def pair(raw_gz: tuple) -> str:
    return f"{kb(raw_gz[0])} / {kb(raw_gz[1])}"


def machine() -> list[str]:
    """The machine, the versions and the commit measured: taken when the run starts."""
    cpu = re.search(r"model name\s*:\s*(.*)", _read("/proc/cpuinfo"))
    ram = re.search(r"MemTotal:\s*(\d+)", _read("/proc/meminfo"))
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("mkdocs", "mkdocs-material", "mkdocs-macros-plugin", "Markdown"))
    git = lambda *a: subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()  # noqa: E731
    code = f"commit {git('rev-parse', '--short', 'HEAD') or 'unknown'}" + (
        " with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")
    return [f"CPU: {cpu[1] if cpu else platform.processor()}, {os.cpu_count()} cores"
            + (f", {int(ram[1]) / MB:.1f} GiB RAM" if ram else ""), platform.platform(),
            f"Python {platform.python_version()}, {versions}", f"Project code measured: {code}",
            f"Started on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC"]


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _num(value) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _n(r) -> str:
    return f"{r.n:,}"


def _speed(r) -> list[str]:
    serve = r.serve
    preview = f"{serve.preview:.1f}" if serve and serve.saves else "failed" if serve and serve.error else "—"
    first = f"{serve.first:.1f}" if serve and serve.first is not None else "—"
    return [_n(r), preview, first, f"{r.median(r.build):.2f}", f"{r.median(r.floor):.2f}", f"{r.median(r.build, 'cpu'):.1f}",
            f"{r.median(r.floor, 'cpu'):.1f}", f"{r.ratio('cpu'):.2f}", f"{r.peak(r.build):.0f}", f"{r.peak(r.build, 'own_mb'):.0f}" if r.peak(r.build, 'own_mb') else "—", f"{r.peak(r.build, 'process_mb'):.0f}", f"{r.peak(r.floor):.0f}",
            f"{r.memory_ratio:.2f}", f"{r.median(r.validate):.2f}"]


def _by_row(results, rows_of) -> list[list[str]]:
    """A table with one row per key and one column per N: ``rows_of(result)`` maps key -> cell text."""
    cells = [rows_of(r) for r in results]
    keys = list(dict.fromkeys(k for c in cells for k in c))
    return [[k] + [c.get(k, "—") for c in cells] for k in keys]


def _page_cells(r) -> dict[str, str]:
    return {kind: f"{kb(g)} ({path.removesuffix('index.html') or '/'})" for kind, (path, _, g) in r.sizes["by_type"].items()}


def _data_cells(r) -> dict[str, str]:
    return {f"`{name}`": kb(gzipped) if count == 1 else f"{kb(gzipped)} in {count:,} files (largest {kb(largest)})"
            for name, count, _, gzipped, largest in r.sizes["data"]}


def _note(results) -> dict | None:
    """Say so when the run is too small for the budgets' sizes."""
    missing = [n for n in BUDGET_SIZES if n not in {r.n for r in results}]
    if not missing:
        return None
    return {"title": "A small run", "text": "This run measured N = " + ", ".join(_n(r) for r in results)
            + "; the budgets at " + ", ".join(f"{n:,}" for n in missing) + " cases are not measured here."}


def context(results: list, command: str, machine_lines: list[str], budgets: list[Budget] | None = None) -> dict:
    small, large = results[0], results[-1]
    ctx = {
        "command": command, "machine": machine_lines, "note": _note(results),
        "budgets": [[v.budget.budget, str(v.budget.issue), v.budget.limit, v.measured, VERDICT_WORDS[v.result]]
                    for v in verdicts(results, budgets)],
        "saves": max((len(r.serve.saves) for r in results if r.serve), default=3),
        "speed": [_speed(r) for r in results],
        "growth": [f"From N={a.n:,} to N={b.n:,} ({b.n / a.n:g}× the cases): build {b.median(b.build) / a.median(a.build):.2f}×, "
                   f"floor {b.median(b.floor) / a.median(a.floor):.2f}×, validate.py {b.median(b.validate) / a.median(a.validate):.2f}×."
                   for a, b in zip(results, results[1:])],
        "serve_errors": [f"`mkdocs serve` at N={r.n:,}: {r.serve.error}" for r in results if r.serve and r.serve.error],
        "sizes_header": [f"N={r.n:,}" for r in results],
        "pages_by_type": _by_row(results, _page_cells),
        "data_files": _by_row(results, _data_cells),
        "words": f"{statistics.mean(r.facts['words'] for r in results):,.0f}",
        "shape": ", ".join(f"{k} {v}" for k, v in SHAPE.items()),
        "reference_header": [f"{k} (reference)" for k in GROWTH],
        "data": [[_n(r), str(r.runs), f"{r.facts['words']:,.0f}", *(str(r.facts[k]) for k in GROWTH), str(r.sizes["pages"]),
                  kb(r.sizes["site"]), kb(r.floor_site), f"{max(r.load):.1f}"] for r in results],
        "search": [[_n(r), *(kb(r.sizes["pagefind"][k]) for k in ("total", "fixed", "chunk", "filters", "fragments")),
                    f"{kb(r.sizes['pagefind']['bundle'])} in {r.sizes['pagefind']['files']:,} files",
                    kb(r.floor_index[1]) if r.floor_index else "—"] for r in results],
        "lighthouse": [[_n(r), page, _num(s.get("performance")), _num(s.get("tbt")),
                        ", ".join(str(t) for t in s.get("tbt_runs", ())) or "—"]
                       for r in results for page, s in sorted((r.lighthouse or {}).items())],
        "grown": None, "search_crossing": "",
    }
    if len(results) > 1:
        fixed_small, fixed_large = small.sizes["fixed"], large.sizes["fixed"]
        grown = sorted(((fixed_large[p] / max(g, 1), p, g) for p, g in fixed_small.items() if p in fixed_large), reverse=True)[:10]
        ctx["grown"] = {"small": f"{small.n:,}", "large": f"{large.n:,}",
                        "rows": [[f"`{p}`", kb(g), kb(fixed_large[p]), f"{x:,.1f}×"] for x, p, g in grown]}
    builtin = {r.n: r.floor_index[1] for r in results if r.floor_index}
    if len(builtin) > 1:
        (n1, a), (n2, b) = sorted(builtin.items())[-2:]
        cross, how = crossing(builtin, SEARCH_GZ)
        ctx["search_crossing"] = (f"Material's built-in index grows by {(b - a) / (n2 - n1) / KB:.2f} KB gzip per case between "
                                  f"N={n1:,} and N={n2:,}" + (f" and crosses {kb(SEARCH_GZ)} at N ≈ {cross:,.0f} ({how})." if cross else "."))
    return ctx


def render(results: list, command: str, machine_lines: list[str], budgets: list[Budget] | None = None) -> str:
    """The Markdown report: every number comes from ``results``."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, autoescape=False)  # Markdown out, from our own numbers and paths
    return env.get_template(TEMPLATE).render(**context(results, command, machine_lines, budgets))
