"""Maps errors once: DomainError and HTTP errors become a page or a JSON problem body.

JSON shape everywhere under /api/: {"error": code, "message": text, "fields": {name: [msgs]}}.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from coopsaas.core.i18n import _l
from coopsaas.errors import DomainError

log = logging.getLogger(__name__)

HTTP_MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please log in first."),
    403: _l("You do not have permission to do this."),
    404: _l("The page or record was not found."),
    405: _l("This method is not allowed here."),
    409: _l("The request conflicts with the current state."),
    413: _l("The upload is too large."),
    415: _l("Unsupported content type."),
    422: _l("Some fields are not valid."),
    429: _l("Too many attempts. Please wait a minute and try again."),
    500: _l("Something went wrong on our side. Nothing was saved."),
}
HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "validation_error",
    429: "too_many_requests", 500: "server_error",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def problem(status: int, message: Any = None, *, code: str | None = None,
            fields: dict[str, Any] | None = None) -> tuple[Any, int]:
    body = {
        "error": code or HTTP_CODES.get(status, "error"),
        "message": str(message or HTTP_MESSAGES.get(status, "Error")),
        "fields": fields or {},
    }
    return jsonify(body), status


def _flatten_fields(messages: dict[Any, Any], prefix: str = "") -> dict[str, Any]:
    """Nested marshmallow errors ({"lines": {0: {"amount": [...]}}}) as {"lines.0.amount": [...]}."""
    out: dict[str, Any] = {}
    for key, value in messages.items():
        if isinstance(value, dict):
            out.update(_flatten_fields(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def render_error_page(status: int, message: Any = None) -> tuple[str, int]:
    msg = message or HTTP_MESSAGES.get(status, "")
    return render_template("errors/error.html", status=status, message=msg), status


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError) -> Any:
        from coopsaas.extensions import db

        db.session.rollback()
        if wants_json():
            return jsonify(exc.to_dict()), exc.http_status
        return render_error_page(exc.http_status, exc.message)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        if wants_json():
            fields: dict[str, Any] = {}
            data = getattr(exc, "data", None)  # webargs/flask-smorest validation details
            if isinstance(data, dict) and "messages" in data:
                for loc, msgs in data["messages"].items():
                    if isinstance(msgs, dict):
                        fields.update(_flatten_fields(msgs))
                    else:
                        fields[loc] = msgs
            resp, code = problem(status, exc.description if status not in HTTP_MESSAGES else None,
                                 fields=fields)
            if status == 405 and getattr(exc, "valid_methods", None):
                resp.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
            if status == 429 and exc.get_response().headers.get("Retry-After"):
                resp.headers["Retry-After"] = exc.get_response().headers["Retry-After"]
            return resp, code
        resp = exc.get_response()
        body, code = render_error_page(status, exc.description if status == 400 else None)
        return body, code, {k: v for k, v in resp.headers.items() if k in ("Allow", "Retry-After")}

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        from coopsaas.extensions import db

        if app.testing:  # surface bugs in tests instead of hiding them behind a 500 page
            raise exc
        log.exception("unhandled error")
        db.session.rollback()
        if wants_json():
            return problem(500)
        return render_error_page(500)
