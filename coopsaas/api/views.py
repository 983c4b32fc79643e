"""Endpoints of the API shell: the caller, the cooperative, tokens, users and roles, audit, agency.

Views are thin: the tenant comes resolved from the URL (g.tenant, g.roles), a permission is
checked, one service of coopsaas.auth runs, and the boundary commits (coopsaas.api.blueprint).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from flask import g
from flask.views import MethodView
from flask_login import current_user, login_required
from sqlalchemy import func, select

from coopsaas.api.blueprint import PREFIX, ApiBlueprint, tenant_blueprint
from coopsaas.api.idempotency import idempotent
from coopsaas.api.pagination import PageArgs, page_schema, paginate
from coopsaas.api.schemas import (
    AgencyTenantSchema,
    AuditArgs,
    AuditEventSchema,
    MeSchema,
    RoleGrantSchema,
    TenantProfileSchema,
    TokenCreatedSchema,
    TokenCreateSchema,
    TokenSchema,
    UserCreateSchema,
    UserSchema,
)
from coopsaas.auth import services as auth
from coopsaas.auth.models import ApiToken, User
from coopsaas.auth.permissions import permissions_of
from coopsaas.core.audit import AuditEvent
from coopsaas.core.i18n import _l
from coopsaas.errors import Conflict, NotFound, PermissionDenied
from coopsaas.extensions import db
from coopsaas.tenancy.context import require_permission
from coopsaas.tenancy.models import Agency, AgencyLink, AgencyMembership, Membership, Tenant

me_blp = ApiBlueprint("api_me", __name__, url_prefix=PREFIX,
                      description="Who is calling, and where they may act.")
agency_blp = ApiBlueprint("api_agency", __name__, url_prefix=PREFIX + "/agency",
                          description="Supervision for agency staff (session login only).")
tenant_blp = tenant_blueprint("api_tenant", __name__, description="The cooperative named in the URL.")
tokens_blp = tenant_blueprint("api_tokens", __name__, "/tokens", description="Your API tokens here.")
users_blp = tenant_blueprint("api_users", __name__, "/users", description="Staff accounts and their roles.")
audit_blp = tenant_blueprint("api_audit", __name__, "/audit", description="Who changed what, newest first.")

BLUEPRINTS = (me_blp, agency_blp, tenant_blp, tokens_blp, users_blp, audit_blp)


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


# ---- the caller ----------------------------------------------------------------------------------


@me_blp.route("/me")
class Me(MethodView):
    decorators = [login_required]

    @me_blp.response(200, MeSchema)
    def get(self) -> dict[str, Any]:
        """The logged-in user, their cooperatives with roles, and their agencies.

        A token belongs to one cooperative, so with a token only that one is listed.
        """
        user, token = _me(), g.get("api_token")
        stmt = (
            select(Tenant, Membership.role)
            .join(Membership, Membership.tenant_id == Tenant.id)
            .where(Membership.user_id == user.id, Membership.is_active.is_(True), Tenant.is_active.is_(True))
            .order_by(Tenant.name, Membership.role)
        )
        if token is not None:
            stmt = stmt.where(Tenant.id == token.tenant_id)
        tenants: dict[uuid.UUID, dict[str, Any]] = {}
        for tenant, role in db.session.execute(stmt):
            entry = tenants.setdefault(tenant.id, {"slug": tenant.slug, "name": tenant.name,
                                                   "legal_form": tenant.legal_form, "roles": []})
            entry["roles"].append(role)
        agencies = [] if token is not None else [
            {"slug": agency.slug, "name": agency.name, "role": role}
            for agency, role in db.session.execute(
                select(Agency, AgencyMembership.role)
                .join(AgencyMembership, AgencyMembership.agency_id == Agency.id)
                .where(AgencyMembership.user_id == user.id, AgencyMembership.is_active.is_(True))
                .order_by(Agency.name)
            )
        ]
        return {"id": user.id, "username": user.username, "full_name": user.full_name, "email": user.email,
                "phone": user.phone, "locale": user.locale, "tenants": list(tenants.values()),
                "agencies": agencies}


# ---- the cooperative -----------------------------------------------------------------------------


@tenant_blp.route("/")
class TenantProfile(MethodView):
    @require_permission("tenant.view")
    @tenant_blp.response(200, TenantProfileSchema)
    def get(self) -> dict[str, Any]:
        """The cooperative's profile and your roles and permissions in it."""
        t = g.tenant
        return {"slug": t.slug, "name": t.name, "legal_form": t.legal_form,
                "registration_no": t.registration_no, "city": t.city, "timezone": t.timezone,
                "roles": sorted(g.roles), "permissions": sorted(permissions_of(g.roles))}


# ---- tokens --------------------------------------------------------------------------------------


def _token_out(token: ApiToken) -> dict[str, Any]:
    return {"id": token.id, "name": token.name, "prefix": token.prefix, "created_at": token.created_at,
            "last_used_at": token.last_used_at, "revoked_at": token.revoked_at}


@tokens_blp.route("/")
class Tokens(MethodView):
    @require_permission("tokens.own")
    @tokens_blp.arguments(PageArgs, location="query", as_kwargs=True)
    @tokens_blp.response(200, page_schema(TokenSchema))
    def get(self, page: int, per_page: int) -> dict[str, Any]:
        """Your tokens in this cooperative, newest first (revoked ones included)."""
        stmt = (select(ApiToken)
                .where(ApiToken.user_id == _me().id, ApiToken.tenant_id == g.tenant.id)
                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))
        return paginate(stmt, page=page, per_page=per_page)

    @require_permission("tokens.own")
    @idempotent
    @tokens_blp.arguments(TokenCreateSchema)
    @tokens_blp.response(201, TokenCreatedSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a token for this cooperative. The secret is in this response only."""
        token, raw = auth.create_token(user=_me(), tenant=g.tenant, name=data["name"], actor=_me())
        return {**_token_out(token), "token": raw}


@tokens_blp.route("/<uuid:token_id>")
class TokenItem(MethodView):
    @require_permission("tokens.own")
    @tokens_blp.response(204)
    def delete(self, token_id: uuid.UUID) -> None:
        """Revoke one of your tokens of this cooperative; it stops working at once."""
        token = db.session.scalars(
            select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == _me().id,
                                   ApiToken.tenant_id == g.tenant.id)
        ).one_or_none()
        if token is None:
            raise NotFound(_l("Token not found."))
        auth.revoke_token(user=_me(), token_id=token.id, actor=_me())


# ---- users and roles -----------------------------------------------------------------------------


def _active_roles(user_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    roles: dict[uuid.UUID, list[str]] = defaultdict(list)
    rows = db.session.execute(
        select(Membership.user_id, Membership.role)
        .where(Membership.tenant_id == g.tenant.id, Membership.user_id.in_(user_ids),
               Membership.is_active.is_(True))
        .order_by(Membership.role)
    )
    for user_id, role in rows:
        roles[user_id].append(role)
    return roles


def _users_out(users: list[User]) -> list[dict[str, Any]]:
    roles = _active_roles([u.id for u in users])
    return [{"id": u.id, "username": u.username, "full_name": u.full_name, "email": u.email, "phone": u.phone,
             "is_active": u.is_active, "roles": roles.get(u.id, [])} for u in users]


def _tenant_user(user_id: uuid.UUID) -> User:
    """A user who has (or had) a role in this cooperative; anyone else is not found here."""
    user = db.session.scalars(
        select(User).where(User.id == user_id, User.id.in_(
            select(Membership.user_id).where(Membership.tenant_id == g.tenant.id)))
    ).one_or_none()
    if user is None:
        raise NotFound(_l("User not found."))
    return user


@users_blp.route("/")
class Users(MethodView):
    @require_permission("users.manage")
    @users_blp.arguments(PageArgs, location="query", as_kwargs=True)
    @users_blp.response(200, page_schema(UserSchema))
    def get(self, page: int, per_page: int) -> dict[str, Any]:
        """Users with at least one active role here, by username."""
        with_role = select(Membership.user_id).where(Membership.tenant_id == g.tenant.id,
                                                     Membership.is_active.is_(True))
        stmt = select(User).where(User.id.in_(with_role)).order_by(User.username)
        return paginate(stmt, page=page, per_page=per_page, transform=_users_out)

    @require_permission("users.manage")
    @idempotent
    @users_blp.arguments(UserCreateSchema)
    @users_blp.response(201, UserSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a user with a role in this cooperative."""
        fields = dict(data)
        role = fields.pop("role")
        user = auth.create_user(**fields, actor=_me())
        auth.grant_role(user=user, tenant=g.tenant, role=role, actor=_me())
        return _users_out([user])[0]


@users_blp.route("/<uuid:user_id>/roles")
class UserRoles(MethodView):
    @require_permission("users.manage")
    @idempotent
    @users_blp.arguments(RoleGrantSchema)
    @users_blp.response(200, UserSchema)
    def post(self, data: dict[str, Any], user_id: uuid.UUID) -> dict[str, Any]:
        """Give a user of this cooperative another role (granting a role they have changes nothing)."""
        user = _tenant_user(user_id)
        auth.grant_role(user=user, tenant=g.tenant, role=data["role"], actor=_me())
        return _users_out([user])[0]


@users_blp.route("/<uuid:user_id>/roles/<role>")
class UserRole(MethodView):
    @require_permission("users.manage")
    @users_blp.response(204)
    def delete(self, user_id: uuid.UUID, role: str) -> None:
        """Take a role away. The last manager keeps theirs, so someone can still manage users."""
        user = _tenant_user(user_id)
        membership = db.session.scalars(
            select(Membership).where(Membership.tenant_id == g.tenant.id, Membership.user_id == user.id,
                                     Membership.role == role, Membership.is_active.is_(True))
        ).one_or_none()
        if membership is None:
            raise NotFound(_l("This user does not have that role here."))
        if role == "manager":
            managers = db.session.scalar(
                select(func.count()).select_from(Membership)
                .where(Membership.tenant_id == g.tenant.id, Membership.role == "manager",
                       Membership.is_active.is_(True))
            )
            if managers == 1:
                raise Conflict(_l("The cooperative must keep at least one manager."),
                               fields={"role": [_l("Give another user the manager role first.")]})
        auth.revoke_role(membership=membership, actor=_me())


# ---- audit ---------------------------------------------------------------------------------------


def _events_out(events: list[AuditEvent]) -> list[dict[str, Any]]:
    actor_ids = {e.actor_id for e in events if e.actor_id is not None}
    names: dict[uuid.UUID, str] = {}
    if actor_ids:
        rows = db.session.execute(select(User.id, User.username).where(User.id.in_(actor_ids)))
        names = {user_id: username for user_id, username in rows}
    return [{"id": e.id, "created_at": e.created_at, "action": e.action,
             "actor": names.get(e.actor_id) if e.actor_id else None, "target_type": e.target_type,
             "target_id": e.target_id, "summary": e.summary or {},
             "request_id": e.request_id} for e in events]


@audit_blp.route("/")
class Audit(MethodView):
    @require_permission("audit.view")
    @audit_blp.arguments(AuditArgs, location="query", as_kwargs=True)
    @audit_blp.response(200, page_schema(AuditEventSchema))
    def get(self, page: int, per_page: int, action: str | None = None) -> dict[str, Any]:
        """The cooperative's audit trail, newest first."""
        stmt = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        return paginate(stmt, page=page, per_page=per_page, transform=_events_out)


# ---- agency --------------------------------------------------------------------------------------


@agency_blp.route("/tenants")
class AgencyTenants(MethodView):
    decorators = [login_required]

    @agency_blp.arguments(PageArgs, location="query", as_kwargs=True)
    @agency_blp.response(200, page_schema(AgencyTenantSchema))
    def get(self, page: int, per_page: int) -> dict[str, Any]:
        """The cooperatives your agencies supervise, by name."""
        if g.get("api_token") is not None:
            raise PermissionDenied(_l("An API token acts in one cooperative only; sign in as agency staff."))
        my_agencies = select(AgencyMembership.agency_id).where(
            AgencyMembership.user_id == _me().id, AgencyMembership.is_active.is_(True))
        if db.session.scalar(select(func.count()).select_from(my_agencies.subquery())) == 0:
            raise PermissionDenied(_l("Only agency staff can see supervised cooperatives."))
        stmt = (select(AgencyLink).join(Tenant, Tenant.id == AgencyLink.tenant_id)
                .where(AgencyLink.agency_id.in_(my_agencies), Tenant.is_active.is_(True))
                .order_by(Tenant.name, AgencyLink.id))

        def out(links: list[AgencyLink]) -> list[dict[str, Any]]:
            return [{"slug": ln.tenant.slug, "name": ln.tenant.name, "legal_form": ln.tenant.legal_form,
                     "city": ln.tenant.city, "agency": ln.agency.slug} for ln in links]

        return paginate(stmt, page=page, per_page=per_page, transform=out)
