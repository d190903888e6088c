"""JSON Schemas of the data files, generated from the models (for editors and for open data).

``scripts/schema.py`` writes them to ``schema/``; a test fails when the committed
files differ from what the models produce, so the two cannot drift apart.
"""

from __future__ import annotations

import json

from .catalog import REFERENCE
from .model import SLUG_RE, Case

SCHEMA_VERSION = "1.0.0"  # bump on any change that breaks readers of the data
BASE = ""  # ids are relative to the schema folder


def schemas() -> dict[str, dict]:
    """File name -> JSON Schema, for a case file and for each reference file."""
    out = {"case.schema.json": _with_header(Case.model_json_schema(by_alias=True), "case.schema.json",
                                            "One case: cases/<slug>.yml")}
    for stem, model in REFERENCE.items():
        entry = model.model_json_schema(by_alias=True)
        defs = entry.pop("$defs", {})
        schema = {
            "type": "object",
            "propertyNames": {"pattern": SLUG_RE} if stem != "glossary" else {"minLength": 1},
            "additionalProperties": entry,
        }
        if defs:
            schema["$defs"] = defs
        out[f"{stem}.schema.json"] = _with_header(schema, f"{stem}.schema.json", f"reference/{stem}.yml: id -> entry")
    return out


def _with_header(schema: dict, name: str, title: str) -> dict:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": BASE + name,
            "title": title, "version": SCHEMA_VERSION, **schema}


def dumps(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
