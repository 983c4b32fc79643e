"""View helpers every feature's pages use: tenant blueprints, where a user lands, form errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, url_for
from sqlalchemy import select

from coopsaas.core.i18n import _l
from coopsaas.errors import DomainError
from coopsaas.extensions import db
from coopsaas.tenancy.context import attach_tenant_resolution
from coopsaas.tenancy.models import Agency, AgencyMembership, Membership, Tenant


def tenant_blueprint(name: str, import_name: str, url_prefix: str = "", **kwargs: Any) -> Blueprint:
    """A blueprint mounted at /t/<slug><url_prefix>: login required, tenant resolved, 404 outside it."""
    bp = Blueprint(name, import_name, url_prefix="/t/<slug>" + url_prefix, **kwargs)
    return attach_tenant_resolution(bp)


@dataclass(frozen=True)
class Place:
    """Somewhere a user may work: one cooperative (with their roles there) or one agency."""

    name: str
    url: str
    detail: str
    tenant: Tenant | None = None


def user_tenants(user: Any) -> list[tuple[Tenant, list[str]]]:
    """The active cooperatives the user belongs to, each with the user's active roles there."""
    rows = db.session.execute(
        select(Tenant, Membership.role)
        .join(Membership, Membership.tenant_id == Tenant.id)
        .where(Membership.user_id == user.id, Membership.is_active.is_(True), Tenant.is_active.is_(True))
        .order_by(Tenant.name, Membership.role)
    ).all()
    out: dict[Any, tuple[Tenant, list[str]]] = {}
    for tenant, role in rows:
        out.setdefault(tenant.id, (tenant, []))[1].append(role)
    return list(out.values())


def user_agencies(user: Any) -> list[Agency]:
    return list(db.session.scalars(
        select(Agency)
        .join(AgencyMembership, AgencyMembership.agency_id == Agency.id)
        .where(AgencyMembership.user_id == user.id, AgencyMembership.is_active.is_(True))
        .order_by(Agency.name)
    ))


def tenant_entry_url(tenant: Tenant, roles: list[str] | frozenset[str]) -> str:
    """A member (and nothing else) starts at their own page; staff at the cooperative's home."""
    if set(roles) == {"member"}:
        return url_for("web_tenant.me", slug=tenant.slug)
    return url_for("web_tenant.home", slug=tenant.slug)


def user_places(user: Any) -> list[Place]:
    places = [Place(name=t.name, url=tenant_entry_url(t, roles), detail=t.city or "", tenant=t)
              for t, roles in user_tenants(user)]
    places += [Place(name=a.name, url=url_for("agency.index"), detail=a.city or "")
               for a in user_agencies(user)]
    return places


def landing_url(user: Any) -> str:
    """After login: straight to the one place the user works, else the chooser."""
    places = user_places(user)
    if len(places) == 1:
        return places[0].url
    return url_for("web.choose")


def safe_next(target: str | None) -> str | None:
    """A redirect target from the query string, only if it stays on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def acting_user() -> Any:
    """The signed-in user (the real object behind Flask-Login's proxy), for services' `actor`."""
    from flask_login import current_user

    return current_user._get_current_object()


def load_or_404(model: type[Any], ident: Any) -> Any:
    """A tenant-owned row of the tenant in scope by id; a missing row or another tenant's is a 404."""
    from flask import abort

    from coopsaas.core.db import get_scoped

    row = get_scoped(db.session, model, ident)
    if row is None:
        abort(404)
    return row


def form_failed(form: Any, exc: DomainError) -> int:
    """A service refused the form: undo what the request wrote, show the error, return its status."""
    db.session.rollback()
    apply_domain_error(form, exc)
    return exc.http_status


def form_money(form: Any, name: str, *, required: bool = True) -> Any:
    """The rupiah amount typed in field `name` (`1.250.000` or `1250000,50`) as a Decimal, or None
    with a field error; an empty optional field is None without an error."""
    from flask_babel import gettext

    from coopsaas.core.money import MoneyError, parse_money

    field = getattr(form, name)
    raw = (field.data or "").strip()
    if not raw and not required:
        return None
    try:
        return parse_money(raw)
    except MoneyError:
        field.errors = [*list(field.errors or []), gettext("Type an amount like 1.250.000 or 1250000,50.")]
        return None


def apply_domain_error(form: Any, exc: DomainError) -> None:
    """Show a service's DomainError on the form: per-field messages, else on the form as a whole."""
    for name, messages in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), *[str(m) for m in messages]]
    form.form_errors.append(str(exc.message))


ROLE_NAMES = {
    "manager": _l("Manager"),
    "teller": _l("Teller"),
    "shopkeeper": _l("Shopkeeper"),
    "bookkeeper": _l("Bookkeeper"),
    "auditor": _l("Supervisor"),
    "member": _l("Member"),
    "agency_admin": _l("Agency administrator"),
    "agency_viewer": _l("Agency viewer"),
}


def role_label(role: str) -> str:
    return str(ROLE_NAMES.get(role, role))


# Legal forms are proper names in Indonesian law; they are not translated.
LEGAL_FORMS = {
    "ksp": "Koperasi Simpan Pinjam (KSP)",
    "kspps": "Koperasi Simpan Pinjam dan Pembiayaan Syariah (KSPPS)",
    "koppontren": "Koperasi Pondok Pesantren",
    "konsumen": "Koperasi Konsumen",
    "serba_usaha": "Koperasi Serba Usaha",
}


def legal_form_label(code: str) -> str:
    return LEGAL_FORMS.get(code, code)
