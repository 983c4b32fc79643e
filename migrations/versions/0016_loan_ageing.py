"""Loans: ageing (days past due, class) and the daily ageing runs; the channel of a repayment.

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

import coopsaas.core.types
from coopsaas.core import pgsql


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('loan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('days_past_due', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('kolektibilitas', sa.String(length=3), nullable=True))
    with op.batch_alter_table('loan_transaction', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=10), nullable=True))

    op.create_table('loan_ageing',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('loan_count', sa.Integer(), nullable=False),
    sa.Column('outstanding', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('penalties_charged', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('ppap_required', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('ppap_booked_before', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('adjustment', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('by_class', sa.JSON(), nullable=False),
    sa.Column('journal_entry_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'journal_entry_id'], ['journal_entry.tenant_id', 'journal_entry.id'], name=op.f('fk_loan_ageing_tenant_id_journal_entry_id_journal_entry'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_loan_ageing_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_loan_ageing')),
    sa.UniqueConstraint('tenant_id', 'as_of', name=op.f('uq_loan_ageing_tenant_id_as_of'))
    )
    pgsql.enable_tenant_rls(op, 'loan_ageing')
    pgsql.grant_app_roles(op)


def downgrade():
    pgsql.disable_tenant_rls(op, 'loan_ageing')
    op.drop_table('loan_ageing')
    # Plain DROP COLUMN (SQLite 3.35+ too): a batch copy would lose the tables' triggers.
    op.drop_column('loan_transaction', 'channel')
    for column in ('kolektibilitas', 'days_past_due'):
        op.drop_column('loan', column)
