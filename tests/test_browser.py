"""What a reader clicks, in real Chromium (Debian's package, driven by Playwright).

Run locally without Chromium, these tests skip and say how to install it; under CI
(CI=true) a missing browser is a failure.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CASE = "cases/bertamini-2018-case-1-pancreas/"


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


def _arrive_by_instant_navigation(page, base_url):
    """Home -> Cases -> the case, by clicking: Material swaps pages without reloading."""
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("link", name="Cases", exact=True).first.click()
    page.wait_for_url("**/cases/")
    page.locator("article a", has_text="Pancreatic, splenic and skeletal relapse").first.click()
    page.wait_for_url(f"**/{CASE}")
    page.wait_for_selector("[data-quiz-question] .quiz-check:not([hidden])")
    assert page.evaluate("window.__sameDocument") is True, "the page was reloaded, not instantly navigated"


def test_quiz_wrong_then_right_after_instant_navigation(page, base_url):
    _arrive_by_instant_navigation(page, base_url)
    question = page.locator("#q-b1-q-io-target")
    question.scroll_into_view_if_needed()
    question.get_by_label("TdT positivity").check()
    question.get_by_role("button", name="Check answer").click()
    feedback = question.locator(".quiz-feedback")
    assert feedback.inner_text().startswith("Not quite.")
    assert "TdT marks immature lymphoid cells" in feedback.inner_text()
    assert feedback.get_attribute("aria-live") == "polite"
    question.get_by_label("CD22 expression on the blasts").check()
    question.get_by_role("button", name="Check answer").click()
    assert feedback.inner_text().startswith("Correct.")
    assert "anti-CD22" in feedback.inner_text()
    # The first answer is the one that counts.
    score = page.locator(".quiz-score")
    assert score.inner_text().startswith("Score: 0 of 4 correct (1 answered)")
    page.get_by_role("button", name="Try again").click()
    assert feedback.inner_text() == ""
    assert score.inner_text() == ""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "quiz-desktop.png"), full_page=False)


def test_quiz_with_the_keyboard_only(page, base_url):
    page.goto(base_url + CASE)
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
    feedback = page.locator("#q-b1-q-why-biopsy .quiz-feedback")
    assert feedback.inner_text().startswith("Not quite.")
    page.keyboard.press("Shift+Tab")   # back to the radio group
    page.keyboard.press("ArrowUp")     # option 1, the right one
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert feedback.inner_text().startswith("Correct.")


def test_quiz_answers_reachable_without_javascript(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + CASE)
    question = page.locator("#q-b1-q-io-target")
    assert not question.locator(".quiz-check").is_visible()
    question.locator("summary").click()
    assert "IO is an anti-CD22 antibody" in question.locator("details").inner_text()
    context.close()


def test_tooltips_on_hover_and_keyboard_focus(page, base_url):
    page.goto(base_url + CASE)
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
