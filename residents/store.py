"""Reading and changing what Kindred remembers. The caller owns the session and the transaction."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.models import utcnow
from directory import models as dm
from directory.geo import Point, PostcodeError, locate, normalise
from residents.extract import Facts
from residents.models import CheckIn, FollowUp, Profile, ServiceFlag, Suggestion

CIRCUMSTANCE_WORDS = {
    "bereaved": "you've lost someone close",
    "retired": "you've retired",
    "new_baby": "you have a new baby",
    "moved_area": "you've moved to a new area",
    "unemployed": "you're looking for work",
    "illness_disability": "you live with an illness or disability",
    "stopped_driving": "you don't drive any more",
    "carer": "you care for someone",
    "living_alone": "you live on your own",
    "language": "English isn't your first language",
}


def profile(session: Session, sender_id: str, create: bool = True) -> Profile | None:
    """The person's profile (created empty on first use when `create`)."""
    found = session.get(Profile, sender_id)
    if found is None and create:
        found = Profile(sender_id=sender_id, circumstances=[], interests=[], recent_lines=[])
        session.add(found)
        session.flush()
    return found


def as_dict(found: Profile | None) -> dict:
    """A plain copy of a profile for the planning functions (empty when there is none)."""
    if found is None:
        return {}
    return {
        "name": found.name,
        "place": found.place,
        "age": found.age,
        "young": found.age is not None and found.age < 18,
        "circumstances": list(found.circumstances or []),
        "interests": list(found.interests or []),
        "cared_for": found.cared_for,
        "language": found.language,
        "preferences": dict(found.preferences or {}),
        "checkin_day": found.checkin_day,
    }


def remember(session: Session, sender_id: str, facts: Facts) -> list[str]:
    """Add what a message said to the profile. Returns what was new, for a short acknowledgement."""
    found = profile(session, sender_id)
    new: list[str] = []
    if facts.name and facts.name != found.name:
        found.name = facts.name
        new.append("name")
    if facts.age is not None and facts.age != found.age:
        found.age = facts.age
        new.append("age")
    elif facts.young and found.age is None:
        found.age = 15  # "at school": an estimate, used only to choose young people's services
    circumstances = list(found.circumstances or [])
    for item in facts.circumstances:
        if item not in circumstances:
            circumstances.append(item)
            new.append(item)
    found.circumstances = circumstances
    interests = list(found.interests or [])
    for item in facts.interests:
        if item not in interests:
            interests.append(item)
            new.append("interest")
    found.interests = interests[-8:]
    if facts.cared_for and facts.cared_for != found.cared_for:
        found.cared_for = facts.cared_for
        new.append("cared_for")
    if facts.language and facts.language != found.language:
        found.language = facts.language
        new.append("language")
    if new:
        found.updated_at = utcnow()
    return new


def resolve_place(session: Session, words: str) -> tuple[str, Point] | None:
    """Where a postcode, outward code or place name is: (label, point), or None if unknown.

    Place names are looked up in the directory's own locations and addresses, so a deployment
    anywhere in the UK knows the places its services are in.
    """
    words = (words or "").strip()[:80]
    if not words:
        return None
    try:
        code = normalise(words)
    except PostcodeError:
        code = None
    if code:
        try:
            return code, locate(code)
        except PostcodeError:
            return None
    if len(words) < 3:
        return None
    # autoescape: a resident's % or _ are letters to find, not wildcards that match every place.
    row = session.execute(
        select(func.avg(dm.Location.latitude), func.avg(dm.Location.longitude), func.count()).where(
            dm.Location.latitude.is_not(None), dm.Location.name.icontains(words, autoescape=True)
        )
    ).one()
    if not row[2]:
        row = session.execute(
            select(func.avg(dm.Location.latitude), func.avg(dm.Location.longitude), func.count())
            .join(dm.Address, dm.Address.location_id == dm.Location.id)
            .where(
                dm.Location.latitude.is_not(None),
                dm.Address.city.icontains(words, autoescape=True)
                | dm.Address.address_1.icontains(words, autoescape=True)
                | dm.Address.region.icontains(words, autoescape=True),
            )
        ).one()
    if not row[2]:
        return None
    return words.title(), Point(float(row[0]), float(row[1]))


def set_place(session: Session, sender_id: str, label: str, point: Point) -> None:
    """Remember where to search from."""
    found = profile(session, sender_id)
    found.place, found.latitude, found.longitude = label, point.lat, point.lon


def summary(session: Session, sender_id: str) -> list[str]:
    """What Kindred knows, as sentences the person can read ("What do you know about me?")."""
    found = profile(session, sender_id, create=False)
    lines = []
    if found is not None:
        if found.name:
            lines.append(f"Your name is {found.name}.")
        if found.place:
            lines.append(f"You're in or near {found.place}.")
        if found.age is not None:
            lines.append(f"You're {found.age}." if found.age >= 18 else "You're under 18.")
        for item in found.circumstances or []:
            if item == "carer" and found.cared_for:
                lines.append(f"You care for your {found.cared_for}.")
            elif item in CIRCUMSTANCE_WORDS:
                lines.append(CIRCUMSTANCE_WORDS[item][0].upper() + CIRCUMSTANCE_WORDS[item][1:] + ".")
        if found.interests:
            lines.append("You like " + _join(found.interests) + ".")
        if found.language:
            lines.append(f"You speak {found.language}.")
        prefs = found.preferences or {}
        if prefs.get("free_only"):
            lines.append("You need things to be free.")
        elif prefs.get("free_first"):
            lines.append("You'd like things that are free, where there are any.")
        if prefs.get("step_free"):
            lines.append("You need step-free access.")
        if found.checkin_day:
            from directory.search import DAY_NAMES

            lines.append(f"I message you on {DAY_NAMES[found.checkin_day]} to see how you are.")
    checkins = session.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.sender_id == sender_id))
    if checkins:
        lines.append(f"You've done {checkins} loneliness check-in{'s' if checkins > 1 else ''} with me.")
    shown = session.scalars(
        select(Suggestion.service_name).where(Suggestion.sender_id == sender_id).order_by(Suggestion.id.desc()).limit(3)
    ).all()
    if shown:
        lines.append("I've suggested " + _join(list(dict.fromkeys(shown))) + ".")
    return lines


def _join(items: list[str]) -> str:
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --- check-ins --------------------------------------------------------------------------------------


def last_checkin(session: Session, sender_id: str) -> CheckIn | None:
    """The most recent check-in."""
    return session.scalars(
        select(CheckIn).where(CheckIn.sender_id == sender_id).order_by(CheckIn.taken_at.desc(), CheckIn.id.desc())
    ).first()


def record_checkin(session: Session, sender_id: str, ons: int, company: int, left_out: int, isolated: int) -> CheckIn:
    """Store a check-in with the time it was taken."""
    checkin = CheckIn(
        sender_id=sender_id,
        ons=ons,
        ucla_company=company,
        ucla_left_out=left_out,
        ucla_isolated=isolated,
        ucla_total=company + left_out + isolated,
    )
    session.add(checkin)
    session.flush()
    return checkin


def checkin_due(session: Session, sender_id: str, every_days: int, now: dt.datetime | None = None) -> bool:
    """Whether it's been long enough since the last check-in and the last offer of one."""
    now = now or utcnow()
    found = profile(session, sender_id, create=False)
    if (
        found is not None
        and found.last_checkin_offer_at
        and now - found.last_checkin_offer_at < dt.timedelta(days=every_days)
    ):
        return False
    last = last_checkin(session, sender_id)
    return last is None or now - last.taken_at >= dt.timedelta(days=every_days)


# --- suggestions and follow-ups -------------------------------------------------------------------


def record_suggestion(session: Session, sender_id: str, result, category: str | None) -> Suggestion:  # noqa: ANN001
    """Remember that a service was suggested (result: directory.search.Result)."""
    row = Suggestion(
        sender_id=sender_id, service_id=result.id, service_name=result.name, category=category, why=result.why
    )
    session.add(row)
    session.flush()
    return row


def flag_service(session: Session, sender_id: str | None, service_id: str, name: str, reason: str, note: str) -> None:
    """Tell the directory editor an entry was wrong or unsuitable."""
    session.add(
        ServiceFlag(service_id=service_id, service_name=name, reason=reason, note=note[:1000], sender_id=sender_id)
    )


def forget(session: Session, sender_id: str) -> None:
    """Delete everything remembered about a person; flags stay for the editor, without the sender or
    the note (the resident's own words)."""
    session.execute(delete(Profile).where(Profile.sender_id == sender_id))
    session.execute(delete(CheckIn).where(CheckIn.sender_id == sender_id))
    session.execute(delete(Suggestion).where(Suggestion.sender_id == sender_id))
    session.execute(delete(FollowUp).where(FollowUp.sender_id == sender_id))
    session.execute(update(ServiceFlag).where(ServiceFlag.sender_id == sender_id).values(sender_id=None, note=""))
