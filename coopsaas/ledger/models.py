"""The general ledger: chart of accounts, journal entries and lines, fiscal periods and the
balances stored when a period closes.

Sign convention: every account has a normal side, D (debit) or K (kredit/credit). A balance is
reported positive on its normal side; contra accounts have the side opposite to their class.
Stored balances (`AccountPeriodBalance.closing_balance`) are signed debit minus credit, whatever
the normal side, so they add up without knowing the account.

Invariants (services enforce them, the database refuses what slips through):
- journal entries and lines are append-only; a correction is a reversal entry, once per entry;
- every line has exactly one of debit/credit positive, the other zero;
- an entry's lines balance (PostgreSQL also checks at commit, with a deferred trigger);
- no line is dated on or before the end of the latest closed period;
- `JournalLine.entry_on` copies its entry's date (enforced by the composite foreign key) so the
  trial balance reads lines alone.
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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopsaas.core.db import TenantScoped, utcnow
from coopsaas.core.types import Money
from coopsaas.extensions import db

ACCOUNT_TYPES = ("asset", "liability", "equity", "income", "expense")
NORMAL_SIDES = ("D", "K")
PERIOD_OPEN, PERIOD_CLOSED = "open", "closed"


class Account(TenantScoped, db.Model):
    __tablename__ = "account"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        ForeignKeyConstraint(
            ["tenant_id", "parent_id"], ["account.tenant_id", "account.id"], ondelete="RESTRICT"
        ),
    )

    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(12))
    normal_side: Mapped[str] = mapped_column(String(1))
    is_contra: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_id: Mapped[uuid.UUID | None] = mapped_column()
    unit: Mapped[str | None] = mapped_column(String(12))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    weights: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<Account {self.code} {self.name}>"


class JournalEntry(TenantScoped, db.Model):
    """The header of one balanced posting. Never updated: a reversal points back at it."""

    __tablename__ = "journal_entry"
    __table_args__ = (
        UniqueConstraint("tenant_id", "voucher_no"),
        # A reversal happens once; several NULLs are allowed by both databases.
        UniqueConstraint("tenant_id", "reverses_entry_id"),
        UniqueConstraint("tenant_id", "idempotency_key"),
        # Target of the lines' (tenant, entry, date) key, which keeps their copied date honest.
        UniqueConstraint("tenant_id", "id", "entry_on"),
        ForeignKeyConstraint(
            ["tenant_id", "reverses_entry_id"],
            ["journal_entry.tenant_id", "journal_entry.id"],
            ondelete="RESTRICT",
        ),
        Index("ix_journal_entry_tenant_id_entry_on", "tenant_id", "entry_on"),
        # Partial: history, opening and manual entries have no source (migration 0013).
        Index(
            "ix_journal_entry_tenant_id_source",
            "tenant_id",
            "source_type",
            "source_id",
            postgresql_where=text("source_type IS NOT NULL"),
            sqlite_where=text("source_type IS NOT NULL"),
        ),
    )

    voucher_no: Mapped[str] = mapped_column(String(32))
    series: Mapped[str] = mapped_column(String(8))
    entry_on: Mapped[date] = mapped_column(Date)
    memo: Mapped[str] = mapped_column(String(500), default="")
    source_type: Mapped[str | None] = mapped_column(String(40))
    source_id: Mapped[uuid.UUID | None] = mapped_column()
    reverses_entry_id: Mapped[uuid.UUID | None] = mapped_column()
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    lines: Mapped[list[JournalLine]] = relationship(
        primaryjoin="and_(JournalEntry.tenant_id == JournalLine.tenant_id, "
        "JournalEntry.id == foreign(JournalLine.entry_id))",
        order_by="JournalLine.line_no",
        cascade="save-update, merge",
        back_populates="entry",
    )

    # The link is stored on the reversal only (posted rows never change); both ends read it.
    reverses: Mapped[JournalEntry | None] = relationship(
        primaryjoin="and_(JournalEntry.tenant_id == remote(JournalEntry.tenant_id), "
        "foreign(JournalEntry.reverses_entry_id) == remote(JournalEntry.id))",
        viewonly=True,
    )
    reversed_by: Mapped[JournalEntry | None] = relationship(
        primaryjoin="and_(JournalEntry.tenant_id == remote(JournalEntry.tenant_id), "
        "JournalEntry.id == foreign(remote(JournalEntry.reverses_entry_id)))",
        viewonly=True,
        uselist=False,
    )

    @property
    def total(self) -> Decimal:
        return sum((line.debit for line in self.lines), Decimal("0.00"))

    def __repr__(self) -> str:
        return f"<JournalEntry {self.voucher_no} {self.entry_on}>"


class JournalLine(TenantScoped, db.Model):
    __tablename__ = "journal_line"
    __table_args__ = (
        UniqueConstraint("tenant_id", "entry_id", "line_no"),
        ForeignKeyConstraint(
            ["tenant_id", "entry_id", "entry_on"],
            ["journal_entry.tenant_id", "journal_entry.id", "journal_entry.entry_on"],
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "account_id"], ["account.tenant_id", "account.id"], ondelete="RESTRICT"
        ),
        CheckConstraint("(debit > 0 AND credit = 0) OR (credit > 0 AND debit = 0)", name="one_side_positive"),
        Index("ix_journal_line_tenant_id_account_id_entry_on", "tenant_id", "account_id", "entry_on"),
        # Covering on PostgreSQL: the trial balance sums the open tail from the index alone.
        Index(
            "ix_journal_line_tenant_id_entry_on",
            "tenant_id",
            "entry_on",
            postgresql_include=["account_id", "debit", "credit"],
        ),
        # Partial: most lines name no member or loan (migration 0013).
        Index(
            "ix_journal_line_tenant_id_member_id",
            "tenant_id",
            "member_id",
            postgresql_where=text("member_id IS NOT NULL"),
            sqlite_where=text("member_id IS NOT NULL"),
        ),
        Index(
            "ix_journal_line_tenant_id_loan_id",
            "tenant_id",
            "loan_id",
            postgresql_where=text("loan_id IS NOT NULL"),
            sqlite_where=text("loan_id IS NOT NULL"),
        ),
    )

    entry_id: Mapped[uuid.UUID] = mapped_column()
    entry_on: Mapped[date] = mapped_column(Date)
    line_no: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[uuid.UUID] = mapped_column()
    debit: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    credit: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    # Sub-ledger references; their tables arrive with the savings, loans and retail features.
    member_id: Mapped[uuid.UUID | None] = mapped_column()
    loan_id: Mapped[uuid.UUID | None] = mapped_column()
    item_id: Mapped[uuid.UUID | None] = mapped_column()
    memo: Mapped[str | None] = mapped_column(String(300))

    entry: Mapped[JournalEntry] = relationship(
        primaryjoin="and_(JournalEntry.tenant_id == JournalLine.tenant_id, "
        "JournalEntry.id == foreign(JournalLine.entry_id))",
        back_populates="lines",
    )
    account: Mapped[Account] = relationship(
        primaryjoin="and_(Account.tenant_id == JournalLine.tenant_id, "
        "Account.id == foreign(JournalLine.account_id))",
        viewonly=True,
    )

    def __repr__(self) -> str:
        return f"<JournalLine {self.line_no} D {self.debit} K {self.credit}>"


class FiscalPeriod(TenantScoped, db.Model):
    """A month of the books. No row means open; closing writes `closed`, reopening `open`."""

    __tablename__ = "fiscal_period"
    __table_args__ = (
        UniqueConstraint("tenant_id", "year", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
        CheckConstraint("status IN ('open', 'closed')", name="status_known"),
    )

    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(8), default=PERIOD_OPEN)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))

    def __repr__(self) -> str:
        return f"<FiscalPeriod {self.year}-{self.month:02d} {self.status}>"


class AccountPeriodBalance(TenantScoped, db.Model):
    """Derived data stored at close: the month's movement and the closing balance of an account.

    Reports of closed periods read these O(accounts) rows instead of summing lines; reopening a
    month deletes its rows (they are not ledger rows).
    """

    __tablename__ = "account_period_balance"
    __table_args__ = (
        UniqueConstraint("tenant_id", "account_id", "year", "month"),
        ForeignKeyConstraint(
            ["tenant_id", "account_id"], ["account.tenant_id", "account.id"], ondelete="RESTRICT"
        ),
        Index("ix_account_period_balance_tenant_id_year_month", "tenant_id", "year", "month"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column()
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    debit_total: Mapped[Decimal] = mapped_column(Money)
    credit_total: Mapped[Decimal] = mapped_column(Money)
    closing_balance: Mapped[Decimal] = mapped_column(Money)
