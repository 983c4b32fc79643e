"""Repayment pages: the teller records an instalment and prints the receipt and the statement; a bad
amount is refused on the form; collectors see the arrears list (page, CSV, XLSX) and the manager
the portfolio quality."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant, set_tenant
from coopsaas.extensions import db
from coopsaas.loans.models import LoanTransaction
from tests.helpers import csrf_token, login
from tests.loans_repay.builders import NIK_BUDI, NOW, make_loan, start_repay_coop

SLUG = "ksp-angsur"
BASE = f"/t/{SLUG}/loans"


@pytest.fixture
def desk(app, db_session):
    """Siti with Rp 11.000.000 and Budi (with a phone) with Rp 5.000.000, both paid out today."""
    with frozen(NOW):
        coop = start_repay_coop(SLUG)
        siti = coop.register().member
        budi = coop.register(nik=NIK_BUDI, name="Budi Santoso", phone="081234567890").member
        ids = {"siti": make_loan(coop, siti).id, "budi": make_loan(coop, budi, amount="5000000").id}
        db_session.commit()
        clear_tenant(db_session)
        yield coop, ids


def client_for(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    client.get("/lang/en")
    return client


def hidden(html):
    return dict(re.findall(r'name="(csrf_token|submit_key)" type="hidden" value="([^"]+)"', html))


def pdf_text(data):
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def repayments_of(coop):
    set_tenant(db.session, coop.tenant.id)
    try:
        return db.session.scalar(
            select(func.count()).select_from(LoanTransaction).where(LoanTransaction.kind == "repayment")
        )
    finally:
        db.session.rollback()
        clear_tenant(db.session)


def test_the_teller_records_an_instalment_and_prints_the_receipt_and_statement(app, desk):
    coop, ids = desk
    client = client_for(app, coop.teller.username)
    with frozen(NOW):
        page = client.get(f"{BASE}/{ids['siti']}/repay")
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert 'value="1.081.667"' in html and "Rp 11.165.000" in html  # next due; pay off today
        form = {**hidden(html), "amount": "1.081.667", "channel": "cash"}
        done = client.post(f"{BASE}/{ids['siti']}/repay", data=form)
        again = client.post(f"{BASE}/{ids['siti']}/repay", data=form)  # a double submit
    assert done.status_code == 302 and again.status_code == 302
    assert repayments_of(coop) == 1
    with frozen(NOW):
        after = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Rp 10.083.333" in after and "Payment of Rp 1.081.667 recorded for loan PJ-000001." in after
    receipt_url = re.search(r'href="([^"]+/receipts/[^"]+\.pdf)"', after).group(1)
    receipt = client.get(receipt_url)
    assert receipt.headers["Content-Type"] == "application/pdf"
    text = pdf_text(receipt.data)
    for expected in (
        "KUITANSI ANGSURAN PINJAMAN",
        "PJ-000001",
        "Siti Aminah",
        "Jumlah dibayar : Rp 1.081.667",
        "Bunga : Rp 165.000",
        "Pokok : Rp 916.667",
        "Sisa pokok : Rp 10.083.333",
        "Angsuran ke : 1",
        "Tunai",
    ):
        assert expected in text
    statement = pdf_text(client.get(f"{BASE}/{ids['siti']}/statement.pdf").data)
    assert "REKENING KORAN PINJAMAN" in statement
    assert (
        "Pencairan 11.000.000" in statement and "Angsuran 1.081.667 916.667 165.000 0 10.083.333" in statement
    )


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "more than zero"),
        ("1.000,555", "whole rupiah"),
        ("99.000.000", "more than loan PJ-000001 still owes"),
    ],
)
def test_a_bad_amount_is_refused_on_the_form_and_nothing_is_saved(app, desk, amount, message):
    coop, ids = desk
    client = client_for(app, coop.teller.username)
    with frozen(NOW):
        html = client.get(f"{BASE}/{ids['siti']}/repay").get_data(as_text=True)
        refused = client.post(
            f"{BASE}/{ids['siti']}/repay", data={**hidden(html), "amount": amount, "channel": "cash"}
        )
    assert refused.status_code == 422
    assert message in refused.get_data(as_text=True)
    assert repayments_of(coop) == 0


def test_collectors_see_who_is_late_with_phone_amount_and_class(app, desk):
    coop, ids = desk
    client = client_for(app, coop.teller.username)
    with frozen(NOW):
        html = client.get(f"{BASE}/{ids['siti']}/repay").get_data(as_text=True)
        client.post(
            f"{BASE}/{ids['siti']}/repay", data={**hidden(html), "amount": "1.081.667", "channel": "cash"}
        )
    day = date(2027, 1, 5).isoformat()
    page = client.get(f"{BASE}/reports/arrears", query_string={"as_of": day}).get_data(as_text=True)
    # Budi's first instalment (416.667 + 75.000) fell due on 19 December: 17 days late, with the
    # denda of the 14 days after the grace (0,1 % x 491.667 x 14 = 6.883); Siti paid hers.
    assert "1 loans late on 05/01/2027, Rp 498.550 due." in page
    assert "Budi Santoso" in page and "081234567890" in page and "17 days late" in page
    assert "Siti Aminah" not in page
    data = client.get(f"{BASE}/reports/arrears.csv", query_string={"as_of": day}).data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[0][:3] == ["No. pinjaman", "No. anggota", "Nama anggota"]
    assert rows[1][0] == "PJ-000002"
    assert rows[1][6:11] == ["17", "416667.00", "75000.00", "6883.00", "498550.00"]
    assert rows[1][-1] == "Lancar"
    sheet = load_workbook(
        io.BytesIO(client.get(f"{BASE}/reports/arrears.xlsx", query_string={"as_of": day}).data)
    ).active
    assert [c.value for c in sheet[4]][6] == 17 and Decimal(str([c.value for c in sheet[4]][10])) == 498550

    quality = client.get(f"{BASE}/reports/portfolio", query_string={"as_of": day}).get_data(as_text=True)
    # PAR1 = 5.000.000 / (10.083.333 + 5.000.000) = 33,15 %; PPAP 0,5 % of 15.083.333 = 75.417
    assert "33,15 %" in quality and "Rp 15.083.333" in quality and "Rp 75.417" in quality


def test_a_member_login_cannot_record_repayments(app, desk):
    coop, ids = desk
    from tests.helpers import make_user

    set_tenant(db.session, coop.tenant.id)
    make_user("pengurus-lihat", tenant=coop.tenant, role="member")
    db.session.commit()
    clear_tenant(db.session)
    client = client_for(app, "pengurus-lihat")
    token = csrf_token(client, f"/t/{SLUG}/")
    refused = client.post(f"{BASE}/{ids['siti']}/repay", data={"amount": "1000", "csrf_token": token})
    assert refused.status_code in (403, 404)
    assert repayments_of(coop) == 0
