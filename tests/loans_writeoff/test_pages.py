"""Write-off pages: the teller proposes, the manager approves on the phone page, the teller records a
recovery and prints its receipt; bad input is refused on the form and saves nothing."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant, set_tenant
from coopsaas.extensions import db
from coopsaas.loans.models import LoanRecovery, LoanWriteOff
from tests.helpers import login
from tests.loans_repay.builders import NOW, make_loan, start_repay_coop

SLUG = "ksp-hapus-web"
BASE = f"/t/{SLUG}/loans"


@pytest.fixture
def desk(app, db_session):
    with frozen(NOW):
        coop = start_repay_coop(SLUG)
        loan_id = make_loan(coop, coop.register().member).id
        db_session.commit()
        clear_tenant(db_session)
        yield coop, loan_id


def client_for(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    client.get("/lang/en")
    return client


def hidden(html):
    return dict(re.findall(r'name="(csrf_token|submit_key)" type="hidden" value="([^"]+)"', html))


def count(coop, model):
    set_tenant(db.session, coop.tenant.id)
    try:
        return db.session.scalar(select(func.count()).select_from(model))
    finally:
        db.session.rollback()
        clear_tenant(db.session)


def test_propose_approve_and_recover_through_the_pages(app, desk):
    coop, loan_id = desk
    teller = client_for(app, coop.teller.username)
    manager = client_for(app, coop.manager.username)
    url = f"{BASE}/{loan_id}/write-off"
    with frozen(NOW):
        assert "Write-off" in teller.get(f"{BASE}/{loan_id}").get_data(as_text=True)
        html = teller.get(url).get_data(as_text=True)
        assert "Rp 11.000.000" in html
        empty = teller.post(url, data={**hidden(html), "reason": ""})
        assert empty.status_code == 422 and count(coop, LoanWriteOff) == 0
        form = {**hidden(html), "reason": "Anggota tidak dapat dihubungi"}
        assert teller.post(url, data=form).status_code == 302
        assert teller.post(url, data=form).status_code == 302  # a double submit
        assert count(coop, LoanWriteOff) == 1
        waiting = teller.get(url).get_data(as_text=True)
        assert "Waiting for approval" in waiting and "Approve the write-off" not in waiting  # maker-checker
        assert "PJ-000001" in manager.get(f"{BASE}/write-offs").get_data(as_text=True)
        page = manager.get(url).get_data(as_text=True)
        approve_url = re.search(r'action="([^"]+/approve)"', page).group(1)
        token = hidden(page)["csrf_token"]
        assert teller.post(approve_url, data={"csrf_token": hidden(html)["csrf_token"]}).status_code == 403
        done = manager.post(approve_url, data={"csrf_token": token})
        assert done.status_code == 302
        after = manager.get(url).get_data(as_text=True)
        assert "Loan PJ-000001 is written off." in after and "Still to collect" in after
        assert "Rp 10.945.000" not in after  # no reserve was booked: the whole principal is expensed
        assert "Rp 11.000.000" in after

        page = teller.get(url).get_data(as_text=True)
        bad = teller.post(
            f"{BASE}/{loan_id}/recoveries", data={**hidden(page), "amount": "12.000.000", "channel": "cash"}
        )
        assert bad.status_code == 422 and "Only Rp 11.000.000 of loan PJ-000001" in bad.get_data(as_text=True)
        assert count(coop, LoanRecovery) == 0
        saved = teller.post(
            f"{BASE}/{loan_id}/recoveries", data={**hidden(page), "amount": "750.000", "channel": "cash"}
        )
        assert saved.status_code == 302
        shown = teller.get(saved.headers["Location"]).get_data(as_text=True)
        assert "Recovery of Rp 750.000 recorded for loan PJ-000001." in shown and "Rp 10.250.000" in shown
        receipt_url = re.search(r'href="([^"]+/recoveries/[^"]+\.pdf)"', shown).group(1)
        pdf = teller.get(receipt_url)
    assert pdf.headers["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split())
    for expected in (
        "KUITANSI PENERIMAAN PINJAMAN HAPUS BUKU",
        "PJ-000001",
        "Siti Aminah",
        "Jumlah diterima : Rp 750.000",
        "Sisa tagihan hapus buku : Rp 10.250.000",
        "Tunai",
    ):
        assert expected in text
    with frozen(NOW):
        repay = teller.get(f"{BASE}/{loan_id}/repay").get_data(as_text=True)
    assert "Record a payment" not in repay


def test_another_tenants_write_off_pages_answer_404(app, desk, db_session):
    _, loan_id = desk
    with frozen(NOW):
        other = start_repay_coop("ksp-lain-hapus")
        db_session.commit()
        clear_tenant(db_session)
        client = client_for(app, other.manager.username)
        assert client.get(f"/t/ksp-lain-hapus/loans/{loan_id}/write-off").status_code == 404


def test_the_manager_reschedules_on_the_page_and_the_versions_show(app, desk):
    coop, loan_id = desk
    teller = client_for(app, coop.teller.username)
    manager = client_for(app, coop.manager.username)
    url = f"{BASE}/{loan_id}/reschedule"
    with frozen(NOW):
        page = manager.get(url).get_data(as_text=True)
        assert "Reschedule the loan" in page and "Reschedule the loan" not in teller.get(url).get_data(
            as_text=True
        )
        form = {
            **hidden(page),
            "term_months": "24",
            "rate": "12",
            "rate_basis": "rate_pa",
            "method": "ANUITAS",
        }
        bad = manager.post(url, data={**form, "term_months": "0", "reason": "Usaha menurun"})
        assert bad.status_code == 422 and "from 1 to 360" in bad.get_data(as_text=True)
        teller_token = hidden(teller.get(f"{BASE}/{loan_id}/write-off").get_data(as_text=True))["csrf_token"]
        forbidden = teller.post(url, data={**form, "csrf_token": teller_token, "reason": "Usaha menurun"})
        assert forbidden.status_code == 403
        done = manager.post(url, data={**form, "reason": "Usaha menurun"})
        assert done.status_code == 302
        shown = manager.get(done.headers["Location"]).get_data(as_text=True)
        loan_page = manager.get(f"{BASE}/{loan_id}").get_data(as_text=True)
    assert "Loan PJ-000001 is rescheduled (schedule 2)." in shown
    assert "Schedule 2" in shown and "Schedule 1" in shown and shown.count("Superseded") == 12
    # A = 11.000.000 x 1 % / (1 - 1,01^-24) = 517.808 from 19 Dec 2026, on the loan page too
    assert "Rp 517.808" in loan_page and "ANUITAS, 12 %" in loan_page
