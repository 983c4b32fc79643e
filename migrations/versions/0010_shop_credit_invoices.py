"""Shop member credit, business customers, invoices (faktur) and their payments.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

import coopsaas.core.types
import coopsaas.retail.models
from coopsaas.core import pgsql

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

TABLES = (
    "retail_customer",
    "retail_member_credit",
    "retail_credit_txn",
    "retail_invoice",
    "retail_invoice_line",
    "retail_invoice_payment",
)


def upgrade():
    op.create_table('retail_customer',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('npwp', sa.String(length=20), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_retail_customer_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_retail_customer')),
    sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_retail_customer_tenant_id_name'))
    )
    op.create_table('retail_credit_txn',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('txn_on', sa.Date(), nullable=False),
    sa.Column('amount', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('balance_after', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('method', sa.String(length=12), nullable=True),
    sa.Column('sale_id', sa.Uuid(), nullable=True),
    sa.Column('journal_entry_id', sa.Uuid(), nullable=True),
    sa.Column('memo', sa.String(length=300), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('sale', 'invoice', 'payment', 'savings', 'exit', 'void', 'return')", name=op.f('ck_retail_credit_txn_kind_known')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_retail_credit_txn_amount_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_retail_credit_txn_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'member_id'], ['member.tenant_id', 'member.id'], name=op.f('fk_retail_credit_txn_tenant_id_member_id_member'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_retail_credit_txn_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_retail_credit_txn')),
    sa.UniqueConstraint('tenant_id', 'idempotency_key', name=op.f('uq_retail_credit_txn_tenant_id_idempotency_key'))
    )
    with op.batch_alter_table('retail_credit_txn', schema=None) as batch_op:
        batch_op.create_index('ix_retail_credit_txn_tenant_id_member_id', ['tenant_id', 'member_id', 'created_at'], unique=False)

    op.create_table('retail_invoice',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('submit_key', sa.String(length=64), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=True),
    sa.Column('member_id', sa.Uuid(), nullable=True),
    sa.Column('invoice_on', sa.Date(), nullable=False),
    sa.Column('terms_days', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('is_taxable', sa.Boolean(), nullable=False),
    sa.Column('tax_rate', coopsaas.retail.models.Fixed(precision=18, scale=4), nullable=False),
    sa.Column('subtotal', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('tax', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('total', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('cost_total', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('paid', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('journal_entry_id', sa.Uuid(), nullable=True),
    sa.Column('void_reason', sa.String(length=300), nullable=True),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'partial', 'paid', 'voided')", name=op.f('ck_retail_invoice_status_known')),
    sa.CheckConstraint('(customer_id IS NULL) <> (member_id IS NULL)', name=op.f('ck_retail_invoice_one_buyer')),
    sa.CheckConstraint('paid >= 0 AND paid <= total', name=op.f('ck_retail_invoice_paid_within_total')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_retail_invoice_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['retail_customer.tenant_id', 'retail_customer.id'], name=op.f('fk_retail_invoice_tenant_id_customer_id_retail_customer'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'member_id'], ['member.tenant_id', 'member.id'], name=op.f('fk_retail_invoice_tenant_id_member_id_member'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_retail_invoice_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_retail_invoice')),
    sa.UniqueConstraint('tenant_id', 'number', name=op.f('uq_retail_invoice_tenant_id_number')),
    sa.UniqueConstraint('tenant_id', 'submit_key', name=op.f('uq_retail_invoice_tenant_id_submit_key'))
    )
    with op.batch_alter_table('retail_invoice', schema=None) as batch_op:
        batch_op.create_index('ix_retail_invoice_tenant_id_due_on', ['tenant_id', 'due_on'], unique=False)

    op.create_table('retail_member_credit',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('outstanding', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('outstanding >= 0', name=op.f('ck_retail_member_credit_outstanding_not_negative')),
    sa.ForeignKeyConstraint(['tenant_id', 'member_id'], ['member.tenant_id', 'member.id'], name=op.f('fk_retail_member_credit_tenant_id_member_id_member'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_retail_member_credit_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_retail_member_credit')),
    sa.UniqueConstraint('tenant_id', 'member_id', name=op.f('uq_retail_member_credit_tenant_id_member_id'))
    )
    op.create_table('retail_invoice_line',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('invoice_id', sa.Uuid(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('qty', coopsaas.retail.models.Fixed(precision=18, scale=3), nullable=False),
    sa.Column('unit_price', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('amount', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('cost_value', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.CheckConstraint('qty > 0', name=op.f('ck_retail_invoice_line_qty_positive')),
    sa.ForeignKeyConstraint(['tenant_id', 'invoice_id'], ['retail_invoice.tenant_id', 'retail_invoice.id'], name=op.f('fk_retail_invoice_line_tenant_id_invoice_id_retail_invoice'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'item_id'], ['retail_item.tenant_id', 'retail_item.id'], name=op.f('fk_retail_invoice_line_tenant_id_item_id_retail_item'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_retail_invoice_line_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_retail_invoice_line')),
    sa.UniqueConstraint('tenant_id', 'invoice_id', 'line_no', name=op.f('uq_retail_invoice_line_tenant_id_invoice_id_line_no'))
    )
    op.create_table('retail_invoice_payment',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('invoice_id', sa.Uuid(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('method', sa.String(length=12), nullable=False),
    sa.Column('journal_entry_id', sa.Uuid(), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("method IN ('cash', 'transfer', 'savings', 'exit')", name=op.f('ck_retail_invoice_payment_method_known')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_retail_invoice_payment_amount_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_retail_invoice_payment_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'invoice_id'], ['retail_invoice.tenant_id', 'retail_invoice.id'], name=op.f('fk_retail_invoice_payment_tenant_id_invoice_id_retail_invoice'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_retail_invoice_payment_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_retail_invoice_payment'))
    )
    with op.batch_alter_table('retail_sale', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tender', sa.String(length=8), server_default='cash', nullable=False))

    for table in TABLES:
        pgsql.enable_tenant_rls(op, table)
    pgsql.append_only(op, "retail_credit_txn")
    pgsql.grant_app_roles(op)


def downgrade():
    pgsql.drop_append_only(op, "retail_credit_txn")
    for table in TABLES:
        pgsql.disable_tenant_rls(op, table)
    with op.batch_alter_table('retail_sale', schema=None) as batch_op:
        batch_op.drop_column('tender')

    op.drop_table('retail_invoice_payment')
    op.drop_table('retail_invoice_line')
    op.drop_table('retail_member_credit')
    with op.batch_alter_table('retail_invoice', schema=None) as batch_op:
        batch_op.drop_index('ix_retail_invoice_tenant_id_due_on')

    op.drop_table('retail_invoice')
    with op.batch_alter_table('retail_credit_txn', schema=None) as batch_op:
        batch_op.drop_index('ix_retail_credit_txn_tenant_id_member_id')

    op.drop_table('retail_credit_txn')
    op.drop_table('retail_customer')
