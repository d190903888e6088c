"""The cases index's rows as one compact JSON file, and the MkDocs hook that writes it.

The cases index page lists only its first ``render.CASES_PAGE`` rows (so the page stays the same
size at 6 or 5,000 cases); the filters, sorting and "show more" read every row from this file,
fetched when the reader first uses them. One array per case and the names of sites, drugs and
regimens once, referred to by number: about 100 bytes a case before compression.

Format (``"v": 1``)::

    {"v": 1, "total": N,
     "facets": {"site": [ids], "drug": [ids], "regimen": [ids], "antigen": [ids]},
     "names":  {"site": [names], "drug": [names], "regimen": [names]},   # same order as the ids
     "ph": {value: label}, "outcomes": [text], "courses": [text],
     "rows": [[slug, title, age, sex, ph, response, rank, outcome#, course#,
               [site#], [regimen#], [named drug#], [received drug#], [positive antigen#]]]}

Rows are in catalogue order, the order of the page's first rows. The file's address carries a
digest of its content (``?v=``) so a browser never combines a new page with an old file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

PATH = "cases/rows.json"  # under the site folder; the cases index is cases/index.html
PAGE_SIZE = 25  # rows the cases index page itself lists (and the script adds per "show more"): a few
# screens of cards on a phone; each row more is main-thread work on every load of the page

# The rows of the catalogue last asked for: the index page and the hook share one computation.
_cache: tuple[object, list[dict], str, str] | None = None


def rows(cat) -> list[dict]:
    return _compute(cat)[1]


def text(cat) -> str:
    return _compute(cat)[2]


def version(cat) -> str:
    return _compute(cat)[3]


def _compute(cat):
    global _cache
    if _cache is None or _cache[0] is not cat:
        from .render import _case_row  # the one row builder: page and file cannot disagree

        all_rows = [_case_row(cat, slug) for slug in cat.cases]
        body = compact(all_rows)
        _cache = (cat, all_rows, body, hashlib.blake2b(body.encode(), digest_size=6).hexdigest())
    return _cache


def compact(all_rows: list[dict]) -> str:
    """The rows as the JSON the page's script reads (format in the module docstring)."""
    from .render import PH_LABELS

    numbers: dict[str, dict[str, int]] = {k: {} for k in ("site", "drug", "regimen", "antigen")}
    names: dict[str, dict[str, str]] = {k: {} for k in ("site", "drug", "regimen")}
    outcomes: dict[str, int] = {}
    courses: dict[str, int] = {}

    def num(kind: str, value: str, name: str | None = None) -> int:
        table = numbers[kind]
        if value not in table:
            table[value] = len(table)
        if name is not None and kind in names:
            names[kind].setdefault(value, name)
        return table[value]

    out = []
    for row in all_rows:
        regimens = [num("regimen", i, name) for folder, i, name in row["therapies"] if folder == "regimens"]
        drugs = [num("drug", i, name) for folder, i, name in row["therapies"] if folder == "drugs"]
        out.append([
            row["slug"], row["title"], row["age"], row["sex"], row["ph"], row["facets"]["response"][0], row["rank"],
            outcomes.setdefault(row["outcome"], len(outcomes)), courses.setdefault(row["course_text"], len(courses)),
            [num("site", i, name) for i, name in row["site_links"]], regimens, drugs,
            [num("drug", d) for d in row["facets"]["drug"]],
            [num("antigen", a) for a in row["facets"]["antigen"]],
        ])
    data = {
        "v": 1, "total": len(out),
        "facets": {k: list(t) for k, t in numbers.items()},
        "names": {k: [names[k].get(v, v) for v in numbers[k]] for k in names},
        "ph": PH_LABELS, "outcomes": list(outcomes), "courses": list(courses), "rows": out,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def write(config) -> None:
    """Write the file beside the cases index (every build: one pass over rows the page already made)."""
    from .catalog import current_catalog

    cat = current_catalog(Path(config.config_file_path).parent)
    target = Path(config.site_dir) / PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    body = text(cat)
    if not target.is_file() or target.read_text(encoding="utf-8") != body:
        target.write_text(body, encoding="utf-8")


def on_post_build(config):
    # MkDocs loads a hook from its file as a module of its own; the package's module holds the
    # rows the cases index page already computed in this build.
    from macros import indexdata

    indexdata.write(config)
