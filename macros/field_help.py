"""What to write in each field of a case: one sentence per field, for people.

The scaffold (scripts/new_case.py) prints it as the field's comment and the JSON Schema
(schema.py) shows it on hover. A field the model describes (``Field(description=...)``) and
that has no entry here uses the model's description; a field with neither gets a plain
description of its type, so a field added to the model is never left unexplained. Limits
(2-4 objectives, ages 0-89) are read from the model, so there is one rule everywhere.
"""

from __future__ import annotations

import enum
import typing

from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import BaseModel

from . import model as m

HELP: dict[str, str] = {
    "Case.title": "one line (up to 200 characters), own words: disease, EM sites, key drug",
    "Case.summary": "the whole case in 3-5 sentences, own words",
    "Case.credits": "who wrote and who reviewed this case file",
    "Case.source": "the published report (filled from the citation you gave)",
    "Case.em_sites": "one item per extramedullary site",
    "Case.timeline": "the story in order, one item per event (copy the item for more)",
    "Case.treatment": "one item per line of treatment, in order",
    "Case.transplants": "one item per transplant",
    "Case.annotations": "teaching notes, each attached to one moment of the story",
    "Case.discussion": "what the authors conclude, in your own words, and its limits",
    "Case.lessons": "take-away points, one per item",
    "Case.source_notes": "where the source contradicts itself or is unclear; record both readings",
    "Case.acknowledged": "warnings you reviewed and accept, each with the reason",
    "Source.authors": 'as printed, e.g. [Smith AB, Jones C]; [] when none are named',
    "Source.title": "the paper's title, as printed",
    "Source.journal": "as printed",
    "Source.year": "year of publication",
    "Source.citation": 'volume and pages as printed, in quotes, e.g. "18:1117"',
    "Source.doi": "e.g. 10.1186/s12885-018-5026-x",
    "Source.pmid": 'digits only, in quotes, e.g. "30442119"',
    "Source.pmcid": "e.g. PMC6238377",
    "Source.url": "https:// address of the source, when it has no DOI",
    "Source.licence": 'the source\'s licence (e.g. CC BY 4.0), or "not stated in the source"',
    "Patient.history": "earlier illnesses that matter to the case, one sentence per item",
    "Patient.background": "other relevant background, as stated in the source",
    "Presentation.text": "how the patient came to medical attention, as stated in the source",
    "Presentation.findings": "key results at presentation; [] when the source gives none",
    "Finding.name": "the test, e.g. Hb, WBC, LDH",
    "Finding.value": "the result with units as printed, e.g. 7.3 g/dL",
    "Diagnosis.disease": "as stated in the source, e.g. B-cell acute lymphoblastic leukaemia (B-ALL)",
    "Diagnosis.year": "calendar year of diagnosis (never a finer date)",
    "Diagnosis.bcr_abl1": "BCR-ABL1 result as printed, e.g. p190 transcript",
    "Diagnosis.karyotype": "as printed",
    "Diagnosis.genetics": "other genetic findings, one per item",
    "Diagnosis.immunophenotype": "one item per sample tested; [] when the source gives none",
    "Diagnosis.text": "anything else about the diagnosis",
    "Immunophenotype.positive": "antigen ids from reference/antigens.yml, e.g. [cd19, cd22]",
    "Immunophenotype.negative": "antigen ids",
    "Immunophenotype.dim": "antigen ids reported as dim or weak",
    "Immunophenotype.detail": "anything else about this sample",
    "EMSite.site": "site id from reference/sites.yml, e.g. pancreas",
    "EMSite.shown_by": "how it was shown, at least one, e.g. [PET-CT, biopsy]",
    "EMSite.when": "e.g. at diagnosis, first relapse, after IO course 1",
    "EMSite.detail": "size, SUVmax, what the biopsy showed ...",
    "TimelineEvent.month": "months from diagnosis (0 = diagnosis), when it can be worked out",
    "TimelineEvent.approximate": "true when month is an estimate",
    "TimelineEvent.when": "the moment in words, e.g. diagnosis, after 1.5 years in remission",
    "TimelineEvent.event": "what happened, one or two sentences",
    "TreatmentLine.setting": "e.g. first-line, first relapse, second relapse",
    "TreatmentLine.when": "e.g. from diagnosis, about 18 months from diagnosis",
    "TreatmentLine.regimen": "regimen id from reference/regimens.yml, e.g. hyper-cvad",
    "TreatmentLine.drugs": "each drug given; a line needs a regimen, drugs or other",
    "TreatmentLine.other": "non-drug parts, e.g. [radiotherapy 24 Gy, surgery]",
    "TreatmentLine.cycles": "as printed, e.g. 2 cycles",
    "TreatmentLine.text": "why this treatment was chosen, anything else",
    "TreatmentLine.adverse_events": "one per item, as stated in the source",
    "DrugUse.drug": "drug id from reference/drugs.yml, e.g. inotuzumab-ozogamicin",
    "DrugUse.schedule": "as printed, e.g. weekly, days 1, 8 and 15",
    "SupportiveUse.drug": "drug id from reference/drugs.yml, e.g. defibrotide",
    "SupportiveUse.when": "e.g. after transplant, during line 2",
    "Reading.text": "the response as stated in the source (marrow, imaging, MRD method)",
    "Response.text": "the response as stated in the source (marrow, imaging, MRD method)",
    "Transplant.when": "e.g. in second CR, about 4 years from diagnosis",
    "Transplant.month": "months from diagnosis",
    "Transplant.donor": "e.g. matched unrelated donor, or: not stated in the source",
    "Transplant.conditioning": "conditioning drugs, like treatment drugs",
    "Transplant.conditioning_note": "e.g. myeloablative, TBI-based",
    "Transplant.gvhd_prophylaxis": "GVHD prophylaxis drugs",
    "Transplant.text": "the transplant as stated in the source",
    "Transplant.complications": "one per item, e.g. acute skin GVHD grade II",
    "Outcome.text": "the state at last follow-up, as stated in the source",
    "Outcome.follow_up": "how long, relative, e.g. 12 months from transplant",
    "Annotation.at": ("presentation | diagnosis | em_sites | timeline | treatment[N] | transplants[N] | "
                      "outcome | discussion (N counts from 0)"),
    "Annotation.title": "the point, in a few words",
    "Annotation.text": "the teaching note, 2-4 sentences",
    "Annotation.drugs": "drug ids the note discusses",
    "Annotation.antigens": "antigen ids the note discusses",
    "Annotation.sites": "site ids the note discusses",
    "SourceNote.about": "what the note is about, e.g. IO doses",
    "SourceNote.text": "what each part of the source says, and what this page follows",
    "Objective.id": "unique across the whole site, e.g. smith21-cd22-choice",
    "Objective.text": "what the reader will be able to do",
    "Question.id": "unique across the whole site, e.g. smith21-q-1",
    "Question.stem": "the question; a short clinical vignette works well",
    "Option.text": "one answer, short",
    "Option.correct": "true on exactly one option per question",
    "Option.explanation": "why this option is right or wrong",
    "Acknowledgement.check": "the code the warning names, e.g. care:informed-consent or deid:initials",
    "Acknowledgement.match": "the text the warning quoted; blank to accept the whole check",
    "Acknowledgement.reason": "why it is fine, e.g. the source does not report it",
}


def _limits(info) -> dict[str, int]:
    out = {}
    for meta in info.metadata:
        for attr, cls in (("ge", Ge), ("le", Le), ("min_length", MinLen), ("max_length", MaxLen)):
            if isinstance(meta, cls):
                out[attr] = getattr(meta, attr)
    return out


def objectives_rule() -> str:
    low, high = m.OBJECTIVES
    return f"{low}–{high} learning objectives"


def age_rule() -> str:
    limits = _limits(m.Patient.model_fields["age"])
    return f"age {limits.get('ge', 0)}–{limits['le']} (ages over {limits['le']} not shown)"


def _special(owner: str, name: str) -> str | None:
    if (owner, name) == ("Case", "objectives"):
        return f"{objectives_rule()}, each with 2 or more questions"
    if (owner, name) == ("Patient", "age"):
        return f"whole years at diagnosis, {age_rule()}"
    if (owner, name) == ("Objective", "questions"):
        low = _limits(m.Objective.model_fields["questions"]).get("min_length", 1)
        return f"at least {low} single-best-answer questions"
    if (owner, name) == ("Question", "options"):
        limits = _limits(m.Question.model_fields["options"])
        return f"{limits['min_length']} or {limits['max_length']} options, exactly one correct, each explained"
    return None


def _type_words(annotation) -> str:
    """A plain description of a field's type, for a field nobody has described yet."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Union or str(origin) == "types.UnionType":
        return " or ".join(_type_words(a) for a in args if a is not type(None))
    if origin is list:
        return "a list: " + _type_words(args[0]) + " per item" if args else "a list"
    if typing.get_origin(annotation) is typing.Annotated:
        return _type_words(args[0])
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return (annotation.__doc__ or "").strip().split("\n")[0] or "the fields below"
        if issubclass(annotation, bool):
            return "true or false"
        if issubclass(annotation, int):
            return "a whole number"
        if issubclass(annotation, float):
            return "a number"
        if issubclass(annotation, enum.Enum):
            return "one of the values listed"
    return "text"


def help_for(owner: type[BaseModel], name: str) -> str:
    """What to write in field ``name`` of model ``owner``, in one line."""
    info = owner.model_fields[name]
    for cls in owner.__mro__:
        text = _special(cls.__name__, name) or HELP.get(f"{cls.__name__}.{name}")
        if text:
            return text
    if info.description:
        return info.description
    return _type_words(info.annotation)
