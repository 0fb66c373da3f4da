"""`./kindred eval search`: precision at 5 of plain-language directory searches.

Two directories, each in a throwaway SQLite database: the fictional demo directory
(`tests/data/search_judgements_demo.yml`) and a real council feed (`--feed`, ORUK 1.0 or 3.0 JSON,
by default the one `tests/data/search_judgements_real.yml` was written for, beside the project in
`../shared/oruk_real/`), imported exactly as `./kindred directory import` does. Each query is
searched as the assistant and the CLI search (text only, ten results); precision at 5 is
(relevant among the first five) / min(5, relevant judged), per query and as the mean, with the
real feed's `dev` and `held_out` queries reported apart (tune on dev; measure held-out once).
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from database import make_engine, upgrade
from directory import demo, oruk
from directory.search import Query, Result, reindex, search
from launcher.paths import ROOT

DATA = ROOT / "tests" / "data"
REAL_JUDGEMENTS = DATA / "search_judgements_real.yml"
DEMO_JUDGEMENTS = DATA / "search_judgements_demo.yml"
SHARED_FEEDS = ROOT.parent / "shared" / "oruk_real"
AT = 5


@dataclass
class Judgement:
    """One query and what answers it: service ids, or patterns the end of a service's name matches."""

    query: str
    part: str = "dev"
    ids: set[str] = field(default_factory=set)
    names: list[str] = field(default_factory=list)

    def relevant(self, result: Result) -> bool:
        """Whether a result answers the query."""
        return result.id in self.ids or any(re.search(f"{p}$", result.name) for p in self.names)


def load_judgements(path: Path) -> tuple[dict, list[Judgement]]:
    """The file's header (e.g. which feed) and its judgements."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    judgements = [
        Judgement(
            query=item["query"],
            part=item.get("part", "dev"),
            ids={str(r["id"]) for r in item.get("relevant", [])},
            names=list(item.get("relevant_names", [])),
        )
        for item in document["queries"]
    ]
    for judgement in judgements:
        if not judgement.ids and not judgement.names:
            raise ValueError(f"{path.name}: {judgement.query!r} has no relevant services")
    return document, judgements


@contextmanager
def throwaway_directory(feed: Path | None) -> Iterator[Session]:
    """A session on a temporary SQLite directory holding the feed (or, without one, the demo)."""
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'directory.db'}")
        upgrade(engine)
        try:
            with Session(engine) as session:
                if feed is None:
                    demo.ensure_loaded(session)
                else:
                    _import(session, feed)
                yield session
        finally:
            engine.dispose()


def _import(session: Session, feed: Path) -> None:
    report = oruk.import_file(session, feed)
    reindex(session, report.imported)
    session.commit()
    print(f"{feed.name}: {report.summary()}", file=sys.stderr)


def precision(results: list[Result], judgement: Judgement) -> float:
    """Relevant results among the first five, over the most that could be relevant there."""
    possible = len(judgement.ids) if judgement.ids else AT
    hits = sum(judgement.relevant(r) for r in results[:AT])
    return hits / min(AT, possible)


def _report(session: Session, title: str, judgements: list[Judgement], show: bool) -> list[float]:
    print(f"\n{title}\n{'P@5':>6}  query")
    scores = []
    for judgement in judgements:
        results = search(session, Query(text=judgement.query, limit=10), record_unmet=False)
        scores.append(precision(results, judgement))
        print(f"{scores[-1]:>6.2f}  {judgement.query}")
        if show:
            for r in results[:AT]:
                print(f"{'':>8}{'+' if judgement.relevant(r) else '-'} {r.name}")
    print(f"{statistics.mean(scores):>6.2f}  mean of {len(scores)} queries")
    return scores


def default_feed(header: dict) -> Path | None:
    """The feed a judgements file was written for, where the project keeps real feeds."""
    path = SHARED_FEEDS / header["feed"] if header.get("feed") else None
    return path if path is not None and path.is_file() else None


def evaluate_search(feed: str | None, judgements: str | None, show: bool = False) -> int:
    """Print precision at 5 on the demo directory and on a real feed (dev and held-out apart)."""
    _, demo_judgements = load_judgements(DEMO_JUDGEMENTS)
    with throwaway_directory(None) as session:
        _report(session, "Demo directory (fictional, Bristol)", demo_judgements, show)
    header, real = load_judgements(Path(judgements) if judgements else REAL_JUDGEMENTS)
    path = Path(feed) if feed else default_feed(header)
    if path is None:
        print(f"\nNo real feed: pass --feed (the judgements were written for {header.get('feed')}).")
        return 0
    with throwaway_directory(path) as session:
        for part in ("dev", "held_out"):
            chosen = [j for j in real if j.part == part]
            if chosen:
                _report(session, f"{path.name}: {part} ({len(chosen)} queries)", chosen, show)
    return 0
