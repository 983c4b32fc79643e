"""The savings sub-ledger: products, member accounts and their transactions.

Invariants:
- `SavingsAccount.balance` is the sum of its transactions' signed amounts; it changes only in the
  transaction that inserts a `SavingsTransaction`, with the account row locked;
- transactions are append-only (database triggers); a correction is a new transaction;
- every transaction points at its journal entry and the entry points back (source_type
  `savings_transaction`, source_id), both written in one database transaction;
- per kind, the sum of account balances equals the control account in the general ledger
  (checked by the verify hook in `services.py`).
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
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopsaas.core.db import TenantScoped, utcnow
from coopsaas.core.types import Money
from coopsaas.extensions import db
from coopsaas.members.models import Member

POKOK, WAJIB, SUKARELA, BERJANGKA = "pokok", "wajib", "sukarela", "berjangka"
PRODUCT_KINDS = (POKOK, WAJIB, SUKARELA, BERJANGKA)
OPEN, CLOSED = "open", "closed"
DEPOSIT, WITHDRAWAL, INTEREST, TAX, FEE, ADMISSION = (
    "deposit",
    "withdrawal",
    "interest",
    "tax",
    "fee",
    "admission",
)
TRANSACTION_KINDS = (DEPOSIT, WITHDRAWAL, INTEREST, TAX, FEE, ADMISSION)
# Kinds that take money out of the account; the others put it in.
OUTGOING = frozenset({WITHDRAWAL, TAX, FEE})
CASH, TRANSFER = "cash", "transfer"
CHANNELS = (CASH, TRANSFER)
ZERO = Decimal("0.00")


class SavingsProduct(TenantScoped, db.Model):
    """A savings product of the tenant, kept in step with `Tenant.settings` by `ensure_products`."""

    __tablename__ = "savings_product"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        CheckConstraint("kind IN ('pokok', 'wajib', 'sukarela', 'berjangka')", name="kind_known"),
    )

    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12))
    # Money as decimal strings, rates as percent strings: {"amount": "250000.00"} for pokok,
    # {"rate_pa": "3", "min_balance": "25000.00", ...} for sukarela (tenants/README.md).
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<SavingsProduct {self.code} {self.kind}>"


class SavingsAccount(TenantScoped, db.Model):
    __tablename__ = "savings_account"
    __table_args__ = (
        UniqueConstraint("tenant_id", "account_no"),
        ForeignKeyConstraint(
            ["tenant_id", "member_id"], ["member.tenant_id", "member.id"], ondelete="RESTRICT"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["savings_product.tenant_id", "savings_product.id"],
            ondelete="RESTRICT",
        ),
        CheckConstraint("status IN ('open', 'closed')", name="status_known"),
        # No product lets a balance go negative; the lock in the services keeps it so, this is the net.
        CheckConstraint("balance >= 0", name="balance_not_negative"),
        CheckConstraint("hold_amount >= 0", name="hold_not_negative"),
        Index("ix_savings_account_tenant_id_member_id", "tenant_id", "member_id"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column()
    product_id: Mapped[uuid.UUID] = mapped_column()
    account_no: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(8), default=OPEN)
    balance: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    hold_amount: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    member: Mapped[Member] = relationship(
        primaryjoin="and_(Member.tenant_id == SavingsAccount.tenant_id, "
        "Member.id == foreign(SavingsAccount.member_id))",
        viewonly=True,
    )
    product: Mapped[SavingsProduct] = relationship(
        primaryjoin="and_(SavingsProduct.tenant_id == SavingsAccount.tenant_id, "
        "SavingsProduct.id == foreign(SavingsAccount.product_id))",
        viewonly=True,
    )

    def __repr__(self) -> str:
        return f"<SavingsAccount {self.account_no} {self.balance}>"


class SavingsTransaction(TenantScoped, db.Model):
    """One movement of a savings account. Never updated: the journal entry mirrors it."""

    __tablename__ = "savings_transaction"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        ForeignKeyConstraint(
            ["tenant_id", "account_id"],
            ["savings_account.tenant_id", "savings_account.id"],
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "journal_entry_id"],
            ["journal_entry.tenant_id", "journal_entry.id"],
            ondelete="RESTRICT",
        ),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("balance_after >= 0", name="balance_after_not_negative"),
        CheckConstraint(
            "kind IN ('deposit', 'withdrawal', 'interest', 'tax', 'fee', 'admission')", name="kind_known"
        ),
        CheckConstraint("channel IN ('cash', 'transfer', 'internal')", name="channel_known"),
        Index("ix_savings_transaction_tenant_id_account_id_entry_on", "tenant_id", "account_id", "entry_on"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column()
    kind: Mapped[str] = mapped_column(String(12))
    channel: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal] = mapped_column(Money)
    balance_after: Mapped[Decimal] = mapped_column(Money)
    entry_on: Mapped[date] = mapped_column(Date)
    memo: Mapped[str] = mapped_column(String(300), default="")
    journal_entry_id: Mapped[uuid.UUID] = mapped_column()
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    account: Mapped[SavingsAccount] = relationship(
        primaryjoin="and_(SavingsAccount.tenant_id == SavingsTransaction.tenant_id, "
        "SavingsAccount.id == foreign(SavingsTransaction.account_id))",
        viewonly=True,
    )

    @property
    def signed_amount(self) -> Decimal:
        return -self.amount if self.kind in OUTGOING else self.amount

    def __repr__(self) -> str:
        return f"<SavingsTransaction {self.kind} {self.amount}>"
