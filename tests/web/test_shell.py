"""The layout: navigation by role, security headers, no inline code, filters."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers import csrf_token, login
from tests.web.conftest import grant

ROOT = Path(__file__).resolve().parents[2]


def _nav(html: str) -> list[str]:
    nav = re.search(r'<nav aria-label="[^"]*">\s*<ul class="nav">(.*?)</ul>', html, re.S).group(1)
    return [re.sub(r"\s+", " ", label).strip() for label in re.findall(r">([^<]+)</a>", nav)]


def test_manager_menu_has_users_and_tokens(manager_client, world):
    nav = _nav(manager_client.get("/t/kop-a/").get_data(as_text=True))
    assert nav[0] == "Beranda"
    assert nav[-3:] == ["Pengguna", "Token API", "Ganti Kata Sandi"]


def test_teller_menu_has_no_users_page(client, world):
    login(client, "tini")
    nav = _nav(client.get("/t/kop-a/").get_data(as_text=True))
    assert nav[0] == "Beranda"
    assert nav[-2:] == ["Token API", "Ganti Kata Sandi"]
    assert "Pengguna" not in nav
    assert "Buku Besar" not in nav  # ledger pages need ledger.view, which a teller lacks


def test_member_menu_has_their_own_page_only(client, world):
    login(client, "ahmad")
    nav = _nav(client.get("/t/kop-a/me").get_data(as_text=True))
    assert nav[:2] == ["Beranda", "Akun Saya"]
    assert nav[-1] == "Ganti Kata Sandi"
    for staff_page in ("Pengguna", "Token API", "Anggota", "Buku Besar", "Kasir Toko", "Toko"):
        assert staff_page not in nav


def test_switcher_lists_the_other_cooperative(client, world, db_session):
    grant(world.teller, world.b, "teller", db_session)
    login(client, "tini")
    page = client.get("/t/kop-a/").get_data(as_text=True)
    switcher = re.search(r'class="switcher">(.*?)</div>', page, re.S).group(1)
    assert "Koperasi Makmur Jaya" in switcher
    assert "/t/kop-b/" in switcher
    assert "Koperasi Sejahtera Bersama" not in switcher


def test_security_headers_on_pages(client, world):
    resp = client.get("/login")
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_session_cookie_is_httponly_and_samesite(client, world):
    resp = login(client, "tini")
    cookie = next(v for v in resp.headers.getlist("Set-Cookie") if v.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_templates_need_no_inline_script_or_style():
    """The CSP forbids inline code, so any template that needs it would break in the browser."""
    offenders = []
    for path in (ROOT / "coopsaas").glob("**/templates/**/*.html"):
        text = path.read_text()
        inline_script = re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)
        if inline_script or re.search(r"<style|\sstyle=|\son[a-z]+=", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_stylesheet_is_served_from_this_site(client, world):
    page = client.get("/login").get_data(as_text=True)
    href = re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)
    assert href.startswith("/static/")
    resp = client.get(href)
    assert resp.status_code == 200
    assert b"--tap: 44px" in resp.data
    resp.close()


def test_error_page_uses_the_layout(client, world):
    login(client, "tini")
    resp = client.get("/t/kop-a/tidak-ada-halaman-ini")
    assert resp.status_code == 404
    body = resp.get_data(as_text=True)
    assert "Halaman atau data tidak ditemukan." in body
    assert 'class="topbar"' in body


def test_unknown_cooperative_is_404_without_login_too(client, world):
    assert client.get("/t/tidak-ada/").status_code == 302  # login first, existence never leaks
    login(client, "tini")
    assert client.get("/t/tidak-ada/").status_code == 404


def test_rupiah_and_tanggal_filters(app):
    with app.test_request_context("/"):
        env = app.jinja_env
        assert env.from_string("{{ x|rupiah }}").render(x=Decimal("1250000.00")) == "Rp 1.250.000"
        assert env.from_string("{{ x|rupiah(sen=True) }}").render(x=Decimal("1250000.50")) \
            == "Rp 1.250.000,50"
        assert env.from_string("{{ d|tanggal }}").render(d=date(2026, 8, 17)) == "17/08/2026"
        assert env.from_string("{{ d|tanggal('long') }}").render(d=date(2026, 8, 17)) == "17 Agustus 2026"
        # 18:30 UTC is already the next day in Jakarta
        assert env.from_string("{{ t|tanggal }}").render(t=datetime(2026, 8, 16, 18, 30, tzinfo=UTC)) \
            == "17/08/2026 01.30"


@pytest.mark.parametrize("path", ["/lang/fr", "/lang/xx"])
def test_unknown_language_is_404(client, path):
    assert client.get(path).status_code == 404


def test_language_switch_only_redirects_within_the_site(client):
    resp = client.get("/lang/en?next=https://evil.example/")
    assert resp.headers["Location"] == "/"
    resp = client.get("/lang/en?next=/login")
    assert resp.headers["Location"] == "/login"


def test_csrf_token_is_in_every_form(manager_client, world):
    pages = ("/t/kop-a/users/new", "/t/kop-a/tokens", "/account/password",
             f"/t/kop-a/users/{world.teller.id}")
    for path in pages:
        html = manager_client.get(path).get_data(as_text=True)
        forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", html, re.S)
        assert forms, path
        for form in forms:
            assert 'name="csrf_token"' in form, (path, form[:80])
    assert csrf_token(manager_client, "/t/kop-a/users/new")
