#!/usr/bin/env python3
"""Benchmark preview, build CPU, memory and page sizes from 10 to 5,000 cases, against the floor of the stack.

    python scripts/bench.py                                   # N = 10,100,1000,5000 -> docs/performance.md
    python scripts/bench.py --sizes 10,100 --report /tmp/perf.md
    python scripts/bench.py --sizes 100,1000 --serve          # also time previews under `mkdocs serve`
    python scripts/bench.py --from-results run.json --lighthouse lh.json   # the report again, with Lighthouse results

For each N, N synthetic but valid cases (and a grown copy of the reference data) go into a
temporary copy of the project. It is built with `mkdocs build --strict` ("ours") next to the
floor: a plain MkDocs + Material project holding the same pages already rendered to Markdown,
with the same theme, nav and standard extensions, and no macros, hooks, validation or glossary.
The budgets are in scripts/benchlib/budgets.yml; the parts in scripts/benchlib/.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable without installing the package

from benchlib import BenchError  # noqa: E402
from benchlib.floor import make_floor  # noqa: E402
from benchlib.measure import (Result, build_cmd, builtin_index, measure_serve, measure_sizes, read_results,  # noqa: E402
                              results_json, run)
from benchlib.report import machine, render  # noqa: E402
from benchlib.synthetic import make_project, snapshot  # noqa: E402
# scripts/corpus.py imports the case generator from here; benchlib.synthetic is its home.
from benchlib.synthetic import Writer, dump, extend_reference, synthetic_case, vocabulary  # noqa: E402,F401

REPORT = ROOT / "docs" / "performance.md"  # never copied into the benchmarked projects
SERVE_MAX = 1000  # `mkdocs serve` is timed up to this N: above it, one preview takes minutes today


def bench_size(n: int, args, work: Path) -> Result:
    """Every measurement for N cases."""
    here = work / f"n{n}"
    print(f"[N={n}] generating cases ...", flush=True)
    catalog, facts = make_project(here / "project", n, args.seed, work / "source")
    make_floor(here / "project", here / "floor", catalog)
    r = Result(n, args.repeat or (3 if n < 1000 else 1), facts)
    for _ in range(max(r.runs, 3)):  # seconds each, so always three runs: one is at the mercy of the machine
        r.validate.append(run([sys.executable, "scripts/validate.py", "--root", "."], here / "project"))
    for k in range(r.runs):  # interleaved, so a busy moment of the machine hits both builds
        r.load.append(os.getloadavg()[0])
        r.build.append(run(build_cmd(here / "site"), here / "project"))
        r.floor.append(run(build_cmd(here / "floor-site"), here / "floor"))
        print(f"[N={n}] run {k + 1}/{r.runs}: build {r.build[-1].seconds:.1f} s ({r.build[-1].cpu:.1f} s CPU, "
              f"{r.build[-1].peak_mb:.0f} MB), floor {r.floor[-1].seconds:.1f} s ({r.floor[-1].cpu:.1f} s CPU, "
              f"{r.floor[-1].peak_mb:.0f} MB), validate {r.validate[-1].seconds:.1f} s", flush=True)
    r.sizes = measure_sizes(here / "site", catalog)
    r.floor_site = sum(p.stat().st_size for p in (here / "floor-site").rglob("*") if p.is_file())
    r.floor_index = builtin_index(here / "floor-site")
    if args.serve and n <= args.serve_max:
        r.serve = measure_serve(here / "project", next(iter(catalog.cases)), saves=args.saves)
        print(f"[N={n}] serve: first page {r.serve.first} s, saves {r.serve.saves}"
              + (f", {r.serve.error}" if r.serve.error else ""), flush=True)
    return r


def read_lighthouse(path: str) -> dict:
    """Results of scripts/lighthouse.py: {"<N>": {"<page type>": {"performance": 0-100, "tbt": ms}}}."""
    path = Path(path)  # argparse passes the text of the option
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise argparse.ArgumentTypeError(f"cannot read {path}: {e}") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise argparse.ArgumentTypeError(f"{path}: expected {{\"<N>\": {{\"<page type>\": {{\"performance\": ..., \"tbt\": ...}}}}}}")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000,5000", help="numbers of cases, comma-separated (default: %(default)s)")
    parser.add_argument("--repeat", type=int, help="build runs per size (default: 3 below 1,000 cases, else 1)")
    parser.add_argument("--report", type=Path, default=REPORT, help="Markdown report (default: docs/performance.md)")
    parser.add_argument("--serve", action="store_true",
                        help="also time `mkdocs serve`: first page, and saving one case until its page updates, at each N ≤ --serve-max")
    parser.add_argument("--serve-max", type=int, default=SERVE_MAX, help="largest N to time `mkdocs serve` at (default: %(default)s)")
    parser.add_argument("--saves", type=int, default=3, help="saves timed under `mkdocs serve`, the median reported (default: %(default)s)")
    parser.add_argument("--lighthouse", type=read_lighthouse, metavar="FILE",
                        help="scripts/lighthouse.py's per-page results at each N, to judge the Lighthouse budgets: "
                             '{"<N>": {"<page type>": {"performance": score, "tbt": ms, ...}}}')
    parser.add_argument("--results", type=Path, metavar="FILE", help="also save the measurements as JSON")
    parser.add_argument("--from-results", type=Path, metavar="FILE",
                        help="measure nothing: write the report from measurements saved with --results")
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the synthetic data (default: %(default)s)")
    parser.add_argument("--workdir", type=Path, help="an empty folder to keep the projects and sites in (default: temporary)")
    args = parser.parse_args(argv)
    if args.from_results:
        results, about = read_results(args.from_results.read_text(encoding="utf-8"))
        command, machine_lines = about["command"], about["machine"]
        given = re.search(r"--lighthouse[= ](\S+)", " ".join(sys.argv[1:] if argv is None else argv))
        if given:  # the Lighthouse results read now, not those named when measuring
            command = re.sub(r"\s*--lighthouse[= ]\S+", "", command) + f" --lighthouse {given[1]}"
    else:
        command = re.sub(r"\s*--(workdir|results)[= ]\S+", "", " " + " ".join(sys.argv[1:] if argv is None else argv)).rstrip()
        machine_lines = machine()  # with the commit, when the code is copied
        try:
            results = measure_all(args, parser)
        except BenchError as e:
            print(f"bench: {e}", file=sys.stderr)
            return 1
        if args.results:
            args.results.write_text(results_json(results, command=command, machine=machine_lines), encoding="utf-8")
    for r in results if args.lighthouse else []:
        r.lighthouse = args.lighthouse.get(str(r.n))
    text = render(results, command, machine_lines)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(text, encoding="utf-8")
    print(f"\nwrote {args.report}\n\n{text[text.index('## Budgets'):text.index('## Data and method')]}")
    return 0


def measure_all(args, parser) -> list[Result]:
    """Every N, in a snapshot of the checkout taken now."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = args.workdir or Path(tmp)
        if work.exists() and any(work.iterdir()):
            parser.error(f"--workdir {work} is not empty")
        snapshot(work / "source", {args.report.resolve(), REPORT.resolve()})
        return [bench_size(n, args, work) for n in sorted({int(s) for s in args.sizes.split(",")})]


if __name__ == "__main__":
    sys.exit(main())
