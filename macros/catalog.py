"""All models together: cross-references resolved, indexes built once.

``load_catalog(root)`` reads ``cases/*.yml`` and ``reference/*.yml`` once and
either returns a Catalog or raises CatalogError listing every problem in
every file. ``get_catalog(root)`` memoizes it until a data file changes, so the
MkDocs hook and the macros share one parse per build.
"""

from __future__ import annotations

import difflib
import functools
import gc
import multiprocessing
import re
import typing
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from .checks import CareItem, care_items, check_case
from .load import Document, LoadError, Loc, Problem, load_file
from .model import SLUG_RE, Antigen, Case, Drug, Regimen, Site, Term

REFERENCE = {  # file stem -> model of each entry
    "drugs": Drug,
    "regimens": Regimen,
    "antigens": Antigen,
    "sites": Site,
    "glossary": Term,
}


class CatalogError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.path, p.line))
        super().__init__("\n".join(map(str, self.problems)))


@dataclass(frozen=True)
class DrugMention:
    case: str
    context: str  # "line 2 (second relapse)", "conditioning", ...
    response: str | None


@dataclass(frozen=True)
class AntigenMention:
    case: str
    result: str  # positive / negative / dim / unclear
    sample: str


@dataclass
class Catalog:
    root: Path
    cases: dict[str, Case]
    drugs: dict[str, Drug]
    regimens: dict[str, Regimen]
    antigens: dict[str, Antigen]
    sites: dict[str, Site]
    glossary: dict[str, Term]
    warnings: list[Problem] = field(default_factory=list)
    # indexes, filled by _index()
    drug_cases: dict[str, list[DrugMention]] = field(default_factory=lambda: defaultdict(list))
    regimen_cases: dict[str, list[DrugMention]] = field(default_factory=lambda: defaultdict(list))
    antigen_cases: dict[str, list[AntigenMention]] = field(default_factory=lambda: defaultdict(list))
    site_cases: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    drugs_by_target: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    regimens_by_drug: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def case_drugs(self, slug: str, notes: bool = True) -> list[str]:
        """Every drug id a case mentions, in order of first mention, regimen components included
        (and drugs discussed in teaching notes, unless ``notes`` is false)."""
        case = self.cases[slug]
        seen: dict[str, None] = {}
        for line in case.treatment:
            if line.regimen:
                seen.update(dict.fromkeys(self.regimens[line.regimen].drugs))
            seen.update(dict.fromkeys(use.drug for use in line.drugs))
        for tx in case.transplants:
            seen.update(dict.fromkeys(use.drug for use in tx.conditioning + tx.gvhd_prophylaxis))
        for note in case.annotations if notes else ():
            seen.update(dict.fromkeys(note.drugs))
        return list(seen)

    def case_antigens(self, slug: str) -> list[str]:
        case = self.cases[slug]
        seen: dict[str, None] = {}
        for sample in case.diagnosis.immunophenotype:
            seen.update(dict.fromkeys(sample.positive + sample.negative + sample.dim + sample.unclear))
        for note in case.annotations:
            seen.update(dict.fromkeys(note.antigens))
        return list(seen)

    def case_regimens(self, slug: str) -> list[str]:
        return list(dict.fromkeys(line.regimen for line in self.cases[slug].treatment if line.regimen))

    def case_sites(self, slug: str) -> list[str]:
        return list(dict.fromkeys(em.site for em in self.cases[slug].em_sites))

    def positive_antigens(self, slug: str) -> list[str]:
        return list(dict.fromkeys(a for s in self.cases[slug].diagnosis.immunophenotype for a in s.positive))


# ------------------------------------------------------------------ loading


@dataclass
class CaseFile:
    """One case file, checked on its own (everything but the checks across cases)."""

    source: Path
    path: str  # as shown in messages: relative to the project
    slug: str
    problems: list[Problem]
    quiz_ids: list[tuple[str, str, Loc]] = field(default_factory=list)  # ("objective" | "question", id, loc)
    care: list[CareItem] = field(default_factory=list)
    case: Case | None = None  # the model, when the caller keeps it

    def problem(self, loc: Loc, message: str) -> Problem:
        """A problem found after the file was let go (a clash with another file): read it again for the line."""
        return load_file(self.source, self.path).problem(loc, message)


def load_catalog(root: Path | str, case_files: list[Path] | None = None) -> Catalog:
    """Parse and check every data file under ``root``; raise CatalogError with all problems."""
    root = Path(root)
    reference, checked, problems = check_all(root, case_files, keep=True)
    if any(not p.warning for p in problems):
        raise CatalogError(problems)
    cases = {f.slug: f.case for f in checked if f.case is not None}
    catalog = Catalog(root, cases, **reference)
    catalog.warnings = [p for p in problems if p.warning]
    _index(catalog)
    return catalog


def check_all(root: Path, case_files: list[Path] | None = None, keep: bool = False, jobs: int = 1):
    """Every check of every file: (reference entries, [CaseFile], problems). With ``keep`` each
    CaseFile holds its model. With ``jobs`` > 1 the case files
    are checked in that many processes (for scripts/validate.py: not inside `mkdocs serve`,
    whose threads make forking unsafe)."""
    problems: list[Problem] = []
    reference: dict[str, dict] = {}
    ref_documents: dict[str, Document] = {}
    for stem, model in REFERENCE.items():
        path = root / "reference" / f"{stem}.yml"
        if not path.exists():
            problems.append(Problem(f"reference/{stem}.yml", 1, (), "file is missing"))
            reference[stem] = {}
            continue
        doc = _load(path, root, problems)
        if doc:
            ref_documents[stem] = doc
        reference[stem] = _validate_mapping(doc, model, problems, key_is_slug=stem != "glossary") if doc else {}
    tables = {what: set(reference[f"{what}s"]) for what in ("drug", "regimen", "antigen", "site")}
    for stem, refs in REFERENCE_REFS.items():
        if stem in ref_documents:
            problems.extend(_reference_problems(ref_documents[stem], refs, tables))

    paths = case_files if case_files is not None else sorted((root / "cases").glob("*"))
    work = functools.partial(check_case_file, root=root, tables=tables, keep=keep)
    if jobs > 1 and len(paths) >= 100:
        gc.freeze()  # what the workers inherit stays shared and out of their collector's scans
        with multiprocessing.get_context("fork").Pool(jobs, initializer=gc.disable) as pool:
            checked = [f for f in pool.imap(work, paths, chunksize=16) if f]
        gc.unfreeze()
    else:
        checked = [f for f in map(work, paths) if f]
    question_ids: dict[str, str] = {}
    objective_ids: dict[str, str] = {}
    for f in checked:
        problems.extend(f.problems)
        for kind, item_id, loc in f.quiz_ids:
            seen = objective_ids if kind == "objective" else question_ids
            if item_id in seen:
                problems.append(f.problem(loc, f"{kind} id '{item_id}' is already used in {seen[item_id]}"))
            seen.setdefault(item_id, f.path)
    problems.sort(key=lambda p: (p.path, p.line))
    return reference, checked, problems


def check_case_file(path: Path, root: Path, tables: dict[str, set], keep: bool = False) -> CaseFile | None:
    """Load, validate and check one case file (None for a file that is not a case, such as README.md)."""
    rel = _rel(path, root)
    if path.suffix != ".yml":
        if path.name in (".gitkeep", "README.md"):
            return None
        return CaseFile(path, rel, path.stem, [Problem(rel, 1, (), "case files must end in .yml")])
    out = CaseFile(path, rel, path.stem, [])
    if not re.match(SLUG_RE, path.stem):
        out.problems.append(Problem(rel, 1, (), f"file name '{path.stem}' is not a slug: use lower-case letters, digits and hyphens"))
        return out
    doc = _load(path, root, out.problems)
    if doc is None:
        return out
    case = _validate(doc, Case, (), out.problems)
    out.problems.extend(_reference_problems(doc, CASE_REFS, tables))  # on the raw data: also for an invalid case
    if case is None:
        return out
    out.problems.extend(check_case(case, doc))
    out.problems.extend(_case_problems(doc, case))
    out.care = care_items(case)
    out.quiz_ids = [("objective", o.id, ("objectives", i, "id")) for i, o in enumerate(case.objectives)] + [
        ("question", q.id, ("objectives", i, "questions", j, "id"))
        for i, o in enumerate(case.objectives) for j, q in enumerate(o.questions)]
    if keep:
        out.case = case
    return out


_cache: dict[Path, tuple[tuple, Catalog]] = {}


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
    stamp = tuple(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size)
        for folder in ("cases", "reference")
        for p in sorted((root / folder).glob("*.yml"))
    )
    cached = _cache.get(root)
    if cached and cached[0] == stamp:
        return cached[1]
    # The catalog is a million-odd objects that live for the whole build and hold no cycles.
    # Left to the cyclic garbage collector, every full collection re-scans them: loading 5,000
    # cases took 32 s instead of 19, and the pages after it paid again. So: no collection while
    # loading, then the catalog is frozen out of the collector's scans (a previous catalog is
    # unfrozen first, so `mkdocs serve` rebuilds free it as usual).
    _cache.pop(root, None)
    gc.unfreeze()
    enabled = gc.isenabled()
    gc.disable()
    try:
        catalog = load_catalog(root)
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    _cache[root] = (stamp, catalog)
    return catalog


def _rel(path: Path, root: Path) -> str:
    """``path`` as shown in messages: relative to the project where it is inside it."""
    if path.is_relative_to(root):  # the usual case: no need to resolve (a dozen stats a file)
        return str(path.relative_to(root))
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _load(path: Path, root: Path, problems: list[Problem]) -> Document | None:
    try:
        return load_file(path, _rel(path, root))
    except LoadError as e:
        problems.extend(e.problems)
        return None


def _validate_mapping(doc: Document, model: type[BaseModel], problems, key_is_slug: bool) -> dict:
    if not isinstance(doc.data, dict):
        problems.append(doc.problem((), "expected a mapping of id: entry"))
        return {}
    out = {}
    for key, value in doc.data.items():
        if key_is_slug and not re.match(SLUG_RE, key):
            problems.append(doc.problem((key,), f"id '{key}' is not a slug: use lower-case letters, digits and hyphens"))
            continue
        entry = _validate(doc, model, (key,), problems, value)
        if entry is not None:
            out[key] = entry
    return out


def _validate(doc: Document, model: type[BaseModel], base: tuple, problems, data=None):
    data = doc.data if data is None else data
    if not isinstance(data, dict):
        problems.append(doc.problem(base, "expected a mapping of field: value"))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as e:
        for err in e.errors():
            loc = base + tuple(err["loc"])
            problems.append(doc.problem(loc, _message(err, model, tuple(err["loc"]))))
        return None


# ------------------------------------------------------------ error wording


def _message(err: dict, model: type[BaseModel], loc: tuple) -> str:
    kind, value = err["type"], err.get("input")
    if kind == "missing":
        return "required field is missing"
    if value is None and (kind.endswith(("_type", "_parsing")) or kind in ("enum", "literal_error")):
        return "is empty; a value is required"  # `field:` with nothing after it
    if kind == "extra_forbidden":
        name = loc[-1]
        known = _fields_at(model, loc[:-1])
        return f"unknown field '{name}'" + _did_you_mean(str(name), known)
    if kind in ("int_parsing", "int_from_float"):
        return f"'{value}' is not a whole number"
    if kind == "float_parsing":
        return f"'{value}' is not a number"
    if kind in ("bool_parsing",):
        return f"'{value}' is not true or false"
    if kind in ("enum", "literal_error"):
        allowed = _choices(err)
        return f"'{value}' is not one of: {', '.join(allowed)}" + _did_you_mean(str(value), allowed)
    if kind == "string_pattern_mismatch":
        return f"'{value}' is not in the expected form ({_pattern_hint(err)})"
    if kind in ("string_type", "int_type", "float_type", "bool_type"):
        return f"expected a single value, found {_shape(value)}"
    if kind == "list_type":
        return f"expected a list, found {_shape(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of field: value, found {_shape(value)}"
    if kind == "too_short":
        return f"needs at least {err['ctx'].get('min_length')} item(s)"
    if kind == "too_long":
        return f"has more than {err['ctx'].get('max_length')} items"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    return err["msg"]


def _shape(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"'{value}'" if value is not None else "nothing"


def _pattern_hint(err) -> str:
    pattern = err.get("ctx", {}).get("pattern", "")
    return {
        SLUG_RE: "a slug: lower-case letters, digits and hyphens",
        r"^10\.\d{4,9}/\S+$": "a DOI such as 10.1186/s12885-018-5026-x",
        r"^\d{1,9}$": "digits only",
        r"^PMC\d+$": "PMC followed by digits",
    }.get(pattern, pattern)


def _choices(err) -> list[str]:
    expected = err.get("ctx", {}).get("expected", "")
    return re.findall(r"'([^']*)'", expected)


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names (with aliases) of the model found at ``loc`` inside ``model``."""
    current = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part) or next(
            (f for f in current.model_fields.values() if f.alias == part), None)
        if info is None:
            return []
        current = _inner_model(info.annotation)
        if current is None:
            return []
    return [f.alias or name for name, f in current.model_fields.items()]


def _inner_model(annotation):
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found:
            return found
    return None


# ------------------------------------------------------- cross-references


# Where ids are used, as paths into the raw data ("*" = every item or key). They
# are checked on the raw data, so a case with other errors still gets these.
CASE_REFS = [
    (("treatment", "*", "regimen"), "regimen"),
    (("treatment", "*", "drugs", "*", "drug"), "drug"),
    (("transplants", "*", "conditioning", "*", "drug"), "drug"),
    (("transplants", "*", "gvhd_prophylaxis", "*", "drug"), "drug"),
    *[(("diagnosis", "immunophenotype", "*", part, "*"), "antigen") for part in ("positive", "negative", "dim", "unclear")],
    (("em_sites", "*", "site"), "site"),
    (("annotations", "*", "drugs", "*"), "drug"),
    (("annotations", "*", "antigens", "*"), "antigen"),
    (("annotations", "*", "sites", "*"), "site"),
]
REFERENCE_REFS = {"drugs": [(("*", "targets", "*"), "antigen")], "regimens": [(("*", "drugs", "*"), "drug")]}


def _walk(data, pattern: tuple, loc: tuple = ()):
    """Yield (loc, value) for every string in ``data`` matching ``pattern``."""
    if not pattern:
        if isinstance(data, str):
            yield loc, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
        for key, value in items:
            yield from _walk(value, rest, loc + (key,))
    elif isinstance(data, dict) and head in data:
        yield from _walk(data[head], rest, loc + (head,))


def _reference_problems(doc: Document, refs, tables: dict[str, set]) -> list[Problem]:
    """An id used in ``doc`` that no reference file defines."""
    found = []
    for pattern, what in refs:
        for loc, value in _walk(doc.data, pattern):
            if value not in tables[what]:
                hint = _did_you_mean(value, tables[what]) or f" — add it to reference/{what}s.yml if it is new"
                found.append(doc.problem(loc, f"unknown {what} '{value}'{hint}"))
    return found


def _case_problems(doc: Document, case: Case) -> list[Problem]:
    """Rules within one valid case that its model cannot express on its own."""
    found = []
    for i, line in enumerate(case.treatment):
        if not line.regimen and not line.drugs and not line.other:
            found.append(doc.problem(("treatment", i), "a treatment line needs a regimen, drugs or other treatment"))
    for i, note in enumerate(case.annotations):
        m = re.match(r"^(treatment|transplants)\[(\d+)\]$", note.at)
        if m and int(m.group(2)) >= len(getattr(case, m.group(1))):
            found.append(doc.problem(("annotations", i, "at"),
                                     f"'{note.at}' does not exist: the case has {len(getattr(case, m.group(1)))} {m.group(1)} entries (counted from 0)"))
    for i, objective in enumerate(case.objectives):
        for j, question in enumerate(objective.questions):
            qloc = ("objectives", i, "questions", j)
            correct = sum(o.correct for o in question.options)
            if correct != 1:
                found.append(doc.problem(qloc + ("options",), f"needs exactly one correct option, found {correct}"))
            seen: dict[str, int] = {}
            for k, option in enumerate(question.options):
                key = option.text.casefold()
                if key in seen:
                    found.append(doc.problem(qloc + ("options", k, "text"), f"same text as option {seen[key]}"))
                seen.setdefault(key, k)
    return found


# ------------------------------------------------------------------ indexes


def _index(cat: Catalog) -> None:
    for drug_id, drug in cat.drugs.items():
        for target in drug.targets:
            cat.drugs_by_target[target].append(drug_id)
    for reg_id, regimen in cat.regimens.items():
        for drug_id in regimen.drugs:
            cat.regimens_by_drug[drug_id].append(reg_id)
    for slug, case in cat.cases.items():
        for number, line in enumerate(case.treatment, 1):
            context = f"line {number}: {line.setting}"
            response = line.response.category.value
            if line.regimen:
                cat.regimen_cases[line.regimen].append(DrugMention(slug, context, response))
                for drug_id in cat.regimens[line.regimen].drugs:
                    cat.drug_cases[drug_id].append(DrugMention(slug, f"{context} (in {cat.regimens[line.regimen].name})", response))
            for use in line.drugs:
                cat.drug_cases[use.drug].append(DrugMention(slug, context, response))
        for tx in case.transplants:
            for part, label in (("conditioning", "transplant conditioning"), ("gvhd_prophylaxis", "GVHD prophylaxis")):
                for use in getattr(tx, part):
                    cat.drug_cases[use.drug].append(DrugMention(slug, label, None))
        for sample in case.diagnosis.immunophenotype:
            for result in ("positive", "negative", "dim", "unclear"):
                for antigen in getattr(sample, result):
                    cat.antigen_cases[antigen].append(AntigenMention(slug, result, sample.sample))
        for site in cat.case_sites(slug):
            cat.site_cases[site].append(slug)
        # What a teaching note discusses links both ways too (once per case: these checks
        # look only at this case's own mentions, so indexing stays linear).
        drugs_seen = set(cat.case_drugs(slug, notes=False))
        sites_seen = set(cat.case_sites(slug))
        antigens_seen = {a for s in case.diagnosis.immunophenotype for a in s.positive + s.negative + s.dim + s.unclear}
        for note in case.annotations:
            for drug_id in set(note.drugs) - drugs_seen:
                cat.drug_cases[drug_id].append(DrugMention(slug, f"teaching note: {note.title}", None))
                drugs_seen.add(drug_id)
            for site in set(note.sites) - sites_seen:
                cat.site_cases[site].append(slug)
                sites_seen.add(site)
            for antigen in set(note.antigens) - antigens_seen:
                cat.antigen_cases[antigen].append(AntigenMention(slug, "discussed", f"teaching note: {note.title}"))
                antigens_seen.add(antigen)
