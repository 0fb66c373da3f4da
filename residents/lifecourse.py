"""Which services fit a person: what they asked for, shaped by their life stage and circumstances.

A new parent hears about parent-and-baby groups and perinatal befriending, a recently bereaved
person about bereavement support, a young person about youth groups and a young carer about
young carers' services, an older person who stopped driving about community transport.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from residents.vocabulary import INTEREST_SEARCH


@dataclass
class Search:
    """One search to try: a directory category and optional words."""

    category: str | None
    words: str = ""
    label: str = ""


@dataclass
class Plan:
    """The searches to try in order, and anything to say alongside the results."""

    searches: list[Search] = field(default_factory=list)
    age: int | None = None
    notes: list[str] = field(default_factory=list)
    # Categories to ask about first (a form asks the day only for things that happen on a day).
    needs_day: bool = False
    needs_interest: bool = False


CARERS_ASSESSMENT = (
    "You also have a right to a carer's assessment from the council, even if the person you care "
    "for doesn't get support. It looks at what would help you. Ask the council's adult social care team."
)
YOUNG_CARERS_NOTE = "You're doing something really caring. You deserve support and time for yourself too."
DAY_KINDS = {"activities", "food", "bereavement", "parents", "young_people", "carers", "young_carers", "day_centres"}


def plan(kind: str | None, profile: dict) -> Plan:
    """The searches for a request (`kind` is a category from residents.vocabulary.SERVICE_KINDS)."""
    circumstances = set(profile.get("circumstances") or [])
    age = profile.get("age")
    young = profile.get("young") or (age is not None and age < 18)
    interests = profile.get("interests") or []
    result = Plan(age=age if age is not None else (15 if young else None))

    def add(category: str | None, words: str = "", label: str = "") -> None:
        result.searches.append(Search(category, words, label))

    if kind in (None, "activities") and young:
        kind = "young_carers" if "carer" in circumstances else "young_people"
    if kind in ("carers", "respite") and young:
        kind = "young_carers"
    if kind is None:
        if "new_baby" in circumstances:
            kind = "parents"
        elif "bereaved" in circumstances:
            kind = "bereavement"
        elif "carer" in circumstances:
            kind = "carers"
        else:
            kind = "activities"

    if kind == "activities":
        for interest in interests[:2]:
            add("activities", INTEREST_SEARCH.get(interest, interest), interest)
        if "new_baby" in circumstances:
            add("parents", "", "parent and baby")
        if "bereaved" in circumstances:
            add("bereavement", "", "bereavement")
        add("activities")
        add("food")
        result.needs_interest = not interests
    elif kind == "parents":
        add("parents")
        add("befriending", "perinatal", "perinatal befriending")
    elif kind == "bereavement":
        add("bereavement")
        add("counselling")
    elif kind in ("carers", "respite"):
        add(kind)
        add("respite" if kind == "carers" else "carers")
        result.notes.append(CARERS_ASSESSMENT)
    elif kind == "young_carers":
        add("young_carers")
        add("young_people")
        result.notes.append(YOUNG_CARERS_NOTE)
    elif kind == "befriending":
        add("befriending")
    else:
        add(kind)

    if "stopped_driving" in circumstances and kind != "transport":
        result.notes.append('If getting there is hard now you don\'t drive, just tap "How would I get there?".')
    result.needs_day = kind in DAY_KINDS
    return result
