"""MkDocs hook: case, quiz-bank and reference (drug, regimen, antigen, site) pages are written as HTML
by our templates; Python-Markdown does no work on them.

A generated page's stub (pages.py) holds only a macro call: ``{{ case_page("<slug>") }}``,
``{{ quiz_page("<topic>", <n>) }}`` or ``{{ reference_page("<kind>", "<id>") }}``. Before
mkdocs-macros would render it into Markdown for Python-Markdown to parse again (most of a build's
time), this hook takes the page over and leaves MkDocs an empty Markdown page. Its HTML is rendered
from the catalog (``render.case_html``, ``render.quiz_html``, ``render.reference_html``) only when
the page is written (``on_page_context``), with the table of contents, the title and the anchor ids
that the Markdown extensions would have given it, and dropped once written (``on_post_page``):
MkDocs reads every page before it writes any, so HTML made while reading would all be held at once
(about 50 KB a case page: 250 MB at 5,000 cases). Any other page, or a stub this hook does not
recognise (an unknown id), goes through macros and Markdown as before, where the macro says what is
wrong.
"""

from __future__ import annotations

import gc
import re
from functools import partial
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.toc import get_toc

from macros import render
from macros.catalog import current_catalog
from macros.kinds import BY_KEY

_STUB = re.compile(r'\A\s*\{\{ (case_page|quiz_page|reference_page)\((?:"([a-z]+)", )?"([a-z0-9][a-z0-9-]*)"(?:, (\d+))?\) \}\}\s*\Z')
_pending: dict = {}  # src_uri -> how to render the page, from on_page_markdown until it is written
_written: set[str] = set()  # src_uri of the pages rendered here, until their HTML is dropped


_GC_THRESHOLDS = (5000, 10, 10)  # young objects before a collection (Python's default: 700, 10, 10)
_gc_saved: list[tuple[int, int, int]] = []


@event_priority(-100)  # after pages.py has loaded the catalog
def on_config(config):
    # A build makes millions of short-lived objects (template output) while the catalog and the
    # config live as long as the build. Frozen, the collector no longer walks them; collecting
    # young objects less often leaves fewer survivors to trigger full collections (about 0.5 s
    # of a 1,000-case build). Both undone when the build ends.
    if not _gc_saved:
        _gc_saved.append(gc.get_threshold())
    gc.freeze()
    gc.set_threshold(*_GC_THRESHOLDS)
    return config


def _gc_restore() -> None:
    gc.unfreeze()
    if _gc_saved:
        gc.set_threshold(*_gc_saved.pop())


def on_post_build(config):
    _gc_restore()


def on_build_error(error):
    _gc_restore()


@event_priority(50)  # before mkdocs-macros (priority 0) renders the stub
def on_page_markdown(markdown: str, page, config, files):
    match = _STUB.match(markdown)
    if match is None or not page.meta.get("render_macros"):
        return markdown
    catalog = current_catalog(Path(config.config_file_path).parent)
    macro, kind, name, number = match[1], match[2], match[3], int(match[4] or 1)
    if macro == "case_page" and kind is None and name in catalog.cases:
        make = partial(render.case_html, catalog, name, page.url, config.site_url or "")
    elif macro == "quiz_page" and kind is None and 1 <= number <= render.quiz_pages(catalog).get(name, 0):
        make = partial(render.quiz_html, catalog, name, number, page.url)
    elif (macro == "reference_page" and match[4] is None and kind in BY_KEY and BY_KEY[kind].pages
          and name in catalog.tables[BY_KEY[kind].folder]):
        make = partial(render.reference_html, catalog, kind, name, page.url)
    else:
        return markdown  # the macro says what is wrong
    # MkDocs would now build a Python-Markdown instance with every extension to convert an empty
    # page (about 0.4 ms a page): this page's own render leaves it empty until it is written.
    page.render = partial(_defer, page)
    _pending[page.file.src_uri] = make
    page.meta["render_macros"] = False  # nothing left for mkdocs-macros; restored below
    return ""


def _defer(page, config, files) -> None:
    """What ``Page.render`` sets, for now: the page is rendered when it is written."""
    del page.render  # the class's own method again
    page.content, page.toc = "", get_toc([])


def on_page_content(content: str, page, config, files):
    if page.file.src_uri in _pending:
        page.meta["render_macros"] = True
    return content


@event_priority(100)  # first: the other hooks and the theme see the page's HTML
def on_page_context(context, page, config, nav):
    make = _pending.pop(page.file.src_uri, None)
    if make is not None:
        rendered: render.html.RenderedPage = make()
        page.content = rendered.content
        page.toc = get_toc(rendered.toc_tokens)
        page._title_from_render = rendered.title  # what MkDocs takes from the first <h1>
        page.present_anchor_ids = rendered.anchor_ids  # for links to this page's anchors (validated after writing)
        _written.add(page.file.src_uri)
    return context


@event_priority(-200)  # last: after every hook that reads the written page
def on_post_page(output: str, page, config) -> str:
    if page.file.src_uri in _written:
        _written.discard(page.file.src_uri)
        page.content, page.toc = None, get_toc([])  # written: nothing reads them again; the next build renders anew
    return output
