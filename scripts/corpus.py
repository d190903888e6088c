#!/usr/bin/env python3
"""Write a large test corpus: the seed cases copied with new slugs and quiz ids, plus synthetic
cases from the benchmark's generator, with the reference data they need.

    .venv/bin/python scripts/corpus.py /tmp/corpus150             # 150 cases (the default)
    .venv/bin/python scripts/corpus.py /tmp/corpus300 --cases 300 --copies 10

Then run the whole test suite against it (tests/conftest.py reads EMALL_DATA):

    EMALL_DATA=/tmp/corpus150 .venv/bin/python -m pytest -x -q

The folder holds only data (cases/ and reference/); the code, docs and templates still come from
the repository. Tests that are about a seed case's own content skip when that case is absent,
so a corpus may leave out the seed cases (``--copies 0``, ``--no-seeds``); everything else
derives its expectations from the corpus. The corpus is checked before it is written out: it
must load with no problems and no warnings, as `mkdocs build --strict` requires.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable without installing the package
sys.path.insert(0, str(ROOT / "scripts"))  # benchlib

from macros.catalog import CatalogError, load_catalog  # noqa: E402
from benchlib.synthetic import Writer, dump, extend_reference, synthetic_case, vocabulary  # noqa: E402  (the benchmark's generator)


def quiz_ids(text: str) -> list[str]:
    """Objective and question ids of one case file: unique across the library, so a copy renames them."""
    data = yaml.safe_load(text) or {}
    ids = []
    for objective in data.get("objectives") or []:
        ids.append(objective["id"])
        ids += [q["id"] for q in objective.get("questions") or []]
    return ids


def copy_case(text: str, suffix: str) -> str:
    """The case file with every quiz id renamed ``<id>-<suffix>``, wherever it appears (its own
    definition, an acknowledgement's ``match:``, a link to its anchor)."""
    for item_id in sorted(quiz_ids(text), key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(item_id)}(?![\w-])", f"{item_id}-{suffix}", text)
    return text


def write_corpus(dest: Path, cases: int = 150, copies: int = 17, seeds: bool = True, seed: int = 0) -> dict[str, int]:
    """``dest``/cases and ``dest``/reference: the seed cases (when ``seeds``), ``copies`` copies
    of each, and synthetic cases up to ``cases`` in all. Returns counts by origin."""
    real = sorted((ROOT / "cases").glob("*.yml"))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "corpus"
        shutil.copytree(ROOT / "reference", work / "reference")
        (work / "cases").mkdir()
        counts = {"seed": 0, "copies": 0, "synthetic": 0}
        if seeds:
            for path in real:
                shutil.copy(path, work / "cases" / path.name)
                counts["seed"] += 1
        for k in range(1, copies + 1):
            for path in real:
                text = copy_case(path.read_text(encoding="utf-8"), f"c{k}")
                (work / "cases" / f"{path.stem[:70]}-copy-{k}.yml").write_text(text, encoding="utf-8")
                counts["copies"] += 1
        synthetic = max(0, cases - counts["seed"] - counts["copies"])
        if synthetic:
            w = Writer(random.Random(f"corpus-{seed}-{cases}"), vocabulary())
            pools = extend_reference(work, synthetic, w)
            for i in range(1, synthetic + 1):
                (work / "cases" / f"bench-case-{i:05d}.yml").write_text(dump(synthetic_case(i, pools, w)), encoding="utf-8")
            counts["synthetic"] = synthetic
        try:
            catalog = load_catalog(work)
        except CatalogError as e:
            ordered = sorted(e.problems, key=lambda p: not p.path.startswith("reference"))  # causes first
            raise SystemExit("the corpus is not valid:\n" + "\n".join(map(str, ordered[:40]))) from None
        if catalog.warnings:
            raise SystemExit("the corpus has warnings (a strict build would fail):\n"
                             + "\n".join(map(str, catalog.warnings[:20])))
        if dest.exists():
            for folder in ("cases", "reference"):
                shutil.rmtree(dest / folder, ignore_errors=True)
        dest.mkdir(parents=True, exist_ok=True)
        for folder in ("cases", "reference"):
            shutil.copytree(work / folder, dest / folder)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path, help="folder to write cases/ and reference/ into (replaced if present)")
    parser.add_argument("--cases", type=int, default=150, help="cases in all (default 150)")
    parser.add_argument("--copies", type=int, default=17, help="copies of each seed case (default 17: over 100 cases share some drugs and antigens)")
    parser.add_argument("--no-seeds", action="store_true", help="leave the seed cases themselves out")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the synthetic cases")
    args = parser.parse_args(argv)
    counts = write_corpus(args.dest, args.cases, args.copies, not args.no_seeds, args.seed)
    total = sum(counts.values())
    print(f"{args.dest}: {total} cases ({counts['seed']} seed, {counts['copies']} copies, "
          f"{counts['synthetic']} synthetic)\nrun the tests on it: EMALL_DATA={args.dest} .venv/bin/python -m pytest -x -q")
    return 0


if __name__ == "__main__":
    sys.exit(main())
