"""JSON Schemas of the data files, generated from the models and the reference data (for
editors and for open data).

``scripts/schema.py`` writes them to ``schema/``; a test fails when the committed files differ
from what this produces, so they cannot drift apart. Editors (VS Code with Red Hat's YAML
extension, through the ``# yaml-language-server: $schema=`` line at the top of each file) use
them to complete and check as you type:

- every field shows its description on hover (from the models' Field descriptions);
- every id field (a drug, regimen, antigen or site used by a case, or named in another
  reference entry) lists the valid ids, each with its name on hover, so the editor completes
  them and marks an id that does not exist. The ids come from reference/*.yml, so the schemas
  are regenerated when an entry is added (``scripts/schema.py``; a test checks they are current);
- a field left blank is marked only where a value is required: optional fields accept null.
"""

from __future__ import annotations

import copy
import json
import typing
from pathlib import Path

from pydantic import BaseModel

from .checking import CASE_REFS, REFERENCE_REFS
from .field_help import help_for
from .kinds import KINDS
from .load import LoadError, load_file
from .model import SLUG_RE, Case

SCHEMA_VERSION = "1.0.0"  # bump on any change that breaks readers of the data
BASE = ""  # ids are relative to the schema folder
ROOT = Path(__file__).resolve().parent.parent
NAME_FIELDS = ("name", "expansion")
OTHER_NAMES = ("abbreviations", "brand_names", "aliases")


def reference_ids(root: Path = ROOT) -> dict[str, dict[str, str]]:
    """kind key ("drug") -> {id: hover text}, read from reference/*.yml (unvalidated: the
    schema should list what is there even while one entry has a problem)."""
    out: dict[str, dict[str, str]] = {}
    for kind in KINDS:
        try:
            data = load_file(root / "reference" / f"{kind.folder}.yml", f"reference/{kind.folder}.yml").data
        except (LoadError, OSError):
            data = None
        entries = {}
        for entry_id, entry in (data if isinstance(data, dict) else {}).items():
            entry = entry if isinstance(entry, dict) else {}
            name = next((entry[f] for f in NAME_FIELDS if isinstance(entry.get(f), str)), entry_id)
            others = [o for f in OTHER_NAMES for o in (entry.get(f) or []) if isinstance(o, str)]
            entries[entry_id] = name + (f" (also: {', '.join(others)})" if others else "")
        out[kind.key] = entries
    return out


def schemas(root: Path = ROOT) -> dict[str, dict]:
    """File name -> JSON Schema, for a case file and for each reference file."""
    ids = reference_ids(root)
    case = Case.model_json_schema(by_alias=True)
    for pattern, what in CASE_REFS:
        _set_ids(case, case, pattern, what, ids)
    _describe(case, Case)
    _optional_accepts_null(case)
    _markdown(case)
    out = {"case.schema.json": _with_header(case, "case.schema.json", "One case: cases/<slug>.yml")}
    for kind in KINDS:
        entry = kind.model.model_json_schema(by_alias=True)
        defs = entry.pop("$defs", {})
        schema = {
            "type": "object",
            "propertyNames": {"pattern": SLUG_RE} if kind.folder != "glossary" else {"minLength": 1},
            "additionalProperties": entry,
        }
        if defs:
            schema["$defs"] = defs
        for pattern, what in REFERENCE_REFS.get(kind.folder, []):
            _set_ids(schema, schema, pattern, what, ids)
        _optional_accepts_null(schema)
        _markdown(schema)
        out[f"{kind.folder}.schema.json"] = _with_header(schema, f"{kind.folder}.schema.json",
                                                         f"reference/{kind.folder}.yml: id -> entry")
    return out


def _id_schema(what: str, ids: dict[str, dict[str, str]]) -> dict:
    table = ids.get(what, {})
    return {
        "type": "string",
        "enum": list(table),
        "enumDescriptions": list(table.values()),
        "markdownEnumDescriptions": [f"**{i}**: {text}" for i, text in table.items()],
    }


def _resolve(root: dict, node: dict) -> dict:
    """Follow a local $ref ("#/$defs/Name") to the schema it names."""
    while "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _branches(root: dict, node: dict) -> list[dict]:
    """The schemas a value may match: the node itself, or each non-null branch of an anyOf."""
    node = _resolve(root, node)
    if "anyOf" in node:
        return [_resolve(root, b) for b in node["anyOf"] if b.get("type") != "null"]
    return [node]


def _set_ids(root: dict, node: dict, pattern: tuple, what: str, ids: dict) -> None:
    """Replace the string schema at ``pattern`` ("*" = every item / every key) by the ids of ``what``."""
    head, rest = pattern[0], pattern[1:]
    for branch in _branches(root, node):
        if head == "*":
            children = [branch[k] for k in ("items", "additionalProperties") if isinstance(branch.get(k), dict)]
        else:
            children = [branch["properties"][head]] if head in branch.get("properties", {}) else []
        for child in children:
            if rest:
                _set_ids(root, child, rest, what, ids)
            else:
                _replace_string(root, child, _id_schema(what, ids))


def _replace_string(root: dict, node: dict, new: dict) -> None:
    """Put ``new`` where ``node`` (or its string branch) accepts a string; keep title and description."""
    target = node
    if "anyOf" in node:
        target = next((b for b in node["anyOf"] if b.get("type") == "string"), None)
        if target is None:
            return
    for key in ("pattern", "minLength", "maxLength", "type"):
        target.pop(key, None)
    target.update(copy.deepcopy(new))


def _models(model: type[BaseModel], seen: dict | None = None) -> dict[str, type[BaseModel]]:
    """Every model reachable from ``model``, by class name (pydantic's $defs keys)."""
    seen = {} if seen is None else seen
    seen[model.__name__] = model
    for info in model.model_fields.values():
        for sub in _inner_models(info.annotation):
            if sub.__name__ not in seen:
                _models(sub, seen)
    return seen


def _inner_models(annotation) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _inner_models(arg)]


def _describe(schema: dict, root: type[BaseModel]) -> None:
    """Hover text for every field: what to write (field_help), the same words the scaffold uses."""
    for name, model in _models(root).items():
        target = schema if model is root else schema.get("$defs", {}).get(name)
        for field, info in model.model_fields.items() if target else ():
            prop = target.get("properties", {}).get(info.alias or field)
            if prop is not None:
                prop["description"] = help_for(model, field)


def _optional_accepts_null(schema: dict) -> None:
    """A blank optional field (``month:`` in a fresh scaffold) is null: accept it, so an editor
    marks only the blanks that need a value. Lists default to []; blank means the same."""
    for model in [schema, *schema.get("$defs", {}).values(), schema.get("additionalProperties") or {}]:
        required = set(model.get("required", []))
        for name, prop in model.get("properties", {}).items():
            if name in required or "anyOf" in prop and any(b.get("type") == "null" for b in prop["anyOf"]):
                continue
            if prop.get("type") == "null":
                continue
            inner = {k: v for k, v in prop.items() if k not in ("title", "description", "default")}
            for key in inner:
                prop.pop(key)
            prop["anyOf"] = [inner, {"type": "null"}]


def _markdown(schema) -> None:
    """Hover text: the Field description, and the field's title when it has none."""
    if isinstance(schema, dict):
        for name, prop in (schema.get("properties") or {}).items():
            if isinstance(prop, dict) and "description" in prop:
                prop.setdefault("markdownDescription", f"**{name}**: {prop['description']}")
        for value in schema.values():
            _markdown(value)
    elif isinstance(schema, list):
        for value in schema:
            _markdown(value)


def _with_header(schema: dict, name: str, title: str) -> dict:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": BASE + name,
            "title": title, "version": SCHEMA_VERSION, **schema}


def dumps(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
