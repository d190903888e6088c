"""Reference indexes in pages of ``render.INDEX_PAGE_SIZE`` rows (issue 16): a fixture project this
module owns adds enough drugs to the seed reference data for the drugs index to need more than
one page (whatever the page size), and the built pages are read back. Expectations come from the
fixture's catalog and the code's constants.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import copy_project, run_build

from macros.catalog import load_catalog
from macros.render import INDEX_PAGE_SIZE, PAGED_INDEXES, index_page_url, index_pages


def _drug(i: int) -> dict:
    return {"name": f"Pagetest drug {i:03d}", "class": "test class", "mechanism": "Binds a test target.",
            "status_in_all": "Not licensed in ALL.", "toxicities": ["none known"],
            "sources": ["Test fixture (not a real reference)"], "reviewed": "2026-11"}


@pytest.fixture(scope="module")
def paged(tmp_path_factory):
    """(catalog, built site) of the seed project with over a page of drugs more."""
    work = tmp_path_factory.mktemp("paged")
    project = copy_project(work / "project")
    extra = {f"pagetest-drug-{i:03d}": _drug(i) for i in range(1, INDEX_PAGE_SIZE + 12)}
    with open(project / "reference" / "drugs.yml", "a", encoding="utf-8") as f:
        f.write("\n" + yaml.safe_dump(extra, sort_keys=False, allow_unicode=True))
    result = run_build(project, work / "site")
    assert result.returncode == 0, result.stderr
    cat = load_catalog(project)
    assert index_pages(cat, "drugs") > 1
    return cat, work / "site"


def _page(site: Path, kind: str, number: int) -> BeautifulSoup:
    return BeautifulSoup((site / index_page_url(kind, number) / "index.html").read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize("kind", PAGED_INDEXES)
def test_every_entry_once_in_name_order_across_the_pages(paged, kind):
    cat, site = paged
    pages = index_pages(cat, kind)
    listed = []
    for number in range(1, pages + 1):
        rows = _page(site, kind, number).select("article table tbody tr")
        assert len(rows) == (INDEX_PAGE_SIZE if number < pages else len(cat.tables[kind]) - INDEX_PAGE_SIZE * (pages - 1))
        listed += [row.find("a", href=True)["href"].rstrip("/").split("/")[-1] for row in rows]
    expected = sorted(cat.tables[kind], key=lambda i: cat.tables[kind][i].name.lower())
    assert listed == expected
    assert not (site / kind / "pages" / str(pages + 1)).exists()


def test_each_page_links_every_other_and_marks_its_own(paged):
    cat, site = paged
    pages = index_pages(cat, "drugs")
    for number in range(1, pages + 1):
        soup = _page(site, "drugs", number)
        navs = soup.select("article nav.index-pages")
        assert len(navs) == 2  # above and below the table
        for nav in navs:
            assert nav["aria-label"]
            assert nav.select_one("[aria-current=page]").get_text(strip=True) == str(number)
            targets = {a.get_text(strip=True): a["href"] for a in nav.find_all("a")}
            assert set(targets) == {str(n) for n in range(1, pages + 1) if n != number}
            for n, href in targets.items():  # each link lands on that page
                landing = site / index_page_url("drugs", number) / href / "index.html"
                assert landing.resolve() == (site / index_page_url("drugs", int(n)) / "index.html").resolve()
    assert soup.find("h1").get_text(strip=True).startswith(f"Drugs ({pages} of {pages})")


def test_a_single_page_index_has_no_pager(paged):
    cat, site = paged
    for kind in PAGED_INDEXES:
        if index_pages(cat, kind) == 1:
            assert not _page(site, kind, 1).select("nav.index-pages"), kind
