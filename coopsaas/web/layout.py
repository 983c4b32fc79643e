"""What the base layout needs on every page: the cooperative, the menu, the switcher, the language."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from coopsaas.extensions import db
from coopsaas.web.helpers import legal_form_label, role_label, user_places
from coopsaas.web.nav import visible_nav


def layout_context() -> dict[str, Any]:
    tenant = g.get("tenant")
    try:
        places = user_places(current_user) if current_user.is_authenticated else []
    except SQLAlchemyError:
        # The error page for a database outage must still render, just without the switcher.
        db.session.rollback()
        places = []
    return {
        "current_tenant": tenant,
        "nav_items": visible_nav() if tenant is not None else [],
        "other_places": [p for p in places if p.tenant is None or tenant is None or p.tenant.id != tenant.id],
        "current_locale": str(get_locale() or "id"),
        "here": request.full_path.rstrip("?") if request else "/",
        "role_label": role_label,
        "legal_form_label": legal_form_label,
    }
