"""One derived record per case: every fact the pages, filters, figures, open data, search and
tests need that is not written verbatim in the case file, computed once when the catalog is
indexed.

The roles of a drug are kept apart, because they teach different things:

- ``named``: the source names it in a treatment line (the patient received it);
- ``by_regimen``: a component of a regimen the source names, where the source does not list the
  drugs (the patient probably received it, but the source does not say so);
- ``supportive``: given for a complication or for support (defibrotide for VOD/SOS);
- ``transplant``: transplant conditioning or GVHD prophylaxis;
- ``discussed``: only discussed in a teaching note (the patient did not receive it in the story).

Filters, tags and the drug counts read ``received`` (named, supportive, transplant); a regimen's
components are reached through the regimen filter and are shown on drug pages in their own row.
"""

from __future__ import annotations

from dataclasses import dataclass

from .checks import CareItem, care_items
from .model import MRD, Case, Reading, Regimen

ANTIGEN_RESULTS = ("positive", "negative", "dim", "unclear")


@dataclass(frozen=True)
class DrugRole:
    drug: str
    role: str  # named | by_regimen | supportive | transplant | discussed
    context: str  # "line 2: second relapse", "conditioning", "treatment of VOD/SOS", a note's title
    line: int | None = None  # the treatment line, counted from 1
    response: str | None = None


@dataclass(frozen=True)
class LineResponse:
    line: int
    category: str
    mrd: str
    other: Reading | None  # the source's other reading, where it contradicts itself

    @property
    def short(self) -> str:
        text = self.category + (f" (MRD{'-' if self.mrd == 'negative' else '+'})" if self.mrd != MRD.not_reported.value else "")
        if self.other is not None:
            text += f" or {self.other.category.value}"
        return text


@dataclass(frozen=True)
class CaseFacts:
    slug: str
    drug_roles: tuple[DrugRole, ...]
    regimens: tuple[str, ...]
    sites: tuple[str, ...]  # EM sites with disease, in order
    sites_discussed: tuple[str, ...]  # only in teaching notes
    antigens: dict[str, tuple[str, ...]]  # result -> antigen ids, over all samples
    antigens_discussed: tuple[str, ...]
    responses: tuple[LineResponse, ...]
    story: tuple[tuple[str, int], ...]  # ("line", n) and ("transplant", i) in the order they happened
    care: tuple[CareItem, ...]

    def drugs(self, *roles: str) -> list[str]:
        """Drug ids with any of ``roles``, each once, in order of first mention."""
        return list(dict.fromkeys(r.drug for r in self.drug_roles if r.role in roles))

    @property
    def received(self) -> list[str]:
        """Drugs the source says the patient received: the filters, tags and counts use these."""
        return self.drugs("named", "supportive", "transplant")

    @property
    def all_drugs(self) -> list[str]:
        """Every drug of the case, whatever its role (search keywords)."""
        return self.drugs("named", "by_regimen", "supportive", "transplant", "discussed")

    @property
    def all_antigens(self) -> list[str]:
        return list(dict.fromkeys([a for r in ANTIGEN_RESULTS for a in self.antigens[r]] + list(self.antigens_discussed)))

    @property
    def final(self) -> LineResponse:
        return self.responses[-1]


def case_facts(slug: str, case: Case, regimens: dict[str, Regimen]) -> CaseFacts:
    roles: list[DrugRole] = []
    for number, line in enumerate(case.treatment, 1):
        context, response = f"line {number}: {line.setting}", line.response.category.value
        named = [use.drug for use in line.drugs]
        roles += [DrugRole(d, "named", context, number, response) for d in named]
        if line.regimen:
            name = regimens[line.regimen].name
            roles += [DrugRole(d, "by_regimen", f"{context} (component of {name})", number, response)
                      for d in regimens[line.regimen].drug_ids if d not in named]
    for tx in case.transplants:
        roles += [DrugRole(u.drug, "transplant", "transplant conditioning") for u in tx.conditioning]
        roles += [DrugRole(u.drug, "transplant", "GVHD prophylaxis") for u in tx.gvhd_prophylaxis]
    roles += [DrugRole(u.drug, "supportive", u.purpose, u.line) for u in case.supportive]
    given = {r.drug for r in roles}
    for note in case.annotations:
        roles += [DrugRole(d, "discussed", f"teaching note: {note.title}") for d in note.drugs if d not in given]
        given.update(note.drugs)

    sites = tuple(dict.fromkeys(em.site for em in case.em_sites))
    antigens = {r: tuple(dict.fromkeys(a for s in case.diagnosis.immunophenotype for a in getattr(s, r)))
                for r in ANTIGEN_RESULTS}
    typed = {a for ids in antigens.values() for a in ids}
    responses = tuple(LineResponse(n, line.response.category.value, line.response.mrd.value, line.response.other_reading)
                      for n, line in enumerate(case.treatment, 1))
    return CaseFacts(
        slug=slug, drug_roles=tuple(roles),
        regimens=tuple(dict.fromkeys(line.regimen for line in case.treatment if line.regimen)),
        sites=sites,
        sites_discussed=tuple(dict.fromkeys(s for n in case.annotations for s in n.sites if s not in sites)),
        antigens=antigens,
        antigens_discussed=tuple(dict.fromkeys(a for n in case.annotations for a in n.antigens if a not in typed)),
        responses=responses, story=_story(case), care=tuple(care_items(case)),
    )


def _story(case: Case) -> tuple[tuple[str, int], ...]:
    """Lines and transplants in the order they happened: a transplant right after the line it
    followed (``after_line``)."""
    placed: dict[int, list[int]] = {}
    for i, tx in enumerate(case.transplants):
        placed.setdefault(tx.after_line, []).append(i)
    out: list[tuple[str, int]] = []
    for number in range(1, len(case.treatment) + 1):
        out.append(("line", number))
        out += [("transplant", i) for i in placed.get(number, [])]
    return tuple(out)
