"""The cooperative's own pages: home and the member's page."""

from __future__ import annotations

from typing import Any

from flask import g, redirect, render_template, url_for
from flask_login import current_user

from coopsaas.tenancy.context import current_roles, require_permission
from coopsaas.web.helpers import legal_form_label, role_label, tenant_blueprint

bp = tenant_blueprint("web_tenant", __name__)


def role_labels() -> list[str]:
    return [role_label(r) for r in sorted(current_roles())]


@bp.get("/")
@require_permission("tenant.view")
def home() -> Any:
    return render_template("web/home.html", tenant=g.tenant, roles=role_labels(),
                           legal_form=legal_form_label(g.tenant.legal_form))


@bp.get("/me")
def me() -> Any:
    # Staff without a member role have no "own accounts" here: send them to the cooperative home.
    if "member" not in current_roles():
        return redirect(url_for("web_tenant.home"))
    return render_template("web/me.html", tenant=g.tenant, user=current_user)
