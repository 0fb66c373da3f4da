"""`./kindred directory import|export|stats` against a real database file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from directory.categories import BY_KEY, CATEGORIES, for_esd

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "tests" / "data" / "oruk" / "examples_oruk3"


def kindred(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, KINDRED_VAR=str(tmp_path), DATABASE_URL="", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "launcher", "directory", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_import_stats_and_export(tmp_path: Path) -> None:
    done = kindred(tmp_path, "import", str(EXAMPLES / "service_full.json"), str(EXAMPLES / "service_list.json"))
    assert done.returncode == 0, done.stderr
    assert "1 services imported" in done.stdout or "2 services imported" in done.stdout
    assert "latitude 100 is impossible" in done.stdout
    stats = json.loads(kindred(tmp_path, "stats", "--json").stdout)
    assert stats["services"] == 1 and stats["by_status"] == {"active": 1}
    assert [s["id"] for s in stats["not_checked"]] == ["ac148810-d857-441c-9679-408f346de14b"]  # assured 2023
    assert "by category" in kindred(tmp_path, "stats").stdout
    out = tmp_path / "export.json"
    assert kindred(tmp_path, "export", "--format", "json", str(out)).returncode == 0
    assert json.loads(out.read_text())["contents"][0]["id"] == "ac148810-d857-441c-9679-408f346de14b"


def test_csv_datapackage_import_and_export(tmp_path: Path) -> None:
    folder = ROOT / "tests" / "data" / "oruk" / "examples_hsds3" / "csv"
    done = kindred(tmp_path, "import", str(folder))
    assert done.returncode == 0, done.stderr
    assert "1 services imported" in done.stdout
    out = tmp_path / "csv-out"
    assert kindred(tmp_path, "export", "--format", "csv", str(out)).returncode == 0
    assert (out / "services.csv").is_file() and (out / "datapackage.json").is_file()


def test_unreadable_and_other_documents_are_explained(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe\x00")
    done = kindred(tmp_path, "import", str(bad), str(EXAMPLES / "taxonomy.json"))
    assert done.returncode == 1
    assert "not UTF-8" in done.stderr and "taxonomy terms, not services" in done.stderr


def test_categories_map_to_esd_codes() -> None:
    assert for_esd("272") == "transport" and for_esd("901") == "transport"
    assert for_esd("298") == "carers" and for_esd("1790") == "respite"
    assert for_esd("999999") is None
    assert "befriending" in BY_KEY and BY_KEY["befriending"].esd == ()
    assert len({c.key for c in CATEGORIES}) == len(CATEGORIES)


def test_search_prints_json_with_distance_and_why(tmp_path: Path) -> None:
    from sqlalchemy.orm import Session

    from database import make_engine, upgrade
    from directory.demo import ensure_loaded

    engine = make_engine(f"sqlite:///{tmp_path / 'kindred.db'}")
    upgrade(engine)
    with Session(engine) as session:
        ensure_loaded(session)
    engine.dispose()
    done = kindred(tmp_path, "search", "lunch club", "--near", "BS5 0HE", "--within", "3", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert rows and {"id", "name", "distance_miles", "why"} <= set(rows[0])
    assert rows[0]["why"].startswith(f"{rows[0]['distance_miles']:.1f} miles away")
    bad = kindred(tmp_path, "search", "choir", "--near", "not a postcode")
    assert bad.returncode == 2 and "doesn't look like a UK postcode" in bad.stderr
