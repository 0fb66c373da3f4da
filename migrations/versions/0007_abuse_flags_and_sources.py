"""abuse resistance and forgetting: conversation sources, abuse flags, retention on the resident's words

Conversations remember where they came from (a keyed hash of the client address or Telegram chat) so
rate limits and the queue's burst grouping can use it; staff can mark a burst of escalations as abuse
(`abuse_flags`). Retention now measures the resident's own last message: `last_active_at` is
recomputed from it (bot messages and check-ins used to move it), so conversations that were kept
alive only by reminders are purged at the next run.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 09:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "abuse_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=True),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("flagged_by", sa.Integer(), nullable=True),
        sa.Column("flagged_at", sa.DateTime(), nullable=False),
        sa.Column("hold_until", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["flagged_by"], ["staff_users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("abuse_flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_abuse_flags_source"), ["source"], unique=False)
    # Plain ALTER TABLE (no copy): conversations has cascading children that a table copy would empty.
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_conversations_source"), ["source"], unique=False)
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("abuse_flag_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_escalations_abuse_flag_id"), ["abuse_flag_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_escalations_abuse_flag_id", "abuse_flags", ["abuse_flag_id"], ["id"], ondelete="SET NULL"
        )
    op.execute(
        "UPDATE conversations SET last_active_at = COALESCE("
        "(SELECT MAX(messages.created_at) FROM messages "
        "WHERE messages.conversation_id = conversations.id AND messages.author = 'resident'), "
        "conversations.created_at)"
    )


def downgrade() -> None:
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.drop_constraint("fk_escalations_abuse_flag_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_escalations_abuse_flag_id"))
        batch_op.drop_column("abuse_flag_id")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversations_source"))
        batch_op.drop_column("source")
    with op.batch_alter_table("abuse_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_abuse_flags_source"))
    op.drop_table("abuse_flags")
