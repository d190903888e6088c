#!/usr/bin/env python3
"""Check case files and reference data exactly as the build does, without building.

    .venv/bin/python scripts/validate.py                 # every case and the reference data
    .venv/bin/python scripts/validate.py cases/x.yml     # these cases in full (ids still compared with every case)
    .venv/bin/python scripts/validate.py --list drugs    # the valid drug ids, with their names

Prints one line per problem, `file:line: field.path: message`, errors first, then warnings.

Warnings fail, exactly as `.venv/bin/mkdocs build --strict` fails on them: the exit status is 1 when
there is an error or an unacknowledged warning, 0 otherwise. A warning flags something a
person has to decide about (an initial, an institution, a CARE item the case does not
cover). Fix it, or, once reviewed, acknowledge it in the case's `acknowledged:` list with the
check's code, the text it quoted and a reason; it is then no longer reported.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable without installing the package

from macros.checking import check_all  # noqa: E402
from macros.kinds import KINDS  # noqa: E402
from macros.load import LoadError, Problem, load_file  # noqa: E402
from macros.schema import dumps, schemas  # noqa: E402

LISTS = [kind.folder for kind in KINDS]  # drugs, regimens, antigens, sites, glossary
OTHER_NAMES = ("abbreviations", "brand_names", "aliases")


def list_ids(root: Path, folder: str) -> int:
    """Print `id  name (also: other names)` for every entry of reference/<folder>.yml."""
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `validate.py --list drugs | head` ends quietly
    path = root / "reference" / f"{folder}.yml"
    try:
        data = load_file(path, f"reference/{folder}.yml").data
    except (LoadError, OSError) as e:
        print(e, file=sys.stderr)
        return 1
    rows = []
    for entry_id, entry in (data or {}).items():
        entry = entry if isinstance(entry, dict) else {}
        name = entry.get("name") or entry.get("expansion") or ""
        others = [o for f in OTHER_NAMES for o in (entry.get(f) or []) if isinstance(o, str)]
        rows.append((entry_id, name + (f" (also: {', '.join(others)})" if others else "")))
    width = max((len(i) for i, _ in rows), default=0)
    for entry_id, text in rows:
        print(f"{entry_id.ljust(width)}  {text}".rstrip())
    print(f"{len(rows)} {folder} in reference/{folder}.yml", file=sys.stderr)
    return 0


def stale_schemas(root: Path) -> list[Problem]:
    """The editors' schemas list the reference ids: after a new entry they must be written again
    (CI compares them too). Only where the project keeps them (a schema/ folder)."""
    folder = root / "schema"
    if not folder.is_dir():
        return []
    try:
        current = schemas(root)
    except Exception:  # noqa: BLE001 - broken reference data is reported by the checks above
        return []
    stale = [name for name, schema in current.items()
             if not (folder / name).exists() or (folder / name).read_text(encoding="utf-8") != dumps(schema)]
    return [Problem(f"schema/{name}", 1, (), "out of date with reference/ or the models (a new id?): "
                    "run .venv/bin/python scripts/schema.py and commit the schema/ folder with your change")
            for name in stale]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=(
        "Warnings fail, as in `.venv/bin/mkdocs build --strict`: fix each one, or acknowledge it in the "
        "case's `acknowledged:` list with a reason."))
    parser.add_argument("files", nargs="*", type=Path, help="case files to check (default: all in cases/)")
    parser.add_argument("--root", type=Path, default=ROOT, help="project folder (default: this checkout)")
    parser.add_argument("--list", choices=LISTS, metavar="KIND",
                        help=f"print the valid ids of one kind with their names: {', '.join(LISTS)}")
    parser.add_argument("--care", action="store_true",
                        help="list the CARE checklist items each case covers (default when FILES are given)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="processes checking case files at once (default: one per CPU, %(default)s here)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if args.list:
        return list_ids(root, args.list)

    start = time.perf_counter()
    files = [f.resolve() for f in args.files] or None
    missing = [f for f in files or [] if not f.exists()]
    if missing:
        for f in missing:
            print(f"{f}:1: (file): no such file", file=sys.stderr)
        return 1
    _, checked, problems = check_all(root, files, jobs=args.jobs)
    if not any(p.path.startswith("reference/") and not p.warning for p in problems):
        problems += stale_schemas(root)  # from broken reference data they would only add noise
    errors = [p for p in problems if not p.warning]
    warnings = [p for p in problems if p.warning]
    for p in errors:
        print(p, file=sys.stderr)
    for p in warnings:
        print(f"warning: {p}", file=sys.stderr)
    if args.care or files:
        for f in checked:
            if not f.care:
                continue
            covered = [i for i in f.care if i.covered]
            missing = ", ".join(i.label for i in f.care if not i.covered)
            print(f"{f.path}: CARE {len(covered)}/{len(f.care)} items covered"
                  + (f"; not covered: {missing}" if missing else ""))
    elapsed = time.perf_counter() - start
    if errors or warnings:
        print(f"{len(errors)} error(s), {len(warnings)} warning(s): not valid"
              + ("; warnings fail as in `.venv/bin/mkdocs build --strict`: fix each one, or acknowledge it "
                 "in the case's `acknowledged:` list with a reason" if warnings else ""), file=sys.stderr)
        return 1
    print(f"{len(checked)} case(s) and the reference data are valid (0 warning(s), {elapsed:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
