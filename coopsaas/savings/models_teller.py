"""A teller's cash day (*buka/tutup kas harian*): the opening float, the close and its count.

One row per teller per business date. While it is open the teller posts cash; closing it stores
the cash position of that moment (opening float, cash in, cash out, expected), what was counted
and the difference, and posts the difference not yet posted to the suspense account 1190
(`selisih_kas`). A manager may reopen a closed day; nothing posted is reversed, and the next
close posts only the change of the difference (`difference_posted` keeps what the ledger holds).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from coopsaas.core.db import TenantScoped, utcnow
from coopsaas.core.types import Money
from coopsaas.extensions import db

SESSION_OPEN, SESSION_CLOSED = "open", "closed"
ZERO = Decimal("0.00")


class TellerSession(TenantScoped, db.Model):
    __tablename__ = "teller_session"
    __table_args__ = (
        UniqueConstraint("tenant_id", "teller_id", "business_on"),
        CheckConstraint("status IN ('open', 'closed')", name="status_known"),
        CheckConstraint("opening_float >= 0", name="opening_float_not_negative"),
        CheckConstraint("counted IS NULL OR counted >= 0", name="counted_not_negative"),
        Index("ix_teller_session_tenant_id_business_on", "tenant_id", "business_on"),
    )

    teller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    business_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default=SESSION_OPEN)
    opening_float: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    opened_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    # The position as it stood at the latest close.
    cash_in: Mapped[Decimal | None] = mapped_column(Money)
    cash_out: Mapped[Decimal | None] = mapped_column(Money)
    expected: Mapped[Decimal | None] = mapped_column(Money)
    counted: Mapped[Decimal | None] = mapped_column(Money)
    # Counted less expected: negative is a shortage (*kurang*), positive an overage (*lebih*).
    difference: Mapped[Decimal | None] = mapped_column(Money)
    difference_posted: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    # {"100000": 12, "50000": 3, ...}: notes and coins counted, when counted by denomination.
    denominations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(String(300), default="")
    close_count: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    reopened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reopened_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    reopen_reason: Mapped[str] = mapped_column(String(300), default="")

    def __repr__(self) -> str:
        return f"<TellerSession {self.business_on} {self.status}>"
