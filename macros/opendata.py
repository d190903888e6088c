"""The cases as open data: cases.json, cases.csv, and per-case citations (BibTeX, RIS, JSON-LD)."""

from __future__ import annotations

import csv
import io
import json

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


def case_record(case: Case) -> dict:
    return case.model_dump(mode="json", by_alias=True, exclude_none=True)


def cases_json(cat: Catalog) -> str:
    data = {
        "schema_version": SCHEMA_VERSION,
        "licence": DATA_LICENCE,
        "cases": {slug: case_record(case) for slug, case in cat.cases.items()},
        "reference": {
            name: {key: entry.model_dump(mode="json", by_alias=True, exclude_none=True) for key, entry in table.items()}
            for name, table in (("drugs", cat.drugs), ("regimens", cat.regimens), ("antigens", cat.antigens),
                                ("sites", cat.sites), ("glossary", cat.glossary))
        },
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


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
        writer.writerow(csv_row(cat, slug))
    return out.getvalue()


def _bib_escape(text: str) -> str:
    return "".join("\\" + c if c in "{}\\%&$#_^~" else c for c in text)


def bibtex(case: Case, slug: str) -> str:
    s = case.source
    fields = {
        "author": " and ".join(s.authors), "title": s.title, "journal": s.journal,
        "year": str(s.year) if s.year else None, "doi": s.doi, "pmid": s.pmid, "pmcid": s.pmcid,
        "note": f"{s.case_label}. " + (s.description or ""),
    }
    kind = "article" if s.journal else "misc"
    body = ",\n".join(f"  {k} = {{{_bib_escape(v.strip())}}}" for k, v in fields.items() if v)
    return f"@{kind}{{{slug},\n{body}\n}}\n"


def ris(case: Case, slug: str) -> str:
    s = case.source
    lines = [("TY", "JOUR" if s.journal else ("ABST" if s.kind == "conference abstract" else "GEN"))]
    lines += [("AU", a) for a in s.authors]
    lines += [(tag, value) for tag, value in (("TI", s.title), ("JO", s.journal), ("PY", s.year), ("DO", s.doi),
                                              ("AN", f"PMID:{s.pmid}" if s.pmid else None),
                                              ("N1", f"{s.case_label}. {s.description or ''}".strip()),
                                              ("ID", slug)) if value]
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
    text = json.dumps(data, ensure_ascii=False)
    # Nothing in contributor text can close the script element or start markup.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
