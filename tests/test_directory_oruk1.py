"""ORUK 1.0 feeds: mapped onto 3.0, validated, vendor fields kept, searchable."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from database import upgrade
from directory import models as m
from directory import oruk
from directory.geo import locate
from directory.oruk1 import is_v1, to_v3
from directory.search import Query, reindex, search

FEED = Path(__file__).resolve().parent / "data" / "oruk1_feed.json"


def test_a_council_feed_imports_and_keeps_everything(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'd.db'}")
    upgrade(engine)
    with Session(engine) as session:
        report = oruk.import_file(session, FEED)
        assert report.imported == ["1001"]
        assert report.rejected[0][0] == "1002" and "name" in report.rejected[0][1]
        reindex(session, report.imported)
        session.commit()
        service = session.get(m.Service, "1001")
        assert service.minimum_age == 60 and service.description_text == "A luncheon club for older people."
        exported = oruk.export_service(session, "1001")
        assert exported["x_council_internal_ref"] == "FS-22-104"
        assert exported["attending_access"] == "drop-in"
        assert exported["organization"]["website"] == "https://example.org"
        assert exported["organization"]["x_oruk1"] == {"year_incorporated": 1994}
        address = exported["service_at_locations"][0]["location"]["addresses"][0]
        assert address["address_1"] == "Downend Road, Fishponds" and address["x_oruk1"] == {"uprn": "123456"}
        assert sorted(s["byday"] for s in exported["schedules"]) == ["FR", "TU"]
        results = search(session, Query(text="lunch club", near=locate("BS16 5AS"), within_miles=2))
        assert results[0].id == "1001"
        assert results[0].why.startswith(f"{results[0].distance_miles:.1f} miles away · Tuesdays 12:00–14:00")
        assert "step-free access" in results[0].why or "hearing loop" in results[0].why
        document = session.scalars(select(m.SearchDocument)).first()
        assert " food " in document.categories


def test_version_detection() -> None:
    assert is_v1({"id": "1", "eligibilitys": []})
    assert not is_v1({"id": "1", "name": "x", "status": "active", "schedules": []})
    assert to_v3({"id": 7, "name": "x"})["id"] == "7"
