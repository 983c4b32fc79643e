"""Audit trail: every state change writes an event in the same transaction (append-only)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from coopsaas.core.db import TenantScoped, current_tenant_id, utcnow
from coopsaas.core.ids import uuid7
from coopsaas.extensions import db


class AuditEvent(TenantScoped, db.Model):
    """A state change inside one cooperative."""

    __tablename__ = "audit_event"

    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    action: Mapped[str] = mapped_column(String(80))
    target_type: Mapped[str | None] = mapped_column(String(60))
    target_id: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class PlatformEvent(db.Model):
    """A state change outside any one cooperative: users, tokens, agencies, tenant sync."""

    __tablename__ = "platform_event"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    tenant_ref: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"))
    agency_ref: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"))
    action: Mapped[str] = mapped_column(String(80))
    target_type: Mapped[str | None] = mapped_column(String(60))
    target_id: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


# Filled by the web layer per request (request id, IP); jobs and CLI leave it empty.
_request_context: dict[str, str | None] = {}


def set_request_context(request_id: str | None, ip: str | None) -> None:
    _request_context["request_id"] = request_id
    _request_context["ip"] = ip


def _ctx() -> dict[str, str | None]:
    try:
        from flask import g, has_request_context

        if has_request_context():
            return {"request_id": getattr(g, "request_id", None), "ip": getattr(g, "client_ip", None)}
    except ImportError:  # pragma: no cover
        pass
    return {"request_id": None, "ip": None}


def event_values(
    action: str,
    *,
    actor: Any = None,
    target_type: str | None = None,
    target_id: Any = None,
    summary: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The columns of an event besides tenant, id and time, for code that inserts it in bulk."""
    return {
        "actor_id": getattr(actor, "id", None),
        "action": action,
        "target_type": target_type,
        "target_id": str(target_id) if target_id is not None else None,
        "summary": _jsonable(summary or {}),
        **_ctx(),
    }


def record(
    action: str,
    *,
    actor: Any = None,
    target: Any = None,
    target_type: str | None = None,
    target_id: Any = None,
    summary: dict[str, Any] | None = None,
) -> AuditEvent | PlatformEvent:
    """Write an audit event. Inside a tenant scope it is a tenant event, else a platform one."""
    if target is not None:
        target_type = target_type or getattr(target, "__tablename__", type(target).__name__)
        target_id = target_id if target_id is not None else getattr(target, "id", None)
    common = event_values(action, actor=actor, target_type=target_type, target_id=target_id, summary=summary)
    session = db.session
    in_tenant = current_tenant_id(session) is not None
    ev: AuditEvent | PlatformEvent = AuditEvent(**common) if in_tenant else PlatformEvent(**common)
    session.add(ev)
    return ev


def record_platform(
    action: str, *, tenant_id: uuid.UUID | None = None, agency_id: uuid.UUID | None = None, **kwargs: Any
) -> PlatformEvent:
    ev = record(action, **kwargs)
    if isinstance(ev, AuditEvent):  # inside a tenant scope: keep it a tenant event
        return ev  # type: ignore[return-value]
    ev.tenant_ref = tenant_id
    ev.agency_ref = agency_id
    return ev


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | bool) or value is None:
        return value
    return str(value)
