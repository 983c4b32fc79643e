"""Module-level job functions for the tests (RQ imports jobs by name, so no closures)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from coopsaas.core.db import tenant_scope
from coopsaas.extensions import db
from coopsaas.jobs.runs import JobHandle
from coopsaas.ledger.models import Account
from coopsaas.tenancy.models import Tenant

calls: list[tuple[str, ...]] = []
failures_left: dict[str, int] = {}


def reset() -> None:
    calls.clear()
    failures_left.clear()


def record_tenant_name(tenant_id: str) -> None:
    """Reads the tenant the request just created: proves the job ran after the commit."""
    name = db.session.scalars(select(Tenant.name).where(Tenant.id == uuid.UUID(tenant_id))).one_or_none()
    calls.append(("record_tenant_name", str(name)))


def flaky(label: str) -> None:
    """Fails while failures_left[label] > 0."""
    calls.append(("flaky", label))
    if failures_left.get(label, 0) > 0:
        failures_left[label] -= 1
        raise RuntimeError(f"{label} is not ready yet")


def add_cash_account(tenant_id: str, code: str) -> None:
    """A job that writes: an account in the tenant, committed at the job boundary."""
    with tenant_scope(db.session, uuid.UUID(tenant_id)):
        db.session.add(Account(code=code, name="Kas job", type="asset", normal_side="D", tags=[], weights={}))
    calls.append(("add_cash_account", code))


def open_cash_account(job: JobHandle, as_of: date) -> str:
    """A job kind that posts something: one account per run (so a second run would show)."""
    db.session.add(
        Account(
            code=f"11{as_of:%d}",
            name=f"Kas {as_of.isoformat()}",
            type="asset",
            normal_side="D",
            tags=[],
            weights={},
        )
    )
    db.session.flush()
    job.progress(1, 1)
    return "opened 1 account"
