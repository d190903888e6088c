"""The budgets (``budgets.yml``) and their verdicts on a run's results.

A budget names a metric; ``METRICS`` says how to read it from one N's results, in which unit.
``evaluate`` gives every budget PASS, FAIL or NOT RUN, with the values it was judged on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml

from . import KB, BenchError

BUDGETS_FILE = Path(__file__).with_name("budgets.yml")
EXTRAPOLATE_MAX = 10  # extrapolate to at most 10x the largest N measured: start-up costs dominate small N


@dataclass(frozen=True)
class Metric:
    unit: str  # how a value is written: "{:.2f} s"
    read: Callable  # Result -> (value, detail) or None when this run did not measure it


def _preview(r):
    return (r.serve.preview, f"median of {len(r.serve.saves)} saves") if r.serve and r.serve.saves else None


def _ratio(r, attr: str, label: str):
    if not (r.build and r.floor):
        return None
    return r.ratio(attr), f"{r.median(r.build, attr):.1f} s vs {r.median(r.floor, attr):.1f} s {label}"


def _memory(r):
    if not (r.build and r.floor):
        return None
    return r.memory_ratio, f"{r.peak(r.build):.0f} MB vs {r.peak(r.floor):.0f} MB"


def _size(r, key: str):
    return r.sizes.get(key) if r.sizes else None


def _lighthouse(r, field: str, worst):
    """The worst page type's value in the results scripts/lighthouse.py wrote (--lighthouse)."""
    pages = r.lighthouse or {}
    values = {page: scores[field] for page, scores in pages.items() if scores.get(field) is not None}
    if not values:
        return None
    page = worst(values, key=values.get)
    return values[page], page


METRICS: dict[str, Metric] = {
    "preview": Metric("{:.1f} s", _preview),
    "cpu_ratio": Metric("{:.2f}×", lambda r: _ratio(r, "cpu", "CPU")),
    "memory_ratio": Metric("{:.2f}×", _memory),
    "largest_page": Metric("{:,.1f} KB", lambda r: _size(r, "largest") and (r.sizes["largest"][2] / KB, r.sizes["largest"][0])),
    "case_page": Metric("{:,.1f} KB", lambda r: _size(r, "case") and (r.sizes["case"][1] / KB, "median")),
    "drug_page": Metric("{:,.1f} KB", lambda r: _size(r, "drug_max") and (r.sizes["drug_max"][0] / KB, r.sizes["drug_max"][1])),
    "search_download": Metric("{:,.1f} KB", lambda r: _size(r, "pagefind") and (r.sizes["pagefind"]["total"] / KB, "")),
    "validate": Metric("{:.1f} s", lambda r: r.validate and (r.median(r.validate), "median")),
    "lighthouse_performance": Metric("{:.0f}", lambda r: _lighthouse(r, "performance", min)),
    "lighthouse_blocking": Metric("{:.0f} ms", lambda r: _lighthouse(r, "tbt", max)),
}


@dataclass(frozen=True)
class Budget:
    budget: str
    issue: int
    metric: str
    max: float | None = None
    min: float | None = None
    at: tuple[int, ...] | None = None  # None: every N measured
    extrapolate: bool = False

    @property
    def limit(self) -> str:
        unit = METRICS[self.metric].unit
        return ("≤ " + unit.format(self.max)) if self.max is not None else ("≥ " + unit.format(self.min))

    def holds(self, value: float) -> bool:
        return (self.max is None or value <= self.max) and (self.min is None or value >= self.min)


def load_budgets(path: Path = BUDGETS_FILE) -> list[Budget]:
    """The budgets file, checked: an unknown metric or a budget without a limit is an error here,
    not a silent NOT RUN in the report."""
    budgets = []
    for i, entry in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or [], 1):
        try:
            budget = Budget(**{**entry, "at": tuple(entry["at"]) if entry.get("at") else None})
        except TypeError as e:
            raise BenchError(f"{path.name}: budget {i}: {e}") from None
        if budget.metric not in METRICS:
            raise BenchError(f"{path.name}: budget {i}: unknown metric '{budget.metric}' (known: {', '.join(METRICS)})")
        if (budget.max is None) == (budget.min is None):
            raise BenchError(f"{path.name}: budget {i}: give exactly one of max or min")
        budgets.append(budget)
    return budgets


def estimate(points: dict[int, float], n: int) -> tuple[float | None, str]:
    """The value at N: measured, else linear through the two largest measured N (None with fewer)."""
    if n in points:
        return points[n], "measured"
    if len(points) < 2:
        return None, f"needs N={n:,} or two sizes to extrapolate from"
    (n1, y1), (n2, y2) = sorted(points.items())[-2:]
    return y2 + (y2 - y1) / (n2 - n1) * (n - n2), f"extrapolated from N={n1:,} and N={n2:,}"


def crossing(points: dict[int, float], limit: float) -> tuple[float | None, str]:
    """Where a value growing with N reaches ``limit``, interpolating (or extrapolating) linearly."""
    pts = sorted(points.items())
    if pts and pts[0][1] >= limit:
        return pts[0][0], "already at the smallest N measured"
    for (n1, y1), (n2, y2) in zip(pts, pts[1:]):
        if y1 < limit <= y2:
            return n1 + (limit - y1) * (n2 - n1) / (y2 - y1), f"interpolated between N={n1:,} and N={n2:,}"
    if len(pts) < 2 or pts[-1][1] <= pts[-2][1]:
        return None, "needs two sizes" if len(pts) < 2 else "not growing"
    (n1, y1), (n2, y2) = pts[-2:]
    return n2 + (limit - y2) * (n2 - n1) / (y2 - y1), f"extrapolated from N={n1:,} and N={n2:,}"


@dataclass(frozen=True)
class Verdict:
    budget: Budget
    result: str  # PASS, FAIL or NOT RUN
    measured: str  # the values it was judged on, and any other N for information


def evaluate(budget: Budget, results: list) -> Verdict:
    metric = METRICS[budget.metric]
    found = {r.n: v for r in results if (v := metric.read(r))}
    show = lambda value, detail: metric.unit.format(value) + (f" ({detail})" if detail else "")  # noqa: E731
    judged, missing, parts = [], [], []
    for n in budget.at or sorted(found):
        if n in found:
            value, detail = found[n]
        elif budget.extrapolate and len(found) >= 2 and max(found) * EXTRAPOLATE_MAX >= n:
            value, detail = estimate({k: v for k, (v, _) in found.items()}, n)
        else:
            missing.append(n)
            continue
        judged.append(budget.holds(value))
        parts.append(f"{show(value, detail)} at N={n:,}")
    if missing:
        how = (" (results of scripts/lighthouse.py, --lighthouse)" if budget.metric.startswith("lighthouse")
               else " (run with --serve)" if budget.metric == "preview" else "")
        parts.append("not measured at " + ", ".join(f"N={n:,}" for n in missing) + how)
    others = [n for n in sorted(found) if budget.at and n not in budget.at]
    if others:  # the other sizes measured, for information
        parts.append("for information: " + ", ".join(f"{show(*found[n])} at N={n:,}" for n in others))
    if not judged and not budget.at and not found:
        parts.append("not measured by this run")
    result = "FAIL" if not all(judged) else "PASS" if judged and not missing else "NOT RUN"
    return Verdict(budget, result, "; ".join(parts))


def verdicts(results: list, budgets: list[Budget] | None = None) -> list[Verdict]:
    return [evaluate(b, results) for b in (budgets if budgets is not None else load_budgets())]
