"""Shop receivables: member credit at the till (belanja kredit), business customers, invoices (faktur).

Invariants:
- `MemberCredit.outstanding` changes only together with a new `CreditTxn` (append-only), so the
  transactions replay to it; the row is the lock two tills take before charging one member;
- the open balances (member credit outstanding plus every unpaid invoice balance) add up to the
  receivable control account 1301 (`credit.receivable_findings` checks it);
- an invoice, its lines, its stock movements and its journal entry are written together and point
  at each other; a payment row and its entry likewise.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
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
from coopsaas.retail.models import Fixed, Item

CREDIT_TXN_KINDS = ("sale", "invoice", "payment", "savings", "exit", "void", "return")
INVOICE_STATUSES = ("open", "partial", "paid", "voided")
INVOICE_PAYMENT_METHODS = ("cash", "transfer", "savings", "exit")


def _fk(column: str, target: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", column], [f"{target}.tenant_id", f"{target}.id"], ondelete="RESTRICT"
    )


def _join(parent: str, child: str, column: str) -> str:
    return f"and_({parent}.tenant_id == {child}.tenant_id, {parent}.id == foreign({child}.{column}))"


class Customer(TenantScoped, db.Model):
    """A business (or other non-member) buying on invoice."""

    __tablename__ = "retail_customer"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500), default="")
    npwp: Mapped[str | None] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(40))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MemberCredit(TenantScoped, db.Model):
    """A member's running shop-credit balance (till sales on credit, less what was collected)."""

    __tablename__ = "retail_member_credit"
    __table_args__ = (
        UniqueConstraint("tenant_id", "member_id"),
        _fk("member_id", "member"),
        CheckConstraint("outstanding >= 0", name="outstanding_not_negative"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column()
    outstanding: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CreditTxn(TenantScoped, db.Model):
    """One change of a member's credit balance. Append-only (database triggers refuse changes).
    `amount` is positive; sales raise the balance, every other kind lowers it."""

    __tablename__ = "retail_credit_txn"
    __table_args__ = (
        _fk("member_id", "member"),
        CheckConstraint(
            "kind IN ('sale', 'invoice', 'payment', 'savings', 'exit', 'void', 'return')", name="kind_known"
        ),
        CheckConstraint("amount > 0", name="amount_positive"),
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_retail_credit_txn_tenant_id_member_id", "tenant_id", "member_id", "created_at"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column()
    kind: Mapped[str] = mapped_column(String(8))
    txn_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    balance_after: Mapped[Decimal] = mapped_column(Money)
    method: Mapped[str | None] = mapped_column(String(12))
    sale_id: Mapped[uuid.UUID | None] = mapped_column()
    journal_entry_id: Mapped[uuid.UUID | None] = mapped_column()
    memo: Mapped[str] = mapped_column(String(300), default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def signed(self) -> Decimal:
        return self.amount if self.kind == "sale" else -self.amount


class Invoice(TenantScoped, db.Model):
    """A faktur: goods delivered on credit to a member or a business customer."""

    __tablename__ = "retail_invoice"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        UniqueConstraint("tenant_id", "submit_key"),
        _fk("customer_id", "retail_customer"),
        _fk("member_id", "member"),
        CheckConstraint("status IN ('open', 'partial', 'paid', 'voided')", name="status_known"),
        CheckConstraint("(customer_id IS NULL) <> (member_id IS NULL)", name="one_buyer"),
        CheckConstraint("paid >= 0 AND paid <= total", name="paid_within_total"),
        Index("ix_retail_invoice_tenant_id_due_on", "tenant_id", "due_on"),
    )

    number: Mapped[str] = mapped_column(String(32))
    submit_key: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[uuid.UUID | None] = mapped_column()
    member_id: Mapped[uuid.UUID | None] = mapped_column()
    invoice_on: Mapped[date] = mapped_column(Date)
    terms_days: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="open")
    is_taxable: Mapped[bool] = mapped_column(Boolean, default=False)
    tax_rate: Mapped[Decimal] = mapped_column(Fixed(4), default=Decimal("0.0000"))
    subtotal: Mapped[Decimal] = mapped_column(Money)
    tax: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    total: Mapped[Decimal] = mapped_column(Money)
    cost_total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    paid: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    memo: Mapped[str] = mapped_column(String(500), default="")
    journal_entry_id: Mapped[uuid.UUID | None] = mapped_column()
    void_reason: Mapped[str | None] = mapped_column(String(300))
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    lines: Mapped[list[InvoiceLine]] = relationship(
        primaryjoin=_join("Invoice", "InvoiceLine", "invoice_id"),
        order_by="InvoiceLine.line_no",
        cascade="save-update, merge",
        back_populates="invoice",
    )
    customer: Mapped[Customer | None] = relationship(
        primaryjoin=_join("Customer", "Invoice", "customer_id"), viewonly=True
    )

    @property
    def balance(self) -> Decimal:
        return Decimal("0.00") if self.status == "voided" else self.total - self.paid


class InvoiceLine(TenantScoped, db.Model):
    __tablename__ = "retail_invoice_line"
    __table_args__ = (
        UniqueConstraint("tenant_id", "invoice_id", "line_no"),
        _fk("invoice_id", "retail_invoice"),
        _fk("item_id", "retail_item"),
        CheckConstraint("qty > 0", name="qty_positive"),
    )

    invoice_id: Mapped[uuid.UUID] = mapped_column()
    line_no: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[uuid.UUID] = mapped_column()
    qty: Mapped[Decimal] = mapped_column(Fixed(3))
    unit_price: Mapped[Decimal] = mapped_column(Money)
    amount: Mapped[Decimal] = mapped_column(Money)
    cost_value: Mapped[Decimal] = mapped_column(Money)

    invoice: Mapped[Invoice] = relationship(
        primaryjoin=_join("Invoice", "InvoiceLine", "invoice_id"), back_populates="lines"
    )
    item: Mapped[Item] = relationship(primaryjoin=_join("Item", "InvoiceLine", "item_id"), viewonly=True)


class InvoicePayment(TenantScoped, db.Model):
    """Money received against an invoice (recorded by staff; `exit`: settled from the member's
    savings by the member-exit entry, which this row references)."""

    __tablename__ = "retail_invoice_payment"
    __table_args__ = (
        _fk("invoice_id", "retail_invoice"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("method IN ('cash', 'transfer', 'savings', 'exit')", name="method_known"),
    )

    invoice_id: Mapped[uuid.UUID] = mapped_column()
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    method: Mapped[str] = mapped_column(String(12))
    journal_entry_id: Mapped[uuid.UUID | None] = mapped_column()
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
