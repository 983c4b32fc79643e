"""Agency (Dinas Koperasi) pages: the cooperatives the agency supervises."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from coopsaas.extensions import db
from coopsaas.tenancy.models import AgencyLink, Tenant
from coopsaas.web.helpers import user_agencies

bp = Blueprint("agency", __name__, url_prefix="/agency")


@bp.get("/")
@login_required
def index() -> Any:
    agencies = user_agencies(current_user)
    if not agencies:
        abort(404)  # not agency staff: the agency pages do not exist for them
    sections = []
    for agency in agencies:
        tenants = db.session.scalars(
            select(Tenant).join(AgencyLink, AgencyLink.tenant_id == Tenant.id)
            .where(AgencyLink.agency_id == agency.id).order_by(Tenant.name)
        ).all()
        sections.append((agency, tenants))
    return render_template("agency/index.html", sections=sections)
