"""How to take part in a service: the phone, address, website or e-mail a resident can use.

Shown on every suggestion card (issue 14, point 5): a suggestion without a way in is a dead end. A
feed may carry phone numbers the schema does not model (ORUK 1.0 `phones`, or `phones` on a
contact); they are kept in the rows' `extra` by the importer and read here. When the directory
holds none of these, the card says so and offers a person instead of leaving the resident guessing.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory import models as m

ASK_US = "The directory has no contact details for this one: ask us and we'll find out how to join."


def _phones(extra: object) -> list[str]:
    """Phone numbers in a row's `extra` (`phones: [{"number": ...}]`)."""
    if not isinstance(extra, dict):
        return []
    found = []
    for phone in extra.get("phones") or []:
        number = phone.get("number") if isinstance(phone, dict) else None
        if isinstance(number, str) and number.strip():
            found.append(number.strip())
    return found


def _address(session: Session, service_id: str) -> str | None:
    """The first physical address where the service is delivered, as one line."""
    row = session.execute(
        select(m.Address)
        .join(m.ServiceAtLocation, m.ServiceAtLocation.location_id == m.Address.location_id)
        .where(m.ServiceAtLocation.service_id == service_id)
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        return None
    parts = [row.address_1, row.city, row.postal_code]
    return ", ".join(p.strip() for p in parts if p and p.strip()) or None


def how_to_join(session: Session, service_id: str) -> str:
    """One line saying how to take part: phone, address, website, e-mail; or "ask us"."""
    service = session.get(m.Service, service_id)
    if service is None:
        return ASK_US
    phones = _phones(service.extra)
    if not phones:
        contacts = session.scalars(select(m.Contact).where(m.Contact.service_id == service_id)).all()
        phones = [p for c in contacts for p in _phones(c.extra)]
    parts = []
    if phones:
        parts.append(f"Phone {phones[0]}")
    address = _address(session, service_id)
    if address:
        parts.append(address)
    if service.url and service.url.strip():
        parts.append(service.url.strip())
    if service.email and service.email.strip():
        parts.append(service.email.strip())
    return " · ".join(parts) if parts else ASK_US
