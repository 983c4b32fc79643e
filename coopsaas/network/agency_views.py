"""Agency pages of the supply network under /agency/jaringan/: the directory of suppliers and
distributors, hubs and their linked cooperatives, and network volumes per cooperative.

Agency staff only (others get 404, as on the other agency pages); changes need an agency admin.
Volumes read the agency-level order register, never a cooperative's books.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from coopsaas.core.clock import business_date
from coopsaas.errors import DomainError
from coopsaas.extensions import db
from coopsaas.network import agency as net
from coopsaas.network.models import NetworkHub, NetworkLink, NetworkPartner
from coopsaas.tenancy.models import Agency
from coopsaas.web.helpers import user_agencies

bp = Blueprint("network_agency", __name__, url_prefix="/agency/jaringan", template_folder="templates")


def _agency() -> Agency:
    agencies = user_agencies(current_user)
    if not agencies:
        abort(404)
    slug = request.values.get("agency")
    if slug:
        chosen = next((a for a in agencies if a.slug == slug), None)
        if chosen is None:
            abort(404)
        return chosen
    return agencies[0]


def _period() -> tuple[date, date]:
    today = business_date("Asia/Jakarta")
    start, end = today.replace(day=1), today
    try:
        if request.args.get("start"):
            start = date.fromisoformat(request.args["start"])
        if request.args.get("end"):
            end = date.fromisoformat(request.args["end"])
    except ValueError:
        flash(_("Dates are written as YYYY-MM-DD."), "error")
    return start, end


def _page(agency: Agency, status: int = 200) -> Any:
    start, end = _period()
    tenants = net.agency_tenants(agency)
    names = {t.id: t.name for t in tenants}
    hubs = net.hubs(agency, active_only=False)
    return render_template(
        "network/agency.html",
        agency=agency,
        agencies=user_agencies(current_user),
        is_admin=net.agency_role(current_user, agency) == "agency_admin",
        partners=list(db.session.scalars(net.partners([agency.id]))),
        hubs=hubs,
        links=net.agency_links(agency),
        tenants=tenants,
        names=names,
        volumes=net.network_volumes(agency, start, end),
        start=start,
        end=end,
    ), status


@bp.get("/")
@login_required
def index() -> Any:
    return _page(_agency())


def _step(action: Any, done: str) -> Any:
    agency = _agency()
    try:
        action(agency)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        for messages in exc.fields.values():
            for m in messages:
                if str(m) != str(exc.message):
                    flash(str(m), "error")
        return _page(agency, exc.http_status)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("network_agency.index", agency=agency.slug))


def _mine(model: type[Any], ident: uuid.UUID, agency: Agency) -> Any:
    row = db.session.scalars(select(model).where(model.id == ident)).one_or_none()
    if row is None or row.agency_id != agency.id:
        abort(404)
    return row


@bp.post("/mitra")
@login_required
def add_partner() -> Any:
    f = request.form
    data = net.PartnerData(
        name=f.get("name", ""),
        kind=f.get("kind", "supplier"),
        region=f.get("region"),
        contact=f.get("contact"),
        phone=f.get("phone"),
        address=f.get("address"),
        categories=f.get("categories"),
    )
    return _step(
        lambda a: net.create_partner(agency=a, actor=current_user, data=data),
        _("The directory entry has been added."),
    )


@bp.post("/mitra/<uuid:partner_id>/aktif")
@login_required
def toggle_partner(partner_id: uuid.UUID) -> Any:
    partner = _mine(NetworkPartner, partner_id, _agency())
    active = not partner.is_active
    return _step(
        lambda a: net.set_partner_active(agency=a, actor=current_user, partner=partner, active=active),
        _("The directory entry has been updated."),
    )


@bp.post("/hub")
@login_required
def add_hub() -> Any:
    tenant_id = request.form.get("tenant_id")
    return _step(
        lambda a: net.designate_hub(agency=a, actor=current_user, tenant_id=tenant_id),
        _("The cooperative is now a hub."),
    )


@bp.post("/tautan")
@login_required
def add_link() -> Any:
    agency = _agency()
    hub = _mine(NetworkHub, _uuid(request.form.get("hub_id")), agency)
    tenant_id = request.form.get("tenant_id")
    return _step(
        lambda a: net.link_to_hub(agency=a, actor=current_user, hub=hub, tenant_id=tenant_id),
        _("The cooperative is linked to the hub."),
    )


@bp.post("/tautan/<uuid:link_id>/aktif")
@login_required
def toggle_link(link_id: uuid.UUID) -> Any:
    link = _mine(NetworkLink, link_id, _agency())
    active = not link.is_active
    return _step(
        lambda a: net.set_link_active(agency=a, actor=current_user, link=link, active=active),
        _("The link has been updated."),
    )


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        abort(404)
