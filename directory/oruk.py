"""Import and export of Open Referral UK 3.0 JSON (single services and paged `/services` lists).

One description of the ORUK 3.0 service tree (`SERVICE`) drives both directions, so what is
imported exports again unchanged. Imports are upserts by id: importing the same file twice changes
nothing, and children that disappeared from a newer version of a service are removed. Every record
is validated against the official compiled schema and imported in its own savepoint: a rejected
record is reported with its id and the reason, and never disturbs the others or what was there.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
from sqlalchemy import delete, select
from sqlalchemy.orm import DeclarativeBase, Session

from directory import models as m

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "oruk3.0_service_compiled.json"
# Columns the importer maintains itself, never read from or written to a file.
INTERNAL = {"extra", "description_text", "imported_at", "link_entity"}


@dataclass(frozen=True)
class Child:
    """A nested key of an entity: how the child is stored and linked to its parent."""

    key: str
    node: Node
    many: bool
    # "child": the child holds the parent's id in `fk`; "parent": the parent holds the child's id
    # in `fk`; "attribute": an Attribute whose link_id is the parent's id.
    link: str
    fk: str = ""


@dataclass(frozen=True)
class Node:
    """An entity type in the tree."""

    model: type[DeclarativeBase]
    children: tuple[Child, ...] = ()

    @property
    def columns(self) -> list[str]:
        return [c.key for c in self.model.__table__.columns if c.key not in INTERNAL]


TERM = Node(m.TaxonomyTerm)
ATTRIBUTES = Child(
    "attributes",
    Node(m.Attribute, (Child("taxonomy_term", TERM, False, "parent", "taxonomy_term_id"),)),
    True,
    "attribute",
)
LOCATION = Node(
    m.Location,
    (
        Child("addresses", Node(m.Address, (ATTRIBUTES,)), True, "child", "location_id"),
        Child("accessibility", Node(m.Accessibility, (ATTRIBUTES,)), True, "child", "location_id"),
        ATTRIBUTES,
    ),
)
ORGANIZATION = Node(
    m.Organization,
    (
        Child(
            "organization_identifiers", Node(m.OrganizationIdentifier, (ATTRIBUTES,)), True, "child", "organization_id"
        ),
        ATTRIBUTES,
    ),
)
SERVICE = Node(
    m.Service,
    (
        Child("schedules", Node(m.Schedule), True, "child", "service_id"),
        Child("service_areas", Node(m.ServiceArea), True, "child", "service_id"),
        Child(
            "service_at_locations",
            Node(m.ServiceAtLocation, (Child("location", LOCATION, False, "parent", "location_id"),)),
            True,
            "child",
            "service_id",
        ),
        Child("languages", Node(m.Language), True, "child", "service_id"),
        Child("organization", ORGANIZATION, False, "parent", "organization_id"),
        Child("funding", Node(m.Funding), True, "child", "service_id"),
        Child("cost_options", Node(m.CostOption), True, "child", "service_id"),
        Child("contacts", Node(m.Contact, (ATTRIBUTES,)), True, "child", "service_id"),
        ATTRIBUTES,
    ),
)  # fmt: skip


@dataclass
class Report:
    """What an import did."""

    imported: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    # Values left out of an imported record, with the reason (e.g. an impossible latitude).
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        """One line for people."""
        return (
            f"{len(self.imported)} services imported, {len(self.rejected)} rejected, "
            f"{len(self.warnings)} values left out"
        )


class ImportError_(ValueError):
    """A file that cannot be read at all (the message says why)."""


class NotServices(ImportError_):
    """A valid ORUK document of another kind (organisations, locations, taxonomies)."""


# --- reading files -------------------------------------------------------------------------------


def read_json(path: Path, max_bytes: int = 200 * 1024 * 1024) -> Any:
    """Parse a JSON file, with clear errors for the usual problems."""
    if path.stat().st_size > max_bytes:
        raise ImportError_(f"{path.name} is larger than {max_bytes // 1024 // 1024} MB; split it into pages.")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportError_(f"{path.name} is not UTF-8 text (byte {error.start}); save it as UTF-8.") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportError_(f"{path.name} is not valid JSON: {error.msg} at line {error.lineno}.") from None


def kind_of(record: Any) -> str:
    """What an ORUK/HSDS object is, from the keys only that kind has."""
    if not isinstance(record, dict):
        return "unknown"
    keys = set(record)
    if {"service", "location"} <= keys:
        return "service_at_location"
    if keys & {"status", "service_at_locations", "cost_options", "schedules"} and "location_type" not in keys:
        return "service"
    if "location_type" in keys:
        return "location"
    if keys & {"organization_identifiers", "website", "parent_organization_id", "services"}:
        return "organization"
    if keys & {"term", "taxonomy_id", "taxonomy", "parent_id", "version"}:
        return "taxonomy"
    return "service" if "name" in keys or "id" in keys else "unknown"


def services_in(document: Any) -> list[Any]:
    """The services in a single-service document, a list, or a paged `/services` response.

    Other documents (locations, organisations, taxonomies) are refused with a clear reason: their
    contents arrive with the services that use them.
    """
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        items = document["contents"]
    elif isinstance(document, list):
        items = document
    elif isinstance(document, dict):
        items = [document]
    else:
        items = []
    kinds = {kind_of(item) for item in items if isinstance(item, dict)} - {"unknown"}
    if items and kinds and "service" not in kinds:
        kind = {"service_at_location": "services at locations", "taxonomy": "taxonomy terms"}.get(
            sorted(kinds)[0], sorted(kinds)[0] + "s"
        )
        raise NotServices(
            f"skipped: it holds {kind}, not services (locations, organisations and taxonomy terms "
            "are imported with the services that use them)."
        )
    if items and not kinds:
        items = []
    if not isinstance(document, list | dict) or (isinstance(document, dict) and not items[0:1]):
        raise ImportError_("This is not an ORUK 3.0 service, list of services or paged /services response.")
    return items


# --- validation ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def problems(record: Any) -> list[str]:
    """Why a record is not a valid ORUK 3.0 service (empty when it is)."""
    if not isinstance(record, dict):
        return ["a service must be a JSON object"]
    found = []
    for error in sorted(_validator().iter_errors(record), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path) or "(service)"
        found.append(f"{where}: {error.message}")
    return found


def drop_impossible(record: dict) -> tuple[dict, list[str]]:
    """A copy of the record without impossible coordinates, and what was left out."""
    record = json.loads(json.dumps(record))
    dropped = []
    for sal in record.get("service_at_locations") or []:
        location = sal.get("location") if isinstance(sal, dict) else None
        if not isinstance(location, dict):
            continue
        for key, limit in (("latitude", 90), ("longitude", 180)):
            value = location.get(key)
            if isinstance(value, int | float) and not -limit <= value <= limit:
                dropped.append(f"location {location.get('id')}: {key} {value} is impossible, so it was left out")
                del location[key]
    return record, dropped


# --- plain text for chat ---------------------------------------------------------------------------


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("br", "p", "li", "div", "tr", "h1", "h2", "h3"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def plain_text(value: str | None) -> str:
    """Description markup as plain text: tags and scripts removed, entities decoded."""
    if not value:
        return ""
    parser = _Text()
    parser.feed(value)
    parser.close()
    text = html.unescape("".join(parser.parts))
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n", text).strip()


# --- import ----------------------------------------------------------------------------------------


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _upsert(
    session: Session, node: Node, data: dict, link: dict[str, Any], entity: str | None = None
) -> DeclarativeBase:
    nested = {c.key for c in node.children}
    # Objects this row points at (organisation, location, taxonomy term) are stored first, so a
    # database that checks foreign keys at once (PostgreSQL) never sees a dangling reference.
    pointers = {
        child.fk: _upsert(session, child.node, data[child.key], {}).id
        for child in node.children
        if child.link == "parent" and isinstance(data.get(child.key), dict)
    }
    row = session.get(node.model, str(data["id"]))
    if row is None:
        row = node.model(id=str(data["id"]))
        session.add(row)
    for column in node.columns:
        if column in data and column not in nested:
            setattr(row, column, _number(data[column]) if column != "id" else str(data["id"]))
        elif column not in link and column != "id":
            setattr(row, column, None)
    for column, value in (link | pointers).items():
        setattr(row, column, value)
    row.extra = {k: v for k, v in data.items() if k not in node.columns and k not in nested}
    if isinstance(row, m.Service):
        row.description_text = plain_text(row.description)
    if isinstance(row, m.Attribute):
        row.link_entity = entity
    session.flush()
    for child in node.children:
        if child.key not in data or child.link == "parent":
            continue
        value = data[child.key]
        items = value if isinstance(value, list) else []
        keep = []
        for item in items:
            if child.link == "attribute":
                keep.append(_upsert(session, child.node, item, {"link_id": row.id}, node.model.__tablename__).id)
            else:
                keep.append(_upsert(session, child.node, item, {child.fk: row.id}).id)
        model = child.node.model
        owner = model.link_id if child.link == "attribute" else getattr(model, child.fk)
        session.execute(delete(model).where(owner == row.id, model.id.not_in(keep)))
    session.flush()
    return row


def import_services(session: Session, records: list[Any]) -> Report:
    """Validate and upsert services, each in its own savepoint."""
    report = Report()
    seen: set[str] = set()
    for index, record in enumerate(records):
        record_id = str(record.get("id")) if isinstance(record, dict) and record.get("id") else f"record {index + 1}"
        reasons = problems(record)
        if record_id in seen:
            reasons.append("the same id appears twice in this import")
        if reasons:
            report.rejected.append((record_id, "; ".join(reasons[:3])))
            continue
        seen.add(record_id)
        record, dropped = drop_impossible(record)
        report.warnings += [(record_id, d) for d in dropped]
        try:
            with session.begin_nested():
                _upsert(session, SERVICE, record, {})
        except Exception as error:  # one bad record must not stop the rest; its reason is reported
            report.rejected.append((record_id, f"could not be stored: {error.__class__.__name__}: {error}"[:300]))
            continue
        report.imported.append(record_id)
    return report


def import_file(session: Session, path: Path) -> Report:
    """Import one ORUK JSON file: a single service, a list, or a page of `/services`; 3.0 or 1.0."""
    from directory.oruk1 import is_v1, to_v3

    records = services_in(read_json(path))
    return import_services(session, [to_v3(r) if is_v1(r) else r for r in records])


# --- export ----------------------------------------------------------------------------------------


def _value(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _dump(session: Session, node: Node, row: DeclarativeBase, implied: str = "") -> dict:
    nested = {c.key for c in node.children}
    out: dict[str, Any] = {}
    for column in node.columns:
        value = getattr(row, column)
        if value is not None and column not in nested and column != implied:
            out[column] = _value(value)
    out.update(row.extra or {})
    for child in node.children:
        model = child.node.model
        if child.link == "parent":
            target_id = getattr(row, child.fk)
            target = session.get(model, target_id) if target_id else None
            if target is not None:
                out[child.key] = _dump(session, child.node, target)
                out.pop(child.fk, None)
            continue
        owner = model.link_id if child.link == "attribute" else getattr(model, child.fk)
        rows = session.scalars(select(model).where(owner == row.id).order_by(model.id)).all()
        if rows:
            out[child.key] = [
                _dump(session, child.node, r, "link_id" if child.link == "attribute" else child.fk) for r in rows
            ]
    return out


def export_service(session: Session, service_id: str) -> dict:
    """One service as ORUK 3.0 JSON."""
    service = session.get(m.Service, service_id)
    if service is None:
        raise KeyError(service_id)
    return _dump(session, SERVICE, service)


def export_services(session: Session) -> dict:
    """Every service, as one page of an ORUK 3.0 `/services` response."""
    ids = session.scalars(select(m.Service.id).order_by(m.Service.id)).all()
    contents = [export_service(session, i) for i in ids]
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }
