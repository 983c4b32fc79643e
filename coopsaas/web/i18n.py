"""Locale: the user's choice (session or profile), else Bahasa Indonesia."""

from __future__ import annotations

from flask import current_app, has_request_context, session
from flask_login import current_user


def select_locale() -> str:
    langs = current_app.config.get("LANGUAGES", ["id", "en"])
    if not has_request_context():  # jobs and CLI commands: the default language
        return str(langs[0])
    chosen = session.get("lang")
    if chosen in langs:
        return str(chosen)
    pref = getattr(current_user, "locale", None) if current_user else None
    if pref in langs:
        return str(pref)
    return str(langs[0])


def select_timezone() -> str:
    from flask import g

    tenant = g.get("tenant")
    return getattr(tenant, "timezone", None) or current_app.config.get(
        "BABEL_DEFAULT_TIMEZONE", "Asia/Jakarta"
    )
