"""Search over the demo directory, on SQLite and PostgreSQL: filters, synonyms, reasons, unmet needs."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from database import upgrade
from directory import demo
from directory import models as m
from directory.geo import locate
from directory.search import DAY_NAMES, Query, search

ADMIN_URL = os.environ.get("KINDRED_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    name = ""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path_factory.mktemp('search') / 'directory.db'}")
    else:
        name = f"kindred_search_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        engine = create_engine(
            ADMIN_URL.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + "/" + name
        )
    upgrade(engine)
    with Session(engine) as session:
        assert demo.ensure_loaded(session) >= 150
    try:
        yield engine
    finally:
        engine.dispose()
        if name:
            with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def find(engine: Engine, **kwargs) -> list:
    with Session(engine) as session:
        results = search(session, Query(**kwargs))
        session.commit()
        return results


def test_demo_directory_covers_every_category_and_is_marked_fictional(engine: Engine) -> None:
    with Session(engine) as session:
        services = session.scalars(select(m.Service)).all()
        assert len(services) >= 150
        assert all(s.description.startswith("(Fictional demo entry") for s in services)
        categories = " ".join(session.scalars(select(m.SearchDocument.categories)))
    for key in ("befriending", "activities", "transport", "respite", "carers", "young_carers", "bereavement",
                "parents", "young_people", "food", "volunteering", "advice", "counselling", "day_centres"):  # fmt: skip
        assert f" {key} " in categories, key


def test_text_near_a_postcode_with_a_reason(engine: Engine) -> None:
    results = find(engine, text="lunch club", near=locate("BS5 0HE"), within_miles=3)
    assert results and all("Lunch Club" in r.name for r in results[:3])
    first = results[0]
    assert first.distance_miles is not None and first.distance_miles <= 3
    assert first.why.startswith(f"{first.distance_miles:.1f} miles away · Tuesdays 12:00–14:00 · £4.50")
    distances = [r.distance_miles for r in results if "Lunch Club" in r.name]
    assert distances == sorted(distances)


def test_synonyms(engine: Engine) -> None:
    assert [r.id for r in find(engine, text="luncheon club", limit=50)] == [
        r.id for r in find(engine, text="lunch club", limit=50)
    ]
    assert any("Good Neighbours" in r.name or "Telephone Friends" in r.name for r in find(engine, text="befriender"))
    assert any("Community Transport" in r.name for r in find(engine, text="dial-a-ride"))


def test_category_day_time_free_and_age_filters(engine: Engine) -> None:
    for r in find(engine, category="befriending", free_only=True, limit=50):
        assert "free" in r.why
    tuesday = find(engine, day="tue", time="12:30", limit=50)
    assert tuesday and all(DAY_NAMES["tu"] in r.why for r in tuesday)
    assert not find(engine, text="youth club", age=40)
    assert find(engine, text="youth club", age=14)
    assert not any("Youth" in r.name for r in find(engine, category="young_people", age=70, limit=50))


def test_accessibility_and_language(engine: Engine) -> None:
    step_free = find(engine, access=["step_free"], limit=50)
    assert step_free and all("step-free access" in r.why for r in step_free)
    somali = find(engine, language="Somali", limit=50)
    assert somali and all("Advice and Welcome" in r.name and "in Somali" in r.why for r in somali)


def test_searches_that_find_nothing_are_recorded_without_personal_data(engine: Engine) -> None:
    assert find(engine, text="underwater basket weaving", category="activities", day="sun", area="BS5") == []
    with Session(engine) as session:
        row = session.scalars(select(m.UnmetSearch).order_by(m.UnmetSearch.id.desc())).first()
        assert (row.category, row.area, row.day, row.terms) == ("activities", "BS5", "su", "underwater basket weaving")
        assert session.scalar(select(func.count()).select_from(m.UnmetSearch)) >= 1


def test_hostile_text_is_just_text(engine: Engine) -> None:
    assert find(engine, text="'; DROP TABLE dir_services; -- <script>") == []
    assert find(engine, text='"unbalanced quote OR AND NEAR(') == []
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(m.Service)) >= 150


def test_luncheon_club_finds_every_lunch_club(engine: Engine) -> None:
    with Session(engine) as session:
        lunch_clubs = set(session.scalars(select(m.Service.id).where(m.Service.name.like("% Lunch Club"))))
    assert len(lunch_clubs) >= 8
    found = [r.id for r in find(engine, text="luncheon club", limit=len(lunch_clubs))]
    assert set(found) == lunch_clubs


@pytest.mark.parametrize(
    ("words", "answer"),
    [
        ("befriending for older people", r"(Good Neighbours|Telephone Friends .*)"),
        ("LGBT group", "Youth Club"),
        ("help with money and bills", "Advice and Welcome Centre"),
        ("singing or choir", "Community Choir"),
        ("coffee morning", "Coffee Morning"),
        ("someone to visit me at home", "Good Neighbours"),
        ("a lift to the doctors", "(Community Transport|Volunteer Car Scheme)"),
    ],
)
def test_plain_language_searches_find_the_right_services(engine: Engine, words: str, answer: str) -> None:
    names = [r.name for r in find(engine, text=words, limit=5)]
    assert len(names) == 5 and all(re.search(f"{answer}$", n) for n in names), names


def test_words_near_a_place_rank_the_best_answers_then_the_nearest(engine: Engine) -> None:
    results = find(engine, text="luncheon club", near=locate("BS5 0HE"), within_miles=6)
    lunch = [r for r in results if r.name.endswith("Lunch Club")]
    assert lunch and results[: len(lunch)] == lunch
    assert [r.distance_miles for r in lunch] == sorted(r.distance_miles for r in lunch)


def test_a_youth_club_for_a_forty_year_old_is_not_just_any_club(engine: Engine) -> None:
    assert find(engine, text="youth club", age=40) == []
    names = [r.name for r in find(engine, text="youth club", age=14, limit=20)]
    youth = [n for n in names if n.endswith("Youth Club")]
    assert len(youth) >= 8 and names[: len(youth)] == youth
