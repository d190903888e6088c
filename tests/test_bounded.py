"""Reader pages that stay bounded however many cases there are (issue 16).

A fixture project this module owns holds more cases than the cases index lists on its page
(``indexdata.PAGE_SIZE`` + a dozen, written by scripts/corpus.py from the seed cases and the
benchmark's generator), so every expectation comes from the code's constants and that corpus:
the page lists the first page of rows and nothing per case beyond it (the swimmer plot's own
bounded lanes aside), the compact index holds every case, and in Chromium the filters find a case
that is not on the first page and the address carries the state both ways. Not timed: the
budgets are measured by scripts/bench.py and scripts/lighthouse.py.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, copy_project, run_build
from test_browser import CHROMIUM, QuietHandler, _require_browser

from macros import figures, indexdata
from macros.catalog import load_catalog
from macros.render import QUIZ_PAGE_SIZE, quiz_pages

N = indexdata.PAGE_SIZE + 12


@pytest.fixture(scope="module")
def port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def big(tmp_path_factory, port):
    """(catalog, built site) of a project with N cases."""
    work = tmp_path_factory.mktemp("bounded")
    data = work / "data"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "corpus.py"), str(data), "--cases", str(N), "--copies", "3"],
                   check=True, capture_output=True, text=True, timeout=600)
    project = copy_project(work / "project", data=data)
    result = run_build(project, work / "site", site_url=f"http://127.0.0.1:{port}/")
    assert result.returncode == 0, result.stderr
    cat = load_catalog(project)
    assert len(cat.cases) == N
    return cat, work / "site"


def _soup(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser")


def test_cases_index_lists_the_first_page_and_nothing_per_case_beyond_it(big):
    cat, site = big
    soup = _soup(site, "cases/index.html")
    first = list(cat.cases)[:indexdata.PAGE_SIZE]
    rows = soup.select("[data-case-table] tbody tr")
    assert [r["data-case"] for r in rows] == first
    # The only other cases the page names are the swimmer plot's lanes, themselves bounded.
    lanes = {g["data-case"] for g in soup.select(".swimmer [data-case]")}
    assert len(lanes) <= figures.SWIMMER_LANES
    text = str(soup.select_one("article"))
    named = {slug for slug in cat.cases if f"cases/{slug}/" in text or f'"{slug}"' in text}
    assert named <= set(first) | lanes
    # Counts still cover every case, and the page says how many are listed.
    assert soup.select_one("[data-filter-count]").get_text(strip=True) == f"All {N} cases."
    more = soup.select_one("[data-more]")
    assert not more.has_attr("hidden") and f"first {indexdata.PAGE_SIZE} of {N}" in more.get_text()
    assert more.select_one("noscript a[href]"), "without JavaScript, says where the other cases are"
    sites = {box["value"]: int(box.find_parent("label").select_one("[data-n]").get_text(strip=True).strip("()"))
             for box in soup.select("input[data-facet=site]")}
    assert sites == {s: sum(s in f.sites for f in cat.facts.values()) for s in {s for f in cat.facts.values() for s in f.sites}}


def test_compact_index_holds_every_case(big):
    cat, site = big
    soup = _soup(site, "cases/index.html")
    address = soup.select_one("[data-case-table]")["data-rows"]
    assert address.startswith("rows.json?v=")
    data = json.loads((site / "cases" / "rows.json").read_text(encoding="utf-8"))
    assert data["total"] == N and [r[0] for r in data["rows"]] == list(cat.cases)
    ids = data["facets"]
    for row in data["rows"]:
        slug, facts, case = row[0], cat.facts[row[0]], cat.cases[row[0]]
        assert row[1] == case.title and row[2] == case.patient.age and row[4] == case.diagnosis.philadelphia.value
        assert [ids["site"][n] for n in row[9]] == list(facts.sites), slug
        assert [ids["regimen"][n] for n in row[10]] == list(facts.regimens), slug
        assert {ids["drug"][n] for n in row[12]} == set(facts.received), slug
        assert {ids["antigen"][n] for n in row[13]} == set(facts.antigens["positive"]), slug
    # Compact: a few fields a case, names once.
    assert len(json.dumps(data["rows"], separators=(",", ":"))) / N < 400


def test_quiz_bank_links_topic_pages_instead_of_listing_objectives(big):
    cat, site = big
    soup = _soup(site, "quiz/index.html")
    article = soup.select_one("article")
    assert not article.select("table"), "no row per objective"
    case_links = {a["href"] for a in article.find_all("a", href=True) if re.search(r"cases/[^/]+/", a["href"])}
    assert not case_links
    for topic, pages in quiz_pages(cat).items():
        for number in range(1, pages + 1):
            target = f"{topic}/" if number == 1 else f"{topic}-{number}/"
            assert target in {a["href"] for a in article.find_all("a", href=True)}, (topic, number)
    # What quiz.js fills in is in the page, visible, from the start (no layout shift).
    assert not soup.select(".quiz-bank-chrome [data-quiz-progress][hidden], p[data-quiz-progress][hidden]")
    assert QUIZ_PAGE_SIZE >= 1


def test_glossary_page_has_no_tooltips_and_there_is_no_tags_page(big):
    _, site = big
    article = _soup(site, "glossary/index.html").select_one("article")
    assert article.select("dl dt abbr") and not article.select("abbr[title]")
    assert not (site / "tags").exists()


# ---------------------------------------------------------------------------- in Chromium

@pytest.fixture(scope="module")
def page(big, port):
    _require_browser()
    from playwright.sync_api import sync_playwright

    _, site = big
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.base = f"http://127.0.0.1:{port}/"
        yield page
        browser.close()
    server.shutdown()


def _open(page, query: str = "") -> None:
    page.goto(page.base + "cases/" + query)
    page.wait_for_selector("[data-case-table][data-loaded]", state="attached")


def _listed(page) -> list[str]:
    return page.eval_on_selector_all("[data-case-table] tbody tr", "rows => rows.map(r => r.dataset.case)")


def _expected(cat, site: str | None = None, ph: str | None = None) -> list[str]:
    return [s for s in cat.cases if (site is None or site in cat.facts[s].sites)
            and (ph is None or cat.cases[s].diagnosis.philadelphia.value == ph)]


def test_filters_find_a_case_beyond_the_first_page(big, page):
    cat, _ = big
    last = list(cat.cases)[-1]
    site, ph = cat.facts[last].sites[0], cat.cases[last].diagnosis.philadelphia.value
    _open(page)
    page.evaluate("document.querySelector('.case-filters__panel').open = true")
    page.locator(f"input[data-facet=site][value='{site}']").check()
    page.locator(f"input[data-facet=ph][value='{ph}']").check()
    expected = _expected(cat, site, ph)
    assert _listed(page) == expected[:indexdata.PAGE_SIZE]
    assert page.locator("[data-filter-count]").inner_text() == f"Showing {len(expected)} of {N} cases."
    while last not in _listed(page):  # "show more" until the last case is listed
        before = len(_listed(page))
        page.locator("[data-more-button]").click()
        assert len(_listed(page)) == min(before + indexdata.PAGE_SIZE, len(expected))
    assert _listed(page) == expected[:len(_listed(page))]
    # Counts of the other facets follow the choice: an option that would leave nothing is disabled.
    for box in page.locator("input[data-facet=drug]").all():
        n = sum(box.get_attribute("value") in cat.facts[s].received for s in expected)
        assert box.is_disabled() == (n == 0)
    assert not page.errors


def test_show_more_lists_the_next_rows_in_order(big, page):
    cat, _ = big
    _open(page)
    assert _listed(page) == list(cat.cases)[:indexdata.PAGE_SIZE]
    page.locator("[data-more-button]").click()
    assert _listed(page) == list(cat.cases)[:2 * indexdata.PAGE_SIZE]
    assert page.locator("[data-more]").is_hidden() == (N <= 2 * indexdata.PAGE_SIZE)


def test_the_address_carries_the_state_both_ways(big, page):
    cat, _ = big
    site = max({s for f in cat.facts.values() for s in f.sites}, key=lambda s: len(_expected(cat, s)))
    _open(page, f"?site={site}&sort=age&dir=desc")
    assert page.locator(f"input[data-facet=site][value='{site}']").is_checked()
    assert page.locator("th[data-sort-key=age]").get_attribute("aria-sort") == "descending"
    expected = sorted(_expected(cat, site), key=lambda s: -cat.cases[s].patient.age)  # stable: catalogue order among equals
    assert _listed(page) == expected[:indexdata.PAGE_SIZE]
    # Changing the state writes it back; a fresh load of that address shows the same.
    page.locator("th[data-sort-key=title] button").click()
    assert "sort=title" in page.url and "dir=asc" in page.url and f"site={site}" in page.url
    shown = _listed(page)
    assert shown == sorted(_expected(cat, site), key=lambda s: cat.cases[s].title.lower())[:indexdata.PAGE_SIZE]
    address = page.url
    _open(page, address.split("cases/", 1)[1])
    assert page.url == address and _listed(page) == shown
    page.locator("[data-filter-fields] button[type=reset]").click()
    assert "site=" not in page.url and page.locator("[data-filter-count]").inner_text() == f"All {N} cases."
    assert not page.errors
