"""Tokens: create (secret shown once), list mine, revoke; Idempotency-Key on create."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from coopsaas.auth.models import ApiToken
from coopsaas.core.audit import AuditEvent
from coopsaas.core.db import tenant_scope
from coopsaas.core.idempotency import IdempotencyRecord
from tests.api.conftest import bearer, speak_english

TOKENS = "/api/v1/t/kop-a/tokens/"


def count_tokens(db_session, user, name):
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(ApiToken)
                             .where(ApiToken.user_id == user.id, ApiToken.name == name))


def test_create_token_returns_the_secret_once_and_it_works(api, world, db_session):
    resp = api.post(TOKENS, headers=bearer(world.token_a), json={"name": "tablet"})
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["name"] == "tablet"
    assert body["token"].startswith("cs_") and body["token"].startswith(body["prefix"])
    assert body["revoked_at"] is None
    assert api.get("/api/v1/t/kop-a/", headers=bearer(body["token"])).status_code == 200
    listed = api.get(TOKENS, headers=bearer(world.token_a)).get_json()["items"]
    assert [t["name"] for t in listed] == ["tablet", "laptop"]
    assert all("token" not in t for t in listed)
    with tenant_scope(db_session, world.a.id):
        actions = db_session.scalars(
            select(AuditEvent.action).where(AuditEvent.target_id == body["id"])).all()
    assert actions == ["token.create"]


def test_list_shows_only_my_tokens_of_this_cooperative(api, world):
    items = api.get(TOKENS, headers=bearer(world.teller_token_a)).get_json()["items"]
    assert [t["name"] for t in items] == ["kasir"]


def test_revoke_token_stops_it_and_keeps_it_listed(api, world):
    new = api.post(TOKENS, headers=bearer(world.token_a), json={"name": "lama"}).get_json()
    assert api.delete(f"{TOKENS}{new['id']}", headers=bearer(world.token_a)).status_code == 204
    assert api.get("/api/v1/t/kop-a/", headers=bearer(new["token"])).status_code == 401
    listed = {t["name"]: t for t in api.get(TOKENS, headers=bearer(world.token_a)).get_json()["items"]}
    assert listed["lama"]["revoked_at"] is not None
    assert listed["laptop"]["revoked_at"] is None


def test_revoking_another_users_or_tenants_token_is_404(api, world, db_session):
    teller_tokens = api.get(TOKENS, headers=bearer(world.teller_token_a)).get_json()["items"]
    resp = api.delete(f"{TOKENS}{teller_tokens[0]['id']}", headers=bearer(world.token_a))
    assert resp.status_code == 404
    assert api.delete(f"{TOKENS}{world.token_b_row.id}", headers=bearer(world.token_a)).status_code == 404
    assert api.delete(f"{TOKENS}{uuid.uuid4()}", headers=bearer(world.token_a)).status_code == 404
    assert api.delete(f"{TOKENS}not-a-uuid", headers=bearer(world.token_a)).status_code == 404
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(ApiToken)
                             .where(ApiToken.revoked_at.is_not(None))) == 0


def test_idempotency_key_replay_returns_the_same_body_and_creates_one_token(api, world, db_session):
    headers = bearer(world.token_a, **{"Idempotency-Key": "buat-token-001"})
    first = api.post(TOKENS, headers=headers, json={"name": "sekali"})
    again = api.post(TOKENS, headers=headers, json={"name": "sekali"})
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert count_tokens(db_session, world.manager_a, "sekali") == 1


def test_same_key_with_a_different_body_is_422_and_does_nothing(api, world, db_session):
    speak_english(db_session, world.manager_a)
    headers = bearer(world.token_a, **{"Idempotency-Key": "buat-token-002"})
    assert api.post(TOKENS, headers=headers, json={"name": "satu"}).status_code == 201
    resp = api.post(TOKENS, headers=headers, json={"name": "dua"})
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["error"] == "idempotency_key_reused"
    assert body["fields"] == {"Idempotency-Key": ["Use a new key for a new request."]}
    assert count_tokens(db_session, world.manager_a, "dua") == 0


def test_same_key_is_per_user(api, world, db_session):
    key = {"Idempotency-Key": "kunci-bersama"}
    assert api.post(TOKENS, headers=bearer(world.token_a, **key), json={"name": "a"}).status_code == 201
    resp = api.post(TOKENS, headers=bearer(world.teller_token_a, **key), json={"name": "a"})
    assert resp.status_code == 201
    assert "Idempotent-Replayed" not in resp.headers
    assert count_tokens(db_session, world.teller_a, "a") == 1


def test_empty_or_too_long_key_is_400(api, world, db_session):
    for key in ("", "   ", "k" * 129, "spasi di tengah"):
        resp = api.post(TOKENS, headers=bearer(world.token_a, **{"Idempotency-Key": key}), json={"name": "x"})
        assert resp.status_code == 400, key
        assert resp.get_json()["error"] == "bad_idempotency_key"
    assert api.post(TOKENS, headers=bearer(world.token_a, **{"Idempotency-Key": "k" * 128}),
                    json={"name": "x"}).status_code == 201
    assert count_tokens(db_session, world.manager_a, "x") == 1


def test_failed_request_stores_no_key_so_the_retry_runs(api, world, db_session):
    headers = bearer(world.token_a, **{"Idempotency-Key": "coba-lagi"})
    assert api.post(TOKENS, headers=headers, json={"name": ""}).status_code == 422
    with tenant_scope(db_session, world.a.id):
        assert db_session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0
    assert api.post(TOKENS, headers=headers, json={"name": ""}).status_code == 422
    assert api.post(TOKENS, headers=headers, json={"name": "akhirnya"}).status_code == 201
