"""Markdown extension: glossary abbreviations become ``<abbr title=...>`` tooltips.

The stock ``abbr`` extension wraps its pattern in ``\\b``, so terms that start or
end with punctuation (``CD19+``, ``Ph-``) never match, and the usual recipe of
appending ``*[X]: ...`` lines to every page is quadratic. Here the glossary is
one compiled trie pattern shared by all pages (cost grows with the text of a page,
not with the glossary). The first use of each glossary entry on a page is focusable
so keyboard users get the tooltip too, without a tab stop on every repeat. Code,
preformatted text, links and existing ``<abbr>`` are left alone.

Where a term matches (a tooltip must never contradict its sentence)
-------------------------------------------------------------------
- **Whole tokens only.** No letter or digit may touch the term, and the term may
  not be one part of a longer identifier: it may not be followed by ``-`` or ``::``
  and an upper-case letter or digit, nor preceded by an upper-case letter or digit
  and ``-``, nor by ``::``. So ``PD`` does not match in "anti-PD-1" or "PD-L1",
  ``BCR``/``ABL1`` not in "BCR::ABL1", ``CSF`` not in "G-CSF", ``ALL`` not in
  "T-ALL". A lower-case word joined by a hyphen keeps the term:
  "MRD-negative", "TKI-based", "post-HSCT" all show the term's tooltip.
- **Signs.** A term ending in ``+`` may be followed directly by the next marker
  ("CD19+CD10+"). A term ending in ``-`` is a minus sign unless it is a
  *suspended hyphen*: followed by a list (``and``/``or``/``nor``/``to``/``,``/``/``/``&``)
  whose last item is a hyphenated word ("CD19- and CD22-positive",
  "CD19-, CD20- or CD22-directed"). There "CD19-" is half of "CD19-positive", so
  it gets no tooltip (a shorter term such as ``CD19``, if the glossary has one,
  still does). A following sign shows the hyphen is a minus: "CD19-/CD22+" and
  "Ph- and Ph+ ALL" keep "not expressing CD19" and "Philadelphia
  chromosome-negative".
- **Forms.** Matching is case-sensitive. Two derived forms also match, each
  showing the entry's own expansion (an entry written out wins over a derived form):
  a *capitalised* form, only for a key that starts with a lower-case word (two
  lower-case letters: ``mini-hyper-CVD`` -> "Mini-hyper-CVD", ``allo-HSCT`` ->
  "Allo-HSCT"; not ``cGy`` or ``p190``, whose case is meaning), and a *plural* with
  a trailing lower-case ``s``, only for a key that ends in an upper-case letter and
  has at least two (``TKI`` -> "TKIs", ``CAR-T`` -> "CAR-Ts"; not ``Ph`` or ``CD19+``).
- **Roman numerals.** A term that is a Roman numeral (``IV`` intravenous) does not
  match after a word that numbers things (Deauville, grade, stage, phase, protocol,
  class, type, ...), nor later in a range or list after one ("grade III-IV",
  "stages II, III and IV").

What a glossary key must be (``key_problem``)
---------------------------------------------
A key is an abbreviation as written in text, so it can never match an ordinary
word: 2 to 20 characters; letters (Latin or Greek), digits and ``- + / : . ( ) ; '``
only, no spaces; starts with a letter or digit; contains an upper-case letter or a
digit (a lower-case key would match prose); not a capitalised word (``The``,
``Dex``: indistinguishable from a word at the start of a sentence; two-letter
symbols such as ``Ph`` and ``Hb`` are accepted unless they are English words such
as ``In``); not a number, ordinal or quantity (``2018``, ``1st``, ``10mg``); not a
Roman numeral made of I, V and X other than ``IV`` (those number grades and stages).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from functools import lru_cache

from markdown import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER_RE, AtomicString

SKIP = {"code", "pre", "abbr", "a", "script", "style", "kbd", "cite"}  # not glossed; cite: authors' initials ("Howard SC") are not abbreviations
_BLOCKS = {"p", "li", "td", "th", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "div", "summary"}
# Raw inline HTML reaches the tree as placeholders: "<abbr>MRD</abbr>" is stash, text, stash.
_RAW_TAG = re.compile(r"<(/?)(code|pre|abbr|a|script|style|kbd)(?=[\s>/])", re.I)

# --- Matching ----------------------------------------------------------------------------------

# Before a term: no word character, and not the tail of an identifier ("G-CSF", "BCR::ABL1").
_BEFORE = r"(?<!\w)(?<![A-Z0-9][-\u2011])(?<!::)"
# A list joiner, then (optionally) more suspended items, then an item ending in a hyphenated word.
_JOIN = r"\s*(?:,\s*(?:(?:and|or|nor)\s+)?|/\s*|&\s*|(?:and|or|nor|to)\s+|[\u2013\u2014]\s*)"
_SUSPENDED = rf"(?:{_JOIN}[^\s,/]*[A-Za-z0-9]-)*{_JOIN}[^\s,/]*[A-Za-z0-9]-[a-z]{{2,}}"
_AFTER = (
    r"(?:(?<=\+)(?!\+)"  # a plus sign ends the term even before the next marker (CD19+CD10+)
    rf"|(?<=-)(?!\w)(?!{_SUSPENDED})"  # a minus sign, unless it is a suspended hyphen
    r"|(?<![-+])(?!\w)(?![-\u2011][A-Z0-9])(?!::))"  # otherwise a whole token, not part of an identifier
)

ROMAN = re.compile(r"(?=[MDCLXVI])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_COUNTERS = (
    "grade", "stage", "phase", "protocol", "class", "type", "deauville", "score", "cycle", "course",
    "block", "part", "arm", "level", "cohort", "tier", "category", "categories", "group", "chapter",
    "figure", "fig.", "table", "appendix", "section", "step", "factor", "complex", "lugano", "topoisomerase",
)
_COUNTED = re.compile(
    r"(?i)(?<![\w.])(?:" + "|".join(re.escape(w) + ("" if w.endswith((".", "ies")) else "(?:e?s)?") for w in _COUNTERS)
    + r")\s*$"
)
# A numeral and a joiner before the term, as in "III-" or "II, III and " of a range or list.
_EARLIER = re.compile(r"(?:\b(?:[IVXLCDM]+|\d+)\s*(?:[-\u2011\u2013/,]|\s(?:to|or|and))\s*)$")


def numbered(before: str) -> bool:
    """True if a Roman numeral after ``before`` numbers something ("Deauville IV", "grade III-IV")."""
    text = before.rstrip()
    while True:
        shorter = _EARLIER.sub("", text).rstrip()
        if shorter == text:
            break
        text = shorter
    return bool(_COUNTED.search(text + " "))


def forms(keys) -> dict[str, str]:
    """Every form that matches -> the glossary key it stands for (see the module docstring)."""
    found: dict[str, str] = {}
    for key in keys:
        variants = [key]
        if re.match(r"[a-z]{2}", key):
            variants.append(key[0].upper() + key[1:])
        if re.search(r"[A-Z]$", key) and len(re.findall(r"[A-Z]", key)) >= 2:
            variants += [v + "s" for v in variants]
        for form in variants[1:]:
            found.setdefault(form, key)
    found.update({key: key for key in keys})  # an entry written out wins over a derived form
    return found


@lru_cache(maxsize=4)
def _compiled(keys: tuple[str, ...]) -> tuple[re.Pattern, dict[str, str]]:
    # A trie, not a flat list of alternatives: at each position the regex engine follows one
    # branch per character instead of trying every term, so a longer glossary costs almost nothing.
    by_form = forms(keys)
    trie: dict = {}
    for term in by_form:
        node = trie
        for char in term:
            node = node.setdefault(char, {})
        node[""] = {}  # a term ends here
    firsts = "".join(re.escape(char) for char in sorted(trie))  # a cheap test before the lookbehinds
    pattern = re.compile(rf"(?=[{firsts}]){_BEFORE}(?:{_alternatives(trie)}){_AFTER}")
    return pattern, by_form


def compiled(terms) -> tuple[re.Pattern, dict[str, str]]:
    """The shared pattern of a glossary and its form -> key map (macros/html.py glosses HTML with it)."""
    return _compiled(tuple(terms))


def _alternatives(node: dict) -> str:
    """The regex of a trie node; longer terms are tried first, as the lookahead may reject them."""
    branches = [re.escape(char) + _group(child) for char, child in sorted(node.items()) if char]
    body = "|".join(branches)
    if "" in node:  # a term may also end here: the longer ones are optional
        return f"(?:{body})?" if body else ""
    return body


def _group(node: dict) -> str:
    inner = _alternatives(node)
    return f"(?:{inner})" if "|" in inner else inner


def find_terms(pattern: re.Pattern, text: str):
    """The matches of ``pattern`` in ``text`` that are terms (Roman numerals that number things dropped)."""
    pos = 0
    while (match := pattern.search(text, pos)) is not None:
        if ROMAN.fullmatch(match.group(0)) and numbered(text[:match.start()][-80:]):
            pos = match.start() + 1  # a shorter term may still start here; rare enough to rescan
            continue
        yield match
        pos = match.end()


# --- Keys --------------------------------------------------------------------------------------

_KEY_CHARS = re.compile(r"[A-Za-z0-9\u0370-\u03ff+\-/:.();']+")
# English words of two letters that could open a sentence; other two-letter symbols (Ph, Hb) are fine.
_TWO_LETTER_WORDS = set(
    "ad ah am an as at aw ax be by do eh er ex go ha he hi hm id if in is it lo ma me mu my no of oh ok on or "
    "ow ox pa pi re so to uh um up us we ye yo".split()
)


def tooltip_terms(glossary: dict, drugs: dict) -> dict[str, str]:
    """Every abbreviation that gets a tooltip: the glossary's (key -> entry with ``expansion``), and
    each drug's own abbreviations (IO, MTX) expanded to the drug's name, so a new drug needs no
    glossary entry for them."""
    terms = {abbr: term.expansion for abbr, term in glossary.items()}
    for drug in drugs.values():
        for abbr in drug.abbreviations:
            if abbr not in terms and key_problem(abbr) is None:
                terms[abbr] = drug.name
    return terms


def key_problem(key: str) -> str | None:
    """Why ``key`` cannot be a glossary key, or None if it can (the rules are in the module docstring)."""
    shown = repr(key)
    if not isinstance(key, str) or not key:
        return "a glossary key must be an abbreviation, not empty"
    if re.search(r"\s", key):
        return (f"{shown} contains a space or line break: a key is one abbreviation as written in text "
                "(put a phrase in the expansion instead)")
    if not 2 <= len(key) <= 20:
        return f"{shown} has {len(key)} characters: a glossary key has 2 to 20"
    if not _KEY_CHARS.fullmatch(key):
        bad = sorted(set(_KEY_CHARS.sub("", key)))
        return (f"{shown} contains {', '.join(map(repr, bad))}: a key may hold letters, digits and "
                "- + / : . ( ) ; ' only")
    if not key[0].isalnum():
        return f"{shown} starts with {key[0]!r}: a key starts with a letter or digit"
    if not re.search(r"[A-Z0-9\u0391-\u03a9]", key):
        return (f"{shown} has no capital letter or digit, so it would match ordinary words in lower case; "
                "write the abbreviation as it appears in text (e.g. 'MRD', 'cGy', 'allo-HSCT')")
    if re.fullmatch(r"[0-9.,]+|\d+(?:st|nd|rd|th)|[0-9.]+[a-z]+", key):
        return f"{shown} reads as a number, ordinal or quantity, not an abbreviation"
    if re.fullmatch(r"[A-Z][a-z]+", key):
        if len(key) > 2:
            return (f"{shown} looks like a capitalised word: at the start of a sentence it cannot be told "
                    "apart from an ordinary word. Use the form with its capitals or digits as written "
                    "(e.g. 'InO', 'FLAG-Ida')")
        if key.lower() in _TWO_LETTER_WORDS:
            return f"{shown} is an English word at the start of a sentence ({key.lower()!r})"
    if re.fullmatch(r"[IVX]+", key) and key != "IV":
        return (f"{shown} reads as a Roman numeral (grade, stage, phase); only 'IV' (intravenous) is "
                "accepted as an abbreviation made of I, V and X")
    return None


# --- The Markdown extension ----------------------------------------------------------------------

class GlossaryTreeprocessor(Treeprocessor):
    def __init__(self, md, terms: dict[str, str]):
        super().__init__(md)
        self.terms = terms
        self.pattern, self.keys = _compiled(tuple(terms)) if terms else (None, {})

    def run(self, root):
        if self.pattern is not None:
            self.seen: set[str] = set()
            self.raw_depth = 0  # inside raw <a>, <abbr>, <code>... written as inline HTML
            self._walk(root)

    def _skipped(self, text: str) -> list[tuple[int, int]]:
        """Spans of ``text`` inside raw inline HTML elements that tooltips must leave alone."""
        spans, start = [], 0 if self.raw_depth else None
        for match in HTML_PLACEHOLDER_RE.finditer(text):
            try:
                raw = self.md.htmlStash.rawHtmlBlocks[int(match.group(1))]
            except (IndexError, ValueError):
                continue
            tag = _RAW_TAG.match(raw) if isinstance(raw, str) else None
            if tag is None:
                continue
            if tag.group(1):
                self.raw_depth = max(0, self.raw_depth - 1)
                if not self.raw_depth and start is not None:
                    spans.append((start, match.start()))
                    start = None
            else:
                if not self.raw_depth:
                    start = match.end()
                self.raw_depth += 1
        if start is not None:
            spans.append((start, len(text)))
        return spans

    def _wrap(self, text: str) -> tuple[str, list[etree.Element]]:
        """Split ``text`` into leading text and a list of <abbr> elements with tails."""
        pieces: list[etree.Element] = []
        head, last = None, 0
        skipped = self._skipped(text) if self.raw_depth or "\x02" in text else []
        for match in find_terms(self.pattern, text):
            if any(a <= match.start() < b for a, b in skipped):
                continue
            before = text[last:match.start()]
            if pieces:
                pieces[-1].tail = before
            else:
                head = before
            written = match.group(0)
            key = self.keys[written]
            abbr = etree.Element("abbr", {"title": self.terms[key]})
            if key not in self.seen:  # one tab stop per entry, whichever form comes first
                abbr.set("tabindex", "0")
                self.seen.add(key)
            abbr.text = AtomicString(written)
            pieces.append(abbr)
            last = match.end()
        if not pieces:
            return text, []
        pieces[-1].tail = text[last:]
        return head, pieces

    def _walk(self, el: etree.Element) -> None:
        # Text and tails are handled in document order so "first use" is the first one read.
        if el.tag in SKIP:
            return
        if el.tag in _BLOCKS:
            self.raw_depth = 0  # an unclosed raw <a> ends with its block
        if el.text and not isinstance(el.text, AtomicString):
            el.text, new = self._wrap(el.text)
            for i, abbr in enumerate(new):
                el.insert(i, abbr)
            start = len(new)
        else:
            start = 0
        for child in list(el)[start:]:
            self._walk(child)
            if child.tail and not isinstance(child.tail, AtomicString):
                child.tail, new = self._wrap(child.tail)
                index = list(el).index(child) + 1
                for i, abbr in enumerate(new):
                    el.insert(index + i, abbr)


class GlossaryExtension(Extension):
    def __init__(self, **kwargs):
        self.config = {"terms": [{}, "abbreviation -> expansion"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md):
        # After inline processing (priority 20 and up) and before un-escaping (0).
        md.treeprocessors.register(GlossaryTreeprocessor(md, self.getConfig("terms")), "glossary", 7)


def makeExtension(**kwargs):
    return GlossaryExtension(**kwargs)
