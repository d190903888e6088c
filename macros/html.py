"""HTML for pages our templates lay out completely (case pages): text, glossary tooltips, headings.

Python-Markdown used to parse these pages again after the templates had written them (about 30 ms
a page, most of a build). Here the templates write the HTML that Markdown wrote, and this module
does what its extensions did on top, on the HTML string:

- ``paragraphs`` / ``inline``: contributor text as ``md_escape`` made Markdown show it (line
  breaks, controls and runs of whitespace folded, blank lines between paragraphs kept). Escaping
  is Jinja's autoescape (markupsafe): contributor text is never marked safe.
- ``gloss``: the glossary tooltips of ``glossary.py``'s treeprocessor: the same compiled pattern and
  matching rules, the first use of an entry focusable, nothing inside code, pre, a, abbr, script,
  style or kbd. Raw fragments (figures, hidden search filters, JSON-LD) were raw HTML blocks to
  Markdown, which the treeprocessor never saw: ``RawFragments`` keeps them out of the pass.
- ``headings``: the toc extension's ids (``slugify``, ``unique`` against the ids on the page), its
  ``¶`` permalinks, and the tokens ``mkdocs.structure.toc.get_toc`` takes; the page title is the
  first ``<h1>``'s text, as MkDocs extracts it.
"""

from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass, field

from markdown.extensions.toc import nest_toc_tokens, slugify, unique
from markupsafe import Markup, escape

from . import glossary

# --- Text ---------------------------------------------------------------------------------------

# What md_escape folds: line breaks a browser or Markdown would honour, C0/C1 controls (one space),
# lone surrogates and noncharacters (U+FFFD); text without them or odd whitespace is left as it is.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_UNWRITABLE = re.compile(r"[\ud800-\udfff\ufffe\uffff]")
_ODD = re.compile(r"[\n\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]|^\s|\s$|\s\s")


def paragraph_texts(text) -> list[str]:
    """Plain text -> its paragraphs as a reader sees them (the same folding as ``md_escape``)."""
    if text is None:
        return []
    text = str(text)
    if not _ODD.search(text):
        return [text] if text else []
    text = _UNWRITABLE.sub("\ufffd", _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n")))
    return [p for p in (" ".join(para.split()) for para in re.split(r"\n\s*\n", text.strip())) if p]


def inline(text) -> str:
    """One line of plain text (paragraphs joined by a space), still to be escaped: ``md_inline``."""
    if type(text) is str and not _ODD.search(text):
        return text  # the common case: one line with nothing to fold
    if isinstance(text, Markup):
        return text
    return " ".join(paragraph_texts(text))


def paragraphs(text) -> Markup:
    """Plain text -> escaped ``<p>`` paragraphs (``{{ x | md }}`` on a line of its own)."""
    if isinstance(text, Markup):
        return text
    return Markup("\n".join(f"<p>{escape(p)}</p>" for p in paragraph_texts(text)))


def escape_cdata(text: str) -> str:
    """Text as Python-Markdown's serializer writes it (quotes left alone)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attribute(text: str) -> str:
    return escape_cdata(text).replace('"', "&quot;")


# --- Raw fragments --------------------------------------------------------------------------------

@dataclass
class RawFragments:
    """HTML that goes into the page untouched by the glossary and heading passes."""

    items: list[str] = field(default_factory=list)

    def __call__(self, fragment) -> Markup:
        self.items.append(str(fragment))
        return Markup(f"\x02{len(self.items) - 1}\x03")

    def restore(self, text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: self.items[int(m[1])], text) if self.items else text


_PLACEHOLDER = re.compile(r"\x02(\d+)\x03")

# --- Glossary -------------------------------------------------------------------------------------

_SPLIT = re.compile(r"(<[^>]*>)")
_SKIP_TAG = re.compile(rf"</?(?:{'|'.join(sorted(glossary.SKIP))})(?![A-Za-z0-9])", re.I)  # opens or closes an element not glossed


def gloss(text: str, terms: dict[str, str]) -> str:
    """``text`` (HTML) with glossary terms wrapped in ``<abbr title>``, as glossary.py does."""
    if not terms:
        return text
    pattern, keys = glossary.compiled(terms)
    seen: set[str] = set()
    parts = _SPLIT.split(text)  # text, tag, text, tag, ..., text
    search = pattern.search
    # Most text holds no term: one search says so (text with "&" is matched unescaped). Only the
    # texts with one, and the tags that open or close a skipped element, are looked at again.
    found = [i for i in range(0, len(parts), 2) if "&" in parts[i] or search(parts[i]) is not None]
    if not found:
        return text
    skips = [i for i in range(1, len(parts), 2) if _SKIP_TAG.match(parts[i])]
    depth, k = 0, 0
    for i in found:
        while k < len(skips) and skips[k] < i:
            tag = parts[skips[k]]
            if not tag.endswith("/>"):
                depth = max(0, depth - 1) if tag[1] == "/" else depth + 1
            k += 1
        if not depth:
            parts[i] = _wrap(parts[i], pattern, keys, terms, seen)
    return "".join(parts)


def _wrap(part: str, pattern, keys, terms, seen) -> str:
    plain = _html.unescape(part) if "&" in part else part
    out, last = [], 0
    for match in glossary.find_terms(pattern, plain):
        written = match.group(0)
        key = keys[written]
        out.append(escape_cdata(plain[last:match.start()]))
        title = escape_attribute(terms[key])
        if key not in seen:  # one tab stop per entry, whichever form comes first
            seen.add(key)
            out.append(f'<abbr tabindex="0" title="{title}">{escape_cdata(written)}</abbr>')
        else:
            out.append(f'<abbr title="{title}">{escape_cdata(written)}</abbr>')
        last = match.end()
    if not out:
        return part
    out.append(escape_cdata(plain[last:]))
    return "".join(out)


# --- Headings -------------------------------------------------------------------------------------

_HEADING = re.compile(r'<h([1-6])(?: id="([^"]*)")?>(.*?)</h\1>', re.S)
_ID = re.compile(r'id="(?<=\sid=")([^"]*)"')  # an id attribute; led by its literal text, which the engine finds fast
_TAGS = re.compile(r"<[^>]+>")


@dataclass
class Headings:
    html: str
    toc_tokens: list
    title: str | None
    ids: set[str]


def headings(text: str) -> Headings:
    """Ids, permalinks and the table of contents, as the toc extension (``permalink: true``) writes them."""
    used = set(_ID.findall(text))
    counters: dict[str, int] = {}
    tokens, title = [], None

    def heading(m: re.Match) -> str:
        nonlocal title
        level, given, inner = int(m[1]), m[2], m[3]
        name = escape_cdata(_html.unescape(" ".join(_TAGS.sub("", inner).split())))
        ident = _html.unescape(given) if given is not None else unique(slugify(_html.unescape(name), "-"), used, counters)
        used.add(ident)
        if title is None and level == 1 and m.start() == 0:
            title = name
        tokens.append({"level": level, "id": ident, "name": name, "html": inner, "data-toc-label": "", "children": []})
        attr = escape_attribute(ident)
        return (f'<h{level} id="{attr}">{inner}<a class="headerlink" href="#{attr}" '
                f'title="Permanent link">&para;</a></h{level}>')

    out = _HEADING.sub(heading, text)
    return Headings(out, nest_toc_tokens(tokens), title, used)


def all_ids(text: str) -> set[str]:
    return {_html.unescape(i) for i in _ID.findall(text)}


@dataclass
class RenderedPage:
    content: str
    toc_tokens: list
    title: str | None
    anchor_ids: set[str]


def finish(text: str, terms: dict[str, str], raw: RawFragments) -> RenderedPage:
    """Template output -> the page: tooltips, then headings (their ids see the tooltips' text, as
    the toc extension ran after the glossary), then the raw fragments back in place."""
    h = headings(gloss(text, terms))
    content = raw.restore(h.html)
    return RenderedPage(content, h.toc_tokens, h.title, all_ids(content))
