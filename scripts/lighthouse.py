"""Lighthouse (mobile) on every page type, served with gzip as a static host would.

    .venv/bin/python scripts/lighthouse.py            # build, serve, measure, write docs/lighthouse.md
    .venv/bin/python scripts/lighthouse.py --site DIR # measure an already built site (built for --port)
    .venv/bin/python scripts/lighthouse.py --site DIR --project P --results lh.json --n 1000
                                                      # a bench.py site: pages picked from P's catalog, the
                                                      # results added to lh.json for `bench.py --lighthouse`
    .venv/bin/python scripts/lighthouse.py --site DIR --pages search,drug  # some page types again

Lighthouse comes from the npm registry (installed once into .cache/lighthouse) and drives the
system Chromium (CHROME_PATH, /usr/bin/chromium by default): no browser download. Not part of
pytest: a run takes a minute or two and its timings depend on the machine.

Each page is measured --runs times (3 by default) and the run with the median performance score
is kept, as Lighthouse's own guidance advises: on a small shared machine one run's blocking time
varies by a factor of two or more.

Targets (issue 14): performance >= 90, cumulative layout shift < 0.1, accessibility, best
practices and SEO 100. The script exits 1 when a page misses one, after writing the report.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "lighthouse"
REPORT = ROOT / "docs" / "lighthouse.md"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 90, "accessibility": 100, "best-practices": 100, "seo": 100}
CLS_LIMIT = 0.1
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".csv", ".pf_meta", ".pagefind")


def page_types(project: Path = ROOT) -> dict[str, str]:
    """One page of each type, taken from the project's catalog (whatever cases there are): the
    case, drug, antigen and site with the most cases, whose pages are the longest of their type."""
    sys.path.insert(0, str(ROOT))
    from macros.catalog import load_catalog
    from macros.render import quiz_page_path, quiz_pages

    cat = load_catalog(project)
    most = lambda table, cases: max(sorted(table), key=lambda i: len(cases.get(i, ())))  # noqa: E731
    topic, count = max(quiz_pages(cat).items(), key=lambda item: item[1])
    return {
        "home": "", "cases index": "cases/", "case": f"cases/{next(iter(cat.cases))}/",
        "drug": f"drugs/{most(cat.drugs, cat.drug_cases)}/", "drugs index": "drugs/",
        "regimen": f"regimens/{most(cat.regimens, cat.regimen_cases)}/", "regimens index": "regimens/",
        "antigen": f"antigens/{most(cat.antigens, cat.antigen_cases)}/", "antigens index": "antigens/",
        "site": f"sites/{most(cat.sites, cat.site_cases)}/", "sites index": "sites/",
        "glossary": "glossary/", "quiz bank": "quiz/", "quiz page": quiz_page_path(topic, count)[:-3] + "/",
        "search": "search/?q=inotuzumab", "open data": "data/", "about": "about/",
    }


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-compressed for clients that accept it (text types only), as a host would."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and path.suffix in COMPRESSIBLE):
            return super().send_head()
        if not self.path.split("?")[0].endswith("/") and path.name == "index.html" and not self.path.split("?")[0].endswith(".html"):
            return super().send_head()  # let the base class redirect /dir to /dir/
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=3600")
        self.end_headers()
        from io import BytesIO
        return BytesIO(body)


def lighthouse_bin() -> Path:
    binary = CACHE / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        npm = shutil.which("npm") or sys.exit("npm not found: Lighthouse comes from the npm registry")
        subprocess.run([npm, "install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund",
                        "--prefix", str(CACHE), "lighthouse@12"], check=True)
    return binary


def build(out: Path, port: int) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": f"http://127.0.0.1:{port}/"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)], cwd=ROOT, env=env, check=True)


def measure(binary: Path, url: str, out: Path) -> dict:
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run([str(binary), url, "--quiet", "--output=json", f"--output-path={out}",
                    "--only-categories=" + ",".join(CATEGORIES),
                    "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run"],
                   env=env, check=True, timeout=300)
    data = json.loads(out.read_text(encoding="utf-8"))
    audits = data["audits"]
    failed = {c: [a["id"] for a in data["categories"][c]["auditRefs"]
                  if audits[a["id"]].get("score") is not None and audits[a["id"]]["score"] < 1 and a.get("weight", 0) > 0]
              for c in ("accessibility", "best-practices", "seo")}
    return {
        **{c: round(data["categories"][c]["score"] * 100) for c in CATEGORIES},
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "fcp": audits["first-contentful-paint"]["numericValue"] / 1000,
        "lcp": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "tbt": audits["total-blocking-time"]["numericValue"],
        "failed": [f"{c}: {a}" for c, ids in failed.items() for a in ids],
    }


def median_run(runs: list[dict]) -> dict:
    """The run with the median performance score (ties broken by blocking time), whole: its
    figures belong together, unlike a median taken of each figure apart."""
    ranked = sorted(runs, key=lambda r: (r["performance"], -r["tbt"]))
    return {**ranked[(len(ranked) - 1) // 2], "runs": len(runs), "tbt_runs": [round(r["tbt"]) for r in runs]}


def report(results: dict[str, dict]) -> str:
    lines = [
        "---", "search:", "  exclude: true", "---",
        "# Lighthouse",
        "",
        f"Lighthouse 12 (mobile: a simulated mid-range phone on a slow 4G connection) on one page of each",
        f"type, in Chromium, the site served with gzip compression as a static host would; each page the",
        f"median of {next(iter(results.values()), {}).get('runs', 1)} runs. Measured",
        f"{date.today().isoformat()} by `scripts/lighthouse.py`; timings depend on the machine.",
        "",
        f"Targets: performance at least {TARGETS['performance']}, layout shift (CLS) below {CLS_LIMIT},",
        "accessibility, best practices and SEO 100.",
        "",
        "| Page | Performance | Accessibility | Best practices | SEO | CLS | First paint (s) | Largest paint (s) | Blocking (ms) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",  # no alignment: it becomes a style attribute, which the CSP refuses
    ]
    for kind, r in results.items():
        lines.append(f"| {kind} | {r['performance']} | {r['accessibility']} | {r['best-practices']} | {r['seo']} | "
                     f"{r['cls']:.3f} | {r['fcp']:.1f} | {r['lcp']:.1f} | {r['tbt']:.0f} |")
    misses = [f"{kind}: {a}" for kind, r in results.items() for a in r["failed"]]
    if misses:
        lines += ["", "Audits not passed:", ""] + [f"- {m}" for m in misses]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="an already built site (built with SITE_URL for --port)")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--no-write", action="store_true", help="print the report, do not write docs/lighthouse.md")
    parser.add_argument("--project", type=Path, default=ROOT, help="the project whose catalog picks the pages (default: this one)")
    parser.add_argument("--results", type=Path, help="add the results to this JSON file, under --n, for bench.py --lighthouse")
    parser.add_argument("--n", type=int, help="the number of cases the site has (with --results)")
    parser.add_argument("--runs", type=int, default=3, help="runs per page; the median run is kept (default 3)")
    parser.add_argument("--pages", help="only these page types, comma-separated (default: all); their results replace "
                                        "those saved under --n, and docs/lighthouse.md is not written")
    args = parser.parse_args()
    if args.results and not args.n:
        parser.error("--results needs --n")
    types = page_types(args.project)
    if args.pages:
        wanted = [name.strip() for name in args.pages.split(",")]
        unknown = [name for name in wanted if name not in types]
        if unknown:
            parser.error(f"unknown page type(s): {', '.join(unknown)}; the types are: {', '.join(types)}")
        types = {name: types[name] for name in wanted}
    binary = lighthouse_bin()
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        site = args.site or Path(tmp) / "site"
        if not args.site:
            build(site, args.port)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), functools.partial(GzipHandler, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        results = {}
        try:
            for kind, path in types.items():
                url = f"http://127.0.0.1:{args.port}/{path}"
                results[kind] = median_run([measure(binary, url, Path(tmp) / "lh.json") for _ in range(args.runs)])
                r = results[kind]
                print(f"{kind:12} perf {r['performance']:3} a11y {r['accessibility']:3} bp {r['best-practices']:3} "
                      f"seo {r['seo']:3} cls {r['cls']:.3f} fcp {r['fcp']:.1f}s lcp {r['lcp']:.1f}s tbt {r['tbt']:.0f}ms {r['tbt_runs']}"
                      + (f"  {r['failed']}" if r["failed"] else ""), flush=True)
        finally:
            server.shutdown()
    if args.results:
        saved = json.loads(args.results.read_text(encoding="utf-8")) if args.results.exists() else {}
        kept = saved.get(str(args.n), {}) if args.pages else {}
        saved[str(args.n)] = {**kept, **{kind: {k: v for k, v in r.items() if k != "failed"} for kind, r in results.items()}}
        args.results.write_text(json.dumps(saved, indent=1) + "\n", encoding="utf-8")
    text = report(results)
    if args.no_write or args.results or args.pages:
        print(text)
    else:
        REPORT.write_text(text, encoding="utf-8")
        print(f"wrote {REPORT.relative_to(ROOT)}")
    ok = all(r["performance"] >= TARGETS["performance"] and r["cls"] < CLS_LIMIT
             and all(r[c] >= TARGETS[c] for c in ("accessibility", "best-practices", "seo")) for r in results.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
