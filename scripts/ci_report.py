#!/usr/bin/env python3
"""What the pull-request workflow tells the contributor and the reviewer (.github/workflows/pr.yml).

    .venv/bin/python scripts/ci_report.py annotate validate.log
        # one GitHub annotation per problem, shown on the diff at file:line

    .venv/bin/python scripts/ci_report.py summary --validate-log validate.log --validate-status 0 \\
        --build-status 0 --artifact site-preview cases/a.yml cases/b.yml
        # the job summary (Markdown): validation result, CARE coverage and page of each changed case

Reads the output of `scripts/validate.py --care` (problems as `file:line: field: message`, CARE
lines as `file: CARE n/m items covered; not covered: ...`). Contributor text is data: it is
escaped, never interpreted, in both outputs.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

PROBLEM = re.compile(r"^(?P<warning>warning: )?(?P<file>[^:\s][^:]*):(?P<line>\d+): (?P<rest>.*)$")
CARE = re.compile(r"^(?P<file>[^:]+\.yml): CARE (?P<covered>\d+)/(?P<total>\d+) items covered(?:; not covered: (?P<missing>.*))?$")


def problems(log: str) -> list[dict]:
    return [m.groupdict() for line in log.splitlines() if (m := PROBLEM.match(line))]


def _data(text: str) -> str:
    """An annotation's message, escaped as GitHub's workflow commands require."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotate(log: str) -> list[str]:
    """`::error file=...,line=...::message` for each problem (warnings too: they fail the check)."""
    out = []
    for p in problems(log):
        title = "validate: warning (fails until fixed or acknowledged)" if p["warning"] else "validate"
        out.append(f"::error file={_property(p['file'])},line={p['line']},title={_property(title)}::{_data(p['rest'])}")
    return out


def _md(text: str) -> str:
    """Contributor text inside a Markdown table cell or line: no markup, no HTML."""
    return re.sub(r"([\\`*_{}\[\]<>()#+!|~])", r"\\\1", text)


def summary(log: str, validate_status: int, build_status: int | None, changed: list[str], artifact: str) -> str:
    found = problems(log)
    errors = [p for p in found if not p["warning"]]
    warnings = [p for p in found if p["warning"]]
    care = {m["file"]: m for line in log.splitlines() if (m := CARE.match(line))}
    lines = ["## Case checks", ""]
    if validate_status == 0:
        lines.append("**Validation: passed** (`scripts/validate.py`: no errors, no unacknowledged warnings).")
    else:
        lines.append(f"**Validation: failed**: {len(errors)} error(s), {len(warnings)} warning(s). "
                     "Warnings fail as in `.venv/bin/mkdocs build --strict`: fix each one, or acknowledge it in the case's "
                     "`acknowledged:` list with a reason. Each problem is marked on the diff.")
    if build_status is not None:
        lines.append("**Site build (`.venv/bin/mkdocs build --strict`): " + ("passed**." if build_status == 0 else "failed**: see the log of the build step."))
    if found:
        lines += ["", "| file | line | problem |", "| --- | --- | --- |"]
        lines += [f"| `{_md(p['file'])}` | {p['line']} | {'warning: ' if p['warning'] else ''}{_md(p['rest'])} |" for p in found[:50]]
        if len(found) > 50:
            lines.append(f"\n… and {len(found) - 50} more in the log of the validation step.")
    cases = [c for c in changed if c.startswith("cases/") and c.endswith(".yml")]
    lines += ["", "### Changed cases", ""]
    if not cases:
        lines.append("No case file changed.")
    else:
        lines += ["| case | CARE items covered | not covered | page in the preview |", "| --- | --- | --- | --- |"]
        for case in cases:
            slug = Path(case).stem
            c = care.get(case)
            covered = f"{c['covered']}/{c['total']}" if c else "not checked (the file has errors)"
            missing = _md(c["missing"] or "none") if c else ""
            lines.append(f"| `{_md(case)}` | {covered} | {missing} | `cases/{_md(slug)}/index.html` |")
    if build_status == 0:
        lines += ["", "### Read the built site",
                  f"Download the **{artifact}** artifact (bottom of the run's Summary page), unzip it, then serve it "
                  "(search needs HTTP) and open the changed pages:", "",
                  "```sh", f"python3 -m http.server --directory {artifact} 8000", "```", ""]
        lines += [f"- http://127.0.0.1:8000/cases/{Path(c).stem}/" for c in cases]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("annotate", help="GitHub annotations from a validate.py log")
    a.add_argument("log", type=Path)
    s = sub.add_parser("summary", help="the job summary, in Markdown")
    s.add_argument("--validate-log", type=Path, required=True)
    s.add_argument("--validate-status", type=int, required=True)
    s.add_argument("--build-status", type=int, default=None)
    s.add_argument("--artifact", default="site-preview")
    s.add_argument("changed", nargs="*", help="files the pull request adds or changes")
    args = parser.parse_args(argv)
    if args.command == "annotate":
        print("\n".join(annotate(args.log.read_text(encoding="utf-8", errors="replace"))))
        return 0
    log = args.validate_log.read_text(encoding="utf-8", errors="replace") if args.validate_log.exists() else ""
    print(summary(log, args.validate_status, args.build_status, args.changed, args.artifact), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
