"""The member register (*daftar anggota*): one row per person who joined the cooperative.

A member number is given once from a gapless per-tenant counter and never reused; the NIK is
unique within the tenant (the same person may be a member of several cooperatives). Members are
never deleted: ledger lines and savings accounts point at them for ever.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coopsaas.core.db import TenantScoped, utcnow
from coopsaas.extensions import db

ANGGOTA, CALON = "anggota", "calon_anggota"
MEMBER_TYPES = (ANGGOTA, CALON)
ACTIVE, EXITED = "active", "exited"
MEMBER_STATUSES = (ACTIVE, EXITED)
SEXES = ("L", "P")


class Member(TenantScoped, db.Model):
    __tablename__ = "member"
    __table_args__ = (
        UniqueConstraint("tenant_id", "member_no"),
        UniqueConstraint("tenant_id", "nik"),
        # One login per member row: the member role sees exactly one register entry.
        UniqueConstraint("tenant_id", "user_id"),
        CheckConstraint("type IN ('anggota', 'calon_anggota')", name="type_known"),
        CheckConstraint("status IN ('active', 'exited')", name="status_known"),
        Index("ix_member_tenant_id_name", "tenant_id", "name"),
    )

    member_no: Mapped[str] = mapped_column(String(20))
    nik: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    sex: Mapped[str | None] = mapped_column(String(1))
    birth_date: Mapped[date | None] = mapped_column(Date)
    address: Mapped[str] = mapped_column(String(500), default="")
    phone: Mapped[str | None] = mapped_column(String(30))
    occupation: Mapped[str | None] = mapped_column(String(100))
    employer: Mapped[str | None] = mapped_column(String(200))
    joined_on: Mapped[date] = mapped_column(Date)
    type: Mapped[str] = mapped_column(String(16), default=ANGGOTA)
    status: Mapped[str] = mapped_column(String(8), default=ACTIVE)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE

    def __repr__(self) -> str:
        return f"<Member {self.member_no}>"
