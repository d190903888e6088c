#!/usr/bin/env python3
"""Write the JSON Schemas of the case and reference files to schema/ (from the models).

    .venv/bin/python scripts/schema.py           # write schema/*.schema.json
    .venv/bin/python scripts/schema.py --check   # exit 1 if the committed files are out of date

Run it after adding a reference entry: the schemas list every id, so that editors complete them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable without installing the package

from macros.schema import dumps, schemas  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when a file differs")
    parser.add_argument("--root", type=Path, default=ROOT, help="project folder (default: this checkout)")
    args = parser.parse_args(argv)
    folder = args.root / "schema"
    stale = []
    current = schemas(args.root)
    for name, schema in current.items():
        path = folder / name
        text = dumps(schema)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(name)
        if not args.check:
            folder.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if args.check and stale:
        print(f"out of date: {', '.join(stale)}; run `.venv/bin/python scripts/schema.py`", file=sys.stderr)
        return 1
    print(f"{'wrote' if stale and not args.check else 'up to date:'} {', '.join(stale) or len(current)} schema file(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
