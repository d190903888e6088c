"""Checking data files: every problem in every file, at once.

``check_all(root)`` loads and validates the reference files and every case file, and compares
what only makes sense across files (ids used by cases exist in the reference data; quiz ids are
unique). Rules within one case live on the models (model.py); editorial checks on a valid case
in checks.py; wording in messages.py. Nothing here builds pages.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from .checks import CareItem, care_items, check_case
from . import abbreviations
from .glossary import key_problem as glossary_key_problem
from .kinds import BY_FOLDER, KINDS
from .load import MAX_BYTES, REFERENCE_MAX_BYTES, Document, LoadError, Loc, Problem, load_file
from .messages import messages
from .model import Case, slug_problem
from .quiz import length_cue
from .suggest import suggest

# Where ids are used, as paths into the raw data ("*" = every item or key). They are checked on
# the raw data, so a case with other errors still gets these.
CASE_REFS = [
    (("treatment", "*", "regimen"), "regimen"),
    (("treatment", "*", "drugs", "*", "drug"), "drug"),
    (("transplants", "*", "conditioning", "*", "drug"), "drug"),
    (("transplants", "*", "gvhd_prophylaxis", "*", "drug"), "drug"),
    (("supportive", "*", "drug"), "drug"),
    *[(("diagnosis", "immunophenotype", "*", part, "*"), "antigen") for part in ("positive", "negative", "dim", "unclear")],
    (("em_sites", "*", "site"), "site"),
    (("annotations", "*", "drugs", "*"), "drug"),
    (("annotations", "*", "antigens", "*"), "antigen"),
    (("annotations", "*", "sites", "*"), "site"),
]
REFERENCE_REFS = {
    "drugs": [(("*", "targets", "*"), "antigen")],
    "regimens": [(("*", "components", "*", "drug"), "drug")],
}
NOT_CASES = (".gitkeep", "README.md")  # files in cases/ that are not case files


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


def check_all(root: Path, case_files: list[Path] | None = None, keep: bool = False, jobs: int = 1,
              reuse: dict[Path, tuple[tuple, CaseFile]] | None = None):
    """Every check of every file: (reference tables, [CaseFile], problems). With ``case_files``
    only those are checked in full, but their quiz ids are still compared with every other case.
    With ``keep`` each CaseFile holds its model. With ``jobs`` > 1 case files are checked in that
    many processes (scripts/validate.py only: `mkdocs serve` runs threads, and forking them is unsafe).
    ``reuse`` (path -> (file stamp, CaseFile)) skips case files unchanged since they were checked
    against the same reference data: `mkdocs serve` re-checks only what was saved."""
    problems: list[Problem] = []
    reference: dict[str, dict] = {}
    documents: dict[str, Document] = {}
    for kind in KINDS:
        path = root / "reference" / f"{kind.folder}.yml"
        if not path.exists():
            problems.append(Problem(f"reference/{kind.folder}.yml", 1, (), "file is missing"))
            reference[kind.folder] = {}
            continue
        doc = _load(path, root, problems, REFERENCE_MAX_BYTES)
        if doc:
            documents[kind.folder] = doc
        reference[kind.folder] = _validate_mapping(doc, kind, problems) if doc else {}
    # An entry with its own errors is still a known id: a typo in one drug must not also make
    # every case that uses it say "unknown drug ... add it" (which invites a duplicate entry).
    # A file that could not be read at all (its own error says why) checks nothing against it.
    known = {folder: {**{key: None for key in documents[folder].data if isinstance(key, str)}, **table}
             if folder in documents and isinstance(documents[folder].data, dict) else None
             for folder, table in reference.items()}
    for folder, refs in REFERENCE_REFS.items():
        if folder in documents:
            problems.extend(_reference_problems(documents[folder], refs, known))

    every = _case_paths(root, problems)
    paths = every if case_files is None else case_files
    explained = abbreviations.checker(known) if known.get("glossary") is not None else None
    for folder, doc in documents.items():
        problems.extend(_abbreviation_warnings(doc, explained, skip=REFERENCE_NOT_PROSE))
    work = functools.partial(check_case_file, root=root, reference=known, keep=keep, explained=explained)
    if reuse:
        work = functools.partial(_reused, work=work, reuse=reuse)
    if jobs > 1 and len(paths) >= 100:
        gc.freeze()  # what the workers inherit stays shared and out of their collector's scans
        with multiprocessing.get_context("fork").Pool(jobs, initializer=gc.disable) as pool:
            checked = [f for f in pool.imap(work, paths, chunksize=16) if f]
        gc.unfreeze()
    else:
        checked = [f for f in map(work, paths) if f]
    problems.extend(p for f in checked for p in f.problems)
    named = set(paths)
    problems.extend(_quiz_id_clashes(checked, root, others=[p for p in every if p not in named]))
    problems.sort(key=lambda p: (p.path, p.line))
    return reference, checked, problems


def file_stamp(path: Path) -> tuple:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def _reused(path: Path, work, reuse: dict[Path, tuple[tuple, CaseFile]]) -> CaseFile | None:
    cached = reuse.get(path)
    if cached and cached[0] == file_stamp(path):
        return cached[1]
    return work(path)


def _case_paths(root: Path, problems: list[Problem]) -> list[Path]:
    folder = root / "cases"
    paths = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else ():
        if path.name in NOT_CASES:
            continue
        if path.is_symlink() or not path.is_file():
            problems.append(Problem(_rel(path, root), 1, (), "not a plain file (a link or a folder): add the case itself"))
            continue
        paths.append(path)
    return paths


def _quiz_id_clashes(checked: list[CaseFile], root: Path, others: list[Path]) -> list[Problem]:
    """Quiz ids are anchors and progress keys: unique across the library. Files not checked in
    full (validate.py with named files) still take part, read without validation."""
    found = []
    seen: dict[tuple[str, str], str] = {}
    for path in others:  # first, so that a named file is the one reported
        try:
            data = load_file(path, _rel(path, root)).data
        except LoadError:
            continue
        for kind, item_id, _ in _raw_quiz_ids(data):
            seen.setdefault((kind, item_id), _rel(path, root))
    for f in checked:
        for kind, item_id, loc in f.quiz_ids:
            where = seen.get((kind, item_id))
            if where is not None and where != f.path:
                found.append(f.problem(loc, f"{kind} id '{item_id}' is already used in {where}"))
            seen.setdefault((kind, item_id), f.path)
    return found


def _raw_quiz_ids(data) -> list[tuple[str, str, Loc]]:
    out = []
    objectives = data.get("objectives") if isinstance(data, dict) else None
    for i, o in enumerate(objectives if isinstance(objectives, list) else []):
        if not isinstance(o, dict):
            continue
        if isinstance(o.get("id"), str):
            out.append(("objective", o["id"], ("objectives", i, "id")))
        questions = o.get("questions")
        for j, q in enumerate(questions if isinstance(questions, list) else []):
            if isinstance(q, dict) and isinstance(q.get("id"), str):
                out.append(("question", q["id"], ("objectives", i, "questions", j, "id")))
    return out


def check_case_file(path: Path, root: Path, reference: dict[str, dict], keep: bool = False,
                    explained: tuple | None = None) -> CaseFile | None:
    """Load, validate and check one case file (None for a file that is not a case, such as README.md)."""
    rel = _rel(path, root)
    if path.name in NOT_CASES:
        return None
    out = CaseFile(path, rel, path.stem, [])
    if path.suffix != ".yml":
        out.problems.append(Problem(rel, 1, (), "case files must end in .yml"))
        return out
    why = slug_problem(path.stem)
    if why:
        out.problems.append(Problem(repr(rel)[1:-1], 1, (), f"file name: {why}"))
        return out
    doc = _load(path, root, out.problems)
    if doc is None:
        return out
    out.quiz_ids = _raw_quiz_ids(doc.data)  # on the raw data: clashes show even in an invalid case
    case = _validate(doc, Case, (), out.problems)
    unknown = _reference_problems(doc, CASE_REFS, reference)
    # 'IO' for a drug is both "not a slug" and "unknown drug (did you mean ...)": say the useful one.
    named = {p.loc for p in unknown}
    out.problems = [p for p in out.problems if not (p.loc in named and "is not in the expected form" in p.message)] + unknown
    if case is None:
        return out
    out.care = care_items(case)
    out.problems.extend(check_case(case, doc, out.care))
    out.problems.extend(_quiz_warnings(case, doc))
    acknowledged = {a.match for a in case.acknowledged if a.check == "glossary:abbreviation"}
    out.problems.extend(p for p in _abbreviation_warnings(doc, explained, skip=CASE_NOT_PROSE)
                        if p.message.split("'")[1] not in acknowledged)
    if keep:
        out.case = case
    return out


# Text the built pages do not show as prose, or that the site-wide scan reads in its own way.
CASE_NOT_PROSE = {"acknowledged", "authors", "id"}
REFERENCE_NOT_PROSE = {"sources", "name", "aliases", "abbreviations", "brand_names", "reviewed"}


def _abbreviation_warnings(doc: Document, explained: tuple | None, skip: set[str]) -> list[Problem]:
    """Abbreviations with no glossary entry, as the site-wide scan of the built pages finds them
    (macros/abbreviations.py), so a file that validates does not fail that scan in CI."""
    if explained is None:
        return []
    pattern, known = explained
    found, seen = [], set()
    for loc, text in _strings(doc.data, skip):
        for token, _ in abbreviations.unexplained_in(text, pattern, known):
            if token not in seen:  # once per file: the first place it is used
                seen.add(token)
                found.append(doc.problem(loc, f"'{token}' looks like an abbreviation with no glossary entry: add it to "
                                              "reference/glossary.yml, spell it out, or acknowledge it "
                                              f"(check glossary:abbreviation, match '{token}')", warning=True))
    return found


def _strings(data, skip: set[str]):
    """(place, text) of every string in ``data`` outside the ``skip`` keys, in document order. An
    explicit stack: a recursive generator passes every string up through each level (8 million
    generator steps for 5,000 cases, more time than the glossary matching)."""
    stack = [((), data)]
    while stack:
        loc, data = stack.pop()
        if isinstance(data, str):
            yield loc, data
        elif isinstance(data, dict):
            stack.extend([(loc + (key,), value) for key, value in data.items() if key not in skip][::-1])
        elif isinstance(data, list):
            stack.extend([(loc + (i,), value) for i, value in enumerate(data)][::-1])


def _quiz_warnings(case: Case, doc: Document) -> list[Problem]:
    """Item-writing warnings (quiz.py), acknowledged per question: {check: "quiz:length-cue", match: <question id>}."""
    acknowledged = {(a.check, a.match) for a in case.acknowledged}
    found = []
    for i, objective in enumerate(case.objectives):
        for j, question in enumerate(objective.questions):
            cue = length_cue(question)
            if cue and ("quiz:length-cue", question.id) not in acknowledged:
                found.append(doc.problem(("objectives", i, "questions", j, "options"),
                                         f"{cue} (if it must be so, acknowledge it: check quiz:length-cue, match '{question.id}')",
                                         warning=True))
    return found


def _rel(path: Path, root: Path) -> str:
    """``path`` as shown in messages: relative to the project where it is inside it."""
    if path.is_relative_to(root):  # the usual case: no need to resolve (a dozen stats a file)
        return str(path.relative_to(root))
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _load(path: Path, root: Path, problems: list[Problem], max_bytes: int = MAX_BYTES) -> Document | None:
    if path.is_symlink():
        problems.append(Problem(_rel(path, root), 1, (), "not a plain file (a link): add the data itself"))
        return None
    try:
        return load_file(path, _rel(path, root), max_bytes)
    except LoadError as e:
        problems.extend(e.problems)
        return None


def _validate_mapping(doc: Document, kind, problems) -> dict:
    if not isinstance(doc.data, dict):
        problems.append(doc.problem((), "expected a mapping of id: entry"))
        return {}
    out = {}
    for key, value in doc.data.items():
        why = _key_problem(kind, key)
        if why:
            problems.append(doc.problem((key,), why))
            continue
        entry = _validate(doc, kind.model, (key,), problems, value)
        if entry is not None:
            out[key] = entry
    return out


def _key_problem(kind, key: str) -> str | None:
    if kind.pages:
        why = slug_problem(key)
        return f"id {why}" if why else None
    return glossary_key_problem(key)  # the glossary's own rule: keys look like abbreviations


def _validate(doc: Document, model: type[BaseModel], base: tuple, problems, data=None):
    data = doc.data if data is None else data
    if not isinstance(data, dict):
        problems.append(doc.problem(base, "expected a mapping of field: value"))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as e:
        for err in e.errors():
            for loc, message in messages(err, model):
                problems.append(doc.problem(base + loc, message))
        return None


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


def _reference_problems(doc: Document, refs, reference: dict[str, dict]) -> list[Problem]:
    """An id used in ``doc`` that no reference file defines."""
    found = []
    for pattern, what in refs:
        table = reference[f"{what}s"]
        if table is None:
            continue
        for loc, value in _walk(doc.data, pattern):
            if value not in table:
                guess = suggest(value, {key: entry for key, entry in table.items() if entry is not None})
                hint = f" (did you mean '{guess}'?)" if guess else f" — add it to reference/{what}s.yml if it is new"
                found.append(doc.problem(loc, f"unknown {what} '{value}'{hint}"))
    return found


assert set(BY_FOLDER) >= {f"{what}s" for _, what in CASE_REFS}
