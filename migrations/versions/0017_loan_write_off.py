"""Loans: write-off (hapus buku) proposals and approvals, recoveries on written-off loans, and
rescheduling (restrukturisasi): schedule versions on the instalments and the rescheduling record.

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

import coopsaas.core.types
from coopsaas.core import pgsql


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

TABLES = ('loan_write_off', 'loan_recovery', 'loan_reschedule')
# As in 0015: the scheduled columns of an instalment never change (SQLite triggers are lost when
# the table is rebuilt for its new unique key, so they are made again).
FIXED = ('loan_id', 'no', 'due_on', 'principal', 'interest', 'balance_after')


def _sqlite_schedule_triggers():
    changed = ' OR '.join(f'NEW.{c} IS NOT OLD.{c}' for c in FIXED)
    op.execute('DROP TRIGGER IF EXISTS loan_instalment_schedule_fixed')
    op.execute('DROP TRIGGER IF EXISTS loan_instalment_no_delete')
    op.execute(
        f"CREATE TRIGGER loan_instalment_schedule_fixed BEFORE UPDATE OF {', '.join(FIXED)} "
        f"ON loan_instalment WHEN {changed} "
        "BEGIN SELECT RAISE(ABORT, 'a stored loan schedule never changes'); END"
    )
    op.execute(
        "CREATE TRIGGER loan_instalment_no_delete BEFORE DELETE ON loan_instalment "
        "BEGIN SELECT RAISE(ABORT, 'loan_instalment rows are never deleted'); END"
    )


def _money(name):
    return sa.Column(name, coopsaas.core.types.Money(precision=18, scale=2), nullable=False)


def upgrade():
    op.create_table('loan_write_off',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('loan_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('proposed_by_id', sa.Uuid(), nullable=True),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Uuid(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.String(length=500), nullable=False),
    sa.Column('written_off_on', sa.Date(), nullable=True),
    _money('principal'),
    _money('interest'),
    _money('penalty'),
    _money('reserve_used'),
    _money('shortfall'),
    _money('recovered'),
    sa.Column('journal_entry_id', sa.Uuid(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.CheckConstraint("status IN ('proposed', 'approved', 'rejected')", name=op.f('ck_loan_write_off_status_known')),
    sa.CheckConstraint('principal >= 0 AND interest >= 0 AND penalty >= 0 AND reserve_used >= 0 AND shortfall >= 0 AND recovered >= 0', name=op.f('ck_loan_write_off_amounts_not_negative')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_loan_write_off_decided_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user_account.id'], name=op.f('fk_loan_write_off_proposed_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'journal_entry_id'], ['journal_entry.tenant_id', 'journal_entry.id'], name=op.f('fk_loan_write_off_tenant_id_journal_entry_id_journal_entry'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'loan_id'], ['loan.tenant_id', 'loan.id'], name=op.f('fk_loan_write_off_tenant_id_loan_id_loan'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_loan_write_off_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_loan_write_off')),
    sa.UniqueConstraint('tenant_id', 'idempotency_key', name=op.f('uq_loan_write_off_tenant_id_idempotency_key'))
    )
    with op.batch_alter_table('loan_write_off', schema=None) as batch_op:
        batch_op.create_index('ix_loan_write_off_tenant_id_loan_id', ['tenant_id', 'loan_id'], unique=False)
        batch_op.create_index('ix_loan_write_off_tenant_id_status', ['tenant_id', 'status'], unique=False)

    op.create_table('loan_recovery',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('loan_id', sa.Uuid(), nullable=False),
    sa.Column('write_off_id', sa.Uuid(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    _money('amount'),
    _money('claim_after'),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('memo', sa.String(length=300), nullable=False),
    sa.Column('journal_entry_id', sa.Uuid(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_loan_recovery_amount_positive')),
    sa.CheckConstraint('claim_after >= 0', name=op.f('ck_loan_recovery_claim_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_loan_recovery_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'journal_entry_id'], ['journal_entry.tenant_id', 'journal_entry.id'], name=op.f('fk_loan_recovery_tenant_id_journal_entry_id_journal_entry'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'loan_id'], ['loan.tenant_id', 'loan.id'], name=op.f('fk_loan_recovery_tenant_id_loan_id_loan'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'write_off_id'], ['loan_write_off.tenant_id', 'loan_write_off.id'], name=op.f('fk_loan_recovery_tenant_id_write_off_id_loan_write_off'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_loan_recovery_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_loan_recovery')),
    sa.UniqueConstraint('tenant_id', 'idempotency_key', name=op.f('uq_loan_recovery_tenant_id_idempotency_key'))
    )
    with op.batch_alter_table('loan_recovery', schema=None) as batch_op:
        batch_op.create_index('ix_loan_recovery_tenant_id_loan_id', ['tenant_id', 'loan_id'], unique=False)

    sqlite = op.get_bind().dialect.name == 'sqlite'
    with op.batch_alter_table('loan_instalment', schema=None, recreate='always' if sqlite else 'auto') as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('superseded_on', sa.Date(), nullable=True))
        batch_op.drop_constraint('uq_loan_instalment_tenant_id_loan_id_no', type_='unique')
        batch_op.create_unique_constraint(
            op.f('uq_loan_instalment_tenant_id_loan_id_version_no'), ['tenant_id', 'loan_id', 'version', 'no']
        )
    if sqlite:
        _sqlite_schedule_triggers()

    op.create_table('loan_reschedule',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('loan_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('first_due_on', sa.Date(), nullable=False),
    sa.Column('old_terms', sa.JSON(), nullable=False),
    sa.Column('method', sa.String(length=12), nullable=False),
    sa.Column('rate_basis', sa.String(length=8), nullable=False),
    sa.Column('rate', sa.String(length=20), nullable=False),
    sa.Column('term_months', sa.Integer(), nullable=False),
    _money('outstanding_before'),
    _money('arrears_interest'),
    sa.Column('capitalise_interest', sa.Boolean(), nullable=False),
    _money('penalty_carried'),
    _money('new_principal'),
    sa.Column('class_before', sa.String(length=3), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('journal_entry_id', sa.Uuid(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('arrears_interest >= 0 AND penalty_carried >= 0 AND new_principal > 0', name=op.f('ck_loan_reschedule_amounts_valid')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_loan_reschedule_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'journal_entry_id'], ['journal_entry.tenant_id', 'journal_entry.id'], name=op.f('fk_loan_reschedule_tenant_id_journal_entry_id_journal_entry'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'loan_id'], ['loan.tenant_id', 'loan.id'], name=op.f('fk_loan_reschedule_tenant_id_loan_id_loan'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_loan_reschedule_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_loan_reschedule')),
    sa.UniqueConstraint('tenant_id', 'idempotency_key', name=op.f('uq_loan_reschedule_tenant_id_idempotency_key')),
    sa.UniqueConstraint('tenant_id', 'loan_id', 'version', name=op.f('uq_loan_reschedule_tenant_id_loan_id_version'))
    )

    pgsql.append_only(op, 'loan_recovery')
    pgsql.append_only(op, 'loan_reschedule')
    for table in TABLES:
        pgsql.enable_tenant_rls(op, table)
    pgsql.grant_app_roles(op)


def downgrade():
    for table in reversed(TABLES):
        pgsql.disable_tenant_rls(op, table)
    pgsql.drop_append_only(op, 'loan_reschedule')
    pgsql.drop_append_only(op, 'loan_recovery')
    op.drop_table('loan_reschedule')
    sqlite = op.get_bind().dialect.name == 'sqlite'
    with op.batch_alter_table('loan_instalment', schema=None, recreate='always' if sqlite else 'auto') as batch_op:
        batch_op.drop_constraint('uq_loan_instalment_tenant_id_loan_id_version_no', type_='unique')
        batch_op.create_unique_constraint('uq_loan_instalment_tenant_id_loan_id_no', ['tenant_id', 'loan_id', 'no'])
        batch_op.drop_column('superseded_on')
        batch_op.drop_column('version')
    if sqlite:
        _sqlite_schedule_triggers()
    with op.batch_alter_table('loan_recovery', schema=None) as batch_op:
        batch_op.drop_index('ix_loan_recovery_tenant_id_loan_id')
    op.drop_table('loan_recovery')
    with op.batch_alter_table('loan_write_off', schema=None) as batch_op:
        batch_op.drop_index('ix_loan_write_off_tenant_id_status')
        batch_op.drop_index('ix_loan_write_off_tenant_id_loan_id')
    op.drop_table('loan_write_off')
