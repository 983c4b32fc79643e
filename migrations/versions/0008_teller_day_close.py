"""teller day close and savings settings

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

import coopsaas.core.types
from coopsaas.core import pgsql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

MONEY = coopsaas.core.types.Money(precision=18, scale=2)


def upgrade():
    op.create_table('teller_session',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('teller_id', sa.Uuid(), nullable=False),
    sa.Column('business_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('opening_float', MONEY, nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by_id', sa.Uuid(), nullable=True),
    sa.Column('cash_in', MONEY, nullable=True),
    sa.Column('cash_out', MONEY, nullable=True),
    sa.Column('expected', MONEY, nullable=True),
    sa.Column('counted', MONEY, nullable=True),
    sa.Column('difference', MONEY, nullable=True),
    sa.Column('difference_posted', MONEY, nullable=False),
    sa.Column('denominations', sa.JSON(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('close_count', sa.Integer(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Uuid(), nullable=True),
    sa.Column('reopened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reopened_by_id', sa.Uuid(), nullable=True),
    sa.Column('reopen_reason', sa.String(length=300), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_teller_session_status_known')),
    sa.CheckConstraint('opening_float >= 0', name=op.f('ck_teller_session_opening_float_not_negative')),
    sa.CheckConstraint('counted IS NULL OR counted >= 0', name=op.f('ck_teller_session_counted_not_negative')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_teller_session_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['teller_id'], ['user_account.id'], name=op.f('fk_teller_session_teller_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['user_account.id'], name=op.f('fk_teller_session_opened_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user_account.id'], name=op.f('fk_teller_session_closed_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['reopened_by_id'], ['user_account.id'], name=op.f('fk_teller_session_reopened_by_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_teller_session')),
    sa.UniqueConstraint('tenant_id', 'teller_id', 'business_on', name=op.f('uq_teller_session_tenant_id_teller_id_business_on'))
    )
    op.create_index('ix_teller_session_tenant_id_business_on', 'teller_session', ['tenant_id', 'business_on'], unique=False)
    pgsql.enable_tenant_rls(op, "teller_session")
    pgsql.grant_app_roles(op)


def downgrade():
    pgsql.disable_tenant_rls(op, "teller_session")
    op.drop_index('ix_teller_session_tenant_id_business_on', table_name='teller_session')
    op.drop_table('teller_session')
