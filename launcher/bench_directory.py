"""`./kindred bench directory`: search latency at 100,000 services, and import throughput.

A benchmark, not a test. Services are synthetic, placed at random real postcodes across England;
searches are the ones residents make (words near a postcode, a category near a postcode, a day and
time near a postcode). Searches with words are hybrid (`directory.search`): each encodes its words
with the sentence encoder and compares them with the stored embeddings of the services its filters
allow, so the timings include that. Reports p50/p95 over repeated runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import insert
from sqlalchemy.orm import Session

from database import make_engine, upgrade
from directory import demo, oruk, vectors
from directory import models as m
from directory.categories import CATEGORIES
from directory.geo import grid_to_wgs84, locate, postcode_table
from directory.search import DAYS, Query, reindex, search

WORDS = ["lunch club", "choir", "befriending", "walking group", "coffee morning", "community transport",
         "carers group", "art class", "mens shed", "youth club", "bereavement cafe", "time bank", "advice",
         "knitting", "bowls"]  # fmt: skip
# Searches as residents type them, one for each place searched.
TEXTS = ["lunch club", "luncheon club for older people", "singing or choir", "befriending", "coffee morning",
         "help with money and bills"]  # fmt: skip
LETTERS = "BLMSNDWEHCPT"
ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _points(rng: random.Random, n: int) -> list[tuple[str, float, float]]:
    codes: list[tuple[str, tuple[float, float]]] = []
    for letter in LETTERS:
        codes += list(postcode_table(letter).items())
    picked = rng.sample(codes, n)
    return [(c, *_latlon(v)) for c, v in picked]


def _latlon(grid: tuple[float, float]) -> tuple[float, float]:
    point = grid_to_wgs84(*grid)
    return point.lat, point.lon


def bulk_load(session: Session, n: int, seed: int = 11) -> float:
    """Write n synthetic services and their search documents directly. Returns seconds."""
    rng = random.Random(seed)
    began = time.perf_counter()
    points = _points(rng, n)
    # Every service of a kind has the same words, so one embedding per kind, stored with each.
    vectors_by_word = {w: vectors.encode_document(w.title(), "", f"A {w} for local people.") for w in WORDS}
    services, documents = [], []
    for i, (code, lat, lon) in enumerate(points):
        sid = str(uuid.UUID(int=rng.getrandbits(128)))
        word = rng.choice(WORDS)
        category = rng.choice(CATEGORIES).key
        days = rng.sample(DAYS, rng.randint(1, 2))
        opens = rng.choice(["09:00", "10:00", "13:00", "18:00"])
        closes = f"{int(opens[:2]) + 2:02d}:00"
        text = f"A {word} for local people."
        services.append({"id": sid, "name": f"{word.title()} {i}", "description": text, "description_text": text,
                         "status": "active", "extra": {}})  # fmt: skip
        documents.append({"service_id": sid, "name": f"{word.title()} {i}", "summary": text,
                          "document": f"{word} {i} a {word} for local people {category}",
                          "categories": f" {category} ", "audiences": " ", "access": " ", "languages": " english ",
                          "days": " " + " ".join(days) + " ", "sessions": [[d, opens, closes] for d in days],
                          "free": rng.random() < 0.5, "cost": None, "active": True, "latitude": lat,
                          "longitude": lon, "postcode": code, "embedding": vectors_by_word[word]})  # fmt: skip
    for start in range(0, n, 5000):
        session.execute(insert(m.Service), services[start : start + 5000])
        session.execute(insert(m.SearchDocument), documents[start : start + 5000])
    session.commit()
    return time.perf_counter() - began


def _time(session: Session, query: Query, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        search(session, query, record_unmet=False)
        times.append((time.perf_counter() - began) * 1000)
    return times


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def measure(url: str, n: int, runs: int) -> dict:
    """Load and time one database."""
    engine = make_engine(url)
    upgrade(engine)
    out: dict = {}
    with Session(engine) as session:
        sample = demo.services()[:100]
        began = time.perf_counter()
        report = oruk.import_services(session, sample)
        reindex(session, report.imported)
        session.commit()
        out["import_per_s"] = len(report.imported) / (time.perf_counter() - began)
        out["bulk_s"] = bulk_load(session, n)
        near = [locate(p) for p in ("BS5", "M14", "LS6", "B29", "S10", "NE6")]
        queries = {
            "text + near": [Query(text=t, near=p, within_miles=5) for p, t in zip(near, TEXTS, strict=True)],
            "category + near": [Query(category="befriending", near=p, within_miles=5) for p in near],
            "day + time + near": [Query(day="tue", time="10:30", near=p, within_miles=5) for p in near],
        }
        for name, qs in queries.items():
            times: list[float] = []
            for q in qs:
                search(session, q, record_unmet=False)
                times += _time(session, q, max(1, runs // len(qs)))
            out[name] = (_pct(times, 50), _pct(times, 95))
    engine.dispose()
    return out


def bench_directory(n: int, runs: int) -> int:
    """Run on SQLite and PostgreSQL and print a table."""
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        rows["SQLite"] = measure(f"sqlite:///{Path(tmp) / 'bench.db'}", n, runs)
    name = f"kindred_bench_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(ADMIN, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        rows["PostgreSQL"] = measure(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", n, runs)
    except psycopg.OperationalError as error:
        print(f"PostgreSQL skipped: {error}")
    finally:
        try:
            with psycopg.connect(ADMIN, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except psycopg.OperationalError:
            pass
    print(f"\n{n:,} synthetic services across England; {runs} runs of each search (p50 / p95 ms)\n")
    head = f"{'':<12}{'text + near':>18}{'category + near':>18}{'day + time + near':>20}"
    print(f"{head}{'import/s':>10}{'bulk load s':>13}")
    for db, r in rows.items():
        cells = "".join(f"{r[k][0]:>9.1f} /{r[k][1]:>6.1f}" for k in ("text + near", "category + near"))
        day = r["day + time + near"]
        print(f"{db:<12}{cells}{day[0]:>11.1f} /{day[1]:>6.1f}{r['import_per_s']:>10.0f}{r['bulk_s']:>13.1f}")
    return 0
