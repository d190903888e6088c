"""MkDocs hook: case, quiz-bank and reference (drug, regimen, antigen, site) pages are written as HTML
by our templates; Python-Markdown does no work on them.

A generated page's stub (pages.py) holds only a macro call: ``{{ case_page("<slug>") }}``,
``{{ quiz_page("<topic>", <n>) }}`` or ``{{ reference_page("<kind>", "<id>") }}``. Before
mkdocs-macros would render it into Markdown for Python-Markdown to parse again (most of a build's
time), this hook renders the page's HTML from the catalog (``render.case_html``, ``render.quiz_html``,
``render.reference_html``) and leaves MkDocs an empty Markdown page; the HTML takes its place in
``on_page_content`` with the table of contents, the title and the anchor ids that the Markdown
extensions would have given the page. Any other page, or a stub this hook does not recognise (an
unknown id), goes through macros and Markdown as before, where the macro says what is wrong.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.toc import get_toc

from macros import render
from macros.catalog import current_catalog
from macros.kinds import BY_KEY

_STUB = re.compile(r'\A\s*\{\{ (case_page|quiz_page|reference_page)\((?:"([a-z]+)", )?"([a-z0-9][a-z0-9-]*)"(?:, (\d+))?\) \}\}\s*\Z')
_rendered: dict[str, render.html.RenderedPage] = {}  # src_uri -> HTML, from on_page_markdown to on_page_content


@event_priority(50)  # before mkdocs-macros (priority 0) renders the stub
def on_page_markdown(markdown: str, page, config, files):
    match = _STUB.match(markdown)
    if match is None or not page.meta.get("render_macros"):
        return markdown
    catalog = current_catalog(Path(config.config_file_path).parent)
    macro, kind, name, number = match[1], match[2], match[3], int(match[4] or 1)
    if macro == "case_page" and kind is None and name in catalog.cases:
        rendered = render.case_html(catalog, name, page.url, config.site_url or "")
    elif macro == "quiz_page" and kind is None and 1 <= number <= render.quiz_pages(catalog).get(name, 0):
        rendered = render.quiz_html(catalog, name, number, page.url)
    elif (macro == "reference_page" and match[4] is None and kind in BY_KEY and BY_KEY[kind].pages
          and name in catalog.tables[BY_KEY[kind].folder]):
        rendered = render.reference_html(catalog, kind, name, page.url)
    else:
        return markdown  # the macro says what is wrong
    _rendered[page.file.src_uri] = rendered
    page.meta["render_macros"] = False  # nothing left for mkdocs-macros; restored below
    return ""


def on_page_content(content: str, page, config, files):
    rendered = _rendered.pop(page.file.src_uri, None)
    if rendered is None:
        return content
    page.meta["render_macros"] = True
    page.toc = get_toc(rendered.toc_tokens)
    page._title_from_render = rendered.title  # what MkDocs takes from the first <h1>
    page.present_anchor_ids = rendered.anchor_ids  # for links to this page's anchors (validation)
    return rendered.content
