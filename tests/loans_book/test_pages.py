"""Loan pages: the teller's application with its schedule preview and PDF, the manager's decision,
disbursement, the loan page, products, and the member's own loans on the phone pages."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant, set_tenant
from coopsaas.extensions import db
from coopsaas.loans import applications as apps
from coopsaas.loans import disbursement, products
from coopsaas.loans.models import Loan, LoanApplication, LoanProduct
from coopsaas.members import services as members
from coopsaas.members.models import Member
from coopsaas.savings import services as savings
from tests.helpers import csrf_token, login, make_user
from tests.loans_book.builders import NIK_BUDI, NOW, rp, start_loan_coop

BASE = "/t/ksp-pinjam/loans"


@pytest.fixture
def desk(app, db_session):
    """The loan cooperative with Siti (who has a login) and Budi, committed, nothing left in scope."""
    with frozen(NOW):
        coop = start_loan_coop("ksp-pinjam")
        siti = coop.register().member
        budi = coop.register(nik=NIK_BUDI, name="Budi Santoso").member
        login_user = make_user("anggota-siti", tenant=coop.tenant, role="member")
        members.link_user(tenant=coop.tenant, actor=coop.manager, member=siti, user=login_user)
        umum = products.ensure_products(coop.tenant)["PINJ-UMUM"]
        ids = {"siti": siti.id, "budi": budi.id, "umum": umum.id}
        db_session.commit()
        clear_tenant(db_session)
        yield coop, ids


def client_for(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    client.get("/lang/en")
    return client


def in_scope(coop, fn):
    set_tenant(db.session, coop.tenant.id)
    try:
        return fn()
    finally:
        db.session.rollback()
        clear_tenant(db.session)


def hidden(html):
    return dict(re.findall(r'name="(csrf_token|submit_key)" type="hidden" value="([^"]+)"', html))


def count(coop, model):
    return in_scope(coop, lambda: db.session.scalar(select(func.count()).select_from(model)))


def pdf_text(data):
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def make_loan(coop, ids, *, maker=None, member="siti"):
    """An application by the teller, approved by the manager and disbursed in cash, committed."""

    def run():
        member_row = db.session.scalars(select(Member).where(Member.id == ids[member])).one()
        product = db.session.scalars(select(LoanProduct).where(LoanProduct.id == ids["umum"])).one()
        application = apps.submit_application(
            tenant=coop.tenant,
            actor=maker or coop.teller,
            member=member_row,
            product=product,
            amount=rp(11000000),
            term_months=12,
            purpose="Modal warung",
        )
        apps.approve_application(tenant=coop.tenant, actor=coop.manager, application=application)
        loan = disbursement.disburse(tenant=coop.tenant, actor=coop.teller, application=application)
        db.session.commit()
        return loan.id

    with frozen(NOW):
        set_tenant(db.session, coop.tenant.id)
        try:
            return run()
        finally:
            clear_tenant(db.session)


def test_the_teller_previews_the_schedule_and_its_pdf_before_saving(app, desk):
    coop, ids = desk
    teller = client_for(app, "kasir-ksp-pinjam")
    page = teller.get(f"{BASE}/applications/new")
    assert page.status_code == 200
    data = {
        **hidden(page.get_data(as_text=True)),
        "member_no": "A-000001",
        "product_id": str(ids["umum"]),
        "amount": "11.000.000",
        "term_months": "12",
        "purpose": "Modal warung",
        "action": "preview",
    }
    with frozen(NOW):
        resp = teller.post(f"{BASE}/applications/new", data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    for text in (
        "Rp 1.081.667",
        "Rp 1.081.663",
        "Rp 1.980.000",
        "Rp 10.865.000",
        "Nothing has been saved yet",
        "31,72 % per year",
    ):
        assert text in html
    assert count(coop, LoanApplication) == 0
    pdf_url = re.search(r'href="([^"]*preview\.pdf[^"]*)"', html).group(1).replace("&amp;", "&")
    with frozen(NOW):
        pdf = teller.get(pdf_url)
    assert pdf.headers["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.data)
    for part in (
        "SIMULASI JADWAL ANGSURAN",
        "Siti Aminah",
        "1.081.667",
        "1.081.663",
        "19 November 2027",
        "10.865.000",
        "Simulasi, belum merupakan perjanjian pinjaman.",
        "Setara bunga menurun : 31,72 % per tahun",
    ):
        assert part in text
    assert count(coop, LoanApplication) == 0


def test_saving_an_application_numbers_it_and_a_double_submit_saves_once(app, desk):
    coop, ids = desk
    teller = client_for(app, "kasir-ksp-pinjam")
    fields = hidden(teller.get(f"{BASE}/applications/new").get_data(as_text=True))
    data = {
        **fields,
        "member_no": "a-000001",
        "product_id": str(ids["umum"]),
        "amount": "11000000",
        "term_months": "12",
        "purpose": "Modal warung",
        "action": "save",
    }
    with frozen(NOW):
        first = teller.post(f"{BASE}/applications/new", data=data)
        second = teller.post(f"{BASE}/applications/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    html = teller.get(first.headers["Location"]).get_data(as_text=True)
    assert "PM-000001" in html and "Waiting for approval" in html
    assert "You entered this application: another officer approves or rejects it." in html
    assert "/approve" not in html
    assert count(coop, LoanApplication) == 1


def test_an_amount_above_the_product_shows_the_limit_and_saves_nothing(app, desk):
    coop, ids = desk
    teller = client_for(app, "kasir-ksp-pinjam")
    fields = hidden(teller.get(f"{BASE}/applications/new").get_data(as_text=True))
    data = {
        **fields,
        "member_no": "A-000001",
        "product_id": str(ids["umum"]),
        "amount": "75.000.000",
        "term_months": "12",
        "purpose": "Modal",
        "action": "save",
    }
    with frozen(NOW):
        resp = teller.post(f"{BASE}/applications/new", data=data)
    assert resp.status_code == 422
    assert "Pinjaman Umum Anggota lends from Rp 1.000.000 to Rp 50.000.000." in resp.get_data(as_text=True)
    assert count(coop, LoanApplication) == 0


def test_the_maker_gets_a_clear_refusal_and_another_manager_approves(app, desk):
    coop, ids = desk
    manager = client_for(app, "ketua-ksp-pinjam")
    fields = hidden(manager.get(f"{BASE}/applications/new").get_data(as_text=True))
    data = {
        **fields,
        "member_no": "A-000002",
        "product_id": str(ids["umum"]),
        "amount": "2.000.000",
        "term_months": "6",
        "purpose": "Sekolah anak",
        "action": "save",
    }
    with frozen(NOW):
        made = manager.post(f"{BASE}/applications/new", data=data)
    url = made.headers["Location"]
    token = csrf_token(manager, url)
    resp = manager.post(url + "/approve", data={"csrf_token": token, "reason": ""})
    assert resp.status_code == 409
    assert "another officer must approve or reject it (maker-checker)" in resp.get_data(as_text=True)
    teller = client_for(app, "kasir-ksp-pinjam")
    assert teller.post(url + "/approve", data={"csrf_token": csrf_token(teller, url)}).status_code == 403
    assert in_scope(coop, lambda: db.session.scalars(select(LoanApplication.status)).one()) == "submitted"
    in_scope(coop, lambda: (make_user("ketua-dua", tenant=coop.tenant, role="manager"), db.session.commit()))
    second = client_for(app, "ketua-dua")
    resp = second.post(url + "/approve", data={"csrf_token": csrf_token(second, url), "reason": "Lengkap"})
    assert resp.status_code == 302
    assert "Approved" in second.get(url).get_data(as_text=True)


def test_the_teller_disburses_an_approved_loan_and_sees_the_loan_page(app, desk):
    coop, ids = desk

    def prepare():
        siti = db.session.scalars(select(Member).where(Member.id == ids["siti"])).one()
        product = db.session.scalars(select(LoanProduct).where(LoanProduct.id == ids["umum"])).one()
        application = apps.submit_application(
            tenant=coop.tenant,
            actor=coop.teller,
            member=siti,
            product=product,
            amount=rp(11000000),
            term_months=12,
            purpose="Modal warung",
        )
        apps.approve_application(tenant=coop.tenant, actor=coop.manager, application=application)
        db.session.commit()
        return application.id

    with frozen(NOW):
        set_tenant(db.session, coop.tenant.id)
        try:
            application_id = prepare()
        finally:
            clear_tenant(db.session)
    teller = client_for(app, "kasir-ksp-pinjam")
    url = f"{BASE}/applications/{application_id}"
    fields = hidden(teller.get(url).get_data(as_text=True))
    with frozen(NOW):
        resp = teller.post(url + "/disburse", data={**fields, "channel": "savings", "disbursed_on": ""})
        again = teller.post(url + "/disburse", data={**fields, "channel": "savings", "disbursed_on": ""})
    assert resp.status_code == again.status_code == 302
    assert resp.headers["Location"] == again.headers["Location"]
    html = teller.get(resp.headers["Location"]).get_data(as_text=True)
    for text in (
        "PJ-000001",
        "Rp 11.000.000",
        "Rp 10.865.000",
        "Rp 1.081.667",
        "19/12/2026",
        "31,72 % per year",
    ):
        assert text in html
    fresh = {"csrf_token": fields["csrf_token"], "submit_key": "another-form"}
    with frozen(NOW):
        twice = teller.post(url + "/disburse", data={**fresh, "channel": "cash"})
    assert twice.status_code == 409
    assert "was already disbursed as loan PJ-000001" in twice.get_data(as_text=True)
    siti_savings = in_scope(
        coop,
        lambda: {
            a.product.kind: a.balance
            for a in savings.accounts_of(
                db.session.scalars(select(Member).where(Member.id == ids["siti"])).one()
            )
        },
    )
    assert siti_savings["sukarela"] == rp(10865000)
    pdf = teller.get(resp.headers["Location"] + "/schedule.pdf")
    text = pdf_text(pdf.data)
    assert "JADWAL ANGSURAN PINJAMAN" in text and "PJ-000001" in text and "1.081.663" in text


def test_the_loan_list_filters_by_text_and_status(app, desk):
    coop, ids = desk
    make_loan(coop, ids)
    teller = client_for(app, "kasir-ksp-pinjam")
    assert "PJ-000001" in teller.get(f"{BASE}/?q=siti&status=active").get_data(as_text=True)
    assert "PJ-000001" not in teller.get(f"{BASE}/?q=budi").get_data(as_text=True)
    assert "PJ-000001" not in teller.get(f"{BASE}/?status=closed").get_data(as_text=True)
    assert "PJ-000001" not in teller.get(f"{BASE}/?from=2026-11-20").get_data(as_text=True)


def test_a_manager_edits_a_product_and_the_teller_may_not(app, desk):
    coop, ids = desk
    url = f"{BASE}/products/{ids['umum']}/edit"
    teller = client_for(app, "kasir-ksp-pinjam")
    assert teller.get(url).status_code == 403
    manager = client_for(app, "ketua-ksp-pinjam")
    html = manager.get(url).get_data(as_text=True)
    form = {
        "csrf_token": hidden(html)["csrf_token"],
        "name": "Pinjaman Umum",
        "method": "EFEKTIF",
        "rate": "1,5",
        "rate_basis": "rate_pm",
        "min_amount": "1.000.000",
        "max_amount": "40.000.000",
        "max_savings_multiple": "5",
        "min_term_months": "6",
        "max_term_months": "24",
        "admin_fee": "20.000",
        "provision_pct": "1",
        "fee_collection": "separate",
        "penalty_rate_pct": "2",
        "penalty_per": "MONTH",
        "penalty_grace_days": "5",
        "requires_collateral": "y",
        "is_active": "y",
    }
    bad = manager.post(url, data={**form, "max_amount": "500.000"})
    assert bad.status_code == 422
    assert "The maximum cannot be below the minimum." in bad.get_data(as_text=True)
    assert manager.post(url, data=form).status_code == 302

    def stored():
        p = db.session.scalars(select(LoanProduct).where(LoanProduct.id == ids["umum"])).one()
        return (
            p.method,
            p.rate,
            p.rate_basis,
            p.max_amount,
            p.penalty_per,
            p.penalty_rate_pct,
            p.requires_collateral,
            p.fee_collection,
            p.edited_at is not None,
        )

    assert in_scope(coop, stored) == (
        "EFEKTIF",
        "1.5",
        "rate_pm",
        rp(40000000),
        "MONTH",
        "2",
        True,
        "separate",
        True,
    )
    assert "Pinjaman Umum" in manager.get(f"{BASE}/products").get_data(as_text=True)


def test_the_member_sees_their_loan_and_next_due_on_their_page(app, desk):
    coop, ids = desk
    loan_id = make_loan(coop, ids)
    member = client_for(app, "anggota-siti")
    with frozen(NOW):
        html = member.get("/t/ksp-pinjam/me").get_data(as_text=True)
    assert "PJ-000001" in html and "Rp 1.081.667" in html and "Rp 11.000.000" in html
    detail = member.get(f"/t/ksp-pinjam/me/loans/{loan_id}").get_data(as_text=True)
    assert "Rp 1.081.663" in detail and "19/11/2027" in detail
    assert member.get(f"{BASE}/{loan_id}").status_code == 403  # staff pages are not theirs
    pdf = member.get(f"/t/ksp-pinjam/me/loans/{loan_id}/schedule.pdf")
    assert "Siti Aminah" in pdf_text(pdf.data)


def test_another_members_loan_and_another_tenants_loan_are_not_found(app, desk):
    coop, ids = desk
    loan_id = make_loan(coop, ids, member="budi")
    member = client_for(app, "anggota-siti")
    assert member.get(f"/t/ksp-pinjam/me/loans/{loan_id}").status_code == 404
    with frozen(NOW):
        other = start_loan_coop("ksp-lain")
        db.session.commit()
        clear_tenant(db.session)
    outsider = client_for(app, "kasir-ksp-lain")
    assert outsider.get(f"/t/ksp-lain/loans/{loan_id}").status_code == 404
    assert outsider.get(f"/t/ksp-lain/loans/{loan_id}/schedule.pdf").status_code == 404
    assert other.tenant.id != coop.tenant.id
    assert count(coop, Loan) == 1


def test_the_filtered_loan_book_downloads_as_csv_and_xlsx(app, desk):
    coop, ids = desk
    make_loan(coop, ids)
    teller = client_for(app, "kasir-ksp-pinjam")
    page = teller.get(f"{BASE}/?q=siti").get_data(as_text=True)
    assert "/loans/export.csv?q=siti" in page
    csv_text = teller.get(f"{BASE}/export.csv?q=siti").data.decode("utf-8-sig")
    lines = csv_text.strip().split("\r\n")
    assert lines[0].startswith("No. pinjaman,No. anggota,Nama anggota")
    assert lines[1].split(",")[:3] == ["PJ-000001", "A-000001", "Siti Aminah"]
    assert "11000000.00,135000.00,10865000.00,11000000.00,active" in lines[1]
    assert teller.get(f"{BASE}/export.csv?q=budi").data.decode("utf-8-sig").strip().count("\r\n") == 0
    xlsx = teller.get(f"{BASE}/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet["A3"].value == "PJ-000001" and sheet["K3"].value == 11000000
