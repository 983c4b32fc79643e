"""Loans: payroll deduction (potong gaji) batches, one per employer and month.

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

import coopsaas.core.types
from coopsaas.core import pgsql


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('loan_payroll_batch',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('employer', sa.String(length=200), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('payroll_on', sa.Date(), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('due_total', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('confirmed_total', coopsaas.core.types.Money(precision=18, scale=2), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_loan_payroll_batch_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_loan_payroll_batch_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_loan_payroll_batch')),
    sa.UniqueConstraint('tenant_id', 'employer', 'month', name=op.f('uq_loan_payroll_batch_tenant_id_employer_month'))
    )
    pgsql.enable_tenant_rls(op, 'loan_payroll_batch')
    pgsql.grant_app_roles(op)


def downgrade():
    pgsql.disable_tenant_rls(op, 'loan_payroll_batch')
    op.drop_table('loan_payroll_batch')
