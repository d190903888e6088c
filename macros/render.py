"""Catalog -> Markdown or HTML, through the Jinja templates in ``templates/``.

Python decides what goes on a page; the templates decide how it looks.
Contributor text is data: every ``{{ value }}`` in a Markdown template is
escaped for Markdown unless the template marks it as already safe, so no
field can become a link, raw HTML, an attribute list or a Jinja expression.
Case, quiz-bank and reference pages (``*.html.j2``) are written as HTML instead, since Markdown would only parse again
what the templates laid out (see macros/html.py and macros/htmlpages.py): there every value is
HTML-escaped by Jinja's autoescape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape
from mkdocs.utils import get_relative_url

from .catalog import Catalog, per_catalog
from .kinds import BY_KEY, PAGE_KINDS
from . import casepage, figures, glossary, html, opendata, quiz, navigation
from .model import RESPONSE_LABELS, MRD, TOPICS, Case

TEMPLATES = Path(__file__).parent / "templates"

# Characters that start Markdown markup anywhere in a line, and python-markdown
# can backslash-escape. "+", "-", "/" and "." are left alone mid-line so that
# glossary terms such as CD19+, allo-HSCT and R/R still match.
_INLINE = re.compile(r"([\\`*_{}\[\]|!#])")
# Every paragraph becomes one line, so block syntax can only begin at its start. What the inline
# escapes leave open there: lists ("-", "+", "1." and "1)") are backslash-escaped; "???" (details),
# "~~~" (fence), "=" (setext underline) and ":" cannot be backslash-escaped, so their first
# character becomes a character reference. "!!!", "```", "#", "|", "*[", "[^", "{:" are inline-escaped
# everywhere; "<" and ">" (HTML, block quotes) become entities; leading spaces (indented code) go.
_LIST_START = re.compile(r"^([-+]|\d+(?=[.)]))")  # would start a list
_ENTITY_START = {"?": "&#63;", "~": "&#126;", "=": "&#61;", ":": "&#58;"}
# Line breaks that python-markdown or a browser would honour (CR, VT, FF, NEL, U+2028/9), and the
# other C0/C1 controls: folded like any whitespace. Lone surrogates and noncharacters: U+FFFD.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_UNWRITABLE = re.compile(r"[\ud800-\udfff\ufffe\uffff]")
_NEEDS_WORK = re.compile(  # anything md_escape would change
    r"[\\`*_{}\[\]|!#&<>\n\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]|^[\s?~=:]|\s$|\s\s")


def md_escape(text) -> Markup:
    """Plain text -> Markdown that renders as exactly that text, inline and block syntax inert."""
    if isinstance(text, Markup):
        return text
    if text is None:
        return Markup("")
    text = str(text)
    if not _NEEDS_WORK.search(text) and not _LIST_START.match(text):
        return Markup(text)  # the common case: one line with nothing to escape
    text = _UNWRITABLE.sub("\ufffd", _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n")))
    paragraphs = re.split(r"\n\s*\n", text.strip())
    out = []
    for para in paragraphs:
        para = " ".join(para.split())
        if not para:
            continue
        para = para.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        para = _INLINE.sub(r"\\\1", para)
        para = _LIST_START.sub(lambda m: "\\" + m[0] if m[0] in "+-" else m[0] + "\\", para, count=1)
        if para[0] in _ENTITY_START:
            para = _ENTITY_START[para[0]] + para[1:]
        out.append(para)
    return Markup("\n\n".join(out))


def md_inline(text) -> Markup:
    """Like md_escape, on one line (for table cells and list items)."""
    return Markup(md_escape(text).replace("\n\n", " "))


def _rows_of(mentions, context: str, detail: str) -> list[tuple[str, str, str]]:
    """One row per case: its mentions' context and detail, joined in order."""
    grouped: dict[str, tuple[list, list]] = {}
    for m in mentions:
        contexts, details = grouped.setdefault(m.case, ([], []))
        contexts.append(str(getattr(m, context) or "—"))
        details.append(str(getattr(m, detail) or "—"))
    return [(slug, "; ".join(c), "; ".join(d)) for slug, (c, d) in grouped.items()]


def safe_join(items, separator: str = "") -> Markup:
    """Jinja's join returns a plain string when autoescape is off; keep links intact."""
    return Markup(str(separator).join(str(x if isinstance(x, Markup) else md_inline(x)) for x in items))


def url(address: str) -> Markup:
    """An address for a Markdown link target: nothing in it can close the link."""
    return Markup(quote(address, safe=":/?#=&;,%-._~"))


def _finalize(value):
    # Every interpolation is escaped unless a template or helper marked it safe.
    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    return md_inline(value)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        finalize=_finalize,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["join"] = safe_join
    env.filters["rows_of"] = _rows_of
    env.filters["links"] = lambda ids, link, kind: [getattr(link, kind)(i) for i in ids]
    env.filters["md_inline"] = md_inline
    env.filters["month"] = _month
    env.filters["url"] = url
    env.globals["quiz_groups"] = quiz_groups  # quiz.md.j2: each objective's questions as shown
    return env


def _html_finalize(value):
    # Autoescape escapes what this returns; text is folded as md_escape folds it for Markdown.
    if type(value) is str:
        return html.inline(value)
    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    return html.inline(value)


def html_join(items, separator: str = "") -> Markup:
    """Join with every item escaped unless it is already HTML (a link)."""
    return Markup(escape(separator)).join(x if isinstance(x, Markup) else escape(html.inline(x)) for x in items)


@lru_cache(maxsize=1)
def page_environment() -> Environment:
    """For pages written as HTML (case pages): autoescaped, so no value can become markup."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        finalize=_html_finalize,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = html.paragraphs
    env.filters["paragraph_texts"] = html.paragraph_texts
    env.filters["join"] = html_join
    env.filters["rows_of"] = _rows_of
    env.filters["links"] = lambda ids, link, kind: [getattr(link, kind)(i) for i in ids]
    env.filters["month"] = _month
    env.filters["url"] = lambda address: quote(address, safe=":/?#=&;,%-._~")
    env.globals["quiz_groups"] = quiz_groups
    return env


@lru_cache(maxsize=1)
def html_environment() -> Environment:
    """For the few HTML fragments (quiz): ordinary HTML autoescaping."""
    return Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=True,
                       trim_blocks=True, lstrip_blocks=True)


def _month(value: float | None, approximate: bool = False) -> str:
    if value is None:
        return ""
    number = f"{value:g}"
    return f"{'~' if approximate else ''}month {number}"


class _Links:
    """Links to the entries of the catalog; a subclass says how a link is written and what a page's
    address ends in (a Markdown source path, or an HTML page's folder)."""

    END = ""

    def _link(self, text: str, path: str) -> Markup:
        raise NotImplementedError

    def case(self, slug: str) -> Markup:
        return self._link(self.cat.cases[slug].title, f"cases/{slug}{self.END}")

    def drug(self, drug_id: str) -> Markup:
        return self._link(self.cat.drugs[drug_id].name, f"drugs/{drug_id}{self.END}")

    def regimen(self, regimen_id: str) -> Markup:
        return self._link(self.cat.regimens[regimen_id].name, f"regimens/{regimen_id}{self.END}")

    def antigen(self, antigen_id: str) -> Markup:
        return self._link(self.cat.antigens[antigen_id].name, f"antigens/{antigen_id}{self.END}")

    def site(self, site_id: str) -> Markup:
        return self._link(self.cat.sites[site_id].name, f"sites/{site_id}{self.END}")

    def page(self, text: str, path: str) -> Markup:
        return self._link(text, path)


class Links(_Links):
    """Markdown links from one page to the others, relative to the page's folder."""

    END = ".md"

    def __init__(self, cat: Catalog, root: str):
        self.cat, self.root = cat, root

    def _link(self, text: str, path: str) -> Markup:
        return Markup(f"[{md_inline(text)}]({self.root}{path})")


class HtmlLinks(_Links):
    """HTML links from one page to the others, relative to the page's address (as MkDocs writes them).
    ``page(text, url)`` takes the address of a page or file from the site's root ("data/", "cases/x.bib")."""

    END = "/"

    def __init__(self, cat: Catalog, page_url: str):
        self.cat, self.page_url = cat, page_url

    def _link(self, text: str, url: str) -> Markup:
        # An f-string rather than Markup.format (whose escaping formatter is slow): both escaped.
        return Markup(f'<a href="{escape(get_relative_url(url, self.page_url))}">{escape(html.inline(text))}</a>')


def response_label(case: Case, number: int) -> str:
    return casepage.response(case, number)


def best_response(case: Case) -> str:
    best = case.best_response()
    if best is None:
        return "not reported"
    number, _ = best
    return f"{response_label(case, number)} after line {number}"


def annotations_at(case: Case) -> dict[str, list]:
    out: dict[str, list] = {}
    for note in case.annotations:
        out.setdefault(note.at, []).append(note)
    return out


def render(template: str, cat: Catalog, root: str, **context) -> str:
    env = environment()
    return env.get_template(template).render(
        cat=cat, link=Links(cat, root), root=root, labels=RESPONSE_LABELS,
        response_label=response_label, best_response=best_response, **context,
    )


PH_KEYWORDS = {
    "positive": ["Ph+", "Ph-positive", "Philadelphia-positive", "Philadelphia chromosome", "BCR-ABL1", "BCR::ABL1", "t(9;22)"],
    "negative": ["Ph-", "Ph-negative", "Philadelphia-negative"],
    "not-reported": [],
}


PH_FILTER = {"positive": "Ph-positive", "negative": "Ph-negative", "not-reported": "not reported"}


def search_keywords(cat: Catalog, slug: str) -> list[str]:
    """Every other name a reader might search this case by: drug abbreviations and brands,
    regimen, antigen and site aliases, Philadelphia status, and what genetic abbreviations stand for."""
    case = cat.cases[slug]
    words: list[str] = []
    for d in cat.facts[slug].all_drugs:
        words += [cat.drugs[d].name, *cat.drugs[d].abbreviations, *cat.drugs[d].brand_names]
    for r in cat.case_regimens(slug):
        words += [cat.regimens[r].name, *cat.regimens[r].aliases]
    for a in cat.case_antigens(slug):
        words += [cat.antigens[a].name, *cat.antigens[a].aliases]
    for s in cat.case_sites(slug):
        words += [cat.sites[s].name, *cat.sites[s].aliases]
    words += PH_KEYWORDS[case.diagnosis.philadelphia.value]
    genetics = " ".join([case.diagnosis.karyotype or "", case.diagnosis.bcr_abl1 or "", *case.diagnosis.genetics])
    for abbr, term in cat.glossary.items():
        if abbr in genetics and re.search(rf"(?<!\w){re.escape(abbr)}(?!\w)", genetics):
            words += [abbr, term.expansion]
    return list(dict.fromkeys(words))


def direct_drugs(case: Case) -> list[str]:
    """Drugs a case names itself (not through a regimen), in order."""
    return list(dict.fromkeys(use.drug for line in case.treatment for use in line.drugs))


def html_fragment(template: str, **context) -> Markup:
    """An HTML figure for a Markdown page: one raw block, no blank lines inside."""
    text = html_environment().get_template(template).render(**context)
    return Markup("\n".join(line for line in text.splitlines() if line.strip()))


def body_map_figure(cat: Catalog, url_root: str, slug: str | None = None) -> Markup:
    """The body map for one case (its own sites) or for all cases (with counts; on the case
    index its markers filter the table)."""
    if slug:
        counts = {site: 1 for site in cat.case_sites(slug)}
        title, caption = "Extramedullary sites in this case", "Sites of extramedullary disease in this case; each number is listed beside the figure, with a link to the site's page."
    else:
        counts: dict[str, int] = {}  # cases with disease there: the same count as the site filter's
        for facts in cat.facts.values():
            for site in facts.sites:
                counts[site] = counts.get(site, 0) + 1
        title, caption = "Extramedullary sites across all cases", "Every extramedullary site in the library and its number of cases. Select a number, or \u201cshow\u201d in the list, to filter the table; the site's name opens its page."
    markers = figures.body_map(cat, counts)
    description = "; ".join(f"{m.number}. {m.name}" + (f": {m.count} case{'s' if m.count != 1 else ''}" if not slug else "")
                            for m in markers)
    return html_fragment("bodymap.html.j2", markers=markers, url_root=url_root, title=title, caption=caption,
                         description=description, fig_id=f"bodymap-{slug or 'all'}", counts=not slug, filter=not slug)


def swimmer_figure(cat: Catalog, url_root: str) -> Markup:
    lanes, longest, left_out = figures.swimmer(cat)
    step = 6 if longest <= 48 else 12 if longest <= 120 else 24
    ticks = list(range(0, int(longest) + step, step))
    return html_fragment("swimmer.html.j2", lanes=lanes, longest=ticks[-1] or 1, ticks=ticks, url_root=url_root,
                         unplaced=sum(lane.unplaced for lane in lanes), left_out=left_out)


def case_html(cat: Catalog, slug: str, page_url: str | None = None, site_url: str = "") -> html.RenderedPage:
    """A case page as HTML: what Python-Markdown made of case.md.j2, written directly
    (headings with ids and permalinks, the table of contents, the title, glossary tooltips)."""
    case, facts = cat.cases[slug], cat.facts[slug]
    page_url = page_url if page_url is not None else f"cases/{slug}/"
    url_root = "../" * page_url.count("/")  # raw figures link relative to the page's address
    raw = html.RawFragments()  # raw HTML blocks to Markdown: no tooltips, their ids not the toc's
    jsonld = opendata.jsonld(case, slug, f"{site_url.rstrip('/')}/cases/{slug}/" if site_url else f"cases/{slug}/")
    text = page_environment().get_template("case.html.j2").render(
        cat=cat, link=HtmlLinks(cat, page_url), slug=slug, case=case, facts=facts, notes=annotations_at(case),
        reader=navigation.case_reader(cat, slug),  # related and neighbouring cases, last change
        care=casepage.care_lines(facts), citation=casepage.citation(case.source),
        responses_by_line=casepage.responses_by_line(facts), story=casepage.story(case, facts),
        dose=casepage.dose, response=casepage.response, response_label=response_label, raw=raw,
        keywords=search_keywords(cat, slug), bodymap=raw(body_map_figure(cat, url_root, slug)),
        journey=raw(html_fragment("journey.html.j2", steps=figures.journey(cat, slug))),
        jsonld_script=Markup(f'<script type="application/ld+json">{jsonld}</script>'),
        search_filters=raw(html_fragment(
            "search_filters.html.j2", drugs=[cat.drugs[d].name for d in facts.received],
            antigens=[cat.antigens[a].name for a in facts.all_antigens],
            sites=[cat.sites[s].name for s in facts.sites],
            philadelphia=PH_FILTER[case.diagnosis.philadelphia.value])))
    return html.finish(text, glossary_terms(cat), raw)


@per_catalog  # every page's tooltips
def glossary_terms(cat: Catalog) -> dict[str, str]:
    return glossary.tooltip_terms(cat.glossary, cat.drugs)


def case_page(cat: Catalog, slug: str, root: str = "../", site_url: str = "", url_root: str = "../../") -> str:
    """The case page's HTML (the ``case_page`` macro; macros/htmlpages.py calls ``case_html`` itself)."""
    return Markup(case_html(cat, slug, None, site_url).content)


# Case rows per list on a reference page; the rest are in the case index, filtered on the entry.
# 50, not 100: a drug page has two lists, and at 200 rows its load work on a phone put Lighthouse's
# blocking time over 200 ms (233 ms, median of three runs at 5,000 cases).
CASE_LIST_LIMIT = 50


def reference_html(cat: Catalog, kind: str, entry_id: str, page_url: str | None = None) -> html.RenderedPage:
    """A drug, regimen, antigen or site page as HTML (as ``case_html``), from ``templates/<kind>.html.j2``."""
    folder = BY_KEY[kind].folder
    page_url = page_url if page_url is not None else f"{folder}/{entry_id}/"
    extra = {}
    if kind == "site":
        extra["site_rows"] = [_site_row(cat.cases[slug], slug, entry_id) for slug in cat.site_cases[entry_id]]
    text = page_environment().get_template(f"{kind}.html.j2").render(
        cat=cat, link=HtmlLinks(cat, page_url), id=entry_id, entry=cat.tables[folder][entry_id],
        limit=CASE_LIST_LIMIT, **extra)
    return html.finish(text, glossary_terms(cat), html.RawFragments())


def reference_page(cat: Catalog, kind: str, entry_id: str, root: str = "../") -> str:
    """The reference page's HTML (the ``reference_page`` macro; macros/htmlpages.py calls ``reference_html``)."""
    return Markup(reference_html(cat, kind, entry_id).content)


def _site_row(case: Case, slug: str, site_id: str) -> tuple:
    shown = [em for em in case.em_sites if em.site == site_id]
    if not shown:
        return slug, "discussed in a teaching note", ""
    return (slug, ", ".join(dict.fromkeys(m for em in shown for m in em.shown_by)),
            "; ".join(em.when for em in shown))




@dataclass(frozen=True)
class TopicObjective:
    """An objective on a quiz-bank page, with the case it belongs to."""

    case: str
    text: str
    attribution: str | None
    questions: list
    topic: str = ""


@per_catalog  # each quiz page reads it, and there are more quiz pages the more cases there are
def objectives_by_topic(cat: Catalog) -> dict[str, list[TopicObjective]]:
    """Every objective by topic, in case order. Read-only."""
    out: dict[str, list[TopicObjective]] = {topic: [] for topic in TOPICS}
    for slug, case in cat.cases.items():
        for o in case.objectives:
            out[o.topic].append(TopicObjective(slug, o.text, o.attribution, o.questions, o.topic))
    return out


@dataclass(frozen=True)
class QuizGroup:
    """One objective's questions on a quiz, as shown (options in displayed order), numbered on the page."""

    objective: object
    questions: list[tuple[int, quiz.ShownQuestion]]


def quiz_groups(cat: Catalog, objectives, slug: str | None = None) -> list[QuizGroup]:
    """``objectives`` of one case (``slug``) or of a topic page (each knows its case)."""
    groups, number = [], 0
    for objective in objectives:
        case_slug = getattr(objective, "case", None) or slug
        shown = []
        for q in objective.questions:
            number += 1
            shown.append((number, quiz.shown(case_slug, cat.cases[case_slug], q.id)))
        groups.append(QuizGroup(objective, shown))
    return groups


def mixed_quiz_page(cat: Catalog, root: str = "../") -> str:
    """The mixed quiz: a page the browser fills from the quiz data files (see quiz.data_files)."""
    return render("quiz_mixed.md.j2", cat, root, topics=TOPICS, mixed_action="./", mixed_button="Start a new mixed quiz")


def quiz_data_files(cat: Catalog) -> list[tuple[str, opendata.Text]]:
    return quiz.data_files(cat, TOPICS)


# Objectives per quiz page: a topic page stays small however many cases there are. 20, not 40: a
# page's load work on a phone grows with its questions (50-70 at 20; 100-134 at 40, when a busy
# machine put Lighthouse's blocking time at 1,000 cases over 200 ms on some runs).
QUIZ_PAGE_SIZE = 20


@per_catalog
def quiz_pages(cat: Catalog) -> dict[str, int]:
    """Topic -> number of quiz pages it needs (at least one)."""
    return {t: max(1, -(-len(objs) // QUIZ_PAGE_SIZE)) for t, objs in objectives_by_topic(cat).items()}


def quiz_page_path(topic: str, number: int) -> str:
    return f"quiz/{topic}.md" if number == 1 else f"quiz/{topic}-{number}.md"


def quiz_html(cat: Catalog, topic: str, number: int = 1, page_url: str | None = None) -> html.RenderedPage:
    """A quiz-bank page as HTML (as ``case_html``): one topic, up to QUIZ_PAGE_SIZE objectives."""
    objectives = objectives_by_topic(cat)[topic]
    pages = max(1, -(-len(objectives) // QUIZ_PAGE_SIZE))
    chunk = objectives[(number - 1) * QUIZ_PAGE_SIZE: number * QUIZ_PAGE_SIZE]
    page_url = page_url if page_url is not None else quiz_page_url(topic, number)
    text = page_environment().get_template("quiz_topic.html.j2").render(
        cat=cat, link=HtmlLinks(cat, page_url), topic=topic, title=TOPICS[topic], objectives=chunk,
        show_objectives=True, number=number, pages=pages, page_url=quiz_page_url, page_size=QUIZ_PAGE_SIZE)
    return html.finish(text, glossary_terms(cat), html.RawFragments())


def quiz_page_url(topic: str, number: int) -> str:
    return quiz_page_path(topic, number).removesuffix(".md") + "/"


def quiz_page(cat: Catalog, topic: str, root: str = "../", number: int = 1) -> str:
    """The quiz page's HTML (the ``quiz_page`` macro; macros/htmlpages.py calls ``quiz_html`` itself)."""
    return Markup(quiz_html(cat, topic, number).content)


FACETS = (  # key, label, where the names live; several values of one facet are OR-ed, facets AND-ed
    ("site", "EM site", "sites"), ("drug", "Drug received", "drugs"), ("regimen", "Regimen", "regimens"),
    ("antigen", "Antigen (positive)", "antigens"), ("ph", "Philadelphia status", None), ("response", "Best response", None),
)
PH_LABELS = {"positive": "Ph-positive", "negative": "Ph-negative", "not-reported": "not reported"}


def _course(cat: Catalog, slug: str) -> list[dict]:
    """What happened, in order: each line's response and each transplant where it was given
    (the facts' story), with the source's other reading where it contradicts itself."""
    case, facts = cat.cases[slug], cat.facts[slug]
    steps = []
    for kind, number in facts.story:
        if kind == "line":
            r = facts.responses[number - 1]
            steps.append({"label": f"L{number}", "value": r.category, "other": r.other.category.value if r.other else None,
                          "mrd": r.mrd})
        else:
            tx = case.transplants[number]
            steps.append({"label": "allo-HSCT" if tx.kind == "allogeneic" else "auto-HSCT", "value": "", "other": None, "mrd": ""})
    return steps


def _course_text(steps: list[dict]) -> str:
    """The Course cell as plain text, the same on the page and in the compact index."""
    return " \u2192 ".join(
        step["label"] + (f" {step['value']}" + (f" or {step['other']}\u2021" if step["other"] else "") if step["value"] else "")
        for step in steps)


def _case_row(cat: Catalog, slug: str) -> dict:
    case, facts = cat.cases[slug], cat.facts[slug]
    best = case.best_response()
    category = best[1].response.category if best else None
    ph = case.diagnosis.philadelphia.value
    course = _course(cat, slug)
    named = facts.drugs("named")
    return {
        "slug": slug, "title": case.title, "age": case.patient.age, "sex": case.patient.sex.value[0].upper(),
        "ph": ph, "ph_label": PH_LABELS.get(ph, ph), "sites": list(facts.sites), "regimens": list(facts.regimens),
        "drugs": named, "course": course, "course_text": _course_text(course), "outcome": case.outcome.status,
        "rank": category.rank if category else 99,
        # What the row links to, with names: (id, name) per site, (folder, id, name) per regimen then drug.
        "site_links": [(s, cat.sites[s].name) for s in facts.sites],
        "therapies": [("regimens", r, cat.regimens[r].name) for r in facts.regimens]
                     + [("drugs", d, cat.drugs[d].name) for d in named],
        "facets": {
            "drug": facts.received, "regimen": list(facts.regimens), "antigen": list(facts.antigens["positive"]),
            "site": list(facts.sites), "ph": [ph], "response": [category.value] if category else ["NE"],
        },
    }


def _facets(cat: Catalog, rows: list[dict]) -> list[dict]:
    """Each facet with its options: (value, label, number of cases), most frequent first."""
    out = []
    for key, label, table in FACETS:
        counts: dict[str, int] = {}
        for row in rows:
            for value in row["facets"][key]:
                counts[value] = counts.get(value, 0) + 1
        names = getattr(cat, table) if table else {}
        options = []
        for v, n in counts.items():
            if key == "response":
                name = f"{v}: {RESPONSE_LABELS.get(v, v)}"
            elif key == "ph":
                name = PH_LABELS.get(v, v)
            else:
                name = names[v].name if v in names else v
            options.append((v, name, n))
        out.append({"key": key, "label": label, "options": sorted(options, key=lambda o: (-o[2], o[1].lower()))})
    return out


# Rows per page of a reference index (drugs, regimens, antigens, sites): the first page is the
# hand-written one (docs/<folder>/index.md), the others are generated (index_page_path). A table's
# load work on a phone grows faster than its rows: at 5,000 synthetic cases the drugs index (286
# rows) took 2.3 s of a 4x-slowed main thread, 143 of its rows 1.1 s, and Lighthouse's blocking
# time on it stayed over 200 ms with every lighter table style tried.
INDEX_PAGE_SIZE = 100
PAGED_INDEXES = tuple(kind.folder for kind in PAGE_KINDS)  # the kinds with a page per entry


def index_pages(cat: Catalog, kind: str) -> int:
    """How many pages the index of a reference kind needs (at least one)."""
    return max(1, -(-len(cat.tables[kind]) // INDEX_PAGE_SIZE))


def index_page_path(kind: str, number: int) -> str:
    return f"{kind}/index.md" if number == 1 else f"{kind}/pages/{number}.md"


def index_page_url(kind: str, number: int) -> str:
    return f"{kind}/" if number == 1 else f"{kind}/pages/{number}/"


def index_page(cat: Catalog, kind: str, root: str = "../", number: int = 1) -> str:
    """The table of one kind of page: cases, drugs, regimens, antigens, sites, glossary; for a
    reference kind, page ``number`` of it (INDEX_PAGE_SIZE rows, sorted by name)."""
    extra = {}
    if kind in PAGED_INDEXES:
        entries = sorted(cat.tables[kind].items(), key=lambda item: item[1].name.lower())
        start = (number - 1) * INDEX_PAGE_SIZE
        extra.update(entries=entries[start:start + INDEX_PAGE_SIZE], number=number, pages=index_pages(cat, kind),
                     kind=kind, page_path=index_page_path, first=start + 1, total=len(entries))
    if kind == "quiz":
        extra["topics"] = TOPICS
        extra["by_topic"] = objectives_by_topic(cat)
        extra["pages"] = quiz_pages(cat)
        extra["page_path"] = quiz_page_path
        extra.update(mixed_action="mixed/", mixed_button="Start a mixed quiz")
    if kind == "cases":
        from . import indexdata  # the rows, shared with the compact index file written after the build

        rows = indexdata.rows(cat)
        # The page lists the first rows only; the script reads the others from the compact index.
        extra["rows"] = rows[:indexdata.PAGE_SIZE]
        extra["total"] = len(rows)
        extra["page_size"] = indexdata.PAGE_SIZE
        extra["index_url"] = f"rows.json?v={indexdata.version(cat)}"
        extra["facets"] = _facets(cat, rows)
    return render(f"{kind}_index.md.j2", cat, root, **extra)
