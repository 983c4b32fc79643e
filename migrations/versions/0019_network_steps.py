"""Supply network: crossing steps recorded per tenant (operation id, intent, done marker).

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

from coopsaas.core import pgsql


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('network_step',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('operation_id', sa.Uuid(), nullable=False),
    sa.Column('request_key', sa.String(length=200), nullable=True),
    sa.Column('order_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('link_id', sa.Uuid(), nullable=False),
    sa.Column('other_tenant_id', sa.Uuid(), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('place', 'pay', 'cancel_by_buyer', 'cancel_by_hub', 'withdraw')", name=op.f('ck_network_step_kind_known')),
    sa.CheckConstraint("role IN ('origin', 'target')", name=op.f('ck_network_step_role_known')),
    sa.CheckConstraint("status IN ('pending', 'done', 'refused')", name=op.f('ck_network_step_status_known')),
    sa.ForeignKeyConstraint(['link_id'], ['network_link.id'], name=op.f('fk_network_step_link_id_network_link'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['other_tenant_id'], ['tenant.id'], name=op.f('fk_network_step_other_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_network_step_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_network_step')),
    sa.UniqueConstraint('tenant_id', 'operation_id', name=op.f('uq_network_step_tenant_id_operation_id')),
    sa.UniqueConstraint('tenant_id', 'request_key', name=op.f('uq_network_step_tenant_id_request_key'))
    )
    op.create_index('ix_network_step_tenant_id_order_id', 'network_step', ['tenant_id', 'order_id'], unique=False)
    op.create_index('ix_network_step_tenant_id_status', 'network_step', ['tenant_id', 'status'], unique=False)
    pgsql.enable_tenant_rls(op, "network_step")
    pgsql.grant_app_roles(op)


def downgrade():
    pgsql.disable_tenant_rls(op, "network_step")
    op.drop_index('ix_network_step_tenant_id_status', table_name='network_step')
    op.drop_index('ix_network_step_tenant_id_order_id', table_name='network_step')
    op.drop_table('network_step')
