"""trial balance: cover the open-month line sums with one index

The trial balance sums the lines of the open tail per account; with account, debit and credit
carried in the (tenant_id, entry_on) index, PostgreSQL answers it from the index alone
(bench/README.md: 77 ms -> 23 ms for a 1,000,000-line tenant among 10,000,000 lines).
SQLite has no INCLUDE, so its index stays as it was.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 10:10:00

"""
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

INDEX = "ix_journal_line_tenant_id_entry_on"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(INDEX, table_name="journal_line")
    op.create_index(INDEX, "journal_line", ["tenant_id", "entry_on"],
                    postgresql_include=["account_id", "debit", "credit"])


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(INDEX, table_name="journal_line")
    op.create_index(INDEX, "journal_line", ["tenant_id", "entry_on"])
