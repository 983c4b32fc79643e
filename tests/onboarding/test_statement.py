"""Member statement: figures to the rupiah, the PDF's text, and who may see whose."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant
from coopsaas.errors import ValidationError
from coopsaas.members import services as members
from coopsaas.savings import services as savings
from coopsaas.savings import statements
from tests.helpers import login, make_user
from tests.savings_services.builders import NIK_BUDI, NOW, TODAY, rp, start_coop


def history(coop):
    """Siti joins on 10 January 2026 (pokok Rp 250.000), pays wajib in March, saves and withdraws."""
    admission = coop.register(joined_on=date(2026, 1, 10))
    wajib, sukarela = coop.account(admission, "wajib"), coop.account(admission, "sukarela")
    for account, amount, on in (
        (sukarela, "500000", date(2026, 2, 1)),
        (wajib, "50000", date(2026, 3, 1)),
        (sukarela, "1000000", date(2026, 5, 10)),
    ):
        savings.deposit(tenant=coop.tenant, actor=coop.teller, account=account, amount=amount, on=on)
    savings.withdraw(
        tenant=coop.tenant, actor=coop.teller, account=sukarela, amount="300000.50", on=date(2026, 6, 15)
    )
    return admission.member


def test_statement_has_opening_each_transaction_and_closing(coop):
    member = history(coop)
    st = statements.member_statement(member, date(2026, 4, 1), TODAY)

    by_kind = {a.account.product.kind: a for a in st.accounts}
    sukarela = by_kind["sukarela"]
    assert sukarela.opening == rp(500000)
    assert [(ln.entry_on, ln.money_in, ln.money_out, ln.balance) for ln in sukarela.lines] == [
        (date(2026, 5, 10), rp(1000000), rp(0), rp(1500000)),
        (date(2026, 6, 15), rp(0), rp("300000.50"), rp("1199999.50")),
    ]
    assert sukarela.closing == rp("1199999.50")
    assert (by_kind["pokok"].opening, by_kind["pokok"].closing, by_kind["pokok"].lines) == (
        rp(250000),
        rp(250000),
        [],
    )
    assert by_kind["wajib"].closing == rp(50000)
    assert (st.opening, st.closing) == (rp(800000), rp("1499999.50"))


def test_statement_from_the_start_shows_the_admission(coop):
    member = history(coop)
    st = statements.member_statement(member, date(2026, 1, 1), date(2026, 1, 31))
    pokok = next(a for a in st.accounts if a.account.product.kind == "pokok")
    assert pokok.opening == rp(0)
    assert [(ln.kind, ln.money_in) for ln in pokok.lines] == [("admission", rp(250000))]
    assert st.closing == rp(250000)


def test_statement_pdf_text_and_identical_bytes(coop):
    member = history(coop)
    st = statements.member_statement(member, date(2026, 4, 1), TODAY)
    pdf = statements.statement_pdf(st, coop_name="KSP Uji")

    assert pdf == statements.statement_pdf(st, coop_name="KSP Uji")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Laporan Simpanan Anggota" in text
    assert "Periode 1 April 2026 s.d. 19 November 2026" in text
    assert "Siti Aminah" in text
    assert "Saldo awal" in text and "500.000,00" in text
    assert "1.199.999,50" in text
    assert "Jumlah seluruh simpanan per 19 November 2026: Rp 1.499.999,50" in text


def test_range_is_checked(coop):
    with pytest.raises(ValidationError, match="The start date is after the end date"):
        statements.check_range(date(2026, 5, 1), date(2026, 4, 1), today=TODAY)
    with pytest.raises(ValidationError, match="The end date cannot be in the future"):
        statements.check_range(None, date(2026, 12, 1), today=TODAY)
    assert statements.check_range(None, None, today=TODAY) == (date(2026, 1, 1), TODAY)


@pytest.fixture
def shop(app, db_session):
    """Siti (linked to a member login) and Budi, committed; nothing in scope."""
    with frozen(NOW):
        coop = start_coop("ksp-laporan")
        siti = history(coop)
        login_user = make_user("anggota-laporan", tenant=coop.tenant, role="member")
        members.link_user(tenant=coop.tenant, actor=coop.manager, member=siti, user=login_user)
        ids = siti.id, coop.register(nik=NIK_BUDI, name="Budi Santoso").member.id
        db_session.commit()
        clear_tenant(db_session)
        yield coop, *ids


def client_for(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    client.get("/lang/en")
    return client


def test_staff_print_a_members_statement(app, shop):
    _coop, siti, _budi = shop
    client = client_for(app, "kasir-ksp-laporan")
    with frozen(NOW):
        html = client.get(f"/t/ksp-laporan/members/{siti}/statement?start=2026-04-01").get_data(as_text=True)
        pdf = client.get(f"/t/ksp-laporan/members/{siti}/statement.pdf?start=2026-04-01&end=2026-11-19")
        member_page = client.get(f"/t/ksp-laporan/members/{siti}").get_data(as_text=True)
    assert "Rp 1.499.999,50" in html
    assert "Rp 1.199.999,50" in html
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert "Rp 1.499.999,50" in PdfReader(io.BytesIO(pdf.data)).pages[-1].extract_text()
    assert f"/t/ksp-laporan/members/{siti}/statement" in member_page


def test_bad_range_is_a_422_not_a_500(app, shop):
    _coop, siti, _budi = shop
    client = client_for(app, "kasir-ksp-laporan")
    with frozen(NOW):
        resp = client.get(f"/t/ksp-laporan/members/{siti}/statement?start=kemarin")
        pdf = client.get(f"/t/ksp-laporan/members/{siti}/statement.pdf?start=2026-06-01&end=2026-05-01")
    assert resp.status_code == 422
    assert "Write the date as YYYY-MM-DD." in resp.get_data(as_text=True)
    assert pdf.status_code == 422


def test_member_downloads_only_their_own_statement(app, shop):
    _coop, siti, budi = shop
    client = client_for(app, "anggota-laporan")
    with frozen(NOW):
        own = client.get("/t/ksp-laporan/me/statement")
        own_pdf = client.get("/t/ksp-laporan/me/statement.pdf")
        other = client.get(f"/t/ksp-laporan/members/{budi}/statement")
        other_pdf = client.get(f"/t/ksp-laporan/members/{budi}/statement.pdf")
        own_by_id = client.get(f"/t/ksp-laporan/members/{siti}/statement.pdf")
    assert own.status_code == 200
    assert "Siti Aminah" in own.get_data(as_text=True) and "Budi" not in own.get_data(as_text=True)
    text = PdfReader(io.BytesIO(own_pdf.data)).pages[0].extract_text()
    assert "Siti Aminah" in text
    assert (other.status_code, other_pdf.status_code, own_by_id.status_code) == (404, 404, 404)


def test_staff_have_no_own_statement_and_other_tenants_see_nothing(app, shop):
    _coop, siti, _budi = shop
    with frozen(NOW):
        start_coop("ksp-lain")
    from coopsaas.extensions import db

    db.session.commit()
    clear_tenant(db.session)
    teller = client_for(app, "kasir-ksp-laporan")
    assert teller.get("/t/ksp-laporan/me/statement").status_code == 404
    outsider = client_for(app, "kasir-ksp-lain")
    assert outsider.get(f"/t/ksp-lain/members/{siti}/statement").status_code == 404
    assert outsider.get(f"/t/ksp-laporan/members/{siti}/statement").status_code == 404


def test_statements_and_receipts_through_the_api(app, shop):
    from coopsaas.auth import services as auth
    from coopsaas.auth.models import User
    from coopsaas.core.db import set_tenant
    from coopsaas.extensions import db
    from coopsaas.savings.models import SavingsTransaction
    from coopsaas.tenancy.models import Tenant

    _coop, siti, budi = shop
    tenant = db.session.query(Tenant).filter_by(slug="ksp-laporan").one()
    teller = db.session.query(User).filter_by(username="kasir-ksp-laporan").one()
    member_login = db.session.query(User).filter_by(username="anggota-laporan").one()
    _, staff_token = auth.create_token(user=teller, tenant=tenant, name="api")
    _, member_token = auth.create_token(user=member_login, tenant=tenant, name="hp")
    set_tenant(db.session, tenant.id)
    withdrawal = db.session.query(SavingsTransaction).filter_by(kind="withdrawal").one()
    txn_id = withdrawal.id
    db.session.commit()
    clear_tenant(db.session)
    staff = {"Authorization": f"Bearer {staff_token}"}
    own = {"Authorization": f"Bearer {member_token}"}
    base = "/api/v1/t/ksp-laporan"
    client = app.test_client()
    with frozen(NOW):
        statement = client.get(
            f"{base}/members/{siti}/statement.pdf?start=2026-04-01&end=2026-11-19", headers=staff
        )
        receipt = client.get(f"{base}/savings/transactions/{txn_id}/receipt.pdf", headers=staff)
        bad_range = client.get(
            f"{base}/members/{siti}/statement.pdf?start=2026-06-01&end=2026-05-01", headers=staff
        )
        mine = client.get(f"{base}/me/statement.pdf", headers=own)
        not_mine = client.get(f"{base}/members/{budi}/statement.pdf", headers=own)
        own_by_id = client.get(f"{base}/members/{siti}/statement.pdf", headers=own)
        no_receipt = client.get(f"{base}/savings/transactions/{siti}/receipt.pdf", headers=staff)

    assert statement.status_code == 200 and statement.headers["Content-Type"] == "application/pdf"
    assert "Rp 1.499.999,50" in PdfReader(io.BytesIO(statement.data)).pages[-1].extract_text()
    assert receipt.status_code == 200
    receipt_text = PdfReader(io.BytesIO(receipt.data)).pages[0].extract_text()
    assert "BUKTI PENARIKAN" in receipt_text and "300.000,50" in receipt_text
    assert bad_range.status_code == 422
    assert mine.status_code == 200
    assert "Siti Aminah" in PdfReader(io.BytesIO(mine.data)).pages[0].extract_text()
    # A member's token may not use the staff route at all, whoever's id it names.
    assert (not_mine.status_code, own_by_id.status_code) == (403, 403)
    assert no_receipt.status_code == 404
