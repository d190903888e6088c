"""The shape of the data: pydantic models for cases and reference entries.

Every scalar arrives as a string from ``load``; the models type it. Unknown
fields are errors. Cross-references (drug ids and so on) are checked by the
catalog, which sees all files at once.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator, model_validator

SLUG_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # use with fullmatch: '$' would let a trailing newline through
RESERVED_SLUGS = {"index"}  # the hand-written index page of each folder is docs/<folder>/index.md
MAX_MONTH = 600  # months from diagnosis: fifty years is beyond any follow-up in a case report
MAX_LINES = 50  # treatment lines in one case


def slug_problem(value: str) -> str | None:
    """Why ``value`` cannot be an id or a file name (None when it can): checked before anything uses it."""
    if not SLUG.fullmatch(value) or len(value) > 80:
        return f"'{value}' is not a slug: use lower-case letters, digits and single hyphens (at most 80 characters)"
    if value in RESERVED_SLUGS:
        return f"'{value}' is reserved (docs/<folder>/{value}.md is the folder's own page); choose another id"
    return None


class RuleError(ValueError):
    """Problems found by a rule on a list field, each at its own place inside that field."""

    def __init__(self, problems: list[tuple[tuple, str]]):
        self.problems = problems
        super().__init__("; ".join(message for _, message in problems))


# Characters with no place in prose: C0/C1 controls (tab and newline aside), bidirectional
# overrides and isolates (they reorder what a reader sees), zero-width and invisible format
# characters, the byte-order mark, private-use code points, surrogates and noncharacters.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069"
    "\ufeff\ufff9-\ufffb\ufdd0-\ufdef\ufffe\uffff\ue000-\uf8ff\ud800-\udfff]"
    "|[\U000e0000-\U000e007f\U000ffffe\U000fffff\U0010fffe\U0010ffff]")


def _no_control(value: str) -> str:
    bad = _FORBIDDEN.search(value)
    if bad:
        raise ValueError(f"contains the invisible or control character U+{ord(bad.group()):04X}; "
                         "retype the text without it")
    return value


def _one_line(value: str) -> str:
    if "\n" in value or "\t" in value:
        raise ValueError("must be a single line (no line breaks or tabs)")
    return value
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


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000),
                 AfterValidator(_no_control), AfterValidator(_plain_text)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_RE, max_length=80)]
Short = Annotated[Text, StringConstraints(max_length=200), AfterValidator(_one_line)]
Month = Annotated[float, Field(ge=0, le=MAX_MONTH, allow_inf_nan=False,
                               description=f"months from diagnosis (0 to {MAX_MONTH})")]
LineNumber = Annotated[int, Field(ge=1, le=MAX_LINES, description="a treatment line, counted from 1")]
Reviewed = Annotated[str, StringConstraints(pattern=r"^20\d\d-(0[1-9]|1[0-2])$")]


def _https(value: str) -> str:
    if not re.match(r"^https://[^\s<>\"']+$", value):
        raise ValueError("must be an https:// address")
    return value


Url = Annotated[str, AfterValidator(_https)]


# Enumerations with their labels, in one place: a value is valid exactly when it has a label
# (and, for regions, a place on the body map), so a new value cannot validate and then crash the build.
TOPICS = {
    "drugs": "Drugs",
    "antigens": "Antigens",
    "em-sites": "Extramedullary sites",
    "transplant": "Transplant",
    "response-assessment": "Response assessment",
}
REGIONS = {  # region -> (label, where the body map marks a site without its own `map`, on a 200 x 420 figure)
    "head-and-neck": ("Head and neck", (100, 50)), "central-nervous-system": ("Central nervous system", (100, 18)),
    "eye": ("Eye", (90, 36)), "thorax": ("Thorax", (100, 112)), "breast": ("Breast", (122, 124)),
    "abdomen": ("Abdomen", (100, 170)), "pelvis": ("Pelvis", (100, 215)), "skin": ("Skin", (140, 200)),
    "musculoskeletal": ("Muscle and bone", (118, 262)), "lymph-nodes": ("Lymph nodes", (86, 76)),
    "spine": ("Spine", (100, 134)), "limbs": ("Limbs", (84, 300)),
}


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ----------------------------------------------------------------- reference


class Reference(Model):
    """What every reference entry records about where its statements come from."""

    sources: list[Short] = Field(min_length=1, description="labels, guidelines or papers (with year) the entry was checked against")
    reviewed: Reviewed = Field(description="the month the entry was last reviewed against its sources, YYYY-MM")


class Drug(Reference):
    name: Short
    abbreviations: list[Short] = []
    brand_names: list[Short] = []
    drug_class: Short = Field(alias="class")
    targets: list[Slug] = Field([], description="antigen ids the drug is directed against")
    target: Short | None = Field(None, description="what it acts on, in words, when that is not an antigen entry (e.g. 'IL-6 receptor')")
    mechanism: Text
    status_in_all: Text | None = Field(None, description="licensed or off-label in ALL, FDA and EMA, as of the review month")
    boxed_warnings: list[Text] = Field([], description="every current US boxed warning, in your own words")
    warnings: list[Text] = Field([], description="other label warnings a prescriber must know")
    interactions: list[Text] = []
    administration: list[Text] = Field([], description="administration hazards a nurse or pharmacist must know")
    toxicities: list[Short] = []


class Component(Model):
    drug: Slug
    route: Short = Field(description="as the regimen gives it: IV, oral, intrathecal ...")
    phase: Short | None = None


class Regimen(Reference):
    name: Short
    aliases: list[Short] = []
    components: list[Component] = Field([], description="component drugs with route and phase; empty when no source lists them")
    description: Text

    @property
    def drug_ids(self) -> list[str]:
        """Each component drug once, in order."""
        return list(dict.fromkeys(c.drug for c in self.components))


class Antigen(Reference):
    name: Short
    aliases: list[Short] = []
    description: Text
    expressed_on: Text


class Site(Reference):
    name: Short
    aliases: list[Short] = []
    region: Literal[tuple(REGIONS)]  # type: ignore[valid-type]
    description: Text | None = None
    map: tuple[Annotated[int, Field(ge=0, le=200)], Annotated[int, Field(ge=0, le=420)]] | None = Field(
        None, description="where the body map marks this site: [x, y] on a 200 x 420 figure, head at the top")


class Term(Reference):
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


NOT_STATED = "not stated"  # the explicit value for a dose the source does not give
Route = Literal["intravenous", "subcutaneous", "oral", "intrathecal", "intramuscular"]


class DrugUse(Model):
    drug: Slug
    dose: Short = Field(description=f"the dose as printed in the source, or '{NOT_STATED}'")
    route: Route | None = Field(None, description="where the source says it")
    schedule: Short | None = None


class SupportiveUse(Model):
    """A drug given for a complication or for support (defibrotide for VOD/SOS, tocilizumab for CRS)."""

    drug: Slug
    purpose: Short = Field(description="what it was given for, e.g. 'treatment of VOD/SOS'")
    when: Short
    dose: Short = Field(description=f"the dose as printed in the source, or '{NOT_STATED}'")
    route: Route | None = None
    line: LineNumber | None = Field(None, description="the treatment line it accompanied, counted from 1")


class Reading(Model):
    """One reading of a response; a second one where the source contradicts itself."""

    category: ResponseCategory
    mrd: MRD = MRD.not_reported
    text: Text


class Response(Reading):
    other_reading: Reading | None = Field(None, description="the source's other reading, where it contradicts itself")


class TreatmentLine(Model):
    setting: Short
    when: Short
    month: Month | None = Field(None, description="months from diagnosis at the start, where it can be worked out")
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
    month: Month | None = None
    after_line: LineNumber = Field(description="the treatment line it followed, counted from 1")
    donor: Short
    conditioning: list[DrugUse] = []
    conditioning_note: Short | None = None
    gvhd_prophylaxis: list[DrugUse] = []
    text: Text
    complications: list[Text] = []


class TimelineEvent(Model):
    month: Month | None = None
    approximate: bool = False
    when: Short
    event: Text


class Outcome(Model):
    status: Literal["alive in remission", "alive with disease", "on treatment", "died", "not reported"]
    text: Text
    follow_up: Short | None = None


_ANCHOR = re.compile(r"(presentation|diagnosis|em_sites|timeline|outcome|discussion|treatment\[\d{1,2}\]|transplants\[\d{1,2}\])")


def _anchor(value: str) -> str:
    if not _ANCHOR.fullmatch(value):
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

    @field_validator("options")
    @classmethod
    def _one_key_distinct_texts(cls, options: list[Option]) -> list[Option]:
        problems = []
        correct = sum(o.correct for o in options)
        if correct != 1:
            problems.append(((), f"needs exactly one correct option, found {correct}"))
        seen: dict[str, int] = {}
        for k, option in enumerate(options):
            key = option.text.casefold()
            if key in seen:
                problems.append(((k, "text"), f"same text as option {seen[key]}"))
            seen.setdefault(key, k)
        if problems:
            raise RuleError(problems)
        return options


class Objective(Model):
    id: Slug
    text: Short
    topic: Literal[tuple(TOPICS)]  # type: ignore[valid-type]
    attribution: Short | None = Field(None, description="who stated this objective, when it comes from the source")
    questions: list[Question] = Field(min_length=2)


class Credits(Model):
    written_by: list[Short] = Field(min_length=1, description="who wrote the case file")
    reviewed_by: list[Short] = Field([], description="who reviewed it, e.g. a named clinician or 'EM-ALL clinical review, 2026-11'")


class Acknowledgement(Model):
    """A reviewed warning: the check's code, the text it matched (or none: the whole check), and why it is fine."""

    check: Annotated[str, StringConstraints(pattern=r"^(deid|care|quiz|glossary):[a-z-]+$")]
    match: Short | None = None
    reason: Text


OBJECTIVES = (2, 4)  # learning objectives per case: the one rule, read by docs, scaffold and schema


class Case(Model):
    title: Short
    summary: Text
    credits: Credits
    source: Source
    patient: Patient
    presentation: Presentation
    diagnosis: Diagnosis
    em_sites: list[EMSite] = Field(min_length=1)
    timeline: list[TimelineEvent] = Field(min_length=1)
    treatment: list[TreatmentLine] = Field(min_length=1, max_length=MAX_LINES)
    transplants: list[Transplant] = []
    supportive: list[SupportiveUse] = Field([], description="drugs given for a complication or for support")
    outcome: Outcome
    annotations: list[Annotation] = []
    discussion: Text
    lessons: list[Text] = Field(min_length=1)
    patient_perspective: Text | None = Field(None, description="the patient's own view, where the source gives it")
    source_notes: list[SourceNote] = []
    objectives: list[Objective] = Field(min_length=OBJECTIVES[0], max_length=OBJECTIVES[1])
    acknowledged: list[Acknowledgement] = Field([], description="warnings reviewed and accepted, with the reason")

    # Rules across fields. Each is a field validator reading the fields validated before it
    # (``info.data``), so it runs whenever those are valid, whatever else in the file is wrong.

    @field_validator("transplants")
    @classmethod
    def _transplants_in_order(cls, transplants: list[Transplant], info: ValidationInfo) -> list[Transplant]:
        lines = info.data.get("treatment")
        if lines is None:
            return transplants
        problems = []
        for i, tx in enumerate(transplants):
            if tx.after_line > len(lines):
                problems.append(((i, "after_line"), f"the case has {len(lines)} treatment line(s); after_line counts them from 1"))
                continue
            before, after = lines[tx.after_line - 1].month, (lines[tx.after_line].month if tx.after_line < len(lines) else None)
            if tx.month is not None and before is not None and tx.month < before:
                problems.append(((i, "month"), f"month {tx.month:g} is before line {tx.after_line} (month {before:g}), which it follows"))
            if tx.month is not None and after is not None and tx.month > after:
                problems.append(((i, "month"), f"month {tx.month:g} is after line {tx.after_line + 1} (month {after:g}), which follows it"))
        if problems:
            raise RuleError(problems)
        return transplants

    @field_validator("supportive")
    @classmethod
    def _supportive_lines_exist(cls, uses: list[SupportiveUse], info: ValidationInfo) -> list[SupportiveUse]:
        lines = info.data.get("treatment")
        problems = [((i, "line"), f"the case has {len(lines)} treatment line(s), counted from 1")
                    for i, use in enumerate(uses) if lines is not None and use.line and use.line > len(lines)]
        if problems:
            raise RuleError(problems)
        return uses

    @field_validator("annotations")
    @classmethod
    def _annotations_point_at_the_story(cls, notes: list[Annotation], info: ValidationInfo) -> list[Annotation]:
        problems = []
        for i, note in enumerate(notes):
            m = re.fullmatch(r"(treatment|transplants)\[(\d+)\]", note.at)
            items = info.data.get(m.group(1)) if m else None
            if m and items is not None and int(m.group(2)) >= len(items):
                problems.append(((i, "at"), f"'{note.at}' does not exist: the case has {len(items)} {m.group(1)} entries (counted from 0)"))
        if problems:
            raise RuleError(problems)
        return notes

    @field_validator("objectives")
    @classmethod
    def _quiz_ids_unique(cls, objectives: list[Objective]) -> list[Objective]:
        problems, seen = [], {}
        for i, o in enumerate(objectives):
            for loc, item_id in [((i, "id"), o.id)] + [((i, "questions", j, "id"), q.id) for j, q in enumerate(o.questions)]:
                if item_id in seen:
                    problems.append((loc, f"id '{item_id}' is used twice in this case"))
                seen.setdefault(item_id, loc)
        if problems:
            raise RuleError(problems)
        return objectives

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
