"""YAML mistakes in plain words: what the parser's complaint most likely means, and the fix.

The parser says "mapping values are not allowed in this context"; a contributor needs "the
value of 'title' contains ': '; put it in quotes: title: "Relapse: skin"". ``explain`` reads
the lines around the parser's mark and names the usual causes (indentation, a colon in a
value, text after a closing quote, an unclosed quote or bracket, a character that cannot start
a value). It falls back on the parser's own words when it does not recognise the pattern.
The other helpers catch mistakes that are valid YAML but surely not meant (a comma that
splits a value inside {...}, a list item folded into the text above it).
"""

from __future__ import annotations

import json
import re

import yaml

INDENTED_ITEM = ("this '- ' line is indented further than the list items above it, so it reads as "
                 "more text of the item above; line its '- ' up with the other items")
_KEY = re.compile(r"^(\s*)(?:-\s+)?([^\s#'\"\[\]{}:,-][^#:]*?):(?:\s|$)")  # "  - key:" -> indent, key
_QUOTES = "'\""


def quote(text: str) -> str:
    """``text`` as a double-quoted YAML value (JSON strings are valid YAML)."""
    return json.dumps(text.strip(), ensure_ascii=False)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _previous(lines: list[str], number: int) -> int | None:
    """Index of the nearest line above ``number`` with content (not blank, not a comment)."""
    for i in range(number - 1, -1, -1):
        if lines[i].strip() and not lines[i].lstrip().startswith("#"):
            return i
    return None


def _levels_above(lines: list[str], number: int, most: int = 3) -> list[int]:
    """The nearest line above ``number`` and the lines that open its enclosing blocks."""
    out: list[int] = []
    i = _previous(lines, number)
    while i is not None and len(out) < most:
        if not out or _indent(lines[i]) < _indent(lines[out[-1]]):
            out.append(i)
            if _indent(lines[i]) == 0:
                break
        i = _previous(lines, i)
    return out


def _key_column(line: str) -> int:
    """Column where the key of ``line`` starts ("  - site: x" -> 4)."""
    m = re.match(r"^(\s*(?:-\s+)?)", line)
    return len(m.group(1))


def _spaces(n: int) -> str:
    return f"{n} space{'s' if n != 1 else ''}"


def explain(e: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
    """(1-based line, message) for a parser error in ``text``."""
    lines = text.splitlines() or [""]
    mark = e.problem_mark or e.context_mark
    n, col = (min(mark.line, len(lines) - 1), mark.column) if mark else (0, 0)
    here = lines[n] if n < len(lines) else ""
    ctx = e.context_mark
    context, problem = e.context or "", e.problem or ""
    key = _KEY.match(here)

    if "mapping values are not allowed" in problem:
        first_colon = here.find(":")
        if key and col > first_colon:  # "title: Relapse: skin" -> a second ': ' in the value
            value = here[key.end():].strip()
            return n + 1, (f"the value of '{key.group(2)}' contains a colon followed by a space or the end of "
                           f"the line, which YAML reads as another key; put the whole value in quotes: "
                           f"{key.group(2)}: {quote(value)}")
        p = _previous(lines, n)
        if p is not None:
            above = lines[p]
            squashed = re.match(r"^\s*(?:-\s+)?([\w-]+):(\S.*)$", above)
            if squashed:  # "title:Relapse" on the line above
                return p + 1, (f"a key needs a space after its colon: write '{squashed.group(1)}: "
                               f"{squashed.group(2)}'")
            if _indent(here) > _key_column(above):
                return n + 1, (f"this line is indented more than line {p + 1}, so it reads as more of that "
                               f"line's value; indent it like the keys it belongs with "
                               f"({_spaces(_key_column(above))} to line up with line {p + 1})")
        return n + 1, "a 'key:' where YAML did not expect one: check the indentation of this line and the line above"

    if "could not find expected ':'" in problem and ctx is not None:
        line = lines[min(ctx.line, len(lines) - 1)]
        squashed = re.match(r"^\s*(?:-\s+)?([\w-]+):(\S.*)$", line)
        if squashed:
            return ctx.line + 1, f"a key needs a space after its colon: write '{squashed.group(1)}: {squashed.group(2)}'"
        return ctx.line + 1, "this line has no 'key: value' (a colon and a space); text that goes on from the line above must be indented under its key"

    if "did not find expected key" in problem or "did not find expected '-' indicator" in problem:
        before = here[:col].rstrip()
        rest = here[col:].strip()
        if before and before[-1] in _QUOTES and rest and not rest.startswith("#") and key:
            value = here[key.end():].strip()
            q = value[:1]
            inner = value[1:-1] if value.endswith(q) and len(value) > 1 else value[1:]
            if q == "'" and col and here[col - 1] == "'" and here[col:col + 1].isalnum():  # Patient's
                return n + 1, (f"inside '...', an apostrophe ends the value; use double quotes around text with an "
                               f"apostrophe: {key.group(2)}: {quote(inner)}")
            return n + 1, (f"text after the closing quote: quote the whole value, or none of it: "
                           f"{key.group(2)}: {quote(value)}")
        stripped = here.lstrip()
        if stripped.startswith(":"):
            return n + 1, "the line starts with ':'; the key before the colon is missing"
        block = lines[ctx.line] if ctx is not None and ctx.line < len(lines) else ""
        if "'-' indicator" in problem and ctx is not None:
            item_col = _key_column(block)
            return n + 1, (f"this line is lined up with the '- ' of the list that starts on line {ctx.line + 1}, so "
                           f"YAML expects another '- ' item here; to add it to the item above, indent it "
                           f"{_spaces(item_col)}, like that item's other keys")
        if stripped.startswith("- ") and ctx is not None and _indent(here) == ctx.column:
            return n + 1, (f"a list item ('- ') among the keys of the block that starts on line {ctx.line + 1}; "
                           f"a list goes under its own key, indented below it")
        if ctx is not None:
            levels = ", ".join(f"line {i + 1} after {_spaces(_indent(lines[i]))}" for i in _levels_above(lines, n))
            return n + 1, (f"bad indentation: this line starts after {_spaces(_indent(here))}, which lines up with "
                           f"no block above it ({levels}); keys of one block, and the '- ' of one list, must "
                           f"start in the same column; indent with spaces, two per level")

    if "quoted scalar" in context and ctx is not None:
        q = text[ctx.index] if ctx.index < len(text) else '"'
        if "unknown escape" in problem:
            return n + 1, ("inside \"...\", a backslash starts an escape such as \\n; write \\\\ for a "
                           "backslash, or use single quotes around the value")
        return ctx.line + 1, (f"the quote {q} that opens this value is never closed; end the value with {q}"
                              + (" (an apostrophe inside '...' ends it: use double quotes around such text)"
                                 if q == "'" else ""))

    if ("flow sequence" in context or "flow mapping" in context) and ctx is not None:
        opening, closing, what = ("[", "]", "list") if "sequence" in context else ("{", "}", "mapping")
        if mark and mark.line > ctx.line:
            return ctx.line + 1, (f"the {opening}...{closing} {what} opened on this line is not closed: end it with "
                                  f"'{closing}' on this line, or quote an item that contains {opening}, {closing} or ' #'")
        example = '[PET-CT, "biopsy: skin"]' if opening == "[" else '{name: PLT, value: "168,000/μL"}'
        return n + 1, (f"inside {opening}...{closing}, YAML stopped at '{here[col:col + 12].rstrip()}': quote an item "
                       f"that contains a comma, a colon and a space, [ ] or {{ }}, e.g. {example}")

    if ("cannot start any token" in problem or "while scanning an alias" in context
            or "while scanning an anchor" in context):
        start = ctx if ("alias" in context or "anchor" in context) and ctx is not None else mark
        ch = text[start.index] if start and start.index < len(text) else here[col:col + 1]
        if key:
            return n + 1, (f"a value cannot start with '{ch}'; put the whole value in quotes: "
                           f"{key.group(2)}: {quote(here[key.end():])}")
        return n + 1, f"a value cannot start with '{ch}'; put the whole value in quotes"

    if "while scanning a block scalar" in context:
        return n + 1, ("after '|' or '>' only '-' or '+' may follow on the line; write the text on the next "
                       "lines, indented, or put the value in quotes")

    words = " ".join(x for x in (context, problem) if x)
    return n + 1, f"{words} (check the indentation and the quoting of this line and the line above)"


def split_flow_value(mapping, key_node, value_node, text: str) -> tuple[str, str] | None:
    """In ``{name: PLT, value: 168,000/μL}`` the comma makes '000/μL' a key with no value:
    (the field whose value was split, message), or None when the pair is fine."""
    if value_node.value or not isinstance(value_node, yaml.ScalarNode) or value_node.style:
        return None
    after = text[key_node.end_mark.index:].lstrip(" ")
    if after.startswith(":"):
        return None  # "{a: , ...}": written as a key with an empty value
    pairs = mapping.value
    i = next(i for i, (k, _) in enumerate(pairs) if k is key_node)
    if i == 0:
        return key_node.value, f"'{key_node.value}' inside {{...}} has no 'key: ' before it; write key: value, quoted if it holds a comma"
    prev_key, prev_value = pairs[i - 1]
    whole = text[prev_value.start_mark.index:key_node.end_mark.index]
    return prev_key.value, (f"a comma inside {{...}} splits the value of '{prev_key.value}' in two ('{prev_value.value}' and "
            f"'{key_node.value}'); put the value in quotes: {prev_key.value}: {quote(whole)}")
