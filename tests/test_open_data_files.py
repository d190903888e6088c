"""Open data stays light as the library grows: a compact index, one file per case, the reference
data apart, and the full dump offered with its size."""

from __future__ import annotations

import json

from conftest import DATA, html
from macros.catalog import load_catalog
from macros.opendata import case_record


def test_index_points_to_one_file_per_case(site):
    index = json.loads((site / "data" / "index.json").read_text(encoding="utf-8"))
    files = {row["slug"]: row["file"] for row in index["cases"]}
    catalog = load_catalog(DATA)  # the corpus the site was built from
    assert set(files) == set(catalog.cases)
    for slug, path in files.items():
        data = json.loads((site / "data" / path).read_text(encoding="utf-8"))
        assert data["slug"] == slug and data["case"] == json.loads(json.dumps(case_record(catalog.cases[slug])))
    per_case = max(len(json.dumps(row)) for row in index["cases"])
    assert per_case < 1000, "the index keeps a few short fields per case"


def test_data_page_states_each_file_and_its_size(site):
    page = html(site, "data").find("article")
    for name in ("index.json", "reference.json", "cases.csv", "cases.json"):
        link = page.find("a", href=lambda h, name=name: h and h.endswith(name))
        assert link is not None, name
        size = (site / "data" / name).stat().st_size
        shown = link.find_parent("li").get_text(" ")
        expected = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.1f} KB" if size >= 1e3 else f"{size} bytes"
        assert expected in shown, (name, expected, shown)
