"""The JSON Schemas for editors: current, ids listed with names, marks only where a value is needed.

An editor's view is simulated by a small JSON Schema checker (the keywords our generated
schemas use) over the YAML as an editor parses it (``yaml.safe_load``: 2021 is a number,
a blank is null).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import yaml

from conftest import ROOT, SAMPLE_CASE
from macros.checking import CASE_REFS
from macros.kinds import BY_KEY
from macros.load import load_file
from macros.schema import dumps, reference_ids, schemas
from test_contributing import CITATION, new_case


def check(schema: dict, value, root: dict | None = None, path: tuple = ()) -> list[tuple[tuple, str]]:
    """(path, problem) for every place ``value`` breaks ``schema`` (the keywords we generate)."""
    root = root or schema
    if "$ref" in schema:
        schema = {**root["$defs"][schema["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in schema.items() if k != "$ref"}}
    if "anyOf" in schema:
        results = [check(branch, value, root, path) for branch in schema["anyOf"]]
        if any(not r for r in results):
            return []
        # like an editor, report the problems of the branch that came closest (deepest marks)
        return max(results, key=lambda r: (min(len(p) for p, _ in r), -len(r)))
    kinds = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "null": type(None),
             "array": list, "object": dict}
    if "type" in schema:
        wanted = kinds[schema["type"]]
        if not isinstance(value, wanted) or (schema["type"] in ("integer", "number") and isinstance(value, bool)):
            return [(path, f"expected {schema['type']}, found {type(value).__name__}")]
    found = []
    if "enum" in schema and value not in schema["enum"]:
        found.append((path, f"{value!r} is not one of the listed values"))
    if "const" in schema and value != schema["const"]:
        found.append((path, f"{value!r} is not {schema['const']!r}"))
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            found.append((path, "does not match the pattern"))
        if len(value) < schema.get("minLength", 0):
            found.append((path, "too short"))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < schema.get("minimum", float("-inf")) or value > schema.get("maximum", float("inf")):
            found.append((path, "out of range"))
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", 10**9):
            found.append((path, "wrong number of items"))
        for i, item in enumerate(value):
            if i < len(schema.get("prefixItems", [])):
                found += check(schema["prefixItems"][i], item, root, path + (i,))
            elif isinstance(schema.get("items"), dict):
                found += check(schema["items"], item, root, path + (i,))
    if isinstance(value, dict):
        props = schema.get("properties", {})
        found += [(path + (k,), "required field is missing") for k in schema.get("required", []) if k not in value]
        for key, item in value.items():
            if key in props:
                found += check(props[key], item, root, path + (key,))
            elif schema.get("additionalProperties") is False:
                found.append((path + (key,), "unknown field"))
            elif isinstance(schema.get("additionalProperties"), dict):
                found += check(schema["additionalProperties"], item, root, path + (key,))
    return found


def test_committed_schemas_are_the_generated_ones():
    for name, schema in schemas().items():
        assert (ROOT / "schema" / name).read_text(encoding="utf-8") == dumps(schema), \
            f"schema/{name} is out of date: run .venv/bin/python scripts/schema.py"
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "schema.py"), "--check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_every_id_field_lists_the_reference_ids_with_their_names():
    case = json.loads((ROOT / "schema" / "case.schema.json").read_text(encoding="utf-8"))
    ids = reference_ids()
    enums = []

    def collect(node):
        if isinstance(node, dict):
            if "enum" in node and "markdownEnumDescriptions" in node:
                enums.append(node)
            for v in node.values():
                collect(v)
        elif isinstance(node, list):
            for v in node:
                collect(v)

    collect(case)
    for kind in {what for _, what in CASE_REFS}:
        table = ids[kind]
        assert table, f"no {kind} ids in reference/{BY_KEY[kind].folder}.yml"
        matching = [e for e in enums if e["enum"] == list(table)]
        assert matching, f"no enum of {kind} ids in case.schema.json"
        for e in matching:
            assert len(e["enumDescriptions"]) == len(e["enum"]) == len(e["markdownEnumDescriptions"])
    # each use of an id (CASE_REFS) is checked: a real case passes, a wrong id is flagged there
    sample = yaml.safe_load(SAMPLE_CASE.read_text(encoding="utf-8"))
    assert check(case, sample) == []
    drug_use = sample["treatment"][0]
    wrong = json.loads(json.dumps(sample))
    wrong["em_sites"][0]["site"] = "inotuzamab"
    assert check(case, wrong) == [(("em_sites", 0, "site"), "'inotuzamab' is not one of the listed values")]
    assert drug_use  # the sample has treatment


def test_hover_text_for_every_field():
    case = json.loads((ROOT / "schema" / "case.schema.json").read_text(encoding="utf-8"))
    for model in [case, *case["$defs"].values()]:
        for name, prop in model.get("properties", {}).items():
            assert prop.get("description") and prop.get("markdownDescription"), f"{model.get('title')}.{name} has no hover text"
    assert "2–4 learning objectives" in case["properties"]["objectives"]["description"]
    assert "age 0–89 (ages over 89 not shown)" in case["$defs"]["Patient"]["properties"]["age"]["description"]


def test_a_fresh_scaffold_is_marked_only_where_a_value_is_required(empty_project):
    assert new_case(empty_project, *CITATION).returncode == 0
    path = empty_project / "cases" / "smith-2021-case-1-orbit.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    case = json.loads((ROOT / "schema" / "case.schema.json").read_text(encoding="utf-8"))
    marks = check(case, data)
    assert marks
    doc = load_file(path)
    for where, problem in marks:
        line = lines[doc.line_of(where) - 1]  # the marked field's line: its comment must say required
        assert "# required" in line, f"{where}: {problem}, but the field is optional: {line!r}"
