"""Idempotent POSTs: the first response to (tenant, user, key) is stored and replayed.

Used by the API (`Idempotency-Key` header) and by forms (a hidden submit key). A replay with the
same key but a different request body is a 422, never a second posting. The row is written in
the same transaction as the work, so a rollback leaves no record and the retry runs again.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from coopsaas.core.db import TenantScoped, utcnow
from coopsaas.extensions import db

KEY_MAX = 128


class IdempotencyRecord(TenantScoped, db.Model):
    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id", "key"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    key: Mapped[str] = mapped_column(String(KEY_MAX))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(300))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def request_fingerprint(method: str, path: str, payload: Any) -> str:
    raw = json.dumps([method.upper(), path, payload], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def find(user_id: uuid.UUID, key: str) -> IdempotencyRecord | None:
    return db.session.scalars(
        select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
    ).one_or_none()


def remember(*, user_id: uuid.UUID, key: str, method: str, path: str, fingerprint: str, status: int,
             body: Any) -> IdempotencyRecord:
    rec = IdempotencyRecord(user_id=user_id, key=key, method=method.upper(), path=path,
                            request_hash=fingerprint, status=status, body=body)
    db.session.add(rec)
    db.session.flush()
    return rec
