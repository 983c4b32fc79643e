"""Users management of one cooperative: create, roles, end access; bad input writes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from coopsaas.auth.models import User
from coopsaas.core.audit import AuditEvent
from coopsaas.core.db import tenant_scope
from coopsaas.extensions import db
from coopsaas.tenancy.models import Membership
from tests.helpers import csrf_token, login


def _users_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def _memberships(user_id, tenant_id) -> dict[str, bool]:
    rows = db.session.scalars(select(Membership).where(Membership.user_id == user_id,
                                                       Membership.tenant_id == tenant_id)).all()
    return {m.role: m.is_active for m in rows}


def _create(client, **fields):
    data = {"username": "sari", "full_name": "Sari Wulandari", "password": "rahasia123", "role": "teller"}
    data.update(fields)
    data["csrf_token"] = csrf_token(client, "/t/kop-a/users/new")
    return client.post("/t/kop-a/users/new", data=data)


def test_users_page_lists_the_cooperatives_users_with_roles(manager_client, world):
    page = manager_client.get("/t/kop-a/users").get_data(as_text=True)
    assert "Budi" in page and "Tini" in page and "Ahmad" in page
    assert "Kasir" in page and "Anggota" in page
    assert "Bayu" not in page  # manager of the other cooperative


def test_manager_creates_a_user_with_a_role(manager_client, world):
    resp = _create(manager_client)
    assert resp.status_code == 302
    sari = db.session.scalars(select(User).where(User.username == "sari")).one()
    assert sari.full_name == "Sari Wulandari"
    assert _memberships(sari.id, world.a.id) == {"teller": True}
    with tenant_scope(db.session, world.a.id):
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.actor_id == world.manager.id)).all()
    assert sorted(actions) == ["membership.grant", "user.create"]
    page = manager_client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Pengguna sari telah dibuat." in page
    assert login(manager_client.application.test_client(), "sari").headers["Location"] == "/t/kop-a/"


def test_duplicate_username_is_a_form_error_and_writes_nothing(manager_client, world):
    before = _users_count()
    resp = _create(manager_client, username="tini")
    assert resp.status_code == 409
    body = resp.get_data(as_text=True)
    assert "Nama pengguna atau email itu sudah dipakai." in body
    assert _users_count() == before


def test_short_password_is_a_form_error_and_writes_nothing(manager_client, world):
    before = _users_count()
    resp = _create(manager_client, password="pendek")
    assert resp.status_code == 422
    assert "Minimal 8 karakter." in resp.get_data(as_text=True)
    assert _users_count() == before


def test_invalid_username_or_role_writes_nothing(manager_client, world):
    before = _users_count()
    bad_name = _create(manager_client, username="Sari Wulan!")
    assert bad_name.status_code == 422
    assert "3-80 karakter" in bad_name.get_data(as_text=True)
    bad_role = _create(manager_client, role="raja")
    assert bad_role.status_code == 422
    assert "Peran tidak dikenal." in bad_role.get_data(as_text=True)
    assert _users_count() == before


def test_add_and_remove_a_role(manager_client, world):
    token = csrf_token(manager_client, "/t/kop-a/users")
    tini = world.teller.id
    resp = manager_client.post(f"/t/kop-a/users/{tini}/roles",
                               data={"role": "shopkeeper", "csrf_token": token})
    assert resp.status_code == 302
    assert _memberships(tini, world.a.id) == {"teller": True, "shopkeeper": True}
    resp = manager_client.post(f"/t/kop-a/users/{tini}/roles/teller/remove", data={"csrf_token": token})
    assert resp.status_code == 302
    assert _memberships(tini, world.a.id) == {"teller": False, "shopkeeper": True}


def test_deactivate_ends_access_but_keeps_the_user(app, manager_client, world):
    teller_client = app.test_client()
    login(teller_client, "tini")
    token = csrf_token(manager_client, "/t/kop-a/users")
    resp = manager_client.post(f"/t/kop-a/users/{world.teller.id}/deactivate", data={"csrf_token": token})
    assert resp.status_code == 302
    assert _memberships(world.teller.id, world.a.id) == {"teller": False}
    assert db.session.get(User, world.teller.id) is not None
    assert teller_client.get("/t/kop-a/").status_code == 404
    with tenant_scope(db.session, world.a.id):
        revoked = db.session.scalars(
            select(AuditEvent.summary).where(AuditEvent.action == "membership.revoke")).all()
    assert revoked == [{"role": "teller"}]


def test_manager_cannot_remove_their_own_manager_access(manager_client, world):
    token = csrf_token(manager_client, "/t/kop-a/users")
    resp = manager_client.post(f"/t/kop-a/users/{world.manager.id}/deactivate", data={"csrf_token": token},
                               follow_redirects=True)
    assert "Anda tidak dapat mencabut akses manajer Anda sendiri" in resp.get_data(as_text=True)
    assert _memberships(world.manager.id, world.a.id) == {"manager": True}


def test_create_without_csrf_token_is_refused_and_writes_nothing(manager_client, world):
    before = _users_count()
    resp = manager_client.post("/t/kop-a/users/new", data={
        "username": "sari", "full_name": "Sari", "password": "rahasia123", "role": "teller"})
    assert resp.status_code == 400
    assert _users_count() == before


def test_teller_may_not_manage_users(app, world):
    c = app.test_client()
    login(c, "tini")
    assert c.get("/t/kop-a/users").status_code == 403
    before = _users_count()
    resp = c.post("/t/kop-a/users/new", data={"username": "sari", "full_name": "Sari",
                                               "password": "rahasia123", "role": "manager",
                                               "csrf_token": csrf_token(c)})
    assert resp.status_code == 403
    assert _users_count() == before


def test_user_of_another_cooperative_is_404_here(manager_client, world):
    assert manager_client.get(f"/t/kop-a/users/{world.manager_b.id}").status_code == 404
    token = csrf_token(manager_client, "/t/kop-a/users")
    resp = manager_client.post(f"/t/kop-a/users/{world.manager_b.id}/deactivate", data={"csrf_token": token})
    assert resp.status_code == 404
    assert _memberships(world.manager_b.id, world.b.id) == {"manager": True}


def test_long_user_list_is_paged(manager_client, world, db_session):
    from tests.helpers import make_user

    for i in range(50):
        make_user(f"anggota{i:02d}", tenant=world.a, role="member")
    db_session.commit()
    first = manager_client.get("/t/kop-a/users").get_data(as_text=True)
    assert first.count('class="list-item"') == 50
    assert "Halaman 1 dari 2" in first
    assert 'href="/t/kop-a/users?page=2"' in first
    second = manager_client.get("/t/kop-a/users?page=2").get_data(as_text=True)
    # 53 users by full name: Ahmad, Anggota00..48 on page 1; Anggota49, Budi, Tini on page 2
    assert second.count('class="list-item"') == 3
    assert "Anggota49" in second and "Budi" in second and "Tini" in second
    odd = manager_client.get("/t/kop-a/users?page=-3")
    assert odd.status_code == 200
    assert "Halaman 1 dari 2" in odd.get_data(as_text=True)
