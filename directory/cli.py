"""`./kindred directory ...`: import, export and count the directory (honours DATABASE_URL)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import settings as settings_module
from database import make_engine, upgrade
from directory import models as m
from directory import oruk, tabular
from directory.geo import PostcodeError, locate, normalise
from directory.search import Query, reindex, search


def _files(paths: list[str]) -> list[Path]:
    """JSON files, and folders that are CSV datapackages (they hold a services.csv)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += [path] if (path / "services.csv").is_file() else sorted(path.rglob("*.json"))
            found += [p.parent for p in sorted(path.rglob("services.csv")) if p.parent != path]
        else:
            found.append(path)
    return found


def _progress(done: int, total: int, name: str) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name[:40]:<40}")
    sys.stderr.flush()


def cmd_import(session: Session, args: argparse.Namespace) -> int:
    """Import ORUK 3.0 JSON files (or folders of them), each record validated."""
    files = _files(args.paths)
    total = oruk.Report()
    failed = False
    for index, path in enumerate(files):
        _progress(index, len(files), path.name)
        try:
            report = tabular.import_folder(session, path) if path.is_dir() else oruk.import_file(session, path)
        except oruk.NotServices as note:
            print(f"\n{path}: {note}", file=sys.stderr)
            continue
        except (oruk.ImportError_, OSError) as error:
            print(f"\n{path}: {error}", file=sys.stderr)
            failed = True
            continue
        reindex(session, report.imported)
        session.commit()
        total.imported += report.imported
        total.rejected += report.rejected
        total.warnings += report.warnings
    _progress(len(files), len(files), "done")
    print(file=sys.stderr)
    for record_id, reason in total.rejected:
        print(f"rejected {record_id}: {reason}")
    for record_id, note in total.warnings:
        print(f"note {record_id}: {note}")
    print(total.summary())
    return 1 if failed else 0


def cmd_export(session: Session, args: argparse.Namespace) -> int:
    """Write every service as an ORUK 3.0 `/services` page, or a CSV datapackage folder."""
    if args.format == "csv":
        count = tabular.export_folder(session, Path(args.out))
        print(f"{count} services written to {args.out}/ (CSV datapackage)")
        return 0
    page = oruk.export_services(session)
    Path(args.out).write_text(json.dumps(page, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"{page['total_items']} services written to {args.out}")
    return 0


def cmd_search(session: Session, args: argparse.Namespace) -> int:
    """Search the directory as the assistant does."""
    near, area = None, None
    if args.near:
        try:
            near, area = locate(args.near), normalise(args.near).split(" ")[0]
        except PostcodeError as error:
            print(error, file=sys.stderr)
            return 2
    query = Query(
        text=args.text or "",
        near=near,
        within_miles=args.within,
        category=args.category,
        day=args.day,
        time=args.time,
        free_only=args.free,
        limit=args.limit,
        area=area,
    )
    results = search(session, query)
    session.commit()
    if args.json:
        rows = [
            {"id": r.id, "name": r.name, "why": r.why, "postcode": r.postcode}
            | ({"distance_miles": r.distance_miles} if near else {})
            for r in results
        ]
        print(json.dumps(rows, ensure_ascii=False))
    elif not results:
        print("Nothing found. (The search is recorded, without personal data, so staff can see what is missing.)")
    else:
        for r in results:
            print(f"{r.name}\n  {r.why}")
    return 0


def cmd_reindex(session: Session, args: argparse.Namespace) -> int:
    """Rebuild every search document (categories, full text, embeddings) from the stored services."""
    count = reindex(session)
    session.commit()
    print(f"{count} services reindexed")
    return 0


def cmd_stats(session: Session, args: argparse.Namespace) -> int:
    """Counts by status and category, and entries nobody has checked for a long time."""
    by_status = dict(session.execute(select(m.Service.status, func.count()).group_by(m.Service.status)).all())
    by_category: dict[str, int] = {}
    for keys in session.scalars(select(m.SearchDocument.categories)):
        for key in keys.split():
            by_category[key] = by_category.get(key, 0) + 1
    cutoff = (dt.date.today() - dt.timedelta(days=args.stale_days)).isoformat()
    stale = session.execute(
        select(m.Service.id, m.Service.name, m.Service.assured_date)
        .where((m.Service.assured_date.is_(None)) | (m.Service.assured_date < cutoff))
        .order_by(m.Service.assured_date.is_(None).desc(), m.Service.assured_date)
    ).all()
    stats = {
        "services": sum(by_status.values()),
        "by_status": by_status,
        "by_category": dict(sorted(by_category.items())),
        "not_checked_since": cutoff,
        "not_checked": [{"id": i, "name": n, "assured_date": a} for i, n, a in stale],
    }
    if args.json:
        print(json.dumps(stats, ensure_ascii=False))
        return 0
    print(f"{stats['services']} services")
    for name, table in (("status", by_status), ("category", stats["by_category"])):
        print(f"by {name}: " + (", ".join(f"{k} {v}" for k, v in table.items()) or "none"))
    print(f"not checked since {cutoff}: {len(stale)}")
    for row in stats["not_checked"][:20]:
        print(f"  {row['name']} ({row['assured_date'] or 'never checked'})")
    return 0


def main(argv: list[str]) -> int:
    """Parse `directory` arguments and run."""
    parser = argparse.ArgumentParser(prog="kindred directory")
    sub = parser.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="import ORUK 3.0 JSON files or folders")
    imp.add_argument("paths", nargs="+")
    imp.set_defaults(func=cmd_import)
    exp = sub.add_parser("export", help="export ORUK 3.0 JSON")
    exp.add_argument("--format", choices=["json", "csv"], default="json")
    exp.add_argument("out")
    exp.set_defaults(func=cmd_export)
    find = sub.add_parser("search", help="search like the assistant does")
    find.add_argument("text", nargs="?", default="")
    find.add_argument("--near", help="a postcode or outward code, e.g. BS5 or BS5 0HE")
    find.add_argument("--within", type=float, default=5.0, help="miles (default 5)")
    find.add_argument("--category")
    find.add_argument("--day", help="mon, tue, ...")
    find.add_argument("--time", help="HH:MM")
    find.add_argument("--free", action="store_true")
    find.add_argument("--limit", type=int, default=10)
    find.add_argument("--json", action="store_true")
    find.set_defaults(func=cmd_search)
    sub.add_parser("reindex", help="rebuild search documents and embeddings").set_defaults(func=cmd_reindex)
    stats = sub.add_parser("stats", help="counts")
    stats.add_argument("--json", action="store_true")
    stats.add_argument("--stale-days", type=int, default=365, help="entries not checked for this long")
    stats.set_defaults(func=cmd_stats)
    args = parser.parse_args(argv)
    config = settings_module.load()
    config.var.mkdir(parents=True, exist_ok=True)
    engine = make_engine(config.app_database_url)
    upgrade(engine)
    try:
        with Session(engine) as session:
            return args.func(session, args)
    finally:
        engine.dispose()
