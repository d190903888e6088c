"""Incremental rebuilds under ``mkdocs serve --dirty``: only the pages whose inputs changed.

MkDocs' ``--dirty`` skips a page when ``file.is_modified()`` is False, but a generated page always
says it was modified and a hand-written page is judged by file times alone (an index page whose
Markdown never changes would never be rebuilt). So every page gets a key here: a digest of what
its output is made from, found with O(N) work for the whole site and nothing O(N) per page.

- Every page: the *global* key: mkdocs.yml, the site address, the code and templates
  (``macros/``), the theme overrides, the reference data as the catalog holds it (glossary
  included: its tooltips are on every page), the names of the files under ``docs/``, and the
  "restart, Python changed" notice. Any change to them rebuilds every page.
- A generated page: its own stub (tags; the mixed quiz's whole Markdown), plus
  - a case page: its case file, when it last changed, its related cases and its previous and next
    case with their titles;
  - a drug, regimen or antigen page: the mentions of it and the titles of the cases they come
    from; a site page: the files of the cases that mention it (it shows their site details);
  - a quiz topic page: the case files of its objectives and the number of pages of its topic;
  - a generated page of a kind not listed here: every case file.
- A hand-written page: its file; with macros (``render_macros: true``: the indexes, home, data)
  or a tags listing, also every case file.
- The theme's 404 page: the global key; the sitemap: also every page's address and the build date.

A page is rebuilt when its key differs from the last good build's or its output is missing; a
failed build forgets every key, so the next one builds everything; a file that an earlier build
wrote and this one does not (a deleted case's pages) is deleted.

What the browser waits for. When only case files changed, the build holds the saved cases' pages,
the pages they link to (previous, next and related cases, their drugs, regimens, antigens and
sites), the case index and the tags page. The other pages whose keys changed (home, the other
indexes, quiz pages, cases listing a saved case as related) "follow": a child forked at the end of
the build (the second core) builds them as MkDocs would, then writes the open-data files (whole-
library files that take seconds at 1,000 cases; the Open data page, which shows their sizes, comes
after them). A newer rebuild stops an unfinished follow-up first; the pages it had not reported
are built again. Pagefind is not run on rebuilds (macros/search.py): search shows the first build.

While the data has problems, the banner (pages.py) is built into the hand-written pages and the
pages of the files with problems; the next good save rebuilds them without it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from macros import opendata

log = logging.getLogger("mkdocs.plugins.incremental")

DIRTY_WARNING = "A 'dirty' build is being performed"


class _QuietDirty(logging.Filter):
    """MkDocs warns on every dirty build; under ``strict: true`` that warning would abort it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(DIRTY_WARNING)


_FILTER = _QuietDirty()


def digest(*parts) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8", "backslashreplace"), digest_size=16).hexdigest()


def _tree(folder: Path) -> tuple:
    """(path, mtime, size) of every file under ``folder`` (symlinked folders followed)."""
    out = []
    for top, dirs, names in os.walk(folder, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            p = os.path.join(top, name)
            try:
                st = os.stat(p)
            except OSError:
                continue
            out.append((p, st.st_mtime_ns, st.st_size))
    return tuple(out)


def _names(folder: Path) -> tuple:
    return tuple(sorted(os.path.relpath(os.path.join(top, n), folder)
                        for top, _, names in os.walk(folder, followlinks=True) for n in names))


def _true() -> bool:
    return True


def _false() -> bool:
    return False


@dataclass
class State:
    """What the last good build was made from; lives as long as the `mkdocs serve` process."""

    active: bool = False  # `mkdocs serve --dirty`
    built: bool = False  # a good build is in the site folder
    rebuilding: bool = False  # this build is on top of it
    keys: dict[str, str] = field(default_factory=dict)  # src_uri -> key of the page as built
    pending: dict[str, str] = field(default_factory=dict)  # this build's keys, kept once it succeeds
    outputs: set[str] = field(default_factory=set)  # dest_uri of every file of the last good build
    current: set[str] = field(default_factory=set)
    shown: dict[str, tuple[dict, str | None]] = field(default_factory=dict)  # src_uri -> (meta, title) as rendered
    related: dict[str, tuple[str, list]] = field(default_factory=dict)  # slug -> (inputs' key, related slugs)
    data_paths: list[str] = field(default_factory=list)  # the open-data files of the last write
    stamps: dict[str, tuple] = field(default_factory=dict)  # slug -> case file stamp, last good build
    links: dict[str, set[str]] = field(default_factory=dict)  # slug -> pages its case page links to
    g: str = ""  # the global key of the last good build
    quiet: bool = True  # the last good build had no problems
    deferred: dict[str, str] = field(default_factory=dict)  # src_uri -> key: built after the build
    stash: dict = field(default_factory=dict)  # files, nav, env of this build, for the follow-up
    in_child: bool = False
    writer: int | None = None  # pid of the open-data writer
    manifest: str | None = None  # where the writer lists what it wrote
    rebuilt: list[str] = field(default_factory=list)


state = State()


def start(command: str, dirty: bool) -> None:
    state.active = command == "serve" and dirty
    if state.active:
        logging.getLogger("mkdocs.commands.build").addFilter(_FILTER)


def begin() -> None:
    """At the start of each build (on_config)."""
    state.rebuilding = state.active and state.built
    if state.active:
        stop_writer()


def is_rebuild() -> bool:
    """A dirty serve rebuild on top of a good build: pages may be skipped, Pagefind is not run."""
    return state.rebuilding


def forget() -> None:
    """After a failed build nothing in the site folder is trusted: the next build does everything."""
    state.built = state.rebuilding = False
    state.keys.clear()
    state.pending.clear()


# ------------------------------------------------------------------------------------ keys


def global_key(config, catalog, notices: list[str]) -> str:
    """What every page depends on. The reference data as the catalog holds it (while a bad save
    keeps the last good catalog, the files on disk are not what the pages show); ``notices``: what
    the banner says that is not about the data (Python changed)."""
    root = Path(config.config_file_path).parent
    reference = repr({folder: dict(table) for folder, table in catalog.tables.items()})
    return digest(Path(config.config_file_path).read_bytes(), config.site_url, config.docs_dir, config.site_dir,
                  tuple(notices), _names(Path(config.docs_dir)), reference,
                  *(_tree(root / folder) for folder in ("macros", "overrides")))


def page_keys(catalog, stubs: dict[str, str], hand_pages: dict[str, tuple[str, tuple]], g: str) -> dict[str, str]:
    """src_uri -> key for every page. ``stubs``: generated page -> its Markdown; ``hand_pages``:
    page under docs/ -> (its text, its file's stamp)."""
    from . import navigation
    from .kinds import PAGE_KINDS
    from .render import QUIZ_PAGE_SIZE, objectives_by_topic, quiz_page_path

    stamps = {f.slug: stamp for stamp, f in catalog.checked.values() if f.case is not None}
    slugs = list(catalog.cases)
    titles = {s: c.title for s, c in catalog.cases.items()}
    everything = digest(tuple((s, stamps.get(s)) for s in slugs))
    keys: dict[str, str] = {}

    related = _related(catalog, navigation, slugs)
    state.stash.update(stamps=stamps, g=g, links={})
    for i, slug in enumerate(slugs):
        prev = slugs[i - 1] if i else None
        nxt = slugs[i + 1] if i + 1 < len(slugs) else None
        changed = navigation.last_changed(catalog, slug)
        keys[f"cases/{slug}.md"] = digest(
            g, stamps.get(slug), str(changed), [(r.slug, r.score, r.shared, titles[r.slug]) for r in related[slug]],
            (prev, titles.get(prev)), (nxt, titles.get(nxt)))
        facts = catalog.facts[slug]
        state.stash["links"][slug] = (
            {f"cases/{s}.md" for s in (prev, nxt, *(r.slug for r in related[slug])) if s}
            | {f"drugs/{d}.md" for d in facts.all_drugs} | {f"regimens/{r}.md" for r in facts.regimens}
            | {f"antigens/{a}.md" for a in facts.all_antigens}
            | {f"sites/{x}.md" for x in (*facts.sites, *facts.sites_discussed)})

    mentions = {"drugs": catalog.drug_cases, "regimens": catalog.regimen_cases, "antigens": catalog.antigen_cases}
    for kind in PAGE_KINDS:
        for entry_id in catalog.tables[kind.folder]:
            if kind.folder in mentions:
                found = mentions[kind.folder].get(entry_id, ())
                parts = (found, [titles[s] for s in dict.fromkeys(m.case for m in found)])
            elif kind.folder == "sites":
                parts = tuple((s, stamps.get(s)) for s in catalog.site_cases.get(entry_id, ()))
            else:  # a kind this module does not know: rebuilt whenever any case changes
                parts = everything
            keys[f"{kind.folder}/{entry_id}.md"] = digest(g, parts)

    for topic, objectives in objectives_by_topic(catalog).items():
        pages = max(1, -(-len(objectives) // QUIZ_PAGE_SIZE))
        for number in range(1, pages + 1):
            chunk = objectives[(number - 1) * QUIZ_PAGE_SIZE: number * QUIZ_PAGE_SIZE]
            keys[quiz_page_path(topic, number)] = digest(g, pages, [(o.case, stamps.get(o.case)) for o in chunk])

    for path, stub in stubs.items():  # the stub itself (tags, the mixed quiz's whole Markdown)
        # A generated page with no key of its own: plain Markdown depends on nothing else, a macro
        # call on anything.
        keys[path] = digest(keys.get(path, everything if "render_macros: true" in stub else g), stub)

    for path, (text, stamp) in hand_pages.items():
        keys[path] = digest(g, stamp, everything if "render_macros: true" in text or "material/tags" in text else None)
    return keys


def _related(catalog, navigation, slugs: list[str]) -> dict[str, list]:
    """Every case's related cases. navigation.related costs about 1 ms a case, so a case's result is
    kept while its inputs are unchanged: the cases sharing each of its features, in catalogue order."""
    index: dict[tuple, list[str]] = {}
    features = {}
    for slug in slugs:
        features[slug] = navigation._features(catalog, slug)
        for f in features[slug]:
            index.setdefault(f, []).append(slug)
    lists = {f: digest(tuple(v)) for f, v in index.items()}
    out, kept = {}, {}
    for slug in slugs:
        inputs = digest(features[slug], [lists[f] for f in features[slug]])
        previous = state.related.get(slug)
        if previous and previous[0] == inputs:
            out[slug] = previous[1]
        else:
            out[slug] = navigation.related(catalog, slug)
        kept[slug] = (inputs, out[slug])
    state.related = kept
    return out


# ------------------------------------------------------------------------------------ the build


def plan(files, keys: dict[str, str], problems: tuple = (), banner: set[str] = frozenset(),
         first: set[str] = frozenset(), listings: set[str] = frozenset(), tagged: set[str] = frozenset(),
         after_data: set[str] = frozenset()) -> None:
    """Mark each page modified or not; remember this build's keys until it succeeds.

    While the data has problems, the banner (pages.py) goes on every page built, and pages in
    ``banner`` (the hand-written pages, the pages of the files with problems) are built to show it.
    A page's kept key says whether it got the banner, so the next good save rebuilds it without.

    When only case files changed, the build the browser waits for holds the saved cases' pages, the
    pages they link to, and ``first`` (the case index); the other pages whose inputs changed (the
    home page, other indexes, quiz pages, cases that list a saved case as related) are built right
    after it by the follow-up process (``follow_up``). A page listing tags (``listings``) is built
    whenever a page in ``tagged`` is: each tagged page links to it. Pages in ``after_data`` are
    always built by the follow-up, after the open-data files they describe."""
    state.rebuilt, state.pending, state.deferred = [], {}, {}
    state.stash["problems"] = problems
    state.current = {f.dest_uri for f in files}
    pages = files.documentation_pages()
    for file in pages:
        src = file.src_uri
        base = keys.get(src)
        if base is None:  # a page this module has no key for: always built
            file.is_modified = _true
            state.rebuilt.append(src)
            continue
        wanted = digest(base, problems if src in banner else ())
        same = state.rebuilding and state.keys.get(src) == wanted and os.path.isfile(file.abs_dest_path)
        file.is_modified = _false if same else _true
        state.pending[src] = wanted if same else digest(base, problems)
        if not same:
            state.rebuilt.append(src)
    if any(p in tagged for p in state.rebuilt):
        for file in pages:
            if file.src_uri in listings and file.is_modified is _false:
                file.is_modified = _true
                state.rebuilt.append(file.src_uri)
    if not state.rebuilding:
        return
    stamps = state.stash.get("stamps", {})
    defer = set(after_data)  # they show the sizes of the open-data files, written by the follow-up
    if not problems and state.quiet and state.stash.get("g") == state.g:
        saved = {slug for slug, stamp in stamps.items() if state.stamps.get(slug) != stamp}
        now = set(first) | set(listings)
        for slug in saved:
            now |= {f"cases/{slug}.md"} | state.stash["links"].get(slug, set())
        defer |= {file.src_uri for file in pages if file.src_uri not in now}
    if defer:
        for file in pages:
            src = file.src_uri
            if file.is_modified is _true and src in defer and src in state.pending:
                file.is_modified = _false
                state.deferred[src] = state.pending.pop(src)
                if src in state.keys:  # not built yet: the follow-up reports it when it is
                    state.pending[src] = state.keys[src]
                state.rebuilt.remove(src)


def placeholder(file) -> None:
    """An open-data file left as it is in the site folder: the writer brings it up to date."""
    file.is_modified = _false


class _Bytecode:
    """Compiled theme templates kept between rebuilds (MkDocs makes a new Jinja environment for
    every build; compiling Material's templates again took a quarter of a rebuild). Jinja checks
    each template's source against the checksum it stored, so an edited template is compiled anew."""

    def __init__(self):
        import jinja2

        class Memory(jinja2.BytecodeCache):
            store: dict[str, bytes] = {}

            def load_bytecode(self, bucket):
                if bucket.key in self.store:
                    bucket.bytecode_from_string(self.store[bucket.key])

            def dump_bytecode(self, bucket):
                self.store[bucket.key] = bucket.bytecode_to_string()

        self.cache = Memory()


_bytecode: _Bytecode | None = None


def theme_environment(env, config, files) -> None:
    """Before the theme renders anything: reuse compiled templates, and leave out the theme's static
    pages (404, sitemap) when what they show is unchanged."""
    global _bytecode
    _bytecode = _bytecode or _Bytecode()
    env.bytecode_cache = _bytecode.cache
    from mkdocs.utils import get_build_date

    urls = tuple(f.page.canonical_url or f.page.abs_url or "" for f in files.documentation_pages() if f.page)
    g = state.stash.get("g", "")
    for name, key in (("404.html", digest(g)), ("sitemap.xml", digest(g, urls, get_build_date()))):
        state.pending[name] = key
        if (state.rebuilding and state.keys.get(name) == key and name in config.theme.static_templates
                and os.path.isfile(os.path.join(config.site_dir, name))):
            config.theme.static_templates.discard(name)


def page_shown(page) -> None:
    state.shown[page.file.src_uri] = (dict(page.meta), page.title)


def finish(site_dir: str) -> None:
    """After a good build: keep its keys; delete what an earlier build wrote and this one no longer has."""
    if state.built:
        for dest in sorted(state.outputs - state.current):
            _remove(Path(site_dir), dest)
    state.keys = state.pending
    state.pending = {}
    state.outputs = state.current
    state.built = True
    state.stamps, state.g = state.stash.get("stamps", {}), state.stash.get("g", "")
    state.quiet = not state.stash.get("problems")
    if state.rebuilt:
        shown = state.rebuilt if len(state.rebuilt) <= 8 else state.rebuilt[:8] + [f"and {len(state.rebuilt) - 8} more"]
        log.info("rebuilt %d page(s): %s", len(state.rebuilt), ", ".join(shown))
    if state.deferred:
        log.info("%d more page(s) follow: %s", len(state.deferred), ", ".join(list(state.deferred)[:8]))


def _remove(site: Path, dest: str) -> None:
    path = site / dest
    try:
        path.unlink()
    except FileNotFoundError:
        return
    parent = path.parent
    while parent != site:
        try:
            parent.rmdir()  # only when empty
        except OSError:
            break
        parent = parent.parent


# ------------------------------------------------------------------------------------ the follow-up


def stop_writer() -> None:
    """Stop an unfinished follow-up (its files are replaced whole or built again next time); keep
    what a finished one reports: the pages it built and the open-data files it wrote."""
    pid, state.writer = state.writer, None
    if pid is not None:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
            if not done:
                os.kill(pid, signal.SIGTERM)
                done, status = os.waitpid(pid, 0)
        except ChildProcessError:
            return
        if os.waitstatus_to_exitcode(status) == 0 and state.manifest and os.path.isfile(state.manifest):
            report = json.loads(Path(state.manifest).read_text(encoding="utf-8"))
            state.data_paths = report["data"]
            if state.built:
                state.keys.update(report["keys"])


def follow_up(config, make_files) -> None:
    """After a rebuild, in a forked child (the second core) so the preview is not kept waiting:
    build the deferred pages as MkDocs would (read, render, write, then the post-build hooks, which
    finish their Content-Security-Policy), then write the open-data files that changed.
    ``make_files()`` -> [(path under site/, text)]."""
    stop_writer()
    site = Path(config.site_dir)
    if not hasattr(os, "fork"):
        files = make_files()
        _build_deferred(config)
        _write_data(site, files, set(state.data_paths))
        state.keys.update(state.deferred)
        return
    if state.manifest is None:
        fd, state.manifest = tempfile.mkstemp(prefix="emall-follow-up-", suffix=".json")
        os.close(fd)
    Path(state.manifest).unlink(missing_ok=True)
    pid = os.fork()
    if pid == 0:  # the child: build, write, leave without running the parent's exit handlers
        code = 1
        try:
            import gc
            gc.disable()  # short-lived: leave the parent's (copy-on-write) objects untouched
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            state.in_child = True
            files = make_files()  # first: a page may show their sizes
            _build_deferred(config)
            _write_data(site, files, set(state.data_paths))
            Path(state.manifest).write_text(json.dumps({"data": [p for p, _ in files], "keys": state.deferred}),
                                            encoding="utf-8")
            code = 0
        except BaseException:
            log.exception("the pages that follow a preview rebuild could not be written")
        finally:
            os._exit(code)
    state.writer = pid


def _build_deferred(config) -> None:
    if not state.deferred:
        return
    from mkdocs.commands.build import _build_page, _populate_page
    from mkdocs.structure.files import InclusionLevel

    files, nav, env = state.stash["files"], state.stash["nav"], state.stash["env"]
    doc_files = files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
    todo = [f for f in doc_files if f.src_uri in state.deferred]
    for file in todo:
        file.is_modified = _true
        _populate_page(file.page, config, files)
    for file in todo:
        _build_page(file.page, config, doc_files, nav, env)
    config.plugins.on_post_build(config=config)


def _write_data(site: Path, files: list, old: set[str]) -> None:
    new = set()
    for path, text in files:
        new.add(path)
        target = site / path
        data = opendata.text_of(text).encode("utf-8")  # a case's own files are made now
        try:
            if target.read_bytes() == data:
                continue
        except OSError:
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    for path in old - new:
        _remove(site, path)


def shutdown() -> None:  # on_shutdown
    stop_writer()
    if state.manifest:
        Path(state.manifest).unlink(missing_ok=True)
