"""Search on council feeds: their own categories and audiences mapped onto Kindred's, embeddings stored
on import (SQLite and PostgreSQL), and the relevance judgements `./kindred eval search` measures with."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import psycopg
import pytest
import yaml
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from database import upgrade
from directory import models as m
from directory import oruk
from directory.oruk1 import to_v3
from directory.search import Query, reindex, search
from launcher.eval_search import DEMO_JUDGEMENTS, REAL_JUDGEMENTS, Judgement, load_judgements, precision
from safety.encoder import DIMENSIONS

ADMIN_URL = os.environ.get("KINDRED_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
MANY_AUDIENCES = ["Women", "Men", "Disabled People", "LGBTQ+", "Carers", "Parents", "Bereaved", "Cancer"]


def v1_service(sid: str, name: str, description: str, **fields: object) -> dict:
    """An ORUK 1.0 service as councils' feeds publish them (no location, HTML description)."""
    organization = {"id": f"org-{sid}", "name": f"{name} organisation", "description": ""}
    return {"id": sid, "name": name, "description": f"<p>{description}</p>", "status": "active",
            "organization": organization} | fields  # fmt: skip


FEED = [
    v1_service(
        "t1", "Friendly Faces", "Volunteers who pop round for a cup of tea.",
        service_taxonomys=[{"id": "l1", "taxonomy": {"id": "council:77", "name": "Befriending",
                                                     "vocabulary": "Council categories"}}],
    ),
    v1_service(
        "t2", "Thursday Meet-up", "A relaxed evening for adults.",
        pc_targetAudience=[{"id": "Gender_Transgender", "audienceType": "LGBTQ+ "}],
        deliverable_type="Social activity",
    ),
    v1_service(
        "t3", "Prize Bingo", "Eyes down every afternoon.",
        pc_targetAudience=[{"id": str(i), "audienceType": a} for i, a in enumerate(MANY_AUDIENCES)],
    ),
    v1_service(
        "t4", "Hope House", "A place to talk.",
        service_taxonomys=[{"id": "l4", "taxonomy": {"id": "esd:328", "name": "Bereavement support",
                                                     "vocabulary": "esdServiceTypes"}}],
    ),
]  # fmt: skip


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    name = ""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path_factory.mktemp('quality') / 'directory.db'}")
    else:
        name = f"kindred_quality_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        engine = create_engine(
            ADMIN_URL.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + "/" + name
        )
    upgrade(engine)
    with Session(engine) as session:
        report = oruk.import_services(session, [to_v3(s) for s in FEED])
        assert not report.rejected, report.rejected
        reindex(session, report.imported)
        session.commit()
    try:
        yield engine
    finally:
        engine.dispose()
        if name:
            with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def documents(engine: Engine) -> dict[str, m.SearchDocument]:
    with Session(engine) as session:
        return {d.service_id: d for d in session.scalars(select(m.SearchDocument))}


def test_a_feeds_own_categories_and_audiences_are_mapped_onto_ours(engine: Engine) -> None:
    docs = documents(engine)
    assert " befriending " in docs["t1"].categories
    assert " lgbt " in docs["t2"].audiences and " activities " in docs["t2"].categories
    assert " bereavement " in docs["t4"].categories
    # A long list of audiences on a bingo night is a welcome to all, not who it is for.
    assert docs["t3"].audiences.strip() == ""


def test_mapped_categories_filter_and_rank(engine: Engine) -> None:
    with Session(engine) as session:
        assert [r.id for r in search(session, Query(category="befriending"), record_unmet=False)] == ["t1"]
        assert search(session, Query(text="LGBT group"), record_unmet=False)[0].id == "t2"
        assert search(session, Query(text="someone to visit me"), record_unmet=False)[0].id == "t1"


def test_embeddings_are_stored_on_import_and_follow_edits(engine: Engine) -> None:
    docs = documents(engine)
    for doc in docs.values():
        vector = np.frombuffer(doc.embedding, dtype=np.float16).astype(np.float32)
        assert vector.shape == (DIMENSIONS,) and abs(float(np.linalg.norm(vector)) - 1.0) < 0.01
    before = docs["t4"].embedding
    with Session(engine) as session:
        service = session.get(m.Service, "t4")
        service.description_text = "A choir for people who love singing."
        reindex(session, ["t4"])
        session.commit()
    assert documents(engine)["t4"].embedding != before


def test_relevance_judgements_are_ids_and_names_only_with_a_held_out_part() -> None:
    header, judgements = load_judgements(REAL_JUDGEMENTS)
    assert header["feed"] and len(judgements) >= 25
    assert len([j for j in judgements if j.part == "held_out"]) >= 8
    raw = yaml.safe_load(REAL_JUDGEMENTS.read_text(encoding="utf-8"))
    assert all(set(r) == {"id", "name"} for q in raw["queries"] for r in q["relevant"])
    assert len(load_judgements(DEMO_JUDGEMENTS)[1]) >= 20


def test_precision_at_five_counts_against_what_could_be_relevant() -> None:
    def result(rid: str, name: str = "x") -> object:
        return type("R", (), {"id": rid, "name": name})()

    few = Judgement("q", ids={"a", "b"})
    assert precision([result("a"), result("z"), result("b")], few) == 1.0
    many = Judgement("q", names=["Lunch Club"])
    assert precision([result(str(i), "Easton Lunch Club" if i % 2 else "Choir") for i in range(5)], many) == 0.4


def test_the_eval_command_is_registered() -> None:
    from launcher.__main__ import main

    with pytest.raises(SystemExit):
        main(["eval", "search", "--help"])
    assert Path(REAL_JUDGEMENTS).is_file()
