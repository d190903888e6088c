"""MkDocs hook: Material's navigation and tabs drawn once per folder for the pages outside the nav.

A case, quiz or reference page is not in the site's navigation, so Material's sidebar and tabs on it
are the same for every page in the same folder: nothing in the nav is the page itself, the active tab
is the folder's (overrides/partials/tabs-item.html), and relative links depend only on the folder.
Drawn for each of thousands of such pages, they were about half of the theme's time per page.
``overrides/partials/nav.html`` and ``tabs.html`` wrap Material's own partials (reached here as
``material/partials/...``) in ``chrome_once``, which keeps the first copy made for each folder. A
page in the nav gets them drawn for it, as Material does.
"""

from __future__ import annotations

from pathlib import Path

import material
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader

_made: dict[tuple[str, str], str] = {}


def on_env(env, config, files):
    _made.clear()  # once per build: the nav may have changed
    if not isinstance(env.loader, ChoiceLoader) or not any(isinstance(l, PrefixLoader) for l in env.loader.loaders):
        theme = FileSystemLoader(str(Path(material.__file__).parent / "templates"))
        env.loader = ChoiceLoader([env.loader, PrefixLoader({"material": theme})])
    env.globals["chrome_once"] = chrome_once
    env.auto_reload = False  # a new environment each build: no need to look at each template's file for every page
    return env


def chrome_once(name: str, page, nav, caller) -> str:
    if page is None or nav is None or page in nav.pages:
        return caller()
    key = (name, page.url[:page.url.rstrip("/").rfind("/") + 1])  # "cases/" for "cases/<slug>/"
    if key not in _made:
        _made[key] = caller()
    return _made[key]
