"""Directory search: the one function the assistant, the staff console and the CLI use.

Each service has a search document (`SearchDocument`) holding what the filters need, the
database's own full-text index over its text (FTS5 with Porter stemming on SQLite, a GIN-indexed
`tsvector` on PostgreSQL, both created by the migrations in `migrations/versions/`), and its
sentence embedding (`directory.vectors`). Categories, audiences and synonyms come from one place,
`directory.categories`, and are applied on both sides ("luncheon club" is indexed and searched as
"lunch club"). A search with words is hybrid: the full-text index finds services with the words
(any of them, best first), the embeddings find services that mean the same in other words, and
`directory.ranking` scores both kinds together. Distances come from `directory.geo`; a bounding box
on the indexed coordinates keeps "near" searches from scanning everything. Every result carries a
plain-English reason: "2.1 miles away · Tuesdays 10:00–12:00 · free · step-free access".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from sqlalchemy import Select, column, delete, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from directory import models as m
from directory import ranking, vectors
from directory.categories import (
    ACCESS,
    BY_KEY,
    audiences_in,
    canonical,
    categories_in,
    feed_labels,
    for_esd,
    keys_in,
)
from directory.geo import Point, miles_between

DAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
DAY_NAMES = {"mo": "Mondays", "tu": "Tuesdays", "we": "Wednesdays", "th": "Thursdays", "fr": "Fridays",
             "sa": "Saturdays", "su": "Sundays"}  # fmt: skip
DAY_INPUT = {"mon": "mo", "tue": "tu", "wed": "we", "thu": "th", "fri": "fr", "sat": "sa", "sun": "su"}

ACCESS_LABELS = {"wheelchair": "wheelchair access", "step_free": "step-free access", "hearing_loop": "hearing loop",
                 "accessible_toilet": "accessible toilet"}  # fmt: skip


# --- building search documents --------------------------------------------------------------------


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
    own_categories, own_audiences = feed_labels(service.extra or {})
    labels = " ".join([*(t.name or "" for t in terms), *own_categories, *own_audiences])
    body = canonical(f"{service.name} {service.description_text} {labels} {service.fees or ''}")
    categories = _categories(terms, canonical(labels), body)
    audiences = audiences_in(canonical(f"{labels} {service.name}")) | audiences_in(body)
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
    label_text = " ".join(BY_KEY[c].label for c in sorted(categories) if c in BY_KEY)
    return m.SearchDocument(
        service_id=service.id,
        name=service.name,
        summary=(service.description_text or "")[:300],
        document=f"{body} {canonical(label_text)}",
        categories=" " + " ".join(sorted(categories)) + " ",
        audiences=" " + " ".join(sorted(audiences)) + " ",
        access=" " + " ".join(sorted(keys_in(access_text, ACCESS))) + " ",
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
        embedding=vectors.encode_document(service.name, labels, service.description_text or ""),
    )


def _categories(terms: list[m.TaxonomyTerm], labels: str, body: str) -> set[str]:
    """A service's categories: its terms' esd codes or our keys, its feed's own labels, its words."""
    found = {c for t in terms for c in (for_esd(t.term or ""), for_esd(t.name or "")) if c}
    found |= {t.term for t in terms if t.term in BY_KEY}
    return found | categories_in(labels) | categories_in(body)


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


# When the filters (place, category, day, ...) leave at most SEMANTIC_SCAN services, every one is
# scored, by its words and its meaning. With more (a city in a very large directory), the full-text
# index picks the LEXICAL_LIMIT services with the words (best rank first when no place narrows
# them), and only those are scored: fast at 100,000 services, but paraphrases with none of the
# words are then missed.
SEMANTIC_SCAN = 1000
LEXICAL_LIMIT = 300
FTS = table("dir_search_fts", column("rowid"))
# What ranking reads of a service (not the whole row): the rest is read for the few shown.
SCORED = (m.SearchDocument.rowid, m.SearchDocument.name, m.SearchDocument.document, m.SearchDocument.categories,
          m.SearchDocument.audiences, m.SearchDocument.embedding, m.SearchDocument.latitude,
          m.SearchDocument.longitude, m.SearchDocument.sessions)  # fmt: skip
PLACED = (m.SearchDocument.rowid, m.SearchDocument.name, m.SearchDocument.latitude, m.SearchDocument.longitude,
          m.SearchDocument.sessions)  # fmt: skip


def _fts_terms(words: ranking.Words) -> list[list[str]]:
    """The words and phrases to look up, each as its plain words."""
    terms = [re.findall(r"[a-z0-9]+", term) for term in words.retrieval_terms()]
    return [t for t in terms if t]


def _full_text(session: Session, filters: list, words: ranking.Words, ranked: bool) -> list:
    """Services with any of the search's words that pass the filters (best first if `ranked`)."""
    terms = _fts_terms(words)
    if not terms:
        return []
    if session.get_bind().dialect.name == "sqlite":
        match = text("dir_search_fts MATCH :q").bindparams(q=" OR ".join('"' + " ".join(t) + '"' for t in terms))
        found = select(FTS.c.rowid).where(match)
        statement = select(*SCORED).where(m.SearchDocument.rowid.in_(found.scalar_subquery()), *filters)
        if ranked:
            ranks = select(FTS.c.rowid, literal_column("rank").label("rank")).where(match).subquery()
            statement = select(*SCORED).join(ranks, ranks.c.rowid == m.SearchDocument.rowid).where(*filters)
            statement = statement.order_by(ranks.c.rank)
    else:
        query = func.to_tsquery(literal_column("'english'"), " | ".join("(" + " <-> ".join(t) + ")" for t in terms))
        vector = func.to_tsvector(literal_column("'english'"), m.SearchDocument.document)
        statement = select(*SCORED).where(vector.op("@@")(query), *filters)
        if ranked:
            statement = statement.order_by(func.ts_rank(vector, query).desc())
    return list(session.execute(statement.limit(LEXICAL_LIMIT)))


def _ids(session: Session, statement: Select) -> set[int]:
    """The ids a one-column statement selects, read straight from the driver: thousands of them
    cost a millisecond there, and ten through SQLAlchemy's rows."""
    compiled = statement.compile(session.get_bind())
    params = [compiled.params[k] for k in compiled.positiontup] if compiled.positional else compiled.params
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return {row[0] for row in cursor.fetchall()}
    finally:
        cursor.close()


def _matching_ids(session: Session, words: ranking.Words) -> set[int]:
    """Every service with any of the search's words, from the full-text index alone."""
    terms = _fts_terms(words)
    if not terms:
        return set()
    if session.get_bind().dialect.name == "sqlite":
        match = text("dir_search_fts MATCH :q").bindparams(q=" OR ".join('"' + " ".join(t) + '"' for t in terms))
        return _ids(session, select(FTS.c.rowid).where(match))
    query = func.to_tsquery(literal_column("'english'"), " | ".join("(" + " <-> ".join(t) + ")" for t in terms))
    vector = func.to_tsvector(literal_column("'english'"), m.SearchDocument.document)
    return _ids(session, select(m.SearchDocument.rowid).where(vector.op("@@")(query)))


def _rows_to_score(session: Session, filters: list, query: Query, words: ranking.Words) -> list:
    """Every service the filters allow when they are few; otherwise those with the search's words.

    A place bounds the services, and the geographic index lists them without reading rows, so all
    in reach are listed; without one, no more than it takes to know they are too many.
    """
    statement = select(m.SearchDocument.rowid).where(*filters)
    allowed = _ids(session, statement if query.near is not None else statement.limit(SEMANTIC_SCAN + 1))
    if len(allowed) > SEMANTIC_SCAN:
        if query.near is None or session.get_bind().dialect.name != "sqlite":
            # PostgreSQL combines the geographic and full-text indexes itself.
            return _full_text(session, filters, words, ranked=query.near is None)
        # SQLite would read every row with the words; the two indexes' ids are intersected here.
        allowed = set(sorted(allowed & _matching_ids(session, words))[:LEXICAL_LIMIT])
    if not allowed:
        return []
    return list(session.execute(select(*SCORED).where(m.SearchDocument.rowid.in_(allowed))))


def _text_scores(session: Session, filters: list, query: Query) -> tuple[list, dict[int, float]]:
    """The services that answer the search's words well enough to be shown, and their scores."""
    words = ranking.parse(query.text)
    if not words.concepts:
        return [], {}
    rows = _rows_to_score(session, filters, query, words)
    with_vectors = [row for row in rows if row.embedding is not None]
    cosines = vectors.similarities(vectors.encode_query(canonical(query.text)), [r.embedding for r in with_vectors])
    meanings = {row.rowid: float(c) for row, c in zip(with_vectors, cosines, strict=True)}
    matcher = ranking.Matcher(words)
    scores = {}
    for row in rows:
        meaning = meanings.get(row.rowid, 0.0)
        words_part, specific = matcher.lexical(row.name, row.document)
        total = ranking.score(meaning, words_part, ranking.field_match(words, row.categories, row.audiences))
        if ranking.shown(meaning, words_part, specific, total):
            scores[row.rowid] = total
    return [row for row in rows if row.rowid in scores], scores


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


def _filters(query: Query, day: str | None) -> list:
    """The WHERE clauses for everything a search asks but its words."""
    doc = m.SearchDocument
    clauses = [] if query.include_inactive else [doc.active.is_(True)]
    for field_, value in ((doc.categories, query.category), (doc.audiences, query.audience), (doc.days, day),
                          (doc.languages, query.language.lower() if query.language else None)):  # fmt: skip
        if value:  # autoescape: a % or _ in what was asked is not a wildcard
            clauses.append(field_.contains(f" {value} ", autoescape=True))
    clauses += [doc.access.contains(f" {need} ", autoescape=True) for need in query.access]
    if query.free_only:
        clauses.append(doc.free.is_(True))
    if query.age is not None:
        clauses.append((doc.minimum_age.is_(None)) | (doc.minimum_age <= query.age))
        clauses.append((doc.maximum_age.is_(None)) | (doc.maximum_age >= query.age))
    if query.near is not None:
        dlat = query.within_miles / 69.0
        dlon = query.within_miles / max(69.0 * math.cos(math.radians(query.near.lat)), 1e-6)
        clauses.append(doc.latitude.between(query.near.lat - dlat, query.near.lat + dlat))
        clauses.append(doc.longitude.between(query.near.lon - dlon, query.near.lon + dlon))
    return clauses


def _distance(row: object, query: Query) -> tuple[bool, float | None]:
    """(within reach, miles away) of a service's row: always within reach when no place was given."""
    if query.near is None:
        return True, None
    if row.latitude is None:
        return False, None
    miles = miles_between(query.near, Point(row.latitude, row.longitude))
    return miles <= query.within_miles, miles


def _ordered(rows: list, scores: dict[int, float], query: Query, day: str | None) -> list[tuple[int, float | None]]:
    """(row, miles) of the services in reach at the day and time asked, best first: by score band,
    then nearest, then score."""
    best = max(scores.values(), default=0.0)
    keyed = []
    for row in rows:
        if (day or query.time) and not _time_ok(row.sessions, day, query.time):
            continue
        reachable, distance = _distance(row, query)
        if reachable:
            score = scores.get(row.rowid, 0.0)
            keyed.append(((ranking.tier(score, best), distance or 0.0, -score, row.name), row.rowid, distance))
    keyed.sort(key=lambda item: item[0])
    return [(rowid, distance) for _, rowid, distance in keyed]


def _result(doc: m.SearchDocument, distance: float | None, query: Query, day: str | None) -> Result:
    return Result(
        id=doc.service_id,
        name=doc.name,
        why=_why(doc, distance, query, day),
        distance_miles=round(distance, 1) if distance is not None else None,
        description=doc.summary,
        postcode=doc.postcode,
    )


def search(session: Session, query: Query, record_unmet: bool = True) -> list[Result]:
    """Services matching the query, best first, each with the reason it fits.

    With words: the best answers first, and among answers about as good (`ranking.TIER`), the
    nearest. Without: the nearest first.
    """
    day = DAY_INPUT.get((query.day or "").lower()[:3], query.day) if query.day else None
    filters = _filters(query, day)
    if query.text.strip():
        rows, scores = _text_scores(session, filters, query)
    else:
        rows, scores = list(session.execute(select(*PLACED).where(*filters).limit(3000))), {}
    shown = _ordered(rows, scores, query, day)[: query.limit]
    docs = {
        d.rowid: d
        for d in session.scalars(select(m.SearchDocument).where(m.SearchDocument.rowid.in_([r for r, _ in shown])))
    }
    found = [_result(docs[rowid], distance, query, day) for rowid, distance in shown]
    if not found and record_unmet:
        session.add(
            m.UnmetSearch(category=query.category, area=query.area, day=day, terms=canonical(query.text)[:200] or None)
        )
        session.flush()
    return found
