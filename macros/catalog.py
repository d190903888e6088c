"""The catalog: every case and reference entry, checked, with their indexes built once.

``load_catalog(root)`` returns a Catalog or raises CatalogError listing every problem in every
file (checking is in checking.py). ``get_catalog(root)`` memoizes it until a data file changes,
so the MkDocs hook and the macros share one parse per build. After indexing nothing changes it:
pages only read.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from .checking import check_all, file_stamp
from .facts import ANTIGEN_RESULTS, CaseFacts, case_facts
from .kinds import KINDS
from .load import Problem
from .model import Antigen, Case, Drug, Regimen, Site, Term


class CatalogError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.path, p.line))
        super().__init__("\n".join(map(str, self.problems)))


@dataclass(frozen=True)
class DrugMention:
    case: str
    context: str  # "line 2: second relapse", "transplant conditioning", ...
    response: str | None
    role: str = "named"  # see facts.DrugRole


@dataclass(frozen=True)
class AntigenMention:
    case: str
    result: str  # positive / negative / dim / unclear / discussed
    sample: str


@dataclass
class Catalog:
    root: Path
    cases: Mapping[str, Case]
    tables: Mapping[str, Mapping]  # reference folder ("drugs", ...) -> id -> entry
    warnings: list[Problem] = field(default_factory=list)
    checked: Mapping = field(default_factory=dict, repr=False)  # path -> (stamp, CaseFile), for the next load
    # Filled by _index(); every reference id is a key, so a page never adds one by looking.
    facts: Mapping[str, CaseFacts] = field(default_factory=dict)
    drug_cases: Mapping[str, tuple[DrugMention, ...]] = field(default_factory=dict)
    regimen_cases: Mapping[str, tuple[DrugMention, ...]] = field(default_factory=dict)
    antigen_cases: Mapping[str, tuple[AntigenMention, ...]] = field(default_factory=dict)
    site_cases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    drugs_by_target: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    regimens_by_drug: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    drugs = property(lambda self: self.tables["drugs"])  # Mapping[str, Drug]
    regimens = property(lambda self: self.tables["regimens"])  # Mapping[str, Regimen]
    antigens = property(lambda self: self.tables["antigens"])  # Mapping[str, Antigen]
    sites = property(lambda self: self.tables["sites"])  # Mapping[str, Site]
    glossary = property(lambda self: self.tables["glossary"])  # Mapping[str, Term]

    # The per-case questions pages ask, answered from the facts.
    def case_drugs(self, slug: str) -> list[str]:
        """Drugs the source says the patient received (named, supportive, transplant)."""
        return self.facts[slug].received

    def case_antigens(self, slug: str) -> list[str]:
        return self.facts[slug].all_antigens

    def case_regimens(self, slug: str) -> list[str]:
        return list(self.facts[slug].regimens)

    def case_sites(self, slug: str) -> list[str]:
        return list(self.facts[slug].sites)

    def positive_antigens(self, slug: str) -> list[str]:
        return list(self.facts[slug].antigens["positive"])


def load_catalog(root: Path | str, case_files: list[Path] | None = None, reuse: dict | None = None) -> Catalog:
    """Parse and check every data file under ``root``; raise CatalogError with all problems.
    ``reuse``: case files checked before, kept when unchanged (see checking.check_all)."""
    root = Path(root)
    reference, checked, problems = check_all(root, case_files, keep=True, reuse=reuse)
    if any(not p.warning for p in problems):
        raise CatalogError(problems)
    cases = {f.slug: f.case for f in checked if f.case is not None}
    catalog = Catalog(root, MappingProxyType(cases), MappingProxyType({k.folder: MappingProxyType(reference[k.folder]) for k in KINDS}))
    catalog.warnings = [p for p in problems if p.warning]
    catalog.checked = {f.source: (file_stamp(f.source), f) for f in checked}
    _index(catalog)
    return catalog


def data_stamp(root: Path) -> tuple:
    """What the catalog was read from: every file the checks look at (not only *.yml)."""
    return tuple(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size)
        for folder in ("cases", "reference") if (root / folder).is_dir()
        for p in sorted((root / folder).iterdir())
    )


def per_catalog(fn):
    """``fn(catalog)`` computed once per catalog, for what many pages read (the catalog is read-only,
    so the result stays true). Only the latest catalog's is kept: `mkdocs serve` loads a new one per
    rebuild."""
    last: list = [None, None]

    @functools.wraps(fn)
    def once(cat: Catalog):
        if last[0] is not cat:
            last[:] = [cat, fn(cat)]
        return last[1]
    return once


_cache: dict[Path, tuple[tuple, Catalog]] = {}


def has_catalog(root: Path | str) -> bool:
    return Path(root).resolve() in _cache


@contextlib.contextmanager
def paused_collector():
    """For the build (pages.py), around loading the catalog: a million-odd objects that live for
    the whole build and hold no cycles. Left to the cyclic collector, every full collection
    re-scans them (loading 5,000 cases took 32 s instead of 19). So no collection while loading,
    then everything alive is frozen out of later scans; a `serve` rebuild unfreezes first, so the
    previous catalog is freed as usual."""
    gc.unfreeze()
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.freeze()


def current_catalog(root: Path | str) -> Catalog:
    """The catalog ``get_catalog`` last returned for ``root``, without looking at the files
    again: pages call this, so per-page cost does not grow with the number of cases."""
    root = Path(root).resolve()
    if root not in _cache:
        return get_catalog(root)
    return _cache[root][1]


def get_catalog(root: Path | str) -> Catalog:
    """The catalog for ``root``, parsed again only when a data file changed (once per build)."""
    root = Path(root).resolve()
    stamp = data_stamp(root)
    cached = _cache.get(root)
    if cached and cached[0] == stamp:
        return cached[1]
    # Case files unchanged since the last load are not checked again, unless the reference data changed.
    same_reference = cached and [s for s in cached[0] if "/reference/" in s[0]] == [s for s in stamp if "/reference/" in s[0]]
    catalog = load_catalog(root, reuse=cached[1].checked if same_reference else None)
    _cache[root] = (stamp, catalog)
    return catalog


def _index(cat: Catalog) -> None:
    def table(kind_folder: str) -> dict[str, list]:
        return {key: [] for key in cat.tables[kind_folder]}

    drugs_by_target, regimens_by_drug = table("antigens"), table("drugs")
    for drug_id, drug in cat.drugs.items():
        for target in drug.targets:
            drugs_by_target[target].append(drug_id)
    for reg_id, regimen in cat.regimens.items():
        for drug_id in regimen.drug_ids:
            regimens_by_drug[drug_id].append(reg_id)

    facts: dict[str, CaseFacts] = {}
    drug_cases, regimen_cases, antigen_cases, site_cases = table("drugs"), table("regimens"), table("antigens"), table("sites")
    for slug, case in cat.cases.items():
        f = facts[slug] = case_facts(slug, case, cat.regimens)
        for number, line in enumerate(case.treatment, 1):
            if line.regimen:
                regimen_cases[line.regimen].append(DrugMention(slug, f"line {number}: {line.setting}", line.response.category.value))
        for role in f.drug_roles:
            drug_cases[role.drug].append(DrugMention(slug, role.context, role.response, role.role))
        for sample in case.diagnosis.immunophenotype:
            for result in ANTIGEN_RESULTS:
                for antigen in getattr(sample, result):
                    antigen_cases[antigen].append(AntigenMention(slug, result, sample.sample))
        notes = {a: n.title for n in case.annotations for a in n.antigens}
        for antigen in f.antigens_discussed:
            antigen_cases[antigen].append(AntigenMention(slug, "discussed", f"teaching note: {notes[antigen]}"))
        for site in f.sites + f.sites_discussed:
            site_cases[site].append(slug)

    def frozen(index: dict[str, list]) -> Mapping[str, tuple]:
        return MappingProxyType({key: tuple(values) for key, values in index.items()})

    cat.facts = MappingProxyType(facts)
    cat.drugs_by_target, cat.regimens_by_drug = frozen(drugs_by_target), frozen(regimens_by_drug)
    cat.drug_cases, cat.regimen_cases = frozen(drug_cases), frozen(regimen_cases)
    cat.antigen_cases, cat.site_cases = frozen(antigen_cases), frozen(site_cases)
