"""Passbook page, PDF and API: teller prints and confirms, the manager resets, the member role and
other tenants see nothing."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from coopsaas.auth import services as auth
from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant, get_scoped, set_tenant
from coopsaas.extensions import db
from coopsaas.savings import passbook
from coopsaas.savings import services as savings
from coopsaas.savings.models import SavingsAccount
from tests.helpers import csrf_token, login, make_user
from tests.savings_services.builders import NOW, start_coop


@pytest.fixture
def shop(app, db_session):
    """Siti's sukarela account with two deposits, committed; nothing left in scope."""
    with frozen(NOW):
        coop = start_coop("ksp-cetak")
        admission = coop.register(joined_on=date(2026, 11, 12))
        account = coop.account(admission, "sukarela")
        for amount, day in (("150000", 13), ("250000", 16)):
            savings.deposit(
                tenant=coop.tenant, actor=coop.teller, account=account, amount=amount, on=date(2026, 11, day)
            )
        make_user("anggota-cetak", tenant=coop.tenant, role="member")
        _row, teller_token = auth.create_token(user=coop.teller, tenant=coop.tenant, name="loket")
        _row, manager_token = auth.create_token(user=coop.manager, tenant=coop.tenant, name="kantor")
        db_session.commit()
        ids = {"account": account.id, "teller_token": teller_token, "manager_token": manager_token}
        clear_tenant(db_session)
        yield coop, ids


def client_for(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    client.get("/lang/en")
    return client


def position(coop, account_id):
    set_tenant(db.session, coop.tenant.id)
    try:
        return passbook.position_of(get_scoped(db.session, SavingsAccount, account_id))
    finally:
        db.session.rollback()
        clear_tenant(db.session)


def hidden(html, name):
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)


def test_teller_sees_where_printing_continues_prints_and_confirms(app, shop):
    coop, ids = shop
    url = f"/t/ksp-cetak/savings/accounts/{ids['account']}/passbook"
    teller = client_for(app, "kasir-ksp-cetak")
    with frozen(NOW):
        assert url in teller.get(f"/t/ksp-cetak/savings/accounts/{ids['account']}").get_data(as_text=True)
        html = teller.get(url).get_data(as_text=True)
        assert "page 1, line 1" in html and "Rp 400.000,00" in html and "SETOR" in html
        through = hidden(html, "through_transaction_id")
        pdf = teller.get(url + f".pdf?through={through}")
        assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
        text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
        assert "150.000" in text and "400.000" in text and "Buku 1 - Halaman 1" in text
        assert position(coop, ids["account"]) == passbook.Position()  # not yet confirmed

        form = {
            n: hidden(html, n)
            for n in (
                "book_no",
                "page_no",
                "line_no",
                "last_transaction_id",
                "carry_forward",
                "through_transaction_id",
            )
        }
        resp = teller.post(url + "/confirm", data={**form, "csrf_token": csrf_token(teller, url)})
        assert resp.status_code == 302
        page = teller.get(url).get_data(as_text=True)
        assert teller.get(url + f".pdf?through={through}").status_code == 409  # that print is done
    assert "Passbook printed up to page 1, line 2." in page
    assert "Everything in this passbook is printed already." in page
    assert (position(coop, ids["account"]).page_no, position(coop, ids["account"]).line_no) == (1, 2)


def test_only_a_manager_resets_and_bad_input_is_a_form_error(app, shop):
    coop, ids = shop
    url = f"/t/ksp-cetak/savings/accounts/{ids['account']}/passbook"
    teller = client_for(app, "kasir-ksp-cetak")
    manager = client_for(app, "ketua-ksp-cetak")
    with frozen(NOW):
        assert (
            teller.post(
                url + "/reset", data={"csrf_token": csrf_token(teller, url), "new_book": "y"}
            ).status_code
            == 403
        )
        token = csrf_token(manager, url)
        bad = manager.post(
            url + "/reset", data={"csrf_token": token, "from_transaction": "", "page_no": "1", "line_no": "3"}
        )
        assert bad.status_code == 422 and "Choose a transaction of this account." in bad.get_data(
            as_text=True
        )
        ok = manager.post(url + "/reset", data={"csrf_token": token, "new_book": "y"})
        assert ok.status_code == 302
        assert "Printing continues in book 2, page 1, line 1." in manager.get(url).get_data(as_text=True)
    assert position(coop, ids["account"]).book_no == 2


def test_member_role_and_other_tenants_get_nothing(app, shop):
    _coop, ids = shop
    url = f"/t/ksp-cetak/savings/accounts/{ids['account']}/passbook"
    member = client_for(app, "anggota-cetak")
    assert member.get(url).status_code == 403
    with frozen(NOW):
        start_coop("ksp-lain")
        db.session.commit()
        clear_tenant(db.session)
    outsider = client_for(app, "kasir-ksp-lain")
    assert outsider.get(url).status_code == 404
    assert outsider.get(f"/t/ksp-lain/savings/accounts/{ids['account']}/passbook").status_code == 404


def test_api_lists_pending_lines_confirms_and_guards_the_reset(app, shop):
    _coop, ids = shop
    base = f"/api/v1/t/ksp-cetak/savings/accounts/{ids['account']}/passbook"
    teller = {"Authorization": f"Bearer {ids['teller_token']}"}
    manager = {"Authorization": f"Bearer {ids['manager_token']}"}
    client = app.test_client()
    with frozen(NOW):
        body = client.get(base, headers=teller).get_json()
        assert (body["next_page_no"], body["next_line_no"]) == (1, 1)
        assert [(ln["line_no"], ln["code"], ln["credit"], ln["balance"]) for ln in body["pending"]] == [
            (1, "SETOR", "150000.00", "150000.00"),
            (2, "SETOR", "250000.00", "400000.00"),
        ]
        pdf = client.get(base + "/print", headers=teller)
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
        confirmed = client.post(
            base + "/confirm",
            headers=teller,
            json={"started_from": body["position"], "through_transaction_id": body["through_transaction_id"]},
        )
        assert confirmed.status_code == 200
        assert confirmed.get_json()["pending"] == [] and confirmed.get_json()["position"]["line_no"] == 2
        assert client.get(base + "/print", headers=teller).status_code == 409
        stale = client.post(
            base + "/confirm",
            headers=teller,
            json={
                "started_from": {**body["position"], "line_no": 7},
                "through_transaction_id": str(ids["account"]),
            },
        )
        assert stale.status_code == 409
        assert client.post(base + "/reset", headers=teller, json={"new_book": True}).status_code == 403
        reset = client.post(base + "/reset", headers=manager, json={"new_book": True})
        assert reset.status_code == 200 and reset.get_json()["position"]["book_no"] == 2
        bad = client.post(
            base + "/reset",
            headers=manager,
            json={"page_no": 1, "line_no": 99, "from_transaction_id": body["through_transaction_id"]},
        )
        assert bad.status_code == 422 and "line_no" in bad.get_json()["fields"]
