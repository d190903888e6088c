"""What a reader clicks, in real Chromium (Debian's package, driven by Playwright).

Run locally without Chromium, these tests skip and say how to install it; under CI
(CI=true) a missing browser is a failure.

Expectations come from the case files (tests/oracle.py), so these hold for any corpus
(conftest: EMALL_DATA); tests of one seed case's own content skip when it is absent. Every case
page is opened at a phone's and a desk's width; past EMALL_BROWSER_PAGES (default 60) case pages,
an evenly spaced, fixed sample of that many is opened instead, to bound the run's time.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

import oracle
from conftest import DATA, ROOT, catalog, seed_case

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PANCREAS = "bertamini-2018-case-1-pancreas"
CASE = f"cases/{PANCREAS if PANCREAS in catalog().cases else next(iter(catalog().cases))}/"  # any case page will do
BROWSER_PAGES = int(os.environ.get("EMALL_BROWSER_PAGES", "60"))


def _require_browser():
    if Path(CHROMIUM).exists():
        return
    message = "Chromium not found: install it with `apt-get install chromium` (or set CHROMIUM=/path)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " — under CI a missing browser is a failure")
    pytest.skip(message)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def base_url(site, site_port):
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", site_port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    yield page
    context.close()


def _arrive_by_links(page, base_url, slug: str):
    """Home -> Cases -> the case, by clicking."""
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Cases", exact=True).first.click()
    page.wait_for_url("**/cases/")
    page.wait_for_selector("[data-case-table] tbody tr[data-case]", state="attached")
    link = page.locator(f"[data-case-table] tr[data-case='{slug}'] a[href$='{slug}/']")
    while not link.count():  # the index lists a page of cases at a time
        page.locator("[data-more-button]").click()
    link.first.click()
    page.wait_for_url(f"**/cases/{slug}/")
    page.wait_for_selector("[data-quiz-question] .quiz-check:not([hidden])")


def test_quiz_wrong_then_right_after_arriving_by_links(page, base_url):
    _arrive_by_links(page, base_url, seed_case(PANCREAS))
    question = page.locator("#q-b1-q-io-target")
    question.scroll_into_view_if_needed()
    # Options are shown in a build-decided order (macros/quiz.py): read the key from the page.
    key = question.locator(".quiz-explanation[data-correct]")
    wrong = question.locator(".quiz-explanation:not([data-correct])").first
    question.locator(f"input[value='{wrong.get_attribute('data-option')}']").check()
    question.get_by_role("button", name="Check answer").click()
    feedback = question.locator(".quiz-feedback")
    assert feedback.inner_text().startswith(f"Not quite: the answer is {key.get_attribute('data-letter')}.")
    assert wrong.locator(".quiz-why").text_content().strip() in feedback.inner_text()
    assert feedback.get_attribute("aria-live") == "polite"
    question.locator(f"input[value='{key.get_attribute('data-option')}']").check()
    question.get_by_role("button", name="Check answer").click()
    assert feedback.inner_text().startswith("Correct.")
    assert "anti-CD22" in feedback.inner_text()
    # The first answer is the one that counts.
    score = page.locator(".quiz-score")
    questions = oracle.questions(catalog().cases[PANCREAS])
    assert page.locator("article [data-quiz-question]").count() == questions
    assert score.inner_text() == f"1 of {questions} answered, 0 correct."
    page.locator(".quiz-reset:visible").first.click()
    assert feedback.inner_text() == ""
    assert score.inner_text() == f"0 of {questions} answered, 0 correct."
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "quiz-desktop.png"), full_page=False)


def test_quiz_with_the_keyboard_only(page, base_url):
    page.goto(base_url + f"cases/{seed_case(PANCREAS)}/")
    page.wait_for_selector("[data-quiz-question] .quiz-check:not([hidden])")
    page.locator("#quiz").scroll_into_view_if_needed()
    # Tab until a radio of the first question has focus (bounded).
    for _ in range(400):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.name") == "b1-q-why-biopsy":
            break
    else:
        pytest.fail("could not reach the quiz with Tab")
    page.keyboard.press("Space")       # select the focused (first) option
    page.keyboard.press("ArrowDown")   # move the selection to option 2
    assert page.evaluate("document.activeElement.id") == "b1-q-why-biopsy-2"
    page.keyboard.press("Tab")         # to the Check answer button
    assert page.evaluate("document.activeElement.textContent") == "Check answer"
    page.keyboard.press("Enter")
    form = page.locator("#q-b1-q-why-biopsy")
    key = [r.get_attribute("value") for r in form.locator("input[type=radio]").all()].index(
        form.locator(".quiz-explanation[data-correct]").get_attribute("data-option"))  # shown order: see macros/quiz.py
    feedback = form.locator(".quiz-feedback")
    assert feedback.inner_text().startswith("Correct." if key == 1 else "Not quite")
    page.keyboard.press("Shift+Tab")   # back to the radio group
    for _ in range(abs(key - 1)):      # arrows to the right one
        page.keyboard.press("ArrowDown" if key > 1 else "ArrowUp")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert feedback.inner_text().startswith("Correct.")


def test_quiz_answers_reachable_without_javascript(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + f"cases/{seed_case(PANCREAS)}/")
    question = page.locator("#q-b1-q-io-target")
    assert not question.locator(".quiz-check").is_visible()
    question.locator("summary").click()
    assert "IO is an anti-CD22 antibody" in question.locator("details").inner_text()
    context.close()


def test_tooltips_on_hover_and_keyboard_focus(page, base_url):
    page.goto(base_url + f"cases/{seed_case(PANCREAS)}/")
    page.wait_for_load_state("networkidle")
    abbr = page.locator("article abbr", has_text="MRD").first
    abbr.hover()
    tooltip = page.locator(".md-tooltip2--active, .md-tooltip--active, [role=tooltip]").filter(has_text="residual disease")
    tooltip.first.wait_for(state="visible", timeout=5000)
    page.mouse.move(0, 0)
    page.locator("h1").click()
    focusable = page.locator("article abbr[tabindex='0']", has_text="PET-CT").first
    focusable.focus()
    page.locator(".md-tooltip2--active, .md-tooltip--active, [role=tooltip]").filter(
        has_text="positron emission").first.wait_for(state="visible", timeout=5000)


def test_no_request_leaves_the_local_server(page, base_url):
    for path in ("", CASE, "drugs/inotuzumab-ozogamicin/", "glossary/", "quiz/"):
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
    outside = [url for url in page.requests if not url.startswith(base_url) and not url.startswith("data:")]
    assert not outside, outside


# ---------------------------------------------------------------- finding cases

def _searches() -> dict[str, set[str]]:
    """Query -> pages any of which must be among the first five results: the entry's own page
    or a case that has it (both answer "which cases used inotuzumab?"; with many cases, the cases
    may rightly outrank the entry's page)."""
    cat = catalog()
    cases = lambda pred: {f"cases/{s}/" for s in cat.cases if pred(cat.cases[s])}  # noqa: E731
    drug = lambda d: {f"drugs/{d}/"} | cases(lambda c: d in oracle.received(c))  # noqa: E731
    site = lambda x: {f"sites/{x}/"} | cases(lambda c: x in oracle.sites(c))  # noqa: E731
    antigen = lambda a: {f"antigens/{a}/"} | cases(lambda c: a in oracle.antigens_typed(c))  # noqa: E731
    regimen = lambda r: {f"regimens/{r}/"} | cases(lambda c: r in oracle.regimens(c))  # noqa: E731
    ph_pos = cases(lambda c: c.diagnosis.philadelphia.value == "positive")
    genetics = lambda word: cases(lambda c: word in " ".join(  # noqa: E731
        [c.diagnosis.bcr_abl1 or "", c.diagnosis.karyotype or "", *c.diagnosis.genetics]))
    return {
        "inotuzumab": drug("inotuzumab-ozogamicin"), "IO": drug("inotuzumab-ozogamicin"),
        "InO": drug("inotuzumab-ozogamicin"), "Besponsa": drug("inotuzumab-ozogamicin"),
        "blinatumomab": drug("blinatumomab"), "Blincyto": drug("blinatumomab"),
        "CD22": antigen("cd22"), "CD19+": antigen("cd19"), "TdT": antigen("tdt"),
        "pancreas": site("pancreas"), "breast": site("breast"), "skin": site("skin"),
        "spine": site("spinal-epidural-space"),
        "Ph+": ph_pos, "BCR-ABL1": ph_pos,
        "Philadelphia": cases(lambda c: c.diagnosis.philadelphia.value != "not-reported"),
        "p190": genetics("p190"), "MLL": genetics("MLL"), "KMT2A": genetics("MLL"),
        "hyper-CVAD": regimen("hyper-cvad"), "FLAG-Ida": regimen("flag-ida"),
    }


RESULTS = ".pagefind-ui__result-inner > .pagefind-ui__result-title > a.pagefind-ui__result-link"  # pages, not sub-results


def _wait_for_results(page, query: str) -> None:
    """Until the results for ``query`` are listed: Pagefind shows the count, then fills in the first
    five results as their excerpts arrive."""
    page.wait_for_function(
        "([q, sel]) => { const m = document.querySelector('.pagefind-ui__message');"
        " const found = m && m.textContent.match(/^(\\d+) results? for (.*)$/);"
        " return found && found[2] === q && document.querySelectorAll(sel).length >= Math.min(5, +found[1]); }",
        arg=[query, RESULTS])


def _search(page, base_url, query: str) -> list[str]:
    """Type a query as a reader would, in the search page's box; the first five result pages, as site paths."""
    box = page.locator("input.pagefind-ui__search-input")
    box.fill("")
    box.press_sequentially(query, delay=20)
    _wait_for_results(page, query)
    hrefs = page.eval_on_selector_all(RESULTS, "links => links.slice(0, 5).map(a => a.href)")
    return [h.split(base_url, 1)[-1].split("?")[0].split("#")[0] for h in hrefs]


def test_search_finds_cases_by_any_name(page, base_url):
    page.goto(base_url + "search/")
    page.wait_for_selector("input.pagefind-ui__search-input")
    misses = {}
    searches = _searches()
    if DATA == ROOT:  # the seed cases answer every query; another corpus may leave some unanswerable
        assert all(searches.values()), [q for q, expected in searches.items() if not expected]
    for query, expected in searches.items():
        if not expected:
            continue
        top = _search(page, base_url, query)
        if not expected & set(top):
            misses[query] = top
    assert not misses, misses
    assert page.url.endswith("search/?q=FLAG-Ida"), "the query should be in the address, to share or go back to"
    outside = [url for url in page.requests if not url.startswith(base_url)]
    assert not outside, outside


def test_header_search_form_opens_results_and_filters_narrow_them(page, base_url):
    cat = catalog()
    page.goto(base_url + CASE)
    box = page.get_by_role("searchbox", name="Search cases, drugs, antigens and sites")
    box.fill("blinatumomab")
    box.press("Enter")
    page.wait_for_url("**/search/?q=blinatumomab")
    _wait_for_results(page, "blinatumomab")
    assert page.input_value("input.pagefind-ui__search-input") == "blinatumomab"
    # Narrow to case pages whose treatment used the drug: the drug's own page and cases that only
    # mention it drop out.
    expected = {f"cases/{s}/" for s, c in cat.cases.items() if "blinatumomab" in oracle.received(c)}
    page.locator(".pagefind-ui__filter-name", has_text="drug").click()
    page.get_by_label("Blinatumomab").check()
    shown = min(len(expected), 5)  # Pagefind lists five results, then offers more
    page.wait_for_function("([n, shown, sel]) => document.querySelector('.pagefind-ui__message').textContent.startsWith(`${n} result`)"
                           " && document.querySelectorAll(sel).length === shown", arg=[len(expected), shown, RESULTS])
    found = {h.split(base_url, 1)[-1] for h in page.eval_on_selector_all(RESULTS, "links => links.map(a => a.href)")}
    assert found <= expected and len(found) == shown


def test_search_fetches_what_the_benchmark_counts(page, base_url):
    """scripts/bench.py reports the search page's download from the bundle's files: the runtime it
    names, the filter files, one index chunk per word and the excerpts shown. Nothing else is fetched."""
    import fnmatch
    import sys
    sys.path.insert(0, str(ROOT / "scripts"))
    from benchlib.measure import SEARCH_RUNTIME

    page.goto(base_url + "search/?q=blinatumomab")
    _wait_for_results(page, "blinatumomab")
    page.wait_for_selector(".pagefind-ui__filter-name")
    page.wait_for_load_state("networkidle")
    fetched = {url.split("/pagefind/", 1)[1].split("?")[0] for url in page.requests if "/pagefind/" in url}
    runtime = {name for name in fetched if any(fnmatch.fnmatch(name, p) for p in SEARCH_RUNTIME)}
    assert len(runtime) == len(SEARCH_RUNTIME), (sorted(runtime), SEARCH_RUNTIME)
    rest = fetched - runtime
    assert {name.split("/")[0] for name in rest} == {"filter", "index", "fragment"}, sorted(rest)
    assert len([n for n in rest if n.startswith("fragment/")]) <= 5


def _listed(n: int) -> int:
    """Rows the cases index draws for ``n`` matching cases: a page of them (macros/indexdata.py)."""
    from macros.indexdata import PAGE_SIZE
    return min(n, PAGE_SIZE)


def _visible_cases(page) -> list[str]:
    return page.eval_on_selector_all("[data-case-table] tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.case)")


def _pick(page, facet: str, value: str) -> None:
    """Tick one facet value, as a reader does: open the filter panel, then the box."""
    panel = page.locator("[data-case-filters] details")
    if not panel.evaluate("d => d.open"):
        page.locator("[data-case-filters] summary").click()
    page.locator(f"input[name='{facet}'][value='{value}']").check()


def _busiest(cases, of) -> str:
    """The value most cases share (ties: the first in id order): a filter that leaves several rows."""
    counts = {}
    for case in cases:
        for value in of(case):
            counts[value] = counts.get(value, 0) + 1
    return max(sorted(counts), key=lambda v: counts[v])


def test_filters_combine_and_live_in_the_url(page, base_url):
    cat = catalog()
    drug = _busiest(cat.cases.values(), oracle.received)
    site = _busiest([c for c in cat.cases.values() if drug in oracle.received(c)], oracle.sites)
    expected = sorted(s for s, c in cat.cases.items() if drug in oracle.received(c) and site in oracle.sites(c))
    assert expected
    page.goto(base_url + "cases/")
    page.wait_for_selector("[data-filter-fields]:not([disabled])", state="attached")
    assert len(_visible_cases(page)) == _listed(len(cat.cases))
    _pick(page, "drug", drug)
    _pick(page, "site", site)
    page.wait_for_function(f"document.querySelectorAll('[data-case-table] tbody tr:not([hidden])').length === {_listed(len(expected))}")
    assert set(_visible_cases(page)) <= set(expected)
    assert f"Showing {len(expected)} of {len(cat.cases)} cases." == page.locator(".case-filters__count").inner_text()
    assert f"drug={drug}" in page.url and f"site={site}" in page.url
    count = page.locator(f"input[name='site'][value='{site}']").locator("xpath=..").locator("[data-n]").inner_text()
    assert count == f"({len(expected)})"  # live counts: cases this choice would show
    page.reload()
    page.wait_for_selector("[data-filter-fields]:not([disabled])", state="attached")
    page.wait_for_function(f"document.querySelectorAll('[data-case-table] tbody tr:not([hidden])').length === {_listed(len(expected))}")
    assert set(_visible_cases(page)) <= set(expected)
    assert page.locator(f"input[name='drug'][value='{drug}']").is_checked()
    page.get_by_role("button", name="Age / sex").click()
    ages = page.eval_on_selector_all("[data-case-table] tbody tr", "rows => rows.map(r => +r.dataset.sortAge)")
    assert ages == sorted(ages) and "sort=age" in page.url
    page.get_by_role("button", name="Clear filters").first.click()
    page.wait_for_function(f"document.querySelectorAll('[data-case-table] tbody tr:not([hidden])').length === {_listed(len(cat.cases))}")


def test_filters_after_following_links_and_without_javascript(browser, page, base_url):
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Cases", exact=True).first.click()
    page.wait_for_selector("[data-filter-fields]:not([disabled])", state="attached")
    context = browser.new_context(java_script_enabled=False)
    plain = context.new_page()
    plain.goto(base_url + "cases/")
    assert plain.locator("[data-filter-fields]").get_attribute("disabled") is not None  # drawn, but inert without the script
    assert plain.locator("[data-case-table] tbody tr").count() == len(_visible_cases(page)) == _listed(len(catalog().cases))
    context.close()


def test_body_map_markers_are_focusable_and_filter_the_table(page, base_url):
    cat = catalog()
    site = _busiest(cat.cases.values(), oracle.sites)
    expected = sorted(s for s, c in cat.cases.items() if site in oracle.sites(c))
    page.goto(base_url + "cases/")
    page.wait_for_selector("[data-filter-fields]:not([disabled])", state="attached")
    marker = page.locator(f".bodymap__marker[data-filter-site='{site}']")
    marker.focus()
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert f"{cat.sites[site].name}: {len(expected)} case" in label
    page.keyboard.press("Enter")  # a toggle button: filters the table on this site
    page.wait_for_function(f"document.querySelectorAll('[data-case-table] tbody tr:not([hidden])').length === {_listed(len(expected))}")
    assert set(_visible_cases(page)) <= set(expected) and f"site={site}" in page.url
    # On a case page the badges number the case's own sites; the list beside them links each site's page.
    slug = CASE.split("/")[1]
    own = oracle.sites(cat.cases[slug])
    page.goto(base_url + CASE)
    assert page.locator(".bodymap__marker").count() == len(own)
    links = page.locator(".bodymap__list a")
    assert {h.split("/")[-2] for h in links.evaluate_all("links => links.map(a => a.href)")} == own
    links.first.click()
    page.wait_for_url("**/sites/*/")
    assert page.url.split("/")[-2] in own


# ------------------------------------------------------------- accessibility

PAGE_TYPES = {
    "home": "", "case": CASE, "drug": "drugs/inotuzumab-ozogamicin/", "antigen": "antigens/cd22/",
    "site": "sites/pancreas/", "cases-index": "cases/", "glossary": "glossary/", "quiz-bank": "quiz/",
    "search": "search/?q=inotuzumab",
    "search-filtered": "search/?q=inotuzumab&type=Case",  # a filter chosen: its values drawn (and open on a desk)
}


@pytest.fixture(scope="module")
def axe_script() -> str:
    """axe-core from the npm registry, installed once into .cache/ (never a browser download)."""
    root = Path(__file__).resolve().parent.parent
    path = root / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists():
        npm = shutil.which("npm")
        if not npm:
            message = "npm not found: axe-core comes from the npm registry (install Node.js and npm)"
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(message)
            pytest.skip(message)
        import subprocess
        subprocess.run([npm, "install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund",
                        "--prefix", str(path.parents[2]), "axe-core@4"], check=True, capture_output=True, timeout=300)
    return path.read_text(encoding="utf-8")


AXE_PATH = "__tests__/axe.min.js"  # never built: the test serves it from the site's origin


def inject_axe(page, base_url: str, axe_script: str) -> None:
    """Load axe-core as a same-origin script, so the pages' Content-Security-Policy (script-src
    'self', no inline scripts) allows it and stays in force while axe runs."""
    page.route(base_url + AXE_PATH, lambda route: route.fulfill(
        status=200, content_type="application/javascript", body=axe_script))
    page.add_script_tag(url=base_url + AXE_PATH)


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_no_serious_accessibility_violations(page, base_url, axe_script, kind):
    page.goto(base_url + PAGE_TYPES[kind])
    page.wait_for_load_state("networkidle")
    inject_axe(page, base_url, axe_script)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, bad


@pytest.mark.parametrize("width, label", [(1280, "desktop"), (390, "mobile")])
def test_screenshots_of_each_page_type(browser, base_url, width, label):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for kind, path in PAGE_TYPES.items():
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        out = ARTIFACTS / f"{kind}-{label}.png"
        page.screenshot(path=str(out), full_page=True)
        assert out.stat().st_size > 5000
    context.close()


# ---------------------------------------------------------------- every case page

def sample(items: list, limit: int) -> list:
    """All of ``items`` up to ``limit``; past it, ``limit`` of them evenly spaced (first and last
    included): the same pages every run, spread over the whole corpus."""
    if len(items) <= limit:
        return items
    step = (len(items) - 1) / (limit - 1)
    return [items[round(i * step)] for i in range(limit)]


@pytest.mark.parametrize("width", [390, 1366])
def test_every_case_page_loads_without_errors_or_sideways_scroll(browser, base_url, width):
    """Each case page at a phone's and a desk's width: no script error (a refused script or
    style counts: the policy reports it as a console error), and nothing wider than the screen."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    slugs = sample(list(catalog().cases), BROWSER_PAGES)
    wide = {}
    for slug in slugs:
        page.goto(f"{base_url}cases/{slug}/", wait_until="load")
        page.wait_for_selector("[data-quiz-question] .quiz-check:not([hidden])")  # the quiz script ran
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            wide[slug] = overflow
    context.close()
    assert not errors, errors[:10]
    assert not wide, wide  # pixels of sideways scroll, by case
