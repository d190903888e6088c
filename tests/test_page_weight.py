"""What keeps case and quiz pages light on a phone, checked in real Chromium without timing anything
(the budgets themselves are measured by scripts/lighthouse.py):

- glossary tooltips cost the same whatever the number of terms: no listener on any abbreviation
  (assets/tooltips.js listens on the document; Material's content.tooltips mounted a component on
  each of the 500-900 terms of a case or quiz page, most of their blocking time), and the tooltip
  still works by hover, keyboard focus, tap, and on a page reached by a link;
- a quiz holds no form (nothing to submit; Chromium's autofill inspects each form of a page);
- the quiz's script moves nothing on a topic page (no layout shift).
"""

from __future__ import annotations

import pytest

import conftest
from test_browser import base_url, browser, page  # noqa: F401  (shared fixtures)

ACTIVE = ".md-tooltip2--active[role=tooltip]"


@pytest.fixture(scope="module")
def wordy_case(site) -> str:
    """The case page with the most glossary terms (whatever the corpus)."""
    counts = {slug: len(conftest.html(site, f"cases/{slug}").select("article abbr[title]"))
              for slug in conftest.catalog().cases}
    slug = max(counts, key=counts.get) if counts else None
    if not slug or counts[slug] < 2:
        pytest.skip("no case page with glossary terms")
    return slug


@pytest.fixture(scope="module")
def topic_page(site) -> str:
    """A quiz topic page with the most questions."""
    pages = {p.parent.relative_to(site).as_posix() + "/": len(conftest.html(site, p.parent.relative_to(site).as_posix())
                                                              .select("[data-quiz-question]"))
             for p in (site / "quiz").glob("*/index.html") if p.parent.name not in ("mixed", "data")}
    path = max(pages, key=pages.get) if pages else None
    if not path or pages[path] < 2:
        pytest.skip("no quiz topic page with questions")
    return path


def test_no_listener_on_any_abbreviation(page, base_url, wordy_case):
    page.goto(f"{base_url}cases/{wordy_case}/")
    page.wait_for_load_state("networkidle")
    cdp = page.context.new_cdp_session(page)
    abbrs = cdp.send("Runtime.evaluate", {"expression": "document.querySelectorAll('article abbr[title]')"})["result"]
    props = cdp.send("Runtime.getProperties", {"objectId": abbrs["objectId"], "ownProperties": True})["result"]
    elements = [p["value"]["objectId"] for p in props if p["name"].isdigit()]
    assert elements
    with_listeners = [i for i, oid in enumerate(elements)
                      if cdp.send("DOMDebugger.getEventListeners", {"objectId": oid})["listeners"]]
    assert not with_listeners, f"{len(with_listeners)} of {len(elements)} abbreviations have their own listeners"


def test_tooltip_by_hover_focus_and_escape(page, base_url, wordy_case):
    page.goto(f"{base_url}cases/{wordy_case}/")
    page.wait_for_load_state("networkidle")
    abbr = page.locator("article abbr[title]").first.element_handle()  # the element, not the selector: its title goes
    title = abbr.get_attribute("title")
    abbr.hover()
    tip = page.locator(ACTIVE)
    tip.wait_for(state="visible")
    assert tip.inner_text() == title
    assert abbr.get_attribute("aria-describedby") == tip.get_attribute("id")
    assert abbr.get_attribute("title") is None  # no native tooltip on top of it
    # The pointer may move onto the tooltip without it closing (WCAG 1.4.13).
    box = page.locator(f"{ACTIVE} .md-tooltip2__inner").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=4)
    page.wait_for_timeout(500)
    assert tip.is_visible()
    page.mouse.move(0, 0)
    tip.wait_for(state="detached")
    assert abbr.get_attribute("title") == title and abbr.get_attribute("aria-describedby") is None

    focusable = page.locator("article abbr[tabindex='0'][title]").nth(1).element_handle()
    expected = focusable.get_attribute("title")
    focusable.focus()
    page.locator(ACTIVE).filter(has_text=expected).wait_for(state="visible")
    page.keyboard.press("Escape")
    page.locator(ACTIVE).wait_for(state="detached")
    assert focusable.get_attribute("title") == expected


def test_tooltip_by_tap_on_a_phone(browser, base_url, wordy_case):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{base_url}cases/{wordy_case}/")
    page.wait_for_load_state("networkidle")
    for term in (page.locator("article abbr[tabindex='0'][title]").first,  # a first use: focusable
                 page.locator("article abbr[title]:not([tabindex])").first):
        if not term.count():
            continue
        term = term.element_handle()
        expected = term.get_attribute("title")
        term.scroll_into_view_if_needed()
        term.tap()
        page.locator(ACTIVE).filter(has_text=expected).wait_for(state="visible")
        page.locator("h1").tap()
        page.locator(ACTIVE).wait_for(state="detached")
    context.close()


def test_tooltip_after_following_a_link(page, base_url, wordy_case):
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    page.evaluate("href => { const a = document.createElement('a'); a.href = href; a.textContent = 'go';"
                  " document.querySelector('article').append(a); }", f"{base_url}cases/{wordy_case}/")
    page.locator("article a", has_text="go").last.click()
    page.wait_for_url(f"**/cases/{wordy_case}/")
    # The case's own article (its quiz), not the home page's.
    page.locator("article [data-quiz-question]").first.wait_for(state="attached")
    abbr = page.locator("article abbr[title]").first
    title = abbr.get_attribute("title")
    abbr.hover()
    page.locator(ACTIVE).filter(has_text=title).wait_for(state="visible")


def test_quiz_script_moves_nothing_on_a_topic_page(browser, base_url, topic_page):  # noqa: F811
    for viewport in ({"width": 390, "height": 844}, {"width": 1366, "height": 768}):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.add_init_script("""window.__shifts = [];
            new PerformanceObserver(list => list.getEntries().forEach(e => { if (!e.hadRecentInput) window.__shifts.push(e.value); }))
              .observe({type: 'layout-shift', buffered: true});""")
        page.goto(base_url + topic_page)
        page.wait_for_selector("[data-quiz-question] .quiz-check:not([hidden])")
        page.wait_for_timeout(300)
        shift = page.evaluate("window.__shifts.reduce((a, b) => a + b, 0)")
        assert shift < 0.01, (viewport, shift)
        context.close()


def test_no_question_is_a_form(site, topic_page, wordy_case):
    """A quiz holds no form, whatever the number of questions: nothing goes to a server (without
    JavaScript, Enter on an option reloaded the page), and Chromium's autofill inspects each form
    of a page once it is parsed."""
    for path in (topic_page, f"cases/{wordy_case}/"):
        quiz = conftest.html(site, path.rstrip("/")).select("[data-quiz]")
        assert quiz and not [q for q in quiz if q.find("form")], path
