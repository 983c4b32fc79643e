"""A member's exit (*keluar anggota*): the request, the settlement it showed, the decision.

Maker-checker: the user who approves or rejects is never the one who requested. The settlement
figures are stored as computed when requested and recomputed (and stored again) at approval, when
the one refund entry is posted; `journal_entry_id` points at that entry.
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

REQUESTED, APPROVED, REJECTED = "requested", "approved", "rejected"
EXIT_STATUSES = (REQUESTED, APPROVED, REJECTED)
PAY_CASH, PAY_LATER = "cash", "payable"
PAYOUTS = (PAY_CASH, PAY_LATER)


class MemberExit(TenantScoped, db.Model):
    __tablename__ = "member_exit"
    __table_args__ = (
        UniqueConstraint("tenant_id", "exit_no"),
        ForeignKeyConstraint(
            ["tenant_id", "member_id"], ["member.tenant_id", "member.id"], ondelete="RESTRICT"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "journal_entry_id"],
            ["journal_entry.tenant_id", "journal_entry.id"],
            ondelete="RESTRICT",
        ),
        CheckConstraint("status IN ('requested', 'approved', 'rejected')", name="status_known"),
        CheckConstraint("payout IN ('cash', 'payable')", name="payout_known"),
        Index("ix_member_exit_tenant_id_member_id", "tenant_id", "member_id"),
        Index("ix_member_exit_tenant_id_status", "tenant_id", "status"),
    )

    exit_no: Mapped[str] = mapped_column(String(20))
    member_id: Mapped[uuid.UUID] = mapped_column()
    status: Mapped[str] = mapped_column(String(10), default=REQUESTED)
    exit_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    payout: Mapped[str] = mapped_column(String(8), default=PAY_CASH)
    # The settlement breakdown (settlement_json in exit.py): lines, obligations, warnings.
    settlement: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    savings_total: Mapped[Decimal] = mapped_column(Money)
    obligations_total: Mapped[Decimal] = mapped_column(Money)
    refund: Mapped[Decimal] = mapped_column(Money)
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    journal_entry_id: Mapped[uuid.UUID | None] = mapped_column()

    member: Mapped[Member] = relationship(
        primaryjoin="and_(Member.tenant_id == MemberExit.tenant_id, "
        "Member.id == foreign(MemberExit.member_id))",
        viewonly=True,
    )

    def __repr__(self) -> str:
        return f"<MemberExit {self.exit_no} {self.status}>"
