"""passbook print position and member exit

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

import coopsaas.core.types
from coopsaas.core import pgsql

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

MONEY = coopsaas.core.types.Money(precision=18, scale=2)


def upgrade():
    op.create_table('savings_passbook',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('book_no', sa.Integer(), nullable=False),
    sa.Column('page_no', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('last_transaction_id', sa.Uuid(), nullable=True),
    sa.Column('carry_forward', sa.Boolean(), nullable=False),
    sa.Column('updated_by_id', sa.Uuid(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('book_no >= 1', name=op.f('ck_savings_passbook_book_positive')),
    sa.CheckConstraint('page_no >= 1', name=op.f('ck_savings_passbook_page_positive')),
    sa.CheckConstraint('line_no >= 0', name=op.f('ck_savings_passbook_line_not_negative')),
    sa.ForeignKeyConstraint(['tenant_id', 'account_id'], ['savings_account.tenant_id', 'savings_account.id'], name=op.f('fk_savings_passbook_tenant_id_account_id_savings_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'last_transaction_id'], ['savings_transaction.tenant_id', 'savings_transaction.id'], name=op.f('fk_savings_passbook_tenant_id_last_transaction_id_savings_transaction'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_savings_passbook_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_savings_passbook_updated_by_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_savings_passbook')),
    sa.UniqueConstraint('tenant_id', 'account_id', name=op.f('uq_savings_passbook_tenant_id_account_id'))
    )
    op.create_table('member_exit',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('exit_no', sa.String(length=20), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('exit_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('payout', sa.String(length=8), nullable=False),
    sa.Column('settlement', sa.JSON(), nullable=False),
    sa.Column('savings_total', MONEY, nullable=False),
    sa.Column('obligations_total', MONEY, nullable=False),
    sa.Column('refund', MONEY, nullable=False),
    sa.Column('requested_by_id', sa.Uuid(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Uuid(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.String(length=500), nullable=False),
    sa.Column('journal_entry_id', sa.Uuid(), nullable=True),
    sa.CheckConstraint("status IN ('requested', 'approved', 'rejected')", name=op.f('ck_member_exit_status_known')),
    sa.CheckConstraint("payout IN ('cash', 'payable')", name=op.f('ck_member_exit_payout_known')),
    sa.ForeignKeyConstraint(['tenant_id', 'member_id'], ['member.tenant_id', 'member.id'], name=op.f('fk_member_exit_tenant_id_member_id_member'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'journal_entry_id'], ['journal_entry.tenant_id', 'journal_entry.id'], name=op.f('fk_member_exit_tenant_id_journal_entry_id_journal_entry'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_member_exit_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_member_exit_requested_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_member_exit_decided_by_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_member_exit')),
    sa.UniqueConstraint('tenant_id', 'exit_no', name=op.f('uq_member_exit_tenant_id_exit_no'))
    )
    op.create_index('ix_member_exit_tenant_id_member_id', 'member_exit', ['tenant_id', 'member_id'], unique=False)
    op.create_index('ix_member_exit_tenant_id_status', 'member_exit', ['tenant_id', 'status'], unique=False)
    pgsql.enable_tenant_rls(op, "savings_passbook")
    pgsql.enable_tenant_rls(op, "member_exit")
    pgsql.grant_app_roles(op)


def downgrade():
    pgsql.disable_tenant_rls(op, "member_exit")
    pgsql.disable_tenant_rls(op, "savings_passbook")
    op.drop_index('ix_member_exit_tenant_id_status', table_name='member_exit')
    op.drop_index('ix_member_exit_tenant_id_member_id', table_name='member_exit')
    op.drop_table('member_exit')
    op.drop_table('savings_passbook')
