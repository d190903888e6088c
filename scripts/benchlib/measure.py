"""Measuring: one command's time, CPU and peak memory; a `mkdocs serve` preview; the built site's sizes.

Nothing here decides whether a number is good: that is ``budgets``.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from macros.kinds import PAGE_KINDS

from . import ENV, MB, BenchError
from .synthetic import dump

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True)
class Run:
    """One command: wall seconds, CPU seconds (user + system, children included), peak memory in MB
    of all its processes together, and of the largest single process."""

    seconds: float
    cpu: float
    peak_mb: float
    process_mb: float
    own_mb: float = 0.0  # the command's own process alone (sampled), without Pagefind or workers; 0: not sampled


def _memory(pid: int) -> int:
    """Proportional set size of one process (shared pages split among the processes sharing
    them, so a tree's sum counts them once), or its resident size where the kernel has no PSS."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * _PAGE


def _tree_memory(pid: int) -> int:
    """Bytes of a process and all its descendants now (Linux /proc; 0 elsewhere)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            total += _memory(p)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack += [int(c) for c in f.read().split()]
        except (OSError, ValueError, IndexError):
            pass  # gone meanwhile
    return total


class _Sampler(threading.Thread):
    """The largest summed resident size of a process tree, sampled every 50 ms: a build that
    runs worker processes side by side peaks at their sum, which getrusage cannot see."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.own, self.done = pid, 0, 0, threading.Event()

    def run(self):
        while not self.done.wait(0.05):
            self.peak = max(self.peak, _tree_memory(self.pid))
            try:
                self.own = max(self.own, _memory(self.pid))
            except OSError:
                pass  # gone meanwhile


def run(cmd: list, cwd: Path) -> Run:
    """Run one command to the end and measure it. Raises BenchError on failure.

    CPU and the largest single process come from wait4(), whose usage includes the children the
    command waited for (Pagefind, worker processes); peak memory is the larger of that and the
    sampled sum over the whole tree."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, env=ENV, stdout=out, stderr=subprocess.STDOUT)
        sampler = _Sampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            out.seek(0)
            raise BenchError(f"`{' '.join(map(str, cmd))}` failed in {cwd}:\n{out.read().decode()[-3000:]}")
    largest = usage.ru_maxrss * 1024  # KB on Linux
    return Run(seconds, usage.ru_utime + usage.ru_stime, max(largest, sampler.peak) / MB, largest / MB, sampler.own / MB)


def build_cmd(out: Path) -> list:
    # No -q: it drops warnings before --strict can count them. The log goes to a file.
    return [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", out]


# ------------------------------------------------------------------ `mkdocs serve`


@dataclass
class Serve:
    """`mkdocs serve`: seconds to the first page, and from each save of one case file to its
    updated page; or why it failed."""

    first: float | None = None
    saves: list[float] = field(default_factory=list)
    error: str | None = None

    @property
    def preview(self) -> float | None:
        return statistics.median(self.saves) if self.saves else None


def _get(url: str, timeout: float) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8", "replace")


def _first_page(url: str, timeout: float, server: subprocess.Popen) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout and server.poll() is None:
        try:
            _get(url, 5)
            return time.perf_counter() - start
        except OSError:
            time.sleep(0.1)
    raise BenchError(f"{url} did not answer within {timeout:.0f} s" if server.poll() is None
                     else f"mkdocs serve stopped (exit status {server.returncode})")


_EPOCH = re.compile(r"livereload\((\d+),\s*(\d+)\)")


def _save_and_wait(path: Path, url: str, base: str, marker: str, timeout: float, server: subprocess.Popen) -> float:
    """Seconds from saving ``path`` with ``marker`` in its title to ``url`` showing it, as a browser
    sees it: the page's livereload script long-polls /livereload/<epoch>/ until a rebuild has
    finished, then the page is fetched again."""
    page = _get(url, timeout)
    m = _EPOCH.search(page)
    if not m:
        raise BenchError("the served page has no livereload script: is `mkdocs serve` run with --no-livereload?")
    epoch, request = int(m[1]), m[2]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["title"] = f"{marker} {data['title']}"[:200]
    start = time.perf_counter()
    path.write_text(dump(data), encoding="utf-8")
    while time.perf_counter() - start < timeout and server.poll() is None:
        try:
            newer = int(_get(f"{base}livereload/{epoch}/{request}", 90))
        except OSError:
            continue
        if newer > epoch:
            if marker in _get(url, timeout):
                return time.perf_counter() - start
            epoch = newer  # a rebuild that began before the save: wait for the next
    raise BenchError(f"{url} did not show the edit within {timeout:.0f} s" if server.poll() is None
                     else f"mkdocs serve stopped (exit status {server.returncode})")


def measure_serve(project: Path, slug: str, saves: int = 3, timeout: float = 900) -> Serve:
    """Start `mkdocs serve` (with live reload: without it, serve does not rebuild), time its first
    page, then save case ``slug`` ``saves`` times, one after the other, timing each to its page."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base, log = f"http://127.0.0.1:{port}/", project.parent / "serve.log"
    result = Serve()
    with open(log, "wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dirty", "-a", f"127.0.0.1:{port}"],
                                  cwd=project, env=ENV, stdout=out, stderr=subprocess.STDOUT)
    try:
        result.first = _first_page(base, timeout, server)
        path, url = project / "cases" / f"{slug}.yml", f"{base}cases/{slug}/"
        for k in range(saves):
            result.saves.append(_save_and_wait(path, url, base, f"benchmarker{k}x{time.time_ns()}", timeout, server))
    except (BenchError, OSError) as e:
        tail = " / ".join(log.read_text(errors="replace").splitlines()[-3:])
        result.error = f"failed: {e}; see {log.name}: {tail}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return result


# ------------------------------------------------------------------ sizes


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


# What the search page (docs/assets/search.js) fetches of the bundle whatever the query: Pagefind's
# runtime, its worker, entry, metadata and WebAssembly (tests/test_browser.py checks it in Chromium).
SEARCH_RUNTIME = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "pagefind.*.pf_meta", "wasm.en.pagefind")


def pagefind_download(site: Path) -> dict:
    """What the search page fetches before the first results of a one-word query: the Pagefind
    runtime and its metadata, every filter file (the filters are named at load), one index chunk and
    the excerpts of the five results shown, taking the largest chunk and the five largest excerpts:
    an upper bound. search.js itself is on every page."""
    bundle = site / "pagefind"
    if not bundle.is_dir():
        raise BenchError(f"{site} has no Pagefind bundle: did the build's search hook run?")
    fixed = [p for pattern in SEARCH_RUNTIME for p in sorted(bundle.glob(pattern))]
    chunks = [transfer(p) for p in bundle.glob("index/*.pf_index")]
    fragments = sorted((transfer(p) for p in bundle.glob("fragment/*.pf_fragment")), reverse=True)
    files = [p for p in bundle.rglob("*") if p.is_file()]
    out = {"fixed": sum(transfer(p) for p in fixed if p.exists()), "chunk": max(chunks, default=0),
           "filters": sum(transfer(p) for p in bundle.glob("filter/*.pf_filter")), "fragments": sum(fragments[:5]),
           "files": len(files), "bundle": sum(p.stat().st_size for p in files)}
    out["total"] = out["fixed"] + out["chunk"] + out["filters"] + out["fragments"]
    return out


# Folders with one generated page per item: their pages are one type, their index another.
_ITEM_FOLDERS = {"cases": "case", "quiz": "quiz", **{kind.folder: kind.key for kind in PAGE_KINDS}}
NOT_DATA = ("assets", "pagefind", "search")  # theme files, and search (reported on its own)


def page_type(rel: str) -> str:
    """The type of a built HTML page from its path in the site: 'case page', 'cases index', 'home', 'tags' ..."""
    parts = rel.split("/")
    if rel == "index.html":
        return "home"
    if parts[0] in _ITEM_FOLDERS:
        return f"{parts[0]} index" if parts[1:] == ["index.html"] else f"{_ITEM_FOLDERS[parts[0]]} page"
    return parts[0] if parts[-1] == "index.html" else rel  # a single page: glossary, tags, 404.html ...


def largest_by_type(html: list[Path], site: Path, candidates: int = 5) -> dict[str, tuple[str, int, int]]:
    """Per page type, the page largest once gzipped: (path, raw, gzip). Gzip is taken of the few
    largest raw pages of each type only, so measuring does not cost a compression of every page."""
    by_type: dict[str, list[tuple[int, Path]]] = {}
    for p in html:
        by_type.setdefault(page_type(p.relative_to(site).as_posix()), []).append((p.stat().st_size, p))
    out = {}
    for kind, pages in by_type.items():
        largest = sorted(pages, key=lambda t: t[0], reverse=True)[:candidates]
        gzipped, raw, path = max((gz(p), raw, p) for raw, p in largest)
        out[kind] = (path.relative_to(site).as_posix(), raw, gzipped)
    return dict(sorted(out.items(), key=lambda item: -item[1][2]))


def data_files(files: list[Path], site: Path, ids: dict[str, str]) -> list[tuple[str, int, int, int, int]]:
    """Open-data and other non-HTML files a reader may download, grouped where there is one per case
    or entry (``ids`` maps an id to its placeholder, e.g. '<case>'): (name, files, raw bytes, gzip
    bytes, largest gzip), largest first."""
    groups: dict[str, list[Path]] = {}
    for p in files:
        rel = p.relative_to(site)
        if p.suffix in (".html", ".png", ".svg", ".ico", ".woff2") or rel.parts[0] in NOT_DATA:
            continue
        parts = [ids.get(part, part) for part in rel.parent.parts] + [ids.get(p.stem, p.stem) + p.suffix]
        groups.setdefault("/".join(parts), []).append(p)
    rows = []
    for name, paths in groups.items():
        sizes = [(p.stat().st_size, gz(p)) for p in paths]
        rows.append((name, len(paths), sum(r for r, _ in sizes), sum(g for _, g in sizes), max(g for _, g in sizes)))
    return sorted(rows, key=lambda row: -row[3])


def measure_sizes(site: Path, catalog) -> dict:
    files = [p for p in site.rglob("*") if p.is_file()]
    html = [p for p in files if p.suffix == ".html"]
    drug = lambda d: site / "drugs" / d / "index.html"  # noqa: E731
    by_type = largest_by_type(html, site)
    return {
        "pages": len(html), "site": sum(p.stat().st_size for p in files),
        "pagefind": pagefind_download(site), "by_type": by_type,
        "largest": max(by_type.values(), key=lambda t: t[2]),
        "case": median_page([site / "cases" / s / "index.html" for s in catalog.cases]),
        "drug": median_page([drug(d) for d in catalog.drugs]), "drug_max": max((gz(drug(d)), d) for d in catalog.drugs),
        "data": data_files(files, site, {**{i: f"<{kind.key}>" for kind in PAGE_KINDS for i in catalog.tables[kind.folder]},
                                         **{slug: "<case>" for slug in catalog.cases}}),
        # files present at every N (no synthetic case or entry in their path), to see which ones grow with N
        "fixed": {p.relative_to(site).as_posix(): gz(p) for p in files
                  if "bench" not in p.name + p.parent.name and p.relative_to(site).parts[0] not in ("assets", "pagefind")},
    }


@dataclass
class Result:
    """Every measurement at one N."""

    n: int
    runs: int
    facts: dict  # words per case, reference entries per kind
    build: list[Run] = field(default_factory=list)
    floor: list[Run] = field(default_factory=list)
    validate: list[Run] = field(default_factory=list)
    load: list[float] = field(default_factory=list)  # 1-minute load average before each run
    sizes: dict = field(default_factory=dict)
    floor_site: int = 0
    floor_index: tuple | None = None  # Material's built-in search index in the floor: (raw, gzip)
    serve: Serve | None = None
    lighthouse: dict | None = None  # page type -> {"performance": score, "tbt": ms}, from scripts/lighthouse.py

    @staticmethod
    def median(runs: list[Run], attr: str = "seconds") -> float:
        return statistics.median(getattr(r, attr) for r in runs)

    def ratio(self, attr: str = "seconds") -> float:
        """Ours / floor, medians of ``attr`` (seconds or cpu)."""
        return self.median(self.build, attr) / self.median(self.floor, attr)

    def peak(self, runs: list[Run], attr: str = "peak_mb") -> float:
        return max(getattr(r, attr) for r in runs)

    @property
    def memory_ratio(self) -> float:
        return self.peak(self.build) / self.peak(self.floor)


def results_json(results: list[Result], **about) -> str:
    """Results (and what else ``about`` says: machine, command) as JSON, to write the report
    again later without measuring (``read_results``)."""
    return json.dumps({**about, "results": [dataclasses.asdict(r) for r in results]}, indent=1, ensure_ascii=False)


def read_results(text: str) -> tuple[list[Result], dict]:
    """(results, everything else saved with them)."""
    data = json.loads(text)
    out = []
    for saved in data.pop("results"):
        runs = {k: [Run(**run) for run in saved.pop(k)] for k in ("build", "floor", "validate")}
        serve = saved.pop("serve")
        out.append(Result(**saved, **runs, serve=Serve(**serve) if serve else None))
    return out, data
