"""Request hardening for every response: CSRF on cookie sessions, request ids, security headers."""

from __future__ import annotations

import uuid

from flask import Flask, Response, current_app, g, request

from coopsaas.extensions import csrf

CSP = "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'"


def init_app(app: Flask) -> None:
    @app.before_request
    def _request_id_and_csrf() -> None:
        g.request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex
        g.client_ip = request.remote_addr
        # A Bearer-only API call carries no cookie, so it cannot be forged cross-site; anything
        # that sends the session cookie must carry the CSRF token (forms or the X-CSRFToken header).
        token_only = request.headers.get("Authorization", "").startswith("Bearer ") and (
            current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
        )
        if not token_only and current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()

    @app.after_request
    def _headers(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        resp.headers.setdefault("X-Request-Id", g.get("request_id", ""))
        if request.is_secure:
            resp.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return resp
