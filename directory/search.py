"""Directory search: the one function the assistant, the staff console and the CLI use.

Each service has a search document (`SearchDocument`) holding what the filters need, and the
database's own full-text index over its text: FTS5 with Porter stemming on SQLite, a GIN-indexed
`tsvector` on PostgreSQL (both created by the migration in `migrations/versions/`). Synonyms are
applied on both sides ("luncheon club" is indexed and searched as "lunch club"). Distances come
from `directory.geo`; a bounding box on the indexed coordinates keeps "near" searches from
scanning everything. Every result carries a plain-English
reason: "2.1 miles away · Tuesdays 10:00–12:00 · free · step-free access".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from directory import models as m
from directory.categories import BY_KEY, for_esd
from directory.geo import Point, miles_between

DAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
DAY_NAMES = {"mo": "Mondays", "tu": "Tuesdays", "we": "Wednesdays", "th": "Thursdays", "fr": "Fridays",
             "sa": "Saturdays", "su": "Sundays"}  # fmt: skip
DAY_INPUT = {"mon": "mo", "tue": "tu", "wed": "we", "thu": "th", "fri": "fr", "sat": "sa", "sun": "su"}

# Phrases that mean the same, rewritten to one form in documents and queries alike.
SYNONYMS: list[tuple[str, str]] = [
    (r"\bluncheon clubs?\b", "lunch club"),
    (r"\bbefriend(?:er|ers|s)?\b", "befriending"),
    (r"\bdial[- ]a[- ]ride\b", "community transport"),
    (r"\bvolunteer drivers?\b", "community transport"),
    (r"\bcar schemes?\b", "community transport"),
    (r"\bmen'?s sheds?\b", "mens shed"),
    (r"\bsitting services?\b", "respite"),
    (r"\bshort breaks?\b", "respite"),
    (r"\bcarers?'?\b", "carer"),
    (r"\bcoffee mornings?\b", "coffee morning"),
    (r"\bsing(?:ing)? groups?\b", "choir"),
]
# Words in a service's text that place it in a category or audience (esd has no befriending type).
CATEGORY_WORDS = {
    "befriending": ("befriending", "telephone friendship", "visiting service", "good neighbour"),
    "activities": ("club", "group", "choir", "class", "shed", "coffee morning", "walk", "craft", "art", "dance"),
    "transport": ("community transport", "bus", "minibus", "lift", "driver"),
    "respite": ("respite", "sitting", "day care"),
    "carers": ("carer",),
    "bereavement": ("bereave", "grief", "widow"),
    "food": ("lunch club", "meals", "lunch"),
    "volunteering": ("volunteer", "time bank", "timebank"),
    "advice": ("advice", "information", "welfare rights"),
    "parents": ("baby", "parent", "perinatal", "toddler", "mums"),
    "young_people": ("youth", "young people", "teen"),
    "counselling": ("counselling", "wellbeing", "mental health"),
}
AUDIENCE_WORDS = {
    "carers": ("carer",),
    "older_people": ("older", "over 50", "over 60", "over 65", "retired", "pensioner"),
    "young_people": ("young people", "youth", "teen", "aged 11", "aged 13"),
    "new_parents": ("new parent", "baby", "perinatal", "new mums"),
    "lgbt": ("lgbt", "lgbtq", "gay", "lesbian", "trans "),
    "men": ("mens shed", "men's", " men ", "for men"),
    "migrants": ("refugee", "asylum", "migrant", "esol"),
}
ACCESS_WORDS = {
    "wheelchair": ("wheelchair",),
    "step_free": ("step-free", "step free", "level access", "lift to all floors", "ramp"),
    "hearing_loop": ("hearing loop", "induction loop"),
    "accessible_toilet": ("accessible toilet", "disabled toilet"),
}
ACCESS_LABELS = {"wheelchair": "wheelchair access", "step_free": "step-free access", "hearing_loop": "hearing loop",
                 "accessible_toilet": "accessible toilet"}  # fmt: skip


def canonical(value: str) -> str:
    """Lower-case text with synonyms rewritten to one form."""
    value = value.lower()
    for pattern, replacement in SYNONYMS:
        value = re.sub(pattern, replacement, value)
    return value


# --- building search documents --------------------------------------------------------------------


def _words_in(haystack: str, table: dict[str, tuple[str, ...]]) -> set[str]:
    """Keys whose words start a word in the text ("bereave" finds "bereavement", "bus" not "business")."""
    return {
        key
        for key, words in table.items()
        if any(re.search(r"(?<![a-z])" + re.escape(w.strip()), haystack) for w in words)
    }


def _hhmm(value: str | None) -> str | None:
    if not value:
        return None
    match = re.match(r"^(\d{1,2}):(\d{2})", value)
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else None


def document_for(session: Session, service: m.Service) -> m.SearchDocument:
    """The search document for one service, from its stored ORUK data."""
    sals = session.scalars(select(m.ServiceAtLocation).where(m.ServiceAtLocation.service_id == service.id)).all()
    locations = [session.get(m.Location, sal.location_id) for sal in sals if sal.location_id]
    locations = [loc for loc in locations if loc is not None]
    addresses = [
        a for loc in locations for a in session.scalars(select(m.Address).where(m.Address.location_id == loc.id))
    ]
    access_rows = [
        a
        for loc in locations
        for a in session.scalars(select(m.Accessibility).where(m.Accessibility.location_id == loc.id))
    ]
    schedules = session.scalars(select(m.Schedule).where(m.Schedule.service_id == service.id)).all()
    costs = session.scalars(select(m.CostOption).where(m.CostOption.service_id == service.id)).all()
    languages = session.scalars(select(m.Language).where(m.Language.service_id == service.id)).all()
    terms = session.scalars(
        select(m.TaxonomyTerm)
        .join(m.Attribute, m.Attribute.taxonomy_term_id == m.TaxonomyTerm.id)
        .where(m.Attribute.link_id == service.id)
    ).all()
    term_text = " ".join(f"{t.name or ''} {t.term or ''}" for t in terms)
    body = canonical(f"{service.name} {service.description_text} {term_text} {service.fees or ''}")
    categories = {c for t in terms for c in (for_esd(t.term or ""), for_esd(t.name or "")) if c}
    categories |= {t.term for t in terms if t.term in BY_KEY}
    categories |= _words_in(body, CATEGORY_WORDS)
    access_text = canonical(
        " ".join(f"{a.description or ''} {a.details or ''} {a.accessibility or ''}" for a in access_rows)
    )
    sessions = []
    for schedule in schedules:
        opens, closes = _hhmm(schedule.opens_at), _hhmm(schedule.closes_at)
        for day in (schedule.byday or "").lower().replace(" ", "").split(","):
            day = day[-2:]
            if day in DAYS:
                sessions.append([day, opens, closes])
    amounts = [c.amount for c in costs if c.amount is not None]
    free = (
        True
        if (amounts and max(amounts) == 0) or "free" in (service.fees or "").lower()
        else (False if amounts else None)
    )
    cost = "free" if free else (f"£{min(amounts):.2f}".replace(".00", "") if amounts else None)
    point = next(((loc.latitude, loc.longitude) for loc in locations if loc.latitude is not None), (None, None))
    label_text = " ".join(BY_KEY[c].label for c in categories if c in BY_KEY)
    return m.SearchDocument(
        service_id=service.id,
        name=service.name,
        summary=(service.description_text or "")[:300],
        document=f"{body} {canonical(label_text)}",
        categories=" " + " ".join(sorted(categories)) + " ",
        audiences=" " + " ".join(sorted(_words_in(body, AUDIENCE_WORDS))) + " ",
        access=" " + " ".join(sorted(_words_in(access_text, ACCESS_WORDS))) + " ",
        languages=" " + " ".join(sorted({(lang.name or lang.code or "").lower() for lang in languages} - {""})) + " ",
        days=" " + " ".join(sorted({s[0] for s in sessions}, key=DAYS.index)) + " ",
        sessions=sessions,
        free=free,
        cost=cost,
        minimum_age=service.minimum_age,
        maximum_age=service.maximum_age,
        active=(service.status or "active") == "active",
        latitude=point[0],
        longitude=point[1],
        postcode=next((a.postal_code for a in addresses if a.postal_code), None),
    )


def reindex(session: Session, service_ids: list[str] | None = None) -> int:
    """Rebuild search documents for these services (or all). Returns how many were written."""
    ids = service_ids if service_ids is not None else list(session.scalars(select(m.Service.id)))
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        session.execute(delete(m.SearchDocument).where(m.SearchDocument.service_id.in_(part)))
        for service_id in part:
            service = session.get(m.Service, service_id)
            if service is not None:
                session.add(document_for(session, service))
        session.flush()
    return len(ids)


# --- searching --------------------------------------------------------------------------------------


@dataclass
class Query:
    """What someone is looking for. Every field is optional."""

    text: str = ""
    near: Point | None = None
    within_miles: float = 5.0
    category: str | None = None
    day: str | None = None
    time: str | None = None
    free_only: bool = False
    age: int | None = None
    access: list[str] = field(default_factory=list)
    language: str | None = None
    audience: str | None = None
    include_inactive: bool = False
    limit: int = 10
    area: str | None = None


@dataclass
class Result:
    """One service found, and why it fits."""

    id: str
    name: str
    why: str
    distance_miles: float | None
    description: str
    postcode: str | None


def _text_clause(session: Session, words: str):  # noqa: ANN202 - a SQL expression
    """A WHERE clause matching the full-text index, or None when there are no words."""
    terms = re.findall(r"[a-z0-9]+", canonical(words))
    if not terms:
        return None
    if session.get_bind().dialect.name == "sqlite":
        match = " ".join(f'"{t}"' for t in terms)
        return text(
            "dir_search_documents.rowid IN (SELECT rowid FROM dir_search_fts WHERE dir_search_fts MATCH :q)"
        ).bindparams(q=match)
    return text("to_tsvector('english', dir_search_documents.document) @@ plainto_tsquery('english', :q)").bindparams(
        q=" ".join(terms)
    )


def _time_ok(sessions: list, day: str | None, at: str | None) -> bool:
    for s_day, opens, closes in sessions:
        if day and s_day != day:
            continue
        if at and opens and closes and not (opens <= at < closes):
            continue
        return True
    return not sessions and not day and not at


def _why(doc: m.SearchDocument, distance: float | None, query: Query, day: str | None) -> str:
    parts = []
    if distance is not None:
        parts.append(f"{distance:.1f} miles away")
    wanted = [s for s in doc.sessions if not day or s[0] == day]
    for s_day, opens, closes in wanted[:2]:
        parts.append(f"{DAY_NAMES[s_day]} {opens}–{closes}" if opens and closes else DAY_NAMES[s_day])
    if doc.cost:
        parts.append(doc.cost)
    have = [a for a in doc.access.split() if a in ACCESS_LABELS]
    asked = [a for a in query.access if a in have]
    parts += [ACCESS_LABELS[a] for a in (asked + [a for a in have if a not in asked])[: max(2, len(asked))]]
    if query.language and query.language.lower() in doc.languages:
        parts.append(f"in {query.language.title()}")
    return " · ".join(parts)


def search(session: Session, query: Query, record_unmet: bool = True) -> list[Result]:
    """Services matching the query, best first, each with the reason it fits."""
    day = DAY_INPUT.get((query.day or "").lower()[:3], query.day) if query.day else None
    statement = select(m.SearchDocument)
    if not query.include_inactive:
        statement = statement.where(m.SearchDocument.active.is_(True))
    if query.category:
        statement = statement.where(m.SearchDocument.categories.like(f"% {query.category} %"))
    if query.audience:
        statement = statement.where(m.SearchDocument.audiences.like(f"% {query.audience} %"))
    if query.language:
        statement = statement.where(m.SearchDocument.languages.like(f"% {query.language.lower()} %"))
    for need in query.access:
        statement = statement.where(m.SearchDocument.access.like(f"% {need} %"))
    if day:
        statement = statement.where(m.SearchDocument.days.like(f"% {day} %"))
    if query.free_only:
        statement = statement.where(m.SearchDocument.free.is_(True))
    if query.age is not None:
        statement = statement.where(
            (m.SearchDocument.minimum_age.is_(None)) | (m.SearchDocument.minimum_age <= query.age),
            (m.SearchDocument.maximum_age.is_(None)) | (m.SearchDocument.maximum_age >= query.age),
        )
    if query.near is not None:
        dlat = query.within_miles / 69.0
        dlon = query.within_miles / max(69.0 * math.cos(math.radians(query.near.lat)), 1e-6)
        statement = statement.where(
            m.SearchDocument.latitude.between(query.near.lat - dlat, query.near.lat + dlat),
            m.SearchDocument.longitude.between(query.near.lon - dlon, query.near.lon + dlon),
        )
    clause = _text_clause(session, query.text)
    if clause is not None:
        statement = statement.where(clause)
    docs = list(session.scalars(statement.limit(3000)))
    results: list[tuple[tuple, Result]] = []
    words = re.findall(r"[a-z0-9]+", canonical(query.text))
    for doc in docs:
        if (day or query.time) and not _time_ok(doc.sessions, day, query.time):
            continue
        distance = None
        if query.near is not None:
            if doc.latitude is None:
                continue
            distance = miles_between(query.near, Point(doc.latitude, doc.longitude))
            if distance > query.within_miles:
                continue
        # Best first: services whose name has every word asked for, then the nearest.
        name = canonical(doc.name)
        tier = 0 if words and all(re.search(r"(?<![a-z])" + w[:5], name) for w in words) else 1
        score = (tier, distance if distance is not None else 0.0, doc.name)
        results.append(
            (
                score,
                Result(
                    id=doc.service_id,
                    name=doc.name,
                    why=_why(doc, distance, query, day),
                    distance_miles=round(distance, 1) if distance is not None else None,
                    description=doc.summary,
                    postcode=doc.postcode,
                ),
            )
        )
    results.sort(key=lambda pair: pair[0])
    found = [r for _, r in results[: query.limit]]
    if not found and record_unmet:
        session.add(
            m.UnmetSearch(category=query.category, area=query.area, day=day, terms=canonical(query.text)[:200] or None)
        )
        session.flush()
    return found
