"""The parts of scripts/bench.py, one module per seam.

- ``synthetic``: a copy of the project with N synthetic, valid cases (and grown reference data);
- ``floor``: the same pages, rendered to Markdown, as a plain MkDocs + Material project;
- ``measure``: running builds (time, CPU, peak memory), `mkdocs serve` previews, sizes of the built site;
- ``budgets`` with ``budgets.yml``: the budgets as data, and their verdicts;
- ``report`` with ``report.md.j2``: the Markdown report (docs/performance.md) from the results.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
KB, MB = 1024, 1024 * 1024


class BenchError(Exception):
    """A step of the benchmark failed; the message says which and why."""
