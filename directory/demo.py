"""A clearly marked fictional demo directory for Bristol, generated (not stored) for first runs.

Every service is invented, but the postcodes are real Bristol postcodes from the ONS data, so
distances and reasons behave as they would with a council's feed. The entries are ORUK 3.0
documents and go through the same validating importer as real data.
"""

from __future__ import annotations

import random
import uuid
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory import models as m
from directory import oruk
from directory.geo import grid_to_wgs84, postcode_table
from directory.search import reindex

NAMESPACE = uuid.UUID("6f1c1c1e-6a1d-4b55-9d65-2b1f8f0d0a11")
NOTE = "(Fictional demo entry: not a real service.) "
AREAS = [
    ("Easton", "BS5"), ("St Pauls", "BS2"), ("Bedminster", "BS3"), ("Knowle", "BS4"), ("Southmead", "BS10"),
    ("Fishponds", "BS16"), ("Hartcliffe", "BS13"), ("Clifton", "BS8"), ("Redland", "BS6"), ("Horfield", "BS7"),
    ("Stockwood", "BS14"), ("Kingswood", "BS15"), ("Shirehampton", "BS11"), ("Brislington", "BS4"),
    ("Lawrence Hill", "BS5"), ("Lockleaze", "BS7"), ("Withywood", "BS13"), ("Henbury", "BS10"),
]  # fmt: skip
# (name pattern, category esd code or our key, description, day, opens, closes, cost, min age, max age, languages)
TEMPLATES = [
    ("{area} Lunch Club", "315", "A hot two-course lunch and a chat every week for older people living alone. "
     "Transport can be arranged.", "TU", "12:00", "14:00", 4.50, 60, None, []),
    ("{area} Community Choir", "241", "A friendly singing group for all ages. No experience needed, just come along.",
     "WE", "19:00", "21:00", 3.0, 16, None, []),
    ("{area} Men's Shed", "241", "A workshop where men meet, make things and chat shoulder to shoulder. "
     "Tools provided.",
     "TH", "10:00", "15:00", 0, 18, None, []),
    ("{area} Good Neighbours", "befriending", "Volunteer befrienders visit older people at home for a cup of tea "
     "and a chat every week.", "MO", "10:00", "16:00", 0, 60, None, []),
    ("Telephone Friends {area}", "befriending", "A weekly friendly phone call from the same volunteer befriender, "
     "for anyone who feels lonely.", "FR", "10:00", "13:00", 0, 18, None, []),
    ("{area} Community Transport", "272", "Door-to-door dial-a-ride minibus with a wheelchair lift, for people who "
     "cannot use buses. Book a day ahead.", "MO", "08:00", "18:00", 3.0, None, None, []),
    ("{area} Volunteer Car Scheme", "901", "Volunteer drivers take people to appointments, the shops and social "
     "groups. Pay a small mileage charge.", "TU", "09:00", "17:00", 2.0, None, None, []),
    ("{area} Carers' Support Group", "298", "Carers meet to share tips and support each other, with information on "
     "carer's assessments and short breaks.", "TH", "13:30", "15:30", 0, 18, None, []),
    ("{area} Sitting Service", "227", "A trained volunteer sits with the person you care for so you can have a "
     "break: respite for carers, a few hours each week.", "WE", "09:00", "17:00", 0, None, None, []),
    ("{area} Young Carers Club", "300", "Fun activities and trips for young carers aged 8 to 17, and someone to "
     "talk to.", "TU", "16:30", "18:30", 0, 8, 17, []),
    ("{area} Bereavement Café", "328", "A relaxed café for people who have lost someone close: tea, cake and people "
     "who understand. Widows and widowers welcome.", "FR", "14:00", "16:00", 0, 18, None, []),
    ("{area} Parent and Baby Group", "parents", "A warm group for new parents and babies under one, with perinatal "
     "befriending from volunteers who have been there.", "WE", "10:00", "11:30", 1.0, 16, None, []),
    ("{area} Youth Club", "young_people", "Games, sport and mentoring for young people aged 11 to 18, with an "
     "LGBT+ group on the first Monday.", "MO", "18:00", "20:30", 0.5, 11, 18, []),
    ("{area} Chair Exercise for Over 60s", "640", "Gentle seated exercise for older people, improving balance and "
     "strength. Step-free hall.", "TH", "11:00", "12:00", 2.5, 60, None, []),
    ("{area} Arts for Older People", "640", "Painting, collage and craft for older people, with tea. All materials "
     "supplied.", "FR", "10:00", "12:00", 3.0, 55, None, []),
    ("{area} Time Bank", "1113", "Swap an hour of your skills for an hour of someone else's: gardening, lifts, "
     "shopping, company. Volunteering that counts.", "SA", "10:00", "12:00", 0, 16, None, []),
    ("{area} Advice and Welcome Centre", "advice", "Free advice on benefits, housing and energy bills, and a "
     "conversation club for migrants and refugees learning English.", "TU", "10:00", "15:00", 0, 16, None,
     ["Somali", "Polish", "Urdu", "Arabic"]),
    ("{area} Walking Group", "241", "A short, gentle walk in the park followed by a coffee. Walks are step-free.",
     "SA", "10:30", "12:00", 0, None, None, []),
    ("{area} Wellbeing Café", "163", "Drop in to talk about how you are feeling with trained listeners and peer "
     "supporters.", "MO", "13:00", "15:00", 0, 18, None, []),
    ("{area} Coffee Morning", "297", "Coffee, biscuits and good company in the church hall every week.",
     "SA", "10:00", "12:00", 1.0, None, None, []),
    ("{area} Day Centre", "296", "A day centre for older people and people with dementia, with lunch, activities "
     "and a hairdresser.", "TH", "09:30", "15:30", 12.0, 60, None, []),
]  # fmt: skip
ACCESS = [
    "Step-free access, accessible toilet and a hearing loop.",
    "Wheelchair access to all areas and an induction loop.",
    "Ground floor with level access.",
    "Upstairs room with no lift.",
]
ESD_NAMES = {"315": "Mobile meals", "241": "Leisure and social activities inclusion", "272": "Community transport",
             "901": "Demand responsive transport", "298": "Carers support groups", "227": "Respite care for adults",
             "300": "Young carers", "328": "Bereavement support", "640": "Older people's activities",
             "1113": "Volunteering", "163": "Counselling", "297": "Community support groups",
             "296": "Community and day centres"}  # fmt: skip


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


@lru_cache(maxsize=64)
def _codes(outward: str) -> tuple[str, ...]:
    """Every live postcode in an outward code, sorted (one scan of the table per outward code)."""
    return tuple(sorted(k for k in postcode_table(outward[0]) if k[: len(k) - 3] == outward))


def _postcodes(outward: str, rng: random.Random, n: int) -> list[tuple[str, float, float]]:
    table = postcode_table(outward[0])
    codes = list(_codes(outward))
    picked = rng.sample(codes, min(n, len(codes)))
    out = []
    for code in picked:
        point = grid_to_wgs84(*table[code])
        out.append((f"{code[:-3]} {code[-3:]}", point.lat, point.lon))
    return out


def _contact_details(doc: dict) -> None:
    """A phone number and a website for most demo services, never real ones: Ofcom keeps 0117 496 0000
    to 0999 for drama, and example.org is reserved. Some have neither, as in real feeds. Drawn from the
    service's own id, so the rest of the demo directory does not change with them."""
    local = random.Random(doc["id"])
    if local.random() < 0.7:
        doc["phones"] = [{"id": _id("phone", doc["id"]), "number": f"0117 496 0{local.randint(0, 999):03d}"}]
    if local.random() < 0.5:
        slug = "-".join(doc["name"].lower().replace("'", "").split())
        doc["url"] = f"https://example.org/demo/{slug}"


def services(seed: int = 7) -> list[dict]:
    """The demo services as ORUK 3.0 documents (deterministic for a seed)."""
    rng = random.Random(seed)
    docs = []
    for t_index, (pattern, category, description, day, opens, closes, cost, min_age, max_age, langs) in enumerate(
        TEMPLATES
    ):
        areas = rng.sample(AREAS, 8 + (t_index % 3))
        for area, outward in areas:
            name = pattern.format(area=area)
            sid = _id("service", name)
            postcode, lat, lon = _postcodes(outward, rng, 1)[0]
            access = rng.choice(ACCESS)
            term = (
                {"id": _id("term", category), "name": ESD_NAMES[category], "description": ESD_NAMES[category],
                 "taxonomy": "esd", "term": category}
                if category in ESD_NAMES
                else {"id": _id("term", category), "name": category, "description": f"Kindred category {category}",
                      "taxonomy": "kindred", "term": category}
            )  # fmt: skip
            doc = {
                "id": sid,
                "name": name,
                "description": NOTE + description,
                "status": "active",
                "assured_date": "2026-10-01",
                "organization": {"id": _id("org", area), "name": f"{area} Community Partnership (demo)",
                                 "description": "A fictional organisation for the Kindred demo directory."},
                "service_at_locations": [{"id": _id("sal", sid), "location": {
                    "id": _id("loc", sid), "location_type": "physical", "name": f"{area} Community Centre",
                    "latitude": lat, "longitude": lon,
                    "addresses": [{"id": _id("addr", sid), "address_1": f"{rng.randint(1, 120)} High Street",
                                   "city": "Bristol", "state_province": "City of Bristol", "postal_code": postcode,
                                   "country": "GB", "address_type": "physical"}],
                    "accessibility": [{"id": _id("acc", sid), "description": access}],
                }}],
                "schedules": [{"id": _id("sch", sid), "freq": "WEEKLY", "byday": day, "opens_at": opens,
                               "closes_at": closes, "description": f"Every week, {opens} to {closes}"}],
                "cost_options": [{"id": _id("cost", sid), "option": "Per session" if cost else "Free",
                                  "amount": cost}],
                "languages": [{"id": _id("lang", sid, "en"), "name": "English", "code": "en"}]
                + [{"id": _id("lang", sid, lang), "name": lang} for lang in langs],
                "attributes": [{"id": _id("attr", sid), "link_type": "service", "taxonomy_term": term}],
            }  # fmt: skip
            _contact_details(doc)
            if min_age is not None:
                doc["minimum_age"] = min_age
            if max_age is not None:
                doc["maximum_age"] = max_age
            docs.append(doc)
    return docs


def ensure_loaded(session: Session) -> int:
    """Load the demo directory if the directory is empty. Returns how many services were added."""
    if session.scalar(select(func.count()).select_from(m.Service)):
        return 0
    report = oruk.import_services(session, services())
    reindex(session, report.imported)
    session.commit()
    if report.rejected:
        raise RuntimeError(f"demo directory: {report.rejected[:3]}")
    return len(report.imported)
