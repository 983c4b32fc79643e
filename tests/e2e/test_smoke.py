"""Smoke test in a real browser: a teller logs in on a phone-sized screen and sees the home page."""

from __future__ import annotations

import pytest

from coopsaas.extensions import db
from tests.helpers import PASSWORD, make_tenant, make_user

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def teller(live_app):
    with live_app.app_context():
        tenant = make_tenant("kop-melati", name="Koperasi Melati Sejahtera")
        tenant.city = "Kota Bogor"
        make_user("kasir", tenant=tenant, role="teller")
        db.session.commit()
    return "kasir"


def test_teller_logs_in_and_sees_the_cooperative_home_in_indonesian(page, live_server, teller, results_dir):
    console_errors: list[str] = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)

    page.goto(live_server + "/")
    assert page.url == live_server + "/login"
    assert page.locator("h1").inner_text() == "Masuk"
    page.screenshot(path=str(results_dir / "login-360.png"), full_page=True)
    page.get_by_label("Nama pengguna atau email").fill("kasir")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    button = page.get_by_role("button", name="Masuk")
    assert button.bounding_box()["height"] >= 44  # a thumb can hit it
    button.click()

    page.wait_for_url(live_server + "/t/kop-melati/")
    assert page.locator("h1").inner_text() == "Koperasi Melati Sejahtera"
    assert page.locator(".brand").inner_text() == "Koperasi Melati Sejahtera"
    facts = page.locator(".facts").inner_text()
    assert "Koperasi Simpan Pinjam (KSP)" in facts
    assert "Kasir" in facts

    page.get_by_text("Menu", exact=True).click()
    nav = page.get_by_role("navigation", name="Navigasi utama")
    assert nav.get_by_role("link", name="Beranda").is_visible()
    assert nav.get_by_role("link", name="Token API").is_visible()
    assert nav.get_by_role("link", name="Pengguna").count() == 0  # tellers do not manage users
    assert nav.get_by_role("button", name="Keluar").is_visible()

    # Nothing overflows sideways on a 360px phone, and the stylesheet loaded under the CSP.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).backgroundColor") \
        == "rgb(11, 107, 79)"
    page.screenshot(path=str(results_dir / "home-360.png"), full_page=True)
    assert console_errors == []

    nav.get_by_role("button", name="Keluar").click()
    page.wait_for_url(live_server + "/login")
