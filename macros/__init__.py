"""The mkdocs-macros module: the catalog and the macros that pages call.

Generated pages call ``case_page`` or ``reference_page``; the hand-written
index pages in docs/ call ``index_table``. Rendering lives in ``render.py``
and its templates.
"""

from __future__ import annotations

from pathlib import Path


def define_env(env):
    # Imported here, not at the top: `import macros.load` (validate.py, the tests) must not
    # pull in Jinja and the renderer.
    from . import render
    from .catalog import current_catalog
    from . import opendata
    from .opendata import CSV_COLUMNS
    from .schema import SCHEMA_VERSION

    root_dir = Path(env.conf.config_file_path).parent

    def catalog():
        # The hook (pages.py) loaded it for this build in on_config.
        return current_catalog(root_dir)

    def page_root() -> str:
        # Links are written relative to the calling page's folder.
        depth = env.page.file.src_uri.count("/")
        return "../" * depth

    def url_root() -> str:
        # Raw HTML (figures) is not rewritten by MkDocs: links are relative to the page's URL.
        return "../" * env.page.url.count("/")

    @env.macro
    def case_page(slug: str) -> str:
        return render.case_page(catalog(), slug, page_root(), env.conf.get("site_url") or "", url_root())

    @env.macro
    def body_map() -> str:
        return render.body_map_figure(catalog(), url_root())

    @env.macro
    def swimmer_plot() -> str:
        return render.swimmer_figure(catalog(), url_root())

    @env.macro
    def reference_page(kind: str, entry_id: str) -> str:
        return render.reference_page(catalog(), kind, entry_id, page_root())

    @env.macro
    def quiz_page(topic: str, number: int = 1) -> str:
        return render.quiz_page(catalog(), topic, page_root(), number)

    @env.macro
    def index_table(kind: str, number: int = 1) -> str:
        return render.index_page(catalog(), kind, page_root(), number)

    @env.macro
    def schema_version() -> str:
        return SCHEMA_VERSION

    @env.macro
    def data_size(path: str) -> str:
        """The size of a site-wide open-data file of this build, e.g. '1.2 MB'."""
        size = opendata.sizes[path]
        return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.1f} KB" if size >= 1e3 else f"{size} bytes"

    @env.macro
    def csv_columns() -> str:
        return render.render("csv_columns.md.j2", catalog(), page_root(), columns=CSV_COLUMNS)

    @env.macro
    def case_count() -> int:
        return len(catalog().cases)
