"""The cases as open data: cases.json, cases.csv, and per-case citations (BibTeX, RIS, JSON-LD)."""

from __future__ import annotations

import csv
import io
import json
import re
from functools import partial
from typing import Callable, Union

from .catalog import Catalog
from .model import Case
from .schema import SCHEMA_VERSION

DATA_LICENCE = "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"

# Column -> what it holds; documented on the Open data page from this one list.
CSV_COLUMNS = {
    "slug": "case id; the page is cases/<slug>/",
    "title": "case title",
    "age": "age in years at diagnosis",
    "sex": "female or male",
    "disease": "diagnosis as stated",
    "philadelphia": "positive, negative or not-reported",
    "em_sites": "extramedullary site ids, separated by ';'",
    "regimens": "regimen ids, separated by ';'",
    "drugs": "drug ids named directly in treatment lines, separated by ';'",
    "positive_antigens": "antigen ids found positive in any sample, separated by ';'",
    "negative_antigens": "antigen ids found negative in any sample, separated by ';'",
    "treatment_lines": "number of treatment lines",
    "best_response": "best response category reached (CR, CRi, CMR, PMR, PR, SD, PD, NR, NE)",
    "best_response_mrd": "MRD status at that response (negative, positive, not-reported)",
    "transplants": "number of transplants",
    "outcome": "outcome status at the time of the report",
    "source_authors": "authors of the source, separated by ';'",
    "source_journal": "journal",
    "source_year": "year",
    "doi": "DOI of the source",
    "pmid": "PubMed id",
    "pmcid": "PubMed Central id",
    "case_label": "the case's label within the source",
    "source_licence": "the source's licence, as recorded",
}

# Anything that can end a line in some reader (CR, LF, VT, FF, NEL, U+2028/9, the C0 and C1 controls),
# and other whitespace runs: one space. Text in a citation or a CSV cell is one line, always.
_BREAKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# Lone surrogates cannot be written as UTF-8; noncharacters have no place in text.
_UNWRITABLE = re.compile(r"[\ud800-\udfff\ufffe\uffff]")


def one_line(text) -> str:
    """Any value -> one line of text: no character in it can start a new line, tag or record."""
    if text is None:
        return ""
    return _UNWRITABLE.sub("\ufffd", _BREAKS.sub(" ", str(text))).strip()


# A spreadsheet treats these as the start of a formula (OWASP: CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """A CSV cell: numbers as they are; text on one line, and never a formula."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = one_line(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def case_record(case: Case) -> dict:
    return case.model_dump(mode="json", by_alias=True, exclude_none=True)


def _encode(data) -> str:
    # allow_nan=False: Infinity and NaN are not JSON; refuse to write them rather than a broken file.
    # Compact: with indent, json.dumps falls back to its pure-Python encoder (a second per 1,000 cases).
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _json(data) -> str:
    return _encode(data) + "\n"


def _object(encoded: dict[str, str]) -> str:
    """A JSON object of values already encoded: the bytes ``_encode`` writes for the decoded values,
    so each case's record is encoded once for both the full dump and its own file."""
    return "{" + ",".join(f"{_encode(key)}:{value}" for key, value in encoded.items()) + "}"


def _reference(cat: Catalog) -> dict:
    return {name: {key: entry.model_dump(mode="json", by_alias=True, exclude_none=True) for key, entry in table.items()}
            for name, table in cat.tables.items()}


def _records(cat: Catalog) -> dict[str, str]:
    """Each case's record, encoded."""
    return {slug: _encode(case_record(case)) for slug, case in cat.cases.items()}


def cases_json(cat: Catalog, records: dict[str, str] | None = None) -> str:
    """The full dump: every case and the reference data in one file (offered with its size)."""
    return _object({"schema_version": _encode(SCHEMA_VERSION), "licence": _encode(DATA_LICENCE),
                    "cases": _object(records if records is not None else _records(cat)),
                    "reference": _encode(_reference(cat))}) + "\n"


def case_json(cat: Catalog, slug: str, record: str | None = None) -> str:
    """One case: what a reader or a script fetches for a single case."""
    return _object({"schema_version": _encode(SCHEMA_VERSION), "licence": _encode(DATA_LICENCE), "slug": _encode(slug),
                    "page": _encode(f"cases/{slug}/"),
                    "case": record if record is not None else _encode(case_record(cat.cases[slug]))}) + "\n"


def reference_json(cat: Catalog) -> str:
    return _json({"schema_version": SCHEMA_VERSION, "licence": DATA_LICENCE, "reference": _reference(cat)})


def index_json(cat: Catalog) -> str:
    """A compact index of the cases (a few short fields each), pointing to each case's own file."""
    rows = []
    for slug, case in cat.cases.items():
        facts = cat.facts[slug]
        rows.append({"slug": slug, "title": case.title, "year": case.source.year, "ph": case.diagnosis.philadelphia.value,
                     "sites": list(facts.sites), "drugs": facts.received, "regimens": list(facts.regimens),
                     "file": f"cases/{slug}.json"})
    return _json({"schema_version": SCHEMA_VERSION, "licence": DATA_LICENCE, "cases": rows})


Text = Union[str, Callable[[], str]]  # a file's text, or how to make it when the file is written


def data_files(cat: Catalog) -> list[tuple[str, Text]]:
    """Every open-data file, as (path under the site, text): a compact index, one file per case,
    the reference data, the CSV, the full dump, and each case's citation as BibTeX and RIS.
    The site-wide files are text (the Open data page states their sizes); each case's own files
    are made when written, so a build never holds them all (about 140 MB at 5,000 cases)."""
    records = _records(cat)  # until each case's own file takes its record (_own_file)
    files: list[tuple[str, Text]] = [("data/index.json", index_json(cat)), ("data/reference.json", reference_json(cat)),
                                     ("data/cases.csv", cases_csv(cat)), ("data/cases.json", cases_json(cat, records))]
    sizes.clear()
    sizes.update((path, len(text.encode("utf-8"))) for path, text in files)
    for slug, case in cat.cases.items():
        files.append((f"data/cases/{slug}.json", partial(_own_file, cat, slug, records)))
        files.append((f"cases/{slug}.bib", partial(bibtex, case, slug)))
        files.append((f"cases/{slug}.ris", partial(ris, case, slug)))
    return files


def _own_file(cat: Catalog, slug: str, records: dict[str, str]) -> str:
    # Taken, not copied: once the file is written its record need not stay in memory.
    return case_json(cat, slug, records.pop(slug, None))


def text_of(text: Text) -> str:
    return text if isinstance(text, str) else text()


sizes: dict[str, int] = {}  # bytes of each site-wide data file of this build, for the Open data page


def csv_row(cat: Catalog, slug: str) -> dict:
    case = cat.cases[slug]
    samples = case.diagnosis.immunophenotype
    best = case.best_response()
    s = case.source
    return {
        "slug": slug, "title": case.title, "age": case.patient.age, "sex": case.patient.sex.value,
        "disease": case.diagnosis.disease, "philadelphia": case.diagnosis.philadelphia.value,
        "em_sites": ";".join(cat.case_sites(slug)), "regimens": ";".join(cat.case_regimens(slug)),
        "drugs": ";".join(dict.fromkeys(u.drug for line in case.treatment for u in line.drugs)),
        "positive_antigens": ";".join(dict.fromkeys(a for x in samples for a in x.positive)),
        "negative_antigens": ";".join(dict.fromkeys(a for x in samples for a in x.negative)),
        "treatment_lines": len(case.treatment),
        "best_response": best[1].response.category.value if best else "",
        "best_response_mrd": best[1].response.mrd.value if best else "",
        "transplants": len(case.transplants), "outcome": case.outcome.status,
        "source_authors": ";".join(s.authors), "source_journal": s.journal or "", "source_year": s.year or "",
        "doi": s.doi or "", "pmid": s.pmid or "", "pmcid": s.pmcid or "", "case_label": s.case_label,
        "source_licence": s.licence,
    }


def cases_csv(cat: Catalog) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for slug in cat.cases:
        writer.writerow({k: csv_cell(v) for k, v in csv_row(cat, slug).items()})
    return out.getvalue()


# BibTeX counts braces without regard to backslashes, so "\{" would still open a group: braces and
# backslashes become brace-balanced LaTeX commands. "@", '"' and "=" are inert inside a braced value,
# but are grouped anyway for parsers that scan for them. The rest are LaTeX's special characters.
BIB_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
    "%": r"\%", "&": r"\&", "$": r"\$", "#": r"\#", "_": r"\_",
    "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
    "@": "{@}", '"': '{"}', "=": "{=}",
}
_BIB_SPECIAL = re.compile("[" + re.escape("".join(BIB_ESCAPES)) + "]")


def bib_text(text) -> str:
    """Text -> the inside of a braced BibTeX value: one line, balanced braces, LaTeX-safe."""
    return _BIB_SPECIAL.sub(lambda m: BIB_ESCAPES[m[0]], one_line(text))


# "Bertamini L", "Lo Monaco S", "De Polo SM": surname then initials, as printed in Vancouver style.
_VANCOUVER = re.compile(r"^(?P<last>[^\s,][^,]*?) (?P<initials>[A-Z]{1,4})$")


def _vancouver(name: str) -> tuple[str, str] | None:
    m = _VANCOUVER.match(name)
    return (m["last"], m["initials"]) if m else None


def bib_author(name: str) -> str:
    """One author for BibTeX: "{Surname}, Initials", or the whole name in braces (a group, an
    unusual form), so that an "and" or a comma inside a name never splits or reorders it."""
    name = one_line(name)
    parts = _vancouver(name)
    if parts:
        return f"{{{bib_text(parts[0])}}}, {bib_text(parts[1])}"
    return f"{{{bib_text(name)}}}"


def ris_author(name: str) -> str:
    name = one_line(name)
    parts = _vancouver(name)
    return f"{parts[0]}, {parts[1]}" if parts else name


def bibtex(case: Case, slug: str) -> str:
    """One BibTeX entry. The key is the case's slug (checked by the model); every value is braced
    and escaped by bib_text, so no text can close the value, the entry, or start another entry."""
    s = case.source
    fields = {
        "author": " and ".join(bib_author(a) for a in s.authors) or None,
        "title": bib_text(s.title) if s.title else None,
        "journal": bib_text(s.journal) if s.journal else None,
        "year": str(s.year) if s.year else None,
        "doi": bib_text(s.doi) if s.doi else None,
        "pmid": bib_text(s.pmid) if s.pmid else None,
        "pmcid": bib_text(s.pmcid) if s.pmcid else None,
        "url": bib_text(s.url) if s.url else None,
        "note": bib_text(f"{one_line(s.case_label)}. {one_line(s.description)}".strip()),
    }
    kind = "article" if s.journal else "misc"
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items() if v)
    return f"@{kind}{{{slug},\n{body}\n}}\n"


def ris(case: Case, slug: str) -> str:
    """One RIS record: a TY line, one line per value, an ER line. Every value is folded onto one
    line (one_line), so nothing in it can start a tag or end the record."""
    s = case.source
    lines = [("TY", "JOUR" if s.journal else ("ABST" if s.kind == "conference abstract" else "GEN"))]
    lines += [("AU", ris_author(a)) for a in s.authors]
    lines += [(tag, one_line(value)) for tag, value in (
        ("TI", s.title), ("JO", s.journal), ("PY", s.year), ("DO", s.doi),
        ("AN", f"PMID:{s.pmid}" if s.pmid else None), ("UR", s.url),
        ("N1", f"{one_line(s.case_label)}. {one_line(s.description)}".strip()), ("ID", slug)) if value]
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {value}\n" for tag, value in lines)


def jsonld(case: Case, slug: str, page_url: str) -> str:
    """schema.org description of the case page and the article it is based on, safe inside <script>."""
    s = case.source
    article = {"@type": "ScholarlyArticle", "name": s.title or s.description or s.case_label}
    if s.authors:
        article["author"] = [{"@type": "Person", "name": a} for a in s.authors]
    if s.journal:
        article["isPartOf"] = {"@type": "Periodical", "name": s.journal}
    if s.year:
        article["datePublished"] = str(s.year)
    if s.doi:
        article["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": s.doi}
        article["sameAs"] = f"https://doi.org/{s.doi}"
    data = {
        "@context": "https://schema.org", "@type": "MedicalWebPage", "name": case.title,
        "description": case.summary, "url": page_url, "license": "https://creativecommons.org/licenses/by/4.0/",
        "about": {"@type": "MedicalCondition", "name": case.diagnosis.disease},
        "isBasedOn": article, "learningResourceType": "case study",
    }
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    # Nothing in contributor text can close the script element or start markup; U+2028/9 are
    # line terminators to older JavaScript parsers.
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text
