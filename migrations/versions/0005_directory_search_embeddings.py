"""directory: sentence embeddings on search documents (hybrid search), geo index with active

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows written before this have no embedding (NULL): search still finds them by their words,
    # and `./kindred directory reindex` gives them one.
    # Plain ALTER TABLE on both databases: a batch copy on SQLite would drop the full-text triggers.
    op.add_column("dir_search_documents", sa.Column("embedding", sa.LargeBinary(), nullable=True))
    # "Near" searches list the services in reach from the index alone (rows now hold embeddings).
    op.drop_index("ix_dir_search_geo", table_name="dir_search_documents")
    op.create_index("ix_dir_search_geo", "dir_search_documents", ["latitude", "longitude", "active"])


def downgrade() -> None:
    op.drop_index("ix_dir_search_geo", table_name="dir_search_documents")
    op.create_index("ix_dir_search_geo", "dir_search_documents", ["latitude", "longitude"])
    op.drop_column("dir_search_documents", "embedding")
