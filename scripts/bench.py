#!/usr/bin/env python3
"""Benchmark build speed and page size from 10 to 5,000 cases, against the floor of the stack.

    python scripts/bench.py                              # N = 10,100,1000,5000 -> docs/performance.md
    python scripts/bench.py --sizes 10,100 --report /tmp/perf.md
    python scripts/bench.py --sizes 100,1000 --serve     # also time a `mkdocs serve` rebuild

For each N, N synthetic but valid cases (and a grown copy of the reference data) go into a
temporary copy of the project. It is built with `mkdocs build --strict` ("ours") next to the
floor: a plain MkDocs + Material project holding the same pages already rendered to Markdown,
with the same theme, nav and standard extensions, and no macros, hooks, validation or glossary.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import gzip
import itertools
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import typing
import urllib.request
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import jinja2
import yaml
from mkdocs.config import load_config
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable without installing the package

from macros import define_env, pages  # noqa: E402
from macros.catalog import CatalogError, get_catalog  # noqa: E402
from macros.load import load_file  # noqa: E402
from macros.model import Case, Objective, Site, Source  # noqa: E402

try:  # the de-identification rules, where this version of the project has them
    from macros.checks import DEID_RULES  # noqa: E402
except ImportError:  # pragma: no cover
    DEID_RULES = []

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
REPORT = ROOT / "docs" / "performance.md"  # never copied into the benchmarked projects
NOT_COPIED = {"cases", "site", "tests", "test-artifacts", "build", "venv"}  # top-level folders a build does not read
KB, MB = 1024, 1024 * 1024
# Synthetic reference entries added per case (at least 2 of each), so the reference grows with N.
GROWTH = {"drugs": 0.05, "regimens": 0.01, "antigens": 0.02, "sites": 0.02, "glossary": 0.02}
SHAPE = {"treatment lines": 4, "EM sites": 3, "antigens": 6, "objectives": 2, "questions": 4}
# The budgets of issue 6.
RATIO, GROWTH_MAX, CASE_GZ, SAME, DRUG_GZ, SEARCH_GZ, VALIDATE_S = 1.3, 5.5, 25 * KB, 1.10, 150 * KB, 1.5 * MB, 10.0


class BenchError(Exception):
    pass


# ------------------------------------------------------------------ synthetic data


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


_UNSAFE = re.compile(r"[<>&@{}\[\]|`*_#\\\"]|^\W*[\d.,:;/%+-]+\W*$|^[A-Z]\.|https?:|\d{4}")
_RISKY = {"dr", "mr", "mrs", "ms", "miss", "prof", "mrn", "record", "hospital", "university", "clinic",
          "institute", "infirmary", "foundation", "centre", "center", "medical"}
_DEID = [v for rule in DEID_RULES for v in (rule if isinstance(rule, tuple) else [getattr(rule, a) for a in dir(rule)])
         if isinstance(v, re.Pattern)]  # the rules' regular expressions, whatever shape a rule has


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


def _usable(word: str) -> bool:
    core = word.strip(".,;:()")  # no one-letter words: "T. A." would read as initials
    return not (len(core) < 2 or _UNSAFE.search(word) or core.lower() in _RISKY or any(p.search(word) for p in _DEID))


class Writer:
    """Random prose drawn from the real vocabulary; counts the words it writes."""

    def __init__(self, rng: random.Random, words: list[str]):
        self.rng, self.vocab, self.terms, self.count = rng, words, [], 0

    def text(self, n: int) -> str:
        self.count += n
        words = self.rng.choices(self.vocab, k=n)
        if self.terms and n >= 8:  # a synthetic glossary term in longer texts
            words[self.rng.randrange(n)] = self.rng.choice(self.terms)
        sentences = [" ".join(words[i:i + 12]) for i in range(0, n, 12)]
        return " ".join(s[0].upper() + s[1:].rstrip(".,;:") + "." for s in sentences)

    def short(self, n: int) -> str:
        return self.text(n)[:190].rstrip(" .") or "text"


def _choices(model, name: str) -> list[str]:
    return list(typing.get_args(model.model_fields[name].annotation))


def extend_reference(project: Path, n: int, w: Writer) -> dict[str, Pool]:
    """Append synthetic entries to the copied reference files; return every id per kind, real first."""
    ids = {stem: list(load_file(project / "reference" / f"{stem}.yml").data) for stem in GROWTH}
    count = {stem: max(2, round(n * rate)) for stem, rate in GROWTH.items()}
    new: dict[str, dict] = {stem: {} for stem in GROWTH}
    for i in range(1, count["antigens"] + 1):
        new["antigens"][f"bench-ag{i}"] = {"name": f"BX{i}", "aliases": [f"BX{i}+"], "description": w.text(30),
                                           "expressed_on": w.short(10)}
    antigens = Pool(ids["antigens"] + list(new["antigens"]))
    for i in range(1, count["drugs"] + 1):
        new["drugs"][f"benchmab-{i}"] = {
            "name": f"Benchmab {i}", "abbreviations": [f"BMB{i}"], "class": w.short(4),
            "targets": antigens.draw(w.rng, 1), "mechanism": w.text(45), "toxicities": [w.short(6) for _ in range(3)]}
    drugs = Pool(ids["drugs"] + list(new["drugs"]))
    for i in range(1, count["regimens"] + 1):
        new["regimens"][f"bench-regimen-{i}"] = {"name": f"Bench regimen {i}", "aliases": [f"BR-{i}"],
                                                 "drugs": drugs.draw(w.rng, 4), "description": w.text(35)}
    regions = _choices(Site, "region")
    for i in range(1, count["sites"] + 1):
        new["sites"][f"bench-site-{i}"] = {"name": f"Bench site {i}", "aliases": [f"site {i}"],
                                           "region": w.rng.choice(regions), "description": w.text(20)}
    for i in range(1, count["glossary"] + 1):
        new["glossary"][f"BQX{i}"] = {"expansion": w.short(4), "definition": w.text(12)}
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


def synthetic_case(i: int, pools: dict[str, Pool], w: Writer) -> dict:
    """One valid case of the shape in SHAPE, about a thousand words of text."""
    rng, q = w.rng, iter(range(1, 100))
    sites, ags = pools["sites"].draw(rng, SHAPE["EM sites"]), pools["antigens"].draw(rng, SHAPE["antigens"])
    lines = [{"setting": w.short(4), "when": w.short(4), "month": 6 * n,
              **({"regimen": pools["regimens"].draw(rng, 1)[0], "other": [w.short(5)]} if n == 0 else
                 {"drugs": [{"drug": d, "dose": w.short(3), "schedule": w.short(3)}
                            for d in pools["drugs"].draw(rng, rng.choice((1, 2)))]}),
              "cycles": w.short(3), "text": w.text(14),
              "response": {"category": rng.choice(["CR", "CRi", "CMR", "PR", "SD", "PD"]),
                           "mrd": rng.choice(["negative", "positive"]), "text": w.text(12)},
              "adverse_events": [w.text(6)]} for n in range(SHAPE["treatment lines"])]
    case = {
        "title": w.short(10), "summary": w.text(45),
        "source": {"authors": [f"Bench{i} A", "Author B", "Writer C"], "title": w.short(10),
                   "journal": "Synthetic Reports in Haematology", "year": 2000 + i % 26, "citation": f"{i}:1",
                   "doi": f"10.5555/bench.{i}", "case_label": "Case 1", "kind": "journal article",
                   "licence": "CC BY 4.0 (synthetic benchmark case)"},
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
        "outcome": {"status": "alive in remission", "text": w.text(20), "follow_up": w.short(3)},
        "annotations": [{"at": at, "title": w.short(4), "text": w.text(25), **refs} for at, refs in (
            ("presentation", {"sites": sites[:1]}), ("diagnosis", {"antigens": ags[:2]}),
            ("treatment[1]", {"drugs": [lines[1]["drugs"][0]["drug"]]}))],
        "discussion": w.text(60), "lessons": [w.text(8) for _ in range(3)],
        "source_notes": [{"about": w.short(3), "text": w.text(15)} for _ in range(2)],
        "objectives": [{"id": f"bench-{i}-o{o}", "text": w.short(10), "topic": rng.choice(_choices(Objective, "topic")),
                        "questions": [{"id": f"bench-{i}-q{next(q)}", "stem": w.text(15), "options": [
                            {"text": f"{w.short(4)} ({k})", "correct": k == 1, "explanation": w.text(6)}
                            for k in range(1, 5)]} for _ in range(SHAPE["questions"] // SHAPE["objectives"])]}
                       for o in range(1, SHAPE["objectives"] + 1)],
    }
    if "patient_perspective" in Case.model_fields:  # optional CARE items, where the model has them
        case["patient_perspective"] = w.text(15)
    if "consent" in Source.model_fields:
        case["source"]["consent"] = w.text(8)
    return case


# ------------------------------------------------------------------ projects


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


def make_project(dest: Path, n: int, seed: int, source: Path) -> tuple:
    """A project copy with N synthetic cases: (catalog, facts about the data). Raises unless valid."""
    shutil.copytree(source, dest)
    w = Writer(random.Random(f"{seed}-{n}"), vocabulary())
    pools = extend_reference(dest, n, w)
    w.count = 0
    for i in range(1, n + 1):
        (dest / "cases" / f"bench-case-{i:05d}.yml").write_text(dump(synthetic_case(i, pools, w)), encoding="utf-8")
    try:
        catalog = get_catalog(dest)
    except CatalogError as e:
        raise BenchError(f"the synthetic cases are not valid:\n{str(e)[:3000]}") from None
    if catalog.warnings:  # `mkdocs build --strict -q` would hide them, `mkdocs serve` would stop on them
        raise BenchError("the synthetic cases have warnings:\n" + "\n".join(map(str, catalog.warnings[:20])))
    return catalog, {"words": w.count / n, **{stem: len(pool.ids) for stem, pool in pools.items()}}


def read_config(project: Path) -> dict:
    """mkdocs.yml as plain data; an `!ENV [NAME, default]` tag becomes its default."""
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    text = re.sub(r"!ENV\s*(\[.*?\])", lambda m: yaml.safe_dump(yaml.safe_load(m[1])[-1]).splitlines()[0], text)
    return yaml.safe_load(text)


def _name(entry) -> str:
    return entry if isinstance(entry, str) else next(iter(entry))


class MacroEnv:
    """Just enough of mkdocs-macros' `env` to run the project's define_env() outside a build."""

    def __init__(self, project: Path):
        self.conf = load_config(str(project / "mkdocs.yml"))
        self.project_dir, self.macros, self.filters, self.variables, self.page = str(project), {}, {}, {}, None

    def macro(self, fn, name=""):
        self.macros[name or fn.__name__] = fn
        return fn

    def filter(self, fn, name=""):
        self.filters[name or fn.__name__] = fn
        return fn

    def render(self, jinja: jinja2.Environment, src_uri: str, text: str) -> str:
        """A page as the macros plugin renders it (when its front matter asks for it), on a real Page."""
        m = re.match(r"---\n(.*?)\n---\n(.*)", text, re.S)
        meta = yaml.safe_load(m[1]) if m else {}
        if not (isinstance(meta, dict) and meta.get("render_macros")):
            return text
        conf = self.conf
        self.page = Page(None, File(src_uri, conf.docs_dir, conf.site_dir, conf.use_directory_urls), conf)
        self.page.meta = meta
        rest = {k: v for k, v in meta.items() if k != "render_macros"}
        body = jinja.from_string(m[2]).render(**self.variables, **self.macros)
        return (f"---\n{yaml.safe_dump(rest)}---\n" if rest else "") + body


def make_floor(project: Path, dest: Path, catalog) -> None:
    """The same pages, rendered to Markdown files, in a plain MkDocs + Material project."""
    config, env = read_config(project), MacroEnv(project)
    define_env(env)
    options = next((e["macros"] for e in config.get("plugins", []) if _name(e) == "macros"), None) or {}
    jinja = jinja2.Environment(undefined=jinja2.StrictUndefined, **{k[3:]: v for k, v in options.items() if k.startswith("j2_")})
    jinja.filters.update(env.filters)
    shutil.copytree(project / "docs", dest / "docs")
    theme = config.get("theme")
    if isinstance(theme, dict) and theme.get("custom_dir"):  # theme overrides are part of the theme
        shutil.copytree(project / theme["custom_dir"], dest / theme["custom_dir"])
    for path in (dest / "docs").rglob("*.md"):
        path.write_text(env.render(jinja, path.relative_to(dest / "docs").as_posix(), path.read_text(encoding="utf-8")),
                        encoding="utf-8")
    generated = pages.generate(catalog)
    for path, content in ([(p, env.render(jinja, p, stub)) for p, stub in generated]
                          + list(getattr(pages, "data_files", lambda c: [])(catalog))):
        (dest / "docs" / path).parent.mkdir(parents=True, exist_ok=True)
        (dest / "docs" / path).write_text(content, encoding="utf-8")
    config["plugins"] = [e for e in config.get("plugins", []) if _name(e) != "macros"]
    if not any(_name(e) in ("search", "material/search") for e in config["plugins"]):
        config["plugins"].insert(0, "search")  # the stack's own search: Material's plugin indexes every page
    config["markdown_extensions"] = [e for e in config.get("markdown_extensions", []) if not _name(e).startswith("macros.")]
    for key in ("hooks", "watch"):
        config.pop(key, None)
    folders = sorted({p.split("/")[0] for p, _ in generated})  # generated pages stay out of the nav, as in ours
    config["not_in_nav"] = "\n".join([config.get("not_in_nav") or ""] + [f"/{f}/*.md" for f in folders] + ["!index.md"]).strip()
    (dest / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")


# ------------------------------------------------------------------ measuring


def run(cmd: list, cwd: Path) -> tuple[float, float, float]:
    """Wall seconds, peak resident memory (MB) and CPU seconds of one command. Raises BenchError on failure."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, env=ENV, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            out.seek(0)
            raise BenchError(f"`{' '.join(map(str, cmd))}` failed in {cwd}:\n{out.read().decode()[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def build_cmd(out: Path) -> list:
    return [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", out]


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), 6, mtime=0))


def median_page(paths: list[Path]) -> tuple[int, int]:
    """(raw, gzip) bytes of the page of median raw size."""
    raw, path = sorted((p.stat().st_size, p) for p in paths)[len(paths) // 2]
    return raw, gz(path)


def transfer(path: Path) -> int:
    """Bytes sent for a file served with gzip (Pagefind's index files are gzip already)."""
    return min(path.stat().st_size, gz(path))


def builtin_index(site: Path) -> tuple[int, int] | None:
    """(raw, gzip) of Material's whole-site search index, where the site has one (the floor does)."""
    index = site / "search" / "search_index.json"
    return (index.stat().st_size, gz(index)) if index.exists() else None


def pagefind_download(site: Path) -> dict:
    """What the search page fetches before the first results of a one-word query (checked in Chromium:
    the UI, the Pagefind runtime and its metadata, every filter file, one index chunk and the excerpts of
    the five results shown), taking the largest chunk and the five largest excerpts: an upper bound."""
    bundle = site / "pagefind"
    if not bundle.is_dir():
        raise BenchError(f"{site} has no Pagefind bundle: did the build's search hook run?")
    fixed = [bundle / n for n in ("pagefind-ui.js", "pagefind-ui.css", "pagefind.js", "pagefind-worker.js",
                                  "pagefind-entry.json")] + sorted(bundle.glob("pagefind.*.pf_meta")) + sorted(bundle.glob("wasm.en.pagefind"))
    chunks = [transfer(p) for p in bundle.glob("index/*.pf_index")]
    fragments = sorted((transfer(p) for p in bundle.glob("fragment/*.pf_fragment")), reverse=True)
    out = {"fixed": sum(transfer(p) for p in fixed if p.exists()), "chunk": max(chunks, default=0),
           "filters": sum(transfer(p) for p in bundle.glob("filter/*.pf_filter")), "fragments": sum(fragments[:5]),
           "files": sum(1 for p in bundle.rglob("*") if p.is_file()), "bundle": sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())}
    out["total"] = out["fixed"] + out["chunk"] + out["filters"] + out["fragments"]
    return out


def measure_sizes(site: Path, catalog) -> dict:
    files = [p for p in site.rglob("*") if p.is_file()]
    html = [p for p in files if p.suffix == ".html"]
    largest = max(html, key=lambda p: p.stat().st_size)
    drug = lambda d: site / "drugs" / d / "index.html"  # noqa: E731
    return {
        "pages": len(html), "site": sum(p.stat().st_size for p in files),
        "pagefind": pagefind_download(site), "case": median_page([site / "cases" / s / "index.html" for s in catalog.cases]),
        "drug": median_page([drug(d) for d in catalog.drugs]), "drug_max": max((gz(drug(d)), d) for d in catalog.drugs),
        "cases_index": (site.joinpath("cases/index.html").stat().st_size, gz(site / "cases/index.html")),
        "largest": (largest.relative_to(site).as_posix(), largest.stat().st_size, gz(largest)),
        # files present at every N (no synthetic case or entry in their path), to see which ones grow with N
        "fixed": {p.relative_to(site).as_posix(): gz(p) for p in files
                  if "bench" not in p.name + p.parent.name and p.relative_to(site).parts[0] not in ("assets", "pagefind")},
    }


def wait_for_page(url: str, marker: str, timeout: float, server: subprocess.Popen) -> float:
    """Seconds until ``url`` answers with a page containing ``marker``."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if marker in response.read().decode("utf-8", "replace"):
                    return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.1)
    raise BenchError(f"{url} did not show {marker!r} within {timeout:.0f} s" if server.poll() is None
                     else f"mkdocs serve stopped (exit status {server.returncode})")


def measure_serve(project: Path, slug: str, timeout: float = 900) -> tuple[float, float] | str:
    """(seconds until `mkdocs serve` first serves, seconds from editing one case to its page showing
    the edit), or why it failed."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base, log = f"http://127.0.0.1:{port}/", project.parent / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                                cwd=project, env=ENV, stdout=out, stderr=subprocess.STDOUT)
    try:
        first = wait_for_page(base, "", timeout, proc)
        path, marker = project / "cases" / f"{slug}.yml", f"benchmarker{time.time_ns()}"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["title"] = f"{marker} {data['title']}"[:200]
        path.write_text(dump(data), encoding="utf-8")
        return first, wait_for_page(f"{base}cases/{slug}/", marker, timeout, proc)
    except BenchError as e:
        return f"failed: {e}; see {log.name}: " + " / ".join(log.read_text(errors="replace").splitlines()[-3:])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class Result:
    n: int
    runs: int
    facts: dict
    build: list = field(default_factory=list)  # (seconds, MB, CPU seconds) per run
    floor: list = field(default_factory=list)
    validate: list = field(default_factory=list)
    load: list = field(default_factory=list)  # 1-minute load average before each run
    sizes: dict = field(default_factory=dict)
    floor_site: int = 0
    floor_index: tuple | None = None  # Material's built-in search index in the floor: (raw, gzip)
    serve: tuple | str | None = None

    def t(self, runs, column: int = 0) -> float:
        """Median over the runs: wall seconds (column 0), or CPU seconds (column 2)."""
        return statistics.median(run[column] for run in runs)

    def ratio(self, column: int = 0) -> float:
        return self.t(self.build, column) / self.t(self.floor, column)


def bench_size(n: int, args, work: Path) -> Result:
    """Every measurement for N cases."""
    here = work / f"n{n}"
    print(f"[N={n}] generating cases ...", flush=True)
    catalog, facts = make_project(here / "project", n, args.seed, work / "source")
    make_floor(here / "project", here / "floor", catalog)
    r = Result(n, args.repeat or (3 if n < 1000 else 1), facts)
    for _ in range(max(r.runs, 3)):  # seconds each, so always three runs: one is at the mercy of the machine
        r.validate.append(run([sys.executable, "scripts/validate.py", "--root", "."], here / "project"))
    for k in range(r.runs):  # interleaved, so a busy moment of the machine hits both builds
        r.load.append(os.getloadavg()[0])
        r.build.append(run(build_cmd(here / "site"), here / "project"))
        r.floor.append(run(build_cmd(here / "floor-site"), here / "floor"))
        print(f"[N={n}] run {k + 1}/{r.runs}: build {r.build[-1][0]:.1f} s, floor {r.floor[-1][0]:.1f} s, "
              f"validate {r.validate[-1][0]:.1f} s", flush=True)
    r.sizes = measure_sizes(here / "site", catalog)
    r.floor_site = sum(p.stat().st_size for p in (here / "floor-site").rglob("*") if p.is_file())
    r.floor_index = builtin_index(here / "floor-site")
    if n == args.serve_n:
        r.serve = measure_serve(here / "project", next(iter(catalog.cases)))
        print(f"[N={n}] serve: {r.serve}", flush=True)
    return r


# ------------------------------------------------------------------ the report


def kb(b: float) -> str:
    return f"{b / KB:,.1f} KB" if b < MB else f"{b / MB:,.2f} MB"


def pair(raw_gz: tuple) -> str:
    return f"{kb(raw_gz[0])} / {kb(raw_gz[1])}"


def estimate(points: dict[int, float], n: int) -> tuple[float | None, str]:
    """The value at N: measured, else linear through the two largest measured N (None with fewer)."""
    if n in points:
        return points[n], "measured"
    if len(points) < 2:
        return None, f"needs N={n:,} or two sizes to extrapolate from"
    (n1, y1), (n2, y2) = sorted(points.items())[-2:]
    return y2 + (y2 - y1) / (n2 - n1) * (n - n2), f"extrapolated from N={n1:,} and N={n2:,}"


def crossing(points: dict[int, float], limit: float) -> tuple[float | None, str]:
    """Where a value growing with N reaches ``limit``, interpolating (or extrapolating) linearly."""
    pts = sorted(points.items())
    if pts and pts[0][1] >= limit:
        return pts[0][0], "already at the smallest N measured"
    for (n1, y1), (n2, y2) in zip(pts, pts[1:]):
        if y1 < limit <= y2:
            return n1 + (limit - y1) * (n2 - n1) / (y2 - y1), f"interpolated between N={n1:,} and N={n2:,}"
    if len(pts) < 2 or pts[-1][1] <= pts[-2][1]:
        return None, "needs two sizes" if len(pts) < 2 else "not growing"
    (n1, y1), (n2, y2) = pts[-2:]
    return n2 + (limit - y2) * (n2 - n1) / (y2 - y1), f"extrapolated from N={n1:,} and N={n2:,}"


def search_download(r: Result) -> int:
    """Bytes a reader of our site downloads before the first search results."""
    return r.sizes["pagefind"]["total"]


def budgets(results: list[Result]) -> list[tuple[str, str, str]]:
    """(budget, measured, PASS/FAIL/NOT RUN) for each budget of issue 6."""
    by_n, verdict = {r.n: r for r in results}, lambda ok: "PASS" if ok else "FAIL"
    at_each = lambda values: " · ".join(f"{v} at N={r.n:,}" for r, v in zip(results, values))  # noqa: E731
    rows = []
    for n in (1000, 5000):
        r = by_n.get(n)
        rows.append((f"build ≤ {RATIO}× floor at N={n:,}", f"{r.ratio():.3f}× ({r.t(r.build):.1f} s vs {r.t(r.floor):.1f} s; "
                     f"CPU time {r.ratio(2):.3f}×)" if r else "not measured", verdict(r.ratio() <= RATIO) if r else "NOT RUN"))
    if 1000 in by_n and 5000 in by_n:
        g = by_n[5000].t(by_n[5000].build) / by_n[1000].t(by_n[1000].build)
        rows.append((f"growth time(5,000) / time(1,000) ≤ {GROWTH_MAX}", f"{g:.3f}", verdict(g <= GROWTH_MAX)))
    else:
        rows.append((f"growth time(5,000) / time(1,000) ≤ {GROWTH_MAX}", "needs N=1,000 and N=5,000", "NOT RUN"))
    cases = [r.sizes["case"][1] for r in results]
    rows.append((f"median case page ≤ {kb(CASE_GZ)} gzip", at_each(map(kb, cases)), verdict(max(cases) <= CASE_GZ)))
    rows.append((f"case page the same at N={results[0].n:,} and N={results[-1].n:,} (within {SAME - 1:.0%})",
                 f"{kb(cases[0])} → {kb(cases[-1])} ({cases[-1] / cases[0]:.2f}×)", verdict(cases[-1] / cases[0] <= SAME)))
    drugs = [r.sizes["drug_max"] for r in results]
    rows.append((f"every drug page < {kb(DRUG_GZ)} gzip", "largest: " + at_each(f"{d} {kb(b)}" for b, d in drugs),
                 verdict(max(drugs)[0] < DRUG_GZ)))
    value, how = estimate({r.n: search_download(r) for r in results}, 5000)
    rows.append((f"search: download before the first results ≤ {kb(SEARCH_GZ)} gzip at N=5,000",
                 f"{kb(value)} ({how})" if value else how, verdict(value <= SEARCH_GZ) if value else "NOT RUN"))
    value, how = estimate({r.n: r.t(r.validate) for r in results}, 5000)
    rows.append((f"validate.py on 5,000 cases < {VALIDATE_S:.0f} s", f"{value:.1f} s ({how})" if value else how,
                 verdict(value < VALIDATE_S) if value else "NOT RUN"))
    return rows


def table(header: list[str], rows) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)] + [
        "| " + " | ".join(str(c) for c in row) + " |" for row in rows] + [""]


def machine() -> list[str]:
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    ram = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("mkdocs", "mkdocs-material", "mkdocs-macros-plugin", "Markdown"))
    git = lambda *a: subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()  # noqa: E731
    code = f"commit {git('rev-parse', '--short', 'HEAD') or 'unknown'}" + (
        " with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")
    return [f"- CPU: {cpu[1] if cpu else platform.processor()}, {os.cpu_count()} cores"
            + (f", {int(ram[1]) / MB:.1f} GiB RAM" if ram else ""), f"- {platform.platform()}",
            f"- Python {platform.python_version()}, {versions}", f"- Project code measured: {code}",
            f"- Started on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC", ""]


METHOD = """\
For each N, N synthetic cases are generated into a temporary copy of the project, each with about {words:,.0f} words
of text drawn from the words of the real cases, {shape}, using the real reference data plus synthetic entries
appended to it (ids are drawn with weight 1/rank, so a few drugs, sites and antigens are in many cases). The cases
pass the project's own loader with no warning. *Ours* is `mkdocs build --strict -q` of that project; the *floor* is
the same pages already rendered to Markdown (by the project's own macros) built by plain MkDocs + Material with the
same theme, features, nav and standard Markdown extensions, no macros plugin, hooks, validation or glossary, and
Material's built-in search where ours runs Pagefind.
Times are medians of interleaved runs; memory is the peak resident size of the build process; *CPU* is its user +
system time, which other work on the machine disturbs less than wall time (*load* is the highest 1-minute load
average seen before a run: above the number of cores, other processes competed for the CPU). *validate* is
`python scripts/validate.py` (one process per CPU), interpreter start included, the median of at least three runs. Sizes are bytes on disk and gzip level 6; KB = 1,024
bytes, MB = 1,024 KB.
"""

SEARCH = """\
Search is [Pagefind](https://pagefind.app/), run at the end of our build (its time is part of ours). It splits the
index by word, so the search page fetches its runtime, the filter lists (drug, antigen, site, type), the index chunk
of each word typed and the excerpts of the results it shows, not the whole index. The table takes, for a one-word
query, the largest chunk and the five largest excerpts (an upper bound). The floor keeps Material's built-in search,
whose whole-site index every reader who searches downloads in full.
"""


def report(results: list[Result], command: str, machine_lines: list[str]) -> str:
    """The Markdown report: every number comes from ``results``."""
    small, large = results[0], results[-1]
    out = ["# Performance", "", f"Written by `python scripts/bench.py{command}`. Do not edit by hand; run the script again.",
           "", "## Machine", "", *machine_lines, "## Method", "",
           METHOD.format(words=statistics.mean(r.facts["words"] for r in results),
                         shape=", ".join(f"{v} {k}" for k, v in SHAPE.items())), "## Data", ""]
    out += table(["N", "runs", "words per case", *(f"{k} (reference)" for k in GROWTH), "HTML pages", "load"],
                 [[f"{r.n:,}", r.runs, f"{r.facts['words']:,.0f}", *(r.facts[k] for k in GROWTH), r.sizes["pages"],
                   f"{max(r.load):.1f}"] for r in results])
    out += ["## Build time and memory", ""] + table(
        ["N", "build (s)", "floor (s)", "ours / floor", "ms per case", "floor ms per case", "validate.py (s)",
         "peak memory (MB)", "floor peak memory (MB)", "build CPU (s)", "floor CPU (s)", "CPU ours / floor"],
        [[f"{r.n:,}", f"{r.t(r.build):.2f}", f"{r.t(r.floor):.2f}", f"{r.ratio():.2f}", f"{r.t(r.build) * 1000 / r.n:.1f}",
          f"{r.t(r.floor) * 1000 / r.n:.1f}", f"{r.t(r.validate):.2f}", f"{max(m for _, m, _ in r.build):.0f}",
          f"{max(m for _, m, _ in r.floor):.0f}", f"{r.t(r.build, 2):.1f}", f"{r.t(r.floor, 2):.1f}", f"{r.ratio(2):.2f}"]
         for r in results])
    out += [f"Growth from N={a.n:,} to N={b.n:,} ({b.n / a.n:g}× the cases): build {b.t(b.build) / a.t(a.build):.2f}×, "
            f"floor {b.t(b.floor) / a.t(a.floor):.2f}×, validate.py {b.t(b.validate) / a.t(a.validate):.2f}×.\n"
            for a, b in zip(results, results[1:])]
    out += ["## Sizes", ""] + table(
        ["N", "site", "floor site", "search bundle on disk", "case page raw / gzip (median)", "drug page raw / gzip "
         "(median)", "largest drug page gzip", "cases index raw / gzip", "largest page (raw / gzip)"],
        [[f"{r.n:,}", kb(s["site"]), kb(r.floor_site),
          f"{kb(s['pagefind']['bundle'])} in {s['pagefind']['files']:,} files",
          pair(s["case"]), pair(s["drug"]),
          f"{kb(s['drug_max'][0])} ({s['drug_max'][1]})", pair(s["cases_index"]), f"{s['largest'][0]} ({pair(s['largest'][1:])})"]
         for r in results for s in [r.sizes]])
    if len(results) > 1:
        grown = sorted(((large.sizes["fixed"][p] / max(g, 1), p, g) for p, g in small.sizes["fixed"].items()
                        if p in large.sizes["fixed"]), reverse=True)[:10]
        out += [f"Files present at every N that grow the most from N={small.n:,} to N={large.n:,} (gzip):", ""]
        out += table(["file", f"N={small.n:,}", f"N={large.n:,}", "growth"],
                     [[p, kb(g), kb(large.sizes["fixed"][p]), f"{x:,.1f}×"] for x, p, g in grown])
    if any(r.serve for r in results):
        out += ["## `mkdocs serve`", ""] + table(["N", "first page served (s)", "edit one case → page updated (s)"], [
            [f"{r.n:,}", r.serve, "—"] if isinstance(r.serve, str) else [f"{r.n:,}", f"{r.serve[0]:.1f}", f"{r.serve[1]:.1f}"]
            for r in results if r.serve])
    out += ["## Search", "", SEARCH.strip(), ""]
    out += table(["N", "ours: first results", "UI and runtime", "largest index chunk", "filters", "5 largest excerpts",
                  "floor: built-in index gzip"], [
        [f"{r.n:,}", kb(search_download(r)), *(kb(r.sizes["pagefind"][k]) for k in ("fixed", "chunk", "filters", "fragments")),
         kb(r.floor_index[1]) if r.floor_index else "—"] for r in results])
    builtin = {r.n: r.floor_index[1] for r in results if r.floor_index}
    if len(builtin) > 1:
        (n1, a), (n2, b) = sorted(builtin.items())[-2:]
        cross, how = crossing(builtin, SEARCH_GZ)
        out += [f"Material's built-in index grows by {(b - a) / (n2 - n1) / KB:.2f} KB gzip per case between N={n1:,} "
                f"and N={n2:,}" + (f" and crosses {kb(SEARCH_GZ)} at N ≈ {cross:,.0f} ({how})." if cross else "."), ""]
    out += ["## Budgets", ""]
    return "\n".join(out + table(["budget", "measured", "result"], budgets(results)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000,5000", help="numbers of cases, comma-separated (default: %(default)s)")
    parser.add_argument("--repeat", type=int, help="runs per size (default: 3 below 1,000 cases, else 1)")
    parser.add_argument("--report", type=Path, default=REPORT, help="Markdown report (default: docs/performance.md)")
    parser.add_argument("--serve", action="store_true", help="also time a `mkdocs serve` rebuild at the largest N ≤ 1,000")
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the synthetic data (default: %(default)s)")
    parser.add_argument("--workdir", type=Path, help="an empty folder to keep the projects and sites in (default: temporary)")
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",")})
    args.serve_n = max((n for n in sizes if n <= 1000), default=None) if args.serve else None
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = args.workdir or Path(tmp)
        if work.exists() and any(work.iterdir()):
            parser.error(f"--workdir {work} is not empty")
        machine_lines = machine()  # with the commit, when the code is copied
        snapshot(work / "source", {args.report.resolve(), REPORT.resolve()})
        try:
            results = [bench_size(n, args, work) for n in sizes]
        except BenchError as e:
            print(f"bench: {e}", file=sys.stderr)
            return 1
    command = re.sub(r"\s*--workdir[= ]\S+", "", " " + " ".join(sys.argv[1:] if argv is None else argv))
    text = report(results, command.rstrip(), machine_lines)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(text, encoding="utf-8")
    print(f"\nwrote {args.report}\n\n{text[text.index('## Build time'):]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
