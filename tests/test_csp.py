"""The Content-Security-Policy (macros/csp.py): on every built page, hashes that match, and a site
that works under it in Chromium (search, filters, quiz, tooltips, links followed) with no
violation reported."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT
from test_browser import CASE, base_url, browser, page  # noqa: F401  (fixtures: the served site, Chromium)

import importlib.util

_spec = importlib.util.spec_from_file_location("csp_hook", ROOT / "macros" / "csp.py")
csp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(csp)


def _policies(site):
    for path in sorted(site.rglob("*.html")):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        metas = soup.find_all("meta", attrs={"http-equiv": "Content-Security-Policy"})
        yield path, soup, metas


def test_every_page_has_one_site_wide_policy_with_matching_hashes(site):
    seen = set()
    for path, soup, metas in _policies(site):
        assert len(metas) == 1, path
        head = soup.head.find_all(True)
        assert head.index(metas[0]) <= 1, f"{path}: the policy must come before any script"
        policy = metas[0]["content"]
        seen.add(policy)
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
        assert directives["object-src"] == "'none'" and directives["base-uri"] == "'self'"
        assert "'unsafe-inline'" not in directives.get("style-src", "")
        for script in soup.find_all("script"):
            if script.get("src") or script.get("type") in ("application/json", "application/ld+json"):
                continue
            assert f"'sha256-{csp.script_hash(script.string or '')}'" in directives["script-src"], (path, str(script)[:80])
        article = soup.find("article")
        if article:
            assert not article.find_all("script", type=lambda t: t != "application/json"), path
            assert not article.find_all(style=True) and not article.find_all("style"), path
    assert len(seen) == 1, "one policy for the whole site"


def test_json_ld_lives_in_head_and_parses(site):
    for slug_dir in (site / "cases").iterdir():
        if not (slug_dir / "index.html").exists() or slug_dir.name == "index.html":
            continue
        soup = BeautifulSoup((slug_dir / "index.html").read_text(encoding="utf-8"), "html.parser")
        blocks = soup.find_all("script", type="application/ld+json")
        if not blocks:
            continue
        assert all(b.parent.name == "head" for b in blocks), slug_dir
        for b in blocks:
            assert json.loads(b.string)["@context"] == "https://schema.org"


def test_an_inline_script_in_content_is_not_hashed_and_warns(caplog):
    html = ('<html><head><meta charset="utf-8"><script>theme()</script></head><body>'
            '<article class="md-content__inner"><script>alert(1)</script>'
            '<script type="application/ld+json">{"a": 1}</script></article></body></html>')
    csp.on_pre_build(None)
    out = csp.add_policy(html, "x.md")
    assert csp.script_hash("theme()") in csp._state["hashes"]
    assert csp.script_hash("alert(1)") not in csp._state["hashes"]
    assert csp._state["offenders"] == ["x.md"]
    assert out.index('<script type="application/ld+json">') < out.index("</head>")
    assert out.index("Content-Security-Policy") < out.index("<script>theme()")
    assert "'unsafe-inline'" in csp.policy(set(), serve=True) and "sha256" not in csp.policy(set(), serve=True)


VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  e => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample || ""} ${e.sourceFile}:${e.lineNumber}`));
"""


def test_site_works_under_the_policy_with_no_violation(page, base_url):  # noqa: F811
    page.add_init_script(VIOLATIONS)
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text or "Refused" in m.text else None)
    seen = []

    def collect():
        seen.extend(page.evaluate("window.__csp.splice(0)"))

    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    # By links: home -> cases (filters) -> a case (quiz, tooltips).
    page.get_by_role("link", name="Cases", exact=True).first.click()
    page.wait_for_url("**/cases/")
    page.wait_for_selector("[data-filter-fields]:not([disabled])", state="attached")  # filters.js ran
    page.locator("[data-case-filters] summary").first.click()
    before = page.locator("[data-filter-count]").inner_text()
    page.locator("input[data-facet]:not([disabled])").first.check()
    page.wait_for_function("t => document.querySelector('[data-filter-count]').innerText !== t", arg=before)
    collect()
    page.goto(base_url + "cases/")  # the filter may hide the case; start from the full list
    page.wait_for_load_state("networkidle")
    link = page.locator("[data-case-table] tbody a[href]").first  # a case on the list's first page (any corpus)
    target = link.get_attribute("href").rstrip("/").split("/")[-1]
    link.click()
    page.wait_for_url(f"**/cases/{target}/")
    question = page.locator("[data-quiz-question]").first
    page.wait_for_selector("[data-quiz-question] .quiz-check:not([hidden])")
    question.scroll_into_view_if_needed()
    question.locator("input[type=radio]").first.check()
    question.locator(".quiz-check").click()
    assert question.locator(".quiz-feedback").inner_text().strip()
    abbr = page.locator("article abbr").first
    if abbr.count():
        abbr.hover()
        page.wait_for_timeout(300)
    collect()
    # Search (Pagefind's WebAssembly), loaded directly and reached by the tab.
    page.goto(base_url + "search/?q=CD22")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=20000)
    collect()
    page.goto(base_url + "drugs/")
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Search", exact=True).first.click()
    page.wait_for_url("**/search/")
    page.fill("input.pagefind-ui__search-input", "blinatumomab")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=20000)
    collect()
    assert not seen, seen
    assert not refused, refused
