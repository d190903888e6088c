"""Case, quiz and reference pages written as HTML (macros/htmlpages.py, macros/html.py) show what
Markdown made of them.

The pieces are checked against Python-Markdown itself, on text of the test's own: contributor text
folded and escaped as ``md_escape`` + Markdown showed it, glossary tooltips as the treeprocessor
placed them, heading ids, permalinks and the table of contents as the toc extension wrote them.
The built site is checked page by page against the catalog: the table of contents is the page's
headings, the title its first heading, each drug use a link, one tab stop per glossary entry; on
drug, regimen, antigen and site pages the same, with the links each entry's data calls for.
"""

from __future__ import annotations

import copy
import re

import markdown
import pytest
from bs4 import BeautifulSoup
from markupsafe import escape

from conftest import DATA, catalog, copy_project, html, run_build
from macros import html as pagehtml
from macros import render
from macros.kinds import PAGE_KINDS
from macros.render import md_escape
from test_glossary import GLOSSARY
from test_opendata import PAYLOAD_IDS, PAYLOADS

EXTENSIONS = ["tables", "admonition", "attr_list", "md_in_html"]


def tooltip_titles() -> dict[str, int]:
    """Tooltip text -> how many tooltip terms have it (each has its own tab stop): the glossary's
    and the drugs' own abbreviations, as the pages get them (render.glossary_terms)."""
    keys: dict[str, int] = {}
    for expansion in render.glossary_terms(catalog()).values():
        keys[expansion] = keys.get(expansion, 0) + 1
    return keys


def soup(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "html.parser")


# --- Contributor text ---------------------------------------------------------------------------

@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_paragraphs_show_what_markdown_showed(payload):
    before = soup(markdown.markdown(md_escape(payload), extensions=EXTENSIONS))
    after = soup(pagehtml.paragraphs(payload))
    assert [p.get_text() for p in after.find_all("p")] == [p.get_text() for p in before.find_all("p")]
    assert {t.name for t in after.find_all(True)} <= {"p"}  # the text never becomes markup
    assert pagehtml.inline(payload) == " ".join(pagehtml.paragraph_texts(payload))


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_template_values_are_escaped_text(payload):
    env = render.page_environment()
    out = env.from_string('<p title="{{ v }}">{{ v }} {{ [v, v] | join(", ") }}</p>').render(v=payload)
    p = soup(out).find("p")
    assert p is not None and not p.find_all(True)
    shown = pagehtml.inline(payload)
    assert p.get_text() == f"{shown} {shown}, {shown}"
    assert p["title"] == shown


# --- Glossary -----------------------------------------------------------------------------------

def tooltips(text: str) -> list[tuple]:
    """(text, title, tabindex) of every <abbr>, and the whole text, in document order."""
    s = soup(text)
    return [(a.get_text(), a["title"], a.get("tabindex")) for a in s.find_all("abbr")] + [s.get_text(" ", strip=True)]


# (Markdown, the HTML our templates write for it)
SAMPLES = [
    ("CD19- and CD22-positive blasts; CD19-/CD22+ relapse; Ph- and Ph+ ALL.",
     "<p>CD19- and CD22-positive blasts; CD19-/CD22+ relapse; Ph- and Ph+ ALL.</p>"),
    ("MRD-negative CR after allo-HSCT.\n\nAllo-HSCT again; TKIs and MRD in G-CSF, T-ALL and anti-PD-1.",
     "<p>MRD-negative CR after allo-HSCT.</p>\n<p>Allo-HSCT again; TKIs and MRD in G-CSF, T-ALL and anti-PD-1.</p>"),
    ("Deauville IV uptake; grade III-IV toxicity; IV cytarabine & 200 cGy.",
     "<p>Deauville IV uptake; grade III-IV toxicity; IV cytarabine &amp; 200 cGy.</p>"),
    ("# CR with MRD\n\nText on CR and [MRD](x.md), `MRD` and *CR* again.",
     '<h1>CR with MRD</h1>\n<p>Text on CR and <a href="x.md">MRD</a>, <code>MRD</code> and <em>CR</em> again.</p>'),
    ("| Item | Value |\n| --- | --- |\n| MRD | CR after CAR-T |\n\n- PD on TKI\n- VOD/SOS and mini-hyper-CVD",
     "<table><thead><tr><th>Item</th><th>Value</th></tr></thead><tbody><tr><td>MRD</td><td>CR after CAR-T</td></tr>"
     "</tbody></table>\n<ul><li>PD on TKI</li><li>VOD/SOS and mini-hyper-CVD</li></ul>"),
    ('!!! tip "Teaching point: MRD"\n\n    MRD after CR.',
     '<div class="admonition tip"><p class="admonition-title">Teaching point: MRD</p><p>MRD after CR.</p></div>'),
]


@pytest.mark.parametrize("md_text, html_text", SAMPLES)
def test_tooltips_are_where_the_glossary_treeprocessor_put_them(md_text, html_text):
    before = markdown.markdown(md_text, extensions=EXTENSIONS + ["macros.glossary"],
                               extension_configs={"macros.glossary": {"terms": GLOSSARY}})
    assert tooltips(pagehtml.gloss(html_text, GLOSSARY)) == tooltips(before)


def test_raw_fragments_get_no_tooltips_and_come_back_unchanged():
    raw = pagehtml.RawFragments()
    figure = '<figure><figcaption>MRD & CR</figcaption></figure>'
    text = f"<p>MRD</p>\n{raw(figure)}\n<p>CR</p>"
    out = raw.restore(pagehtml.gloss(text, GLOSSARY))
    assert figure in out
    assert [a.get_text() for a in soup(out).find_all("abbr")] == ["MRD", "CR"]


# --- Headings -----------------------------------------------------------------------------------

HEADINGS = [
    ("# Ph+ B-ALL & CNS: \u201cn\u00e9e\u201d\n\n## At a glance\n\n## Quiz { #quiz }\n\n### Line 1: x { #line-1 }\n\n## At a glance\n\n## Quiz",
     '<h1>Ph+ B-ALL &amp; CNS: \u201cn\u00e9e\u201d</h1><h2>At a glance</h2><h2 id="quiz">Quiz</h2>'
     '<h3 id="line-1">Line 1: x</h3><h2>At a glance</h2><h2>Quiz</h2>'),
    ("# Quiz\n\n## Quiz { #quiz }", '<h1>Quiz</h1><h2 id="quiz">Quiz</h2>'),
    ("# A <b> title\n\n## Timeline", "<h1>A &lt;b&gt; title</h1><h2>Timeline</h2>"),
]


def _tokens(tokens):
    return [(t["level"], t["id"], t["name"], _tokens(t["children"])) for t in tokens]


@pytest.mark.parametrize("md_text, html_text", HEADINGS)
def test_heading_ids_permalinks_and_toc_as_the_toc_extension_wrote_them(md_text, html_text):
    md = markdown.Markdown(extensions=EXTENSIONS + ["toc"], extension_configs={"toc": {"permalink": True}})
    before = md.convert(md_text.replace("A <b> title", "A &lt;b&gt; title"))
    after = pagehtml.headings(html_text)
    shape = lambda text: [(h.name, h.get("id"), str(h)) for h in soup(text).find_all(re.compile("^h[1-6]$"))]
    assert shape(after.html) == shape(before)
    assert _tokens(after.toc_tokens) == _tokens(md.toc_tokens)
    assert after.title == md.toc_tokens[0]["name"]


# --- The built site -----------------------------------------------------------------------------

def test_case_pages_have_their_toc_title_permalinks_and_links(site):
    cat = catalog()
    for slug, case in cat.cases.items():
        page = html(site, f"cases/{slug}")
        article = page.find("article")
        heads = article.find_all(re.compile("^h[1-6]$"))
        ids = [h["id"] for h in heads]
        assert len(ids) == len(set(ids)), slug
        for h in heads:  # the toc extension's permalink, last in the heading
            assert h.find_all("a")[-1].attrs == {"class": ["headerlink"], "href": f"#{h['id']}", "title": "Permanent link"}
        assert heads[0].name == "h1"
        title = heads[0].get_text().removesuffix("¶")
        assert page.find("title").get_text().startswith(title), slug
        toc = page.select("nav.md-nav--secondary a.md-nav__link")
        assert [a["href"] for a in toc] == [f"#{h['id']}" for h in heads if h.name in ("h2", "h3")], slug
        for n, line in enumerate(case.treatment, start=1):  # every drug use links its drug page
            items = article.find("h3", id=f"line-{n}").find_next_sibling("ul")
            hrefs = {a["href"] for a in items.find_all("a")} if items and line.drugs else set()
            assert {f"../../drugs/{use.drug}/" for use in line.drugs} <= hrefs, (slug, n)


def test_case_pages_have_one_tab_stop_per_glossary_entry_and_none_inside_links(site):
    keys = tooltip_titles()
    for slug in catalog().cases:
        article = html(site, f"cases/{slug}").find("article")
        stops: dict[str, int] = {}
        for abbr in article.find_all("abbr"):
            if abbr["title"] not in stops:
                assert abbr.get("tabindex") == "0", (slug, abbr)
            stops[abbr["title"]] = stops.get(abbr["title"], 0) + (abbr.get("tabindex") == "0")
            assert abbr.find_parent(["a", "code", "pre", "figure"]) is None, (slug, abbr)
        assert all(n <= keys[title] for title, n in stops.items()), slug


@pytest.mark.parametrize("payload", [
    '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "{{ 7 * 7 }} {% if 1 %}x{% endif %}",
    "**bold** [link](http://x) <b>b</b> &amp; &lt;", "line one\n\nline two\x00\u2028end",
], ids=["script", "attribute", "jinja", "markup", "controls"])
def test_contributor_text_is_escaped_everywhere_on_a_case_page(payload):
    cat = copy.copy(catalog())
    slug, case = next(iter(cat.cases.items()))
    changed = case.model_copy(update={"title": payload, "summary": payload, "discussion": payload,
                                      "lessons": [payload], "outcome": case.outcome.model_copy(update={"text": payload})})
    cat.cases = {**cat.cases, slug: changed}
    page = render.case_html(cat, slug)
    s = soup(page.content)
    scripts = s.find_all("script")
    assert all(sc.get("type") == "application/ld+json" for sc in scripts)
    assert not s.find_all(["img", "b"])
    assert not any(k.startswith("on") for t in s.find_all(True) for k in t.attrs)
    shown = " ".join(pagehtml.paragraph_texts(payload))
    assert s.find("h1").get_text().removesuffix("¶") == shown
    assert page.title == pagehtml.escape_cdata(shown)
    assert shown in s.get_text()


# --- Reference pages (drug, regimen, antigen, site) ----------------------------------------------

def reference_pages():
    return [(kind.folder, entry) for kind in PAGE_KINDS for entry in catalog().tables[kind.folder]]


def check_headings(page, where):
    """Unique ids, the toc extension's permalink last in each heading, the toc from h2/h3, the title from h1."""
    article = page.find("article")
    heads = article.find_all(re.compile("^h[1-6]$"))
    ids = [h["id"] for h in heads]
    assert len(ids) == len(set(ids)), where
    for h in heads:
        assert h.find_all("a")[-1].attrs == {"class": ["headerlink"], "href": f"#{h['id']}", "title": "Permanent link"}, where
    assert heads[0].name == "h1", where
    assert page.find("title").get_text().startswith(heads[0].get_text().removesuffix("¶")), where
    toc = page.select("nav.md-nav--secondary a.md-nav__link")
    assert [a["href"] for a in toc] == [f"#{h['id']}" for h in heads if h.name in ("h2", "h3")], where
    return article


def check_tab_stops(article, where):
    keys = tooltip_titles()
    stops: dict[str, int] = {}
    for abbr in article.find_all("abbr"):
        if abbr["title"] not in stops:
            assert abbr.get("tabindex") == "0", (where, abbr)
        stops[abbr["title"]] = stops.get(abbr["title"], 0) + (abbr.get("tabindex") == "0")
        assert abbr.find_parent(["a", "code", "pre"]) is None, (where, abbr)
    assert all(n <= keys[title] for title, n in stops.items()), where


def test_reference_pages_have_their_toc_title_permalinks_tooltips_and_links(site):
    cat = catalog()
    for folder, entry_id in reference_pages():
        where = f"{folder}/{entry_id}"
        page = html(site, where)
        article = check_headings(page, where)
        check_tab_stops(article, where)
        entry = cat.tables[folder][entry_id]
        assert article.find("h1").get_text().removesuffix("¶") == " ".join(pagehtml.paragraph_texts(entry.name)), where
        hrefs = {a["href"] for a in article.find_all("a")}
        if folder == "drugs":
            assert {f"../../antigens/{a}/" for a in entry.targets} <= hrefs, where
            assert {f"../../regimens/{r}/" for r in cat.regimens_by_drug.get(entry_id, [])} <= hrefs, where
        elif folder == "regimens":
            assert {f"../../drugs/{c.drug}/" for c in entry.components} <= hrefs, where
        elif folder == "antigens":
            assert {f"../../drugs/{d}/" for d in cat.drugs_by_target.get(entry_id, [])} <= hrefs, where
        listed = {h for h in hrefs if re.fullmatch(r"\.\./\.\./cases/[a-z0-9-]+/", h)}
        for table in article.find_all("table"):  # every case row links its case
            header = [th.get_text() for th in table.find_all("th")]
            if header and header[0] == "Case":
                for row in table.find("tbody").find_all("tr"):
                    link = row.find("td").find("a")
                    assert link is not None and link["href"] in listed, (where, row)
                    slug = link["href"].split("/")[-2]
                    assert link.get_text() == " ".join(pagehtml.paragraph_texts(cat.cases[slug].title)), where
                assert len(table.find("tbody").find_all("tr")) <= render.CASE_LIST_LIMIT, where
        for p in article.find_all("p"):  # a long list hands over to the case index, filtered on the entry
            if p.get_text().startswith("Showing "):  # (the index has no filter for "only through a regimen")
                kind = {"drugs": "drug", "regimens": "regimen", "antigens": "antigen", "sites": "site"}[folder]
                through_regimen = p.find_previous(["h2", "h3"]).name == "h3"
                assert [a["href"] for a in p.find_all("a")] == ([] if through_regimen else [f"../../cases/?{kind}={entry_id}"]), where


REFERENCE_PAYLOADS = [
    '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "{{ 7 * 7 }} {% if 1 %}x{% endif %}",
    "**bold** [link](http://x) <b>b</b> &amp; &lt;", "line one\n\nline two\x00\u2028end",
]
TEXT_FIELDS = {  # the fields of each kind that carry contributor text, as one string or a list
    "drugs": {"name": str, "abbreviations": list, "brand_names": list, "drug_class": str, "target": str, "mechanism": str,
              "status_in_all": str, "boxed_warnings": list, "warnings": list, "interactions": list,
              "administration": list, "toxicities": list, "sources": list},
    "regimens": {"name": str, "aliases": list, "description": str, "sources": list},
    "antigens": {"name": str, "aliases": list, "description": str, "expressed_on": str, "sources": list},
    "sites": {"name": str, "aliases": list, "description": str, "sources": list},
}


def _busiest(cat, folder):
    """The entry of a kind whose page shows the most: the most cases, then the most fields filled."""
    counts = {"drugs": cat.drug_cases, "regimens": cat.regimen_cases, "antigens": cat.antigen_cases, "sites": cat.site_cases}
    return max(cat.tables[folder], key=lambda e: len(counts[folder].get(e, ())))


@pytest.mark.parametrize("payload", REFERENCE_PAYLOADS, ids=["script", "attribute", "jinja", "markup", "controls"])
@pytest.mark.parametrize("folder", list(TEXT_FIELDS))
def test_contributor_text_is_escaped_everywhere_on_a_reference_page(folder, payload):
    cat = copy.copy(catalog())
    entry_id = _busiest(cat, folder)
    entry = cat.tables[folder][entry_id]
    update = {name: (payload if kind is str else [payload, payload]) for name, kind in TEXT_FIELDS[folder].items()}
    if folder == "regimens":
        update["components"] = [c.model_copy(update={"route": payload, "phase": payload}) for c in entry.components]
    cases = dict(cat.cases)  # the case titles in its case list too
    for slug in list(cases)[:3]:
        cases[slug] = cases[slug].model_copy(update={"title": payload})
    cat.cases = cases
    cat.tables = {**cat.tables, folder: {**cat.tables[folder], entry_id: entry.model_copy(update=update)}}
    kind = next(k.key for k in PAGE_KINDS if k.folder == folder)
    page = render.reference_html(cat, kind, entry_id)
    s = soup(page.content)
    assert not s.find_all(["script", "img", "b"])
    assert not any(k.startswith("on") for t in s.find_all(True) for k in t.attrs)
    assert all(a["href"].startswith(("../../", "#")) for a in s.find_all("a")), "a link only where the page makes one"
    shown = " ".join(pagehtml.paragraph_texts(payload))
    assert s.find("h1").get_text().removesuffix("¶") == shown
    assert page.title == pagehtml.escape_cdata(shown)
    assert shown in s.get_text()  # Jinja syntax shown as it was written, not run


def test_reference_page_ids_are_unique_and_listed_in_the_toc():
    """Heading ids derive from the text (the toc extension's slugify); a repeated heading text gets a
    numbered id; the toc tokens follow the headings."""
    cat = catalog()
    for folder, entry_id in reference_pages():
        kind = next(k.key for k in PAGE_KINDS if k.folder == folder)
        page = render.reference_html(cat, kind, entry_id)
        heads = soup(page.content).find_all(re.compile("^h[1-6]$"))
        assert [h["id"] for h in heads] and len({h["id"] for h in heads}) == len(heads)
        assert {h["id"] for h in heads} <= page.anchor_ids
        flat = []

        def walk(tokens):
            for t in tokens:
                flat.append(t["id"])
                walk(t["children"])
        walk(page.toc_tokens)
        assert flat == [h["id"] for h in heads]


def test_nav_and_tabs_drawn_once_per_folder_are_what_material_draws_on_each_page(tmp_path):
    """macros/chrome.py reuses the sidebar and tabs of the first page in each folder outside the nav:
    a build that draws them on every page (chrome_once always calling its body) writes the same site."""
    sites = []
    for name, every_time in (("once", False), ("every", True)):
        project = copy_project(tmp_path / name, data=DATA)
        if every_time:
            chrome = project / "macros" / "chrome.py"
            chrome.write_text(chrome.read_text() + "\n\ndef chrome_once(name, page, nav, caller):  # drawn every time\n"
                              "    return caller()\n", encoding="utf-8")
        sites.append(tmp_path / f"{name}-site")
        result = run_build(project, sites[-1])
        assert result.returncode == 0, result.stderr
    once, every = sites
    pages = sorted(p.relative_to(once) for p in once.rglob("*.html") if "pagefind" not in p.parts)
    assert pages == sorted(p.relative_to(every) for p in every.rglob("*.html") if "pagefind" not in p.parts)
    assert any(html(once, p.parent.as_posix()).select(".md-tabs__item--active") for p in pages if p.parts[0] == "drugs")
    assert [p for p in pages if (once / p).read_bytes() != (every / p).read_bytes()] == []
