"""ledger: journal entries and lines, fiscal periods, stored period balances

Database rules (DESIGN.md section 6), besides the constraints on the tables:
- journal_entry and journal_line are append-only (UPDATE and DELETE refused, both dialects);
- a line dated on or before the end of a closed month is refused (both dialects);
- PostgreSQL: a deferred constraint trigger checks at COMMIT that every entry touched has at
  least two lines and balances.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 09:00:10.658963

"""
import sqlalchemy as sa
from alembic import op

import coopsaas.core.types
from coopsaas.core import pgsql


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

TENANT_TABLES = ("fiscal_period", "journal_entry", "account_period_balance", "journal_line")

PG_BALANCED = """
CREATE OR REPLACE FUNCTION coopsaas_check_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    -- the entry's id column is named by the trigger: id on journal_entry, entry_id on lines
    eid uuid := (to_jsonb(NEW) ->> TG_ARGV[0])::uuid;
    d numeric; c numeric; n integer;
BEGIN
    SELECT coalesce(sum(debit), 0), coalesce(sum(credit), 0), count(*) INTO d, c, n
      FROM journal_line WHERE tenant_id = NEW.tenant_id AND entry_id = eid;
    IF n < 2 OR d <> c THEN
        RAISE EXCEPTION 'journal entry % does not balance (% lines, debit %, credit %)', eid, n, d, c
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$
"""

PG_CLOSED = """
CREATE OR REPLACE FUNCTION coopsaas_refuse_closed_period() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM fiscal_period fp
                WHERE fp.tenant_id = NEW.tenant_id AND fp.status = 'closed'
                  AND fp.year * 100 + fp.month >= extract(year FROM NEW.entry_on)::int * 100
                                                 + extract(month FROM NEW.entry_on)::int) THEN
        RAISE EXCEPTION 'journal line dated % falls in a closed period', NEW.entry_on
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$
"""

SQLITE_CLOSED = """
CREATE TRIGGER journal_line_closed_period BEFORE INSERT ON journal_line
WHEN EXISTS (SELECT 1 FROM fiscal_period fp
              WHERE fp.tenant_id = NEW.tenant_id AND fp.status = 'closed'
                AND fp.year * 100 + fp.month >= CAST(strftime('%Y', NEW.entry_on) AS INTEGER) * 100
                                               + CAST(strftime('%m', NEW.entry_on) AS INTEGER))
BEGIN
    SELECT RAISE(ABORT, 'journal line falls in a closed period');
END
"""


def upgrade():
    op.create_table('fiscal_period',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Uuid(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_fiscal_period_status_known')),
    sa.CheckConstraint('month BETWEEN 1 AND 12', name=op.f('ck_fiscal_period_month_range')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user_account.id'], name=op.f('fk_fiscal_period_closed_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_fiscal_period_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_fiscal_period')),
    sa.UniqueConstraint('tenant_id', 'year', 'month', name=op.f('uq_fiscal_period_tenant_id_year_month'))
    )
    op.create_table('journal_entry',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('voucher_no', sa.String(length=32), nullable=False),
    sa.Column('series', sa.String(length=8), nullable=False),
    sa.Column('entry_on', sa.Date(), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('source_type', sa.String(length=40), nullable=True),
    sa.Column('source_id', sa.Uuid(), nullable=True),
    sa.Column('reverses_entry_id', sa.Uuid(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=128), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_journal_entry_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'reverses_entry_id'], ['journal_entry.tenant_id', 'journal_entry.id'], name=op.f('fk_journal_entry_tenant_id_reverses_entry_id_journal_entry'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_journal_entry_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_journal_entry')),
    sa.UniqueConstraint('tenant_id', 'id', 'entry_on', name=op.f('uq_journal_entry_tenant_id_id_entry_on')),
    sa.UniqueConstraint('tenant_id', 'idempotency_key', name=op.f('uq_journal_entry_tenant_id_idempotency_key')),
    sa.UniqueConstraint('tenant_id', 'reverses_entry_id', name=op.f('uq_journal_entry_tenant_id_reverses_entry_id')),
    sa.UniqueConstraint('tenant_id', 'voucher_no', name=op.f('uq_journal_entry_tenant_id_voucher_no'))
    )
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.create_index('ix_journal_entry_tenant_id_entry_on', ['tenant_id', 'entry_on'], unique=False)
        batch_op.create_index('ix_journal_entry_tenant_id_source', ['tenant_id', 'source_type', 'source_id'], unique=False)

    op.create_table('account_period_balance',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('debit_total', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('credit_total', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('closing_balance', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'account_id'], ['account.tenant_id', 'account.id'], name=op.f('fk_account_period_balance_tenant_id_account_id_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_account_period_balance_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_account_period_balance')),
    sa.UniqueConstraint('tenant_id', 'account_id', 'year', 'month', name=op.f('uq_account_period_balance_tenant_id_account_id_year_month'))
    )
    with op.batch_alter_table('account_period_balance', schema=None) as batch_op:
        batch_op.create_index('ix_account_period_balance_tenant_id_year_month', ['tenant_id', 'year', 'month'], unique=False)

    op.create_table('journal_line',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('entry_id', sa.Uuid(), nullable=False),
    sa.Column('entry_on', sa.Date(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('debit', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('credit', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=True),
    sa.Column('loan_id', sa.Uuid(), nullable=True),
    sa.Column('item_id', sa.Uuid(), nullable=True),
    sa.Column('memo', sa.String(length=300), nullable=True),
    sa.CheckConstraint('(debit > 0 AND credit = 0) OR (credit > 0 AND debit = 0)', name=op.f('ck_journal_line_one_side_positive')),
    sa.ForeignKeyConstraint(['tenant_id', 'account_id'], ['account.tenant_id', 'account.id'], name=op.f('fk_journal_line_tenant_id_account_id_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'entry_id', 'entry_on'], ['journal_entry.tenant_id', 'journal_entry.id', 'journal_entry.entry_on'], name=op.f('fk_journal_line_tenant_id_entry_id_entry_on_journal_entry'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_journal_line_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_journal_line')),
    sa.UniqueConstraint('tenant_id', 'entry_id', 'line_no', name=op.f('uq_journal_line_tenant_id_entry_id_line_no'))
    )
    with op.batch_alter_table('journal_line', schema=None) as batch_op:
        batch_op.create_index('ix_journal_line_tenant_id_account_id_entry_on', ['tenant_id', 'account_id', 'entry_on'], unique=False)
        batch_op.create_index('ix_journal_line_tenant_id_entry_on', ['tenant_id', 'entry_on'], unique=False)
        batch_op.create_index('ix_journal_line_tenant_id_loan_id', ['tenant_id', 'loan_id'], unique=False)
        batch_op.create_index('ix_journal_line_tenant_id_member_id', ['tenant_id', 'member_id'], unique=False)

    for table in TENANT_TABLES:
        pgsql.enable_tenant_rls(op, table)
    pgsql.append_only(op, "journal_entry")
    pgsql.append_only(op, "journal_line")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_BALANCED)
        for table, column in (("journal_entry", "id"), ("journal_line", "entry_id")):
            op.execute(
                f"CREATE CONSTRAINT TRIGGER {table}_balanced AFTER INSERT ON {table} DEFERRABLE "
                f"INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION coopsaas_check_entry_balanced('{column}')"
            )
        op.execute(PG_CLOSED)
        op.execute(
            "CREATE TRIGGER journal_line_closed_period BEFORE INSERT ON journal_line "
            "FOR EACH ROW EXECUTE FUNCTION coopsaas_refuse_closed_period()"
        )
    else:
        op.execute(SQLITE_CLOSED)
    pgsql.grant_app_roles(op)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS journal_line_closed_period ON journal_line")
        op.execute("DROP TRIGGER IF EXISTS journal_line_balanced ON journal_line")
        op.execute("DROP TRIGGER IF EXISTS journal_entry_balanced ON journal_entry")
        op.execute("DROP FUNCTION IF EXISTS coopsaas_refuse_closed_period()")
        op.execute("DROP FUNCTION IF EXISTS coopsaas_check_entry_balanced()")
    else:
        op.execute("DROP TRIGGER IF EXISTS journal_line_closed_period")
    pgsql.drop_append_only(op, "journal_line")
    pgsql.drop_append_only(op, "journal_entry")
    for table in reversed(TENANT_TABLES):
        pgsql.disable_tenant_rls(op, table)
    with op.batch_alter_table('journal_line', schema=None) as batch_op:
        batch_op.drop_index('ix_journal_line_tenant_id_member_id')
        batch_op.drop_index('ix_journal_line_tenant_id_loan_id')
        batch_op.drop_index('ix_journal_line_tenant_id_entry_on')
        batch_op.drop_index('ix_journal_line_tenant_id_account_id_entry_on')

    op.drop_table('journal_line')
    with op.batch_alter_table('account_period_balance', schema=None) as batch_op:
        batch_op.drop_index('ix_account_period_balance_tenant_id_year_month')

    op.drop_table('account_period_balance')
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_journal_entry_tenant_id_source')
        batch_op.drop_index('ix_journal_entry_tenant_id_entry_on')

    op.drop_table('journal_entry')
    op.drop_table('fiscal_period')
