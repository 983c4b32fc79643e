"""Receivables pages: the till's credit tender without JavaScript, member credit collection,
invoices from form to PDF, the payroll list and the ageing with its exports."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from coopsaas.extensions import db
from coopsaas.retail import credit
from coopsaas.retail.credit_models import Customer, Invoice
from coopsaas.retail.models import Sale
from tests.helpers import csrf_token, login
from tests.retail_credit.conftest import SLUG, rp, scope

BASE = f"/t/{SLUG}/toko"


def logged_in(app, user):
    client = app.test_client()
    assert login(client, user.username).status_code == 302
    return client


def hidden(html, name):
    return re.search(rf'name="{name}"[^>]*value="([^"]+)"', html).group(1)


def till(client, **fields):
    html = client.get(f"{BASE}/pos").get_data(as_text=True)
    data = {
        "csrf_token": hidden(html, "csrf_token"),
        "submit_key": hidden(html, "submit_key"),
        "action": "pay",
    }
    return client.post(f"{BASE}/pos", data={**data, **fields})


def test_the_till_sells_to_a_member_on_credit_without_javascript(app, stocked):
    siti_no = stocked.siti.member_no
    client = logged_in(app, stocked.shopkeeper)
    page = client.get(f"{BASE}/pos").get_data(as_text=True)
    assert 'name="tender"' in page and "Member credit (pay later)" in page
    done = till(
        client,
        **{
            "lines-0-code": "BRS",
            "lines-0-qty": "10",
            "member_id": siti_no,
            "tender": "credit",
        },
    )
    assert done.status_code == 302, done.get_data(as_text=True)
    detail = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "on the member&#39;s shop credit" in detail or "on the member's shop credit" in detail
    assert "Member credit (pay later)" in detail and "Cash tendered" not in detail
    scope(stocked)
    sale = db.session.scalars(select(Sale)).one()
    assert (sale.tender, sale.total) == ("credit", rp(120000))
    assert stocked.balance("1301") == rp(120000)


def test_the_till_refuses_credit_beyond_the_limit_and_for_walk_ins(app, stocked):
    siti_no = stocked.siti.member_no
    client = logged_in(app, stocked.shopkeeper)
    over = till(
        client,
        **{
            "lines-0-code": "BRS",
            "lines-0-qty": "21",
            "member_id": siti_no,
            "tender": "credit",
        },
    )
    assert over.status_code == 409
    assert "Credit limit exceeded" in over.get_data(as_text=True)
    walk_in = till(client, **{"lines-0-code": "SBN", "lines-0-qty": "1", "tender": "credit"})
    assert walk_in.status_code == 422
    assert "Only members can buy on credit" in walk_in.get_data(as_text=True)
    scope(stocked)
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 0
    assert stocked.balance("1301") == rp(0)


def test_member_credit_page_takes_a_counter_payment_and_refuses_too_much(app, stocked):
    siti_id = stocked.siti.id
    stocked.sell((stocked.beras, "10"), key="k1", member=stocked.siti, tender="credit")
    db.session.commit()
    client = logged_in(app, stocked.shopkeeper)
    url = f"{BASE}/credit/{siti_id}"
    page = client.get(url).get_data(as_text=True)
    assert "Rp 250.000" in page and "Rp 130.000,00" in page
    assert "Pay from sukarela savings" not in page  # a shopkeeper does not move savings
    token, key = hidden(page, "csrf_token"), hidden(page, "submit_key")
    too_much = client.post(
        f"{url}/pay", data={"csrf_token": token, "submit_key": key, "amount": "120.001", "method": "cash"}
    )
    assert too_much.status_code == 422
    assert "more than the shop credit owed" in too_much.get_data(as_text=True)
    ok = client.post(
        f"{url}/pay", data={"csrf_token": token, "submit_key": key, "amount": "20.000", "method": "cash"}
    )
    assert ok.status_code == 302
    again = client.post(
        f"{url}/pay", data={"csrf_token": token, "submit_key": key, "amount": "20.000", "method": "cash"}
    )
    assert again.status_code == 302  # the same form twice: one payment
    scope(stocked)
    assert credit.credit_row(siti_id).outstanding == rp(100000)
    assert stocked.balance("1301") == rp(100000)


def test_a_manager_pays_shop_credit_from_savings_on_the_page(app, stocked):
    siti_id = stocked.siti.id
    stocked.sell((stocked.beras, "10"), key="k1", member=stocked.siti, tender="credit")
    db.session.commit()
    client = logged_in(app, stocked.manager)
    url = f"{BASE}/credit/{siti_id}"
    page = client.get(url).get_data(as_text=True)
    assert "Pay from sukarela savings" in page
    form = page[page.index("/deduct") :]
    resp = client.post(
        f"{url}/deduct",
        data={
            "csrf_token": hidden(page, "csrf_token"),
            "submit_key": hidden(form, "submit_key"),
            "amount": "120000",
        },
    )
    assert resp.status_code == 302
    scope(stocked)
    assert stocked.balance("1301") == rp(0)
    assert stocked.balance("2101") == rp(180000)


def test_a_shopkeeper_cannot_take_savings(app, stocked):
    siti_id = stocked.siti.id
    client = logged_in(app, stocked.shopkeeper)
    url = f"{BASE}/credit/{siti_id}"
    token = csrf_token(client, url)
    resp = client.post(f"{url}/deduct", data={"csrf_token": token, "amount": "1000"})
    assert resp.status_code == 403


def test_issue_pay_and_print_an_invoice_through_the_pages(app, stocked):
    client = logged_in(app, stocked.shopkeeper)
    token = csrf_token(client, f"{BASE}/customers/new")
    bad = client.post(f"{BASE}/customers/new", data={"csrf_token": token, "name": "CV Maju", "npwp": "123"})
    assert bad.status_code == 422 and "15 or 16 digits" in bad.get_data(as_text=True)
    made = client.post(
        f"{BASE}/customers/new",
        data={"csrf_token": token, "name": "CV Maju", "npwp": "0123456789012345", "address": "Jl. Baru"},
    )
    assert made.status_code == 302
    scope(stocked)
    customer_id = db.session.scalars(select(Customer.id)).one()
    db.session.rollback()
    form = client.get(f"{BASE}/faktur/new").get_data(as_text=True)
    data = {
        "csrf_token": hidden(form, "csrf_token"),
        "submit_key": hidden(form, "submit_key"),
        "customer_id": str(customer_id),
        "terms_days": "14",
        "lines-0-code": "BRS",
        "lines-0-qty": "5",
        "lines-1-code": "SBN",
        "lines-1-qty": "2",
        "lines-1-unit_price": "2.750",
    }
    issued = client.post(f"{BASE}/faktur/new", data=data)
    assert issued.status_code == 302, issued.get_data(as_text=True)
    detail_url = issued.headers["Location"]
    detail = client.get(detail_url).get_data(as_text=True)
    assert "FK-2026-000001" in detail and "Rp 70.500,00" in detail  # 5 x 13.000 + 2 x 2.750
    assert client.post(f"{BASE}/faktur/new", data=data).headers["Location"] == detail_url  # one invoice
    token = hidden(detail, "csrf_token")
    over = client.post(f"{detail_url}/pay", data={"csrf_token": token, "amount": "70.501", "method": "cash"})
    assert over.status_code == 422 and "more than the invoice balance" in over.get_data(as_text=True)
    paid = client.post(f"{detail_url}/pay", data={"csrf_token": token, "amount": "70.000", "method": "cash"})
    assert paid.status_code == 302
    after = client.get(detail_url).get_data(as_text=True)
    assert "Partly paid" in after and "Rp 500,00" in after
    refused = client.post(f"{detail_url}/void", data={"csrf_token": token, "reason": "Batal"})
    assert refused.status_code == 409
    pdf = client.get(f"{detail_url}/faktur.pdf")
    assert pdf.mimetype == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "CV Maju" in text and "0123456789012345" in text and "Sisa tagihan" in text and "Rp 500" in text
    scope(stocked)
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 1
    assert stocked.balance("1301") == rp(500)


def test_an_invoice_form_with_errors_writes_nothing(app, stocked):
    siti_no = stocked.siti.member_no
    client = logged_in(app, stocked.shopkeeper)
    form = client.get(f"{BASE}/faktur/new").get_data(as_text=True)
    resp = client.post(
        f"{BASE}/faktur/new",
        data={
            "csrf_token": hidden(form, "csrf_token"),
            "submit_key": hidden(form, "submit_key"),
            "member_ref": siti_no,
            "lines-0-code": "SBN",
            "lines-0-qty": "51",
        },
    )
    assert resp.status_code == 409
    assert "Not enough Sabun mandi in stock" in resp.get_data(as_text=True)
    scope(stocked)
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 0


def test_payroll_page_and_xlsx(app, stocked):
    siti_no, siti_id = stocked.siti.member_no, stocked.siti.id
    stocked.sell((stocked.beras, "10"), key="k1", member=stocked.siti, tender="credit")
    db.session.commit()
    client = logged_in(app, stocked.manager)
    page = client.get(f"{BASE}/credit/payroll?month=2026-11").get_data(as_text=True)
    assert "RS Islam Sukamakmur" in page and "Rp 120.000,00" in page
    xlsx = client.get(f"{BASE}/credit/payroll.xlsx?month=2026-11")
    ws = load_workbook(io.BytesIO(xlsx.data)).active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    assert rows[0][:5] == [
        "2026-11",
        str(siti_id),
        siti_no,
        "Siti Aminah",
        "RS Islam Sukamakmur",
    ]
    assert rows[0][8] == 120000
    bad = client.get(f"{BASE}/credit/payroll?month=bulan-ini")
    assert bad.status_code == 422 and "YYYY-MM" in bad.get_data(as_text=True)


def test_ageing_page_and_exports_agree_with_the_ledger(app, stocked):
    stocked.sell((stocked.beras, "10"), key="k1", member=stocked.siti, tender="credit")
    db.session.commit()
    client = logged_in(app, stocked.manager)
    page = client.get(f"{BASE}/receivables").get_data(as_text=True)
    assert re.search(r'id="ageing-total">Rp 120.000,00<', page)
    assert re.search(r'id="ageing-control">Rp 120.000,00<', page)
    assert "agree with the receivable account" in page
    csv = client.get(f"{BASE}/receivables.csv").data.decode("utf-8-sig")
    assert "Siti Aminah,Anggota,120000.00" in csv
    assert client.get(f"{BASE}/receivables.xlsx").status_code == 200
