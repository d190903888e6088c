#!/usr/bin/env python3
"""Start a new case: write cases/<slug>.yml with every field listed and explained.

    python scripts/new_case.py --slug smith-2021-case-1-orbit --case-label "Case 1" \\
        --kind "journal article" --licence "CC BY 4.0" --doi 10.1000/xyz123

Run in a terminal, it asks for what is missing. Required fields are left blank, so
`python scripts/validate.py cases/<slug>.yml` lists each one until it is filled in.
"""

from __future__ import annotations

import argparse
import enum
import json
import re
import sys
import typing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable without installing the package

from pydantic import ValidationError  # noqa: E402

from macros import model  # noqa: E402


class Choices:
    """{choices[Patient.sex]} in the template gives 'female | male', read from the model (no drift)."""

    def __getitem__(self, key: str) -> str:
        model_name, field = key.split(".")
        kind = getattr(model, model_name).model_fields[field].annotation  # an Enum or a Literal
        return " | ".join([m.value for m in kind] if isinstance(kind, enum.EnumMeta) else typing.get_args(kind))


KINDS = typing.get_args(model.Source.model_fields["kind"].annotation)
# (option = Source field it fills, help and prompt, required, hint shown when the value is wrong)
OPTIONS = [
    ("slug", "slug: file name and web address", True, "use lower-case letters, digits and hyphens, e.g. smith-2021-case-1"),
    ("title", "title of the paper, as printed", False, None),
    ("authors", 'authors as printed, separated by ";", e.g. "Smith AB; Jones C"', False, None),
    ("journal", "journal, as printed", False, None),
    ("year", "year of publication", False, None),
    ("doi", "DOI, e.g. 10.1186/s12885-018-5026-x", False, "a DOI looks like 10.1186/s12885-018-5026-x (no https://doi.org/)"),
    ("pmid", "PMID, digits only", False, "a PMID is digits only, e.g. 30442119"),
    ("pmcid", "PMCID, e.g. PMC6238377", False, "a PMCID is PMC followed by digits, e.g. PMC6238377"),
    ("case_label", "which case of the paper this is, e.g. Case 1", True, None),
    ("kind", f"kind of source: {' | '.join(KINDS)}", True, None),
    ("licence", "the source's licence, e.g. CC BY 4.0, or: not stated in the source", True, None),
]

OPTION = """\
          - text:   # required: one answer, short
            correct: {}  # optional (default false): true on exactly one option per question
            explanation:  # required: why this option is right or wrong
"""
QUESTION = """\
      - id:         # required: unique across the whole site, e.g. smith21-q-{}
        stem:       # required: the question; a short clinical vignette works well
        options:    # required: 4 or 5 options, exactly one correct, each explained
"""
DRUG = """\
      - drug:       # required: drug id from reference/drugs.yml, e.g. inotuzumab-ozogamicin
        dose:       # optional: exactly as printed in the source, units included
        schedule:   # optional: as printed, e.g. weekly, days 1, 8 and 15
"""
QUESTIONS = "".join(QUESTION.format(n) + OPTION.format("true ") + OPTION.format("false") * 3 for n in (1, 2))

TEMPLATE = """\
# yaml-language-server: $schema=../schema/case.schema.json
# New case '{slug}': fill in every blank "required" field (guide: CONTRIBUTING.md), then check it with
#     python scripts/validate.py cases/{slug}.yml
# Optional fields may stay blank ([] for lists); delete an example list item you do not need. Own
# words, facts only from the source, months from diagnosis (a calendar year at most), no names,
# initials, exact dates or institutions. Long text: write >- after the colon, text indented below.

title:              # required: one line (up to 200 characters), own words: disease, EM sites, key drug
summary:            # required: the whole case in 3-5 sentences, own words

source:             # required: the published report (filled from the citation you gave)
  authors: {authors}  # optional: as printed, e.g. [Smith AB, Jones C]; [] when none are named
  title: {title}  # optional: the paper's title, as printed
  journal: {journal}  # optional: as printed
  year: {year}  # optional: year of publication
  citation:         # optional: volume and pages as printed, in quotes, e.g. "18:1117"
  doi: {doi}  # optional: e.g. 10.1186/s12885-018-5026-x
  pmid: {pmid}  # optional: digits only, in quotes, e.g. "30442119"
  pmcid: {pmcid}  # optional: e.g. PMC6238377
  url:              # optional: https:// address of the source, when it has no DOI
  case_label: {case_label}  # required: which case of the paper this is, e.g. Case 1
  kind: {kind}  # required: {choices[Source.kind]}
  licence: {licence}  # required: the source's licence (e.g. CC BY 4.0), or "not stated in the source"
  description:      # optional: what the source is, when it has no full citation
  consent:          # optional: what the source says about the patient's consent to publication

patient:            # required
  age:              # required: whole years at diagnosis; over 89 is not allowed (de-identification)
  sex:              # required: {choices[Patient.sex]}
  history: []       # optional: earlier illnesses that matter to the case, one sentence per item
  background:       # optional: other relevant background, as stated in the source

presentation:       # required
  text:             # required: how the patient came to medical attention, as stated in the source
  findings:         # optional: key results at presentation; [] when the source gives none
    - name:         # required: the test, e.g. Hb, WBC, LDH
      value:        # required: the result with units as printed, e.g. 7.3 g/dL

diagnosis:          # required
  disease:          # required: as stated in the source, e.g. B-cell acute lymphoblastic leukaemia (B-ALL)
  year:             # optional: calendar year of diagnosis (never a finer date)
  philadelphia:     # required: {choices[Diagnosis.philadelphia]}
  bcr_abl1:         # optional: BCR-ABL1 result as printed, e.g. p190 transcript
  karyotype:        # optional: as printed
  genetics: []      # optional: other genetic findings, one per item
  immunophenotype:  # optional: one item per sample tested; [] when the source gives none
    - sample:       # required: what was tested and when, e.g. bone marrow at diagnosis
      positive: []  # optional: antigen ids from reference/antigens.yml, e.g. [cd19, cd22]
      negative: []  # optional: antigen ids
      dim: []       # optional: antigen ids reported as dim or weak
      unclear: []   # optional: antigen ids printed without a clear status; explain in source_notes
      detail:       # optional: anything else about this sample
  text:             # optional: anything else about the diagnosis

em_sites:           # required: at least one item, one per extramedullary site
  - site:           # required: site id from reference/sites.yml, e.g. pancreas
    shown_by: []    # required: how it was shown, at least one, e.g. [PET-CT, biopsy]
    when:           # required: e.g. at diagnosis, first relapse, after IO course 1
    detail:         # optional: size, SUVmax, what the biopsy showed ...

timeline:           # required: the story in order, one item per event (copy the item for more)
  - month:          # optional: months from diagnosis (0 = diagnosis), when it can be worked out
    approximate: false  # optional (default false): true when month is an estimate
    when:           # required: the moment in words, e.g. diagnosis, after 1.5 years in remission
    event:          # required: what happened, one or two sentences

treatment:          # required: one item per line of treatment, in order
  - setting:        # required: e.g. first-line, first relapse, second relapse
    when:           # required: e.g. from diagnosis, about 18 months from diagnosis
    month:          # optional: months from diagnosis at the start of this line
    regimen:        # optional: regimen id from reference/regimens.yml, e.g. hyper-cvad
    drugs:          # optional: each drug given; a line needs a regimen, drugs or other
{drug}    other: []       # optional: non-drug parts, e.g. [radiotherapy 24 Gy, intrathecal prophylaxis]
    cycles:         # optional: as printed, e.g. 2 cycles
    text:           # optional: why this treatment was chosen, anything else
    response:       # required
      category:     # required: {choices[Response.category]} (NE = not evaluated or not reported)
      mrd: not-reported  # optional: {choices[Response.mrd]}
      text:         # required: the response as stated in the source (marrow, imaging, MRD method)
    adverse_events: []  # optional: one per item, as stated in the source

transplants:        # optional: one item per transplant; delete the item and write [] if none
  - kind:           # required: {choices[Transplant.kind]}
    when:           # required: e.g. in second CR, about 4 years from diagnosis
    month:          # optional: months from diagnosis
    donor:          # required: e.g. matched unrelated donor, or: not stated in the source
    conditioning:   # optional: conditioning drugs, like treatment drugs
{drug}    conditioning_note:  # optional: e.g. myeloablative, TBI-based
    gvhd_prophylaxis:   # optional: GVHD prophylaxis drugs
{drug}    text:           # required: the transplant as stated in the source
    complications: []  # optional: one per item, e.g. acute skin GVHD grade II

outcome:            # required
  status:           # required: {choices[Outcome.status]}
  text:             # required: the state at last follow-up, as stated in the source
  follow_up:        # optional: how long, relative, e.g. 12 months from transplant

annotations:        # optional: teaching notes, each attached to one moment of the story
  - at:             # required: presentation | diagnosis | em_sites | timeline | treatment[N] | transplants[N] | outcome | discussion (N counts from 0)
    title:          # required: the point, in a few words
    text:           # required: the teaching note, 2-4 sentences
    drugs: []       # optional: drug ids the note discusses
    antigens: []    # optional: antigen ids the note discusses
    sites: []       # optional: site ids the note discusses

discussion:         # required: what the authors conclude, in your own words, and its limits
lessons:            # required: at least one take-away, one per item
  -                 # one take-away; add a "- " line for each further one

patient_perspective:  # optional: the patient's own view, only where the source gives it

source_notes:       # optional: where the source contradicts itself or is unclear; record both readings
  - about:          # required: what the note is about, e.g. IO doses
    text:           # required: what each part of the source says, and what this page follows

objectives:         # optional (up to 4): learning objectives, each with 2 or more questions
  - id:             # required: unique across the whole site, e.g. smith21-cd22-choice
    text:           # required: what the reader will be able to do
    topic:          # required: {choices[Objective.topic]}
    attribution:    # optional: who stated this objective, when it comes from the source
    questions:      # required: at least 2 single-best-answer questions
{questions}
acknowledged:       # optional: validate warnings you reviewed and accept; delete the item and write [] if none
  - check:          # required: the code the warning names, e.g. care:informed-consent or deid:initials
    match:          # optional: the text the warning quoted; blank to accept the whole check
    reason:         # required: why it is fine, e.g. the source does not report it
"""


def split_authors(text: str | None) -> list[str]:
    return [a.strip() for a in (text or "").split(";") if a.strip()]


def render(v: dict) -> str:
    """The commented skeleton, with the citation as YAML double-quoted strings."""
    q = {k: json.dumps(x, ensure_ascii=False) if x else "" for k, x in v.items()}
    authors = "[" + ", ".join(json.dumps(a, ensure_ascii=False) for a in split_authors(v["authors"])) + "]"
    return TEMPLATE.format(**{**q, "slug": v["slug"], "year": v["year"] or "", "authors": authors},
                           choices=Choices(), drug=DRUG, questions=QUESTIONS)


def check(name: str, value: str) -> str | None:
    """Why ``value`` will not do for option ``name``; None when it is fine."""
    hint = next(h for n, _, _, h in OPTIONS if n == name)
    if name == "slug":
        return None if re.match(model.SLUG_RE, value) else f"--slug: '{value}' is not a slug: {hint}"
    data = {"case_label": "x", "kind": KINDS[0], "licence": "x"}  # stand-ins for the other required fields
    data[name] = split_authors(value) if name == "authors" else value
    try:
        model.Source.model_validate(data)  # the model's own rules, so the same patterns as validate.py
    except ValidationError as e:
        message = hint or e.errors()[0]["msg"].removeprefix("Value error, ")
        return f"--{name.replace('_', '-')}: '{value}' is not valid: {message}"
    return None


def ask(name: str, prompt: str, required: bool) -> str | None:
    while True:
        value = input(f"{prompt[0].upper()}{prompt[1:]}{'' if required else ' (optional, Enter to skip)'}: ").strip()
        if not value and not required:
            return None
        problem = check(name, value) if value else "this one is required"
        if problem is None:
            return value
        print(f"  {problem}")


def fail(messages: list[str], code: int) -> int:
    for message in messages:
        print(f"new_case.py: error: {message}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=(
        "Required: --slug, --case-label, --kind, --licence; in a terminal you are asked for missing values."))
    for name, prompt, _, _ in OPTIONS:
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name, metavar="TEXT", help=prompt)
    parser.add_argument("--root", type=Path, default=ROOT, help="project folder (default: this checkout)")
    args = vars(parser.parse_args(argv))
    values = {name: (args[name] or "").strip() or None for name, *_ in OPTIONS}

    if problems := [p for name, value in values.items() if value and (p := check(name, value))]:
        return fail(problems, 2)
    missing = [name for name, _, required, _ in OPTIONS if required and not values[name]]
    if missing and not sys.stdin.isatty():
        flags = ", ".join("--" + n.replace("_", "-") for n in missing)
        return fail([f"missing required value(s): {flags} (give them as options, or run in a terminal to be asked)"], 2)
    if missing:
        print("A new case. Give the source's details (Ctrl-C to stop).")
        try:
            for name, prompt, required, _ in OPTIONS:
                values[name] = values[name] or ask(name, prompt, required)
        except (KeyboardInterrupt, EOFError):
            return fail(["stopped; nothing was written"], 1)

    root = args["root"].resolve()
    if not (root / "cases").is_dir():
        return fail([f"{root} has no cases/ folder: run this in the repository, or give --root"], 1)
    rel = f"cases/{values['slug']}.yml"
    try:
        with (root / rel).open("x", encoding="utf-8", newline="\n") as f:  # "x": never overwrite
            f.write(render(values))
    except FileExistsError:
        return fail([f"{rel} already exists; not overwriting it. Edit that file, or choose another --slug."], 1)
    print(f"""Wrote {rel}. Next:
  1. Fill it in from the source, in your own words (CONTRIBUTING.md explains every field).
  2. Check it:    python scripts/validate.py {rel}
  3. Preview it:  mkdocs serve   then open http://127.0.0.1:8000/cases/{values['slug']}/""")
    return 0


if __name__ == "__main__":
    sys.exit(main())
