"""ledger: sub-ledger and source indexes only where there is something to find

`journal_line (tenant_id, member_id)` and `(tenant_id, loan_id)` and `journal_entry
(tenant_id, source_type, source_id)` were kept for every row, though most lines name no member
or loan and history, opening and manual entries have no source. As partial indexes (`... IS
NOT NULL`) they answer the same lookups (`member_id = :m` implies it is not null) and cost
nothing for the rows without one: a bulk history load maintains two indexes fewer per line
and one fewer per entry (bench/README.md, ledger section).

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

from coopsaas.core import pgsql

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

INDEXES = (
    ("journal_line", "ix_journal_line_tenant_id_member_id", ["tenant_id", "member_id"], "member_id"),
    ("journal_line", "ix_journal_line_tenant_id_loan_id", ["tenant_id", "loan_id"], "loan_id"),
    (
        "journal_entry",
        "ix_journal_entry_tenant_id_source",
        ["tenant_id", "source_type", "source_id"],
        "source_type",
    ),
)


def upgrade():
    for table, name, columns, column in INDEXES:
        where = sa.text(f"{column} IS NOT NULL")
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, postgresql_where=where, sqlite_where=where)
    pgsql.grant_app_roles(op)


def downgrade():
    for table, name, columns, _column in INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns)
