"""Figures drawn from the data at build time: a body map of EM sites, each case's treatment
journey, and a swimmer plot across cases. Python lays them out; the SVG templates draw them.
Nothing is placed where the source gives no timing: events without a month stay off the
time axis and are listed instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .catalog import Catalog
from .model import MRD, REGIONS, Case



BADGE_GAP = 26  # vertical distance between two numbered badges in a column (their diameter is 22)


@dataclass
class Marker:
    site: str
    name: str
    x: int
    y: int
    count: int
    side: str = "left"
    badge_y: float = 0
    number: int = 0  # shared with the list of sites beside the figure


def body_map(cat: Catalog, counts: dict[str, int]) -> list[Marker]:
    """Markers for the given sites (site id -> number of cases): a dot on the body, joined to a
    numbered badge in a column left or right of it (badges never overlap, and are large enough
    to tap). Names go in a list beside the figure: text in the drawing would shrink with it to a
    few pixels on a phone. Numbered left column first, each column from head to foot."""
    markers = []
    for site_id, count in counts.items():
        site = cat.sites[site_id]
        x, y = site.map or REGIONS[site.region][1]
        markers.append(Marker(site_id, site.name, x, y, count, side="left" if x < 100 else "right"))
    number = 0
    for side in ("left", "right"):
        column = sorted((m for m in markers if m.side == side), key=lambda m: (m.y, m.name))
        last = 12 - BADGE_GAP
        for m in column:
            m.badge_y = max(m.y, last + BADGE_GAP)
            last = m.badge_y
            number += 1
            m.number = number
    return sorted(markers, key=lambda m: m.number)


@dataclass
class Step:
    label: str
    detail: str
    when: str
    kind: str  # "line", "transplant", "outcome"


def journey(cat: Catalog, slug: str) -> list[Step]:
    """The case's treatment in order, one step per line, transplant and the outcome."""
    case, steps = cat.cases[slug], []
    for kind, n in cat.facts[slug].story:  # in the order they happened
        if kind == "transplant":
            tx = case.transplants[n]
            steps.append(Step(f"{tx.kind.capitalize()} transplant", f"Donor: {tx.donor}", _when(tx.month, tx.when), "transplant"))
            continue
        line = case.treatment[n - 1]
        parts = ([cat.regimens[line.regimen].name] if line.regimen else []) + [cat.drugs[u.drug].name for u in line.drugs]
        parts += line.other
        response = line.response.category.value
        if line.response.mrd != MRD.not_reported:
            response += f", MRD-{line.response.mrd.value}"
        if line.response.other_reading is not None:
            response += f" (or {line.response.other_reading.category.value})"
        steps.append(Step(f"Line {n}: " + ", ".join(parts), response, _when(line.month, line.when), "line"))
    steps.append(Step("Outcome", case.outcome.status, case.outcome.follow_up or "at the time of the report", "outcome"))
    return steps


def _when(month: float | None, text: str) -> str:
    return f"month {month:g}" if month is not None else text


@dataclass
class Lane:
    slug: str
    title: str
    name_lines: list[str] = field(default_factory=list)  # the title on at most three lines
    events: list[tuple[float, str, str]] = field(default_factory=list)  # (month, kind, label)
    end: float = 0
    unplaced: int = 0


SWIMMER_LANES = 40  # beyond this a swimmer plot stops being readable (and its page grows with N)


def swimmer(cat: Catalog, limit: int = SWIMMER_LANES) -> tuple[list[Lane], float, int]:
    """One lane per case with every event whose month the source allows us to state: the
    ``limit`` cases followed longest, in catalogue order; and how many cases were left out."""
    lanes = []
    for slug, case in cat.cases.items():
        lane = Lane(slug, case.title, wrap(case.title))
        for number, line in enumerate(case.treatment, 1):
            if line.month is not None:
                lane.events.append((line.month, "line", f"line {number} ({line.response.category.value})"))
            else:
                lane.unplaced += 1
        for tx in case.transplants:
            if tx.month is not None:
                lane.events.append((tx.month, "transplant", "transplant"))
            else:
                lane.unplaced += 1
        for event in case.timeline:
            if event.month is not None:
                lane.events.append((event.month, "event", event.when))
        lane.end = max([m for m, _, _ in lane.events] or [0])
        lanes.append(lane)
    kept = set(map(id, sorted(lanes, key=lambda lane: -lane.end)[:limit]))
    shown = [lane for lane in lanes if id(lane) in kept]
    longest = max([lane.end for lane in shown] or [0])
    return shown, max(longest, 1), len(lanes) - len(shown)


def wrap(text: str, width: int = 34, lines: int = 3) -> list[str]:
    """``text`` on at most ``lines`` lines of about ``width`` characters, broken between words;
    an ellipsis only where even that does not hold it."""
    out: list[str] = []
    for word in text.split():
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] += " " + word
        else:
            out.append(word)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1].rstrip() + "…"
    return out
