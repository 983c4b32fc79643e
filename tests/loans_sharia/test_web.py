"""Sharia financing on the pages (in Indonesian), in the PDFs and through the JSON API: murabahah
wording (pembiayaan, harga pokok, margin, harga jual, ta'widh), the worked example to the rupiah,
and refusals as problem bodies that change nothing."""

from __future__ import annotations

import html as htmllib
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from coopsaas.auth import services as auth
from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant, set_tenant
from coopsaas.extensions import db
from coopsaas.loans import products
from coopsaas.loans.models import Loan, LoanApplication
from coopsaas.members import services as members
from tests.api.conftest import FreshContextClient, bearer
from tests.helpers import login, make_user
from tests.loans_sharia.builders import NIK_BUDI, NOW, at, finance, pay, start_sharia_coop

SLUG = "kopontren-web"
LATE = date(2027, 1, 2)  # instalment 1 (due 19 December) paid with 11 days of ta'widh
PAGES = f"/t/{SLUG}/loans"
API = f"/api/v1/t/{SLUG}/loans"


@pytest.fixture
def desk(app, db_session):
    """The sharia cooperative with Siti (who has a login), a murabahah of the worked example paid
    out to her and a conventional loan to Budi, committed, nothing left in scope."""
    with frozen(NOW):
        coop = start_sharia_coop(SLUG)
        siti = coop.register().member
        budi = coop.register(nik=NIK_BUDI, name="Budi Santoso").member
        login_user = make_user(f"anggota-{SLUG}", tenant=coop.tenant, role="member")
        members.link_user(tenant=coop.tenant, actor=coop.manager, member=siti, user=login_user)
        murabahah = finance(coop, siti)
        loan = finance(coop, budi, amount="11000000", term=12, code="PINJ-UMUM")
        found = products.ensure_products(coop.tenant)
        ids = {
            "siti": str(siti.id),
            "murabahah": str(murabahah.id),
            "conventional": str(loan.id),
            "mrb": str(found["MRB"].id),
            "qrd": str(found["QRD"].id),
        }
        tokens = {
            name: bearer(auth.create_token(user=user, tenant=coop.tenant, name="api")[1])
            for name, user in (("teller", coop.teller), ("manager", coop.manager))
        }
        db_session.commit()
        clear_tenant(db_session)
        yield coop, ids, tokens


def client_for(app, username, lang="id"):
    client = app.test_client()
    assert login(client, username).status_code == 302
    client.get(f"/lang/{lang}")
    return client


def text_of(resp):
    return htmllib.unescape(resp.get_data(as_text=True))


def pdf_text(data):
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def count(coop, model):
    set_tenant(db.session, coop.tenant.id)
    try:
        return db.session.scalar(select(func.count()).select_from(model))
    finally:
        db.session.rollback()
        clear_tenant(db.session)


def test_the_financing_page_and_its_pdf_speak_of_pembiayaan_and_margin(app, desk):
    _coop, ids, _tokens = desk
    teller = client_for(app, f"kasir-{SLUG}")
    with frozen(NOW):
        page = text_of(teller.get(f"{PAGES}/{ids['murabahah']}"))
    for part in (
        "Pembiayaan PJ-000001",
        "Akad",
        "Murabahah, margin 15 %",
        "Harga pokok",
        "Rp 7.400.000",
        "Margin (tetap sejak akad)",
        "Rp 1.110.000",
        "Harga jual",
        "Rp 8.510.000",
        "Biaya administrasi (ujrah)",
        "Sisa pembiayaan (sisa harga pokok)",
        "Bagian pokok",
        "Sisa harga pokok",
        "Rp 709.167",
        "Rp 709.163",
        "Rp 92.500",
    ):
        assert part in page, part
    assert "Total jasa" not in page and "Jasa" not in re.sub(r"<[^>]+>", " ", page).split()
    with frozen(NOW):
        pdf = pdf_text(teller.get(f"{PAGES}/{ids['murabahah']}/schedule.pdf").data)
    for part in (
        "JADWAL ANGSURAN PEMBIAYAAN",
        "Murabahah, margin 15 % per tahun (tetap sejak akad)",
        "Harga pokok : Rp 7.400.000",
        "Margin : Rp 1.110.000",
        "Harga jual : Rp 8.510.000",
        "709.163",
    ):
        assert part in pdf, part
    assert "Bunga" not in pdf


def test_a_conventional_loan_keeps_its_wording(app, desk):
    _coop, ids, _tokens = desk
    teller = client_for(app, f"kasir-{SLUG}")
    with frozen(NOW):
        page = text_of(teller.get(f"{PAGES}/{ids['conventional']}"))
        pdf = pdf_text(teller.get(f"{PAGES}/{ids['conventional']}/schedule.pdf").data)
    assert "Pinjaman PJ-000002" in page and "Sisa pokok" in page and "Pembiayaan" not in page
    assert "JADWAL ANGSURAN PINJAMAN" in pdf and "Bunga" in pdf


def test_the_repayment_page_receipt_and_statement_name_the_margin_and_tawidh(app, desk):
    coop, ids, _tokens = desk
    set_tenant(db.session, coop.tenant.id)
    try:
        loan = db.session.scalars(select(Loan).where(Loan.loan_no == "PJ-000001")).one()
        with frozen(at(LATE)):
            txn = pay(coop, loan, "716968")  # instalment 1 with 11 days of ta'widh
        db.session.commit()
        txn_id = str(txn.id)
    finally:
        clear_tenant(db.session)
    teller = client_for(app, f"kasir-{SLUG}")
    with frozen(at(LATE)):
        page = text_of(teller.get(f"{PAGES}/{ids['murabahah']}/repay"))
        receipt = pdf_text(teller.get(f"{PAGES}/{ids['murabahah']}/receipts/{txn_id}.pdf").data)
        statement = pdf_text(teller.get(f"{PAGES}/{ids['murabahah']}/statement.pdf").data)
    for part in (
        "Ta'widh/denda (dana kebajikan) dibayar lebih dulu, lalu margin, lalu pokok",
        "Margin Rp 92.500",
        "Ta'widh/denda (dana kebajikan) Rp 7.801",
        "Laporan mutasi pembiayaan (PDF)",
        "Pembiayaan dan jadwal angsuran",
        "Lunasi pembiayaan lebih awal (pelunasan)",
    ):
        assert part in page, part
    for part in (
        "KUITANSI ANGSURAN PEMBIAYAAN",
        "Margin : Rp 92.500",
        "Ta'widh/denda : Rp 7.801",
        "dana kebajikan",
    ):
        assert part in receipt, part
    assert "REKENING KORAN PEMBIAYAAN" in statement and "Sisa harga pokok" in statement


def test_the_member_sees_the_financing_in_indonesian(app, desk):
    _coop, ids, _tokens = desk
    member = client_for(app, f"anggota-{SLUG}")
    with frozen(NOW):
        page = text_of(member.get(f"/t/{SLUG}/me/loans/{ids['murabahah']}"))
    for part in ("Pembiayaan PJ-000001", "Harga pokok", "Harga jual", "Rp 8.510.000", "Rp 709.163"):
        assert part in page, part


def test_the_teller_previews_a_murabahah_before_saving(app, desk):
    coop, ids, _tokens = desk
    teller = client_for(app, f"kasir-{SLUG}")
    page = teller.get(f"{PAGES}/applications/new")
    hidden = dict(
        re.findall(
            r'name="(csrf_token|submit_key)" type="hidden" value="([^"]+)"', page.get_data(as_text=True)
        )
    )
    data = {
        **hidden,
        "member_no": "A-000001",
        "product_id": ids["mrb"],
        "amount": "7.400.000",
        "term_months": "12",
        "purpose": "Mesin jahit",
        "action": "preview",
    }
    with frozen(NOW):
        resp = teller.post(f"{PAGES}/applications/new", data=data)
    html = text_of(resp)
    assert resp.status_code == 200
    for part in ("Harga pokok", "Rp 1.110.000", "Rp 8.510.000", "Rp 709.167", "Rp 709.163", "Rp 7.390.000"):
        assert part in html, part
    with frozen(NOW):
        wrong = teller.post(f"{PAGES}/applications/new", data={**data, "amount": "16.000.000"})
    assert wrong.status_code == 422 and "Rp 15.000.000" in text_of(wrong)
    assert count(coop, LoanApplication) == 2  # the two of the fixture only


def test_the_api_quotes_books_and_reads_a_murabahah(app, desk):
    _coop, ids, tokens = desk
    api = FreshContextClient(app, app.response_class, use_cookies=True)
    query = {"member_id": ids["siti"], "product_id": ids["mrb"], "amount": "7400000", "term_months": 12}
    with frozen(NOW):
        quote = api.get(f"{API}/quote", headers=tokens["teller"], query_string=query)
    body = quote.get_json()
    assert quote.status_code == 200
    assert (body["margin"], body["selling_price"], body["regular_instalment"], body["net_disbursed"]) == (
        "1110000.00",
        "8510000.00",
        "709167.00",
        "7390000.00",
    )
    assert (
        body["instalments"][-1]["total"] == "709163.00" and body["instalments"][0]["interest"] == "92500.00"
    )
    application = {
        "member_id": ids["siti"],
        "product_id": ids["qrd"],
        "amount": "1200000.00",
        "term_months": 6,
        "purpose": "Biaya mondok",
    }
    with frozen(NOW):
        made = api.post(f"{API}/applications", json=application, headers=tokens["teller"]).get_json()
        url = f"{API}/applications/{made['id']}"
        assert api.post(url + "/approve", json={}, headers=tokens["manager"]).status_code == 200
        paid = api.post(url + "/disburse", json={"channel": "cash"}, headers=tokens["teller"])
    loan = paid.get_json()
    assert paid.status_code == 201
    assert (loan["is_sharia"], loan["margin"], loan["outstanding_principal"], loan["net_disbursed"]) == (
        True,
        "0.00",
        "1200000.00",
        "1195000.00",
    )
    with frozen(NOW):
        read = api.get(f"{API}/{ids['murabahah']}", headers=tokens["teller"]).get_json()
    assert (read["method"], read["margin"], read["outstanding_principal"], read["is_sharia"]) == (
        "MURABAHAH",
        "1110000.00",
        "7400000.00",
        True,
    )


def test_the_api_refuses_bad_financing_input_with_problem_bodies(app, desk):
    coop, ids, tokens = desk
    api = FreshContextClient(app, app.response_class, use_cookies=True)
    base = {"member_id": ids["siti"], "product_id": ids["mrb"], "term_months": 12, "purpose": "Mesin jahit"}
    with frozen(NOW):
        sen = api.post(
            f"{API}/applications", json={**base, "amount": "7400000.125"}, headers=tokens["teller"]
        )
        outside = api.post(
            f"{API}/applications", json={**base, "amount": "400000.00"}, headers=tokens["teller"]
        )
        rate = api.patch(f"{API}/products/{ids['qrd']}", json={"rate": "5"}, headers=tokens["manager"])
    assert sen.status_code == 422
    assert outside.status_code == 422 and "Rp 500.000" in str(outside.get_json())
    assert rate.status_code == 422 and "rate" in str(rate.get_json())
    assert count(coop, LoanApplication) == 2


def test_a_cooperative_with_a_sharia_unit_calls_the_section_pembiayaan(app, desk):
    coop, _ids, _tokens = desk
    teller = client_for(app, f"kasir-{SLUG}")
    member = client_for(app, f"anggota-{SLUG}")
    with frozen(NOW):
        before = text_of(teller.get(f"{PAGES}/"))
    assert "<h1>Pinjaman</h1>" in before and "Produk pinjaman" in before  # a conventional chart
    set_tenant(db.session, coop.tenant.id)
    db.session.get(type(coop.tenant), coop.tenant.id).chart_template = "koppontren_syariah"
    db.session.commit()
    clear_tenant(db.session)
    with frozen(NOW):
        book = text_of(teller.get(f"{PAGES}/"))
        products_page = text_of(teller.get(f"{PAGES}/products"))
        mine = text_of(member.get(f"/t/{SLUG}/me/loans/"))
        home = text_of(member.get(f"/t/{SLUG}/me"))
    assert "<h1>Pembiayaan</h1>" in book and "Produk pembiayaan" in book
    menu = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', book)
    assert (f"{PAGES}/", "Pembiayaan") in menu and not any(label == "Pinjaman" for _href, label in menu)
    assert "<h1>Produk pembiayaan</h1>" in products_page
    assert "<h1>Pembiayaan Saya</h1>" in mine and "Pinjaman Saya" not in mine
    assert "Sisa pembiayaan (sisa harga pokok) <strong>Rp 7.400.000</strong>" in mine
    assert "Pembiayaan Saya" in home


def test_the_rescheduling_page_refuses_a_murabahah_and_reschedules_a_qardh(app, desk):
    coop, ids, _tokens = desk
    set_tenant(db.session, coop.tenant.id)
    try:
        member = db.session.scalars(select(Loan).where(Loan.loan_no == "PJ-000001")).one().member
        with frozen(NOW):
            qardh = finance(coop, member, amount="1200000", term=6, code="QRD")
        db.session.commit()
        qardh_id, qardh_no = str(qardh.id), qardh.loan_no
    finally:
        clear_tenant(db.session)
    manager = client_for(app, f"ketua-{SLUG}")
    with frozen(NOW):
        loan_page = text_of(manager.get(f"{PAGES}/{ids['murabahah']}"))
        refused = text_of(manager.get(f"{PAGES}/{ids['murabahah']}/reschedule"))
        form = manager.get(f"{PAGES}/{qardh_id}/reschedule").get_data(as_text=True)
    assert "Restrukturisasi</a>" not in loan_page
    assert "Margin murabahah tidak dapat dijadwal ulang" in refused and 'name="term_months"' not in refused
    assert '<option selected value="QARDH">' in form or 'value="QARDH" selected' in form
    fields = dict(re.findall(r'name="(csrf_token|submit_key)" type="hidden" value="([^"]+)"', form))
    with frozen(NOW):
        sent = manager.post(
            f"{PAGES}/{qardh_id}/reschedule",
            data={
                **fields,
                "term_months": "8",
                "rate": "0",
                "rate_basis": "rate_pa",
                "method": "QARDH",
                "reason": "Orang tua sakit",
            },
        )
    assert sent.status_code == 302, text_of(sent)[:2000]
    set_tenant(db.session, coop.tenant.id)
    try:
        loan = db.session.scalars(select(Loan).where(Loan.loan_no == qardh_no)).one()
        assert (loan.method, loan.term_months, loan.outstanding_principal) == (
            "QARDH",
            8,
            Decimal("1200000.00"),
        )
    finally:
        db.session.rollback()
        clear_tenant(db.session)
