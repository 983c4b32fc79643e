"""Shop lots with expiry dates, items tracking expiry, and the movement-by-date index of the
period reports.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

import coopsaas.core.types  # noqa: F401
import coopsaas.retail.models
from coopsaas.core import pgsql


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('retail_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tracks_expiry', sa.Boolean(), nullable=False, server_default=sa.false()))

    op.create_table('retail_stock_lot',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('receipt_line_id', sa.Uuid(), nullable=True),
    sa.Column('lot_no', sa.String(length=40), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('qty_received', coopsaas.retail.models.Fixed(3), nullable=False),
    sa.Column('qty_left', coopsaas.retail.models.Fixed(3), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('qty_received > 0', name=op.f('ck_retail_stock_lot_qty_received_positive')),
    sa.CheckConstraint('qty_left >= 0 AND qty_left <= qty_received', name=op.f('ck_retail_stock_lot_qty_left_within_received')),
    sa.ForeignKeyConstraint(['tenant_id', 'item_id'], ['retail_item.tenant_id', 'retail_item.id'], name=op.f('fk_retail_stock_lot_tenant_id_item_id_retail_item'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'receipt_line_id'], ['retail_goods_receipt_line.tenant_id', 'retail_goods_receipt_line.id'], name=op.f('fk_retail_stock_lot_tenant_id_receipt_line_id_retail_goods_receipt_line'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_retail_stock_lot_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_retail_stock_lot'))
    )
    with op.batch_alter_table('retail_stock_lot', schema=None) as batch_op:
        batch_op.create_index('ix_retail_stock_lot_tenant_id_expires_on', ['tenant_id', 'expires_on'], unique=False)
        batch_op.create_index('ix_retail_stock_lot_tenant_id_item_id_expires_on', ['tenant_id', 'item_id', 'expires_on'], unique=False)

    # A plain CREATE INDEX (no batch): the movement table is append-only and must not be rebuilt.
    op.create_index(
        'ix_retail_stock_movement_tenant_id_moved_on', 'retail_stock_movement', ['tenant_id', 'moved_on'],
        unique=False, postgresql_include=['item_id', 'kind', 'qty', 'value'],
    )
    pgsql.enable_tenant_rls(op, "retail_stock_lot")
    pgsql.grant_app_roles(op)


def downgrade():
    op.drop_index('ix_retail_stock_movement_tenant_id_moved_on', table_name='retail_stock_movement')
    pgsql.disable_tenant_rls(op, "retail_stock_lot")
    with op.batch_alter_table('retail_stock_lot', schema=None) as batch_op:
        batch_op.drop_index('ix_retail_stock_lot_tenant_id_item_id_expires_on')
        batch_op.drop_index('ix_retail_stock_lot_tenant_id_expires_on')
    op.drop_table('retail_stock_lot')
    with op.batch_alter_table('retail_item', schema=None) as batch_op:
        batch_op.drop_column('tracks_expiry')
