"""Where a reader goes from a case page: related cases, the previous and next case, and when the
case's data last changed.

Related cases share what a clinician would look for next: an EM site with disease, a drug the
patient received, a positive antigen. A rarer shared item says more than a common one (every
case may have had cytarabine), so each is weighted by 1 / (cases that have it). Items shared by
more than ``COMMON`` cases are skipped: they say little, and walking them for every case would
make the build quadratic in the number of cases.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .catalog import Catalog

RELATED = 5  # at most this many related cases per page
COMMON = 200  # an item shared by more cases than this does not make cases related
WEIGHTS = {"site": 3.0, "drug": 2.0, "antigen": 1.0}


@dataclass(frozen=True)
class Related:
    slug: str
    score: float
    shared: tuple[str, ...]  # names of what the two cases share, most telling first


def _features(cat: Catalog, slug: str) -> list[tuple[str, str]]:
    facts = cat.facts[slug]
    return ([("site", s) for s in facts.sites] + [("drug", d) for d in facts.received]
            + [("antigen", a) for a in facts.antigens["positive"]])


_INDEX: dict[int, dict] = {}  # one catalog per build: id -> feature -> cases


def _index(cat: Catalog) -> dict[tuple[str, str], list[str]]:
    key = id(cat)
    if key not in _INDEX:
        _INDEX.clear()
        index: dict[tuple[str, str], list[str]] = {}
        for slug in cat.cases:
            for feature in _features(cat, slug):
                index.setdefault(feature, []).append(slug)
        _INDEX[key] = {"cat": cat, "index": index,  # keeps cat alive while its id is the key
                       "slugs": list(cat.cases), "order": {s: i for i, s in enumerate(cat.cases)}}
    return _INDEX[key]["index"]


def _order(cat: Catalog) -> dict[str, int]:
    """Slug -> its place in the catalogue, built once per catalog like the index."""
    _index(cat)
    return _INDEX[id(cat)]["order"]


def _name(cat: Catalog, feature: tuple[str, str]) -> str:
    kind, ident = feature
    table = {"site": cat.sites, "drug": cat.drugs, "antigen": cat.antigens}[kind]
    return table[ident].name + ("+" if kind == "antigen" else "")


def related(cat: Catalog, slug: str, limit: int = RELATED) -> list[Related]:
    """The cases sharing most with ``slug`` (weighted as above), best first; ties in catalogue order."""
    index = _index(cat)
    scores: dict[str, float] = {}
    shared: dict[str, list[tuple[float, str]]] = {}
    for feature in _features(cat, slug):
        others = index.get(feature, [])
        if len(others) > COMMON:
            continue
        weight = WEIGHTS[feature[0]] / len(others)
        name = _name(cat, feature)
        for other in others:
            if other != slug:
                scores[other] = scores.get(other, 0.0) + weight
                shared.setdefault(other, []).append((weight, name))
    order = _order(cat)
    best = sorted(scores, key=lambda s: (-scores[s], order[s]))[:limit]
    return [Related(s, round(scores[s], 3), tuple(n for _, n in sorted(shared[s], key=lambda x: -x[0])))
            for s in best]


def neighbours(cat: Catalog, slug: str) -> tuple[str | None, str | None]:
    """The previous and next case in the case index's order (the catalogue's)."""
    _index(cat)
    slugs = _INDEX[id(cat)]["slugs"]
    i = _order(cat)[slug]
    return (slugs[i - 1] if i > 0 else None), (slugs[i + 1] if i + 1 < len(slugs) else None)


_CHANGED: dict[Path, dict[str, datetime]] = {}


def _git_dates(root: Path) -> dict[str, datetime]:
    """Path (relative to the repository) -> when a commit last changed it: one `git log` per build."""
    if root not in _CHANGED:
        dates: dict[str, datetime] = {}
        try:
            out = subprocess.run(["git", "log", "--format=@%ct", "--name-only", "--", "cases"], cwd=root,
                                 capture_output=True, text=True, timeout=60, check=True).stdout
            top = subprocess.run(["git", "rev-parse", "--show-prefix"], cwd=root, capture_output=True,
                                 text=True, timeout=10, check=True).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out, top = "", ""
        when = None
        for line in out.splitlines():
            if line.startswith("@"):
                when = datetime.fromtimestamp(int(line[1:]), tz=timezone.utc)
            elif line and when is not None:
                path = line[len(top):] if top and line.startswith(top) else line
                dates.setdefault(path, when)  # newest first: keep the first seen
        _CHANGED[root] = dates
    return _CHANGED[root]


def last_changed(cat: Catalog, slug: str) -> datetime | None:
    """When the case's data file last changed: its last commit, or the file's own time when it has
    uncommitted changes or is not in git at all."""
    root = Path(cat.root)
    path = root / "cases" / f"{slug}.yml"
    if not path.exists():
        return None
    mtime = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
    committed = _git_dates(root).get(f"cases/{slug}.yml")
    if committed is None or _dirty(root, f"cases/{slug}.yml"):
        return mtime
    return committed


_DIRTY: dict[Path, set[str]] = {}


def _dirty(root: Path, path: str) -> bool:
    """Whether ``path`` has uncommitted changes: one `git status` per build."""
    if root not in _DIRTY:
        try:
            out = subprocess.run(["git", "status", "--porcelain", "--", "cases"], cwd=root, capture_output=True,
                                 text=True, timeout=60, check=True).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        _DIRTY[root] = {line[3:].strip().strip('"') for line in out.splitlines()}
    return path in _DIRTY[root]


def case_reader(cat: Catalog, slug: str) -> dict:
    """Everything the case page's reader aids need, for the templates."""
    previous, following = neighbours(cat, slug)
    changed = last_changed(cat, slug)
    return {
        "related": related(cat, slug), "previous": previous, "next": following,
        "changed": changed.strftime("%d %B %Y").lstrip("0") if changed else None,
        "changed_iso": changed.date().isoformat() if changed else None,
        "credits": getattr(cat.cases[slug], "credits", None),
    }
