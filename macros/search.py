"""MkDocs hook: index the built site with Pagefind.

Material's own search ships the whole-site index to every reader who searches
(about 3.6 KB gzip per case page: 18 MB at 5,000 cases). Pagefind splits the
index into chunks by word, so a reader downloads only the chunks of the words
typed and the excerpts of the results shown. It reads the built HTML: what it
indexes is marked in ``overrides/main.html`` (``data-pagefind-body``), its
filters (drug, antigen, site, page type) in the templates.

On a case page only what the case itself says is indexed: summaries that repeat the story, links
to other cases, the CARE checklist and citation links carry ``data-pagefind-ignore``.

Cost: Pagefind 1.5 holds about 0.6 KB per distinct word of each page while it indexes (3 GB at
5,000 synthetic cases, more than a plain MkDocs build of the same site; 1.4 needed 2.4 times less
memory but twice the CPU time). docs/performance.md reports it.

Why one index, not parts merged by the search page (``mergeIndex``), which would hold memory to a
part's: Pagefind decides per index how loosely to read a query. A word missing from an index is
replaced by its longest prefix that is there, and a word missing from a query of several words is
dropped. A word that only some parts hold then brings other parts' near-misses into the results:
tried on the seed library in 11 parts, "cd19" listed 24 pages instead of 16 (CD117, CD14, ...).

Under ``mkdocs serve --dirty`` a rebuild after the first build does not run Pagefind: indexing the
whole site again takes longer than the rebuild itself, and Pagefind cannot update part of an
index. Search in the preview shows the site as first built; ``mkdocs build`` always indexes.
"""

from __future__ import annotations

import logging
import subprocess
import sys

from mkdocs.exceptions import PluginError

from macros import incremental

log = logging.getLogger("mkdocs.plugins.search")
BUNDLE = "pagefind"  # folder of the index and its scripts, under site_dir


def index_command(site_dir: str) -> list[str]:
    # Heading permalinks (the ¶ after every heading) are not words of the page.
    return [sys.executable, "-m", "pagefind", "--site", site_dir, "--output-subdir", BUNDLE,
            "--exclude-selectors", ".headerlink", "--quiet"]


def on_post_build(config):
    if incremental.is_rebuild():
        log.info("Pagefind: not run on a preview rebuild; search shows the pages as first built")
        return
    result = subprocess.run(index_command(config.site_dir), capture_output=True, text=True)
    output = (result.stdout + result.stderr).strip()
    if result.returncode:
        raise PluginError(f"Pagefind could not index the site (exit status {result.returncode}):\n{output}")
    for line in output.splitlines():  # --quiet leaves only warnings: a strict build stops on them
        log.warning(f"Pagefind: {line}")
