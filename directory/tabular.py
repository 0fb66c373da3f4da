"""The HSDS / ORUK 3.0 tabular datapackage: a folder of CSV files, one per table.

Import assembles each service's tree from the rows (by `service_id`, `location_id`,
`organization_id`, `link_id` and `taxonomy_term_id`) and stores it with the same validating importer
as JSON. Export writes one CSV per table plus a `datapackage.json` describing them; fields the
standard does not define are written as extra columns (JSON-encoded when nested), so nothing is lost.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory import models as m
from directory import oruk

# File name (singular or plural, as publishers write them) -> our table key.
ALIASES = {
    "services": "services", "service": "services",
    "organizations": "organizations", "organization": "organizations",
    "organization_identifiers": "organization_identifiers",
    "locations": "locations", "location": "locations",
    "service_at_locations": "service_at_locations", "service_at_location": "service_at_locations",
    "addresses": "addresses", "address": "addresses",
    "accessibility": "accessibility", "accessibilities": "accessibility",
    "schedules": "schedules", "schedule": "schedules",
    "service_areas": "service_areas", "service_area": "service_areas",
    "languages": "languages", "language": "languages",
    "funding": "funding", "cost_options": "cost_options", "cost_option": "cost_options",
    "contacts": "contacts", "contact": "contacts",
    "attributes": "attributes", "attribute": "attributes",
    "taxonomy_terms": "taxonomy_terms", "taxonomy_term": "taxonomy_terms",
}  # fmt: skip
NUMBERS = {"minimum_age", "maximum_age", "latitude", "longitude", "amount", "interval"}
MODELS = {
    "organizations": m.Organization, "organization_identifiers": m.OrganizationIdentifier, "services": m.Service,
    "locations": m.Location, "addresses": m.Address, "accessibility": m.Accessibility,
    "service_at_locations": m.ServiceAtLocation, "schedules": m.Schedule, "service_areas": m.ServiceArea,
    "languages": m.Language, "funding": m.Funding, "cost_options": m.CostOption, "contacts": m.Contact,
    "taxonomy_terms": m.TaxonomyTerm, "attributes": m.Attribute,
}  # fmt: skip


def _value(field: str, raw: str) -> Any:
    if raw.startswith(("{", "[")):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    if field in NUMBERS:
        try:
            number = float(raw)
        except ValueError:
            return raw  # left as text: validation reports it with the record's id
        return int(number) if number.is_integer() else number
    return raw


def read_tables(folder: Path) -> dict[str, dict[str, dict]]:
    """Every known table in the folder, as id -> row (empty cells left out)."""
    if not folder.is_dir():
        raise oruk.ImportError_(f"{folder} is not a folder of CSV files.")
    tables: dict[str, dict[str, dict]] = {}
    for path in sorted(folder.glob("*.csv")):
        key = ALIASES.get(path.stem.lower())
        if key is None:
            continue
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise oruk.ImportError_(f"{path.name} is not UTF-8 text (byte {error.start}); save it as UTF-8.") from None
        for row in csv.DictReader(io.StringIO(text)):
            clean = {k.strip(): _value(k.strip(), v.strip()) for k, v in row.items() if k and v and v.strip()}
            if clean.get("id"):
                tables.setdefault(key, {}).setdefault(str(clean["id"]), {}).update(clean)
    if "services" not in tables:
        raise oruk.ImportError_(f"{folder} has no services.csv, so there is nothing to import.")
    return tables


def _by(table: dict[str, dict], field: str) -> dict[str, list[dict]]:
    index: dict[str, list[dict]] = {}
    for row in table.values():
        if row.get(field) is not None:
            index.setdefault(str(row[field]), []).append(row)
    return index


def assemble(tables: dict[str, dict[str, dict]]) -> list[dict]:
    """Nested ORUK 3.0 services from the rows of a datapackage."""
    t = {k: tables.get(k, {}) for k in MODELS}
    terms = t["taxonomy_terms"]
    attributes = _by(t["attributes"], "link_id")

    def attrs(owner: str) -> list[dict]:
        out = []
        for row in attributes.get(owner, []):
            item = {k: v for k, v in row.items() if k not in ("link_id", "link_entity")}
            term = terms.get(str(row.get("taxonomy_term_id")))
            if term:
                item["taxonomy_term"] = dict(term)
            out.append(item)
        return out

    def children(key: str, field: str, owner: str, with_attributes: bool = False) -> list[dict]:
        rows = _by(t[key], field).get(owner, [])
        return [
            {k: v for k, v in r.items() if k != field}
            | ({"attributes": attrs(r["id"])} if with_attributes and attrs(r["id"]) else {})
            for r in rows
        ]  # noqa: E501

    def location(location_id: str) -> dict | None:
        row = t["locations"].get(location_id)
        if row is None:
            return None
        out = dict(row)
        for key in ("addresses", "accessibility"):
            found = children(key, "location_id", location_id, with_attributes=True)
            if found:
                out[key] = found
        if attrs(location_id):
            out["attributes"] = attrs(location_id)
        return out

    services = []
    for sid, row in t["services"].items():
        service = dict(row)
        org = t["organizations"].get(str(row.get("organization_id")))
        if org:
            service["organization"] = dict(org) | (
                {"organization_identifiers": found}
                if (found := children("organization_identifiers", "organization_id", org["id"], True))
                else {}
            )
            if attrs(org["id"]):
                service["organization"]["attributes"] = attrs(org["id"])
        for key in ("schedules", "service_areas", "languages", "funding", "cost_options"):
            found = children(key, "service_id", sid)
            if found:
                service[key] = found
        contacts = children("contacts", "service_id", sid, with_attributes=True)
        if contacts:
            service["contacts"] = contacts
        sals = []
        for sal in _by(t["service_at_locations"], "service_id").get(sid, []):
            item = {k: v for k, v in sal.items() if k not in ("service_id", "location_id")}
            found = location(str(sal.get("location_id")))
            if found:
                item["location"] = found
            sals.append(item)
        if sals:
            service["service_at_locations"] = sals
        if attrs(sid):
            service["attributes"] = attrs(sid)
        services.append(service)
    return services


def import_folder(session: Session, folder: Path) -> oruk.Report:
    """Import a tabular datapackage (a folder of CSV files)."""
    return oruk.import_services(session, assemble(read_tables(folder)))


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def export_folder(session: Session, folder: Path) -> int:
    """Write every table as CSV, with a datapackage.json. Returns the number of services."""
    folder.mkdir(parents=True, exist_ok=True)
    resources = []
    for key, model in MODELS.items():
        rows = session.scalars(select(model).order_by(model.id)).all()
        columns = [c.key for c in model.__table__.columns if c.key not in oruk.INTERNAL or c.key == "link_entity"]
        columns = [c for c in columns if c != "extra"]
        extra = sorted({k for r in rows for k in (r.extra or {})} - set(columns))
        with (folder / f"{key}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns + extra)
            for r in rows:
                values = [getattr(r, c) for c in columns] + [(r.extra or {}).get(k) for k in extra]
                writer.writerow([_cell(v) for v in values])
        fields = [{"name": c} for c in columns + extra]
        resources.append({"name": key, "path": f"{key}.csv", "format": "csv", "schema": {"fields": fields}})
    package = {"name": "kindred-directory", "profile": "tabular-data-package", "resources": resources}
    (folder / "datapackage.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
    return len(session.scalars(select(m.Service.id)).all())
