"""`mkdocs serve --dirty` rebuilds only the pages whose inputs changed, and what it serves is what a
clean `mkdocs build` of the same files writes, byte for byte.

One project copy, one server; each kind of input is edited in turn (a case, a reference entry, a
glossary term, a template, mkdocs.yml, a hand-written page, a case with a problem and its fix, a
deleted case, Python), and after each rebuild every file of the served site is compared with a clean
build. Normalised, and why:

- the Content-Security-Policy ``<meta>``: under serve it allows inline scripts (the live-reload
  script changes on every request, so it cannot be hashed); a build lists the hashes instead;
- ``pagefind/``: preview rebuilds do not run Pagefind (search shows the first build's index).

``SOURCE_DATE_EPOCH`` is set for both, so the sitemap's dates and its gzip header agree.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import copy_project

LIVERELOAD = re.compile(r"livereload\((\d+),\s*(\d+)\)")
CSP = re.compile(rb'<meta http-equiv="Content-Security-Policy" content="[^"]*">')
EPOCH = "1767225600"  # 2026-01-01, for the sitemap's dates and gzip header in both builds


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _files(site: Path) -> dict[str, bytes]:
    out = {}
    for path in site.rglob("*"):
        rel = path.relative_to(site).as_posix()
        if path.is_file() and not rel.startswith("pagefind/"):
            data = path.read_bytes()
            out[rel] = CSP.sub(b"<meta csp>", data) if rel.endswith(".html") else data
    return out


def _differences(served: dict[str, bytes], built: dict[str, bytes]) -> list[str]:
    out = [f"only served: {p}" for p in sorted(served.keys() - built.keys())]
    out += [f"only built: {p}" for p in sorted(built.keys() - served.keys())]
    for p in sorted(served.keys() & built.keys()):
        a, b = served[p], built[p]
        if a != b:
            at = next(i for i in range(min(len(a), len(b)) + 1) if i == min(len(a), len(b)) or a[i] != b[i])
            out.append(f"differs: {p} at byte {at}: served {a[max(0, at - 80):at + 80]!r} / built {b[max(0, at - 80):at + 80]!r}")
    return out


class Server:
    """`mkdocs serve --dirty` on the project, its site folder found under a private TMPDIR."""

    def __init__(self, project: Path, tmp: Path):
        self.project, self.tmp = project, tmp
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": EPOCH, "TMPDIR": str(tmp)}
        self.log = tmp.parent / f"serve-{self.port}.log"

    def start(self) -> None:
        self.tmp.mkdir(exist_ok=True)
        before = set(self.tmp.glob("mkdocs_*"))
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "mkdocs", "serve", "--dirty", "-a", f"127.0.0.1:{self.port}"],
                cwd=self.project, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        self.epoch = self.wait_for_build(None)
        (self.site,) = set(self.tmp.glob("mkdocs_*")) - before

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def _get(self, path: str, timeout: float = 120) -> str:
        with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
            return response.read().decode("utf-8", "replace")

    def wait_for_build(self, epoch: int | None, timeout: float = 300) -> int:
        """Until a build newer than ``epoch`` is served (None: the first one), as a browser's
        live-reload script learns it; the new epoch."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"mkdocs serve stopped:\n{self.text()[-3000:]}"
            try:
                if epoch is None:
                    return int(LIVERELOAD.search(self._get("")).group(1))
                newer = int(self._get(f"livereload/{epoch}/1", timeout=max(1, deadline - time.monotonic())))
                if newer > epoch:
                    return newer
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"no rebuild within {timeout} s:\n{self.text()[-3000:]}")

    def edit(self, path: Path, change) -> None:
        """Save ``path`` changed by ``change(text)`` (or delete it: change is None) and wait for the rebuild.

        MkDocs stamps a build with the monotonic clock (ms) when it starts, after the change; waiting
        for a build stamped after the save, not merely for a newer one, keeps a late second rebuild
        of the previous edit from passing for this one's."""
        if change is None:
            path.unlink()
        else:
            path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
        saved = round(time.monotonic() * 1000)
        self.epoch = self.wait_for_build(max(self.epoch, saved))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _clean_build(server: Server, out: Path) -> dict[str, bytes]:
    shutil.rmtree(out, ignore_errors=True)
    env = {**server.env, "SITE_URL": server.url}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                            cwd=server.project, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return _files(out)


def _assert_same_as_clean_build(server: Server, out: Path, what: str, timeout: float = 60) -> None:
    """The served site equals a clean build; the open-data files are written just after the pages
    (by a separate process), so they get a little while to arrive."""
    built = _clean_build(server, out)
    deadline = time.monotonic() + timeout
    while True:
        problems = _differences(_files(server.site), built)
        if not problems or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert not problems, f"after {what}, the served site differs from a clean build:\n" + "\n".join(problems[:15])


def _html_times(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("*.html")}


def _prefix_value(key: str, words: str):
    """Change the first ``key:`` line (at any indent) of a YAML file: ``words`` before its value."""
    pattern = re.compile(rf"^(\s*{re.escape(key)}:\s*)(['\"]?)", re.M)

    def change(text: str) -> str:
        assert pattern.search(text), f"no {key}: line"
        return pattern.sub(lambda m: f"{m[1]}{m[2]}{words} ", text, count=1)
    return change


def test_dirty_serve_equals_a_clean_build_after_each_kind_of_edit(tmp_path):
    project = copy_project(tmp_path / "project")
    out = tmp_path / "clean"
    cases = sorted((project / "cases").glob("*.yml"))
    assert len(cases) >= 2, "the test needs two cases: one to edit, one to delete"
    edited, deleted = cases[0], cases[-1]
    server = Server(project, tmp_path / "tmp")
    server.start()
    try:
        _assert_same_as_clean_build(server, out, "the first build")

        # A case: its page, index row and linked pages change; pages that do not show it are not rewritten.
        before = _html_times(server.site)
        server.edit(edited, _prefix_value("title", "Edited"))
        after = _html_times(server.site)
        assert after[f"cases/{edited.stem}/index.html"] != before[f"cases/{edited.stem}/index.html"]
        untouched = [p for p in before if after.get(p) == before[p]]
        assert untouched, "saving one case rewrote every page"
        assert "Edited" in (server.site / "cases" / edited.stem / "index.html").read_text(encoding="utf-8")
        _assert_same_as_clean_build(server, out, "editing a case")

        server.edit(project / "reference" / "drugs.yml", _prefix_value("name", "Edited"))
        _assert_same_as_clean_build(server, out, "editing a reference entry")

        glossary = project / "reference" / "glossary.yml"
        assert 'expansion: "' in glossary.read_text(encoding="utf-8")
        server.edit(glossary, lambda t: t.replace('expansion: "', 'expansion: "edited ', 1))
        _assert_same_as_clean_build(server, out, "editing a glossary term")

        template = next(p for p in sorted((project / "macros" / "templates").glob("site.*.j2")))
        server.edit(template, lambda t: t + "\nA sentence added by the test.\n")
        assert "A sentence added by the test." in next((server.site / "sites").glob("*/index.html")).read_text(encoding="utf-8")
        _assert_same_as_clean_build(server, out, "editing a template")

        server.edit(project / "mkdocs.yml", lambda t: re.sub(r"^copyright: (.*)$", r"copyright: \1 (edited)", t, count=1, flags=re.M))
        _assert_same_as_clean_build(server, out, "editing mkdocs.yml")

        server.edit(project / "docs" / "about.md", lambda t: t + "\n\nA paragraph added by the test.\n")
        _assert_same_as_clean_build(server, out, "editing a hand-written page")

        # A problem: the banner on the case's page and the index; the fix takes it off again.
        good = edited.read_text(encoding="utf-8")
        server.edit(edited, lambda t: t.replace("\n  age: ", "\n  age: old", 1))
        for page in (f"cases/{edited.stem}/index.html", "index.html", "cases/index.html"):
            assert "data-problems" in (server.site / page).read_text(encoding="utf-8"), page
        server.edit(edited, lambda t: good)
        _assert_same_as_clean_build(server, out, "a problem and its fix")

        server.edit(deleted, None)
        assert not (server.site / "cases" / deleted.stem / "index.html").exists()
        _assert_same_as_clean_build(server, out, "deleting a case")

        # Python is not reloaded: every page says so, and a restart serves what a build writes.
        code = next(p for p in sorted((project / "macros").glob("*.py")) if p.name not in ("__init__.py", "pages.py"))
        server.edit(code, lambda t: t + "\n# edited by the test\n")
        deadline = time.monotonic() + 60  # pages that follow the rebuild get a little while
        while True:
            silent = [p for p in server.site.rglob("*.html")
                      if p.name != "404.html" and "does not reload Python" not in p.read_text(encoding="utf-8")]
            if not silent or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert not silent, f"pages without the restart notice: {silent[:5]}"
    finally:
        server.stop()
    server = Server(project, tmp_path / "tmp")
    server.start()
    try:
        _assert_same_as_clean_build(server, out, "restarting after a Python change")
    finally:
        server.stop()
