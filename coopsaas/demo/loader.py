"""The demo: the nine pilot cooperatives from tenants/ and a login per role.

Only this loader creates the demo users, and it refuses to run in production: their password is
printed in the README.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from coopsaas.auth import services as auth
from coopsaas.demo import loan_activity, savings_activity, shop_activity
from coopsaas.extensions import db
from coopsaas.network import demo as network_demo
from coopsaas.tenancy import sync as tenant_sync
from coopsaas.tenancy.models import Agency, Tenant

DEMO_PASSWORD = "demo1234"
# (username prefix, role, what the login is for)
TENANT_LOGINS = (
    ("manajer", "manager", "Manajer"),
    ("kasir", "teller", "Kasir"),
    ("anggota", "member", "Anggota"),
)
AGENCY_LOGIN = "dinas.admin"


class DemoRefused(RuntimeError):
    """The demo must not be loaded here (production)."""


@dataclass
class DemoLogin:
    username: str
    role: str
    where: str
    created: bool


@dataclass
class DemoReport:
    sync: tenant_sync.SyncReport
    logins: list[DemoLogin] = field(default_factory=list)
    activity: list[Any] = field(default_factory=list)


def _user(username: str, full_name: str) -> tuple[Any, bool]:
    existing = auth.find_user(username)
    if existing is not None:
        return existing, False
    return auth.create_user(username=username, full_name=full_name, password=DEMO_PASSWORD), True


def load_demo(session: Any, directory: str | Path, *, environment: str) -> DemoReport:
    """Sync tenants/ (commits per tenant), then create the demo logins and roles idempotently.

    The logins are flushed, not committed: the CLI boundary commits. An existing user keeps its
    password. Raises DemoRefused in production, tenant_sync.DefinitionsInvalid on bad files.
    """
    if environment == "production":
        raise DemoRefused("the demo loader does not run when COOPSAAS_ENV=production")
    defs = tenant_sync.load_definitions(directory)
    report = DemoReport(sync=tenant_sync.apply_definitions(session, defs))
    for d in defs.tenants:
        tenant = session.scalars(select(Tenant).where(Tenant.slug == d.slug)).one()
        for prefix, role, label in TENANT_LOGINS:
            user, created = _user(f"{prefix}.{d.slug}", f"{label} {d.name}")
            auth.grant_role(user=user, tenant=tenant, role=role)
            report.logins.append(DemoLogin(user.username, role, d.slug, created))
    if defs.agencies:
        admin, created = _user(AGENCY_LOGIN, "Admin Dinas Koperasi")
        for a in defs.agencies:
            agency = session.scalars(select(Agency).where(Agency.slug == a.slug)).one()
            auth.grant_agency_role(user=admin, agency_id=agency.id, role="agency_admin")
            report.logins.append(DemoLogin(admin.username, "agency_admin", a.slug, created))
            created = False
    session.flush()
    return report


def run(directory: str | Path, *, environment: str, members: int | None = None) -> DemoReport:
    """Load the demo and commit (for the CLI), then a year of savings per cooperative (`members`
    each, default 40-60; 0 for none), committed per cooperative."""
    try:
        report = load_demo(db.session, directory, environment=environment)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if members != 0:
        logins = [login for login in report.logins if login.role == "member"]
        report.activity = savings_activity.load_all(db.session, logins, members_count=members)
        report.activity += shop_activity.load_all(db.session, months=1 if environment == "test" else None)
        report.activity += network_demo.load_network(db.session)
        report.activity += loan_activity.load_all(db.session, count=20 if environment == "test" else None)
    return report
