"""Authentication: session cookies for pages, Bearer tokens for the API."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask, g, redirect, request, url_for
from sqlalchemy import select

from coopsaas.extensions import db, login_manager


def init_app(app: Flask) -> None:
    from coopsaas.auth.models import User
    from coopsaas.auth.services import user_for_token

    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load_user(user_id: str) -> Any:
        # Session cookies carry "<id>:<session_version>": a password change ends old sessions.
        try:
            raw_id, version = user_id.split(":", 1)
            uid, ver = uuid.UUID(raw_id), int(version)
        except (ValueError, AttributeError):
            return None
        user = db.session.scalars(select(User).where(User.id == uid)).one_or_none()
        if user is None or not user.is_active or user.session_version != ver:
            return None
        return user

    @login_manager.request_loader
    def _load_from_token(req: Any) -> Any:
        header = req.headers.get("Authorization", "")
        if not req.path.startswith("/api/") or not header.startswith("Bearer "):
            return None
        found = user_for_token(header[7:].strip())
        if found is None:
            return None
        user, token = found
        g.api_token = token
        return user

    @login_manager.unauthorized_handler
    def _unauthorized() -> Any:
        if request.path.startswith("/api/"):
            from coopsaas.errors_http import problem

            return problem(401)
        return redirect(
            url_for("auth.login", next=request.full_path if request.query_string else request.path)
        )

    from coopsaas.auth import cli

    cli.init_app(app)
