"""The loan book: products, applications, loans, their stored schedules and transactions.

Invariants:
- a `LoanProduct` is seeded from the tenant's file (`[[loan_products]]`) and, once a manager has
  edited it (`edited_at` set), belongs to the database: a later sync never overwrites it;
- an application keeps the terms quoted to the member (method, rate, fees) from the moment it is
  entered; approving and disbursing use those, not the product's later values;
- a `Loan` is made once per approved application (unique `application_id`), with one journal
  entry; its `LoanInstalment` rows are the schedule generated at disbursement: their scheduled
  columns (no, due date, principal, interest, balance) never change (database triggers refuse it);
  repayments only fill the `*_paid` columns;
- `Loan.outstanding_principal` equals the principal less the principal repaid; per tenant the sum
  over loans equals the receivable control accounts 1201 + 1202 (verify hook in `disbursement.py`);
- `LoanTransaction` rows are append-only and point at their journal entry.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopsaas.core.db import TenantScoped, utcnow
from coopsaas.core.types import Money
from coopsaas.extensions import db
from coopsaas.members.models import Member

ZERO = Decimal("0.00")

# Product parameters
CONVENTIONAL_METHODS = ("FLAT", "EFEKTIF", "ANUITAS", "BULLET")
SHARIA_METHODS = ("MURABAHAH", "QARDH")
METHODS = CONVENTIONAL_METHODS + SHARIA_METHODS
RATE_PA, RATE_PM = "rate_pa", "rate_pm"
RATE_BASES = (RATE_PA, RATE_PM)
FEES_DEDUCTED, FEES_SEPARATE = "deducted", "separate"
FEE_COLLECTIONS = (FEES_DEDUCTED, FEES_SEPARATE)
PER_DAY, PER_MONTH = "DAY", "MONTH"
PENALTY_UNITS = (PER_DAY, PER_MONTH)

# Application states
SUBMITTED, APPROVED, REJECTED, DISBURSED = "submitted", "approved", "rejected", "disbursed"
APPLICATION_STATUSES = (SUBMITTED, APPROVED, REJECTED, DISBURSED)

# Loan states (write-off and closing arrive with repayments)
ACTIVE, CLOSED, WRITTEN_OFF = "active", "closed", "written_off"
LOAN_STATUSES = (ACTIVE, CLOSED, WRITTEN_OFF)

# Where the money goes at disbursement
TO_CASH, TO_SAVINGS = "cash", "savings"
DISBURSE_CHANNELS = (TO_CASH, TO_SAVINGS)

# Loan transaction kinds; repayment, penalty, write_off and reversal are booked by later work.
DISBURSEMENT, REPAYMENT, PENALTY, WRITE_OFF, REVERSAL = (
    "disbursement",
    "repayment",
    "penalty",
    "write_off",
    "reversal",
)
TRANSACTION_KINDS = (DISBURSEMENT, REPAYMENT, PENALTY, WRITE_OFF, REVERSAL)


def _user_fk() -> Any:
    return ForeignKey("user_account.id", ondelete="RESTRICT")


class LoanProduct(TenantScoped, db.Model):
    __tablename__ = "loan_product"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        CheckConstraint(
            "method IN ('FLAT', 'EFEKTIF', 'ANUITAS', 'BULLET', 'MURABAHAH', 'QARDH')", name="method_known"
        ),
        CheckConstraint("rate_basis IN ('rate_pa', 'rate_pm')", name="rate_basis_known"),
        CheckConstraint("fee_collection IN ('deducted', 'separate')", name="fee_collection_known"),
        CheckConstraint("penalty_per IN ('DAY', 'MONTH')", name="penalty_per_known"),
        CheckConstraint("min_amount > 0 AND max_amount >= min_amount", name="amount_range"),
        CheckConstraint(
            "min_term_months >= 1 AND max_term_months >= min_term_months AND max_term_months <= 360",
            name="term_range",
        ),
        CheckConstraint("admin_fee >= 0", name="admin_fee_not_negative"),
        CheckConstraint("penalty_grace_days >= 0", name="grace_not_negative"),
    )

    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(12))
    rate_basis: Mapped[str] = mapped_column(String(8), default=RATE_PA)
    # Percentages are kept as decimal text ("1.5"): exact on both databases.
    rate: Mapped[str] = mapped_column(String(20), default="0")
    min_amount: Mapped[Decimal] = mapped_column(Money)
    max_amount: Mapped[Decimal] = mapped_column(Money)
    # The amount may also be capped at this multiple of the member's savings ("3" = 3x); None: no cap.
    max_savings_multiple: Mapped[str | None] = mapped_column(String(20))
    min_term_months: Mapped[int] = mapped_column(Integer)
    max_term_months: Mapped[int] = mapped_column(Integer)
    admin_fee: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    provision_pct: Mapped[str] = mapped_column(String(20), default="0")
    fee_collection: Mapped[str] = mapped_column(String(10), default=FEES_DEDUCTED)
    penalty_rate_pct: Mapped[str] = mapped_column(String(20), default="0")
    penalty_per: Mapped[str] = mapped_column(String(6), default=PER_DAY)
    penalty_grace_days: Mapped[int] = mapped_column(Integer, default=0)
    allocation_order: Mapped[str] = mapped_column(String(20), default="DENDA_BUNGA_POKOK")
    flat_early_settlement_interest: Mapped[str | None] = mapped_column(String(16))
    collectibility_profile: Mapped[str | None] = mapped_column(String(20))
    requires_guarantor: Mapped[bool] = mapped_column(Boolean, default=False)
    requires_collateral: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set when a manager edits the product: from then on the tenant file no longer updates it.
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    edited_by_id: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<LoanProduct {self.code} {self.method}>"


class LoanApplication(TenantScoped, db.Model):
    __tablename__ = "loan_application"
    __table_args__ = (
        UniqueConstraint("tenant_id", "application_no"),
        UniqueConstraint("tenant_id", "idempotency_key"),
        ForeignKeyConstraint(
            ["tenant_id", "member_id"], ["member.tenant_id", "member.id"], ondelete="RESTRICT"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "product_id"], ["loan_product.tenant_id", "loan_product.id"], ondelete="RESTRICT"
        ),
        CheckConstraint("status IN ('submitted', 'approved', 'rejected', 'disbursed')", name="status_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("term_months >= 1", name="term_positive"),
        Index("ix_loan_application_tenant_id_status", "tenant_id", "status"),
        Index("ix_loan_application_tenant_id_member_id", "tenant_id", "member_id"),
    )

    application_no: Mapped[str] = mapped_column(String(30))
    member_id: Mapped[uuid.UUID] = mapped_column()
    product_id: Mapped[uuid.UUID] = mapped_column()
    amount: Mapped[Decimal] = mapped_column(Money)
    term_months: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(500), default="")
    collateral: Mapped[str] = mapped_column(String(500), default="")
    collateral_value: Mapped[Decimal | None] = mapped_column(Money)
    guarantor: Mapped[str] = mapped_column(String(300), default="")
    # The terms quoted when the application was entered (method, rate, fees, penalty...).
    terms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    admin_fee: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    provision_fee: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    status: Mapped[str] = mapped_column(String(10), default=SUBMITTED)
    applied_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str] = mapped_column(String(500), default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    member: Mapped[Member] = relationship(
        primaryjoin="and_(Member.tenant_id == LoanApplication.tenant_id, "
        "Member.id == foreign(LoanApplication.member_id))",
        viewonly=True,
    )
    product: Mapped[LoanProduct] = relationship(
        primaryjoin="and_(LoanProduct.tenant_id == LoanApplication.tenant_id, "
        "LoanProduct.id == foreign(LoanApplication.product_id))",
        viewonly=True,
    )

    def __repr__(self) -> str:
        return f"<LoanApplication {self.application_no} {self.status}>"


class Loan(TenantScoped, db.Model):
    __tablename__ = "loan"
    __table_args__ = (
        UniqueConstraint("tenant_id", "loan_no"),
        UniqueConstraint("tenant_id", "application_id"),
        ForeignKeyConstraint(
            ["tenant_id", "application_id"],
            ["loan_application.tenant_id", "loan_application.id"],
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "member_id"], ["member.tenant_id", "member.id"], ondelete="RESTRICT"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "product_id"], ["loan_product.tenant_id", "loan_product.id"], ondelete="RESTRICT"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "receivable_account_id"], ["account.tenant_id", "account.id"], ondelete="RESTRICT"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "savings_account_id"],
            ["savings_account.tenant_id", "savings_account.id"],
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "journal_entry_id"],
            ["journal_entry.tenant_id", "journal_entry.id"],
            ondelete="RESTRICT",
        ),
        CheckConstraint("status IN ('active', 'closed', 'written_off')", name="status_known"),
        CheckConstraint("channel IN ('cash', 'savings')", name="channel_known"),
        CheckConstraint("principal > 0", name="principal_positive"),
        CheckConstraint(
            "outstanding_principal >= 0 AND outstanding_principal <= principal", name="outstanding_in_range"
        ),
        CheckConstraint("net_disbursed >= 0", name="net_not_negative"),
        Index("ix_loan_tenant_id_member_id", "tenant_id", "member_id"),
        Index("ix_loan_tenant_id_status", "tenant_id", "status"),
    )

    loan_no: Mapped[str] = mapped_column(String(30))
    application_id: Mapped[uuid.UUID] = mapped_column()
    member_id: Mapped[uuid.UUID] = mapped_column()
    product_id: Mapped[uuid.UUID] = mapped_column()
    # Anggota borrow on 1201, calon anggota and non-members on 1202 (fixed at disbursement).
    is_member_borrower: Mapped[bool] = mapped_column(Boolean)
    receivable_account_id: Mapped[uuid.UUID] = mapped_column()
    principal: Mapped[Decimal] = mapped_column(Money)
    term_months: Mapped[int] = mapped_column(Integer)
    period_months: Mapped[int] = mapped_column(Integer, default=1)
    method: Mapped[str] = mapped_column(String(12))
    rate_basis: Mapped[str] = mapped_column(String(8))
    rate: Mapped[str] = mapped_column(String(20))
    terms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    admin_fee: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    provision_fee: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    fee_collection: Mapped[str] = mapped_column(String(10))
    net_disbursed: Mapped[Decimal] = mapped_column(Money)
    channel: Mapped[str] = mapped_column(String(8))
    savings_account_id: Mapped[uuid.UUID | None] = mapped_column()
    disbursed_on: Mapped[date] = mapped_column(Date)
    maturity_on: Mapped[date] = mapped_column(Date)
    regular_instalment: Mapped[Decimal] = mapped_column(Money)
    total_interest: Mapped[Decimal] = mapped_column(Money)
    outstanding_principal: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(12), default=ACTIVE)
    collateral: Mapped[str] = mapped_column(String(500), default="")
    collateral_value: Mapped[Decimal | None] = mapped_column(Money)
    guarantor: Mapped[str] = mapped_column(String(300), default="")
    journal_entry_id: Mapped[uuid.UUID] = mapped_column()
    closed_on: Mapped[date | None] = mapped_column(Date)
    # Written by the daily ageing job (ageing.py): DPD and computed class on its latest run
    # (`LoanAgeing.as_of`); a paid-off loan keeps its last values.
    days_past_due: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    kolektibilitas: Mapped[str | None] = mapped_column(String(3))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    member: Mapped[Member] = relationship(
        primaryjoin="and_(Member.tenant_id == Loan.tenant_id, Member.id == foreign(Loan.member_id))",
        viewonly=True,
    )
    product: Mapped[LoanProduct] = relationship(
        primaryjoin="and_(LoanProduct.tenant_id == Loan.tenant_id, "
        "LoanProduct.id == foreign(Loan.product_id))",
        viewonly=True,
    )
    application: Mapped[LoanApplication] = relationship(
        primaryjoin="and_(LoanApplication.tenant_id == Loan.tenant_id, "
        "LoanApplication.id == foreign(Loan.application_id))",
        viewonly=True,
    )
    instalments: Mapped[list[LoanInstalment]] = relationship(
        primaryjoin="and_(LoanInstalment.tenant_id == Loan.tenant_id, "
        "foreign(LoanInstalment.loan_id) == Loan.id, LoanInstalment.superseded_on.is_(None))",
        order_by="LoanInstalment.no",
        viewonly=True,
    )

    @property
    def is_sharia(self) -> bool:
        """A sharia financing (murabahah, qardh): margin or principal only, ta'widh to 2151."""
        return self.method in SHARIA_METHODS

    @property
    def noun(self) -> str:
        """Its name in journal memos and documents: *pembiayaan* for sharia financing, else *pinjaman*."""
        return "pembiayaan" if self.is_sharia else "pinjaman"

    def __repr__(self) -> str:
        return f"<Loan {self.loan_no} {self.outstanding_principal}>"


class LoanInstalment(TenantScoped, db.Model):
    """One stored schedule row; repayments fill the paid columns, the scheduled ones are fixed."""

    __tablename__ = "loan_instalment"
    __table_args__ = (
        # A rescheduled loan keeps its superseded rows: numbers repeat across schedule versions.
        UniqueConstraint("tenant_id", "loan_id", "version", "no"),
        ForeignKeyConstraint(["tenant_id", "loan_id"], ["loan.tenant_id", "loan.id"], ondelete="RESTRICT"),
        CheckConstraint("no >= 1", name="no_positive"),
        CheckConstraint(
            "principal >= 0 AND interest >= 0 AND balance_after >= 0", name="amounts_not_negative"
        ),
        CheckConstraint(
            "principal_paid >= 0 AND principal_paid <= principal", name="principal_paid_in_range"
        ),
        CheckConstraint(
            "interest_paid >= 0 AND interest_waived >= 0 AND interest_paid + interest_waived <= interest",
            name="interest_paid_in_range",
        ),
        CheckConstraint(
            "penalty >= 0 AND penalty_paid >= 0 AND penalty_paid <= penalty", name="penalty_paid_in_range"
        ),
        Index("ix_loan_instalment_tenant_id_due_on", "tenant_id", "due_on"),
    )

    loan_id: Mapped[uuid.UUID] = mapped_column()
    no: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    principal: Mapped[Decimal] = mapped_column(Money)
    interest: Mapped[Decimal] = mapped_column(Money)
    balance_after: Mapped[Decimal] = mapped_column(Money)
    principal_paid: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    interest_paid: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    interest_waived: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    # Late penalty (denda) charged onto the row through `penalty_through` (None: nothing charged
    # yet). Between charges the denda of the later days is computed, not stored (penalties.py):
    # a repayment, rescheduling or write-off charges it first, on its own date.
    penalty: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    penalty_through: Mapped[date | None] = mapped_column(Date)
    penalty_paid: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    settled_on: Mapped[date | None] = mapped_column(Date)
    # Schedule version (1 at disbursement, +1 per rescheduling, reschedule.py) and, for a row
    # replaced by a rescheduling, the day it stopped being live; live rows have None.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    superseded_on: Mapped[date | None] = mapped_column(Date)

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest

    @property
    def pending_penalty(self) -> Decimal:
        """Denda accrued after `penalty_through` and not charged yet, as penalties.accrue computed
        it when the row was loaded (zero when nobody asked)."""
        return self.__dict__.get("_pending_penalty", ZERO)

    @property
    def penalty_due(self) -> Decimal:
        """Unpaid denda: charged and not paid, plus the accrued part not charged yet."""
        return self.penalty + self.pending_penalty - self.penalty_paid

    @property
    def unpaid(self) -> Decimal:
        return (
            self.principal
            - self.principal_paid
            + self.interest
            - self.interest_paid
            - self.interest_waived
            + self.penalty_due
        )

    def __repr__(self) -> str:
        return f"<LoanInstalment {self.no} {self.due_on}>"


class LoanTransaction(TenantScoped, db.Model):
    """One movement of a loan with its journal entry. Never updated or deleted."""

    __tablename__ = "loan_transaction"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        ForeignKeyConstraint(["tenant_id", "loan_id"], ["loan.tenant_id", "loan.id"], ondelete="RESTRICT"),
        ForeignKeyConstraint(
            ["tenant_id", "journal_entry_id"],
            ["journal_entry.tenant_id", "journal_entry.id"],
            ondelete="RESTRICT",
        ),
        CheckConstraint(
            "kind IN ('disbursement', 'repayment', 'penalty', 'write_off', 'reversal')", name="kind_known"
        ),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("outstanding_after >= 0", name="outstanding_not_negative"),
        Index("ix_loan_transaction_tenant_id_loan_id_entry_on", "tenant_id", "loan_id", "entry_on"),
    )

    loan_id: Mapped[uuid.UUID] = mapped_column()
    kind: Mapped[str] = mapped_column(String(14))
    entry_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    principal: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    interest: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    penalty: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    fee: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    outstanding_after: Mapped[Decimal] = mapped_column(Money)
    # How a repayment was spread over the instalments ({"order": ..., "lines": [...]}).
    allocation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # How a repayment was paid: cash, transfer, savings (the member's sukarela) or exit.
    channel: Mapped[str | None] = mapped_column(String(10))
    memo: Mapped[str] = mapped_column(String(300), default="")
    journal_entry_id: Mapped[uuid.UUID] = mapped_column()
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<LoanTransaction {self.kind} {self.amount}>"


class LoanAgeing(TenantScoped, db.Model):
    """One run of the daily ageing job for a tenant and business date (ageing.py): the loans aged,
    the late penalties accrued since the previous run, the required and booked loss reserve, and
    the adjustment entry if any."""

    __tablename__ = "loan_ageing"
    __table_args__ = (
        UniqueConstraint("tenant_id", "as_of"),
        ForeignKeyConstraint(
            ["tenant_id", "journal_entry_id"],
            ["journal_entry.tenant_id", "journal_entry.id"],
            ondelete="RESTRICT",
        ),
    )

    as_of: Mapped[date] = mapped_column(Date)
    loan_count: Mapped[int] = mapped_column(Integer, default=0)
    outstanding: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    penalties_charged: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    ppap_required: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    ppap_booked_before: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    # Positive: reserve topped up (Dr 6104 / Cr 1209); negative: released (Dr 1209 / Cr 6104).
    adjustment: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    by_class: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    journal_entry_id: Mapped[uuid.UUID | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<LoanAgeing {self.as_of} {self.adjustment}>"


# Write-off (*hapus buku*) proposals: a maker proposes with a reason, another user approves.
WO_PROPOSED, WO_APPROVED, WO_REJECTED = "proposed", "approved", "rejected"
WRITE_OFF_STATUSES = (WO_PROPOSED, WO_APPROVED, WO_REJECTED)


class LoanWriteOff(TenantScoped, db.Model):
    """A write-off of a loan against the loss reserve (writeoff.py). Once approved it holds the
    amounts taken off the books (principal: Dr 1209 and Dr 6104 for a reserve shortfall / Cr 1201
    or 1202) and the off-balance claim kept for collection (unpaid interest and penalties of the
    instalments due by the write-off date); recoveries reduce that claim."""

    __tablename__ = "loan_write_off"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        ForeignKeyConstraint(["tenant_id", "loan_id"], ["loan.tenant_id", "loan.id"], ondelete="RESTRICT"),
        ForeignKeyConstraint(
            ["tenant_id", "journal_entry_id"],
            ["journal_entry.tenant_id", "journal_entry.id"],
            ondelete="RESTRICT",
        ),
        CheckConstraint("status IN ('proposed', 'approved', 'rejected')", name="status_known"),
        CheckConstraint(
            "principal >= 0 AND interest >= 0 AND penalty >= 0 AND reserve_used >= 0 AND shortfall >= 0 "
            "AND recovered >= 0",
            name="amounts_not_negative",
        ),
        Index("ix_loan_write_off_tenant_id_loan_id", "tenant_id", "loan_id"),
        Index("ix_loan_write_off_tenant_id_status", "tenant_id", "status"),
    )

    loan_id: Mapped[uuid.UUID] = mapped_column()
    status: Mapped[str] = mapped_column(String(10), default=WO_PROPOSED)
    reason: Mapped[str] = mapped_column(String(500))
    proposed_by_id: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str] = mapped_column(String(500), default="")
    # Filled on approval: the write-off date and amounts.
    written_off_on: Mapped[date | None] = mapped_column(Date)
    principal: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    interest: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    penalty: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    reserve_used: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    shortfall: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    recovered: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    journal_entry_id: Mapped[uuid.UUID | None] = mapped_column()
    idempotency_key: Mapped[str | None] = mapped_column(String(200))

    @property
    def claim(self) -> Decimal:
        """Written off and still to collect (off-balance): principal + interest + penalty - recovered."""
        return self.principal + self.interest + self.penalty - self.recovered

    def __repr__(self) -> str:
        return f"<LoanWriteOff {self.status} {self.principal}>"


class LoanRecovery(TenantScoped, db.Model):
    """Money received on a written-off loan (Dr Kas/Bank/2101 / Cr 4901). Never updated or deleted."""

    __tablename__ = "loan_recovery"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        ForeignKeyConstraint(["tenant_id", "loan_id"], ["loan.tenant_id", "loan.id"], ondelete="RESTRICT"),
        ForeignKeyConstraint(
            ["tenant_id", "write_off_id"],
            ["loan_write_off.tenant_id", "loan_write_off.id"],
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "journal_entry_id"],
            ["journal_entry.tenant_id", "journal_entry.id"],
            ondelete="RESTRICT",
        ),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("claim_after >= 0", name="claim_not_negative"),
        Index("ix_loan_recovery_tenant_id_loan_id", "tenant_id", "loan_id"),
    )

    loan_id: Mapped[uuid.UUID] = mapped_column()
    write_off_id: Mapped[uuid.UUID] = mapped_column()
    received_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    claim_after: Mapped[Decimal] = mapped_column(Money)
    channel: Mapped[str] = mapped_column(String(10))
    memo: Mapped[str] = mapped_column(String(300), default="")
    journal_entry_id: Mapped[uuid.UUID] = mapped_column()
    idempotency_key: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<LoanRecovery {self.received_on} {self.amount}>"


class LoanReschedule(TenantScoped, db.Model):
    """One rescheduling (*restrukturisasi*) of a loan (reschedule.py): the terms before and after,
    the principal rescheduled, arrears interest capitalised or carried, and the class at the time
    (the class does not improve until the new schedule is kept). Never updated or deleted."""

    __tablename__ = "loan_reschedule"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        UniqueConstraint("tenant_id", "loan_id", "version"),
        ForeignKeyConstraint(["tenant_id", "loan_id"], ["loan.tenant_id", "loan.id"], ondelete="RESTRICT"),
        ForeignKeyConstraint(
            ["tenant_id", "journal_entry_id"],
            ["journal_entry.tenant_id", "journal_entry.id"],
            ondelete="RESTRICT",
        ),
        CheckConstraint(
            "arrears_interest >= 0 AND penalty_carried >= 0 AND new_principal > 0", name="amounts_valid"
        ),
    )

    loan_id: Mapped[uuid.UUID] = mapped_column()
    version: Mapped[int] = mapped_column(Integer)
    effective_on: Mapped[date] = mapped_column(Date)
    first_due_on: Mapped[date] = mapped_column(Date)
    old_terms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    method: Mapped[str] = mapped_column(String(12))
    rate_basis: Mapped[str] = mapped_column(String(8))
    rate: Mapped[str] = mapped_column(String(20))
    term_months: Mapped[int] = mapped_column(Integer)
    outstanding_before: Mapped[Decimal] = mapped_column(Money)
    arrears_interest: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    capitalise_interest: Mapped[bool] = mapped_column(Boolean, default=False)
    penalty_carried: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    new_principal: Mapped[Decimal] = mapped_column(Money)
    class_before: Mapped[str | None] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(500))
    journal_entry_id: Mapped[uuid.UUID | None] = mapped_column()
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(_user_fk())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<LoanReschedule {self.version} {self.effective_on}>"
