#!/usr/bin/env python3
"""Start a new case: write cases/<slug>.yml with every field listed and explained.

    .venv/bin/python scripts/new_case.py --slug smith-2021-case-1-orbit --case-label "Case 1" \\
        --kind "journal article" --licence "CC BY 4.0" --doi 10.1000/xyz123

Run in a terminal, it asks for what is missing. The skeleton is generated from the Case model
(every field, in order, each with a comment from macros/field_help.py), so a field added to
the model appears here by itself. Required fields are left blank, so
`.venv/bin/python scripts/validate.py cases/<slug>.yml` lists each one until it is filled in.
"""

from __future__ import annotations

import argparse
import enum
import json
import re
import sys
import types
import typing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable without installing the package

from pydantic import BaseModel, ValidationError  # noqa: E402
from pydantic_core import PydanticUndefined  # noqa: E402

from macros import model  # noqa: E402
from macros.field_help import help_for  # noqa: E402


KINDS = typing.get_args(model.Source.model_fields["kind"].annotation)
# (option = Source field it fills, help and prompt, required, hint shown when the value is wrong)
OPTIONS = [
    ("slug", "slug: file name and web address", True, "use lower-case letters, digits and hyphens, e.g. smith-2021-case-1"),
    ("title", "title of the paper, as printed", False, None),
    ("authors", 'authors as printed, separated by ";", e.g. "Smith AB; Jones C"', False, None),
    ("journal", "journal, as printed", False, None),
    ("year", "year of publication", False, None),
    ("doi", "DOI, e.g. 10.1186/s12885-018-5026-x", False, "a DOI looks like 10.1186/s12885-018-5026-x (no https://doi.org/)"),
    ("pmid", "PMID, digits only", False, "a PMID is digits only, e.g. 30442119"),
    ("pmcid", "PMCID, e.g. PMC6238377", False, "a PMCID is PMC followed by digits, e.g. PMC6238377"),
    ("case_label", "which case of the paper this is, e.g. Case 1", True, None),
    ("kind", f"kind of source: {' | '.join(KINDS)}", True, None),
    ("licence", "the source's licence, e.g. CC BY 4.0, or: not stated in the source", True, None),
]
VALIDATE = ".venv/bin/python scripts/validate.py"
SERVE = ".venv/bin/mkdocs serve"

HEADER = """\
# yaml-language-server: $schema=../schema/case.schema.json
# New case '{slug}': fill in every blank "required" field (guide: CONTRIBUTING.md), then check it with
#     {validate} cases/{slug}.yml
# and read it in the browser with `{serve}`.
# Optional fields may stay blank ([] for lists); delete an example list item you do not need. Own
# words, facts only from the source, months from diagnosis (a calendar year at most), no names,
# initials, exact dates or institutions. Long text: write >- after the colon, text indented below.
"""
COMMENT_AT = 20  # column where comments start, when the field is shorter


# ------------------------------------------------------ the model, walked


def _unwrap(annotation):
    """Optional[X] -> X; list[X] -> (X, True)."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        annotation = args[0]
    if typing.get_origin(annotation) is list:
        return typing.get_args(annotation)[0], True
    return annotation, False


def _model(annotation) -> type[BaseModel] | None:
    inner, _ = _unwrap(annotation)
    return inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None


def choices(annotation) -> list[str]:
    inner, _ = _unwrap(annotation)
    if typing.get_origin(inner) is typing.Annotated:
        inner = typing.get_args(inner)[0]
    if isinstance(inner, type) and issubclass(inner, enum.Enum):
        return [member.value for member in inner]
    if typing.get_origin(inner) is typing.Literal:
        return list(typing.get_args(inner))
    return []


def required(info) -> bool:
    return info.is_required() or any(getattr(meta, "min_length", 0) for meta in info.metadata)


def _min_items(info) -> int:
    return max([getattr(meta, "min_length", 0) or 0 for meta in info.metadata] + [1])


def _line(indent: str, key: str, value: str, comment: str) -> str:
    head = f"{indent}{key}:" + (f" {value}" if value else "")
    return f"{head.ljust(COMMENT_AT - 1)} # {comment}"


def _comment(owner: type[BaseModel], name: str, info) -> str:
    text = help_for(owner, name)
    listed = choices(info.annotation)
    if listed and not all(c in text for c in listed):
        text = f"{text}: {' | '.join(listed)}" if text not in ("one of the values listed", "text") else " | ".join(listed)
    sub, is_list = _model(info.annotation), _unwrap(info.annotation)[1]
    if sub and is_list and not required(info):
        text += "; delete the example item and write [] if none"
    if required(info):
        return f"required: {text}"
    default = info.get_default()
    if default not in (None, [], PydanticUndefined) and not sub:
        shown = default.value if isinstance(default, enum.Enum) else str(default).lower() if isinstance(default, bool) else default
        return f"optional (default {shown}): {text}"
    return f"optional: {text}"


def _value(owner: type[BaseModel], name: str, info, filled: dict, item: int) -> str:
    if owner is model.Source and name in filled:
        return filled[name]
    if owner is model.Option and name == "correct":
        return "true" if item == 0 else "false"  # one correct option per question, as the rule says
    inner, is_list = _unwrap(info.annotation)
    if is_list:
        return "[]"
    default = info.get_default()
    if isinstance(default, enum.Enum):
        return default.value
    if isinstance(default, bool):
        return str(default).lower()
    return ""


def scaffold_lines(owner: type[BaseModel], indent: str, filled: dict, item: int = 0) -> list[str]:
    """Every field of ``owner``, in order, with a comment; nested models with one example item
    (or as many as the model requires at least, e.g. two questions an objective)."""
    out = []
    for name, info in owner.model_fields.items():
        key = info.alias or name
        sub = _model(info.annotation)
        comment = _comment(owner, name, info)
        if sub is None:
            out.append(_line(indent, key, _value(owner, name, info, filled, item), comment))
            continue
        if not _unwrap(info.annotation)[1] and indent and not required(info):
            # A rare optional part inside an item (a response's other reading): shown, but
            # commented out, so that left alone it is simply absent.
            out.append(_line(indent, key, "", f"{comment}; to give it, delete the '# ' before the lines below"))
            out += [f"{indent}  # {line[len(indent) + 2:]}" for line in scaffold_lines(sub, indent + "  ", filled)]
            continue
        out.append(_line(indent, key, "", comment))
        if not _unwrap(info.annotation)[1]:
            out += scaffold_lines(sub, indent + "  ", filled)
            continue
        for number in range(_min_items(info)):
            lines = scaffold_lines(sub, indent + "    ", filled, number)
            first = lines[0][len(indent) + 4:]
            out.append(_line(indent + "  - ", *_split(first)) if " # " in first else f"{indent}  - {first}")
            out += lines[1:]
    return out


def _split(line: str) -> tuple[str, str, str]:
    """'key: value   # comment' -> (key, value, comment)."""
    head, comment = line.split(" # ", 1)
    key, _, value = head.partition(":")
    return key, value.strip(), comment


def split_authors(text: str | None) -> list[str]:
    return [a.strip() for a in (text or "").split(";") if a.strip()]


def render(v: dict) -> str:
    """The commented skeleton, with the citation as YAML double-quoted strings."""
    filled = {k: json.dumps(x, ensure_ascii=False) for k, x in v.items() if x and k != "slug"}
    if v.get("year"):
        filled["year"] = v["year"]
    filled["authors"] = "[" + ", ".join(json.dumps(a, ensure_ascii=False) for a in split_authors(v.get("authors"))) + "]"
    lines = []
    for line in scaffold_lines(model.Case, "", filled):
        if not line.startswith(" ") and lines:
            lines.append("")  # a blank line between top-level sections
        lines.append(line)
    return HEADER.format(slug=v["slug"], validate=VALIDATE, serve=SERVE) + "\n" + "\n".join(lines) + "\n"


def check(name: str, value: str) -> str | None:
    """Why ``value`` will not do for option ``name``; None when it is fine."""
    hint = next(h for n, _, _, h in OPTIONS if n == name)
    if name == "slug":
        return None if re.match(model.SLUG_RE, value) else f"--slug: '{value}' is not a slug: {hint}"
    data = {"case_label": "x", "kind": KINDS[0], "licence": "x"}  # stand-ins for the other required fields
    data[name] = split_authors(value) if name == "authors" else value
    try:
        model.Source.model_validate(data)  # the model's own rules, so the same patterns as validate.py
    except ValidationError as e:
        message = hint or e.errors()[0]["msg"].removeprefix("Value error, ")
        return f"--{name.replace('_', '-')}: '{value}' is not valid: {message}"
    return None


def ask(name: str, prompt: str, required: bool) -> str | None:
    while True:
        value = input(f"{prompt[0].upper()}{prompt[1:]}{'' if required else ' (optional, Enter to skip)'}: ").strip()
        if not value and not required:
            return None
        problem = check(name, value) if value else "this one is required"
        if problem is None:
            return value
        print(f"  {problem}")


def fail(messages: list[str], code: int) -> int:
    for message in messages:
        print(f"new_case.py: error: {message}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=(
        "Required: --slug, --case-label, --kind, --licence; in a terminal you are asked for missing values."))
    for name, prompt, _, _ in OPTIONS:
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name, metavar="TEXT", help=prompt)
    parser.add_argument("--root", type=Path, default=ROOT, help="project folder (default: this checkout)")
    args = vars(parser.parse_args(argv))
    values = {name: (args[name] or "").strip() or None for name, *_ in OPTIONS}

    if problems := [p for name, value in values.items() if value and (p := check(name, value))]:
        return fail(problems, 2)
    missing = [name for name, _, required, _ in OPTIONS if required and not values[name]]
    if missing and not sys.stdin.isatty():
        flags = ", ".join("--" + n.replace("_", "-") for n in missing)
        return fail([f"missing required value(s): {flags} (give them as options, or run in a terminal to be asked)"], 2)
    if missing:
        print("A new case. Give the source's details (Ctrl-C to stop).")
        try:
            for name, prompt, required, _ in OPTIONS:
                values[name] = values[name] or ask(name, prompt, required)
        except (KeyboardInterrupt, EOFError):
            return fail(["stopped; nothing was written"], 1)

    root = args["root"].resolve()
    if not (root / "cases").is_dir():
        return fail([f"{root} has no cases/ folder: run this in the repository, or give --root"], 1)
    rel = f"cases/{values['slug']}.yml"
    try:
        with (root / rel).open("x", encoding="utf-8", newline="\n") as f:  # "x": never overwrite
            f.write(render(values))
    except FileExistsError:
        return fail([f"{rel} already exists; not overwriting it. Edit that file, or choose another --slug."], 1)
    print(f"""Wrote {rel}. Next:
  1. Fill it in from the source, in your own words (CONTRIBUTING.md explains every field).
  2. Check it:    {VALIDATE} {rel}
  3. Preview it:  {SERVE}   then open http://127.0.0.1:8000/cases/{values['slug']}/""")
    return 0


if __name__ == "__main__":
    sys.exit(main())
