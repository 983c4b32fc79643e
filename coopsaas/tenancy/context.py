"""Request tenancy: the URL slug is resolved once per request into `g.tenant`.

A user who is not an active member of the tenant (or a token of another tenant) gets 404, the
same answer as an unknown slug, so existence never leaks.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, g, request
from flask_login import current_user
from sqlalchemy import select

from coopsaas.auth.permissions import role_allows
from coopsaas.core.db import set_tenant
from coopsaas.errors import PermissionDenied
from coopsaas.extensions import db, login_manager
from coopsaas.tenancy.models import Membership, Tenant


def tenant_by_slug(slug: str) -> Tenant | None:
    return db.session.scalars(
        select(Tenant).where(Tenant.slug == slug, Tenant.is_active.is_(True))
    ).one_or_none()


def roles_in(user: Any, tenant_id: uuid.UUID) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    rows = db.session.scalars(
        select(Membership.role).where(
            Membership.user_id == user.id, Membership.tenant_id == tenant_id, Membership.is_active.is_(True)
        )
    ).all()
    return frozenset(rows)


def enter_tenant_from_url() -> Any:
    """before_request of every /t/<slug>/ blueprint (pages and API)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    slug = g.pop("tenant_slug", None)
    tenant = tenant_by_slug(slug) if slug else None
    if tenant is None:
        abort(404)
    token = g.get("api_token")
    if token is not None and token.tenant_id != tenant.id:
        abort(404)
    roles = roles_in(current_user, tenant.id)
    if not roles:
        abort(404)
    set_tenant(db.session, tenant.id)
    g.tenant = tenant
    g.roles = roles
    return None


def attach_tenant_resolution(bp: Blueprint) -> Blueprint:
    """Make `bp` (mounted under a `<slug>` prefix) pop the slug, resolve it and re-add it in url_for."""

    @bp.url_value_preprocessor
    def _pop_slug(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if values is not None:
            g.tenant_slug = values.pop("slug", None)

    @bp.url_defaults
    def _add_slug(endpoint: str, values: dict[str, Any]) -> None:
        if "slug" not in values and g.get("tenant") is not None:
            values["slug"] = g.tenant.slug

    bp.before_request(enter_tenant_from_url)
    return bp


def has_permission(permission: str) -> bool:
    return role_allows(g.get("roles", frozenset()), permission)


def require_permission(permission: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: the tenant is resolved already; a role without `permission` gets 403."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not has_permission(permission):
                raise PermissionDenied("You do not have permission to do this.")
            return view(*args, **kwargs)

        wrapped.required_permission = permission  # type: ignore[attr-defined]
        return wrapped

    return decorate


def current_roles() -> frozenset[str]:
    return g.get("roles", frozenset())


def is_api_request() -> bool:
    return request.path.startswith("/api/")
