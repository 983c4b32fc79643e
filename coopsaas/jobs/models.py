"""JobRun: one row per (tenant, kind, period). It makes periodic jobs idempotent (a rerun or a
second scheduler finds the row done and posts nothing) and shows progress to people."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coopsaas.core.db import TenantScoped, utcnow
from coopsaas.extensions import db

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"


class JobRun(TenantScoped, db.Model):
    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "period"),)

    kind: Mapped[str] = mapped_column(String(60))
    period: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
