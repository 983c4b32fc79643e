"""The repayment API: a repayment with Idempotency-Key, the settlement quote, refusals as problem
bodies that save nothing, the arrears list and the portfolio report."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coopsaas.auth import services as auth
from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant, set_tenant
from coopsaas.extensions import db
from coopsaas.loans.models import LoanTransaction
from tests.api.conftest import FreshContextClient, bearer
from tests.loans_repay.builders import NIK_BUDI, NOW, make_loan, start_repay_coop

SLUG = "ksp-api-angsur"
BASE = f"/api/v1/t/{SLUG}/loans"


@pytest.fixture
def desk(app, db_session):
    with frozen(NOW):
        coop = start_repay_coop(SLUG)
        siti = coop.register().member
        budi = coop.register(nik=NIK_BUDI, name="Budi Santoso", phone="081234567890").member
        ids = {"siti": str(make_loan(coop, siti).id), "budi": str(make_loan(coop, budi, amount="5000000").id)}
        token = bearer(auth.create_token(user=coop.teller, tenant=coop.tenant, name="api")[1])
        db_session.commit()
        clear_tenant(db_session)
        yield FreshContextClient(app, app.response_class, use_cookies=True), coop, ids, token


def repayments_of(coop):
    set_tenant(db.session, coop.tenant.id)
    try:
        return db.session.scalar(
            select(func.count()).select_from(LoanTransaction).where(LoanTransaction.kind == "repayment")
        )
    finally:
        db.session.rollback()
        clear_tenant(db.session)


def test_a_repayment_with_an_idempotency_key_is_recorded_once(desk):
    api, coop, ids, token = desk
    headers = {**token, "Idempotency-Key": "angsuran-1"}
    with frozen(NOW):
        first = api.post(f"{BASE}/{ids['siti']}/repayments", json={"amount": "1081667.00"}, headers=headers)
        again = api.post(f"{BASE}/{ids['siti']}/repayments", json={"amount": "1081667.00"}, headers=headers)
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert (body["principal"], body["interest"], body["penalty"], body["outstanding_after"]) == (
        "916667.00",
        "165000.00",
        "0.00",
        "10083333.00",
    )
    assert body["voucher_no"].startswith("KM") and body["channel"] == "cash"
    assert again.get_json()["id"] == body["id"] and repayments_of(coop) == 1
    listed = api.get(f"{BASE}/{ids['siti']}/repayments", headers=token).get_json()
    assert [t["kind"] for t in listed] == ["disbursement", "repayment"]


def test_the_settlement_quote_and_paying_off_with_the_excess_to_savings(desk):
    api, _coop, ids, token = desk
    with frozen(NOW):
        quote = api.get(f"{BASE}/{ids['siti']}/settlement", headers=token).get_json()
        assert (quote["total"], quote["waived_interest"]) == ("11165000.00", "1815000.00")
        paid = api.post(
            f"{BASE}/{ids['siti']}/repayments",
            json={"amount": "11200000.00", "settle": True},
            headers={**token, "Idempotency-Key": "lunas-1"},
        )
        closed = api.post(
            f"{BASE}/{ids['siti']}/repayments",
            json={"amount": "1000.00"},
            headers={**token, "Idempotency-Key": "lunas-2"},
        )
    body = paid.get_json()
    assert (
        paid.status_code == 201
        and body["loan_status"] == "closed"
        and body["excess_to_savings"] == "35000.00"
    )
    assert closed.status_code == 409 and closed.get_json()["error"] == "loan_closed"


@pytest.mark.parametrize("amount", ["0.00", "-5000.00", "1000.555", "1000.50", "13000000.00"])
def test_bad_amounts_get_a_problem_body_and_nothing_is_saved(desk, amount):
    api, coop, ids, token = desk
    with frozen(NOW):
        resp = api.post(
            f"{BASE}/{ids['siti']}/repayments",
            json={"amount": amount},
            headers={**token, "Idempotency-Key": f"bad-{amount}"},
        )
    assert resp.status_code == 422
    assert "amount" in resp.get_json().get("fields", {})
    assert repayments_of(coop) == 0


def test_arrears_and_portfolio_reports(desk):
    api, _coop, ids, token = desk
    with frozen(NOW):
        api.post(
            f"{BASE}/{ids['siti']}/repayments",
            json={"amount": "1081667.00"},
            headers={**token, "Idempotency-Key": "angsuran-siti"},
        )
    arrears = api.get(
        f"{BASE}/reports/arrears", query_string={"as_of": "2027-01-05"}, headers=token
    ).get_json()
    # Budi's instalment of 491.667 plus its denda: 14 days after the grace x 491,667 = 6.883
    assert (arrears["count"], arrears["amount_due"]) == (1, "498550.00")
    late = arrears["items"][0]
    assert (late["loan_no"], late["phone"], late["days_past_due"], late["kolektibilitas"]) == (
        "PJ-000002",
        "081234567890",
        17,
        "L",
    )
    report = api.get(
        f"{BASE}/reports/portfolio", query_string={"as_of": "2027-01-05"}, headers=token
    ).get_json()
    par = {p["name"]: p for p in report["par"]}
    assert report["gross_outstanding"] == "15083333.00"
    assert (par["PAR1"]["amount"], par["PAR1"]["percent"], par["PAR30"]["percent"]) == (
        "5000000.00",
        "33.15",
        "0.00",
    )
    assert (report["npl_percent"], report["ppap_required"]) == ("0.00", "75417.00")
    assert report["by_product"][0]["by_class"]["L"] == "15083333.00"
