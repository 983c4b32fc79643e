"""members and savings: the member register, savings products, accounts and transactions

savings_transaction is append-only (UPDATE and DELETE refused, both dialects), like the ledger;
savings_account keeps a running balance that the services change only with a new transaction.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

import coopsaas.core.types
from coopsaas.core import pgsql


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

TENANT_TABLES = ("member", "savings_product", "savings_account", "savings_transaction")


def upgrade():
    op.create_table('member',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('member_no', sa.String(length=20), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('occupation', sa.String(length=100), nullable=True),
    sa.Column('employer', sa.String(length=200), nullable=True),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('active', 'exited')", name=op.f('ck_member_status_known')),
    sa.CheckConstraint("type IN ('anggota', 'calon_anggota')", name=op.f('ck_member_type_known')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_member_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_member_user_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_member')),
    sa.UniqueConstraint('tenant_id', 'member_no', name=op.f('uq_member_tenant_id_member_no')),
    sa.UniqueConstraint('tenant_id', 'nik', name=op.f('uq_member_tenant_id_nik')),
    sa.UniqueConstraint('tenant_id', 'user_id', name=op.f('uq_member_tenant_id_user_id'))
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index('ix_member_tenant_id_name', ['tenant_id', 'name'], unique=False)

    op.create_table('savings_product',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('pokok', 'wajib', 'sukarela', 'berjangka')", name=op.f('ck_savings_product_kind_known')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_savings_product_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_savings_product')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_savings_product_tenant_id_code'))
    )
    op.create_table('savings_account',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('account_no', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('balance', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('hold_amount', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_savings_account_status_known')),
    sa.CheckConstraint('balance >= 0', name=op.f('ck_savings_account_balance_not_negative')),
    sa.CheckConstraint('hold_amount >= 0', name=op.f('ck_savings_account_hold_not_negative')),
    sa.ForeignKeyConstraint(['tenant_id', 'member_id'], ['member.tenant_id', 'member.id'], name=op.f('fk_savings_account_tenant_id_member_id_member'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'product_id'], ['savings_product.tenant_id', 'savings_product.id'], name=op.f('fk_savings_account_tenant_id_product_id_savings_product'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_savings_account_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_savings_account')),
    sa.UniqueConstraint('tenant_id', 'account_no', name=op.f('uq_savings_account_tenant_id_account_no'))
    )
    with op.batch_alter_table('savings_account', schema=None) as batch_op:
        batch_op.create_index('ix_savings_account_tenant_id_member_id', ['tenant_id', 'member_id'], unique=False)

    op.create_table('savings_transaction',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('amount', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('balance_after', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('entry_on', sa.Date(), nullable=False),
    sa.Column('memo', sa.String(length=300), nullable=False),
    sa.Column('journal_entry_id', sa.Uuid(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('cash', 'transfer', 'internal')", name=op.f('ck_savings_transaction_channel_known')),
    sa.CheckConstraint("kind IN ('deposit', 'withdrawal', 'interest', 'tax', 'fee', 'admission')", name=op.f('ck_savings_transaction_kind_known')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_savings_transaction_amount_positive')),
    sa.CheckConstraint('balance_after >= 0', name=op.f('ck_savings_transaction_balance_after_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_savings_transaction_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'account_id'], ['savings_account.tenant_id', 'savings_account.id'], name=op.f('fk_savings_transaction_tenant_id_account_id_savings_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'journal_entry_id'], ['journal_entry.tenant_id', 'journal_entry.id'], name=op.f('fk_savings_transaction_tenant_id_journal_entry_id_journal_entry'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_savings_transaction_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_savings_transaction')),
    sa.UniqueConstraint('tenant_id', 'idempotency_key', name=op.f('uq_savings_transaction_tenant_id_idempotency_key'))
    )
    with op.batch_alter_table('savings_transaction', schema=None) as batch_op:
        batch_op.create_index('ix_savings_transaction_tenant_id_account_id_entry_on', ['tenant_id', 'account_id', 'entry_on'], unique=False)


    for table in TENANT_TABLES:
        pgsql.enable_tenant_rls(op, table)
    pgsql.append_only(op, "savings_transaction")
    pgsql.grant_app_roles(op)


def downgrade():
    pgsql.drop_append_only(op, "savings_transaction")
    for table in reversed(TENANT_TABLES):
        pgsql.disable_tenant_rls(op, table)
    with op.batch_alter_table('savings_transaction', schema=None) as batch_op:
        batch_op.drop_index('ix_savings_transaction_tenant_id_account_id_entry_on')

    op.drop_table('savings_transaction')
    with op.batch_alter_table('savings_account', schema=None) as batch_op:
        batch_op.drop_index('ix_savings_account_tenant_id_member_id')

    op.drop_table('savings_account')
    op.drop_table('savings_product')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ix_member_tenant_id_name')

    op.drop_table('member')
