"""API blueprints: the request boundary (one commit) and the error responses every operation documents.

    blp = tenant_blueprint("api_loans", __name__, "/loans", description="Loans of the cooperative.")

    @blp.route("/")
    class Loans(MethodView):
        @require_permission("loans.view")
        @blp.arguments(PageArgs, location="query", as_kwargs=True)
        @blp.response(200, page_schema(LoanSchema))
        def get(self, page, per_page): ...

        @require_permission("loans.apply")
        @idempotent                       # above arguments/response: it stores the finished answer
        @blp.arguments(LoanApplySchema)
        @blp.response(201, LoanSchema)
        def post(self, data): ...

    # in the feature's init_app(app):
    from coopsaas.api import register_blueprint
    register_blueprint(app, blp)

A tenant blueprint is mounted at /api/v1/t/<slug><url_prefix>: the slug is resolved before any
view runs (unknown tenant, non-member or another tenant's token: 404).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import flask_smorest
from flask import current_app

from coopsaas.api.idempotency import PARAMETER_DOC
from coopsaas.extensions import db
from coopsaas.tenancy.context import attach_tenant_resolution

PREFIX = "/api/v1"
TENANT_PREFIX = PREFIX + "/t/<slug>"

# Documented on every operation: each can meet them (no login, a role without the permission, an
# unknown or foreign id, invalid input) and clients should handle them the same way everywhere.
COMMON_ERRORS = {401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 422: "UNPROCESSABLE_ENTITY",
                 429: "TOO_MANY_REQUESTS"}
# Requests with a body can also be malformed (or, with the cookie, miss the CSRF token).
BODY_ERRORS = {400: "BAD_REQUEST"}
WRITE_METHODS = {"post", "put", "patch", "delete"}


class ApiBlueprint(flask_smorest.Blueprint):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_error_doc)

    def _prepare_error_doc(self, doc: dict[str, Any], doc_info: dict[str, Any], *, method: str,
                           **kwargs: Any) -> dict[str, Any]:
        responses = doc.setdefault("responses", {})
        errors = {**COMMON_ERRORS, **(BODY_ERRORS if method in WRITE_METHODS else {})}
        if doc_info.get("idempotent"):
            doc.setdefault("parameters", []).append(PARAMETER_DOC)
            errors.update({400: "BAD_REQUEST", 409: "CONFLICT"})
        for status, name in errors.items():
            if status not in responses and str(status) not in responses:
                responses[status] = name
        return doc


def tenant_blueprint(name: str, import_name: str, url_prefix: str = "", *,
                     description: str = "") -> ApiBlueprint:
    blp = ApiBlueprint(name, import_name, url_prefix=TENANT_PREFIX + url_prefix, description=description)
    attach_tenant_resolution(blp)
    return blp


def unit_of_work(view: Callable[..., Any]) -> Callable[..., Any]:
    """The request owns the transaction: commit once after a successful answer, else roll back all."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            resp = current_app.make_response(view(*args, **kwargs))
        except BaseException:
            db.session.rollback()
            raise
        if resp.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return resp

    return wrapper


def get_or_not_found(model: type[Any], ident: Any, message: Any) -> Any:
    """A tenant-owned row of the tenant in scope by id, else NotFound (404) with `message`."""
    from coopsaas.core.db import get_scoped
    from coopsaas.errors import NotFound

    row = get_scoped(db.session, model, ident)
    if row is None:
        raise NotFound(message)
    return row
