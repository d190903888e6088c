"""Abbreviations a reader meets without an explanation: the rule the site-wide scan of the built pages
(tests/test_glossary.py) and validate.py share, so a case that validates does not fail CI on one.

A token is abbreviation-like if it has two capitals (MRD, NE), a capital and a later digit (CD19, T315I),
a capital after a lower-case letter (IgH, cGy) or is a letter and digits (p190). It is explained if the
glossary matches it where it stands (the real matcher, so "anti-PD-1" needs an entry for PD-1), if it is
the name, alias or brand of a reference entry (CD19, HyperCVAD, MabThera: a thing with its own page),
if it is a Roman numeral that numbers something (grade III), if it is an author's initials in a citation
("Fontana MC, ..."), or if the allow-list below gives a reason.
Drug *abbreviations* (MTX, VCR) are not names: a reader meets them without their drug, so they get
tooltips of their own (glossary.tooltip_terms). Hidden text, code, scripts and styles are not read.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

from .glossary import ROMAN, compiled, find_terms, numbered, tooltip_terms

ALLOWED = {  # token -> why it needs no glossary entry
    # Units and notation
    "kDa": "unit (kilodalton), written out where it is first used",
    "dL": "unit (decilitre), part of g/dL",
    "mL": "unit (millilitre)",
    "pH": "the acidity scale, a symbol like a unit",
    "m2": "unit (square metre of body surface) in mg/m2",
    "XX": "karyotype sex chromosomes (46,XX)",
    "XY": "karyotype sex chromosomes (46,XY)",
    # Formats, identifiers and names of the site's own machinery
    "DOI": "label of a citation link, the link itself explains it",
    "PubMed": "name of the database a citation links to",
    "BibTeX": "name of a citation download format, linked",
    "RIS": "name of a citation download format, linked",
    "CSV": "name of a download format on the open-data page",
    "JSON": "name of a download format on the open-data page",
    "JSON-LD": "name of a download format on the open-data page",
    "YAML": "name of the format contributors write",
    "PDF": "document format in a citation",
    "HTML": "web page format (developer pages)",
    "CC": "licence label (CC BY)",
    "BY": "licence label (CC BY)",
    "MIT": "licence name",
    "MkDocs": "name of the site generator (developer pages)",
    "JavaScript": "programming language (search page)",
    "OWASP": "open-data page: the web-security project whose CSV-injection advice is cited; not clinical",
    "CLS": "Lighthouse report (a developer page under About): cumulative layout shift, a web-performance metric; not clinical",
    "SEO": "Lighthouse report: search-engine optimisation, one of its four scores; not clinical",
    # Proper names and quotations
    "MD": "part of a proper name (MD Anderson Cancer Center)",
    "BMC": "journal name in citations (BMC Cancer)",
    "EMatologiche": "the capitals that spell GIMEMA inside its own expansion on the glossary page",
    "mutIKAROSIKZF1": "a source's misprint, quoted verbatim and explained in the sentence",
    "CAse": "the capitals that spell CARE inside its own expansion on the glossary page",
    "REport": "the capitals that spell CARE inside its own expansion on the glossary page",
    "CDNs": "about page: a technical aside on how the site is served (no content delivery networks)",
    # The machine and units of the performance report (developer page)
    "CPU": "performance report: hardware", "RAM": "performance report: hardware",
    "AMD": "performance report: processor vendor", "EPYC": "performance report: processor model",
    "UTC": "performance report: time zone", "UI": "performance report: user interface",
    "PASS": "performance report: a budget's verdict", "KB": "performance report: size unit",
    "MB": "performance report: size unit", "GiB": "performance report: size unit",
}
ALLOWED_PATTERNS = [  # (full-token pattern, why)
    (r"[pq]\d{1,2}", "chromosome band in a karyotype (q23, p11)"),
    (r"NCT\d{8}", "ClinicalTrials.gov registry number, linked"),
    (r"PMC\d+|PMID\d*", "PubMed Central / PubMed identifiers in citations"),
    (r"Linux-\d+", "performance report: operating system version"),
    (r"[0-9a-f]{7,40}", "performance report: the git commit of the code measured"),
    (r"L\d{1,2}", "treatment line number in the 'Response by line' summaries (L1 -> L2), titled as such"),
]
# Author initials in a citation: "Fontana MC, De Polo S" or "Bertamini L et al".
_INITIALS = (re.compile(r"[A-Z][a-z'\u2019-]+ $"), re.compile(r"(?:,| et al\b)"))

_TOKEN = re.compile(r"(?<!\w)[^\W_]+(?:(?:[-\u2011]|::)[^\W_]+)*")
_WORD_PART = re.compile(r"(?:^|[-\u2011])[A-Z]?[a-z]{2,}(?=[-\u2011]|$)")  # "anti-", "-positive", "Pre-"


def abbreviation_like(token: str) -> bool:
    return bool(len(re.findall(r"[A-Z]", token)) >= 2 or re.match(r"[A-Za-z].*\d", token) and re.search("[A-Z]", token)
                or re.search(r"[a-z][A-Z]", token) or re.fullmatch(r"[a-z]\d+", token))


# Text with none of these has no abbreviation-like token (each rule of abbreviation_like, within a
# run without spaces): most strings, so the glossary pattern never runs on them.
_MAYBE = re.compile(r"[A-Z]\S*[A-Z\d]|\d\S*[A-Z]|[a-z][A-Z]|[a-z]\d")


_TOKEN_CHAR = re.compile(r"[\w\-\u2011:]")  # every character a token can hold (and a few more)


def _maybe_tokens(text: str):
    """The tokens of ``text`` that hold a match of ``_MAYBE``, in order: only those near one are
    looked at. Every such token overlaps a match ``finditer`` finds (a match may span tokens)."""
    done = 0
    for hit in _MAYBE.finditer(text):
        start = hit.start()
        while start > done and _TOKEN_CHAR.match(text, start - 1):  # back to where its token begins
            start -= 1
        for match in _TOKEN.finditer(text, start):
            if match.start() >= hit.end():
                break
            done = match.end()
            if _MAYBE.search(match.group(0)):
                yield match


def abbreviations(text: str, pattern) -> list[tuple[str, int]]:
    """(token, position) of every abbreviation-like token that the glossary does not match where it stands."""
    if not _MAYBE.search(text):
        return []
    pieces, last = [], 0  # the text with each glossary match blanked out (the matches do not overlap)
    for match in find_terms(pattern, text):
        pieces += (text[last:match.start()], "\x00" * (match.end() - match.start()))
        last = match.end()
    found = []
    for match in _maybe_tokens("".join(pieces) + text[last:]):
        for part in _WORD_PART.split(match.group(0)):  # "anti-PD-1" -> "PD-1"; "MRD-negative" is masked
            part = part.strip("-\u2011")
            if part and abbreviation_like(part):
                # a numeral, a range of them or one with a letter: "IV", "III-IV", "Protocol II-A"
                numerals = re.fullmatch(rf"{ROMAN.pattern}(?:[-\u2011]{ROMAN.pattern})*(?:[-\u2011]?[A-Z])?", part)
                if not (numerals and numbered(text[:match.start()][-80:])):
                    found.append((part, match.start()))
    return found


def named(catalog) -> set[str]:
    """Abbreviation-like tokens of reference entries' names, aliases and brand names."""
    names = []
    for kind in ("drugs", "regimens", "antigens", "sites"):
        for entry in getattr(catalog, kind).values():
            names += [entry.name, *getattr(entry, "aliases", []), *getattr(entry, "brand_names", [])]
    return {token for name in names for token, _ in abbreviations(name, re.compile(r"(?!)"))}


def checker(reference: dict) -> tuple:
    """(pattern, known names) for ``unexplained_in``, from the reference tables (folder -> id -> entry)."""
    entries = {folder: {k: v for k, v in table.items() if v is not None} for folder, table in reference.items() if table}
    pattern = compiled(tooltip_terms(entries.get("glossary", {}), entries.get("drugs", {})))[0]
    return pattern, named(SimpleNamespace(**{k: entries.get(k, {}) for k in ("drugs", "regimens", "antigens", "sites")}))


def unexplained_in(text: str, pattern, known: set[str]) -> list[tuple[str, int]]:
    """(token, position) of each abbreviation in ``text`` that nothing explains: not the glossary
    (``pattern``, matched where it stands), not a reference entry's name (``known``), not allowed."""
    found = []
    for token, at in abbreviations(text, pattern):
        if token in known or token in ALLOWED or any(re.fullmatch(p, token) for p, _ in ALLOWED_PATTERNS):
            continue
        if (re.fullmatch(r"[A-Z]{2,3}", token) and _INITIALS[0].search(text[max(0, at - 40):at])
                and _INITIALS[1].match(text, at + len(token))):
            continue
        found.append((token, at))
    return found
