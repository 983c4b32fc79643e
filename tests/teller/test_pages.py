"""Cash day and product settings pages: forms, errors on the page, the list, reopen and the PDF."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from coopsaas.core.db import clear_tenant, set_tenant
from coopsaas.extensions import db
from coopsaas.savings import teller as till
from coopsaas.savings.models import SavingsProduct
from coopsaas.savings.models_teller import TellerSession
from tests.helpers import login
from tests.savings_services.builders import TODAY, start_coop

BASE = "/t/ksp-uji"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def client_for(app, coop, user):
    user.locale = "en"
    db.session.commit()
    client = app.test_client()
    assert login(client, user.username).status_code == 302
    set_tenant(db.session, coop.tenant.id)
    return client


def post_form(client, coop, page_url, url, data):
    html = client.get(page_url).get_data(as_text=True)
    resp = client.post(url, data={"csrf_token": csrf_of(html), **data})
    set_tenant(db.session, coop.tenant.id)
    return resp


def deposit_page(client, coop, account, amount, **extra):
    url = f"{BASE}/savings/accounts/{account.id}/deposit"
    html = client.get(url).get_data(as_text=True)
    key = re.search(r'name="submit_key"[^>]*value="([^"]+)"', html).group(1)
    resp = client.post(
        url,
        data={"csrf_token": csrf_of(html), "submit_key": key, "amount": amount, "channel": "cash", **extra},
    )
    set_tenant(db.session, coop.tenant.id)
    return resp


def test_teller_opens_and_closes_the_day_on_the_page_and_prints_it(app, coop):
    siti = coop.account(coop.siti, "sukarela")
    teller = client_for(app, coop, coop.teller)
    page = teller.get(f"{BASE}/till/").get_data(as_text=True)
    assert "Open the cash day" in page
    bad = post_form(teller, coop, f"{BASE}/till/", f"{BASE}/till/open", {"opening_float": "satu juta"})
    assert bad.status_code == 422
    assert "Enter an amount in rupiah" in bad.get_data(as_text=True)
    ok = post_form(teller, coop, f"{BASE}/till/", f"{BASE}/till/open", {"opening_float": "1.000.000"})
    assert ok.status_code == 302
    assert deposit_page(teller, coop, siti, "250.000").status_code == 302
    page = teller.get(f"{BASE}/till/").get_data(as_text=True)
    assert "Rp 1.250.000,00" in page  # expected cash in the drawer

    short = post_form(teller, coop, f"{BASE}/till/", f"{BASE}/till/close", {"d100000": "12", "d20000": "2"})
    assert short.status_code == 422
    assert "differs from the expected cash by Rp 10.000: give the reason." in short.get_data(as_text=True)
    closed = post_form(
        teller,
        coop,
        f"{BASE}/till/",
        f"{BASE}/till/close",
        {"d100000": "12", "d20000": "2", "reason": "Uang sobek ditolak"},
    )
    assert closed.status_code == 302
    session = db.session.scalars(select(TellerSession)).one()
    assert session.status == "closed"
    assert session.difference == -10000

    refused = deposit_page(teller, coop, siti, "5.000")
    assert refused.status_code == 409
    assert "is closed: no more cash can be posted" in refused.get_data(as_text=True)

    pdf = teller.get(f"{BASE}/till/days/{session.id}/close.pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "TUTUP KAS HARIAN" in text
    assert "Saldo kas seharusnya" in text and "Rp 1.250.000" in text
    assert "Uang dihitung" in text and "Rp 1.240.000" in text
    assert "Kurang Rp 10.000" in text
    assert "Uang sobek ditolak" in text


def test_manager_lists_filters_and_reopens_days(app, coop):
    teller = client_for(app, coop, coop.teller)
    post_form(teller, coop, f"{BASE}/till/", f"{BASE}/till/open", {"opening_float": "500.000"})
    post_form(teller, coop, f"{BASE}/till/", f"{BASE}/till/close", {"counted": "500.000"})
    other = client_for(app, coop, coop.teller2)
    post_form(other, coop, f"{BASE}/till/", f"{BASE}/till/open", {"opening_float": "0"})
    mine = db.session.scalars(select(TellerSession).where(TellerSession.teller_id == coop.teller.id)).one()
    theirs = db.session.scalars(select(TellerSession).where(TellerSession.teller_id == coop.teller2.id)).one()
    mine_id, theirs_id = mine.id, theirs.id

    # A teller sees only their own days, and someone else's day is not there at all.
    own = teller.get(f"{BASE}/till/days").get_data(as_text=True)
    assert own.count("/till/days/") == 1
    assert teller.get(f"{BASE}/till/days/{theirs_id}").status_code == 404
    set_tenant(db.session, coop.tenant.id)

    manager = client_for(app, coop, coop.manager)
    listing = manager.get(f"{BASE}/till/days").get_data(as_text=True)
    assert f"/till/days/{mine_id}" in listing and f"/till/days/{theirs_id}" in listing
    only_closed = manager.get(f"{BASE}/till/days?status=closed").get_data(as_text=True)
    assert f"/till/days/{mine_id}" in only_closed and f"/till/days/{theirs_id}" not in only_closed
    by_teller = manager.get(f"{BASE}/till/days?teller={coop.teller2.id}").get_data(as_text=True)
    assert f"/till/days/{theirs_id}" in by_teller and f"/till/days/{mine_id}" not in by_teller
    csv_text = manager.get(f"{BASE}/till/days.csv?status=closed").get_data(as_text=True)
    lines = csv_text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Tanggal,Kasir,Status,Saldo awal")
    assert lines[1:] == ["2026-11-19,Kasir-Ksp-Uji,ditutup,500000.00,0.00,0.00,500000.00,500000.00,0.00,"]
    bad_date = manager.get(f"{BASE}/till/days?start=kemarin")
    assert bad_date.status_code == 200 and "is not a date" in bad_date.get_data(as_text=True)
    set_tenant(db.session, coop.tenant.id)

    auditor = client_for(app, coop, coop.auditor)
    assert auditor.get(f"{BASE}/till/days/{mine_id}").status_code == 200
    detail = auditor.get(f"{BASE}/till/days/{mine_id}").get_data(as_text=True)
    assert "Reopen this cash day" not in detail
    set_tenant(db.session, coop.tenant.id)
    url = f"{BASE}/till/days/{mine_id}"
    assert post_form(auditor, coop, url, f"{url}/reopen", {"reason": "x"}).status_code == 403
    assert post_form(manager, coop, url, f"{url}/reopen", {"reason": ""}).status_code == 422
    assert post_form(manager, coop, url, f"{url}/reopen", {"reason": "Salah hitung"}).status_code == 302
    assert db.session.scalars(select(TellerSession).where(TellerSession.id == mine_id)).one().status == "open"


def test_deposit_page_refuses_a_date_beyond_the_backdating_limit(app, coop):
    teller = client_for(app, coop, coop.teller)
    resp = deposit_page(teller, coop, coop.account(coop.siti, "sukarela"), "10.000", entry_on="2026-11-01")
    assert resp.status_code == 422
    assert "at most 7 days before today, so from 2026-11-12" in resp.get_data(as_text=True)


def test_manager_edits_a_product_on_the_page(app, coop):
    teller = client_for(app, coop, coop.teller)
    assert teller.get(f"{BASE}/savings/products/").status_code == 200
    assert teller.get(f"{BASE}/savings/products/SIRELA/edit").status_code == 403
    manager = client_for(app, coop, coop.manager)
    listing = manager.get(f"{BASE}/savings/products/").get_data(as_text=True)
    assert "Simpanan Sukarela (Sirela)" in listing and "Rp 25.000" in listing
    url = f"{BASE}/savings/products/SIRELA/edit"
    form = {
        "name": "Simpanan Sukarela (Sirela)",
        "rate_pa": "3,75",
        "interest_method": "AVERAGE_BALANCE",
        "day_count": "ACT_365",
        "min_opening": "50.000",
        "min_balance": "30.000",
        "min_balance_for_interest": "100.000",
        "admin_fee": "2.500",
        "is_active": "y",
    }
    bad = post_form(manager, coop, url, url, dict(form, rate_pa="150"))
    assert bad.status_code == 422
    assert "A rate is a percentage from 0 to 100" in bad.get_data(as_text=True)
    assert post_form(manager, coop, url, url, form).status_code == 302
    sirela = db.session.scalars(select(SavingsProduct).where(SavingsProduct.code == "SIRELA")).one()
    assert sirela.parameters["rate_pa"] == "3.75"
    assert sirela.parameters["min_balance"] == "30000.00"
    assert sirela.parameters["admin_fee"] == "2500.00"
    assert sirela.parameters["interest_method"] == "AVERAGE_BALANCE"
    depo_url = f"{BASE}/savings/products/DEPO/edit"
    depo_page = manager.get(depo_url).get_data(as_text=True)
    assert "3=6, 6=6.5" in depo_page


def test_another_cooperatives_manager_gets_404_for_our_days(app, coop):
    teller = client_for(app, coop, coop.teller)
    post_form(teller, coop, f"{BASE}/till/", f"{BASE}/till/open", {"opening_float": "0"})
    session_id = db.session.scalars(select(TellerSession.id)).one()
    db.session.commit()
    clear_tenant(db.session)
    other = start_coop("ksp-lain")
    outsider = client_for(app, other, other.manager)
    for url in (
        f"{BASE}/till/days/{session_id}",
        f"{BASE}/till/days/{session_id}/close.pdf",
        f"/t/ksp-lain/till/days/{session_id}",
        f"/t/ksp-lain/till/days/{session_id}/close.pdf",
        f"{BASE}/savings/products/SIRELA/edit",
    ):
        assert outsider.get(url).status_code == 404, url


def test_a_day_left_open_is_closed_later_from_its_page(app, coop):
    yesterday = till.open_day(
        tenant=coop.tenant, actor=coop.teller, opening_float="300000", on=TODAY - timedelta(days=1)
    )
    day_id = yesterday.id
    teller = client_for(app, coop, coop.teller)
    url = f"{BASE}/till/days/{day_id}"
    assert "Close this cash day" in teller.get(url).get_data(as_text=True)
    set_tenant(db.session, coop.tenant.id)
    wrong = post_form(teller, coop, url, f"{url}/close", {"counted": "250.000"})
    assert wrong.status_code == 422
    assert "differs from the expected cash by Rp 50.000" in wrong.get_data(as_text=True)
    ok = post_form(teller, coop, url, f"{url}/close", {"counted": "250.000", "reason": "Dipinjam kas kecil"})
    assert ok.status_code == 302
    day = db.session.scalars(select(TellerSession).where(TellerSession.id == day_id)).one()
    assert (day.status, day.difference) == ("closed", -50000)
    other = client_for(app, coop, coop.teller2)
    assert post_form(other, coop, f"{BASE}/till/", f"{url}/close", {"counted": "0"}).status_code == 404
