"""Savings month-end: time deposit placements.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

import coopsaas.core.types
from coopsaas.core import pgsql


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('savings_berjangka_placement',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('payout_account_id', sa.Uuid(), nullable=True),
    sa.Column('principal', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('placed_on', sa.Date(), nullable=False),
    sa.Column('maturity_on', sa.Date(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('periods_done', sa.Integer(), nullable=False),
    sa.Column('interest_paid', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('interest_accrued', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('active', 'matured', 'broken', 'rolled')", name=op.f('ck_savings_berjangka_placement_status_known')),
    sa.CheckConstraint('principal > 0', name=op.f('ck_savings_berjangka_placement_principal_positive')),
    sa.ForeignKeyConstraint(['tenant_id', 'account_id'], ['savings_account.tenant_id', 'savings_account.id'], name=op.f('fk_savings_berjangka_placement_tenant_id_account_id_savings_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'payout_account_id'], ['savings_account.tenant_id', 'savings_account.id'], name=op.f('fk_savings_berjangka_placement_tenant_id_payout_account_id_savings_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_savings_berjangka_placement_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_savings_berjangka_placement'))
    )
    op.create_index('ix_savings_berjangka_placement_tenant_id_status', 'savings_berjangka_placement', ['tenant_id', 'status'], unique=False)
    pgsql.enable_tenant_rls(op, "savings_berjangka_placement")
    pgsql.grant_app_roles(op)


def downgrade():
    pgsql.disable_tenant_rls(op, "savings_berjangka_placement")
    op.drop_index('ix_savings_berjangka_placement_tenant_id_status', table_name='savings_berjangka_placement')
    op.drop_table('savings_berjangka_placement')
