"""Log records carry tenant, user and request (or job) ids; never passwords, tokens or NIK."""

from __future__ import annotations

import logging


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.tenant = record.user = record.request_id = "-"
        try:
            from flask import g, has_app_context, has_request_context

            if has_app_context():
                tenant = g.get("tenant")
                record.tenant = getattr(tenant, "slug", "-")
                record.request_id = g.get("request_id") or g.get("job_id") or "-"
            if has_request_context():
                from flask_login import current_user

                record.user = getattr(current_user, "username", "-") or "-"
        except Exception:
            pass
        return True


FORMAT = "%(asctime)s %(levelname)s %(name)s [tenant=%(tenant)s user=%(user)s req=%(request_id)s] %(message)s"


def configure(level: str) -> None:
    root = logging.getLogger()
    if not any(isinstance(f, ContextFilter) for h in root.handlers for f in h.filters):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(ContextFilter())
        root.addHandler(handler)
    root.setLevel(level)
