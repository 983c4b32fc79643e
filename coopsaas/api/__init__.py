"""The JSON API shell: flask-smorest, OpenAPI 3 at /api/v1/openapi.json, one error body, one commit.

Errors: `coopsaas.errors_http` maps every HTTPException and DomainError, for pages and API alike,
so the API answers `{"error", "message", "fields"}` for 400-500 (webargs' 400/422 included, with
its messages per field). flask-smorest would register its own HTTPException handler app-wide, which
would replace that mapping for the pages too, so `Api` keeps it out.

Features add endpoints with `tenant_blueprint(...)` and `register_blueprint(app, blp)`.
"""

from __future__ import annotations

from typing import Any

import flask_smorest
from flask import Flask

from coopsaas.api.blueprint import PREFIX, TENANT_PREFIX, ApiBlueprint, tenant_blueprint, unit_of_work
from coopsaas.api.fields import Money
from coopsaas.api.idempotency import idempotent
from coopsaas.api.pagination import PageArgs, page_schema, paginate
from coopsaas.api.schemas import ProblemSchema

__all__ = [
    "PREFIX", "TENANT_PREFIX", "Api", "ApiBlueprint", "PageArgs", "idempotent", "init_app", "page_schema",
    "paginate", "register_blueprint", "tenant_blueprint",
]

EXTENSION = "coopsaas.api"
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"cookieAuth": []}]
DETAILS = (
    "Authenticate with a Bearer token (one cooperative per token) or the web session cookie; with "
    "the cookie, every POST, PUT, PATCH and DELETE needs the X-CSRFToken header. Errors always read "
    '{"error": code, "message": text, "fields": {name: [messages]}}. Lists take ?page=&per_page= '
    "(at most 100) and answer {items, page, per_page, total, pages}. POST accepts an Idempotency-Key "
    "header: a repeat with the same key and body gets the first answer and changes nothing."
)


class Api(flask_smorest.Api):
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """Leave errors to coopsaas.errors_http (see the module docstring); it keeps the 405 Allow header."""


def init_app(app: Flask) -> None:
    api = Api(app, spec_kwargs={"security": SECURITY})
    info = dict(api.spec.options.get("info", {}))  # API_SPEC_OPTIONS from the config start it
    info["description"] = " ".join(filter(None, [info.get("description"), DETAILS]))
    api.spec.options["info"] = info
    api.register_field(Money, "string", "decimal")
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    cookie = app.config.get("SESSION_COOKIE_NAME", "session")
    api.spec.components.security_scheme("cookieAuth", {"type": "apiKey", "in": "cookie", "name": cookie})
    app.extensions[EXTENSION] = api

    from coopsaas.api import views

    for blp in views.BLUEPRINTS:
        register_blueprint(app, blp)


def register_blueprint(app: Flask, blp: ApiBlueprint, **options: Any) -> None:
    """Register an API blueprint: its routes, its OpenAPI paths, and one commit per successful request."""
    app.extensions[EXTENSION].register_blueprint(blp, **options)
    name = str(options.get("name", blp.name))
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.startswith(name + "."):
            app.view_functions[endpoint] = unit_of_work(view)
