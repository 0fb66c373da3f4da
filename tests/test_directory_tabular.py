"""The CSV datapackage: the official examples import, and CSV -> database -> CSV -> database round-trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from database import upgrade
from directory import oruk, tabular
from tests.test_directory_oruk import engine, normal  # noqa: F401 - the SQLite/PostgreSQL fixture

SHARED = Path(__file__).resolve().parent / "data" / "oruk"
SERVICE = "ac148810-d857-441c-9679-408f346de14b"


@pytest.mark.parametrize("folder", ["examples_oruk3/csv", "examples_hsds3/csv"])
def test_official_csv_examples_import_and_round_trip(engine: Engine, folder: str, tmp_path: Path) -> None:  # noqa: F811
    with Session(engine) as session:
        report = tabular.import_folder(session, SHARED / folder)
        session.commit()
        assert report.imported == [SERVICE] and report.rejected == [], report
        assert "latitude 100 is impossible" in report.warnings[0][1]
        first = oruk.export_service(session, SERVICE)
        assert tabular.export_folder(session, tmp_path / "a") == 1
    assert first["organization"]["name"] and first["service_at_locations"][0]["location"]["addresses"]
    # (the examples' one attribute row links to an id that is in no table, so it attaches to nothing)
    assert first["schedules"] and first["cost_options"] and first["contacts"]
    # import the exported CSV into an empty database: the same data comes back
    fresh = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(fresh)
    with Session(fresh) as session:
        again = tabular.import_folder(session, tmp_path / "a")
        session.commit()
        assert again.imported == [SERVICE] and again.rejected == []
        second = oruk.export_service(session, SERVICE)
        tabular.export_folder(session, tmp_path / "b")
    fresh.dispose()
    assert normal(second) == normal(first)
    for name in sorted(p.name for p in (tmp_path / "a").glob("*.csv")):
        assert (tmp_path / "a" / name).read_text() == (tmp_path / "b" / name).read_text(), name
    package = json.loads((tmp_path / "a" / "datapackage.json").read_text())
    assert {r["name"] for r in package["resources"]} >= {"services", "locations", "schedules"}


def test_bad_folders_are_explained(tmp_path: Path) -> None:
    (tmp_path / "services.csv").write_bytes(b"id,name\n1,\xff\xfe\n")
    with pytest.raises(oruk.ImportError_, match="not UTF-8"):
        tabular.read_tables(tmp_path)
    (tmp_path / "services.csv").unlink()
    with pytest.raises(oruk.ImportError_, match="no services.csv"):
        tabular.read_tables(tmp_path)
    with pytest.raises(oruk.ImportError_, match="not a folder"):
        tabular.read_tables(tmp_path / "nope")


def test_wrong_types_in_csv_are_reported_with_the_id(tmp_path: Path) -> None:
    (tmp_path / "services.csv").write_text("id,name,status,minimum_age\ns1,Choir,active,old\ns2,Club,active,18\n")
    database = create_engine(f"sqlite:///{tmp_path / 'd.db'}")
    upgrade(database)
    with Session(database) as session:
        report = tabular.import_folder(session, tmp_path)
    assert report.imported == ["s2"] and report.rejected[0][0] == "s1" and "minimum_age" in report.rejected[0][1]
