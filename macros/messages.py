"""What a contributor reads when a value is wrong: pydantic's errors, in our words.

One table keyed by pydantic's error type; no raw pydantic text reaches a contributor
(an error type missing here gets a generic sentence, and a test walks the table).
"""

from __future__ import annotations

import re
import typing

from pydantic import BaseModel

from .model import SLUG_RE, RuleError
from .suggest_words import did_you_mean


def _shape(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"'{value}'" if value is not None else "nothing"


_PATTERNS = {
    SLUG_RE: "a slug: lower-case letters, digits and hyphens",
    r"^10\.\d{4,9}/\S+$": "a DOI such as 10.1186/s12885-018-5026-x",
    r"^\d{1,9}$": "digits only",
    r"^PMC\d+$": "PMC followed by digits",
    r"^20\d\d-(0[1-9]|1[0-2])$": "a month as YYYY-MM, e.g. 2026-11",
    r"^(deid|care|quiz|glossary):[a-z-]+$": "a check code such as deid:name, care:patient-perspective, quiz:length-cue or glossary:abbreviation",
}


def _choices(err) -> list[str]:
    return re.findall(r"'([^']*)'", err.get("ctx", {}).get("expected", ""))


def _extra(err, model, loc):
    name = loc[-1]
    return f"unknown field '{name}'" + did_you_mean(str(name), _fields_at(model, loc[:-1]))


def _choice(err, model, loc):
    allowed = _choices(err)
    return f"'{err.get('input')}' is not one of: {', '.join(allowed)}" + did_you_mean(str(err.get("input")), allowed)


def _number_bound(err, model, loc):
    ctx = err.get("ctx", {})
    bound = next((f"{word} {ctx[key]}" for key, word in (("ge", "at least"), ("gt", "more than"),
                                                          ("le", "at most"), ("lt", "less than")) if key in ctx), "")
    return f"'{err.get('input')}' is out of range: must be {bound}"


MESSAGES: dict[str, typing.Callable[[dict, type, tuple], str]] = {
    "missing": lambda e, m, l: "required field is missing",
    "extra_forbidden": _extra,
    "int_parsing": lambda e, m, l: f"'{e.get('input')}' is not a whole number",
    "int_from_float": lambda e, m, l: f"'{e.get('input')}' is not a whole number",
    "float_parsing": lambda e, m, l: f"'{e.get('input')}' is not a number",
    "finite_number": lambda e, m, l: f"'{e.get('input')}' is not a finite number",
    "bool_parsing": lambda e, m, l: f"'{e.get('input')}' is not true or false",
    "enum": _choice,
    "literal_error": _choice,
    "string_pattern_mismatch": lambda e, m, l: f"'{e.get('input')}' is not in the expected form "
                                               f"({_PATTERNS.get(e.get('ctx', {}).get('pattern', ''), 'see the schema')})",
    "string_type": lambda e, m, l: f"expected a single value, found {_shape(e.get('input'))}" + (
        "; if this is text with ': ' in it, put the whole text in quotes"
        if isinstance(e.get("input"), dict) and len(e["input"]) == 1 else ""),
    "int_type": lambda e, m, l: f"expected a whole number, found {_shape(e.get('input'))}",
    "float_type": lambda e, m, l: f"expected a number, found {_shape(e.get('input'))}",
    "bool_type": lambda e, m, l: f"expected true or false, found {_shape(e.get('input'))}",
    "list_type": lambda e, m, l: f"expected a list, found {_shape(e.get('input'))}",
    "tuple_type": lambda e, m, l: f"expected a list, found {_shape(e.get('input'))}",
    "model_type": lambda e, m, l: f"expected a mapping of field: value, found {_shape(e.get('input'))}",
    "dict_type": lambda e, m, l: f"expected a mapping of field: value, found {_shape(e.get('input'))}",
    "model_attributes_type": lambda e, m, l: f"expected a mapping of field: value, found {_shape(e.get('input'))}",
    "too_short": lambda e, m, l: f"needs at least {e['ctx'].get('min_length')} item(s)",
    "too_long": lambda e, m, l: f"has more than {e['ctx'].get('max_length')} items",
    "string_too_short": lambda e, m, l: "must not be empty",
    "string_too_long": lambda e, m, l: f"is too long: at most {e['ctx'].get('max_length')} characters",
    "greater_than_equal": _number_bound,
    "greater_than": _number_bound,
    "less_than_equal": _number_bound,
    "less_than": _number_bound,
    "value_error": lambda e, m, l: str(e["ctx"]["error"]),
}
_EMPTY = ("int_parsing", "float_parsing", "bool_parsing", "string_type", "int_type", "float_type", "bool_type",
          "enum", "literal_error", "model_type", "dict_type", "list_type", "tuple_type", "model_attributes_type")


def messages(err: dict, model: type[BaseModel]) -> list[tuple[tuple, str]]:
    """(loc inside the validated data, message) for one pydantic error: several for a rule's list."""
    loc = tuple(err["loc"])
    error = err.get("ctx", {}).get("error")
    if isinstance(error, RuleError):
        return [(loc + sub, message) for sub, message in error.problems]
    if err.get("input") is None and err["type"] in _EMPTY:
        return [(loc, "is empty; a value is required")]  # `field:` with nothing after it
    wording = MESSAGES.get(err["type"])
    return [(loc, wording(err, model, loc) if wording else f"is not valid here ({err['type'].replace('_', ' ')})")]


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names (with aliases) of the model found at ``loc`` inside ``model``."""
    current = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part) or next(
            (f for f in current.model_fields.values() if f.alias == part), None)
        if info is None:
            return []
        current = _inner_model(info.annotation)
        if current is None:
            return []
    return [f.alias or name for name, f in current.model_fields.items()]


def _inner_model(annotation):
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found:
            return found
    return None
