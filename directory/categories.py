"""Kindred's own small category vocabulary, mapped to LGA esd service types where they exist.

esd has no befriending type, so the vocabulary is ours; `esd` lists the codes a directory's
taxonomy terms may carry for each category. This is the one place categories are named.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    """One category: its key, what residents call it, and the esd codes that mean it."""

    key: str
    label: str
    esd: tuple[str, ...] = ()


CATEGORIES: tuple[Category, ...] = (
    Category("befriending", "Befriending (visits and phone calls)"),
    Category("activities", "Activities and groups", ("241", "640", "297")),
    Category("day_centres", "Community and day centres", ("296",)),
    Category("transport", "Community transport and volunteer drivers", ("272", "901")),
    Category("respite", "Respite and short breaks", ("227", "1790")),
    Category("carers", "Support for carers", ("298", "225", "1755")),
    Category("young_carers", "Young carers", ("300",)),
    Category("advice", "Advice and information"),
    Category("bereavement", "Bereavement support", ("328",)),
    Category("counselling", "Counselling and mental wellbeing", ("163",)),
    Category("parents", "New parents and families"),
    Category("young_people", "Young people"),
    Category("food", "Meals and lunch clubs", ("315",)),
    Category("volunteering", "Volunteering and time banks", ("1113",)),
)
BY_KEY = {c.key: c for c in CATEGORIES}
_BY_ESD = {code: c.key for c in CATEGORIES for code in c.esd}


def for_esd(code: str) -> str | None:
    """Our category for an esd service type code, if we have one."""
    return _BY_ESD.get(str(code).strip())
