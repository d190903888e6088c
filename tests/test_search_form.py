"""The header's search form reaches the search page from any page, however deep."""

from __future__ import annotations

from test_reader import CASE, _page, base_url, browser  # noqa: F401 (fixtures)


def test_header_search_after_following_links(browser, base_url):  # noqa: F811
    context, page = _page(browser, "desk")
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Cases", exact=True).first.click()
    page.wait_for_url("**/cases/")
    page.locator(f'a[href$="{CASE.split("/")[1]}/"]').first.click()  # and once more, a level deeper
    page.wait_for_url(f"**/{CASE}")
    box = page.locator("form.md-header__search input").first
    box.fill("blinatumomab")
    box.press("Enter")
    page.wait_for_url("**/search/?q=blinatumomab*")
    assert page.url.startswith(base_url + "search/"), page.url
    assert not page.errors, page.errors
    context.close()
