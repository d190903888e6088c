"""Synthetic but valid cases, and the project copies they go into.

``make_project(dest, n, seed, source)`` copies a snapshot of the project, appends synthetic entries
to its reference data (so the reference grows with N) and writes N cases of the shape in ``SHAPE``,
with prose drawn from the words of the real cases. The result must load with no problem and no
warning, as a strict build requires; otherwise BenchError says what the generator got wrong.
"""

from __future__ import annotations

import functools
import itertools
import random
import re
import shutil
import typing
from pathlib import Path

import yaml

from macros.catalog import CatalogError, get_catalog
from macros.checks import DEID_RULES
from macros.load import load_file
from macros.model import NOT_STATED, Objective, Route, Site
from macros.schema import dumps, schemas

from . import ROOT, BenchError

# Top-level folders a build does not read: left out of the snapshot.
NOT_COPIED = {"cases", "site", "tests", "test-artifacts", "build", "venv"}
# Synthetic reference entries added per case (at least 2 of each), so the reference grows with N.
GROWTH = {"drugs": 0.05, "regimens": 0.01, "antigens": 0.02, "sites": 0.02, "glossary": 0.02}
# The shape of every synthetic case.
SHAPE = {"treatment lines": 4, "transplants": 1, "supportive drugs": 1, "EM sites": 3, "antigens": 6,
         "objectives": 2, "questions": 4}
REVIEWED = "2026-11"
SOURCES = ["Synthetic benchmark source (not a real reference)"]


class Pool:
    """Ids to draw from; the first ones most often (weight 1/rank), as real usage is skewed."""

    def __init__(self, ids):
        self.ids = list(ids)
        self.cum = list(itertools.accumulate(1 / (i + 1) for i in range(len(self.ids))))

    def draw(self, rng: random.Random, k: int) -> list[str]:
        out: dict[str, None] = {}
        while len(out) < k:
            out[rng.choices(self.ids, cum_weights=self.cum)[0]] = None
        return list(out)


# Words a check could flag, or that Markdown, Jinja or YAML would read as syntax.
_UNSAFE = re.compile(r"[<>&@{}\[\]|`*_#\\\"]|^\W*[\d.,:;/%+-]+\W*$|^[A-Z]\.|https?:|\d{4}")
_RISKY = {"dr", "mr", "mrs", "ms", "miss", "prof", "mrn", "record", "hospital", "university", "clinic",
          "institute", "infirmary", "foundation", "centre", "center", "medical"}
_DEID = [rule.pattern for rule in DEID_RULES]


@functools.lru_cache(maxsize=1)
def vocabulary() -> list[str]:
    """Words of the real cases' prose, with their real frequencies, minus anything a check could flag."""
    words = [w for path in sorted((ROOT / "cases").glob("*.yml")) for text in _strings(load_file(path).data)
             if len(text.split()) >= 5 for w in text.split() if _usable(w)]
    if not words:
        raise BenchError("no usable words in cases/*.yml")
    return words


def _strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, (dict, list)):
        for value in data.values() if isinstance(data, dict) else data:
            yield from _strings(value)


_ROMAN = re.compile(r"[IVXLCDM]+")  # "III" out of its context ("grade III") reads as an unexplained abbreviation


def _usable(word: str) -> bool:
    core = word.strip(".,;:()")  # no one-letter words: "T. A." would read as initials
    return not (len(core) < 2 or _UNSAFE.search(word) or core.lower() in _RISKY or _ROMAN.fullmatch(core)
                or any(p.search(word) for p in _DEID))


class Writer:
    """Random prose drawn from the real vocabulary; counts the words it writes."""

    def __init__(self, rng: random.Random, words: list[str]):
        self.rng, self.vocab, self.terms, self.count = rng, words, [], 0
        # Sentences start with a plain word: the site capitalises some texts' first letter, and
        # 'cGy' or 'p190' capitalised are no longer the glossary's terms.
        self.plain = [w for w in words if w.isalpha() and w.islower()]

    def text(self, n: int) -> str:
        self.count += n
        words = self.rng.choices(self.vocab, k=n)
        if self.terms and n >= 8:  # a synthetic glossary term in longer texts
            words[self.rng.randrange(n)] = self.rng.choice(self.terms)
        for i in range(0, n, 12):
            words[i] = self.rng.choice(self.plain).capitalize()
        sentences = [" ".join(words[i:i + 12]) for i in range(0, n, 12)]
        return " ".join(s.rstrip(".,;:") + "." for s in sentences)

    def short(self, n: int) -> str:
        return self.text(n)[:190].rstrip(" .") or "text"


def choices(model, name: str) -> list[str]:
    """The values a Literal field of a model accepts."""
    return list(typing.get_args(model.model_fields[name].annotation))


def _reviewed(entry: dict) -> dict:
    return {**entry, "sources": list(SOURCES), "reviewed": REVIEWED}


def extend_reference(project: Path, n: int, w: Writer) -> dict[str, Pool]:
    """Append synthetic entries to the copied reference files; return every id per kind, real first."""
    ids = {stem: list(load_file(project / "reference" / f"{stem}.yml").data) for stem in GROWTH}
    count = {stem: max(2, round(n * rate)) for stem, rate in GROWTH.items()}
    new: dict[str, dict] = {stem: {} for stem in GROWTH}
    for i in range(1, count["antigens"] + 1):
        new["antigens"][f"bench-ag{i}"] = _reviewed({"name": f"BX{i}", "aliases": [f"BX{i}+"], "description": w.text(30),
                                                     "expressed_on": w.short(10)})
    antigens = Pool(ids["antigens"] + list(new["antigens"]))
    for i in range(1, count["drugs"] + 1):
        new["drugs"][f"benchmab-{i}"] = _reviewed({
            "name": f"Benchmab {i}", "brand_names": [f"Benchvia {i}"], "class": w.short(4),
            "targets": antigens.draw(w.rng, 1), "mechanism": w.text(45), "status_in_all": w.text(25),
            "boxed_warnings": [w.text(30)], "warnings": [w.text(12) for _ in range(3)],
            "interactions": [w.text(10)], "administration": [w.text(15) for _ in range(2)],
            "toxicities": [w.short(6) for _ in range(3)]})
    drugs = Pool(ids["drugs"] + list(new["drugs"]))
    routes = typing.get_args(Route)
    for i in range(1, count["regimens"] + 1):
        new["regimens"][f"bench-regimen-{i}"] = _reviewed({
            "name": f"Bench regimen {i}", "aliases": [f"BR-{i}"],
            "components": [{"drug": d, "route": w.rng.choice(routes), "phase": w.short(3)} for d in drugs.draw(w.rng, 4)],
            "description": w.text(35)})
    regions = choices(Site, "region")
    for i in range(1, count["sites"] + 1):
        new["sites"][f"bench-site-{i}"] = _reviewed({"name": f"Bench site {i}", "aliases": [f"site {i}"],
                                                     "region": w.rng.choice(regions), "description": w.text(20)})
    for i in range(1, count["glossary"] + 1):
        new["glossary"][f"BQX{i}"] = _reviewed({"expansion": w.short(4), "definition": w.text(12)})
    w.terms = list(new["glossary"])
    for stem, entries in new.items():
        with open(project / "reference" / f"{stem}.yml", "a", encoding="utf-8") as f:
            f.write("\n# Synthetic entries added by scripts/bench.py\n" + dump(entries))
    return {stem: Pool(ids[stem] + list(new[stem])) for stem in GROWTH}


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):  # the strict loader rejects anchors and aliases
        return True


def dump(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def _uses(w: Writer, drugs: list[str], routes: list[str]) -> list[dict]:
    """Drug uses as a source prints them: the dose given or explicitly not stated."""
    return [{"drug": d, "dose": w.rng.choice([w.short(3), NOT_STATED]), "route": w.rng.choice(routes),
             "schedule": w.short(3)} for d in drugs]


def _question(w: Writer, qid: str) -> dict:
    """Four options; the key is the shortest, so no length cue warning (a strict build fails on it)."""
    texts = [f"{w.short(4)} ({k})" for k in range(1, 5)]
    key = min(range(4), key=lambda k: len(texts[k]))
    return {"id": qid, "stem": w.text(15),
            "options": [{"text": t, "correct": k == key, "explanation": w.text(6)} for k, t in enumerate(texts)]}


def _letters(i: int) -> str:
    """1 -> 'a', 27 -> 'ba': a surname part without digits (a digit in a name reads as an abbreviation)."""
    out = ""
    while True:
        i, r = divmod(i, 26)
        out = "abcdefghijklmnopqrstuvwxyz"[r] + out
        if not i:
            return out


def synthetic_case(i: int, pools: dict[str, Pool], w: Writer) -> dict:
    """One valid case of the shape in SHAPE, about a thousand words of text."""
    rng, q = w.rng, iter(range(1, 100))
    routes = typing.get_args(Route)
    sites, ags = pools["sites"].draw(rng, SHAPE["EM sites"]), pools["antigens"].draw(rng, SHAPE["antigens"])
    lines = [{"setting": w.short(4), "when": w.short(4), "month": 6 * n,
              **({"regimen": pools["regimens"].draw(rng, 1)[0], "other": [w.short(5)]} if n == 0 else
                 {"drugs": _uses(w, pools["drugs"].draw(rng, rng.choice((1, 2))), routes)}),
              "cycles": w.short(3), "text": w.text(14),
              "response": {"category": rng.choice(["CR", "CRi", "CMR", "PR", "SD", "PD"]),
                           "mrd": rng.choice(["negative", "positive"]), "text": w.text(12)},
              "adverse_events": [w.text(6)]} for n in range(SHAPE["treatment lines"])]
    # After line 2 (month 6), before line 3 (month 12).
    transplants = [{"kind": "allogeneic", "when": w.short(3), "month": 9, "after_line": 2, "donor": w.short(3),
                    "conditioning": _uses(w, pools["drugs"].draw(rng, 2), routes),
                    "gvhd_prophylaxis": _uses(w, pools["drugs"].draw(rng, 1), routes),
                    "text": w.text(20), "complications": [w.text(8)]} for _ in range(SHAPE["transplants"])]
    supportive = [{"drug": d, "purpose": w.short(4), "when": w.short(3), "dose": NOT_STATED, "line": 3}
                  for d in pools["drugs"].draw(rng, SHAPE["supportive drugs"])]
    per_objective = SHAPE["questions"] // SHAPE["objectives"]
    case = {
        "title": w.short(10), "summary": w.text(45),
        "credits": {"written_by": ["Synthetic benchmark"], "reviewed_by": ["not reviewed (synthetic)"]},
        "source": {"authors": [f"Bench{_letters(i)} A", "Author B", "Writer C"], "title": w.short(10),
                   "journal": "Synthetic Reports in Haematology", "year": 2000 + i % 26, "citation": f"{i}:1",
                   "doi": f"10.5555/bench.{i}", "case_label": "Case 1", "kind": "journal article",
                   "licence": "CC BY 4.0 (synthetic benchmark case)", "consent": w.text(8)},
        "patient": {"age": 18 + i % 70, "sex": rng.choice(["female", "male"]), "history": [w.text(15)],
                    "background": w.text(15)},
        "presentation": {"text": w.text(40), "findings": [{"name": w.short(1), "value": w.short(2)} for _ in range(4)]},
        "diagnosis": {"disease": "B-cell acute lymphoblastic leukaemia", "year": 2000 + i % 26,
                      "philadelphia": rng.choice(["positive", "negative"]), "karyotype": w.short(6),
                      "genetics": [w.text(8), w.text(8)], "text": w.text(25),
                      "immunophenotype": [
                          {"sample": w.short(4), "positive": ags[:3], "negative": ags[3:5], "dim": ags[5:]},
                          {"sample": w.short(4), "positive": ags[:2], "detail": w.text(20)}]},
        "em_sites": [{"site": s, "shown_by": rng.sample(["PET-CT", "MRI", "CT", "biopsy", "cytology"], 2),
                      "when": w.short(3), "detail": w.text(12)} for s in sites],
        "timeline": [{"month": 3 * n, "when": w.short(3), "event": w.text(8)} for n in range(6)],
        "treatment": lines,
        "transplants": transplants,
        "supportive": supportive,
        "outcome": {"status": "alive in remission", "text": w.text(20), "follow_up": w.short(3)},
        "annotations": [{"at": at, "title": w.short(4), "text": w.text(25), **refs} for at, refs in (
            ("presentation", {"sites": sites[:1]}), ("diagnosis", {"antigens": ags[:2]}),
            ("treatment[1]", {"drugs": [lines[1]["drugs"][0]["drug"]]}))],
        "discussion": w.text(60), "lessons": [w.text(8) for _ in range(3)],
        "patient_perspective": w.text(15),
        "source_notes": [{"about": w.short(3), "text": w.text(15)} for _ in range(2)],
        "objectives": [{"id": f"bench-{i}-o{o}", "text": w.short(10), "topic": rng.choice(choices(Objective, "topic")),
                        "questions": [_question(w, f"bench-{i}-q{next(q)}") for _ in range(per_objective)]}
                       for o in range(1, SHAPE["objectives"] + 1)],
    }
    return case


def snapshot(dest: Path, skip: set[Path]) -> None:
    """The checkout without its cases, tests, hidden folders or reports: what a build reads.
    Taken once per run, so every N measures the same code even while the checkout changes."""
    def ignore(folder, names):
        top = Path(folder) == ROOT
        return [n for n in names if n == "__pycache__" or n.endswith(".egg-info") or Path(folder, n).resolve() in skip
                or top and (n in NOT_COPIED or n.startswith("."))]

    shutil.copytree(ROOT, dest, ignore=ignore)
    (dest / "cases").mkdir()
    for path in skip:  # a skipped report may be in the nav: leave a stub so strict builds still pass
        if path.suffix == ".md" and ROOT in path.parents:
            stub = dest / path.relative_to(ROOT)
            stub.parent.mkdir(parents=True, exist_ok=True)
            stub.write_text(f"# {path.stem.capitalize()}\n\nWritten by scripts/bench.py.\n", encoding="utf-8")


def write_cases(project: Path, n: int, seed: int) -> dict:
    """N synthetic cases (and grown reference data) into ``project``: facts about the data written."""
    w = Writer(random.Random(f"{seed}-{n}"), vocabulary())
    pools = extend_reference(project, n, w)
    w.count = 0
    for i in range(1, n + 1):
        (project / "cases" / f"bench-case-{i:05d}.yml").write_text(dump(synthetic_case(i, pools, w)), encoding="utf-8")
    return {"words": w.count / max(n, 1), **{stem: len(pool.ids) for stem, pool in pools.items()}}


def make_project(dest: Path, n: int, seed: int, source: Path) -> tuple:
    """A copy of ``source`` with N synthetic cases: (catalog, facts about the data). Raises unless valid."""
    shutil.copytree(source, dest)
    facts = write_cases(dest, n, seed)
    if (dest / "schema").is_dir():  # the editors' schemas list every reference id: written again, as after any new entry
        for name, schema in schemas(dest).items():
            (dest / "schema" / name).write_text(dumps(schema), encoding="utf-8")
    try:
        catalog = get_catalog(dest)  # memoized: the floor's macros read the same catalog
    except CatalogError as e:
        raise BenchError(f"the synthetic cases are not valid:\n{str(e)[:3000]}") from None
    if catalog.warnings:  # a strict build would stop on them
        raise BenchError("the synthetic cases have warnings:\n" + "\n".join(map(str, catalog.warnings[:20])))
    return catalog, facts
