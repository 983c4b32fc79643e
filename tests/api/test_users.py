"""Users and roles of a cooperative (permission users.manage)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from coopsaas.tenancy.models import Membership
from tests.api.conftest import bearer, speak_english

USERS = "/api/v1/t/kop-a/users/"
NEW_USER = {"username": "Siti.Aminah", "full_name": "Siti Aminah", "password": "rahasia123",
            "email": "siti@example.org", "role": "teller"}


def roles_of(db_session, user_id, tenant):
    db_session.expire_all()
    return sorted(db_session.scalars(select(Membership.role).where(
        Membership.user_id == uuid.UUID(str(user_id)), Membership.tenant_id == tenant.id,
        Membership.is_active.is_(True))))


def test_list_users_with_their_roles(api, world):
    body = api.get(USERS, headers=bearer(world.token_a)).get_json()
    assert [(u["username"], u["roles"]) for u in body["items"]] == [
        ("anggota.a", ["member"]), ("kasir.a", ["teller"]), ("manajer.a", ["manager"])]
    assert (body["total"], body["pages"]) == (3, 1)


def test_create_user_with_role(api, world, db_session):
    resp = api.post(USERS, headers=bearer(world.token_a), json=NEW_USER)
    assert resp.status_code == 201
    body = resp.get_json()
    assert (body["username"], body["email"], body["roles"], body["is_active"]) == (
        "siti.aminah", "siti@example.org", ["teller"], True)
    assert "password" not in body
    assert roles_of(db_session, body["id"], world.a) == ["teller"]
    assert roles_of(db_session, body["id"], world.b) == []


def test_create_user_with_short_password_is_422(api, world):
    resp = api.post(USERS, headers=bearer(world.token_a), json={**NEW_USER, "password": "pendek"})
    assert resp.status_code == 422
    assert resp.get_json()["fields"] == {"password": ["Length must be between 8 and 200."]}


def test_create_user_with_bad_username_is_422_from_the_service(api, world):
    resp = api.post(USERS, headers=bearer(world.token_a), json={**NEW_USER, "username": "siti aminah"})
    assert resp.status_code == 422
    assert list(resp.get_json()["fields"]) == ["username"]


def test_grant_and_revoke_a_role(api, world, db_session):
    uid = world.teller_a.id
    resp = api.post(f"{USERS}{uid}/roles", headers=bearer(world.token_a), json={"role": "bookkeeper"})
    assert resp.status_code == 200
    assert resp.get_json()["roles"] == ["bookkeeper", "teller"]
    assert api.delete(f"{USERS}{uid}/roles/teller", headers=bearer(world.token_a)).status_code == 204
    assert roles_of(db_session, uid, world.a) == ["bookkeeper"]
    assert api.delete(f"{USERS}{uid}/roles/teller", headers=bearer(world.token_a)).status_code == 404


def test_user_of_another_cooperative_is_404(api, world, db_session):
    uid = world.manager_b.id
    resp = api.post(f"{USERS}{uid}/roles", headers=bearer(world.token_a), json={"role": "teller"})
    assert resp.status_code == 404
    assert api.delete(f"{USERS}{uid}/roles/manager", headers=bearer(world.token_a)).status_code == 404
    assert roles_of(db_session, uid, world.a) == []
    assert roles_of(db_session, uid, world.b) == ["manager"]


def test_last_manager_keeps_the_role(api, world, db_session):
    speak_english(db_session, world.manager_a)
    resp = api.delete(f"{USERS}{world.manager_a.id}/roles/manager", headers=bearer(world.token_a))
    assert resp.status_code == 409
    assert resp.get_json()["message"] == "The cooperative must keep at least one manager."
    assert roles_of(db_session, world.manager_a.id, world.a) == ["manager"]


def test_teller_cannot_manage_users(api, world, db_session):
    resp = api.post(f"{USERS}{world.teller_a.id}/roles", headers=bearer(world.teller_token_a),
                    json={"role": "manager"})
    assert resp.status_code == 403
    assert roles_of(db_session, world.teller_a.id, world.a) == ["teller"]


def test_create_user_is_idempotent(api, world):
    headers = bearer(world.token_a, **{"Idempotency-Key": "user-siti"})
    first = api.post(USERS, headers=headers, json=NEW_USER)
    again = api.post(USERS, headers=headers, json=NEW_USER)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    assert api.get(USERS, headers=bearer(world.token_a)).get_json()["total"] == 4
