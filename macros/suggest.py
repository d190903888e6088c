"""'Did you mean': the reference id a mistyped or differently-named id most likely means.

A contributor writes what the paper prints: ``IO``, ``Besponsa``, ``CD19+``, ``inotuzamab``.
Comparing that with the ids alone gets most of these wrong (``inotuzamab`` is nearer to
``blinatumomab`` than to ``inotuzumab-ozogamicin`` as a whole string), so every entry is
matched through all its names: id, name, abbreviations, brand names, aliases, and the single
words of each (``inotuzumab`` of ``inotuzumab-ozogamicin``).

1. An exact match, ignoring case and punctuation (``CD19+`` = ``cd19``, ``hyperCVAD`` =
   ``hyper-cvad``), wins outright; a whole name beats a single word of one.
2. Otherwise the closest name, by the better of two similarities (rapidfuzz): Jaro-Winkler,
   which weighs the start of a word most (typos keep the start: ``inotuzamab``,
   ``busulphan``, while different drugs of one family share only the ending: ``clofarabine``
   / ``cytarabine``, ``-tuzumab``), and the Indel ratio, which forgives one slip anywhere in
   a long word (``rtuximab``). A whole name ranks above a single word of one.
3. Numbers name different things (``CD33`` is not ``CD3``): where both have digits, they must
   be the same digits.

The table of misspellings in tests/test_suggest.py, derived from the reference data, measures
this against difflib on the ids (the matcher used before).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rapidfuzz import process
from rapidfuzz.distance import Indel, JaroWinkler

NAME_FIELDS = ("name", "abbreviations", "brand_names", "aliases", "expansion")
CUTOFF = 0.87  # similarity 0-1; lower lets in drugs of one family (clofarabine -> cytarabine)
WORD_PENALTY = 0.05  # a single word of a name ranks below a whole name of nearly the same similarity
_WORD = re.compile(r"[a-z0-9]+")
_DIGITS = re.compile(r"\d+")


def _key(text: str) -> str:
    """Case and punctuation do not matter: 'CD19+', 'cd-19' and 'cd19' are the same name."""
    return "".join(_WORD.findall(text.casefold()))


def _similarity(a: str, b: str, **_) -> float:
    return max(JaroWinkler.normalized_similarity(a, b), Indel.normalized_similarity(a, b))


def labels(entry_id: str, entry: object) -> list[tuple[str, bool]]:
    """(name, is a whole name) for every way of writing ``entry``; words of names last."""
    names = [entry_id]
    for field in NAME_FIELDS:
        value = getattr(entry, field, None) if entry is not None else None
        if isinstance(value, str):
            names.append(value)
        elif isinstance(value, (list, tuple)):
            names.extend(v for v in value if isinstance(v, str))
    out = [(n, True) for n in dict.fromkeys(names)]
    words = {w for n in names for w in _WORD.findall(n.casefold()) if len(w) >= 4}
    out += [(w, False) for w in sorted(words - {_key(n) for n in names})]
    return out


def suggest(word: str, entries: Mapping[str, object] | Iterable[str]) -> str | None:
    """The id in ``entries`` that ``word`` most likely means, or None when nothing is close.

    ``entries`` maps id -> reference entry (any object with some of the fields in
    NAME_FIELDS, read with getattr), or is just the ids.
    """
    items = entries.items() if isinstance(entries, Mapping) else ((e, None) for e in entries)
    key = _key(word)
    if not key:
        return None
    digits = _DIGITS.findall(key)
    choices: list[str] = []
    owners: list[tuple[str, bool]] = []
    exact_word = None
    for entry_id, entry in items:
        for label, whole in labels(entry_id, entry):
            label_key = _key(label)
            if label_key == key:
                if whole:
                    return entry_id
                exact_word = exact_word or entry_id
            if digits and _DIGITS.search(label_key) and _DIGITS.findall(label_key) != digits:
                continue
            choices.append(label_key)
            owners.append((entry_id, whole))
    best = (0.0, "")
    for _, score, index in process.extract(key, choices, scorer=_similarity, processor=None,
                                           score_cutoff=CUTOFF, limit=None):
        entry_id, whole = owners[index]
        rank = score - (0 if whole else WORD_PENALTY)
        if rank > best[0]:
            best = (rank, entry_id)
    if exact_word and best[0] < 1 - WORD_PENALTY:
        return exact_word
    return best[1] or exact_word
