"""Login, logout, password change, and the cooperative's users and API token pages."""

from __future__ import annotations

import uuid
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from coopsaas.auth import services
from coopsaas.auth.forms import AddRoleForm, ChangePasswordForm, CreateUserForm, LoginForm, TokenForm
from coopsaas.auth.models import ApiToken, User
from coopsaas.errors import DomainError
from coopsaas.extensions import db, limiter
from coopsaas.tenancy.context import require_permission
from coopsaas.tenancy.models import Membership
from coopsaas.web.helpers import apply_domain_error, landing_url, safe_next, tenant_blueprint
from coopsaas.web.pagination import paginate

bp = Blueprint("auth", __name__, template_folder="templates")
tenant_bp = tenant_blueprint("auth_tenant", __name__, template_folder="templates")


def _login_key() -> str:
    return f"{get_remote_address()}:{services.normalize_username(request.form.get('username', ''))}"


def _login_failed(response: Any) -> bool:
    # Only failures count: staff of one cooperative share an office IP and log in all morning.
    return bool(response.status_code != 302)


def _per_user_limit() -> str:
    return f"{current_app.config.get('LOGIN_ATTEMPTS_PER_MINUTE', 5)} per minute"


def _fresh_session() -> None:
    """A new session at login and logout (no fixation, no leftovers); the language choice stays."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_per_user_limit, key_func=_login_key, methods=["POST"], deduct_when=_login_failed)
@limiter.limit("30 per minute", methods=["POST"], deduct_when=_login_failed)
def login() -> Any:
    form = LoginForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("auth/login.html", form=form), 422
        user = services.authenticate(form.username.data or "", form.password.data or "")
        if user is None:
            # One message for an unknown user and a wrong password: no account discovery.
            form.form_errors.append(_("Wrong username or password."))
            return render_template("auth/login.html", form=form), 401
        db.session.commit()
        _fresh_session()
        login_user(user, remember=False)
        return redirect(safe_next(request.args.get("next")) or landing_url(user))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Any:
    logout_user()
    _fresh_session()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, current=form.current_password.data or "",
                                     new=form.new_password.data or "")
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
            return render_template("auth/password.html", form=form), exc.http_status
        db.session.commit()
        login_user(user, remember=False)  # this session carries the new session_version; others end
        flash(_("Your password has been changed. Other sessions have been signed out."), "success")
        return redirect(landing_url(user))
    status = 422 if form.errors else 200
    return render_template("auth/password.html", form=form), status


# --- users of one cooperative (permission users.manage) -------------------------------------------


def _tenant_user(user_id: uuid.UUID) -> tuple[User, list[Membership]]:
    """A user with a membership (active or not) in this cooperative, else 404."""
    memberships = list(db.session.scalars(
        select(Membership).where(Membership.tenant_id == g.tenant.id, Membership.user_id == user_id)
        .order_by(Membership.role)
    ))
    if not memberships:
        abort(404)
    return memberships[0].user, memberships


@tenant_bp.get("/users")
@require_permission("users.manage")
def users() -> Any:
    in_tenant = select(Membership.user_id).where(Membership.tenant_id == g.tenant.id)
    page = paginate(select(User).where(User.id.in_(in_tenant)).order_by(User.full_name, User.id))
    memberships = db.session.scalars(
        select(Membership).where(Membership.tenant_id == g.tenant.id,
                                 Membership.user_id.in_([u.id for u in page.items]))
        .order_by(Membership.role)
    ).all()
    roles: dict[uuid.UUID, list[Membership]] = {}
    for m in memberships:
        roles.setdefault(m.user_id, []).append(m)
    people = [(u, roles.get(u.id, [])) for u in page.items]
    return render_template("auth/users.html", people=people, page=page)


@tenant_bp.route("/users/new", methods=["GET", "POST"])
@require_permission("users.manage")
def new_user() -> Any:
    form = CreateUserForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(username=form.username.data or "",
                                        full_name=form.full_name.data or "",
                                        password=form.password.data or "", actor=current_user)
            services.grant_role(user=user, tenant=g.tenant, role=form.role.data or "", actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
            return render_template("auth/user_new.html", form=form), exc.http_status
        db.session.commit()
        flash(_("User %(name)s has been created.", name=user.username), "success")
        return redirect(url_for("auth_tenant.user_detail", user_id=user.id))
    status = 422 if form.errors else 200
    return render_template("auth/user_new.html", form=form), status


@tenant_bp.get("/users/<uuid:user_id>")
@require_permission("users.manage")
def user_detail(user_id: uuid.UUID) -> Any:
    user, memberships = _tenant_user(user_id)
    return render_template("auth/user_detail.html", person=user, memberships=memberships,
                           role_form=AddRoleForm())


@tenant_bp.post("/users/<uuid:user_id>/roles")
@require_permission("users.manage")
def add_role(user_id: uuid.UUID) -> Any:
    user, memberships = _tenant_user(user_id)
    form = AddRoleForm()
    if form.validate_on_submit():
        try:
            services.grant_role(user=user, tenant=g.tenant, role=form.role.data or "", actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(_("The role has been added."), "success")
            return redirect(url_for("auth_tenant.user_detail", user_id=user.id))
    return render_template("auth/user_detail.html", person=user, memberships=memberships,
                           role_form=form), 422


def _refuse_losing_managers(user: User, *, role: str | None) -> bool:
    """Refuse to take away the last manager or a manager's own access: the cooperative would be locked out."""
    if role not in (None, "manager"):
        return False
    if user.id == current_user.id:
        flash(_("You cannot remove your own manager access. Ask another manager."), "error")
        return True
    other_managers = db.session.scalars(
        select(Membership.id).where(Membership.tenant_id == g.tenant.id, Membership.role == "manager",
                                    Membership.is_active.is_(True), Membership.user_id != user.id)
    ).first()
    if other_managers is None:
        flash(_("The cooperative must keep at least one manager."), "error")
        return True
    return False


@tenant_bp.post("/users/<uuid:user_id>/roles/<role>/remove")
@require_permission("users.manage")
def remove_role(user_id: uuid.UUID, role: str) -> Any:
    user, memberships = _tenant_user(user_id)
    membership = next((m for m in memberships if m.role == role and m.is_active), None)
    if membership is None:
        abort(404)
    if not _refuse_losing_managers(user, role=role):
        services.revoke_role(membership=membership, actor=current_user)
        db.session.commit()
        flash(_("The role has been removed."), "success")
    return redirect(url_for("auth_tenant.user_detail", user_id=user.id))


@tenant_bp.post("/users/<uuid:user_id>/deactivate")
@require_permission("users.manage")
def deactivate_user(user_id: uuid.UUID) -> Any:
    """End the user's access to this cooperative; the account and its history stay."""
    user, memberships = _tenant_user(user_id)
    if not _refuse_losing_managers(user, role=None):
        for membership in memberships:
            if membership.is_active:
                services.revoke_role(membership=membership, actor=current_user)
        db.session.commit()
        flash(_("%(name)s no longer has access to this cooperative.", name=user.full_name), "success")
    return redirect(url_for("auth_tenant.user_detail", user_id=user.id))


# --- my API tokens for this cooperative (permission tokens.own) -----------------------------------


def _my_tokens() -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id, ApiToken.tenant_id == g.tenant.id)
        .order_by(ApiToken.created_at.desc())
    ))


@tenant_bp.route("/tokens", methods=["GET", "POST"])
@require_permission("tokens.own")
def tokens() -> Any:
    form = TokenForm()
    raw = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                _token, raw = services.create_token(user=current_user._get_current_object(), tenant=g.tenant,
                                                    name=form.name.data or "", actor=current_user)
            except DomainError as exc:
                db.session.rollback()
                apply_domain_error(form, exc)
                status = exc.http_status
            else:
                db.session.commit()
                form = TokenForm(formdata=None)
        else:
            status = 422
    body = render_template("auth/tokens.html", form=form, raw_token=raw, tokens=_my_tokens())
    # The raw token is shown once: keep it out of every cache.
    return body, status, {"Cache-Control": "no-store"}


@tenant_bp.post("/tokens/<uuid:token_id>/revoke")
@require_permission("tokens.own")
def revoke_token(token_id: uuid.UUID) -> Any:
    if not any(t.id == token_id for t in _my_tokens()):
        abort(404)
    services.revoke_token(user=current_user._get_current_object(), token_id=token_id, actor=current_user)
    db.session.commit()
    flash(_("The token has been revoked."), "success")
    return redirect(url_for("auth_tenant.tokens"))
