"""Strict YAML -> plain Python data, with a line number for every value.

PyYAML's loaders guess types (``NO`` -> False, ``1:20`` -> 80, dates), keep the
last of two duplicate keys and expand alias bombs. We take the node tree from
libyaml's composer instead and convert it ourselves: every scalar stays a string
(the models type it), anchors, aliases and tags are refused, and each value
remembers the line it came from so errors can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .yaml_errors import INDENTED_ITEM, explain, quote, split_flow_value

MAX_BYTES = 256 * 1024  # a case file; about ten times the longest case so far
REFERENCE_MAX_BYTES = 8 * 1024 * 1024  # a reference file holds every entry of its kind: room for thousands

Loc = tuple  # a path into the data: ("treatment", 2, "drugs", 0, "drug")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one value of one file."""

    path: str
    line: int
    loc: Loc
    message: str
    warning: bool = False

    def __str__(self) -> str:
        # One problem, one line: a value quoted in a message shows its control characters escaped.
        return _visible(f"{self.path}:{self.line}: {format_loc(self.loc)}: {self.message}")


def _visible(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


@dataclass
class Document:
    """A loaded file: its data, and (worked out only when asked: most files have no problem)
    the line of every value and key in it."""

    path: str
    data: object
    text: str | None = field(default=None, repr=False)  # the source, kept to find lines again
    _lines: dict[Loc, int] | None = field(default=None, repr=False)

    @property
    def lines(self) -> dict[Loc, int]:
        if self._lines is None:
            self._lines = {}
            if self.text is not None:
                _convert(_compose(self.text), (), self, [])
        return self._lines

    def line_of(self, loc: Loc) -> int:
        """Line of ``loc``, or of its nearest ancestor that has one."""
        loc = tuple(loc)
        while loc not in self.lines and loc:
            loc = loc[:-1]
        return self.lines.get(loc, 1)

    def problem(self, loc: Loc, message: str, warning: bool = False) -> Problem:
        return Problem(self.path, self.line_of(loc), tuple(loc), message, warning)


class LoadError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def format_loc(loc: Loc) -> str:
    """("treatment", 2, "drugs", 0) -> "treatment[2].drugs[0]"."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """libyaml's parser and composer where PyYAML has them (about ten times faster than the
    pure-Python ones). Tags are never looked at, so resolving them is skipped."""

    def resolve(self, kind, value, implicit):
        return ""

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass

_FORBIDDEN_TOKENS = {
    yaml.AnchorToken: "YAML anchors (&name) are not allowed; write the value out",
    yaml.AliasToken: "YAML aliases (*name) are not allowed; write the value out",
    yaml.TagToken: "YAML tags (!tag) are not allowed",
}


def load_file(path: Path, display: str | None = None, max_bytes: int = MAX_BYTES) -> Document:
    """Read one YAML file strictly. Raises LoadError listing every problem found."""
    display = display or str(path)
    raw = path.read_bytes()
    doc = Document(display, None)
    if len(raw) > max_bytes:
        raise LoadError([doc.problem((), f"file is {len(raw):,} bytes; the limit is {max_bytes:,}")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise LoadError([Problem(display, line, (), f"not valid UTF-8 (byte 0x{raw[e.start]:02x}); save the file as UTF-8")])
    text = text.removeprefix("\ufeff")
    return load_text(text, display)


def _compose(text: str):
    return yaml.compose(text, Loader=_Loader)


def load_text(text: str, display: str) -> Document:
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines() if "\t" in text else (), 1):
        if "\t" in line:
            problems.append(Problem(display, number, (), "tab character; indent with spaces"))
    if problems:
        raise LoadError(problems)  # YAML's own complaints about tabs would only repeat these
    try:
        if any(c in text for c in "&*!"):  # only then can there be anchors, aliases or tags
            for token in yaml.scan(text, Loader=_Loader):
                for kind, message in _FORBIDDEN_TOKENS.items():
                    if isinstance(token, kind):
                        problems.append(Problem(display, token.start_mark.line + 1, (), message))
            if problems:
                raise LoadError(problems)
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as e:
        line, message = explain(e, text)
        raise LoadError([Problem(display, line, (), f"YAML syntax: {message}")]) from None
    if len(nodes) != 1:
        raise LoadError([Problem(display, 1, (), f"expected exactly one YAML document, found {len(nodes)}")])
    doc = Document(display, None, text)
    try:
        doc.data = _plain(nodes[0])
    except _NeedsDetail:  # a duplicate key, a split value ...: the slow walk finds every one, with its place
        doc.data = _convert(nodes[0], (), doc, problems)
        if problems:
            raise LoadError(problems) from None
    return doc


class _NeedsDetail(Exception):
    pass


_NULLS = frozenset(("", "~", "null", "Null", "NULL"))


def _plain(node):
    """Node tree -> plain data, the fast way (no places kept); see ``_convert`` for the rules.
    Anything that may be a mistake (see ``_suspect``) sends the file to the slow walk."""
    if node.__class__ is ScalarNode:
        if not node.style:
            if node.value in _NULLS:
                return None
            if " - " in node.value and node.start_mark.line != node.end_mark.line:
                raise _NeedsDetail  # perhaps a list item indented too far (see _suspect)
        return node.value
    if node.__class__ is SequenceNode:
        if node.flow_style and any(item.__class__ is not ScalarNode for item in node.value):
            raise _NeedsDetail  # perhaps [a, b: c]
        return [_plain(item) for item in node.value]
    out = {}
    for key_node, value_node in node.value:
        if key_node.__class__ is not ScalarNode or key_node.value in out:
            raise _NeedsDetail
        if node.flow_style and value_node.__class__ is ScalarNode and not value_node.value:
            raise _NeedsDetail  # perhaps {value: 168,000/uL}
        out[key_node.value] = _plain(value_node)
    return out


def _convert(node, loc: Loc, doc: Document, problems: list[Problem]):
    """Node tree -> plain data. Scalars keep their source text (the models type them); the
    node's tag is ignored, which is safe because explicit tags were refused above."""
    if doc._lines is None:
        doc._lines = {}
    lines = doc._lines
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, ScalarNode):
        # An empty or null plain scalar means "no value"; everything else is text.
        if not node.style and node.value in _NULLS:  # plain style: None, or "" from libyaml
            return None
        if not node.style and node.start_mark.line != node.end_mark.line and doc.text:
            continued = doc.text[node.start_mark.index:node.end_mark.index].splitlines()[1:]
            number = next((n for n, line in enumerate(continued, 2) if line.lstrip().startswith("- ")), None)
            if number:  # "- two" folded into the text of the item above it
                problems.append(Problem(doc.path, node.start_mark.line + number, loc, INDENTED_ITEM))
        return node.value
    if isinstance(node, SequenceNode):
        for item in node.value if node.flow_style else ():
            if isinstance(item, MappingNode) and (doc.text or "")[item.start_mark.index:][:1] != "{":
                pair = (doc.text or "")[item.start_mark.index:item.end_mark.index]
                problems.append(Problem(doc.path, item.start_mark.line + 1, loc,
                                        f"a colon and a space inside [...] make '{pair}' a key and value; "
                                        f"put that item in quotes: {quote(pair)}"))
        return [_convert(item, loc + (i,), doc, problems) for i, item in enumerate(node.value)]
    out: dict[str, object] = {}
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        if not isinstance(key_node, ScalarNode):
            problems.append(Problem(doc.path, key_line, loc, "a key must be plain text"))
            continue
        key = key_node.value
        if key in first_line:
            problems.append(Problem(doc.path, key_line, loc + (key,),
                                    f"duplicate key '{key}' (first defined on line {first_line[key]})"))
            continue
        first_line[key] = key_line
        if node.flow_style and (split := split_flow_value(node, key_node, value_node, doc.text or "")):
            problems.append(Problem(doc.path, key_line, loc + (split[0],), split[1]))
        out[key] = _convert(value_node, loc + (key,), doc, problems)
        lines[loc + (key,)] = key_line  # point at the key: a block value starts below it
    return out
