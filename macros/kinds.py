"""The registry of reference kinds: one entry per kind of reference data.

Adding a kind is one line here, its model in ``model.py`` and, when it has pages, its
template ``templates/<key>.html.j2``. Everything else (loading, cross-references, generated
pages, open data, search page types) reads this list.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from .model import Antigen, Drug, Regimen, Site, Term


@dataclass(frozen=True)
class Kind:
    key: str  # singular: "drug" (the template is <key>.html.j2, messages say "unknown drug")
    folder: str  # reference/<folder>.yml, pages at /<folder>/<id>/
    label: str  # the page type shown to readers and used as a search filter
    model: type[BaseModel]
    pages: bool = True  # one page per entry


KINDS: tuple[Kind, ...] = (
    Kind("drug", "drugs", "Drug", Drug),
    Kind("regimen", "regimens", "Regimen", Regimen),
    Kind("antigen", "antigens", "Antigen", Antigen),
    Kind("site", "sites", "Site", Site),
    Kind("term", "glossary", "Glossary", Term, pages=False),
)
BY_KEY = {kind.key: kind for kind in KINDS}
BY_FOLDER = {kind.folder: kind for kind in KINDS}
PAGE_KINDS = tuple(kind for kind in KINDS if kind.pages)
