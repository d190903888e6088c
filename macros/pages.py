"""MkDocs hook: one virtual page per case, drug, regimen, antigen and site, and the open-data files.

No Markdown stub files on disk: ``generate(catalog)`` is a plain function
(catalog -> [(path, markdown)]) that the hook turns into ``File.generated``
pages, and that a stand-alone script could write out instead. Each page
carries only a macro call, so contributor text is never parsed as Jinja.
"""

from __future__ import annotations

import html
import logging
import os
from pathlib import Path
from typing import Callable

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files, InclusionLevel

from macros.catalog import Catalog, CatalogError, current_catalog, get_catalog, has_catalog, paused_collector
from macros import incremental, navigation, opendata
from macros.kinds import PAGE_KINDS
from macros.render import (PAGED_INDEXES, glossary_terms, index_page_path, index_pages, mixed_quiz_page,
                           quiz_data_files, quiz_page_path, quiz_pages)

log = logging.getLogger("mkdocs.plugins.cases")



def generate(catalog: Catalog) -> list[tuple[str, str]]:
    """Every generated page as (path under docs/, markdown)."""
    pages = [(f"cases/{slug}.md", _stub(f'case_page("{slug}")')) for slug in catalog.cases]
    for kind in PAGE_KINDS:
        for entry_id in catalog.tables[kind.folder]:
            pages.append((f"{kind.folder}/{entry_id}.md", _stub(f'reference_page("{kind.key}", "{entry_id}")')))
    for topic, count in quiz_pages(catalog).items():
        for number in range(1, count + 1):
            pages.append((quiz_page_path(topic, number), _stub(f'quiz_page("{topic}", {number})')))
    for kind in PAGED_INDEXES:  # page 1 is docs/<folder>/index.md
        count = index_pages(catalog, kind)
        title = kind.capitalize()
        for number in range(2, count + 1):
            pages.append((index_page_path(kind, number),
                          f"---\nrender_macros: true\n---\n# {title} ({number} of {count})\n\n"
                          f"{{{{ index_table(\"{kind}\", {number}) }}}}\n"))
    pages.append(("quiz/mixed.md", mixed_quiz_page(catalog)))  # plain Markdown: no macros, no contributor text
    return pages


def data_files(catalog: Catalog) -> list[tuple[str, opendata.Text]]:
    """The open-data files (opendata.data_files) and the mixed quiz's questions: (path, text, or how
    to make the text when the file is written)."""
    return opendata.data_files(catalog) + quiz_data_files(catalog)  # and the mixed quiz's questions


class MadeFile(File):
    """A generated file whose text is made when MkDocs writes it, and not kept: MkDocs holds a
    generated file's content from ``on_files`` to the end of the build."""

    make: Callable[[], str]

    @property
    def content_bytes(self) -> bytes:
        return self.make().encode("utf-8")

    @property
    def content_string(self) -> str:
        return self.make()

    def copy_file(self, dirty: bool = False) -> None:
        if dirty and not self.is_modified():
            return
        os.makedirs(os.path.dirname(self.abs_dest_path), exist_ok=True)
        with open(self.abs_dest_path, "wb") as out:
            out.write(self.content_bytes)


def _stub(call: str) -> str:
    # Ids are slugs (checked by the model), so they are safe inside the call.
    return f"---\nrender_macros: true\n---\n{{{{ {call} }}}}\n"


def _root(config) -> Path:
    return Path(config.config_file_path).parent


# `mkdocs serve` state. A rebuild with bad data keeps the last good catalog and shows the
# problems on every page until the next good save (with --dirty: on the hand-written pages and
# the pages of the files with problems, see incremental.py); `mkdocs build` stops instead.
_serving = False
_dirty = False
_problems: list[str] = []
_problem_paths: set[str] = set()  # the data files the problems are in
_notices: list[str] = []  # banner lines that are not about the data (Python changed)
_stale = False  # the banner lists errors (the pages are the last good version) rather than only warnings
_code_stamp: dict[str, int] = {}


def on_startup(command, dirty):
    global _serving, _dirty
    _serving, _dirty = command == "serve", dirty
    _code_stamp.update(_code_files())
    incremental.start(command, dirty)  # `mkdocs serve --dirty`: rebuild only what changed


def on_shutdown():
    incremental.shutdown()


def _code_files() -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in sorted(Path(__file__).parent.glob("*.py"))}


def on_config(config):
    global _problems, _problem_paths, _notices, _stale
    incremental.begin()
    if _serving:  # when each case last changed (git) is read again on every rebuild
        navigation._CHANGED.clear()
        navigation._DIRTY.clear()
    root = _root(config)
    try:
        with paused_collector():
            catalog = get_catalog(root)
    except CatalogError as e:
        if not (_serving and has_catalog(root)):
            for problem in e.problems:
                log.error(str(problem))
            raise PluginError(f"{len(e.problems)} problem(s) in the case data; nothing was built. "
                              "Run `.venv/bin/python scripts/validate.py` to see them without building.") from None
        # Serving: keep the last good site, and say why it is stale (info, not warning:
        # under --strict a warning would stop the rebuild and the browser would show nothing).
        _problems = [str(p) for p in e.problems]
        _problem_paths = {p.path for p in e.problems}
        for problem in _problems:
            log.info("data problem: %s", problem)
        catalog = current_catalog(root)
    else:
        _problems, _problem_paths = [], set()
    changed = [Path(f).name for f, mtime in _code_files().items() if _serving and _code_stamp.get(f, mtime) != mtime]
    _notices = [f"macros/{name} changed: `mkdocs serve` does not reload Python; stop it (Ctrl-C) and start it again"
                for name in changed]
    _problems += _notices
    stale = bool(_problems)
    for warning in catalog.warnings:
        if _serving:  # a warning would abort the strict rebuild and leave the browser waiting: show it instead
            log.info("data warning: %s", warning)
            _problems.append(f"warning (validate.py and CI fail on it until fixed or acknowledged): {warning}")
            _problem_paths.add(warning.path)
        else:
            log.warning(str(warning))
    _stale = stale
    # Glossary tooltips: one shared pattern, see macros/glossary.py.
    config.mdx_configs.setdefault("macros.glossary", {})["terms"] = glossary_terms(catalog)
    return config


def on_post_page(output: str, page, config) -> str:
    """Under `mkdocs serve`, every page built says when the data has problems and the preview is stale."""
    if incremental.state.active:
        incremental.page_shown(page)
    if not _problems:
        return output
    items = "".join(f"<li><code>{html.escape(p)}</code></li>" for p in _problems)
    if _stale:
        lead = (f"<strong>The preview is out of date.</strong> {len(_problems)} problem(s) must be fixed; these pages "
                "show the last version that built. The next save without problems brings the preview up to date.")
    else:
        lead = (f"<strong>{len(_problems)} warning(s) to resolve before this can be merged.</strong> The pages are "
                "up to date; fix each warning or acknowledge it in the case's <code>acknowledged</code> list.")
    banner = f'<div class="data-problems" role="alert"><p>{lead}</p><ul>{items}</ul></div>'
    head, sep, rest = output.partition("<body")
    if not sep:
        return banner + output
    tag_end = rest.index(">") + 1
    return head + sep + rest[:tag_end] + banner + rest[tag_end:]


def on_files(files: Files, config) -> Files:
    catalog = current_catalog(_root(config))
    pages = generate(catalog)
    later = incremental.is_rebuild()  # the open-data files are written after the pages (incremental.py)
    data = [(path, "") for path in _data_paths(catalog)] if later else data_files(catalog)
    on_disk = {file.src_uri for file in files}
    for path, content in pages + data:
        if path in on_disk:
            raise PluginError(f"docs/{path} exists on disk but is generated from the data; remove it")
        if isinstance(content, str):
            file = File.generated(config, path, content=content, inclusion=InclusionLevel.NOT_IN_NAV)
        else:
            file = MadeFile.generated(config, path, content="", inclusion=InclusionLevel.NOT_IN_NAV)
            file.make = content
        if later and not file.is_documentation_page():
            incremental.placeholder(file)
        files.append(file)
    if incremental.state.active:
        _plan(files, config, catalog, pages)
        if not later:
            incremental.state.data_paths = [path for path, _ in data]
    elif _dirty:  # `build --dirty`: nothing is known about the pages in the site folder, so build them all
        for file in files.documentation_pages():
            file.is_modified = lambda: True
    return files


def _data_paths(catalog: Catalog) -> list[str]:
    """The open-data files as the last write left them, and each case's citation files."""
    per_case = [path for slug in catalog.cases for path in (f"data/cases/{slug}.json", f"cases/{slug}.bib", f"cases/{slug}.ris")]
    return list(dict.fromkeys(["data/cases.json", "data/cases.csv", *per_case, *incremental.state.data_paths]))


def _plan(files: Files, config, catalog: Catalog, pages: list[tuple[str, str]]) -> None:
    stubs = dict(pages)
    hand = {}
    for file in files.documentation_pages():
        if file.src_uri not in stubs and file.abs_src_path:
            source = Path(file.abs_src_path)
            hand[file.src_uri] = (source.read_text(encoding="utf-8"), source.stat().st_mtime_ns)
    keys = incremental.page_keys(catalog, stubs, hand, incremental.global_key(config, catalog, _notices))
    # While the data has problems, the banner is built into the hand-written pages (home, indexes)
    # and the pages of the case files with problems; every other page stays as last built.
    banner = set(hand) | {f"cases/{Path(p).stem}.md" for p in _problem_paths if p.startswith("cases/")}
    incremental.plan(files, keys, tuple(_problems), banner, first={"cases/index.md"},
                     listings={p for p, (text, _) in hand.items() if "material/tags" in text},
                     tagged={path for path, stub in pages if "\ntags: " in stub},
                     after_data={p for p, (text, _) in hand.items() if "data_size(" in text})
    incremental.state.stash["files"] = files


def on_nav(nav, config, files):
    if incremental.state.active:
        incremental.state.stash["nav"] = nav
    return nav


def on_env(env, config, files):
    if incremental.state.active:
        incremental.state.stash["env"] = env
        incremental.theme_environment(env, config, files)
    return env


@event_priority(-100)  # last: after the Content-Security-Policy is final in every page written
def on_post_build(config):
    if not incremental.state.active or incremental.state.in_child:
        return
    later = incremental.is_rebuild()
    incremental.finish(config.site_dir)
    if later:  # the pages that may follow, and the open-data files
        catalog = current_catalog(_root(config))
        incremental.follow_up(config, lambda: data_files(catalog))


def on_build_error(error):
    incremental.forget()

