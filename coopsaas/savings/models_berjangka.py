"""A time deposit's placement: the terms fixed on the day it was placed, and how far it has run.

The money itself is a `SavingsAccount` of a berjangka product (balance = principal, control
account 2102); this row keeps what the account cannot: term, rate, payout and maturity
instruction, the maturity date, the months of the term already paid or accrued, and the end.
A rollover ends the placement (`rolled`) and starts a new one on the same account.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, ForeignKeyConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from coopsaas.core.db import TenantScoped, utcnow
from coopsaas.core.types import Money
from coopsaas.extensions import db

ACTIVE, MATURED, BROKEN, ROLLED = "active", "matured", "broken", "rolled"


class BerjangkaPlacement(TenantScoped, db.Model):
    __tablename__ = "savings_berjangka_placement"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "account_id"],
            ["savings_account.tenant_id", "savings_account.id"],
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "payout_account_id"],
            ["savings_account.tenant_id", "savings_account.id"],
            ondelete="RESTRICT",
        ),
        CheckConstraint("status IN ('active', 'matured', 'broken', 'rolled')", name="status_known"),
        CheckConstraint("principal > 0", name="principal_positive"),
        Index("ix_savings_berjangka_placement_tenant_id_status", "tenant_id", "status"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column()
    # Interest and the principal at maturity go to this sukarela account; none means cash.
    payout_account_id: Mapped[uuid.UUID | None] = mapped_column()
    principal: Mapped[Decimal] = mapped_column(Money)
    placed_on: Mapped[date] = mapped_column(Date)
    maturity_on: Mapped[date] = mapped_column(Date)
    # BerjangkaTerms as strings: term_months, rate_pa, payout, day_count, maturity_instruction, ...
    terms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    periods_done: Mapped[int] = mapped_column(Integer, default=0)
    interest_paid: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    interest_accrued: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    status: Mapped[str] = mapped_column(String(8), default=ACTIVE)
    ended_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<BerjangkaPlacement {self.principal} {self.placed_on}..{self.maturity_on} {self.status}>"
