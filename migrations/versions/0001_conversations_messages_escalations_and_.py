"""Conversations, messages, escalations and the ORUK directory

Revision ID: 0001
Revises:
Create Date: 2026-11-28 01:29:41.782949
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_active_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("external_id"),
    )
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("risk_types", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("trigger_message_id", sa.Integer(), nullable=True),
        sa.Column("trigger_text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escalations_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index("ix_escalations_status", ["status", "level"], unique=False)

    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("author", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("payload", sa.String(length=200), nullable=True),
        sa.Column("buttons", sa.JSON(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("risk", sa.JSON(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=True),
        sa.Column("reply_to", sa.Integer(), nullable=True),
        sa.Column("replica", sa.String(length=64), nullable=True),
        sa.Column("safety_net_sent", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_messages_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index("ix_messages_pending", ["state", "conversation_id"], unique=False)

    op.create_table(
        "dir_locations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("location_type", sa.String(length=32), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("external_identifier", sa.Text(), nullable=True),
        sa.Column("external_identifier_type", sa.Text(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "dir_organizations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("logo", sa.Text(), nullable=True),
        sa.Column("uri", sa.Text(), nullable=True),
        sa.Column("parent_organization_id", sa.String(length=64), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "dir_taxonomy_terms",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("taxonomy", sa.Text(), nullable=True),
        sa.Column("taxonomy_id", sa.String(length=64), nullable=True),
        sa.Column("term_uri", sa.Text(), nullable=True),
        sa.Column("term", sa.Text(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "dir_unmet_searches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("area", sa.String(length=8), nullable=True),
        sa.Column("day", sa.String(length=3), nullable=True),
        sa.Column("terms", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "dir_accessibility",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("accessibility", sa.Text(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["location_id"], ["dir_locations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dir_accessibility", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dir_accessibility_location_id"), ["location_id"], unique=False)

    op.create_table(
        "dir_addresses",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=False),
        sa.Column("attention", sa.Text(), nullable=True),
        sa.Column("address_1", sa.Text(), nullable=True),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("state_province", sa.Text(), nullable=True),
        sa.Column("postal_code", sa.String(length=16), nullable=True),
        sa.Column("country", sa.String(length=8), nullable=True),
        sa.Column("address_type", sa.String(length=32), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["location_id"], ["dir_locations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dir_addresses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dir_addresses_location_id"), ["location_id"], unique=False)

    op.create_table(
        "dir_attributes",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("link_id", sa.String(length=64), nullable=False),
        sa.Column("link_type", sa.Text(), nullable=True),
        sa.Column("link_entity", sa.String(length=32), nullable=True),
        sa.Column("taxonomy_term_id", sa.String(length=64), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["taxonomy_term_id"], ["dir_taxonomy_terms.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dir_attributes", schema=None) as batch_op:
        batch_op.create_index("ix_dir_attributes_link", ["link_id"], unique=False)

    op.create_table(
        "dir_organization_identifiers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("identifier_scheme", sa.Text(), nullable=True),
        sa.Column("identifier_type", sa.Text(), nullable=True),
        sa.Column("identifier", sa.Text(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["dir_organizations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "dir_services",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("description_text", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("fees", sa.Text(), nullable=True),
        sa.Column("accreditations", sa.Text(), nullable=True),
        sa.Column("minimum_age", sa.Float(), nullable=True),
        sa.Column("maximum_age", sa.Float(), nullable=True),
        sa.Column("assured_date", sa.String(length=32), nullable=True),
        sa.Column("assurer_email", sa.Text(), nullable=True),
        sa.Column("alert", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.String(length=64), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["dir_organizations.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dir_services", schema=None) as batch_op:
        batch_op.create_index("ix_dir_services_status", ["status"], unique=False)

    op.create_table(
        "dir_contacts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["dir_services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dir_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dir_contacts_service_id"), ["service_id"], unique=False)

    op.create_table(
        "dir_cost_options",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=True),
        sa.Column("valid_from", sa.String(length=32), nullable=True),
        sa.Column("valid_to", sa.String(length=32), nullable=True),
        sa.Column("option", sa.Text(), nullable=True),
        sa.Column("amount", sa.Float(), nullable=True),
        sa.Column("amount_description", sa.Text(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["dir_services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dir_cost_options", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dir_cost_options_service_id"), ["service_id"], unique=False)

    op.create_table(
        "dir_funding",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["dir_services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dir_funding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dir_funding_service_id"), ["service_id"], unique=False)

    op.create_table(
        "dir_languages",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=True),
        sa.Column("phone_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("code", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["dir_services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dir_languages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dir_languages_service_id"), ["service_id"], unique=False)

    op.create_table(
        "dir_schedules",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=True),
        sa.Column("service_at_location_id", sa.String(length=64), nullable=True),
        sa.Column("valid_from", sa.String(length=32), nullable=True),
        sa.Column("valid_to", sa.String(length=32), nullable=True),
        sa.Column("dtstart", sa.String(length=32), nullable=True),
        sa.Column("freq", sa.String(length=16), nullable=True),
        sa.Column("interval", sa.Float(), nullable=True),
        sa.Column("byday", sa.String(length=64), nullable=True),
        sa.Column("bymonthday", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("opens_at", sa.String(length=16), nullable=True),
        sa.Column("closes_at", sa.String(length=16), nullable=True),
        sa.Column("schedule_link", sa.Text(), nullable=True),
        sa.Column("attending_type", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["dir_services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dir_schedules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dir_schedules_service_at_location_id"), ["service_at_location_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_dir_schedules_service_id"), ["service_id"], unique=False)

    op.create_table(
        "dir_search_documents",
        sa.Column("rowid", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("audiences", sa.Text(), nullable=False),
        sa.Column("access", sa.Text(), nullable=False),
        sa.Column("languages", sa.Text(), nullable=False),
        sa.Column("days", sa.Text(), nullable=False),
        sa.Column("sessions", sa.JSON(), nullable=False),
        sa.Column("free", sa.Boolean(), nullable=True),
        sa.Column("cost", sa.Text(), nullable=True),
        sa.Column("minimum_age", sa.Float(), nullable=True),
        sa.Column("maximum_age", sa.Float(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("postcode", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["service_id"], ["dir_services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("rowid"),
        sa.UniqueConstraint("service_id"),
    )
    with op.batch_alter_table("dir_search_documents", schema=None) as batch_op:
        batch_op.create_index("ix_dir_search_geo", ["latitude", "longitude"], unique=False)

    op.create_table(
        "dir_service_areas",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("extent", sa.Text(), nullable=True),
        sa.Column("extent_type", sa.Text(), nullable=True),
        sa.Column("uri", sa.Text(), nullable=True),
        sa.Column("service_area", sa.Text(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["dir_services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dir_service_areas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dir_service_areas_service_id"), ["service_id"], unique=False)

    op.create_table(
        "dir_service_at_locations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["location_id"], ["dir_locations.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["service_id"], ["dir_services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dir_service_at_locations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dir_service_at_locations_location_id"), ["location_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dir_service_at_locations_service_id"), ["service_id"], unique=False)

    _install_full_text()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS dir_search_fts")
    with op.batch_alter_table("dir_service_at_locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dir_service_at_locations_service_id"))
        batch_op.drop_index(batch_op.f("ix_dir_service_at_locations_location_id"))

    op.drop_table("dir_service_at_locations")
    with op.batch_alter_table("dir_service_areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dir_service_areas_service_id"))

    op.drop_table("dir_service_areas")
    with op.batch_alter_table("dir_search_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_dir_search_geo")

    op.drop_table("dir_search_documents")
    with op.batch_alter_table("dir_schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dir_schedules_service_id"))
        batch_op.drop_index(batch_op.f("ix_dir_schedules_service_at_location_id"))

    op.drop_table("dir_schedules")
    with op.batch_alter_table("dir_languages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dir_languages_service_id"))

    op.drop_table("dir_languages")
    with op.batch_alter_table("dir_funding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dir_funding_service_id"))

    op.drop_table("dir_funding")
    with op.batch_alter_table("dir_cost_options", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dir_cost_options_service_id"))

    op.drop_table("dir_cost_options")
    with op.batch_alter_table("dir_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dir_contacts_service_id"))

    op.drop_table("dir_contacts")
    with op.batch_alter_table("dir_services", schema=None) as batch_op:
        batch_op.drop_index("ix_dir_services_status")

    op.drop_table("dir_services")
    op.drop_table("dir_organization_identifiers")
    with op.batch_alter_table("dir_attributes", schema=None) as batch_op:
        batch_op.drop_index("ix_dir_attributes_link")

    op.drop_table("dir_attributes")
    with op.batch_alter_table("dir_addresses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dir_addresses_location_id"))

    op.drop_table("dir_addresses")
    with op.batch_alter_table("dir_accessibility", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dir_accessibility_location_id"))

    op.drop_table("dir_accessibility")
    op.drop_table("dir_unmet_searches")
    op.drop_table("dir_taxonomy_terms")
    op.drop_table("dir_organizations")
    op.drop_table("dir_locations")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_pending")
        batch_op.drop_index(batch_op.f("ix_messages_conversation_id"))

    op.drop_table("messages")
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.drop_index("ix_escalations_status")
        batch_op.drop_index(batch_op.f("ix_escalations_conversation_id"))

    op.drop_table("escalations")
    op.drop_table("conversations")


def _install_full_text() -> None:
    """The directory's full-text index: FTS5 with Porter stemming on SQLite, GIN on PostgreSQL."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS dir_search_fts USING fts5(document, "
            "content='dir_search_documents', content_rowid='rowid', tokenize='porter unicode61')"
        )
        op.execute(
            "CREATE TRIGGER IF NOT EXISTS dir_search_ai AFTER INSERT ON dir_search_documents BEGIN "
            "INSERT INTO dir_search_fts(rowid, document) VALUES (new.rowid, new.document); END"
        )
        op.execute(
            "CREATE TRIGGER IF NOT EXISTS dir_search_ad AFTER DELETE ON dir_search_documents BEGIN "
            "INSERT INTO dir_search_fts(dir_search_fts, rowid, document) "
            "VALUES ('delete', old.rowid, old.document); END"
        )
        op.execute(
            "CREATE TRIGGER IF NOT EXISTS dir_search_au AFTER UPDATE ON dir_search_documents BEGIN "
            "INSERT INTO dir_search_fts(dir_search_fts, rowid, document) VALUES ('delete', old.rowid, old.document); "
            "INSERT INTO dir_search_fts(rowid, document) VALUES (new.rowid, new.document); END"
        )
    elif bind.dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_dir_search_fts ON dir_search_documents "
            "USING GIN (to_tsvector('english', document))"
        )
