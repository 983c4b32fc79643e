"""Login, logout, landing pages and throttling."""

from __future__ import annotations

from coopsaas.auth.models import User
from coopsaas.extensions import db
from tests.helpers import csrf_token, login, make_agency, make_user
from tests.web.conftest import grant

WRONG = "Nama pengguna atau kata sandi salah"


def test_teller_with_one_cooperative_lands_on_its_home(client, world):
    resp = login(client, "tini")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/t/kop-a/"
    page = client.get("/t/kop-a/").get_data(as_text=True)
    assert "Koperasi Sejahtera Bersama" in page
    assert "Kasir" in page


def test_login_accepts_email_too(client, world, db_session):
    world.teller.email = "tini@example.id"
    db_session.commit()
    assert login(client, "TINI@example.id").headers["Location"] == "/t/kop-a/"


def test_member_lands_on_their_own_page(client, world):
    resp = login(client, "ahmad")
    assert resp.headers["Location"] == "/t/kop-a/me"
    page = client.get("/t/kop-a/me").get_data(as_text=True)
    assert "Ahmad" in page
    assert "akan tampil di sini" in page


def test_staff_without_member_role_is_sent_home_from_the_member_page(client, world):
    login(client, "tini")
    resp = client.get("/t/kop-a/me")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/t/kop-a/"


def test_user_of_two_cooperatives_chooses(client, world, db_session):
    grant(world.teller, world.b, "teller", db_session)
    resp = login(client, "tini")
    assert resp.headers["Location"] == "/choose"
    page = client.get("/choose").get_data(as_text=True)
    assert "Koperasi Sejahtera Bersama" in page
    assert "Koperasi Makmur Jaya" in page


def test_agency_user_lands_on_agency_page_listing_linked_cooperatives(client, world, db_session):
    from coopsaas.auth.services import grant_agency_role

    agency = make_agency("dinas-kota", tenants=[world.a])
    agency.name = "Dinas Koperasi UKM Kota"
    world.a.city = "Kota Bogor"
    officer = make_user("dewi")
    grant_agency_role(user=officer, agency_id=agency.id, role="agency_viewer")
    db_session.commit()
    resp = login(client, "dewi")
    assert resp.headers["Location"] == "/agency/"
    page = client.get("/agency/").get_data(as_text=True)
    assert "Dinas Koperasi UKM Kota" in page
    assert "Koperasi Sejahtera Bersama" in page
    assert "Koperasi Simpan Pinjam (KSP)" in page
    assert "Kota Bogor" in page
    assert "Koperasi Makmur Jaya" not in page  # not linked


def test_agency_page_is_404_for_cooperative_staff(client, world):
    login(client, "tini")
    assert client.get("/agency/").status_code == 404


def test_wrong_password_and_unknown_user_get_the_same_message(client, world):
    wrong_pw = login(client, "tini", "salah-sekali")
    unknown = login(client, "tidak-ada", "salah-sekali")
    assert wrong_pw.status_code == unknown.status_code == 401
    assert WRONG in wrong_pw.get_data(as_text=True)
    assert WRONG in unknown.get_data(as_text=True)
    assert client.get("/t/kop-a/").status_code == 302  # still not logged in


def test_empty_login_form_shows_field_errors(client, world):
    resp = client.post("/login", data={"username": "", "password": "", "csrf_token": csrf_token(client)})
    assert resp.status_code == 422
    assert "Kolom ini wajib diisi." in resp.get_data(as_text=True)


def test_next_parameter_returns_to_the_page_asked_for(client, world):
    resp = client.get("/account/password")
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login?next=")
    token = csrf_token(client)
    resp = client.post("/login?next=/account/password",
                       data={"username": "tini", "password": "rahasia123", "csrf_token": token})
    assert resp.headers["Location"] == "/account/password"


def test_next_parameter_to_another_site_is_ignored(client, world):
    token = csrf_token(client)
    resp = client.post("/login?next=https://evil.example/",
                       data={"username": "tini", "password": "rahasia123", "csrf_token": token})
    assert resp.headers["Location"] == "/t/kop-a/"


def test_inactive_user_cannot_log_in(client, world, db_session):
    world.teller.is_active = False
    db_session.commit()
    resp = login(client, "tini")
    assert resp.status_code == 401
    assert WRONG in resp.get_data(as_text=True)


def test_logout_ends_the_session(client, world):
    login(client, "tini")
    assert client.get("/t/kop-a/").status_code == 200
    resp = client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/login"
    assert client.get("/t/kop-a/").status_code == 302


def test_logout_without_csrf_token_is_refused(client, world):
    login(client, "tini")
    assert client.post("/logout").status_code == 400
    assert client.get("/t/kop-a/").status_code == 200


def test_sixth_failed_login_is_throttled_but_another_username_is_not(client, world):
    for _ in range(5):
        assert login(client, "tini", "salah-sekali").status_code == 401
    sixth = login(client, "tini", "salah-sekali")
    assert sixth.status_code == 429
    assert 0 < int(sixth.headers["Retry-After"]) <= 60
    assert "Terlalu banyak percobaan" in sixth.get_data(as_text=True)
    # even the right password waits now: the attacker learns nothing from the 6th try
    assert login(client, "tini").status_code == 429
    assert login(client, "budi", "salah-sekali").status_code == 401
    assert login(client, "budi").status_code == 302


def test_successful_logins_do_not_count_towards_the_limit(app, world):
    for _ in range(8):
        c = app.test_client()
        assert login(c, "tini").status_code == 302


def test_login_records_last_login(client, world, db_session):
    login(client, "tini")
    user = db.session.get(User, world.teller.id)
    db.session.refresh(user)
    assert user.last_login_at is not None


def test_root_sends_anonymous_users_to_login(client, world):
    resp = client.get("/")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/login"


def test_thirty_failures_from_one_ip_throttle_every_username(client, world):
    for i in range(30):
        assert login(client, f"tebakan{i}", "salah-sekali").status_code == 401
    resp = login(client, "budi", "salah-sekali")
    assert resp.status_code == 429
    assert 0 < int(resp.headers["Retry-After"]) <= 60


def test_user_without_any_access_lands_on_the_chooser_with_an_explanation(client, world):
    make_user("baru")
    db.session.commit()
    assert login(client, "baru").headers["Location"] == "/choose"
    assert "belum memiliki akses ke koperasi mana pun" in client.get("/choose").get_data(as_text=True)
