"""What a case holds, read straight from its parsed YAML (the pydantic model): the tests' oracle.

Written apart from macros/facts.py on purpose, so a test compares the built site (and the
derived record) with the case file, not with the function that produced the page.
"""

from __future__ import annotations

from macros.model import Case

RESULTS = ("positive", "negative", "dim", "unclear")


def unique(items) -> list:
    return list(dict.fromkeys(items))


def named_drugs(case: Case) -> list[str]:
    """Drugs a treatment line lists by name."""
    return unique(use.drug for line in case.treatment for use in line.drugs)


def transplant_drugs(case: Case) -> list[str]:
    return unique(use.drug for tx in case.transplants for use in [*tx.conditioning, *tx.gvhd_prophylaxis])


def supportive_drugs(case: Case) -> list[str]:
    return unique(use.drug for use in case.supportive)


def received(case: Case) -> set[str]:
    """Drugs the source says the patient received: named, for transplant, or supportive."""
    return set(named_drugs(case)) | set(transplant_drugs(case)) | set(supportive_drugs(case))


def by_regimen(case: Case, regimens) -> set[str]:
    """Components of a named regimen that the same line does not also name."""
    return {d for line in case.treatment if line.regimen
            for d in (c.drug for c in regimens[line.regimen].components) if d not in {u.drug for u in line.drugs}}


def discussed_drugs(case: Case, regimens) -> set[str]:
    """Drugs only a teaching note names."""
    given = received(case) | by_regimen(case, regimens)
    return {d for note in case.annotations for d in note.drugs} - given


def regimens(case: Case) -> set[str]:
    return {line.regimen for line in case.treatment if line.regimen}


def sites(case: Case) -> set[str]:
    """Sites with disease (em_sites), not those only discussed in a note."""
    return {em.site for em in case.em_sites}


def sites_discussed(case: Case) -> set[str]:
    return {s for note in case.annotations for s in note.sites} - sites(case)


def antigens(case: Case, result: str) -> set[str]:
    return {a for sample in case.diagnosis.immunophenotype for a in getattr(sample, result)}


def antigens_typed(case: Case) -> set[str]:
    return set().union(*(antigens(case, r) for r in RESULTS))


def antigens_all(case: Case) -> set[str]:
    return antigens_typed(case) | {a for note in case.annotations for a in note.antigens}


def last_month(case: Case) -> float:
    """The last event with a stated month (lines, transplants, timeline): where a swimmer lane ends."""
    months = [x.month for x in [*case.treatment, *case.transplants, *case.timeline] if x.month is not None]
    return max(months or [0])


def dated_events(case: Case) -> int:
    return sum(1 for x in [*case.treatment, *case.transplants, *case.timeline] if x.month is not None)


def questions(case: Case) -> int:
    return sum(len(o.questions) for o in case.objectives)
