"""The community directory's tables, following Open Referral UK 3.0 (the UK profile of HSDS 3.0).

Each entity has typed columns for the fields the standard defines and an `extra` JSON column for
anything else a publisher sends (vendor fields are kept, not rejected), so an import exports again
unchanged. Attributes link taxonomy terms to any entity by `link_id`, as in HSDS.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    """Now, in UTC, without tzinfo."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class DirectoryBase(DeclarativeBase):
    """Declarative base for the directory's tables (kept apart from the gateway's)."""

    type_annotation_map = {dict: JSON}


Id = String(64)


class Organization(DirectoryBase):
    """An organisation that provides services."""

    __tablename__ = "dir_organizations"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(Text)
    logo: Mapped[str | None] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(Text)
    parent_organization_id: Mapped[str | None] = mapped_column(Id)
    extra: Mapped[dict] = mapped_column(default=dict)
    identifiers: Mapped[list[OrganizationIdentifier]] = relationship(
        back_populates="organization", cascade="all, delete-orphan"
    )
    services: Mapped[list[Service]] = relationship(back_populates="organization")


class OrganizationIdentifier(DirectoryBase):
    """A registered identifier of an organisation (charity number, company number, ...)."""

    __tablename__ = "dir_organization_identifiers"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("dir_organizations.id", ondelete="CASCADE"))
    identifier_scheme: Mapped[str | None] = mapped_column(Text)
    identifier_type: Mapped[str | None] = mapped_column(Text)
    identifier: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict] = mapped_column(default=dict)
    organization: Mapped[Organization] = relationship(back_populates="identifiers")


class Service(DirectoryBase):
    """A service: what a resident can go to, join or ask for."""

    __tablename__ = "dir_services"
    __table_args__ = (Index("ix_dir_services_status", "status"),)
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("dir_organizations.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    # The description as plain text for chat: markup removed, entities decoded, whitespace tidied.
    description_text: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), default="active")
    fees: Mapped[str | None] = mapped_column(Text)
    accreditations: Mapped[str | None] = mapped_column(Text)
    minimum_age: Mapped[float | None]
    maximum_age: Mapped[float | None]
    assured_date: Mapped[str | None] = mapped_column(String(32))
    assurer_email: Mapped[str | None] = mapped_column(Text)
    alert: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(String(64))
    extra: Mapped[dict] = mapped_column(default=dict)
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    organization: Mapped[Organization | None] = relationship(back_populates="services")


class Location(DirectoryBase):
    """A place where services are delivered."""

    __tablename__ = "dir_locations"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    location_type: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    external_identifier: Mapped[str | None] = mapped_column(Text)
    external_identifier_type: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict] = mapped_column(default=dict)


class Address(DirectoryBase):
    """A location's postal or physical address."""

    __tablename__ = "dir_addresses"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("dir_locations.id", ondelete="CASCADE"), index=True)
    attention: Mapped[str | None] = mapped_column(Text)
    address_1: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(Text)
    state_province: Mapped[str | None] = mapped_column(Text)
    postal_code: Mapped[str | None] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(8))
    address_type: Mapped[str | None] = mapped_column(String(32))
    extra: Mapped[dict] = mapped_column(default=dict)


class Accessibility(DirectoryBase):
    """What a location offers for disabled people (step-free access, hearing loop, ...)."""

    __tablename__ = "dir_accessibility"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("dir_locations.id", ondelete="CASCADE"), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    accessibility: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict] = mapped_column(default=dict)


class ServiceAtLocation(DirectoryBase):
    """A service delivered at a location."""

    __tablename__ = "dir_service_at_locations"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("dir_services.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[str | None] = mapped_column(ForeignKey("dir_locations.id", ondelete="SET NULL"), index=True)
    extra: Mapped[dict] = mapped_column(default=dict)


class Schedule(DirectoryBase):
    """When a service runs, RRULE style (freq, byday, opens_at, closes_at, valid_from/to)."""

    __tablename__ = "dir_schedules"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    service_id: Mapped[str | None] = mapped_column(ForeignKey("dir_services.id", ondelete="CASCADE"), index=True)
    service_at_location_id: Mapped[str | None] = mapped_column(Id, index=True)
    valid_from: Mapped[str | None] = mapped_column(String(32))
    valid_to: Mapped[str | None] = mapped_column(String(32))
    dtstart: Mapped[str | None] = mapped_column(String(32))
    freq: Mapped[str | None] = mapped_column(String(16))
    interval: Mapped[float | None]
    byday: Mapped[str | None] = mapped_column(String(64))
    bymonthday: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
    opens_at: Mapped[str | None] = mapped_column(String(16))
    closes_at: Mapped[str | None] = mapped_column(String(16))
    schedule_link: Mapped[str | None] = mapped_column(Text)
    attending_type: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict] = mapped_column(default=dict)


class ServiceArea(DirectoryBase):
    """The area a service covers."""

    __tablename__ = "dir_service_areas"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    service_id: Mapped[str | None] = mapped_column(ForeignKey("dir_services.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(Text)
    extent: Mapped[str | None] = mapped_column(Text)
    extent_type: Mapped[str | None] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(Text)
    service_area: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict] = mapped_column(default=dict)


class Language(DirectoryBase):
    """A language a service is offered in."""

    __tablename__ = "dir_languages"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    service_id: Mapped[str | None] = mapped_column(ForeignKey("dir_services.id", ondelete="CASCADE"), index=True)
    phone_id: Mapped[str | None] = mapped_column(Id)
    name: Mapped[str | None] = mapped_column(Text)
    code: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict] = mapped_column(default=dict)


class Funding(DirectoryBase):
    """Where a service's money comes from."""

    __tablename__ = "dir_funding"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    service_id: Mapped[str | None] = mapped_column(ForeignKey("dir_services.id", ondelete="CASCADE"), index=True)
    source: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict] = mapped_column(default=dict)


class CostOption(DirectoryBase):
    """What a service costs."""

    __tablename__ = "dir_cost_options"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    service_id: Mapped[str | None] = mapped_column(ForeignKey("dir_services.id", ondelete="CASCADE"), index=True)
    valid_from: Mapped[str | None] = mapped_column(String(32))
    valid_to: Mapped[str | None] = mapped_column(String(32))
    option: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[float | None]
    amount_description: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict] = mapped_column(default=dict)


class Contact(DirectoryBase):
    """A named person to contact about a service."""

    __tablename__ = "dir_contacts"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    service_id: Mapped[str | None] = mapped_column(ForeignKey("dir_services.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict] = mapped_column(default=dict)


class TaxonomyTerm(DirectoryBase):
    """A term in a taxonomy (for example an LGA esd service type)."""

    __tablename__ = "dir_taxonomy_terms"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[str | None] = mapped_column(Id)
    taxonomy: Mapped[str | None] = mapped_column(Text)
    taxonomy_id: Mapped[str | None] = mapped_column(Id)
    term_uri: Mapped[str | None] = mapped_column(Text)
    term: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict] = mapped_column(default=dict)


class Attribute(DirectoryBase):
    """Links a taxonomy term to any entity (`link_id`), as HSDS does."""

    __tablename__ = "dir_attributes"
    __table_args__ = (Index("ix_dir_attributes_link", "link_id"),)
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    link_id: Mapped[str] = mapped_column(Id)
    link_type: Mapped[str | None] = mapped_column(Text)
    link_entity: Mapped[str | None] = mapped_column(String(32))
    taxonomy_term_id: Mapped[str | None] = mapped_column(ForeignKey("dir_taxonomy_terms.id", ondelete="SET NULL"))
    value: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict] = mapped_column(default=dict)


class SearchDocument(DirectoryBase):
    """One row per service with what search filters on, kept in step by `directory.search.reindex`."""

    __tablename__ = "dir_search_documents"
    # With `active`, "near" searches list the services in reach from the index alone.
    __table_args__ = (Index("ix_dir_search_geo", "latitude", "longitude", "active"),)
    rowid: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("dir_services.id", ondelete="CASCADE"), unique=True)
    # Copied from the service so a search reads one table.
    name: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[str] = mapped_column(Text, default="")
    # Space-padded keys (" befriending transport ") so a LIKE finds whole keys.
    categories: Mapped[str] = mapped_column(Text, default=" ")
    audiences: Mapped[str] = mapped_column(Text, default=" ")
    access: Mapped[str] = mapped_column(Text, default=" ")
    languages: Mapped[str] = mapped_column(Text, default=" ")
    days: Mapped[str] = mapped_column(Text, default=" ")
    # [[day, opens, closes], ...] for the reasons and the time filter.
    sessions: Mapped[list] = mapped_column(JSON, default=list)
    free: Mapped[bool | None]
    cost: Mapped[str | None] = mapped_column(Text)
    minimum_age: Mapped[float | None]
    maximum_age: Mapped[float | None]
    active: Mapped[bool] = mapped_column(default=True)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    postcode: Mapped[str | None] = mapped_column(String(16))
    # The sentence embedding of the service's name, categories and description (float16, 384 values:
    # `directory.vectors`), written with the rest; NULL for rows written before there were any.
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)


class UnmetSearch(DirectoryBase):
    """A search that found nothing: what was asked, where and when. No personal data."""

    __tablename__ = "dir_unmet_searches"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    category: Mapped[str | None] = mapped_column(String(32))
    area: Mapped[str | None] = mapped_column(String(8))
    day: Mapped[str | None] = mapped_column(String(3))
    terms: Mapped[str | None] = mapped_column(Text)
