"""Changing the password keeps this session and ends every other one."""

from __future__ import annotations

from werkzeug.security import check_password_hash

from coopsaas.extensions import db
from tests.helpers import csrf_token, login


def _change(client, current="rahasia123", new="kuncibaru99", confirm=None):
    return client.post("/account/password", data={
        "current_password": current, "new_password": new, "confirm": confirm or new,
        "csrf_token": csrf_token(client, "/account/password")})


def test_password_change_ends_the_other_session_and_keeps_this_one(app, world):
    office_pc, phone = app.test_client(), app.test_client()
    login(office_pc, "tini")
    login(phone, "tini")
    assert phone.get("/t/kop-a/").status_code == 200

    resp = _change(office_pc)
    assert resp.status_code == 302
    assert office_pc.get("/t/kop-a/").status_code == 200
    home = office_pc.get("/t/kop-a/").get_data(as_text=True)
    assert "Koperasi Sejahtera Bersama" in home

    stale = phone.get("/t/kop-a/")
    assert stale.status_code == 302
    assert stale.headers["Location"].startswith("/login")


def test_new_password_works_and_old_one_does_not(app, world):
    c = app.test_client()
    login(c, "tini")
    _change(c)
    assert login(app.test_client(), "tini", "kuncibaru99").status_code == 302
    assert login(app.test_client(), "tini", "rahasia123").status_code == 401


def test_wrong_current_password_changes_nothing(client, world):
    login(client, "tini")
    resp = _change(client, current="bukan-ini")
    assert resp.status_code == 422
    assert "Kata sandi saat ini salah." in resp.get_data(as_text=True)
    db.session.refresh(world.teller)
    assert check_password_hash(world.teller.password_hash, "rahasia123")
    assert world.teller.session_version == 1


def test_short_or_mismatched_new_password_is_refused(client, world):
    login(client, "tini")
    short = _change(client, new="pendek")
    assert short.status_code == 422
    assert "Minimal 8 karakter." in short.get_data(as_text=True)
    differ = _change(client, new="kuncibaru99", confirm="kuncibaru98")
    assert differ.status_code == 422
    assert "Kedua kata sandi berbeda." in differ.get_data(as_text=True)
    db.session.refresh(world.teller)
    assert world.teller.session_version == 1
