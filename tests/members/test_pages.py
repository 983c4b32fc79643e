"""Teller pages: register, search, member page, deposit and withdrawal forms, receipt.

The member role sees none of them."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant, set_tenant
from coopsaas.extensions import db
from coopsaas.members import services as members
from coopsaas.members.models import Member
from coopsaas.savings import services as savings
from coopsaas.savings.models import SavingsAccount, SavingsTransaction
from tests.helpers import csrf_token, login, make_user
from tests.savings_services.builders import NIK_BUDI, NOW, rp, start_coop


@pytest.fixture
def shop(app, db_session):
    """The savings cooperative with Siti registered, committed, and nothing left in scope."""
    with frozen(NOW):
        coop = start_coop("ksp-loket")
        admission = coop.register()
        ids = {
            "member": admission.member.id,
            "sukarela": coop.account(admission, "sukarela").id,
            "pokok_txn": admission.pokok.id,
        }
        siti_login = make_user("anggota-siti", tenant=coop.tenant, role="member")
        members.link_user(tenant=coop.tenant, actor=coop.manager, member=admission.member, user=siti_login)
        budi = coop.register(nik=NIK_BUDI, name="Budi Santoso")
        ids["budi_sukarela"] = coop.account(budi, "sukarela").id
        savings.deposit(
            tenant=coop.tenant, actor=coop.teller, account=coop.account(budi, "sukarela"), amount="777000"
        )
        db_session.commit()
        clear_tenant(db_session)
        yield coop, ids


@pytest.fixture
def teller(app, shop):
    client = app.test_client()
    assert login(client, "kasir-ksp-loket").status_code == 302
    client.get("/lang/en")
    return client


def in_scope(coop, fn):
    set_tenant(db.session, coop.tenant.id)
    try:
        return fn()
    finally:
        db.session.rollback()
        clear_tenant(db.session)


def balance_of(coop, account_id):
    return in_scope(
        coop,
        lambda: db.session.scalars(
            select(SavingsAccount.balance).where(SavingsAccount.id == account_id)
        ).one(),
    )


def txn_count(coop):
    return in_scope(coop, lambda: db.session.scalar(select(func.count()).select_from(SavingsTransaction)))


def form_fields(html):
    return dict(re.findall(r'name="(csrf_token|submit_key)" type="hidden" value="([^"]+)"', html))


def test_teller_registers_a_member_and_lands_on_the_pokok_receipt_page(teller, shop):
    coop, _ = shop
    token = csrf_token(teller, "/t/ksp-loket/members/new")
    resp = teller.post(
        "/t/ksp-loket/members/new",
        data={
            "csrf_token": token,
            "nik": "3578016204000003",
            "name": "Rina Wati",
            "sex": "P",
            "birth_date": "2000-04-22",
            "type": "anggota",
            "channel": "cash",
        },
    )
    assert resp.status_code == 302
    page = teller.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Rina Wati" in page and "Rp 250.000,00" in page
    number = in_scope(
        coop,
        lambda: db.session.scalars(select(Member.member_no).where(Member.nik == "3578016204000003")).one(),
    )
    assert number == "A-000003"


def test_registering_a_duplicate_nik_shows_the_error_on_the_form(teller, shop):
    token = csrf_token(teller, "/t/ksp-loket/members/new")
    resp = teller.post(
        "/t/ksp-loket/members/new",
        data={
            "csrf_token": token,
            "nik": "3578014508900001",
            "name": "Siti Kedua",
            "type": "anggota",
            "channel": "cash",
        },
    )
    assert resp.status_code == 409
    assert "A member with this NIK is already registered." in resp.get_data(as_text=True)


def test_search_finds_by_name_and_the_member_page_shows_every_balance(teller, shop):
    _coop, ids = shop
    html = teller.get("/t/ksp-loket/members/?q=amin").get_data(as_text=True)
    assert "Siti Aminah" in html and "A-000001" in html
    html = teller.get(f"/t/ksp-loket/members/{ids['member']}").get_data(as_text=True)
    for text in (
        "POKOK-000001",
        "WAJIB-000001",
        "SIRELA-000001",
        "Rp 250.000,00",
        "3578014508900001",
        "Simpanan wajib paid up to date.",
    ):
        assert text in html


def test_double_submitted_deposit_posts_once_and_prints_a_receipt(teller, shop):
    coop, ids = shop
    url = f"/t/ksp-loket/savings/accounts/{ids['sukarela']}/deposit"
    fields = form_fields(teller.get(url).get_data(as_text=True))
    data = {**fields, "amount": "1.250.000", "channel": "cash", "entry_on": "", "memo": ""}
    with frozen(NOW):
        first = teller.post(url, data=data)
        second = teller.post(url, data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert balance_of(coop, ids["sukarela"]) == rp(1250000)
    assert txn_count(coop) == 4  # two pokok admissions, Budi's deposit and this one
    receipt = teller.get(first.headers["Location"] + "/receipt.pdf")
    assert receipt.headers["Content-Type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(receipt.data)).pages[0].extract_text().split())
    assert "BUKTI SETORAN" in text and "Siti Aminah" in text and "1.250.000" in text
    assert "satu juta dua ratus lima puluh ribu rupiah" in text


def test_withdrawing_more_than_available_shows_the_limit_and_writes_nothing(teller, shop):
    coop, ids = shop
    url = f"/t/ksp-loket/savings/accounts/{ids['sukarela']}/withdraw"
    fields = form_fields(teller.get(url).get_data(as_text=True))
    before = txn_count(coop)
    resp = teller.post(url, data={**fields, "amount": "10.000", "channel": "cash"})
    assert resp.status_code == 409
    assert "Only Rp 0 can be withdrawn" in resp.get_data(as_text=True)
    assert txn_count(coop) == before


def test_an_amount_with_three_decimals_is_a_form_error(teller, shop):
    _coop, ids = shop
    url = f"/t/ksp-loket/savings/accounts/{ids['sukarela']}/deposit"
    fields = form_fields(teller.get(url).get_data(as_text=True))
    resp = teller.post(url, data={**fields, "amount": "1000,505", "channel": "cash"})
    assert resp.status_code == 422
    assert "at most 2 decimals" in resp.get_data(as_text=True)


def test_the_member_role_sees_no_member_or_savings_page(app, shop):
    _coop, ids = shop
    client = app.test_client()
    assert login(client, "anggota-siti").status_code == 302
    for path in (
        "/t/ksp-loket/members/",
        f"/t/ksp-loket/members/{ids['member']}",
        f"/t/ksp-loket/savings/accounts/{ids['sukarela']}",
        "/t/ksp-loket/savings/",
        f"/t/ksp-loket/savings/transactions/{ids['pokok_txn']}/receipt.pdf",
    ):
        resp = client.get(path)
        assert resp.status_code == 403, path
        assert "Siti Aminah" not in resp.get_data(as_text=True)


def test_a_member_sees_their_own_savings_and_nothing_of_another_member(app, shop):
    _coop, ids = shop
    client = app.test_client()
    assert login(client, "anggota-siti").status_code == 302
    html = client.get("/t/ksp-loket/me/savings").get_data(as_text=True)
    assert "Siti Aminah" in html and "Rp 250.000,00" in html
    assert "Budi" not in html and "777.000" not in html
    own = client.get(f"/t/ksp-loket/me/savings/{ids['sukarela']}")
    assert own.status_code == 200
    other = client.get(f"/t/ksp-loket/me/savings/{ids['budi_sukarela']}")
    assert other.status_code == 404
    assert "777.000" not in other.get_data(as_text=True)


def test_staff_have_no_member_savings_page(teller, shop):
    _coop, ids = shop
    assert teller.get("/t/ksp-loket/me/savings").headers["Location"] == "/t/ksp-loket/"
    assert teller.get(f"/t/ksp-loket/me/savings/{ids['sukarela']}").status_code == 404
