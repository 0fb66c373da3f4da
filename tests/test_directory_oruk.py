"""ORUK 3.0 / HSDS 3.0 JSON import and export, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from database import make_engine, upgrade
from directory import models as m
from directory import oruk

SHARED = Path(__file__).resolve().parent / "data" / "oruk"
EXAMPLES = [
    SHARED / "examples_oruk3" / "service_full.json",
    SHARED / "examples_oruk3" / "service_list.json",
    SHARED / "examples_hsds3" / "service_full.json",
    SHARED / "examples_hsds3" / "service_list.json",
]
ADMIN_URL = os.environ.get("KINDRED_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'directory.db'}")  # foreign keys enforced, as in production
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    name = f"kindred_dir_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    engine = create_engine(ADMIN_URL.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + "/" + name)
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def normal(value: object) -> object:
    """For comparing documents: no nulls, lists in a stable order."""
    if isinstance(value, dict):
        return {k: normal(v) for k, v in sorted(value.items()) if v is not None}
    if isinstance(value, list):
        return sorted((normal(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def counts(session: Session) -> dict[str, int]:
    return {t.name: session.scalar(select(func.count()).select_from(t)) for t in m.DirectoryBase.metadata.sorted_tables}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_official_examples_import_and_round_trip(engine: Engine, path: Path) -> None:
    original = oruk.services_in(json.loads(path.read_text()))
    with Session(engine) as session:
        report = oruk.import_file(session, path)
        session.commit()
        assert report.rejected == [] and len(report.imported) == len(original)
        first = [oruk.export_service(session, str(s["id"])) for s in original]
    for source, exported in zip(original, first, strict=True):
        expected = copy.deepcopy(source)
        for sal in expected.get("service_at_locations") or []:
            location = sal.get("location") or {}
            if not -90 <= location.get("latitude", 0) <= 90:
                del location["latitude"]  # reported and left out: latitude 100 is impossible
        assert normal(exported) == normal(expected)
    # import -> export -> import gives the same data
    with Session(engine) as session:
        before = counts(session)
        oruk.import_services(session, first)
        session.commit()
        assert counts(session) == before
        again = [oruk.export_service(session, str(s["id"])) for s in original]
    assert normal(again) == normal(first)


def test_the_impossible_latitude_is_reported(engine: Engine) -> None:
    with Session(engine) as session:
        report = oruk.import_file(session, EXAMPLES[0])
    assert len(report.warnings) == 1 and "latitude 100 is impossible" in report.warnings[0][1]


def test_importing_twice_changes_nothing_and_removed_children_go(engine: Engine) -> None:
    service = oruk.services_in(json.loads(EXAMPLES[0].read_text()))[0]
    with Session(engine) as session:
        oruk.import_services(session, [service])
        session.commit()
        once = counts(session)
        oruk.import_services(session, [service])
        session.commit()
        assert counts(session) == once
        fewer = copy.deepcopy(service)
        fewer["cost_options"] = []
        fewer["name"] = "Renamed service"
        oruk.import_services(session, [fewer])
        session.commit()
        assert session.scalar(select(func.count()).select_from(m.CostOption)) == 0
        assert session.get(m.Service, service["id"]).name == "Renamed service"


def test_bad_records_are_reported_and_the_rest_imported(engine: Engine) -> None:
    good = oruk.services_in(json.loads(EXAMPLES[1].read_text()))[0]
    missing_name = {"id": "no-name", "status": "active"}
    wrong_type = copy.deepcopy(good) | {"id": "wrong-type", "minimum_age": "eighteen"}
    vendor = copy.deepcopy(good) | {"id": "vendor-fields", "x_council_ref": {"code": 42}}
    with Session(engine) as session:
        report = oruk.import_services(session, [missing_name, good, wrong_type, good, "not an object", vendor])
        session.commit()
        reasons = dict(report.rejected)
        assert set(report.imported) == {good["id"], "vendor-fields"}
        assert "name" in reasons["no-name"]
        assert "minimum_age" in reasons["wrong-type"]
        assert "twice" in reasons[good["id"]]
        assert "record 5" in reasons
        assert oruk.export_service(session, "vendor-fields")["x_council_ref"] == {"code": 42}


def test_html_in_descriptions_is_kept_and_made_plain_for_chat(engine: Engine) -> None:
    good = oruk.services_in(json.loads(EXAMPLES[1].read_text()))[0]
    html = "<p>Friendly <b>lunch club</b> &amp; chat.</p><script>alert('x')</script><p>Tuesdays</p>"
    with Session(engine) as session:
        oruk.import_services(session, [good | {"description": html}])
        session.commit()
        service = session.get(m.Service, good["id"])
        assert service.description == html
        assert service.description_text == "Friendly lunch club & chat.\nTuesdays"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xff\xfe not utf-8 \x80", "not UTF-8"),
        (b'{"id": "x", "name": ', "not valid JSON"),
        (b'{"hello": "world"}', "not an ORUK 3.0 service"),
    ],
)
def test_unreadable_files_get_a_clear_report(engine: Engine, tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "feed.json"
    path.write_bytes(content)
    with Session(engine) as session, pytest.raises(oruk.ImportError_, match=words):
        oruk.import_file(session, path)


def test_export_is_a_paged_services_response(engine: Engine) -> None:
    with Session(engine) as session:
        oruk.import_file(session, EXAMPLES[1])
        session.commit()
        page = oruk.export_services(session)
    assert page["total_items"] == 1 and page["contents"][0]["name"]
    assert oruk.services_in(page) == page["contents"]
