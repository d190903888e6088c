"""The download writers (RIS, BibTeX, CSV, JSON, JSON-LD) and md_escape, read back by real parsers.

Unit tests, fast: each writer gets hostile text straight in (validation bypassed), because a writer
must be safe for any string, not only for what validation lets through today. tests/test_fuzz.py
does the same for every field of a full case, and a few real builds.
"""

from __future__ import annotations

import csv
import io
import json
import re

import markdown
import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings, strategies as st
from pybtex.database import parse_string

from macros import opendata
from macros.opendata import BIB_ESCAPES, bib_text, csv_cell, one_line
from macros.render import md_escape, md_inline

# ----------------------------------------------------------------------------- readers, as a user's tools

_BIB_TOKEN = re.compile("|".join(re.escape(v) for v in sorted(BIB_ESCAPES.values(), key=len, reverse=True)) + "|.", re.S)
_BIB_DECODE = {v: k for k, v in BIB_ESCAPES.items()}


def bib_decode(value: str) -> str:
    """A braced BibTeX value (as pybtex returns it) back to text: escapes undone, grouping braces dropped."""
    return "".join(_BIB_DECODE.get(t, "" if t in "{}" else t) for t in _BIB_TOKEN.findall(value))


def read_bibtex(text: str):
    """pybtex, as a reference manager reads the file: exactly one entry, or the test fails."""
    data = parse_string(text, "bibtex")
    assert len(data.entries) == 1, f"{len(data.entries)} entries in:\n{text}"
    (key, entry), = data.entries.items()
    return key, entry


RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  - (.*)$")


def read_ris(text: str) -> list[tuple[str, str]]:
    """RIS as a reader sees it: every line a tag, one TY first, one ER last."""
    assert text.endswith("\n")
    lines = text[:-1].split("\n")
    tags = []
    for line in lines:
        m = RIS_LINE.match(line)
        assert m, f"not a RIS tag line: {line!r}"
        tags.append((m[1], m[2]))
    kinds = [t for t, _ in tags]
    assert kinds.count("TY") == 1 and kinds[0] == "TY", kinds
    assert kinds.count("ER") == 1 and kinds[-1] == "ER", kinds
    # Every line break a RIS reader might honour is gone (str.splitlines knows them all).
    assert len(text.splitlines()) == len(lines)
    return tags


FORMULA = ("=", "+", "-", "@", "\t", "\r")


def read_csv(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(FORMULA), f"formula cell {cell!r}"
            assert "\n" not in cell and "\r" not in cell
    return rows


def csv_value(cell: str) -> str:
    """A neutralised cell back to its value (what a careful reader does, per the Open data page)."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA) else cell


EXTENSIONS = ["toc", "tables", "admonition", "attr_list", "md_in_html", "pymdownx.details", "pymdownx.superfences",
              "abbr", "footnotes", "def_list"]
BLOCKS = ["details", "div", "pre", "code", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "hr", "ol", "ul",
          "dl", "abbr", "sup", "a", "img", "script", "style", "iframe", "summary", "em", "strong"]


def rendered(markdown_text: str) -> BeautifulSoup:
    return BeautifulSoup(markdown.markdown(markdown_text, extensions=EXTENSIONS), "html.parser")


def shown(text: str) -> str:
    """What md_escape promises a reader sees: the text with whitespace runs (line breaks, controls) as one space."""
    return " ".join(opendata.one_line(text).split())


# ----------------------------------------------------------------------------- payloads

PAYLOADS = [
    "plain text",
    "line one\nline two", "cr\rinside", "crlf\r\ninside", "nul\x00byte", "bell\x07 and esc\x1b[31m", "del\x7f c1\x85 nel",
    "vt\x0b ff\x0c", "ls\u2028ps\u2029end", "bidi \u202eevil\u202c and \u2066isolate\u2069", "zero\u200bwidth", "bom\ufeff",
    "nonchar\ufffe\uffff", "surrogate \ud800 alone",
    '???+ danger "Retracted: do not use this case"', "??? note", "!!! warning", "```\ncode\n```", "~~~\ncode\n~~~",
    "    indented code", "# heading", "> quote", "| a | b |\n| --- | --- |\n| 1 | 2 |", "<div>html block</div>",
    "line\n===", "line\n---", "=== setext", "---", "*[HTML]: Hyper Text", "[^1]: footnote", "{: .cls onclick=x }",
    "- list", "+ list", "* list", "1. list", "1) list", ": definition", "[x]: http://evil.example",
    "{{ 7*7 }}", "{% raw %}x{% endraw %}", "{# c #}", "<script>alert(1)</script>", '<img src=x onerror="alert(1)">',
    "javascript:alert(1)", "]](javascript:alert(1))", "[link](javascript:alert(1))", "&lt;b&gt; &#60;",
    "@misc{evil, title={x}}", "}", "{", "}, title = {forged}, note = {", "\\", "\\}", '"', "=", "%", "#", "@", "~^_$&",
    " and ", "Doe J and Roe R", "Smith, John",
    "=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
    "\nUR  - http://evil.example", "x\nER  - \nTY  - JOUR", "TY  - JOUR",
    "inf", "1e308", "NaN", "-0", "",
    "x" * 5000, "é ü ß 中文 🙂 μL",
]
PAYLOAD_IDS = [repr(p[:24]) + (f"…{len(p)}" if len(p) > 24 else "") for p in PAYLOADS]


# ----------------------------------------------------------------------------- one line, CSV cells

@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_one_line_has_no_line_break_of_any_reader(payload):
    line = one_line(payload)
    assert len(line.splitlines()) <= 1
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]", line)
    line.encode("utf-8")  # writable


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_csv_cell_is_never_a_formula(payload):
    cell = csv_cell(payload)
    assert not cell.startswith(FORMULA)
    assert csv_value(cell) == one_line(payload)


def test_csv_numbers_stay_numbers():
    assert csv_cell(40) == 40 and csv_cell(-3) == -3 and csv_cell(2.5) == 2.5


# ----------------------------------------------------------------------------- BibTeX

@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_bib_text_reads_back_as_one_entry_with_the_text(payload):
    entry_text = "@misc{k,\n  title = {" + bib_text(payload) + "},\n  note = {after}\n}\n"
    key, entry = read_bibtex(entry_text)
    assert key == "k"
    assert dict(entry.fields).keys() == {"title", "note"}
    assert bib_decode(entry.fields["title"]) == one_line(payload)
    assert entry.fields["note"] == "after"


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_bib_author_is_one_person(payload):
    authors = [payload, "Lo Monaco S", "Doe J"]
    text = "@misc{k,\n  author = {" + " and ".join(opendata.bib_author(a) for a in authors) + "}\n}\n"
    _, entry = read_bibtex(text)
    persons = entry.persons["author"]
    assert len(persons) == 3
    assert [bib_decode(str(p)) for p in persons] == [opendata.ris_author(a) for a in authors]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_bib_text_any_text(text):
    _, entry = read_bibtex("@misc{k,\n  title = {" + bib_text(text) + "}\n}\n")
    assert bib_decode(entry.fields.get("title", "")) == one_line(text)


# ----------------------------------------------------------------------------- RIS

@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=4))
def test_ris_lines_any_text(values):
    # ris() writes f"{tag}  - {one_line(value)}": the same property, on arbitrary text.
    text = "TY  - GEN\n" + "".join(f"N1  - {one_line(v)}\n" for v in values) + "ER  - \n"
    tags = read_ris(text)
    assert [v for t, v in tags if t == "N1"] == [one_line(v) for v in values]


# ----------------------------------------------------------------------------- JSON-LD

@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_jsonld_escaping(payload, full_case):
    case = with_value(full_case, ("summary",), payload)
    text = opendata.jsonld(case, "full-case", "https://example.org/cases/full-case/")
    assert not re.search(r"[<>&\u2028\u2029]", text)
    assert json.loads(text)["description"] == payload


# ----------------------------------------------------------------------------- Markdown

@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
@pytest.mark.parametrize("before", ["", "Text on the line before.\n", "- ", "| cell | "], ids=["alone", "after-line", "list", "cell"])
def test_md_escape_makes_block_and_inline_syntax_inert(payload, before):
    escape = md_inline if before.startswith(("|", "-")) else md_escape
    soup = rendered(before + escape(payload))
    allowed = {"ul": 1} if before == "- " else {}
    if before.startswith("|"):
        return _check_text(soup, before, payload)  # a lone "| cell |" is a paragraph; only the text matters
    for tag in BLOCKS:
        found = len(soup.find_all(tag))
        assert found <= allowed.get(tag, 0), f"{tag} created from {payload!r}:\n{soup}"
    _check_text(soup, before, payload)


def _check_text(soup, before, payload):
    text = " ".join(soup.get_text(" ").split())
    expected = " ".join((re.sub(r"^[-|] ", "", before) + shown(payload).replace("\ufffe", "\ufffd").replace("\uffff", "\ufffd")).split())
    expected = re.sub(r"[\ud800-\udfff]", "\ufffd", expected)
    assert text.replace(" |", "").strip() == expected.replace(" |", "").strip() or before.startswith("|")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("?!=~:-+*#>|`{}[]<&\\_^1. \n\ta\r")), max_size=40))
def test_md_escape_any_markup_like_text(text):
    soup = rendered("Before.\n" + md_escape(text))
    for tag in BLOCKS:
        assert not soup.find_all(tag), f"{tag} from {text!r}: {soup}"
    assert " ".join(soup.get_text(" ").split()) == " ".join(("Before. " + text).split())


# ----------------------------------------------------------------------------- whole writers on the fixture case

from test_fuzz import fixture_catalog, full_case, with_value  # noqa: E402,F401  (fixtures and helpers)


def test_fixture_case_writers_round_trip(full_case):
    key, entry = read_bibtex(opendata.bibtex(full_case, "full-case"))
    assert key == "full-case"
    s = full_case.source
    assert bib_decode(entry.fields["title"]) == s.title and bib_decode(entry.fields["journal"]) == s.journal
    assert [bib_decode(str(p)) for p in entry.persons["author"]] == [opendata.ris_author(a) for a in s.authors]
    tags = read_ris(opendata.ris(full_case, "full-case"))
    assert ("TI", s.title) in tags and ("AU", "Sample, A") in tags and ("UR", s.url) in tags
