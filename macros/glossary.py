"""Markdown extension: glossary abbreviations become ``<abbr title=...>`` tooltips.

The stock ``abbr`` extension wraps its pattern in ``\\b``, so terms that start or
end with punctuation (``CD19+``, ``Ph-``) never match, and the usual recipe of
appending ``*[X]: ...`` lines to every page is quadratic. Here the glossary is
one compiled pattern shared by all pages (cost grows with the text of a page,
not with the glossary), and a term matches where no letter or digit touches it.
The first use of each term on a page is focusable so keyboard users get the
tooltip too, without a tab stop on every repeat.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from functools import lru_cache

from markdown import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

_SKIP = {"code", "pre", "abbr", "a", "script", "style", "kbd"}


@lru_cache(maxsize=4)
def _pattern(terms: tuple[str, ...]) -> re.Pattern:
    # A trie, not a flat list of alternatives: at each position the regex engine follows one
    # branch per character instead of trying every term, so a longer glossary costs almost nothing.
    trie: dict = {}
    for term in terms:
        node = trie
        for char in term:
            node = node.setdefault(char, {})
        node[""] = {}  # a term ends here
    firsts = "".join(re.escape(char) for char in sorted(trie))  # a cheap test before the lookbehind
    return re.compile(rf"(?=[{firsts}])(?<![\w])(?:{_alternatives(trie)})(?![\w])")


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


class GlossaryTreeprocessor(Treeprocessor):
    def __init__(self, md, terms: dict[str, str]):
        super().__init__(md)
        self.terms = terms
        self.pattern = _pattern(tuple(terms)) if terms else None

    def run(self, root):
        if self.pattern is not None:
            self.seen: set[str] = set()
            self._walk(root)

    def _wrap(self, text: str) -> tuple[str, list[etree.Element]]:
        """Split ``text`` into leading text and a list of <abbr> elements with tails."""
        pieces: list[etree.Element] = []
        head, last = None, 0
        for match in self.pattern.finditer(text):
            before = text[last:match.start()]
            if pieces:
                pieces[-1].tail = before
            else:
                head = before
            term = match.group(0)
            abbr = etree.Element("abbr", {"title": self.terms[term]})
            if term not in self.seen:
                abbr.set("tabindex", "0")
                self.seen.add(term)
            abbr.text = AtomicString(term)
            pieces.append(abbr)
            last = match.end()
        if not pieces:
            return text, []
        pieces[-1].tail = text[last:]
        return head, pieces

    def _walk(self, el: etree.Element) -> None:
        # Text and tails are handled in document order so "first use" is the first one read.
        if el.tag in _SKIP:
            return
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
