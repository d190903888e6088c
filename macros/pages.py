"""MkDocs hook: one virtual page per case, drug, regimen, antigen and site, and the open-data files.

No Markdown stub files on disk: ``generate(catalog)`` is a plain function
(catalog -> [(path, markdown)]) that the hook turns into ``File.generated``
pages, and that a stand-alone script could write out instead. Each page
carries only a macro call, so contributor text is never parsed as Jinja.
"""

from __future__ import annotations

import html
import json
import logging
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel

from macros.catalog import Catalog, CatalogError, current_catalog, get_catalog, has_catalog, paused_collector
from macros import opendata
from macros.kinds import PAGE_KINDS
from macros.render import mixed_quiz_page, quiz_data_files, quiz_page_path, quiz_pages

log = logging.getLogger("mkdocs.plugins.cases")



def generate(catalog: Catalog) -> list[tuple[str, str]]:
    """Every generated page as (path under docs/, markdown)."""
    pages = [(f"cases/{slug}.md", _stub(f'case_page("{slug}")', tags=case_tags(catalog, slug))) for slug in catalog.cases]
    for kind in PAGE_KINDS:
        for entry_id in catalog.tables[kind.folder]:
            pages.append((f"{kind.folder}/{entry_id}.md", _stub(f'reference_page("{kind.key}", "{entry_id}")')))
    for topic, count in quiz_pages(catalog).items():
        for number in range(1, count + 1):
            pages.append((quiz_page_path(topic, number), _stub(f'quiz_page("{topic}", {number})')))
    pages.append(("quiz/mixed.md", mixed_quiz_page(catalog)))  # plain Markdown: no macros, no contributor text
    return pages


def data_files(catalog: Catalog) -> list[tuple[str, str]]:
    """The open-data files: all cases as JSON and CSV, and each case's citation as BibTeX and RIS."""
    files = [("data/cases.json", opendata.cases_json(catalog)), ("data/cases.csv", opendata.cases_csv(catalog))]
    for slug, case in catalog.cases.items():
        files.append((f"cases/{slug}.bib", opendata.bibtex(case, slug)))
        files.append((f"cases/{slug}.ris", opendata.ris(case, slug)))
    return files + quiz_data_files(catalog)  # the mixed quiz's questions


def case_tags(catalog: Catalog, slug: str) -> list[str]:
    """Material tags for a case page: its drugs (named directly or by regimen) and its EM sites."""
    return ([catalog.drugs[d].name for d in catalog.case_drugs(slug)]
            + [catalog.sites[s].name for s in catalog.case_sites(slug)])


def _stub(call: str, tags: list[str] | None = None) -> str:
    # Ids are slugs (checked by the model), so they are safe inside the call; tags are
    # reference names written as JSON strings, which YAML reads back verbatim.
    meta = f"tags: {json.dumps(tags, ensure_ascii=False)}\n" if tags else ""
    return f"---\nrender_macros: true\n{meta}---\n{{{{ {call} }}}}\n"


def _root(config) -> Path:
    return Path(config.config_file_path).parent


# `mkdocs serve` state. A rebuild with bad data keeps the last good catalog and shows the
# problems on every page until the next good save; `mkdocs build` stops instead.
_serving = False
_problems: list[str] = []
_code_stamp: dict[str, int] = {}


def on_startup(command, dirty):
    global _serving
    _serving = command == "serve"
    _code_stamp.update(_code_files())


def _code_files() -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in sorted(Path(__file__).parent.glob("*.py"))}


def on_config(config):
    global _problems
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
        for problem in _problems:
            log.info("data problem: %s", problem)
        catalog = current_catalog(root)
    else:
        _problems = []
    changed = [Path(f).name for f, mtime in _code_files().items() if _serving and _code_stamp.get(f, mtime) != mtime]
    _problems += [f"macros/{name} changed: `mkdocs serve` does not reload Python; stop it (Ctrl-C) and start it again"
                  for name in changed]
    for warning in catalog.warnings:
        log.warning(str(warning))
    # Glossary tooltips: one shared pattern, see macros/glossary.py.
    config.mdx_configs.setdefault("macros.glossary", {})["terms"] = {
        abbr: term.expansion for abbr, term in catalog.glossary.items()
    }
    return config


def on_post_page(output: str, page, config) -> str:
    """Under `mkdocs serve`, every page says when the data has problems and the preview is stale."""
    if not _problems:
        return output
    items = "".join(f"<li><code>{html.escape(p)}</code></li>" for p in _problems)
    banner = (f'<div class="data-problems" role="alert"><p><strong>The preview is out of date.</strong> '
              f"{len(_problems)} problem(s) must be fixed; these pages show the last version that built. "
              f"The next save without problems brings the preview up to date.</p><ul>{items}</ul></div>")
    head, sep, rest = output.partition("<body")
    if not sep:
        return banner + output
    tag_end = rest.index(">") + 1
    return head + sep + rest[:tag_end] + banner + rest[tag_end:]


def on_files(files: Files, config) -> Files:
    catalog = current_catalog(_root(config))
    for path, content in generate(catalog) + data_files(catalog):
        if files.get_file_from_path(path) is not None:
            raise PluginError(f"docs/{path} exists on disk but is generated from the data; remove it")
        files.append(File.generated(config, path, content=content, inclusion=InclusionLevel.NOT_IN_NAV))
    return files
