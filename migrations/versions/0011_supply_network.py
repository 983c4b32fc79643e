"""Supply network between cooperatives: the agency's directory, hubs and links, the network order
register (agency level), the hub's catalogue and sales orders, the buyer's purchase records.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

import coopsaas.core.types
import coopsaas.retail.models
from coopsaas.core import pgsql

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

TENANT_TABLES = ['network_catalogue_item', 'network_sales_order', 'network_sales_order_line', 'network_payment_received', 'network_purchase', 'network_supplier_ref']


def upgrade():
    op.create_table('network_hub',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=False),
    sa.Column('hub_tenant_id', sa.Uuid(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_network_hub_agency_id_agency'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['hub_tenant_id'], ['tenant.id'], name=op.f('fk_network_hub_hub_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_hub')),
    sa.UniqueConstraint('agency_id', 'hub_tenant_id', name=op.f('uq_network_hub_agency_id_hub_tenant_id'))
    )
    with op.batch_alter_table('network_hub', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_hub_hub_tenant_id'), ['hub_tenant_id'], unique=False)
    op.create_table('network_partner',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('region', sa.String(length=120), nullable=True),
    sa.Column('contact', sa.String(length=120), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('address', sa.String(length=500), nullable=True),
    sa.Column('categories', sa.String(length=300), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('supplier', 'distributor')", name=op.f('ck_network_partner_kind_known')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_network_partner_agency_id_agency'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_partner')),
    sa.UniqueConstraint('agency_id', 'name', name=op.f('uq_network_partner_agency_id_name'))
    )
    op.create_table('network_catalogue_item',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('network_price', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('min_qty', coopsaas.retail.models.Fixed(precision=18, scale=3), nullable=False),
    sa.Column('is_published', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('network_price > 0 AND min_qty > 0', name=op.f('ck_network_catalogue_item_price_and_min_positive')),
    sa.ForeignKeyConstraint(['tenant_id', 'item_id'], ['retail_item.tenant_id', 'retail_item.id'], name=op.f('fk_network_catalogue_item_tenant_id_item_id_retail_item'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_network_catalogue_item_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_network_catalogue_item')),
    sa.UniqueConstraint('tenant_id', 'item_id', name=op.f('uq_network_catalogue_item_tenant_id_item_id'))
    )
    op.create_table('network_link',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=False),
    sa.Column('hub_id', sa.Uuid(), nullable=False),
    sa.Column('hub_tenant_id', sa.Uuid(), nullable=False),
    sa.Column('member_tenant_id', sa.Uuid(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('hub_tenant_id <> member_tenant_id', name=op.f('ck_network_link_not_itself')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_network_link_agency_id_agency'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['hub_id'], ['network_hub.id'], name=op.f('fk_network_link_hub_id_network_hub'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['hub_tenant_id'], ['tenant.id'], name=op.f('fk_network_link_hub_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['member_tenant_id'], ['tenant.id'], name=op.f('fk_network_link_member_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_link')),
    sa.UniqueConstraint('hub_id', 'member_tenant_id', name=op.f('uq_network_link_hub_id_member_tenant_id'))
    )
    with op.batch_alter_table('network_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_link_hub_tenant_id'), ['hub_tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_network_link_member_tenant_id'), ['member_tenant_id'], unique=False)
    op.create_table('network_supplier_ref',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('supplier_id', sa.Uuid(), nullable=False),
    sa.Column('partner_id', sa.Uuid(), nullable=True),
    sa.Column('hub_tenant_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hub_tenant_id'], ['tenant.id'], name=op.f('fk_network_supplier_ref_hub_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['partner_id'], ['network_partner.id'], name=op.f('fk_network_supplier_ref_partner_id_network_partner'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'supplier_id'], ['retail_supplier.tenant_id', 'retail_supplier.id'], name=op.f('fk_network_supplier_ref_tenant_id_supplier_id_retail_supplier'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_network_supplier_ref_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_network_supplier_ref')),
    sa.UniqueConstraint('tenant_id', 'hub_tenant_id', name=op.f('uq_network_supplier_ref_tenant_id_hub_tenant_id')),
    sa.UniqueConstraint('tenant_id', 'partner_id', name=op.f('uq_network_supplier_ref_tenant_id_partner_id')),
    sa.UniqueConstraint('tenant_id', 'supplier_id', name=op.f('uq_network_supplier_ref_tenant_id_supplier_id'))
    )
    op.create_table('network_order',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=False),
    sa.Column('link_id', sa.Uuid(), nullable=False),
    sa.Column('hub_tenant_id', sa.Uuid(), nullable=False),
    sa.Column('buyer_tenant_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('ordered_on', sa.Date(), nullable=False),
    sa.Column('delivered_on', sa.Date(), nullable=True),
    sa.Column('invoice_number', sa.String(length=32), nullable=True),
    sa.Column('invoice_on', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('total', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('delivered_value', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('paid', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('ordered', 'confirmed', 'delivered', 'invoiced', 'paid', 'cancelled')", name=op.f('ck_network_order_status_known')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_network_order_agency_id_agency'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['buyer_tenant_id'], ['tenant.id'], name=op.f('fk_network_order_buyer_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['hub_tenant_id'], ['tenant.id'], name=op.f('fk_network_order_hub_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['link_id'], ['network_link.id'], name=op.f('fk_network_order_link_id_network_link'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_order'))
    )
    with op.batch_alter_table('network_order', schema=None) as batch_op:
        batch_op.create_index('ix_network_order_agency_id_ordered_on', ['agency_id', 'ordered_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_network_order_buyer_tenant_id'), ['buyer_tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_network_order_hub_tenant_id'), ['hub_tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_network_order_link_id'), ['link_id'], unique=False)
    op.create_table('network_sales_order',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('link_id', sa.Uuid(), nullable=False),
    sa.Column('buyer_tenant_id', sa.Uuid(), nullable=False),
    sa.Column('buyer_name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('ordered_on', sa.Date(), nullable=False),
    sa.Column('confirmed_on', sa.Date(), nullable=True),
    sa.Column('delivered_on', sa.Date(), nullable=True),
    sa.Column('invoice_number', sa.String(length=32), nullable=True),
    sa.Column('invoice_on', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('total', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('cost_total', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('paid', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('cancel_reason', sa.String(length=300), nullable=True),
    sa.Column('delivery_entry_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('ordered', 'confirmed', 'delivered', 'invoiced', 'paid', 'cancelled')", name=op.f('ck_network_sales_order_status_known')),
    sa.ForeignKeyConstraint(['buyer_tenant_id'], ['tenant.id'], name=op.f('fk_network_sales_order_buyer_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['link_id'], ['network_link.id'], name=op.f('fk_network_sales_order_link_id_network_link'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_network_sales_order_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_network_sales_order')),
    sa.UniqueConstraint('tenant_id', 'number', name=op.f('uq_network_sales_order_tenant_id_number'))
    )
    op.create_table('network_payment_received',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('order_id', sa.Uuid(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('method', sa.String(length=12), nullable=False),
    sa.Column('journal_entry_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_network_payment_received_amount_positive')),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['network_sales_order.tenant_id', 'network_sales_order.id'], name=op.f('fk_network_payment_received_tenant_id_order_id_network_sales_order'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_network_payment_received_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_network_payment_received'))
    )
    op.create_table('network_purchase',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('link_id', sa.Uuid(), nullable=False),
    sa.Column('hub_tenant_id', sa.Uuid(), nullable=False),
    sa.Column('purchase_order_id', sa.Uuid(), nullable=False),
    sa.Column('invoice_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hub_tenant_id'], ['tenant.id'], name=op.f('fk_network_purchase_hub_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['link_id'], ['network_link.id'], name=op.f('fk_network_purchase_link_id_network_link'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'invoice_id'], ['retail_supplier_invoice.tenant_id', 'retail_supplier_invoice.id'], name=op.f('fk_network_purchase_tenant_id_invoice_id_retail_supplier_invoice'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'purchase_order_id'], ['retail_purchase_order.tenant_id', 'retail_purchase_order.id'], name=op.f('fk_network_purchase_tenant_id_purchase_order_id_retail_purchase_order'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_network_purchase_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_network_purchase')),
    sa.UniqueConstraint('tenant_id', 'purchase_order_id', name=op.f('uq_network_purchase_tenant_id_purchase_order_id'))
    )
    op.create_table('network_sales_order_line',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('order_id', sa.Uuid(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('catalogue_item_id', sa.Uuid(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('qty', coopsaas.retail.models.Fixed(precision=18, scale=3), nullable=False),
    sa.Column('unit_price', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('amount', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('cost_value', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.CheckConstraint('qty > 0', name=op.f('ck_network_sales_order_line_qty_positive')),
    sa.ForeignKeyConstraint(['tenant_id', 'catalogue_item_id'], ['network_catalogue_item.tenant_id', 'network_catalogue_item.id'], name=op.f('fk_network_sales_order_line_tenant_id_catalogue_item_id_network_catalogue_item'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'item_id'], ['retail_item.tenant_id', 'retail_item.id'], name=op.f('fk_network_sales_order_line_tenant_id_item_id_retail_item'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['network_sales_order.tenant_id', 'network_sales_order.id'], name=op.f('fk_network_sales_order_line_tenant_id_order_id_network_sales_order'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_network_sales_order_line_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_network_sales_order_line')),
    sa.UniqueConstraint('tenant_id', 'order_id', 'line_no', name=op.f('uq_network_sales_order_line_tenant_id_order_id_line_no'))
    )
    for table in TENANT_TABLES:
        pgsql.enable_tenant_rls(op, table)
    pgsql.grant_app_roles(op)


def downgrade():
    for table in TENANT_TABLES:
        pgsql.disable_tenant_rls(op, table)
    op.drop_table('network_sales_order_line')
    op.drop_table('network_purchase')
    op.drop_table('network_payment_received')
    op.drop_table('network_sales_order')
    op.drop_table('network_order')
    op.drop_table('network_supplier_ref')
    op.drop_table('network_link')
    op.drop_table('network_catalogue_item')
    op.drop_table('network_partner')
    op.drop_table('network_hub')
