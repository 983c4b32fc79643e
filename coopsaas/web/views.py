"""Pages outside any one cooperative: the front door, the chooser, language, health."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from coopsaas.extensions import db
from coopsaas.web.helpers import landing_url, safe_next, user_places

bp = Blueprint("web", __name__, static_folder="static", static_url_path="/static/web",
               template_folder="templates")


@bp.get("/")
def index() -> Any:
    if current_user.is_authenticated:
        return redirect(landing_url(current_user))
    return redirect(url_for("auth.login"))


@bp.get("/choose")
@login_required
def choose() -> Any:
    return render_template("web/choose.html", places=user_places(current_user))


@bp.get("/lang/<code>")
def set_language(code: str) -> Any:
    if code not in current_app.config.get("LANGUAGES", ["id", "en"]):
        abort(404)
    session["lang"] = code
    return redirect(safe_next(request.args.get("next")) or url_for("web.index"))


@bp.get("/healthz")
def healthz() -> Any:
    """Load balancers and operators: is the database (and Redis, when used) answering?"""
    checks = {"database": "ok", "redis": "not configured"}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any driver failure means "not healthy", never a 500
        current_app.logger.warning("health check: database unreachable", exc_info=True)
        checks["database"] = "error"
    finally:
        db.session.rollback()
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        from redis import Redis
        from redis.exceptions import RedisError

        try:
            Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2).ping()
            checks["redis"] = "ok"
        except (RedisError, OSError):
            current_app.logger.warning("health check: redis unreachable", exc_info=True)
            checks["redis"] = "error"
    healthy = "error" not in checks.values()
    resp = jsonify(checks)
    resp.status_code = 200 if healthy else 503
    resp.headers["Cache-Control"] = "no-store"
    return resp
