"""'Did you mean' for field names and fixed choices (ids use macros.suggest, which knows names)."""

from __future__ import annotations

import difflib


def did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
