"""The shape of the data: pydantic models for cases and reference entries.

Every scalar arrives as a string from ``load``; the models type it. Unknown
fields are errors. Cross-references (drug ids and so on) are checked by the
catalog, which sees all files at once.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

SLUG_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!?]|&#?\w+;")
_DAY_DATE = re.compile(
    r"\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b"
    r"|\b\d{1,2}(?:st|nd|rd|th)? (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{4}\b",
)


_MAYBE_DATE = re.compile(r"\d[./-]\d|\d (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)")


def _plain_text(value: str) -> str:
    # Cheap tests first: most text has no '<', '&' or digit-separator-digit at all.
    if ("<" in value or "&" in value) and _HTML.search(value):
        raise ValueError("raw HTML is not allowed in text; write plain text (a lone '<' followed by a space or number is fine)")
    if _MAYBE_DATE.search(value) and _DAY_DATE.search(value):
        raise ValueError("day-level date; state timing relative to diagnosis (months) or a calendar year at most")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_plain_text)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_RE)]
Short = Annotated[Text, StringConstraints(max_length=200)]


def _https(value: str) -> str:
    if not re.match(r"^https://[^\s<>\"']+$", value):
        raise ValueError("must be an https:// address")
    return value


Url = Annotated[str, AfterValidator(_https)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ----------------------------------------------------------------- reference


class Drug(Model):
    name: Short
    abbreviations: list[Short] = []
    brand_names: list[Short] = []
    drug_class: Short = Field(alias="class")
    targets: list[Slug] = Field([], description="antigen ids the drug is directed against")
    mechanism: Text
    toxicities: list[Short] = []


class Regimen(Model):
    name: Short
    aliases: list[Short] = []
    drugs: list[Slug] = Field([], description="component drug ids; empty when no source lists them")
    description: Text


class Antigen(Model):
    name: Short
    aliases: list[Short] = []
    description: Text
    expressed_on: Text


class Site(Model):
    name: Short
    aliases: list[Short] = []
    region: Literal["head-and-neck", "central-nervous-system", "thorax", "breast", "abdomen",
                    "pelvis", "skin", "musculoskeletal", "lymph-nodes", "eye", "spine", "limbs"]
    description: Text | None = None
    map: tuple[Annotated[int, Field(ge=0, le=200)], Annotated[int, Field(ge=0, le=420)]] | None = Field(
        None, description="where the body map marks this site: [x, y] on a 200 x 420 figure, head at the top")


class Term(Model):
    expansion: Short
    definition: Text | None = None


# --------------------------------------------------------------------- cases


class Sex(str, Enum):
    female = "female"
    male = "male"


class PhStatus(str, Enum):
    positive = "positive"
    negative = "negative"
    not_reported = "not-reported"


class ResponseCategory(str, Enum):
    """Ordered best first: the best response of a case is the lowest rank reached."""

    CR = "CR"
    CRi = "CRi"
    CMR = "CMR"
    PMR = "PMR"
    PR = "PR"
    SD = "SD"
    PD = "PD"
    NR = "NR"
    NE = "NE"

    @property
    def rank(self) -> int:
        return list(ResponseCategory).index(self)


RESPONSE_LABELS = {
    "CR": "complete remission", "CRi": "CR with incomplete haematological recovery",
    "CMR": "complete metabolic response", "PMR": "partial metabolic response",
    "PR": "partial response", "SD": "stable disease", "PD": "progressive disease",
    "NR": "no response", "NE": "not evaluated or not reported",
}


class MRD(str, Enum):
    negative = "negative"
    positive = "positive"
    not_reported = "not-reported"


class Source(Model):
    authors: list[Short] = Field([], description="as printed; empty when the source names none")
    title: Short | None = None
    journal: Short | None = None
    year: int | None = Field(None, ge=1900, le=2100)
    citation: Short | None = Field(None, description="volume and pages as printed, e.g. 18:1117")
    doi: Annotated[str, StringConstraints(pattern=r"^10\.\d{4,9}/\S+$")] | None = None
    pmid: Annotated[str, StringConstraints(pattern=r"^\d{1,9}$")] | None = None
    pmcid: Annotated[str, StringConstraints(pattern=r"^PMC\d+$")] | None = None
    url: Url | None = None
    case_label: Short = Field(description="which case of the paper this is, e.g. 'Case 1'")
    kind: Literal["journal article", "conference abstract", "case series"]
    licence: Short = Field(description="the source's licence, or 'not stated in the source'")
    description: Text | None = Field(None, description="what the source is, when it has no full citation")
    consent: Text | None = Field(None, description="what the source says about the patient's consent to publication")


class Patient(Model):
    age: int = Field(ge=0, le=89, description="years; ages over 89 are not shown (de-identification)")
    sex: Sex
    history: list[Text] = []
    background: Text | None = None


class Finding(Model):
    name: Short
    value: Short


class Presentation(Model):
    text: Text
    findings: list[Finding] = []


class Immunophenotype(Model):
    sample: Short = Field(description="what was tested and when, e.g. 'bone marrow at diagnosis'")
    positive: list[Slug] = []
    negative: list[Slug] = []
    dim: list[Slug] = []
    unclear: list[Slug] = Field([], description="printed without a clear status; explain in source_notes")
    detail: Text | None = None


class Diagnosis(Model):
    disease: Short
    year: int | None = Field(None, ge=1950, le=2100)
    philadelphia: PhStatus
    bcr_abl1: Short | None = None
    karyotype: Text | None = None
    genetics: list[Text] = []
    immunophenotype: list[Immunophenotype] = []
    text: Text | None = None


class EMSite(Model):
    site: Slug
    shown_by: list[Short] = Field(min_length=1)
    when: Short
    detail: Text | None = None


class DrugUse(Model):
    drug: Slug
    dose: Short | None = Field(None, description="as stated in the source")
    schedule: Short | None = None


class Response(Model):
    category: ResponseCategory
    mrd: MRD = MRD.not_reported
    text: Text


class TreatmentLine(Model):
    setting: Short
    when: Short
    month: float | None = Field(None, ge=0, description="months from diagnosis at the start, where it can be worked out")
    regimen: Slug | None = None
    drugs: list[DrugUse] = []
    other: list[Short] = Field([], description="non-drug parts: radiotherapy, surgery, intrathecal prophylaxis ...")
    cycles: Short | None = None
    text: Text | None = None
    response: Response
    adverse_events: list[Text] = []


class Transplant(Model):
    kind: Literal["allogeneic", "autologous"]
    when: Short
    month: float | None = Field(None, ge=0)
    donor: Short
    conditioning: list[DrugUse] = []
    conditioning_note: Short | None = None
    gvhd_prophylaxis: list[DrugUse] = []
    text: Text
    complications: list[Text] = []


class TimelineEvent(Model):
    month: float | None = Field(None, ge=0)
    approximate: bool = False
    when: Short
    event: Text


class Outcome(Model):
    status: Literal["alive in remission", "alive with disease", "on treatment", "died", "not reported"]
    text: Text
    follow_up: Short | None = None


_ANCHOR = re.compile(r"^(presentation|diagnosis|em_sites|timeline|outcome|discussion|treatment\[\d+\]|transplants\[\d+\])$")


def _anchor(value: str) -> str:
    if not _ANCHOR.match(value):
        raise ValueError(
            "must name a moment of the story: presentation, diagnosis, em_sites, timeline, "
            "treatment[N], transplants[N], outcome or discussion"
        )
    return value


class Annotation(Model):
    at: Annotated[str, AfterValidator(_anchor)]
    title: Short
    text: Text
    drugs: list[Slug] = []
    antigens: list[Slug] = []
    sites: list[Slug] = []


class SourceNote(Model):
    about: Short
    text: Text


class Option(Model):
    text: Short
    correct: bool = False
    explanation: Text


class Question(Model):
    id: Slug
    stem: Text
    options: list[Option] = Field(min_length=4, max_length=5)


class Objective(Model):
    id: Slug
    text: Short
    topic: Literal["drugs", "antigens", "em-sites", "transplant", "response-assessment"]
    attribution: Short | None = Field(None, description="who stated this objective, when it comes from the source")
    questions: list[Question] = Field(min_length=2)


class Acknowledgement(Model):
    """A reviewed warning: the check's code, the text it matched (or none: the whole check), and why it is fine."""

    check: Annotated[str, StringConstraints(pattern=r"^(deid|care):[a-z-]+$")]
    match: Short | None = None
    reason: Text


class Case(Model):
    title: Short
    summary: Text
    source: Source
    patient: Patient
    presentation: Presentation
    diagnosis: Diagnosis
    em_sites: list[EMSite] = Field(min_length=1)
    timeline: list[TimelineEvent] = Field(min_length=1)
    treatment: list[TreatmentLine] = Field(min_length=1)
    transplants: list[Transplant] = []
    outcome: Outcome
    annotations: list[Annotation] = []
    discussion: Text
    lessons: list[Text] = Field(min_length=1)
    patient_perspective: Text | None = Field(None, description="the patient's own view, where the source gives it")
    source_notes: list[SourceNote] = []
    objectives: list[Objective] = Field([], max_length=4)
    acknowledged: list[Acknowledgement] = Field([], description="warnings reviewed and accepted, with the reason")

    def best_response(self) -> tuple[int, TreatmentLine] | None:
        """(line number, line) of the best response reached, MRD-negative first on ties."""
        ranked = [
            (line.response.category.rank, line.response.mrd != MRD.negative, i, line)
            for i, line in enumerate(self.treatment, 1)
        ]
        if not ranked:
            return None
        _, _, number, line = min(ranked, key=lambda r: r[:3])
        return number, line
