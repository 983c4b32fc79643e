"""Loans: late penalties charged on events, computed in between (loan_instalment.penalty_through).

The nightly ageing run no longer writes the day's denda onto every late instalment: the stored
`penalty` is the denda charged through `penalty_through`, and the later days are computed from
the product's rule when read; a repayment, rescheduling or write-off charges them first. Rows
charged by earlier nightly runs are charged through the tenant's latest run.

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


TABLES = ('loan_instalment', 'loan_ageing')


def upgrade():
    op.add_column('loan_instalment', sa.Column('penalty_through', sa.Date(), nullable=True))
    pg = op.get_bind().dialect.name == 'postgresql'
    if pg:  # the owner runs this across tenants: forced row security would hide every row
        for table in TABLES:
            op.execute(f'ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY')
    op.execute(
        "UPDATE loan_instalment SET penalty_through = ("
        " SELECT max(loan_ageing.as_of) FROM loan_ageing WHERE loan_ageing.tenant_id = loan_instalment.tenant_id)"
        " WHERE superseded_on IS NULL AND EXISTS ("
        " SELECT 1 FROM loan_ageing WHERE loan_ageing.tenant_id = loan_instalment.tenant_id"
        " AND loan_ageing.as_of > loan_instalment.due_on)"
    )
    if pg:
        for table in TABLES:
            op.execute(f'ALTER TABLE {table} FORCE ROW LEVEL SECURITY')


def downgrade():
    # Both databases drop a column in place (SQLite 3.35+), so the table keeps its triggers.
    op.execute('ALTER TABLE loan_instalment DROP COLUMN penalty_through')
