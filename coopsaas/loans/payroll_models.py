"""Payroll deduction (*potong gaji*) batches: one row per employer and month once the employer's
confirmed list has been posted (payroll.py). The file's SHA-256 makes a second import of the same
file a no-op; a different file for an employer and month already posted is refused."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coopsaas.core.db import TenantScoped, utcnow
from coopsaas.core.types import Money
from coopsaas.extensions import db

ZERO = Decimal("0.00")


class PayrollBatch(TenantScoped, db.Model):
    __tablename__ = "loan_payroll_batch"
    __table_args__ = (UniqueConstraint("tenant_id", "employer", "month"),)

    employer: Mapped[str] = mapped_column(String(200))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    payroll_on: Mapped[date] = mapped_column(Date)
    file_sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    due_total: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    confirmed_total: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    # The posted rows and the differences (partial payments, members not in the file).
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<PayrollBatch {self.employer} {self.month}>"
