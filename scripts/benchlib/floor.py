"""The floor: what plain MkDocs + Material costs for the same site.

``make_floor(project, dest, catalog)`` renders every page of ``project`` to Markdown with the
project's own macros, once, outside a build, and writes a project that builds those files with the
same theme, features, nav and standard Markdown extensions, but no macros plugin, hooks, validation
or glossary, and Material's built-in search where ours runs Pagefind.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import jinja2
import yaml
from mkdocs.config import load_config
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page

from macros import define_env, opendata, pages


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
        for path in (dest / theme["custom_dir"]).rglob("*.html"):  # but not those that only call our hooks
            if "chrome_once(" in path.read_text(encoding="utf-8"):  # (macros/chrome.py): Material's own are drawn
                path.unlink()
    data = pages.data_files(catalog)  # first: the Open data page shows their sizes (data_size)
    for path in (dest / "docs").rglob("*.md"):
        path.write_text(env.render(jinja, path.relative_to(dest / "docs").as_posix(), path.read_text(encoding="utf-8")),
                        encoding="utf-8")
    generated = pages.generate(catalog)
    data = [(path, opendata.text_of(text)) for path, text in data]  # a case's own files are made when written
    for path, content in [(p, env.render(jinja, p, stub)) for p, stub in generated] + data:
        (dest / "docs" / path).parent.mkdir(parents=True, exist_ok=True)
        (dest / "docs" / path).write_text(content, encoding="utf-8")
    config["plugins"] = [e for e in config.get("plugins", []) if _name(e) != "macros"]
    if not any(_name(e) in ("search", "material/search") for e in config["plugins"]):
        config["plugins"].insert(0, "search")  # the stack's own search: Material's plugin indexes every page
    config["markdown_extensions"] = [e for e in config.get("markdown_extensions", []) if not _name(e).startswith("macros.")]
    for key in ("hooks", "watch"):
        config.pop(key, None)
    folders = sorted({p.split("/")[0] for p, _ in generated})  # generated pages stay out of the nav, as in ours
    config["not_in_nav"] = "\n".join([config.get("not_in_nav") or ""] + [f"/{f}/**/*.md" for f in folders] + ["!index.md"]).strip()
    (dest / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
