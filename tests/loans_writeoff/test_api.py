"""The write-off API: a proposal with Idempotency-Key, maker-checker on approval, recoveries, and
refusals as problem bodies that save nothing."""

from __future__ import annotations

import pytest

from coopsaas.auth import services as auth
from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant
from tests.api.conftest import FreshContextClient, bearer
from tests.loans_repay.builders import NOW, make_loan, start_repay_coop

SLUG = "ksp-api-hapus"
BASE = f"/api/v1/t/{SLUG}/loans"


@pytest.fixture
def desk(app, db_session):
    with frozen(NOW):
        coop = start_repay_coop(SLUG)
        loan_id = str(make_loan(coop, coop.register().member).id)
        teller = bearer(auth.create_token(user=coop.teller, tenant=coop.tenant, name="api")[1])
        manager = bearer(auth.create_token(user=coop.manager, tenant=coop.tenant, name="api")[1])
        db_session.commit()
        clear_tenant(db_session)
        yield FreshContextClient(app, app.response_class, use_cookies=True), loan_id, teller, manager


def test_write_off_and_recovery_through_the_api(desk):
    api, loan_id, teller, manager = desk
    with frozen(NOW):
        missing = api.post(
            f"{BASE}/{loan_id}/write-offs", json={}, headers={**teller, "Idempotency-Key": "w0"}
        )
        assert missing.status_code == 422
        first = api.post(
            f"{BASE}/{loan_id}/write-offs",
            json={"reason": "Usaha tutup"},
            headers={**teller, "Idempotency-Key": "w1"},
        )
        again = api.post(
            f"{BASE}/{loan_id}/write-offs",
            json={"reason": "Usaha tutup"},
            headers={**teller, "Idempotency-Key": "w1"},
        )
        assert first.status_code == 201 and again.get_json()["id"] == first.get_json()["id"]
        proposal = first.get_json()
        assert (proposal["status"], proposal["principal"], proposal["loan_status"]) == (
            "proposed",
            "11000000.00",
            "active",
        )
        approve = f"{BASE}/{loan_id}/write-offs/{proposal['id']}/approve"
        assert api.post(approve, json={}, headers={**teller, "Idempotency-Key": "a0"}).status_code == 403
        done = api.post(approve, json={}, headers={**manager, "Idempotency-Key": "a1"})
        body = done.get_json()
        assert done.status_code == 200, body
        assert (body["status"], body["loan_status"], body["reserve_used"], body["shortfall"]) == (
            "approved",
            "written_off",
            "0.00",
            "11000000.00",
        )
        assert body["voucher_no"]
        repay = api.post(
            f"{BASE}/{loan_id}/repayments",
            json={"amount": "1081667.00"},
            headers={**teller, "Idempotency-Key": "r1"},
        )
        assert repay.status_code == 409 and repay.get_json()["error"] == "loan_written_off"
        too_much = api.post(
            f"{BASE}/{loan_id}/recoveries",
            json={"amount": "11000001.00"},
            headers={**teller, "Idempotency-Key": "c0"},
        )
        assert too_much.status_code == 422 and too_much.get_json()["error"] == "amount_not_accepted"
        got = api.post(
            f"{BASE}/{loan_id}/recoveries",
            json={"amount": "1000000.00", "channel": "transfer"},
            headers={**teller, "Idempotency-Key": "c1"},
        )
        assert got.status_code == 201 and got.get_json()["claim_after"] == "10000000.00"
        listed = api.get(f"{BASE}/{loan_id}/recoveries", headers=teller).get_json()
        assert [r["amount"] for r in listed] == ["1000000.00"]
        history = api.get(f"{BASE}/{loan_id}/write-offs", headers=teller).get_json()
        assert [(w["status"], w["recovered"], w["claim"]) for w in history] == [
            ("approved", "1000000.00", "10000000.00")
        ]


def test_rescheduling_through_the_api(desk):
    api, loan_id, teller, manager = desk
    body = {"term_months": 24, "rate": "12", "method": "ANUITAS", "reason": "Usaha menurun"}
    with frozen(NOW):
        assert (
            api.post(
                f"{BASE}/{loan_id}/reschedules", json=body, headers={**teller, "Idempotency-Key": "s0"}
            ).status_code
            == 403
        )
        bad = api.post(
            f"{BASE}/{loan_id}/reschedules",
            json={**body, "term_months": 0},
            headers={**manager, "Idempotency-Key": "s1"},
        )
        assert bad.status_code == 422 and "term_months" in bad.get_json()["fields"]
        done = api.post(
            f"{BASE}/{loan_id}/reschedules", json=body, headers={**manager, "Idempotency-Key": "s2"}
        )
        again = api.post(
            f"{BASE}/{loan_id}/reschedules", json=body, headers={**manager, "Idempotency-Key": "s2"}
        )
        got = done.get_json()
        assert done.status_code == 201, got
        assert again.get_json()["id"] == got["id"]
        assert (got["version"], got["new_principal"], got["first_due_on"]) == (2, "11000000.00", "2026-12-19")
        assert got["instalments"][0]["principal"] == "407808.00"  # 517.808 - 110.000 interest
        versions = api.get(f"{BASE}/{loan_id}/reschedules", headers=teller).get_json()
        assert [v["version"] for v in versions] == [1, 2]
        assert all(r["superseded_on"] == "2026-11-19" for r in versions[0]["instalments"])
