"""The reader's experience (issue 14): every page type at phone (390 x 844) and desk (1366 x 768)
size in real Chromium, and in print; plus what the built HTML must hold. Expectations come from
the catalog, never from a count of today's cases.
"""

from __future__ import annotations

import functools
import re
import http.server
import threading
import pytest

import oracle
from conftest import ROOT, catalog, html
from test_browser import CHROMIUM, QuietHandler, _require_browser, axe_script  # noqa: F401 (fixture)

from macros.catalog import load_catalog
from macros import indexdata, navigation
from macros.render import index_page_url, index_pages

CATALOG = catalog()  # the data the site was built from
SIZES = {"phone": (390, 844), "desk": (1366, 768)}


def _first(kind: str) -> str:
    return sorted(getattr(CATALOG, kind))[0]


CASE = f"cases/{next(iter(CATALOG.cases))}/"
PAGE_TYPES = {
    "home": "", "cases-index": "cases/", "case": CASE, "drug": f"drugs/{_first('drugs')}/",
    "drugs-index": "drugs/", "regimen": f"regimens/{_first('regimens')}/", "antigen": f"antigens/{_first('antigens')}/",
    "site": f"sites/{_first('sites')}/", "sites-index": "sites/", "glossary": "glossary/", "quiz-bank": "quiz/",
    "search": "search/?q=inotuzumab", "about": "about/", "data": "data/",
}


@pytest.fixture(scope="module")
def base_url(site, site_port):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", site_port), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{site_port}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        yield browser
        browser.close()


def _page(browser, size: str):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    return context, page


# ----------------------------------------------------------------- every page type, both sizes

@pytest.mark.parametrize("size", SIZES)
def test_no_sideways_scroll_and_no_script_error_on_full_load(browser, base_url, size):
    context, page = _page(browser, size)
    wide, errors = {}, {}
    for kind, path in PAGE_TYPES.items():
        page.errors.clear()
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > SIZES[size][0]:
            wide[kind] = width
        if page.errors:
            errors[kind] = list(page.errors)
    context.close()
    assert not wide, f"pages wider than the {size} screen: {wide}"
    assert not errors, errors


@pytest.mark.parametrize("size", SIZES)
def test_no_script_error_along_a_path_of_links(browser, base_url, size):
    """Home -> Cases -> a case -> a drug -> back to the list, by clicking."""
    context, page = _page(browser, size)
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    page.goto(base_url + "cases/") if size == "phone" else page.locator(".md-tabs__link", has_text="Cases").click()
    page.wait_for_url("**/cases/")
    page.wait_for_selector("[data-filter-fields]:not([disabled])", state="attached")
    page.locator("[data-case-table] tbody a").first.click()
    page.wait_for_url("**/cases/*/")
    page.locator("article a[href*='/drugs/']").first.click()
    page.wait_for_url("**/drugs/*/")
    page.locator("nav.crumbs a").click()
    page.wait_for_url("**/drugs/")
    context.close()
    assert not page.errors, page.errors


def test_a_page_fetches_only_itself_and_shared_assets(browser, base_url):
    """Outside the cases index and search (which load their own compact index), a page load
    fetches the page and the assets every page shares, nothing that grows with the library:
    Material's instant navigation, now off, fetched and parsed the whole sitemap.xml each time."""
    context, page = _page(browser, "phone")
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    for kind, path in PAGE_TYPES.items():
        if kind in ("cases-index", "search"):
            continue
        fetched.clear()
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        own = base_url + path
        other = [u for u in fetched if u.split("#")[0] != own and not u.startswith(base_url + "assets/")]
        assert not other, (kind, other)
    context.close()


def test_json_ld_is_in_the_head_not_run_as_a_script(site):
    for slug in CATALOG.cases:
        soup = html(site, f"cases/{slug}")
        assert soup.head.select('script[type="application/ld+json"]'), slug
        assert not soup.body.select('script[type="application/ld+json"]'), slug
        assert not [s for s in soup.body.select("article script")], "no inline script in the article (CSP)"


def test_each_page_has_its_own_description_and_link_preview(site):
    seen = {}
    for kind, path in PAGE_TYPES.items():
        if kind == "search":
            continue
        soup = html(site, path.split("?")[0].strip("/") or ".")
        description = soup.head.find("meta", attrs={"name": "description"})["content"]
        for prop in ("og:title", "og:description", "og:type", "og:site_name"):
            assert soup.head.find("meta", attrs={"property": prop}), (kind, prop)
        assert soup.head.find("meta", attrs={"name": "twitter:card"}), kind
        seen.setdefault(description, []).append(kind)
    shared = {d: kinds for d, kinds in seen.items() if len(kinds) > 1}
    assert not shared, f"pages sharing one description: {shared}"


def test_tabs_are_the_readers_and_the_active_one_is_marked(site):
    soup = html(site, CASE.strip("/"))
    tabs = [a.get_text(strip=True) for a in soup.select(".md-tabs__link")]
    for developer in ("Tags", "Performance", "Search", "Open data"):
        assert developer not in tabs
    active = soup.select(".md-tabs__item--active .md-tabs__link")
    assert [a.get_text(strip=True) for a in active] == ["Cases"]
    assert soup.select_one("nav.crumbs a").get_text(strip=True).endswith("All cases")
    footer = {a.get_text(strip=True) for a in soup.select(".md-footer a")}
    assert {"Performance", "Search", "Open data", "About"} <= footer and "Tags" not in footer


def test_related_and_neighbouring_cases(site):
    slugs = list(CATALOG.cases)
    for i, slug in enumerate(slugs):
        soup = html(site, f"cases/{slug}")
        expected = navigation.related(CATALOG, slug)
        assert len(expected) <= navigation.RELATED
        heading = soup.find(id="related-cases")
        if expected:
            links = [a["href"] for a in heading.find_next_sibling("ul").select("a")]
            assert [h.rstrip("/").split("/")[-1] for h in links[: len(expected)]] == [r.slug for r in expected]
            mine = set(navigation._features(CATALOG, slug))
            for r in expected:  # every related case shares something
                assert mine & set(navigation._features(CATALOG, r.slug))
        nav = soup.select_one("nav.case-next").get_text(" ", strip=True)
        assert ("Previous case" in nav) == (i > 0) and ("Next case" in nav) == (i < len(slugs) - 1)
        assert soup.select_one(".case-trust time") is not None, slug


def test_home_page_offers_a_way_in_on_the_first_screen(browser, base_url):
    for size in SIZES:
        context, page = _page(browser, size)
        page.goto(base_url)
        page.wait_for_load_state("networkidle")
        buttons = page.locator(".start-here a")
        assert buttons.count() >= 4
        height = SIZES[size][1]
        for i in range(buttons.count()):
            box = buttons.nth(i).bounding_box()
            assert box["y"] + box["height"] <= height, (size, buttons.nth(i).inner_text())
            assert box["height"] >= 24
        assert "for" in page.locator("article p").first.inner_text().lower()
        context.close()


# ------------------------------------------------------------------------------ cases index

def _shown(page) -> list[str]:
    return sorted(page.eval_on_selector_all("[data-case-table] tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.case)"))


def _listed(slugs) -> list[str]:
    """What the table lists of these cases: the first page of them, in catalogue order (sorted, as _shown)."""
    wanted = set(slugs)
    return sorted([s for s in CATALOG.cases if s in wanted][:indexdata.PAGE_SIZE])


def test_facets_or_within_and_across_with_counts_and_an_empty_state(browser, base_url):
    facts = CATALOG.facts
    sites = sorted({s for f in facts.values() for s in f.sites}, key=lambda s: -sum(s in f.sites for f in facts.values()))
    assert len(sites) >= 2, "fixture data should have two sites"
    a, b = sites[0], sites[1]
    context, page = _page(browser, "desk")
    page.goto(base_url + f"cases/?site={a}&site={b}")
    page.wait_for_selector("[data-filter-fields]:not([disabled])", state="attached")
    either = sorted(s for s, f in facts.items() if a in f.sites or b in f.sites)
    assert _shown(page) == _listed(either)
    assert page.locator("[data-filter-count]").inner_text() == f"Showing {len(either)} of {len(CATALOG.cases)} cases."
    # AND across facets: add the Ph status of the first of them.
    ph = CATALOG.cases[either[0]].diagnosis.philadelphia.value
    page.evaluate("document.querySelector('.case-filters__panel').open = true")
    page.locator(f"input[data-facet=ph][value='{ph}']").check()
    both = sorted(s for s in either if CATALOG.cases[s].diagnosis.philadelphia.value == ph)
    assert _shown(page) == _listed(both)
    assert f"ph={ph}" in page.url and f"site={a}" in page.url and f"site={b}" in page.url
    # An option that would leave nothing is disabled.
    for box in page.locator("input[data-facet=drug]").all():
        drug = box.get_attribute("value")
        n = sum(1 for s in both if drug in facts[s].received)
        assert box.is_disabled() == (n == 0), drug
    # An empty result (reachable by a shared address) says so and offers to clear.
    lonely = next(((x, p) for x in sites for p in ("positive", "negative", "not-reported")
                   if not any(x in f.sites and CATALOG.cases[s].diagnosis.philadelphia.value == p for s, f in facts.items())), None)
    if lonely:
        page.goto(base_url + f"cases/?site={lonely[0]}&ph={lonely[1]}")
        page.wait_for_selector("[data-filter-fields]:not([disabled])", state="attached")
        assert _shown(page) == []
        assert page.locator("[data-filter-empty]").is_visible()
        page.locator("[data-filter-clear]").click()
        assert _shown(page) == _listed(CATALOG.cases)
        assert page.locator("[data-filter-count]").inner_text() == f"All {len(CATALOG.cases)} cases."
    context.close()


def test_body_map_filters_the_index(browser, base_url):
    context, page = _page(browser, "phone")
    page.goto(base_url + "cases/")
    page.wait_for_selector("[data-filter-fields]:not([disabled])", state="attached")
    marker = page.locator(".bodymap__marker[data-filter-site]").first
    site = marker.get_attribute("data-filter-site")
    marker.click()
    assert _shown(page) == _listed(s for s, f in CATALOG.facts.items() if site in f.sites)
    assert page.url.endswith("cases/?site=" + site) and marker.get_attribute("aria-pressed") == "true"
    marker.focus()
    page.keyboard.press("Enter")
    assert _shown(page) == _listed(CATALOG.cases) and marker.get_attribute("aria-pressed") == "false"
    context.close()


def test_course_column_shows_each_line_in_order_and_marks_contradictions(site):
    soup = html(site, "cases")
    for row in soup.select("[data-case-table] tbody tr"):
        facts = CATALOG.facts[row["data-case"]]
        text = row.select_one("td[data-label=Course]").get_text(" ", strip=True).replace("\xa0", " ")
        for r in facts.responses:
            assert f"L{r.line} {r.category}" in text
        assert text.count("‡") == sum(1 for r in facts.responses if r.other is not None)
    assert "Course:" in soup.select_one(".case-table__key").get_text()


def test_cases_index_is_cards_on_a_phone_and_a_styled_table_on_a_desk(browser, base_url):
    context, page = _page(browser, "phone")
    page.goto(base_url + "cases/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("getComputedStyle(document.querySelector('[data-case-table] tbody tr')).display") == "block"
    context.close()
    context, page = _page(browser, "desk")
    page.goto(base_url + "cases/")
    page.wait_for_load_state("networkidle")
    assert page.locator(".md-typeset__scrollwrap [data-case-table]").count() == 1, "Material's scroll wrapper"
    assert page.evaluate("document.querySelector('[data-case-table]').scrollWidth <= document.querySelector('.md-typeset__scrollwrap').clientWidth + 1")
    context.close()


# ---------------------------------------------------------------------------------- figures

FIGURE_TEXT = """() => Array.from(document.querySelectorAll('.bodymap svg text, .swimmer svg text')).map(t => {
  const svg = t.ownerSVGElement, scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [t.textContent.trim(), parseFloat(getComputedStyle(t).fontSize) * scale]; })"""


@pytest.mark.parametrize("size", SIZES)
def test_figures_are_legible_and_tappable(browser, base_url, size):
    context, page = _page(browser, size)
    for path in ("cases/", CASE):
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        small = [(text, round(px, 1)) for text, px in page.evaluate(FIGURE_TEXT) if px < 12]
        assert not small, (path, small[:5])
        for badge in page.locator(".bodymap__badge").all():
            box = badge.bounding_box()
            assert box["width"] >= 24 and box["height"] >= 24, path
        labels = page.locator(".bodymap__list li").all_inner_texts()
        if path == CASE:
            assert not any("(1)" in label for label in labels)
    context.close()


# ----------------------------------------------------------------------------------- search

def _results(page, query: str, n: int) -> list[str]:
    box = page.locator("input.pagefind-ui__search-input")
    box.fill("")
    box.press_sequentially(query, delay=20)
    page.wait_for_function(
        "([q, n]) => { const m = document.querySelector('.pagefind-ui__message');"
        " const r = Array.from(document.querySelectorAll('.pagefind-ui__result')).slice(0, n);"  # loaded in any order
        " return m && m.textContent.endsWith(' for ' + q) && r.length >= n && r.every(x => x.querySelector('.pagefind-ui__result-link')); }",
        arg=[query, n])
    return page.eval_on_selector_all(".pagefind-ui__result-link", "links => links.map(a => new URL(a.href).pathname)")


def test_search_ranks_cases_whose_facts_match_first(browser, base_url):
    positive = {f"/cases/{s}/" for s, c in CATALOG.cases.items() if c.diagnosis.philadelphia.value == "positive"}
    negative = {f"/cases/{s}/" for s, c in CATALOG.cases.items() if c.diagnosis.philadelphia.value == "negative"}
    assert positive and negative, "fixture data should have Ph-positive and Ph-negative cases"
    context, page = _page(browser, "desk")
    page.goto(base_url + "search/")
    page.wait_for_selector("input.pagefind-ui__search-input")
    # Pagefind shows results a page at a time: judge the first page (all of them in a small library).
    k_pos, k_neg = min(len(positive), 5), min(len(negative), 5)
    for query in ("Ph+", "Ph-positive"):
        top = _results(page, query, k_pos)
        assert set(top[:k_pos]) <= positive and len(set(top[:k_pos])) == k_pos, (query, top[:5])
    top = _results(page, "Ph-", k_neg)
    assert not positive & set(top[:k_neg]), top[:5]
    # Each page once, snippets without cells run together.
    results = _results(page, "inotuzumab", 5)
    assert len(results) == len(set(results))
    context.close()


def test_search_filters_live_in_the_address(browser, base_url):
    context, page = _page(browser, "desk")
    page.goto(base_url + "search/?q=inotuzumab&type=Case")
    page.wait_for_selector("input.pagefind-ui__filter-checkbox", state="attached")
    page.wait_for_function("() => document.querySelectorAll('.pagefind-ui__result-link').length > 0")
    assert page.locator("input.pagefind-ui__filter-checkbox[name=type][value=Case]").is_checked()
    links = page.eval_on_selector_all(".pagefind-ui__result-link", "links => links.map(a => new URL(a.href).pathname)")
    assert links and all(link.startswith("/cases/") for link in links)
    page.locator("input.pagefind-ui__filter-checkbox[name=type][value=Case]").uncheck()
    page.wait_for_function("() => !location.search.includes('type=')")
    page.locator(".pagefind-ui__filter-name", has_text="drug").click()
    page.locator("input.pagefind-ui__filter-checkbox[name=drug]").first.check()
    page.wait_for_function("() => location.search.includes('drug=')")
    context.close()


def test_search_draws_a_filters_values_when_it_is_opened(browser, base_url):
    """A large library has hundreds of drugs, antigens and sites: the search page names each filter
    at load and draws its values (with their counts for the results) only when the reader opens it."""
    drugs = {CATALOG.drugs[d].name for case in CATALOG.cases.values() for d in oracle.received(case)}
    context, page = _page(browser, "desk")
    page.goto(base_url + "search/?q=inotuzumab")
    page.wait_for_selector(".pagefind-ui__filter-name:has-text('Drug')")
    page.wait_for_function("() => document.querySelectorAll('.pagefind-ui__result-link').length > 0")
    assert page.locator("input.pagefind-ui__filter-checkbox").count() == 0
    assert page.get_attribute(".pagefind-ui__message", "role") == "status"
    page.locator(".pagefind-ui__filter-name", has_text="drug").click()
    page.wait_for_selector("input.pagefind-ui__filter-checkbox[name=drug]", state="attached")
    values = page.eval_on_selector_all("input.pagefind-ui__filter-checkbox", "boxes => boxes.map(b => [b.name, b.value])")
    assert {name for name, _ in values} == {"drug"} and {value for _, value in values} == drugs
    labels = page.locator("label.pagefind-ui__filter-label").all_inner_texts()
    assert all(re.fullmatch(r".+ \(\d+\)", label) for label in labels), labels[:5]
    context.close()


def test_search_drops_a_filter_value_no_page_has(browser, base_url):
    """An old shared link may choose a drug since renamed: the page drops it from the address and
    lists what the query alone finds, rather than no results with no box to untick."""
    context, page = _page(browser, "desk")
    counted = "() => /^(\\d+ results?|No results) for /.test(document.querySelector('.pagefind-ui__message')?.textContent || '')"
    page.goto(base_url + "search/?q=inotuzumab")
    page.wait_for_function(counted)
    alone = page.text_content(".pagefind-ui__message")
    page.goto(base_url + "search/?q=inotuzumab&drug=No-such-drug&type=Case")
    page.wait_for_function("() => !location.search.includes('drug=')")
    page.wait_for_function(counted)
    assert "type=Case" in page.url
    assert page.locator("input.pagefind-ui__filter-checkbox[name=type][value=Case]").is_checked()
    page.locator("input.pagefind-ui__filter-checkbox[name=type][value=Case]").uncheck()
    page.wait_for_function("m => document.querySelector('.pagefind-ui__message').textContent === m", arg=alone)
    context.close()


def test_search_lists_results_a_page_at_a_time(browser, base_url):
    context, page = _page(browser, "desk")
    page.goto(base_url + "search/?q=inotuzumab")
    page.wait_for_function("() => /^\\d+ results? for /.test(document.querySelector('.pagefind-ui__message')?.textContent || '')")
    total = int(page.text_content(".pagefind-ui__message").split()[0])
    shown = lambda: page.locator(".pagefind-ui__result").count()  # noqa: E731
    assert shown() == min(total, 5)
    for _ in range(100):
        if page.locator(".pagefind-ui__button").is_hidden():
            break
        before = shown()
        page.locator(".pagefind-ui__button").click()
        page.wait_for_function("n => document.querySelectorAll('.pagefind-ui__result').length > n", arg=before)
    assert shown() == total
    page.wait_for_function("n => document.querySelectorAll('.pagefind-ui__result-link').length === n", arg=total)
    links = page.eval_on_selector_all(".pagefind-ui__result-link", "links => links.map(a => a.getAttribute('href'))")
    assert len(set(links)) == total
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_filter_panel_has_no_collapsible_block_styles(browser, base_url, scheme):
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme)
    page = context.new_page()
    page.goto(base_url + "search/?q=inotuzumab")
    page.wait_for_selector(".pagefind-ui__filter-block")
    style = page.evaluate("""() => { const d = document.querySelector('.pagefind-ui__filter-block'),
        s = d.querySelector('summary'); return [getComputedStyle(d).boxShadow, getComputedStyle(s).backgroundColor,
        getComputedStyle(s, '::before').content, getComputedStyle(s, '::after').maskImage]; }""")
    assert style[0] == "none" and style[1] in ("rgba(0, 0, 0, 0)", "transparent") and style[2] in ("none", "normal")
    assert style[3] in ("none", "")
    first = page.locator(".pagefind-ui__result").first
    first.wait_for()
    assert first.bounding_box()["y"] < 844, "the first result is on the first screen of a phone"
    context.close()


# ------------------------------------------------------------------------------------ print

def test_a_case_prints_as_a_clean_handout(browser, base_url):
    context, page = _page(browser, "desk")
    page.goto(base_url + CASE)
    page.wait_for_load_state("networkidle")
    page.emulate_media(media="print")
    for selector in (".md-header", ".md-tabs", ".md-sidebar--primary", ".md-footer", ".md-tags", "nav.crumbs",
                     "[data-pagefind-weight]", ".case-next", ".md-button"):
        for element in page.locator(selector).all():
            assert not element.is_visible(), selector
    source = page.locator(".print-source")
    assert source.is_visible() and base_url.rstrip("/") in source.inner_text() or "cases/" in source.inner_text()
    first = page.locator("article abbr[tabindex][title]").first
    after = first.evaluate("a => getComputedStyle(a, '::after').content")
    assert first.get_attribute("title") in after
    context.close()


# ---------------------------------------------------------------------------- accessibility

@pytest.mark.parametrize("kind", ["home", "cases-index", "case", "search", "drug"])
def test_no_serious_accessibility_violations_on_a_phone(browser, base_url, axe_script, kind):  # noqa: F811
    context = browser.new_context(viewport=dict(zip(("width", "height"), SIZES["phone"])), bypass_csp=True)  # to inject axe
    page = context.new_page()
    page.goto(base_url + PAGE_TYPES[kind])
    page.wait_for_load_state("networkidle")
    page.add_script_tag(content=axe_script)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    context.close()
    assert not bad, bad



def test_drug_counts_on_the_drugs_index_equal_the_filters(site):
    """Both count the cases that received the drug (named, supportive, transplant), from the facts."""
    counts = {}
    rows = [row for number in range(1, index_pages(CATALOG, "drugs") + 1)  # every page of the index
            for row in html(site, index_page_url("drugs", number)).select("article table tbody tr")]
    for row in rows:
        link = row.find("a", href=True)
        counts[link["href"].rstrip("/").split("/")[-1]] = int(row.find_all("td")[-1].get_text(strip=True))
    index = html(site, "cases")
    facet = {box["value"]: int(box.find_parent("label").select_one("[data-n]").get_text(strip=True).strip("()"))
             for box in index.select("input[data-facet=drug]")}
    for drug, n in facet.items():
        assert counts[drug] == n == sum(drug in f.received for f in CATALOG.facts.values()), drug
    assert all(n == 0 for d, n in counts.items() if d not in facet)
