"""The loans API: products, a quote, applications with Idempotency-Key and maker-checker,
disbursement and the loan book, with problem bodies for every refusal."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coopsaas.auth import services as auth
from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant, set_tenant
from coopsaas.extensions import db
from coopsaas.loans import products
from coopsaas.loans.models import Loan, LoanApplication
from tests.api.conftest import FreshContextClient, bearer
from tests.helpers import make_user
from tests.loans_book.builders import NIK_BUDI, NOW, start_loan_coop

BASE = "/api/v1/t/ksp-api-pinjam/loans"


@pytest.fixture
def desk(app, db_session):
    with frozen(NOW):
        coop = start_loan_coop("ksp-api-pinjam")
        siti = coop.register().member
        coop.register(nik=NIK_BUDI, name="Budi Santoso")
        umum = products.ensure_products(coop.tenant)["PINJ-UMUM"]
        second = make_user("ketua-dua", tenant=coop.tenant, role="manager")
        tokens = {
            name: bearer(auth.create_token(user=user, tenant=coop.tenant, name="api")[1])
            for name, user in (("teller", coop.teller), ("manager", coop.manager), ("manager2", second))
        }
        ids = {"siti": str(siti.id), "umum": str(umum.id)}
        db_session.commit()
        clear_tenant(db_session)
        client = FreshContextClient(app, app.response_class, use_cookies=True)
        yield client, coop, ids, tokens


def count(coop, model):
    set_tenant(db.session, coop.tenant.id)
    try:
        return db.session.scalar(select(func.count()).select_from(model))
    finally:
        db.session.rollback()
        clear_tenant(db.session)


def application_body(ids, amount="11000000.00"):
    return {
        "member_id": ids["siti"],
        "product_id": ids["umum"],
        "amount": amount,
        "term_months": 12,
        "purpose": "Modal warung",
        "collateral": "BPKB motor",
        "collateral_value": "8000000.00",
    }


def test_products_and_a_quote_carry_money_as_strings(desk):
    api, _coop, ids, tokens = desk
    listed = api.get(f"{BASE}/products", headers=tokens["teller"]).get_json()
    umum = next(p for p in listed["items"] if p["code"] == "PINJ-UMUM")
    assert (umum["min_amount"], umum["rate"], umum["rate_basis"]) == ("1000000.00", "18", "rate_pa")
    with frozen(NOW):
        quote = api.get(
            f"{BASE}/quote",
            headers=tokens["teller"],
            query_string={
                "member_id": ids["siti"],
                "product_id": ids["umum"],
                "amount": "11000000",
                "term_months": 12,
            },
        )
    body = quote.get_json()
    assert quote.status_code == 200
    assert (body["regular_instalment"], body["total_interest"], body["net_disbursed"]) == (
        "1081667.00",
        "1980000.00",
        "10865000.00",
    )
    assert body["instalments"][-1] == {
        "no": 12,
        "due_on": "2027-11-19",
        "principal": "916663.00",
        "interest": "165000.00",
        "total": "1081663.00",
        "balance_after": "0.00",
    }


def test_the_whole_flow_with_idempotency_maker_checker_and_one_disbursement(desk):
    api, coop, ids, tokens = desk
    headers = {**tokens["teller"], "Idempotency-Key": "pengajuan-1"}
    with frozen(NOW):
        first = api.post(f"{BASE}/applications", json=application_body(ids), headers=headers)
        again = api.post(f"{BASE}/applications", json=application_body(ids), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    application = first.get_json()
    assert (application["application_no"], application["status"], application["provision_fee"]) == (
        "PM-000001",
        "submitted",
        "110000.00",
    )
    assert count(coop, LoanApplication) == 1
    url = f"{BASE}/applications/{application['id']}"

    early = api.post(url + "/disburse", json={}, headers=tokens["teller"])
    assert early.status_code == 409 and early.get_json()["error"] == "not_approved"
    assert api.post(url + "/approve", json={}, headers=tokens["teller"]).status_code == 403

    with frozen(NOW):
        maker = api.post(
            f"{BASE}/applications", json=application_body(ids, "2000000.00"), headers=tokens["manager"]
        )
    own = api.post(
        f"{BASE}/applications/{maker.get_json()['id']}/approve", json={}, headers=tokens["manager"]
    )
    assert own.status_code == 409 and own.get_json()["error"] == "maker_checker"

    approved = api.post(url + "/approve", json={"reason": "Lengkap"}, headers=tokens["manager"])
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    with frozen(NOW):
        paid = api.post(
            url + "/disburse",
            json={"channel": "cash"},
            headers={**tokens["teller"], "Idempotency-Key": "cair-1"},
        )
    loan = paid.get_json()
    assert paid.status_code == 201
    assert (loan["loan_no"], loan["outstanding_principal"], loan["net_disbursed"]) == (
        "PJ-000001",
        "11000000.00",
        "10865000.00",
    )
    assert (loan["next_due_on"], loan["next_due_amount"], len(loan["instalments"])) == (
        "2026-12-19",
        "1081667.00",
        12,
    )
    with frozen(NOW):
        twice = api.post(
            url + "/disburse",
            json={"channel": "cash"},
            headers={**tokens["teller"], "Idempotency-Key": "cair-2"},
        )
    assert twice.status_code == 409 and twice.get_json()["error"] == "already_disbursed"
    assert count(coop, Loan) == 1

    book = api.get(f"{BASE}/", headers=tokens["teller"], query_string={"status": "active"}).get_json()
    assert [row["loan_no"] for row in book["items"]] == ["PJ-000001"]
    one = api.get(f"{BASE}/{loan['id']}", headers=tokens["teller"]).get_json()
    assert one["instalments"][0]["total"] == "1081667.00"


@pytest.mark.parametrize(
    ("amount", "term", "field"),
    [("60000000.00", 12, "amount"), ("5000000.00", 48, "term_months"), (5000000, 12, "amount")],
)
def test_bad_applications_get_a_problem_body_and_nothing_is_saved(desk, amount, term, field):
    api, coop, ids, tokens = desk
    body = {**application_body(ids, amount), "term_months": term}
    with frozen(NOW):
        resp = api.post(f"{BASE}/applications", json=body, headers=tokens["teller"])
    assert resp.status_code == 422
    problem = resp.get_json()
    assert field in problem.get("fields", problem.get("errors", {}).get("json", {}))
    assert count(coop, LoanApplication) == 0


def test_a_manager_patches_a_product_and_a_teller_may_not(desk):
    api, _coop, ids, tokens = desk
    url = f"{BASE}/products/{ids['umum']}"
    assert api.patch(url, json={"admin_fee": "30000.00"}, headers=tokens["teller"]).status_code == 403
    bad = api.patch(url, json={"max_amount": "100.00"}, headers=tokens["manager"])
    assert bad.status_code == 422 and "max_amount" in bad.get_json()["fields"]
    ok = api.patch(
        url, json={"admin_fee": "30000.00", "fee_collection": "separate"}, headers=tokens["manager"]
    )
    assert ok.status_code == 200
    assert (ok.get_json()["admin_fee"], ok.get_json()["fee_collection"]) == ("30000.00", "separate")
    assert ok.get_json()["edited_at"] is not None


def test_another_tenants_ids_are_not_found(desk, app, db_session):
    api, _coop, ids, _tokens = desk
    with frozen(NOW):
        other = start_loan_coop("ksp-api-lain")
        _, raw = auth.create_token(user=other.teller, tenant=other.tenant, name="api")
        db_session.commit()
        clear_tenant(db_session)
    resp = api.get(f"/api/v1/t/ksp-api-lain/loans/products/{ids['umum']}", headers=bearer(raw))
    assert resp.status_code == 404
    assert api.get(f"{BASE}/products", headers=bearer(raw)).status_code == 404
