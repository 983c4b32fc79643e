"""API tokens through the pages: shown once, stored hashed, revocable, per cooperative."""

from __future__ import annotations

import re

from sqlalchemy import select

from coopsaas.auth.models import ApiToken
from coopsaas.auth.services import create_token, user_for_token
from coopsaas.extensions import db
from tests.helpers import csrf_token, login


def test_create_shows_the_token_once_and_revoke_ends_it(client, world):
    login(client, "tini")
    resp = client.post("/t/kop-a/tokens", data={"name": "Aplikasi kasir",
                                                "csrf_token": csrf_token(client, "/t/kop-a/tokens")})
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"
    raw = re.search(r'id="new-token">(cs_[^<]+)<', resp.get_data(as_text=True)).group(1)
    token = db.session.scalars(select(ApiToken).where(ApiToken.user_id == world.teller.id)).one()
    assert token.name == "Aplikasi kasir"
    assert token.tenant_id == world.a.id
    assert raw not in token.token_hash
    assert user_for_token(raw)[0].id == world.teller.id

    listing = client.get("/t/kop-a/tokens").get_data(as_text=True)
    assert "Aplikasi kasir" in listing
    assert raw not in listing

    resp = client.post(f"/t/kop-a/tokens/{token.id}/revoke", data={"csrf_token": csrf_token(client)})
    assert resp.status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert user_for_token(raw) is None
    assert "Token telah dicabut." in client.get("/t/kop-a/tokens").get_data(as_text=True)


def test_token_without_a_name_is_refused(client, world):
    login(client, "tini")
    resp = client.post("/t/kop-a/tokens", data={"name": "  ", "csrf_token": csrf_token(client)})
    assert resp.status_code == 422
    assert "Kolom ini wajib diisi." in resp.get_data(as_text=True)
    assert db.session.scalars(select(ApiToken)).all() == []


def test_someone_elses_token_cannot_be_revoked(client, world, db_session):
    theirs, _raw = create_token(user=world.manager, tenant=world.a, name="Milik Budi")
    db_session.commit()
    login(client, "tini")
    resp = client.post(f"/t/kop-a/tokens/{theirs.id}/revoke", data={"csrf_token": csrf_token(client)})
    assert resp.status_code == 404
    db.session.refresh(theirs)
    assert theirs.revoked_at is None
    assert "Milik Budi" not in client.get("/t/kop-a/tokens").get_data(as_text=True)


def test_member_has_no_token_page(client, world):
    login(client, "ahmad")
    assert client.get("/t/kop-a/tokens").status_code == 403
