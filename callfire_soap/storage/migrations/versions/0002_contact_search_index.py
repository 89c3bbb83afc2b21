"""trigram index for QueryContacts String search

Revision ID: 0002
Revises: 0001
"""
from alembic import op

from callfire_soap.storage import search

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    search.create_index(op.get_bind())


def downgrade() -> None:
    search.drop_index(op.get_bind())
