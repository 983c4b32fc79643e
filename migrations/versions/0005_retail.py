"""Retail: items, suppliers, purchases, stock movements, sales, returns, stock takes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 09:26:53.501729

"""
import sqlalchemy as sa
from alembic import op

import coopsaas.core.types
import coopsaas.retail.models
from coopsaas.core import pgsql


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


TABLES = (
    "retail_item",
    "retail_sale",
    "retail_stock_take",
    "retail_supplier",
    "retail_purchase_order",
    "retail_sale_line",
    "retail_sale_return",
    "retail_stock_movement",
    "retail_stock_take_line",
    "retail_goods_receipt",
    "retail_purchase_order_line",
    "retail_supplier_invoice",
    "retail_goods_receipt_line",
    "retail_supplier_payment",
)


def upgrade():
    op.create_table('retail_item',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('sku', sa.String(length=40), nullable=False),
    sa.Column('barcode', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('pack_conversions', sa.JSON(), nullable=False),
    sa.Column('category', sa.String(length=80), nullable=True),
    sa.Column('member_price', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('public_price', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('reorder_point', coopsaas.retail.models.Fixed(3), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('on_hand', coopsaas.retail.models.Fixed(3), nullable=False),
    sa.Column('stock_value', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('avg_cost', coopsaas.retail.models.Fixed(4), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_retail_item_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_retail_item')),
    sa.UniqueConstraint('tenant_id', 'barcode', name=op.f('uq_retail_item_tenant_id_barcode')),
    sa.UniqueConstraint('tenant_id', 'sku', name=op.f('uq_retail_item_tenant_id_sku'))
    )
    with op.batch_alter_table('retail_item', schema=None) as batch_op:
        batch_op.create_index('ix_retail_item_tenant_id_name', ['tenant_id', 'name'], unique=False)
    op.create_table('retail_sale',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('submit_key', sa.String(length=64), nullable=False),
    sa.Column('sold_on', sa.Date(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('total', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('cost_total', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('cash_tendered', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('change', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('journal_entry_id', sa.Uuid(), nullable=True),
    sa.Column('void_reason', sa.String(length=300), nullable=True),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('completed', 'voided')", name=op.f('ck_retail_sale_status_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_retail_sale_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_retail_sale_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_retail_sale')),
    sa.UniqueConstraint('tenant_id', 'number', name=op.f('uq_retail_sale_tenant_id_number')),
    sa.UniqueConstraint('tenant_id', 'submit_key', name=op.f('uq_retail_sale_tenant_id_submit_key'))
    )
    with op.batch_alter_table('retail_sale', schema=None) as batch_op:
        batch_op.create_index('ix_retail_sale_tenant_id_sold_on', ['tenant_id', 'sold_on'], unique=False)
    op.create_table('retail_stock_take',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('counted_on', sa.Date(), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('variance_value', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('journal_entry_id', sa.Uuid(), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_retail_stock_take_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_retail_stock_take_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_retail_stock_take')),
    sa.UniqueConstraint('tenant_id', 'number', name=op.f('uq_retail_stock_take_tenant_id_number'))
    )
    op.create_table('retail_supplier',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('contact', sa.String(length=120), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('address', sa.String(length=500), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_retail_supplier_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_retail_supplier')),
    sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_retail_supplier_tenant_id_name'))
    )
    op.create_table('retail_purchase_order',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('supplier_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('ordered_on', sa.Date(), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'ordered', 'partially_received', 'received', 'cancelled')", name=op.f('ck_retail_purchase_order_status_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_retail_purchase_order_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'supplier_id'], ['retail_supplier.tenant_id', 'retail_supplier.id'], name=op.f('fk_retail_purchase_order_tenant_id_supplier_id_retail_supplier'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_retail_purchase_order_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_retail_purchase_order')),
    sa.UniqueConstraint('tenant_id', 'number', name=op.f('uq_retail_purchase_order_tenant_id_number'))
    )
    op.create_table('retail_sale_line',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('sale_id', sa.Uuid(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('qty', coopsaas.retail.models.Fixed(3), nullable=False),
    sa.Column('unit_price', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('amount', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('cost_value', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('returned_qty', coopsaas.retail.models.Fixed(3), nullable=False),
    sa.Column('returned_amount', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('returned_cost', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.CheckConstraint('qty > 0 AND returned_qty >= 0 AND returned_qty <= qty', name=op.f('ck_retail_sale_line_returns_within_qty')),
    sa.ForeignKeyConstraint(['tenant_id', 'item_id'], ['retail_item.tenant_id', 'retail_item.id'], name=op.f('fk_retail_sale_line_tenant_id_item_id_retail_item'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'sale_id'], ['retail_sale.tenant_id', 'retail_sale.id'], name=op.f('fk_retail_sale_line_tenant_id_sale_id_retail_sale'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_retail_sale_line_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_retail_sale_line')),
    sa.UniqueConstraint('tenant_id', 'sale_id', 'line_no', name=op.f('uq_retail_sale_line_tenant_id_sale_id_line_no'))
    )
    op.create_table('retail_sale_return',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('sale_id', sa.Uuid(), nullable=False),
    sa.Column('returned_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('total', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('cost_total', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('journal_entry_id', sa.Uuid(), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_retail_sale_return_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'sale_id'], ['retail_sale.tenant_id', 'retail_sale.id'], name=op.f('fk_retail_sale_return_tenant_id_sale_id_retail_sale'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_retail_sale_return_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_retail_sale_return')),
    sa.UniqueConstraint('tenant_id', 'number', name=op.f('uq_retail_sale_return_tenant_id_number'))
    )
    op.create_table('retail_stock_movement',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('moved_on', sa.Date(), nullable=False),
    sa.Column('qty', coopsaas.retail.models.Fixed(3), nullable=False),
    sa.Column('unit_cost', coopsaas.retail.models.Fixed(4), nullable=False),
    sa.Column('value', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('on_hand_after', coopsaas.retail.models.Fixed(3), nullable=False),
    sa.Column('value_after', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('source_type', sa.String(length=40), nullable=False),
    sa.Column('source_id', sa.Uuid(), nullable=False),
    sa.Column('journal_entry_id', sa.Uuid(), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('receipt', 'sale', 'return', 'adjustment')", name=op.f('ck_retail_stock_movement_kind_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_retail_stock_movement_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'item_id'], ['retail_item.tenant_id', 'retail_item.id'], name=op.f('fk_retail_stock_movement_tenant_id_item_id_retail_item'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_retail_stock_movement_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_retail_stock_movement'))
    )
    with op.batch_alter_table('retail_stock_movement', schema=None) as batch_op:
        batch_op.create_index('ix_retail_stock_movement_tenant_id_item_id', ['tenant_id', 'item_id', 'created_at'], unique=False)
    op.create_table('retail_stock_take_line',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('stock_take_id', sa.Uuid(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('book_qty', coopsaas.retail.models.Fixed(3), nullable=False),
    sa.Column('counted_qty', coopsaas.retail.models.Fixed(3), nullable=False),
    sa.Column('variance_qty', coopsaas.retail.models.Fixed(3), nullable=False),
    sa.Column('variance_value', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'item_id'], ['retail_item.tenant_id', 'retail_item.id'], name=op.f('fk_retail_stock_take_line_tenant_id_item_id_retail_item'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'stock_take_id'], ['retail_stock_take.tenant_id', 'retail_stock_take.id'], name=op.f('fk_retail_stock_take_line_tenant_id_stock_take_id_retail_stock_take'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_retail_stock_take_line_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_retail_stock_take_line')),
    sa.UniqueConstraint('tenant_id', 'stock_take_id', 'line_no', name=op.f('uq_retail_stock_take_line_tenant_id_stock_take_id_line_no'))
    )
    op.create_table('retail_goods_receipt',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('order_id', sa.Uuid(), nullable=False),
    sa.Column('supplier_id', sa.Uuid(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('total', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('journal_entry_id', sa.Uuid(), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_retail_goods_receipt_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['retail_purchase_order.tenant_id', 'retail_purchase_order.id'], name=op.f('fk_retail_goods_receipt_tenant_id_order_id_retail_purchase_order'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'supplier_id'], ['retail_supplier.tenant_id', 'retail_supplier.id'], name=op.f('fk_retail_goods_receipt_tenant_id_supplier_id_retail_supplier'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_retail_goods_receipt_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_retail_goods_receipt')),
    sa.UniqueConstraint('tenant_id', 'number', name=op.f('uq_retail_goods_receipt_tenant_id_number'))
    )
    op.create_table('retail_purchase_order_line',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('order_id', sa.Uuid(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('qty', coopsaas.retail.models.Fixed(3), nullable=False),
    sa.Column('unit_cost', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('received_qty', coopsaas.retail.models.Fixed(3), nullable=False),
    sa.CheckConstraint('qty > 0', name=op.f('ck_retail_purchase_order_line_qty_positive')),
    sa.ForeignKeyConstraint(['tenant_id', 'item_id'], ['retail_item.tenant_id', 'retail_item.id'], name=op.f('fk_retail_purchase_order_line_tenant_id_item_id_retail_item'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['retail_purchase_order.tenant_id', 'retail_purchase_order.id'], name=op.f('fk_retail_purchase_order_line_tenant_id_order_id_retail_purchase_order'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_retail_purchase_order_line_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_retail_purchase_order_line')),
    sa.UniqueConstraint('tenant_id', 'order_id', 'line_no', name=op.f('uq_retail_purchase_order_line_tenant_id_order_id_line_no'))
    )
    op.create_table('retail_supplier_invoice',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('supplier_id', sa.Uuid(), nullable=False),
    sa.Column('order_id', sa.Uuid(), nullable=True),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('invoice_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('amount', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('paid', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0 AND paid >= 0 AND paid <= amount', name=op.f('ck_retail_supplier_invoice_paid_within_amount')),
    sa.ForeignKeyConstraint(['tenant_id', 'order_id'], ['retail_purchase_order.tenant_id', 'retail_purchase_order.id'], name=op.f('fk_retail_supplier_invoice_tenant_id_order_id_retail_purchase_order'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'supplier_id'], ['retail_supplier.tenant_id', 'retail_supplier.id'], name=op.f('fk_retail_supplier_invoice_tenant_id_supplier_id_retail_supplier'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_retail_supplier_invoice_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_retail_supplier_invoice')),
    sa.UniqueConstraint('tenant_id', 'supplier_id', 'number', name=op.f('uq_retail_supplier_invoice_tenant_id_supplier_id_number'))
    )
    op.create_table('retail_goods_receipt_line',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('receipt_id', sa.Uuid(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Uuid(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('qty', coopsaas.retail.models.Fixed(3), nullable=False),
    sa.Column('unit_cost', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('value', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'item_id'], ['retail_item.tenant_id', 'retail_item.id'], name=op.f('fk_retail_goods_receipt_line_tenant_id_item_id_retail_item'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'order_line_id'], ['retail_purchase_order_line.tenant_id', 'retail_purchase_order_line.id'], name=op.f('fk_retail_goods_receipt_line_tenant_id_order_line_id_retail_purchase_order_line'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'receipt_id'], ['retail_goods_receipt.tenant_id', 'retail_goods_receipt.id'], name=op.f('fk_retail_goods_receipt_line_tenant_id_receipt_id_retail_goods_receipt'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_retail_goods_receipt_line_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_retail_goods_receipt_line')),
    sa.UniqueConstraint('tenant_id', 'receipt_id', 'line_no', name=op.f('uq_retail_goods_receipt_line_tenant_id_receipt_id_line_no'))
    )
    op.create_table('retail_supplier_payment',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('invoice_id', sa.Uuid(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('method', sa.String(length=12), nullable=False),
    sa.Column('journal_entry_id', sa.Uuid(), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_retail_supplier_payment_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'invoice_id'], ['retail_supplier_invoice.tenant_id', 'retail_supplier_invoice.id'], name=op.f('fk_retail_supplier_payment_tenant_id_invoice_id_retail_supplier_invoice'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_retail_supplier_payment_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_retail_supplier_payment'))
    )

    for table in TABLES:
        pgsql.enable_tenant_rls(op, table)
    pgsql.append_only(op, "retail_stock_movement")
    pgsql.grant_app_roles(op)


def downgrade():
    pgsql.drop_append_only(op, "retail_stock_movement")
    for table in TABLES:
        pgsql.disable_tenant_rls(op, table)
    op.drop_table('retail_supplier_payment')
    op.drop_table('retail_goods_receipt_line')
    op.drop_table('retail_supplier_invoice')
    op.drop_table('retail_purchase_order_line')
    op.drop_table('retail_goods_receipt')
    op.drop_table('retail_stock_take_line')
    with op.batch_alter_table('retail_stock_movement', schema=None) as batch_op:
        batch_op.drop_index('ix_retail_stock_movement_tenant_id_item_id')
    op.drop_table('retail_stock_movement')
    op.drop_table('retail_sale_return')
    op.drop_table('retail_sale_line')
    op.drop_table('retail_purchase_order')
    op.drop_table('retail_supplier')
    op.drop_table('retail_stock_take')
    with op.batch_alter_table('retail_sale', schema=None) as batch_op:
        batch_op.drop_index('ix_retail_sale_tenant_id_sold_on')
    op.drop_table('retail_sale')
    with op.batch_alter_table('retail_item', schema=None) as batch_op:
        batch_op.drop_index('ix_retail_item_tenant_id_name')
    op.drop_table('retail_item')
