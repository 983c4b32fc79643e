"""Loans: products, applications, loans with their stored schedules and transactions.

Revision ID: 0015
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

import coopsaas.core.types
from coopsaas.core import pgsql


revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None

TABLES = ('loan_product', 'loan_application', 'loan', 'loan_instalment', 'loan_transaction')
# The scheduled columns of an instalment never change once stored; only the paid columns move.
FIXED = ('loan_id', 'no', 'due_on', 'principal', 'interest', 'balance_after')


def _schedule_fixed_triggers():
    if op.get_bind().dialect.name == 'postgresql':
        changed = ' OR '.join(f'NEW.{c} IS DISTINCT FROM OLD.{c}' for c in FIXED)
        op.execute(
            "CREATE OR REPLACE FUNCTION coopsaas_loan_schedule_fixed() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN IF TG_OP = 'DELETE' THEN "
            "RAISE EXCEPTION 'loan_instalment rows are never deleted' USING ERRCODE = 'restrict_violation'; "
            f"END IF; IF {changed} THEN "
            "RAISE EXCEPTION 'a stored loan schedule never changes' USING ERRCODE = 'restrict_violation'; "
            "END IF; RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER loan_instalment_schedule_fixed BEFORE UPDATE OR DELETE ON loan_instalment "
            "FOR EACH ROW EXECUTE FUNCTION coopsaas_loan_schedule_fixed()"
        )
    else:
        changed = ' OR '.join(f'NEW.{c} IS NOT OLD.{c}' for c in FIXED)
        op.execute(
            f"CREATE TRIGGER loan_instalment_schedule_fixed BEFORE UPDATE OF {', '.join(FIXED)} "
            f"ON loan_instalment WHEN {changed} "
            "BEGIN SELECT RAISE(ABORT, 'a stored loan schedule never changes'); END"
        )
        op.execute(
            "CREATE TRIGGER loan_instalment_no_delete BEFORE DELETE ON loan_instalment "
            "BEGIN SELECT RAISE(ABORT, 'loan_instalment rows are never deleted'); END"
        )


def upgrade():
    op.create_table('loan_product',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('method', sa.String(length=12), nullable=False),
    sa.Column('rate_basis', sa.String(length=8), nullable=False),
    sa.Column('rate', sa.String(length=20), nullable=False),
    sa.Column('min_amount', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('max_amount', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('max_savings_multiple', sa.String(length=20), nullable=True),
    sa.Column('min_term_months', sa.Integer(), nullable=False),
    sa.Column('max_term_months', sa.Integer(), nullable=False),
    sa.Column('admin_fee', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('provision_pct', sa.String(length=20), nullable=False),
    sa.Column('fee_collection', sa.String(length=10), nullable=False),
    sa.Column('penalty_rate_pct', sa.String(length=20), nullable=False),
    sa.Column('penalty_per', sa.String(length=6), nullable=False),
    sa.Column('penalty_grace_days', sa.Integer(), nullable=False),
    sa.Column('allocation_order', sa.String(length=20), nullable=False),
    sa.Column('flat_early_settlement_interest', sa.String(length=16), nullable=True),
    sa.Column('collectibility_profile', sa.String(length=20), nullable=True),
    sa.Column('requires_guarantor', sa.Boolean(), nullable=False),
    sa.Column('requires_collateral', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('edited_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("fee_collection IN ('deducted', 'separate')", name=op.f('ck_loan_product_fee_collection_known')),
    sa.CheckConstraint("method IN ('FLAT', 'EFEKTIF', 'ANUITAS', 'BULLET', 'MURABAHAH', 'QARDH')", name=op.f('ck_loan_product_method_known')),
    sa.CheckConstraint("penalty_per IN ('DAY', 'MONTH')", name=op.f('ck_loan_product_penalty_per_known')),
    sa.CheckConstraint("rate_basis IN ('rate_pa', 'rate_pm')", name=op.f('ck_loan_product_rate_basis_known')),
    sa.CheckConstraint('admin_fee >= 0', name=op.f('ck_loan_product_admin_fee_not_negative')),
    sa.CheckConstraint('min_amount > 0 AND max_amount >= min_amount', name=op.f('ck_loan_product_amount_range')),
    sa.CheckConstraint('min_term_months >= 1 AND max_term_months >= min_term_months AND max_term_months <= 360', name=op.f('ck_loan_product_term_range')),
    sa.CheckConstraint('penalty_grace_days >= 0', name=op.f('ck_loan_product_grace_not_negative')),
    sa.ForeignKeyConstraint(['edited_by_id'], ['user_account.id'], name=op.f('fk_loan_product_edited_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_loan_product_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_loan_product')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_loan_product_tenant_id_code'))
    )
    op.create_table('loan_application',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('application_no', sa.String(length=30), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('amount', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('term_months', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=500), nullable=False),
    sa.Column('collateral', sa.String(length=500), nullable=False),
    sa.Column('collateral_value', coopsaas.core.types.Money(precision=18, scale=2), nullable=True),
    sa.Column('guarantor', sa.String(length=300), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('admin_fee', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('provision_fee', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('decided_by_id', sa.Uuid(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.String(length=500), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('submitted', 'approved', 'rejected', 'disbursed')", name=op.f('ck_loan_application_status_known')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_loan_application_amount_positive')),
    sa.CheckConstraint('term_months >= 1', name=op.f('ck_loan_application_term_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_loan_application_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_loan_application_decided_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'member_id'], ['member.tenant_id', 'member.id'], name=op.f('fk_loan_application_tenant_id_member_id_member'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'product_id'], ['loan_product.tenant_id', 'loan_product.id'], name=op.f('fk_loan_application_tenant_id_product_id_loan_product'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_loan_application_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_loan_application')),
    sa.UniqueConstraint('tenant_id', 'application_no', name=op.f('uq_loan_application_tenant_id_application_no')),
    sa.UniqueConstraint('tenant_id', 'idempotency_key', name=op.f('uq_loan_application_tenant_id_idempotency_key'))
    )
    with op.batch_alter_table('loan_application', schema=None) as batch_op:
        batch_op.create_index('ix_loan_application_tenant_id_member_id', ['tenant_id', 'member_id'], unique=False)
        batch_op.create_index('ix_loan_application_tenant_id_status', ['tenant_id', 'status'], unique=False)

    op.create_table('loan',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('loan_no', sa.String(length=30), nullable=False),
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('is_member_borrower', sa.Boolean(), nullable=False),
    sa.Column('receivable_account_id', sa.Uuid(), nullable=False),
    sa.Column('principal', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('term_months', sa.Integer(), nullable=False),
    sa.Column('period_months', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=12), nullable=False),
    sa.Column('rate_basis', sa.String(length=8), nullable=False),
    sa.Column('rate', sa.String(length=20), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('admin_fee', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('provision_fee', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('fee_collection', sa.String(length=10), nullable=False),
    sa.Column('net_disbursed', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('savings_account_id', sa.Uuid(), nullable=True),
    sa.Column('disbursed_on', sa.Date(), nullable=False),
    sa.Column('maturity_on', sa.Date(), nullable=False),
    sa.Column('regular_instalment', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('total_interest', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('outstanding_principal', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('collateral', sa.String(length=500), nullable=False),
    sa.Column('collateral_value', coopsaas.core.types.Money(precision=18, scale=2), nullable=True),
    sa.Column('guarantor', sa.String(length=300), nullable=False),
    sa.Column('journal_entry_id', sa.Uuid(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('cash', 'savings')", name=op.f('ck_loan_channel_known')),
    sa.CheckConstraint("status IN ('active', 'closed', 'written_off')", name=op.f('ck_loan_status_known')),
    sa.CheckConstraint('net_disbursed >= 0', name=op.f('ck_loan_net_not_negative')),
    sa.CheckConstraint('outstanding_principal >= 0 AND outstanding_principal <= principal', name=op.f('ck_loan_outstanding_in_range')),
    sa.CheckConstraint('principal > 0', name=op.f('ck_loan_principal_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_loan_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'application_id'], ['loan_application.tenant_id', 'loan_application.id'], name=op.f('fk_loan_tenant_id_application_id_loan_application'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'journal_entry_id'], ['journal_entry.tenant_id', 'journal_entry.id'], name=op.f('fk_loan_tenant_id_journal_entry_id_journal_entry'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'member_id'], ['member.tenant_id', 'member.id'], name=op.f('fk_loan_tenant_id_member_id_member'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'product_id'], ['loan_product.tenant_id', 'loan_product.id'], name=op.f('fk_loan_tenant_id_product_id_loan_product'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'receivable_account_id'], ['account.tenant_id', 'account.id'], name=op.f('fk_loan_tenant_id_receivable_account_id_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'savings_account_id'], ['savings_account.tenant_id', 'savings_account.id'], name=op.f('fk_loan_tenant_id_savings_account_id_savings_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_loan_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_loan')),
    sa.UniqueConstraint('tenant_id', 'application_id', name=op.f('uq_loan_tenant_id_application_id')),
    sa.UniqueConstraint('tenant_id', 'loan_no', name=op.f('uq_loan_tenant_id_loan_no'))
    )
    with op.batch_alter_table('loan', schema=None) as batch_op:
        batch_op.create_index('ix_loan_tenant_id_member_id', ['tenant_id', 'member_id'], unique=False)
        batch_op.create_index('ix_loan_tenant_id_status', ['tenant_id', 'status'], unique=False)

    op.create_table('loan_instalment',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('loan_id', sa.Uuid(), nullable=False),
    sa.Column('no', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('principal', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('interest', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('balance_after', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('principal_paid', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('interest_paid', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('interest_waived', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('penalty', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('penalty_paid', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('settled_on', sa.Date(), nullable=True),
    sa.CheckConstraint('interest_paid >= 0 AND interest_waived >= 0 AND interest_paid + interest_waived <= interest', name=op.f('ck_loan_instalment_interest_paid_in_range')),
    sa.CheckConstraint('no >= 1', name=op.f('ck_loan_instalment_no_positive')),
    sa.CheckConstraint('penalty >= 0 AND penalty_paid >= 0 AND penalty_paid <= penalty', name=op.f('ck_loan_instalment_penalty_paid_in_range')),
    sa.CheckConstraint('principal >= 0 AND interest >= 0 AND balance_after >= 0', name=op.f('ck_loan_instalment_amounts_not_negative')),
    sa.CheckConstraint('principal_paid >= 0 AND principal_paid <= principal', name=op.f('ck_loan_instalment_principal_paid_in_range')),
    sa.ForeignKeyConstraint(['tenant_id', 'loan_id'], ['loan.tenant_id', 'loan.id'], name=op.f('fk_loan_instalment_tenant_id_loan_id_loan'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_loan_instalment_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_loan_instalment')),
    sa.UniqueConstraint('tenant_id', 'loan_id', 'no', name=op.f('uq_loan_instalment_tenant_id_loan_id_no'))
    )
    with op.batch_alter_table('loan_instalment', schema=None) as batch_op:
        batch_op.create_index('ix_loan_instalment_tenant_id_due_on', ['tenant_id', 'due_on'], unique=False)

    op.create_table('loan_transaction',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('loan_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=14), nullable=False),
    sa.Column('entry_on', sa.Date(), nullable=False),
    sa.Column('amount', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('principal', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('interest', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('penalty', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('fee', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('outstanding_after', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('allocation', sa.JSON(), nullable=True),
    sa.Column('memo', sa.String(length=300), nullable=False),
    sa.Column('journal_entry_id', sa.Uuid(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('disbursement', 'repayment', 'penalty', 'write_off', 'reversal')", name=op.f('ck_loan_transaction_kind_known')),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_loan_transaction_amount_not_negative')),
    sa.CheckConstraint('outstanding_after >= 0', name=op.f('ck_loan_transaction_outstanding_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_loan_transaction_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'journal_entry_id'], ['journal_entry.tenant_id', 'journal_entry.id'], name=op.f('fk_loan_transaction_tenant_id_journal_entry_id_journal_entry'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'loan_id'], ['loan.tenant_id', 'loan.id'], name=op.f('fk_loan_transaction_tenant_id_loan_id_loan'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_loan_transaction_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_loan_transaction')),
    sa.UniqueConstraint('tenant_id', 'idempotency_key', name=op.f('uq_loan_transaction_tenant_id_idempotency_key'))
    )
    with op.batch_alter_table('loan_transaction', schema=None) as batch_op:
        batch_op.create_index('ix_loan_transaction_tenant_id_loan_id_entry_on', ['tenant_id', 'loan_id', 'entry_on'], unique=False)

    _schedule_fixed_triggers()
    pgsql.append_only(op, 'loan_transaction')
    for table in TABLES:
        pgsql.enable_tenant_rls(op, table)
    pgsql.grant_app_roles(op)


def downgrade():
    for table in reversed(TABLES):
        pgsql.disable_tenant_rls(op, table)
    pgsql.drop_append_only(op, 'loan_transaction')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS loan_instalment_schedule_fixed ON loan_instalment')
        op.execute('DROP FUNCTION IF EXISTS coopsaas_loan_schedule_fixed()')
    else:
        op.execute('DROP TRIGGER IF EXISTS loan_instalment_schedule_fixed')
        op.execute('DROP TRIGGER IF EXISTS loan_instalment_no_delete')
    with op.batch_alter_table('loan_transaction', schema=None) as batch_op:
        batch_op.drop_index('ix_loan_transaction_tenant_id_loan_id_entry_on')

    op.drop_table('loan_transaction')
    with op.batch_alter_table('loan_instalment', schema=None) as batch_op:
        batch_op.drop_index('ix_loan_instalment_tenant_id_due_on')

    op.drop_table('loan_instalment')
    with op.batch_alter_table('loan', schema=None) as batch_op:
        batch_op.drop_index('ix_loan_tenant_id_status')
        batch_op.drop_index('ix_loan_tenant_id_member_id')

    op.drop_table('loan')
    with op.batch_alter_table('loan_application', schema=None) as batch_op:
        batch_op.drop_index('ix_loan_application_tenant_id_status')
        batch_op.drop_index('ix_loan_application_tenant_id_member_id')

    op.drop_table('loan_application')
    op.drop_table('loan_product')
