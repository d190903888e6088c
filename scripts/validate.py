#!/usr/bin/env python3
"""Check case files and reference data exactly as the build does, without building.

    python scripts/validate.py                 # every case and the reference data
    python scripts/validate.py cases/x.yml     # just these cases (reference data always)

Prints one line per problem, `file:line: field.path: message`, errors first,
then warnings. Exit status: 0 when there are no errors, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable without installing the package

from macros.catalog import check_all  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="case files to check (default: all in cases/)")
    parser.add_argument("--root", type=Path, default=ROOT, help="project folder (default: this checkout)")
    parser.add_argument("--care", action="store_true",
                        help="list the CARE checklist items each case covers (default when FILES are given)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="processes checking case files at once (default: one per CPU, %(default)s here)")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    files = [f.resolve() for f in args.files] or None
    missing = [f for f in files or [] if not f.exists()]
    if missing:
        for f in missing:
            print(f"{f}:1: (file): no such file", file=sys.stderr)
        return 1
    _, checked, problems = check_all(args.root.resolve(), files, jobs=args.jobs)
    errors = [p for p in problems if not p.warning]
    warnings = [p for p in problems if p.warning]
    for p in errors:
        print(p, file=sys.stderr)
    for p in warnings:
        print(f"warning: {p}", file=sys.stderr)
    if errors:
        print(f"{len(errors)} error(s), {len(warnings)} warning(s)", file=sys.stderr)
        return 1
    if args.care or files:
        for f in checked:
            covered = [i for i in f.care if i.covered]
            missing = ", ".join(i.label for i in f.care if not i.covered)
            print(f"{f.path}: CARE {len(covered)}/{len(f.care)} items covered"
                  + (f"; not covered: {missing}" if missing else ""))
    elapsed = time.perf_counter() - start
    print(f"{len(checked)} case(s) and the reference data are valid ({len(warnings)} warning(s), {elapsed:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
