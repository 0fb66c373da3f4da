"""ORUK 1.0 JSON feeds (HSDS 1.1 plus LGA extensions), as many councils still publish them.

A 1.0 service (nested `organization`, `service_at_locations` with `physical_addresses` and
`accessibility_for_disabilities`, `regular_schedules`, `eligibilitys`, `cost_options`,
`service_taxonomys`, ...) is mapped onto the ORUK 3.0 tree, then stored by the same validating
importer as 3.0 data. Fields 3.0 has no place for, and vendor fields, are kept under `extra`
(they export again), never rejected.
"""

from __future__ import annotations

from typing import Any

V1_KEYS = frozenset(
    {"eligibilitys", "regular_schedules", "service_taxonomys", "holiday_schedules", "deliverable_type",
     "attending_access", "physical_addresses", "accessibility_for_disabilities"}
)  # fmt: skip


def is_v1(record: Any) -> bool:
    """Whether a service looks like ORUK 1.0 rather than 3.0."""
    if not isinstance(record, dict):
        return False
    keys = set(record)
    for sal in record.get("service_at_locations") or []:
        if isinstance(sal, dict):
            keys |= set(sal) | set(sal.get("location") or {})
    return bool(keys & V1_KEYS)


def _pick(source: dict, mapping: dict[str, str]) -> tuple[dict, dict]:
    """(mapped fields, the rest) of a 1.0 object."""
    mapped = {new: source[old] for old, new in mapping.items() if old in source and source[old] is not None}
    rest = {k: v for k, v in source.items() if k not in mapping}
    return mapped, rest


def _schedule(item: dict) -> dict:
    mapped, rest = _pick(
        item,
        {k: k for k in ("id", "valid_from", "valid_to", "dtstart", "freq", "interval", "byday", "bymonthday",
                        "description", "opens_at", "closes_at")},
    )  # fmt: skip
    mapped["id"] = str(mapped.get("id", ""))
    if "weekday" in rest and "byday" not in mapped:
        mapped["byday"] = str(rest.pop("weekday"))[:2].upper()
    for drop in ("service_id", "location_id", "service_at_location_id"):
        rest.pop(drop, None)
    return mapped | ({"x_oruk1": rest} if rest else {})


def _address(item: dict) -> dict:
    mapped, rest = _pick(
        item,
        {k: k for k in ("id", "attention", "address_1", "city", "region", "state_province", "postal_code", "country")},
    )
    lines = [item.get(k) for k in ("address_2", "address_3", "address_4") if item.get(k)]
    if lines:
        mapped["address_1"] = ", ".join([mapped.get("address_1", ""), *lines]).strip(", ")
    for key in ("address_1", "city", "state_province", "postal_code"):
        mapped.setdefault(key, "")
    mapped["id"] = str(mapped.get("id", ""))
    mapped.setdefault("country", "GB")
    mapped["address_type"] = "physical"
    rest = {k: v for k, v in rest.items() if k not in ("address_2", "address_3", "address_4", "location_id")}
    return mapped | ({"x_oruk1": rest} if rest else {})


def _contact(item: dict) -> dict:
    mapped, rest = _pick(item, {"id": "id", "name": "name", "title": "title"})
    mapped["id"] = str(mapped.get("id", ""))
    for drop in ("service_id", "organization_id", "service_at_location_id"):
        rest.pop(drop, None)
    return mapped | ({"x_oruk1": rest} if rest else {})


def _location(item: dict) -> dict:
    mapped, rest = _pick(item, {"id": "id", "name": "name", "description": "description",
                                "latitude": "latitude", "longitude": "longitude"})  # fmt: skip
    mapped["id"] = str(mapped.get("id", ""))
    mapped["location_type"] = "physical"
    mapped["addresses"] = [_address(a) for a in rest.pop("physical_addresses", None) or [] if isinstance(a, dict)]
    mapped["accessibility"] = [
        {"id": str(a.get("id", "")), "description": a.get("accessibility"), "details": a.get("details")}
        for a in rest.pop("accessibility_for_disabilities", None) or []
        if isinstance(a, dict)
    ]
    rest.pop("organization_id", None)
    return mapped | ({"x_oruk1": rest} if rest else {})


def _no_nulls(value: Any) -> Any:
    """1.0 feeds send null for "not given"; 3.0 wants the key left out."""
    if isinstance(value, dict):
        return {k: _no_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_no_nulls(v) for v in value]
    return value


def to_v3(service: dict) -> dict:
    """An ORUK 1.0 service as an ORUK 3.0 service."""
    return _no_nulls(_map(service))


def _map(service: dict) -> dict:
    mapped, rest = _pick(
        service,
        {k: k for k in ("id", "name", "description", "url", "email", "status", "fees", "accreditations",
                        "assured_date")},
    )  # fmt: skip
    mapped["id"] = str(mapped.get("id", ""))
    mapped.setdefault("status", "active")
    organization = rest.pop("organization", None)
    if isinstance(organization, dict):
        fields = {"id": "id", "name": "name", "description": "description", "email": "email", "url": "website",
                  "logo": "logo", "uri": "uri"}  # fmt: skip
        org, org_rest = _pick(organization, fields)
        org["id"] = str(org.get("id", ""))
        org.setdefault("description", "")
        mapped["organization"] = org | ({"x_oruk1": org_rest} if org_rest else {})
    ages = [e for e in rest.pop("eligibilitys", None) or [] if isinstance(e, dict)]
    minimums = [e["minimum_age"] for e in ages if isinstance(e.get("minimum_age"), int | float)]
    maximums = [e["maximum_age"] for e in ages if isinstance(e.get("maximum_age"), int | float)]
    if minimums:
        mapped["minimum_age"] = min(minimums)
    if maximums:
        mapped["maximum_age"] = max(maximums)
    if ages:
        rest["eligibilitys"] = ages
    schedules = [_schedule(s) for s in rest.pop("regular_schedules", None) or [] if isinstance(s, dict)]
    sals = []
    for sal in rest.pop("service_at_locations", None) or []:
        if not isinstance(sal, dict):
            continue
        entry: dict[str, Any] = {"id": str(sal.get("id", ""))}
        if isinstance(sal.get("location"), dict):
            entry["location"] = _location(sal["location"])
        schedules += [_schedule(s) for s in sal.get("regular_schedules") or [] if isinstance(s, dict)]
        sals.append(entry)
    mapped["service_at_locations"] = sals
    mapped["schedules"] = schedules
    mapped["cost_options"] = [
        {k: v for k, v in c.items() if k != "service_id"} | {"id": str(c.get("id", ""))}
        for c in rest.pop("cost_options", None) or []
        if isinstance(c, dict)
    ]
    mapped["languages"] = [
        {"id": str(lang.get("id", "")), "name": lang.get("language")}
        for lang in rest.pop("languages", None) or []
        if isinstance(lang, dict)
    ]
    mapped["service_areas"] = [
        {"id": str(a.get("id", "")), "name": a.get("name") or a.get("service_area"),
         "service_area": a.get("service_area"), "extent": a.get("extent"), "uri": a.get("uri")}
        for a in rest.pop("service_areas", None) or []
        if isinstance(a, dict)
    ]  # fmt: skip
    mapped["contacts"] = [_contact(c) for c in rest.pop("contacts", None) or [] if isinstance(c, dict)]
    attributes = []
    for link in rest.pop("service_taxonomys", None) or []:
        taxonomy = link.get("taxonomy") if isinstance(link, dict) else None
        if not isinstance(taxonomy, dict):
            continue
        code = str(taxonomy.get("id", ""))
        attributes.append(
            {"id": str(link.get("id", "")) or f"{mapped['id']}-{code}", "link_type": "service",
             "taxonomy_term": {"id": code, "name": taxonomy.get("name") or code,
                               "description": taxonomy.get("name") or code,
                               "taxonomy": taxonomy.get("vocabulary"), "term": code.rsplit(":", 1)[-1],
                               **({"parent_id": str(taxonomy["parent"])} if taxonomy.get("parent") else {})}}
        )  # fmt: skip
    mapped["attributes"] = attributes
    for key in ("organization_id", "program_id", "taxonomy_ids"):
        rest.pop(key, None)
    # Everything else (1.0-only fields and vendor extensions) is kept as it came.
    return mapped | rest
