"""The cash day, savings products and time deposit APIs: success, bad input, wrong role, other tenant."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from coopsaas.auth import services as auth
from coopsaas.core.db import clear_tenant, set_tenant
from coopsaas.extensions import db
from coopsaas.ledger import balance_of
from coopsaas.ledger.models import JournalEntry
from coopsaas.savings.models import SavingsTransaction
from coopsaas.savings.models_berjangka import BerjangkaPlacement
from tests.api.conftest import FreshContextClient, bearer
from tests.savings_services.builders import start_coop
from tests.teller.conftest import TODAY, rp

BASE = "/api/v1/t/ksp-uji"


@pytest.fixture
def desk(app, coop, db_session):
    for user in (coop.teller, coop.teller2, coop.manager, coop.auditor):
        user.locale = "en"
    tokens = {}
    for name, user in (
        ("teller", coop.teller),
        ("teller2", coop.teller2),
        ("manager", coop.manager),
        ("auditor", coop.auditor),
    ):
        _, raw = auth.create_token(user=user, tenant=coop.tenant, name=name)
        tokens[name] = bearer(raw)
    coop.ids = {
        "siti": str(coop.siti.member.id),
        "siti_sukarela": str(coop.account(coop.siti, "sukarela").id),
        "budi_sukarela": str(coop.account(coop.budi, "sukarela").id),
    }
    db_session.commit()
    clear_tenant(db_session)
    client = FreshContextClient(app, app.response_class, use_cookies=True)
    yield client, coop, tokens
    clear_tenant(db_session)


def scoped(coop, fn):
    set_tenant(db.session, coop.tenant.id)
    try:
        return fn()
    finally:
        db.session.rollback()
        clear_tenant(db.session)


def deposit(api, coop, headers, amount, account="siti_sukarela", **extra):
    body = {"amount": amount, **extra}
    return api.post(f"{BASE}/savings/accounts/{coop.ids[account]}/deposits", json=body, headers=headers)


def test_teller_opens_posts_and_closes_a_day_with_a_shortage(desk):
    api, coop, tok = desk
    opened = api.post(
        f"{BASE}/till/sessions",
        json={"opening_float": "1000000.00"},
        headers={**tok["teller"], "Idempotency-Key": "buka-1"},
    )
    assert opened.status_code == 201, opened.json
    session_id = opened.json["id"]
    assert opened.json["status"] == "open"
    assert opened.json["business_on"] == "2026-11-19"
    assert deposit(api, coop, tok["teller"], "750000.00").status_code == 201
    assert (
        api.post(
            f"{BASE}/savings/accounts/{coop.ids['siti_sukarela']}/withdrawals",
            json={"amount": "200000.00"},
            headers=tok["teller"],
        ).status_code
        == 201
    )
    day = api.get(f"{BASE}/till/sessions/{session_id}", headers=tok["teller"]).json
    assert day["position"]["expected"] == "1550000.00"
    assert day["position"]["cash_in"] == "750000.00"
    assert day["position"]["cash_out"] == "200000.00"

    no_reason = api.post(
        f"{BASE}/till/sessions/{session_id}/close", json={"counted": "1545000.00"}, headers=tok["teller"]
    )
    assert no_reason.status_code == 422
    assert no_reason.json["fields"]["reason"] == [
        "The count differs from the expected cash by Rp 5.000: give the reason."
    ]
    closed = api.post(
        f"{BASE}/till/sessions/{session_id}/close",
        json={"denominations": {"100000": 15, "20000": 2, "5000": 1}, "reason": "Salah kembalian"},
        headers={**tok["teller"], "Idempotency-Key": "tutup-1"},
    )
    assert closed.status_code == 200, closed.json
    assert closed.json["counted"] == "1545000.00"
    assert closed.json["difference"] == "-5000.00"
    assert closed.json["difference_posted"] == "-5000.00"
    assert scoped(coop, lambda: balance_of(coop.accounts["1190"], TODAY)) == rp(5000)

    refused = deposit(api, coop, tok["teller"], "10000.00")
    assert refused.status_code == 409
    assert refused.json["error"] == "teller_day_closed"
    assert "closed" in refused.json["message"]

    assert (
        api.post(
            f"{BASE}/till/sessions/{session_id}/reopen", json={"reason": "x"}, headers=tok["teller"]
        ).status_code
        == 403
    )
    reopened = api.post(
        f"{BASE}/till/sessions/{session_id}/reopen",
        json={"reason": "Setoran terlambat"},
        headers=tok["manager"],
    )
    assert reopened.status_code == 200 and reopened.json["status"] == "open"
    assert deposit(api, coop, tok["teller"], "10000.00").status_code == 201
    again = api.post(
        f"{BASE}/till/sessions/{session_id}/close", json={"counted": "1560000.00"}, headers=tok["teller"]
    )
    assert again.status_code == 200
    assert again.json["difference"] == "0.00"
    assert scoped(coop, lambda: balance_of(coop.accounts["1190"], TODAY)) == rp(0)


def test_day_lists_by_role(desk):
    api, _coop, tok = desk
    for name in ("teller", "teller2"):
        assert (
            api.post(f"{BASE}/till/sessions", json={"opening_float": "0.00"}, headers=tok[name]).status_code
            == 201
        )
    own = api.get(f"{BASE}/till/sessions", headers=tok["teller"]).json
    assert own["total"] == 1
    everyone = api.get(f"{BASE}/till/sessions?status=open", headers=tok["auditor"]).json
    assert everyone["total"] == 2
    other_id = next(i["id"] for i in everyone["items"] if i["teller_name"] != own["items"][0]["teller_name"])
    assert api.get(f"{BASE}/till/sessions/{other_id}", headers=tok["teller"]).status_code == 404
    assert api.get(f"{BASE}/till/sessions/{other_id}", headers=tok["manager"]).status_code == 200
    assert (
        api.post(f"{BASE}/till/sessions", json={"opening_float": "0.00"}, headers=tok["auditor"]).status_code
        == 403
    )
    assert api.get(f"{BASE}/till/sessions?status=done", headers=tok["manager"]).status_code == 422


def test_bad_open_input_changes_nothing(desk):
    api, _coop, tok = desk
    for body in ({"opening_float": "-1.00"}, {"opening_float": 100000}, {"opening_float": "1.001"}, {}):
        assert api.post(f"{BASE}/till/sessions", json=body, headers=tok["teller"]).status_code == 422
    future = api.post(
        f"{BASE}/till/sessions",
        json={"opening_float": "0.00", "business_on": "2026-11-20"},
        headers=tok["teller"],
    )
    assert future.status_code == 422
    assert api.get(f"{BASE}/till/sessions", headers=tok["teller"]).json["total"] == 0


def test_backdated_deposit_names_the_limit(desk):
    api, coop, tok = desk
    resp = deposit(api, coop, tok["teller"], "10000.00", entry_on="2026-11-01")
    assert resp.status_code == 422
    assert resp.json["error"] == "backdate_limit"
    assert "at most 7 days before today" in resp.json["message"]
    assert (
        scoped(
            coop,
            lambda: db.session.scalar(
                select(func.count())
                .select_from(SavingsTransaction)
                .where(SavingsTransaction.entry_on == date(2026, 11, 1))
            ),
        )
        == 0
    )
    assert deposit(api, coop, tok["teller"], "10000.00", entry_on="2026-11-12").status_code == 201


def test_products_api_lists_and_patches(desk):
    api, _coop, tok = desk
    listing = api.get(f"{BASE}/savings/products/", headers=tok["teller"])
    assert listing.status_code == 200
    codes = [p["code"] for p in listing.json["items"]]
    assert codes[:3] == ["POKOK", "WAJIB", "SIRELA"]
    assert (
        api.patch(
            f"{BASE}/savings/products/SIRELA", json={"rate_pa": "3.5"}, headers=tok["teller"]
        ).status_code
        == 403
    )
    bad = api.patch(f"{BASE}/savings/products/SIRELA", json={"rate_pa": "3.12345"}, headers=tok["manager"])
    assert bad.status_code == 422
    wrong_kind = api.patch(f"{BASE}/savings/products/POKOK", json={"rate_pa": "3"}, headers=tok["manager"])
    assert wrong_kind.status_code == 422
    assert "rate_pa" in wrong_kind.json["fields"]
    ok = api.patch(
        f"{BASE}/savings/products/SIRELA",
        json={"rate_pa": "3.5", "admin_fee": "2500.00"},
        headers=tok["manager"],
    )
    assert ok.status_code == 200, ok.json
    assert ok.json["parameters"]["rate_pa"] == "3.5"
    assert ok.json["parameters"]["admin_fee"] == "2500.00"
    assert api.get(f"{BASE}/savings/products/NOPE", headers=tok["manager"]).status_code == 404


def test_time_deposit_api_places_shows_schedule_and_breaks(desk):
    api, coop, tok = desk
    assert deposit(api, coop, tok["teller"], "20000000.00", channel="transfer").status_code == 201
    body = {
        "member_id": coop.ids["siti"],
        "product_code": "DEPO",
        "amount": "15000000.00",
        "term_months": 3,
        "source": "sukarela",
        "payout_account_id": coop.ids["siti_sukarela"],
        "placed_on": "2026-11-12",
    }
    headers = {**tok["teller"], "Idempotency-Key": "depo-siti-1"}
    first = api.post(f"{BASE}/savings/berjangka/placements", json=body, headers=headers)
    assert first.status_code == 201, first.json
    again = api.post(f"{BASE}/savings/berjangka/placements", json=body, headers=headers)
    assert again.status_code == 201 and again.json["id"] == first.json["id"]
    assert scoped(coop, lambda: db.session.scalar(select(func.count()).select_from(BerjangkaPlacement))) == 1
    placement = first.json
    assert placement["maturity_on"] == "2027-02-12"
    assert placement["rate_pa"] == "6"
    schedule = placement["schedule"]
    # 15.000.000 x 6 % x 31/365 = 76.438,36 -> 76.438 for 12 Nov - 12 Dec.
    assert [p["gross"] for p in schedule["periods"]] == ["73973.00", "76438.00", "76438.00"]
    # MONTHLY payout: the last month's interest (under the Rp 240.000 tax threshold) comes with the principal.
    assert schedule["maturity_paid_out"] == "15076438.00"
    detail = api.get(f"{BASE}/savings/berjangka/placements/{placement['id']}", headers=tok["auditor"])
    assert detail.status_code == 200 and detail.json["schedule"] == schedule
    listing = api.get(f"{BASE}/savings/berjangka/placements?status=active", headers=tok["teller"]).json
    assert listing["total"] == 1

    too_old = dict(body, placed_on="2026-10-01")
    assert (
        api.post(f"{BASE}/savings/berjangka/placements", json=too_old, headers=tok["teller"]).status_code
        == 422
    )
    bad_term = dict(body, term_months=5)
    assert (
        api.post(f"{BASE}/savings/berjangka/placements", json=bad_term, headers=tok["teller"]).status_code
        == 422
    )

    url = f"{BASE}/savings/berjangka/placements/{placement['id']}/break"
    assert api.post(url, json={}, headers=tok["teller"]).status_code == 403
    broken = api.post(
        url, json={"broken_on": "2026-11-19"}, headers={**tok["manager"], "Idempotency-Key": "pecah-1"}
    )
    assert broken.status_code == 200, broken.json
    # PERCENT_OF_PRINCIPAL 1 %: 7 days 15.000.000 x 6 % x 7/365 = 17.260,27 -> 17.260; penalty 150.000.
    assert broken.json["interest_gross"] == "17260.00"
    assert broken.json["penalty"] == "150000.00"
    assert broken.json["paid_out"] == "14867260.00"
    assert broken.json["placement"]["status"] == "broken"
    assert api.post(url, json={}, headers=tok["manager"]).status_code == 409


def test_other_tenants_ids_are_404(desk, app):
    api, coop, tok = desk
    opened = api.post(f"{BASE}/till/sessions", json={"opening_float": "0.00"}, headers=tok["teller"]).json
    other = start_coop("ksp-lain")
    _, raw = auth.create_token(user=other.manager, tenant=other.tenant, name="lain")
    db.session.commit()
    clear_tenant(db.session)
    foreign = bearer(raw)
    assert api.get(f"/api/v1/t/ksp-lain/till/sessions/{opened['id']}", headers=foreign).status_code == 404
    assert (
        api.post(
            f"/api/v1/t/ksp-lain/till/sessions/{opened['id']}/reopen", json={"reason": "x"}, headers=foreign
        ).status_code
        == 404
    )
    assert api.get(f"{BASE}/till/sessions", headers=foreign).status_code == 404
    entries = scoped(coop, lambda: db.session.scalar(select(func.count()).select_from(JournalEntry)))
    assert entries > 0
