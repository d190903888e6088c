"""MkDocs hook: a Content-Security-Policy on every page, with the hashes of its inline scripts.

The policy goes in a ``<meta http-equiv>`` at the top of ``<head>`` (a static site has no headers
of its own; a host that can send headers should send the same policy plus ``frame-ancestors``,
which a meta policy cannot carry). It is one policy for the whole site, so that it holds even if Material's
instant navigation (off: mkdocs.yml says why) is turned back on: it keeps the first page's policy
while it swaps in other pages and re-runs their scripts.

- ``script-src 'self'`` plus the SHA-256 of every inline script that the theme writes outside the
  page content (Material's three small bootstrap scripts), computed from the built HTML, and
  ``'wasm-unsafe-eval'`` for Pagefind's WebAssembly search. No ``'unsafe-inline'``: an injected
  ``<script>`` or ``onerror=`` attribute does not run. An executable inline script inside the page
  content (``<article>``, where contributor text lands) is never hashed: the build warns, so
  ``--strict`` fails. Data blocks (``application/json``, ``application/ld+json``) are not run and
  need no hash, with one catch: instant navigation re-creates every script inside the page's
  container *without its type*, so a JSON-LD block left in the content would be run as JavaScript
  (and refused). The hook moves JSON-LD blocks from the content to the end of ``<head>``, where
  Material swaps head elements as they are, type included, so the block stays data and stays current.
- ``style-src 'self'``: stylesheets come from the site; Material and Pagefind set styles from
  their scripts through the CSSOM, which a policy does not restrict. No inline ``style``
  attribute or ``<style>`` element is allowed, so injected markup cannot restyle the page.
- ``img-src 'self' data:`` (Material's icons are data: URIs in its CSS); ``object-src 'none'``;
  ``base-uri 'self'`` and ``form-action 'self'`` (the header's search form); every other fetch
  (Pagefind's index chunks, the cases index's rows) is same-origin through ``default-src 'self'``.

Under ``mkdocs serve`` the live-reload script that the server appends changes on every request,
so it cannot be hashed: there ``script-src`` allows ``'unsafe-inline'`` instead (development
only; ``mkdocs build`` always writes the hashed policy).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from pathlib import Path

log = logging.getLogger("mkdocs.plugins.csp")

PLACEHOLDER = "'csp-script-hashes'"  # where the hashes go
DIRECTIVES = (
    ("default-src", "'self'"),
    ("script-src", f"'self' {PLACEHOLDER} 'wasm-unsafe-eval'"),
    ("style-src", "'self'"),
    ("img-src", "'self' data:"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
)
META = '<meta http-equiv="Content-Security-Policy" content="{}">'

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_TYPE = re.compile(r"""\btype\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
_SRC = re.compile(r"\bsrc\s*=", re.I)
# What a browser runs (the HTML standard's JavaScript MIME types, "module", or no type at all).
_JS_TYPES = {"", "module", "text/javascript", "application/javascript", "text/ecmascript",
             "application/ecmascript", "application/x-javascript", "text/jscript", "text/livescript"}
_HEAD = re.compile(r"<head\b[^>]*>", re.I)
_JSON_LD = re.compile(r"""<script\s+type=["']application/ld\+json["']\s*>.*?</script\s*>\n?""", re.S | re.I)
_CHARSET = re.compile(r"<meta\s+charset=[^>]*>", re.I)

# Each page is written with the policy of the hashes seen so far (the theme writes the same scripts on
# every page, so that is the final policy from the first page on); after the build only the pages
# written with an older policy are read and written again.
_state = {"command": "build", "hashes": set(), "pages": [], "offenders": []}


def policy(hashes, serve: bool = False) -> str:
    sources = "'unsafe-inline'" if serve else " ".join(f"'sha256-{h}'" for h in sorted(hashes))
    return "; ".join(f"{name} {value.replace(PLACEHOLDER, sources)}".replace("  ", " ")
                     for name, value in DIRECTIVES)


def script_hash(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def inline_scripts(html: str):
    """(start offset, source) of every inline script a browser would run."""
    for m in _SCRIPT.finditer(html):
        attrs = m[1]
        if _SRC.search(attrs):
            continue
        t = _TYPE.search(attrs)
        kind = next((g for g in t.groups() if g is not None), "") if t else ""
        if kind.strip().lower() in _JS_TYPES:
            yield m.start(), m[2]


def _content_span(html: str) -> tuple[int, int]:
    """Where the page content is: Material's <article>, which holds all Markdown output."""
    start = html.find("<article")
    end = html.rfind("</article>")
    return (start, end) if 0 <= start < end else (-1, -1)


def move_json_ld(html: str) -> str:
    """JSON-LD blocks from the page content to the end of <head> (see the module's docstring)."""
    start, end = _content_span(html)
    head_end = html.find("</head>")
    if start < 0 or head_end < 0:
        return html
    content = html[start:end]
    blocks = _JSON_LD.findall(content)
    if not blocks:
        return html
    return (html[:head_end] + "".join(b.rstrip("\n") + "\n" for b in blocks) + html[head_end:start]
            + _JSON_LD.sub("", content) + html[end:])


def add_policy(html: str, where: str) -> str:
    """Collect the page's theme scripts' hashes and put the policy as far as they go at the top of <head>."""
    html = move_json_ld(html)
    start, end = _content_span(html)
    for offset, source in inline_scripts(html):
        if start <= offset < end:
            _state["offenders"].append(where)
        else:
            _state["hashes"].add(script_hash(source))
    meta = META.format(_current_policy())
    anchor = _CHARSET.search(html) or _HEAD.search(html)
    if not anchor:
        log.warning("%s: no <head>, so no Content-Security-Policy", where)
        return html
    return html[:anchor.end()] + "\n  " + meta + html[anchor.end():]


def _current_policy() -> str:
    return policy(_state["hashes"], serve=_state["command"] == "serve")


# ------------------------------------------------------------------------------------ MkDocs events


def on_startup(command, dirty):
    _state["command"] = command


def on_pre_build(config):
    _state.update(hashes=set(), pages=[], offenders=[])


def on_post_page(output, page, config):
    output = add_policy(output, page.file.src_uri)
    _state["pages"].append((page.file.dest_path, _current_policy()))
    return output


def on_post_template(output_content, template_name, config):
    if template_name.endswith(".html") and "<head" in output_content:  # 404.html
        output_content = add_policy(output_content, template_name)
        _state["pages"].append((template_name, _current_policy()))
    return output_content


def on_post_build(config):
    for where in dict.fromkeys(_state["offenders"]):
        log.warning("%s: an inline <script> in the page content is blocked by the Content-Security-Policy; "
                    "put scripts in docs/assets/ and list them in extra_javascript", where)
    final = _current_policy()
    site = Path(config.site_dir)
    for dest, written in _state["pages"]:
        if written != final:  # written before a later page brought a script of its own
            path = site / dest
            data = path.read_bytes()
            old = META.format(written).encode("utf-8")
            if old in data:
                path.write_bytes(data.replace(old, META.format(final).encode("utf-8"), 1))
