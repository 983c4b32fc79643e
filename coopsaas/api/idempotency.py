"""`Idempotency-Key` for POST endpoints: a retried request is answered, never done twice.

The first successful response to (tenant, user, key) is stored with the work, in the same
transaction, so a rollback leaves no record and the retry runs again. A repeat with the same body
gets the stored status and body back (and the `Idempotent-Replayed: true` header); the same key
with another body or on another endpoint is a 422. Without the header the endpoint runs as usual.

Put the decorator above `@blp.arguments` and `@blp.response`, so it sees the finished response:

    @idempotent
    @blp.arguments(TokenCreateSchema)
    @blp.response(201, TokenCreatedSchema)
    def post(self, data): ...

Stored bodies are replayed verbatim (a token's raw value included) for as long as the record is
kept, so records should be purged after a day.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import string
from collections.abc import Callable
from typing import Any

from flask import current_app, jsonify, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from coopsaas.core import idempotency as store
from coopsaas.core.i18n import _l
from coopsaas.errors import Conflict, DomainError, ValidationError
from coopsaas.extensions import db

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
_KEY_CHARS = frozenset(string.ascii_letters + string.digits + string.punctuation)

PARAMETER_DOC = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": (
        f"1-{store.KEY_MAX} visible ASCII characters, unique per request you mean. Repeating a request "
        "with the same key and body returns the first response and changes nothing; the same key "
        "with a different body is refused with 422."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": store.KEY_MAX},
}


class BadIdempotencyKey(DomainError):
    http_status = 400
    code = "bad_idempotency_key"


def _key_from_header() -> str | None:
    if HEADER not in request.headers:
        return None
    key = request.headers[HEADER].strip()
    if not key or len(key) > store.KEY_MAX or not set(key) <= _KEY_CHARS:
        raise BadIdempotencyKey(
            _l("The Idempotency-Key header must have 1 to 128 visible characters."),
            fields={HEADER: [_l("1 to 128 visible characters.")]},
        )
    return key


def _payload() -> Any:
    if request.is_json:
        parsed = request.get_json(silent=True)
        if parsed is not None:
            return parsed
    return request.get_data(as_text=True)


def _fingerprint() -> str:
    # Keyed with the app secret: the body may hold a password, and a bare SHA-256 of it in the
    # database could be guessed offline far faster than the password hash itself.
    plain = store.request_fingerprint(request.method, request.path, _payload())
    return hmac.new(current_app.config["SECRET_KEY"].encode(), plain.encode(), hashlib.sha256).hexdigest()


def _replay(record: store.IdempotencyRecord) -> Any:
    if record.body is None:
        resp = current_app.response_class(status=record.status)
    else:
        resp = jsonify(record.body)
        resp.status_code = record.status
    resp.headers[REPLAY_HEADER] = "true"
    return resp


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Honour `Idempotency-Key` on a POST view of a tenant blueprint (the tenant is in scope)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = _key_from_header()
        if key is None:
            return view(*args, **kwargs)
        fingerprint = _fingerprint()
        previous = store.find(current_user.id, key)
        if previous is not None:
            if previous.request_hash != fingerprint:
                raise ValidationError(
                    _l("This Idempotency-Key was already used for a different request."),
                    fields={HEADER: [_l("Use a new key for a new request.")]},
                    code="idempotency_key_reused",
                )
            return _replay(previous)
        resp = current_app.make_response(view(*args, **kwargs))
        if resp.status_code < 400:
            try:
                store.remember(user_id=current_user.id, key=key, method=request.method,
                               path=request.path, fingerprint=fingerprint, status=resp.status_code,
                               body=resp.get_json(silent=True))
            except IntegrityError:
                # A concurrent request with this key got there first: its work stands, ours is undone.
                db.session.rollback()
                raise Conflict(_l("A request with this Idempotency-Key is already being processed."),
                               fields={HEADER: [_l("Retry later to get its response.")]}) from None
        return resp

    apidoc = dict(getattr(wrapper, "_apidoc", {}))
    apidoc["idempotent"] = True
    wrapper._apidoc = apidoc  # type: ignore[attr-defined]
    return wrapper
