"""Tenancy walls 1 and 2 in the ORM.

Invariants:
- Every tenant-owned model mixes in `TenantScoped`: primary key (tenant_id, id), tenant_id first,
  ids app-made UUIDv7; every foreign key to a tenant-owned table includes tenant_id.
- Every ORM SELECT/UPDATE/DELETE touching a tenant-owned model gets `tenant_id = <tenant in scope>`.
  With no tenant in scope such a query raises `TenantMissing` (fails closed). Only supervision
  queries may pass `execution_options(all_tenants=True)`, and they filter by agency links.
- New tenant-owned rows are stamped with the tenant in scope; a row for another tenant raises.
- On PostgreSQL, the tenant is also set per transaction for row-level security (wall 3).
"""

from __future__ import annotations

import contextlib
import functools
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, event, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, with_loader_criteria

from coopsaas.core.ids import parse_uuid, uuid7


class TenantMissing(RuntimeError):
    """A tenant-owned query or insert with no (or another) tenant in scope: a programming error."""


def utcnow() -> datetime:
    return datetime.now(UTC)


class TenantScoped:
    """Mixin for tenant-owned models: PK (tenant_id, id)."""

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenant.id", ondelete="RESTRICT"), primary_key=True, sort_order=-2
    )
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7, sort_order=-1)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@functools.lru_cache(maxsize=4096)
def _tenant_criterion(tid: uuid.UUID | None) -> Any:
    """One criteria option per tenant (and one for "no tenant"), reused by every statement."""
    if tid is None:
        return with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id.is_(None), include_aliases=True)
    return with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id == tid, include_aliases=True)


@event.listens_for(Session, "do_orm_execute")
def _scope_to_tenant(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get("all_tenants"):
        return
    tid = state.session.info.get("tenant_id")
    if tid is None and any(issubclass(m.class_, TenantScoped) for m in state.all_mappers):
        raise TenantMissing("query on a tenant-owned model with no tenant in scope")
    option = _tenant_criterion(tid)
    # A refresh or lazy load carries the options of the query that loaded the object; when that
    # was this very criterion, adding it again would stack one more copy on the object at every
    # refresh, and a long session (a job committing in a loop) would slow down with each commit.
    if option in state.statement._with_options:
        return
    state.statement = state.statement.options(option)


@event.listens_for(Session, "before_flush")
def _stamp_tenant(session: Session, flush_context: Any, instances: Any) -> None:
    tid = session.info.get("tenant_id")
    for obj in session.new:
        if isinstance(obj, TenantScoped):
            if tid is None or obj.tenant_id not in (None, tid):
                raise TenantMissing(f"new {type(obj).__name__} outside the tenant in scope")
            obj.tenant_id = tid


def _apply_rls(connection: Connection, info: dict[str, Any]) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "SELECT set_config('app.tenant_id', %(t)s, true), set_config('app.agency_id', %(a)s, true)",
            {"t": str(info.get("tenant_id") or ""), "a": str(info.get("agency_id") or "")},
        )


@event.listens_for(Session, "after_begin")
def _rls_after_begin(session: Session, transaction: Any, connection: Connection) -> None:
    # Nothing to set at the BEGIN of a database transaction when no tenant or agency is in scope
    # yet: the settings are transaction-local (set_config(..., true)), so it starts with them
    # empty, which the policies read as "no tenant" (NULLIF(..., '')); set_tenant sets them
    # later. A savepoint inside a longer transaction may still carry an earlier scope's
    # settings, so it clears them as before.
    if (
        session.info.get("tenant_id") is None
        and session.info.get("agency_id") is None
        and not connection.in_nested_transaction()
    ):
        return
    _apply_rls(connection, session.info)


def _plain_session(session: Any) -> Session:
    return session() if hasattr(session, "registry") else session


def set_tenant(session: Any, tenant_id: uuid.UUID) -> None:
    """Put one tenant in scope for this session (works after a lookup began the transaction)."""
    s = _plain_session(session)
    current = s.info.get("tenant_id")
    if current not in (None, tenant_id):
        raise TenantMissing("switching tenant inside a session")
    s.info["tenant_id"] = tenant_id
    if s.in_transaction():
        _apply_rls(s.connection(), s.info)


def clear_tenant(session: Any) -> None:
    """Leave the tenant scope; the caller must have ended the transaction (commit or rollback)."""
    s = _plain_session(session)
    s.info.pop("tenant_id", None)
    s.info.pop("agency_id", None)


def set_agency(session: Any, agency_id: uuid.UUID) -> None:
    s = _plain_session(session)
    s.info["agency_id"] = agency_id
    if s.in_transaction():
        _apply_rls(s.connection(), s.info)


def current_tenant_id(session: Any) -> uuid.UUID | None:
    return _plain_session(session).info.get("tenant_id")


@contextlib.contextmanager
def tenant_scope(session: Any, tenant_id: uuid.UUID) -> Iterator[None]:
    """For jobs and CLI commands: one tenant per transaction; commit or roll back, then leave."""
    s = _plain_session(session)
    if s.in_transaction() and s.info.get("tenant_id") not in (None, tenant_id):
        raise TenantMissing("open transaction belongs to another tenant")
    set_tenant(s, tenant_id)
    try:
        yield
        s.commit()
    except BaseException:
        s.rollback()
        raise
    finally:
        clear_tenant(s)


def get_scoped(session: Any, model: type[Any], ident: object) -> Any | None:
    """Load a tenant-owned row by id through the scope (never `session.get`: identity hits skip it).

    Returns None for a malformed id or a row of another tenant; callers answer 404.
    """
    uid = parse_uuid(ident)
    if uid is None:
        return None
    return _plain_session(session).scalars(select(model).where(model.id == uid)).one_or_none()
