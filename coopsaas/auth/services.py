"""Users, passwords and API tokens. No Flask request objects here: the CLI and jobs reuse it."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from typing import Any

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from coopsaas.auth.models import ApiToken, User
from coopsaas.auth.permissions import AGENCY_ROLES, TENANT_ROLES
from coopsaas.core import audit, clock
from coopsaas.core.i18n import _l
from coopsaas.errors import Conflict, NotFound, ValidationError
from coopsaas.extensions import db
from coopsaas.tenancy.models import AgencyMembership, Membership, Tenant

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")
MIN_PASSWORD = 8
TOKEN_PREFIX = "cs_"
# A hash for unknown users, so a wrong username costs the same time as a wrong password.
_DUMMY_HASH: dict[str, str] = {}


def password_method() -> str:
    from flask import current_app, has_app_context

    if has_app_context():
        return str(current_app.config.get("PASSWORD_METHOD", "scrypt"))
    return "scrypt"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=password_method())


def validate_password(password: str, *, field: str = "password") -> None:
    if not password or len(password) < MIN_PASSWORD:
        raise ValidationError(
            _l("The password must have at least 8 characters."),
            fields={field: [_l("At least 8 characters.")]},
        )


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()


def find_user(username: str) -> User | None:
    name = normalize_username(username)
    if not name:
        return None
    return db.session.scalars(
        select(User).where((User.username == name) | (func.lower(User.email) == name))
    ).first()


def authenticate(username: str, password: str) -> User | None:
    """The active user with this login and password, or None (same answer for both failures)."""
    user = find_user(username)
    if user is None or not user.is_active:
        method = password_method()
        if method not in _DUMMY_HASH:
            _DUMMY_HASH[method] = generate_password_hash(secrets.token_hex(8), method=method)
        check_password_hash(_DUMMY_HASH[method], password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    user.last_login_at = clock.now()
    return user


def create_user(
    *,
    username: str,
    full_name: str,
    password: str,
    email: str | None = None,
    phone: str | None = None,
    actor: Any = None,
) -> User:
    name = normalize_username(username)
    errors: dict[str, list[Any]] = {}
    if not USERNAME_RE.match(name):
        errors["username"] = [_l("3-80 characters: lower-case letters, digits, dot, dash or underscore.")]
    if not (full_name or "").strip():
        errors["full_name"] = [_l("This field is required.")]
    if errors:
        raise ValidationError(_l("Some fields are not valid."), fields=errors)
    validate_password(password)
    if find_user(name) is not None or (email and find_user(email) is not None):
        raise Conflict(
            _l("That username or email is already taken."), fields={"username": [_l("Already taken.")]}
        )
    user = User(
        username=name,
        full_name=full_name.strip(),
        email=(email or None) and email.strip().lower(),
        phone=phone or None,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", actor=actor, target=user, summary={"username": name})
    return user


def change_password(user: User, *, current: str, new: str) -> None:
    """Change the password; every existing session of the user ends (session_version bump)."""
    if not check_password_hash(user.password_hash, current or ""):
        raise ValidationError(
            _l("The current password is wrong."), fields={"current_password": [_l("Wrong password.")]}
        )
    validate_password(new, field="new_password")
    user.password_hash = hash_password(new)
    user.session_version = (user.session_version or 1) + 1
    audit.record("user.password_change", actor=user, target=user)


def set_password(user: User, new: str, *, actor: Any) -> None:
    validate_password(new)
    user.password_hash = hash_password(new)
    user.session_version = (user.session_version or 1) + 1
    audit.record("user.password_reset", actor=actor, target=user)


def grant_role(*, user: User, tenant: Tenant, role: str, actor: Any = None) -> Membership:
    if role not in TENANT_ROLES:
        raise ValidationError(_l("Unknown role."), fields={"role": [_l("Unknown role.")]})
    existing = db.session.scalars(
        select(Membership).where(
            Membership.user_id == user.id, Membership.tenant_id == tenant.id, Membership.role == role
        )
    ).one_or_none()
    if existing is not None:
        existing.is_active = True
        return existing
    m = Membership(user_id=user.id, tenant_id=tenant.id, role=role)
    db.session.add(m)
    db.session.flush()
    audit.record("membership.grant", actor=actor, target=m, summary={"user": user.username, "role": role})
    return m


def revoke_role(*, membership: Membership, actor: Any = None) -> None:
    membership.is_active = False
    audit.record("membership.revoke", actor=actor, target=membership, summary={"role": membership.role})


def grant_agency_role(*, user: User, agency_id: uuid.UUID, role: str, actor: Any = None) -> AgencyMembership:
    if role not in AGENCY_ROLES:
        raise ValidationError(_l("Unknown role."), fields={"role": [_l("Unknown role.")]})
    existing = db.session.scalars(
        select(AgencyMembership).where(
            AgencyMembership.user_id == user.id, AgencyMembership.agency_id == agency_id
        )
    ).one_or_none()
    if existing is not None:
        existing.role = role
        existing.is_active = True
        return existing
    m = AgencyMembership(user_id=user.id, agency_id=agency_id, role=role)
    db.session.add(m)
    db.session.flush()
    return m


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(*, user: User, tenant: Tenant, name: str, actor: Any = None) -> tuple[ApiToken, str]:
    """A new token; the raw value is returned once and never stored."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError(
            _l("Give the token a name (at most 100 characters)."),
            fields={"name": [_l("This field is required.")]},
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    tok = ApiToken(
        user_id=user.id, tenant_id=tenant.id, name=name, prefix=raw[:10], token_hash=token_digest(raw)
    )
    db.session.add(tok)
    db.session.flush()
    audit.record("token.create", actor=actor or user, target=tok, summary={"name": name})
    return tok, raw


def revoke_token(*, user: User, token_id: object, actor: Any = None) -> ApiToken:
    from coopsaas.core.ids import parse_uuid

    tid = parse_uuid(token_id)
    tok = (
        db.session.scalars(
            select(ApiToken).where(ApiToken.id == tid, ApiToken.user_id == user.id)
        ).one_or_none()
        if tid
        else None
    )
    if tok is None:
        raise NotFound(_l("Token not found."))
    if tok.revoked_at is None:
        tok.revoked_at = clock.now()
        audit.record("token.revoke", actor=actor or user, target=tok, summary={"name": tok.name})
    return tok


def user_for_token(raw: str) -> tuple[User, ApiToken] | None:
    if not raw:
        return None
    tok = db.session.scalars(select(ApiToken).where(ApiToken.token_hash == token_digest(raw))).one_or_none()
    if tok is None or tok.revoked_at is not None or not tok.user.is_active:
        return None
    tok.last_used_at = clock.now()
    return tok.user, tok
