"""Members and savings over the JSON API: money as strings, Idempotency-Key, errors as problems."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coopsaas.auth import services as auth
from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant, set_tenant
from coopsaas.extensions import db
from coopsaas.members import services as members
from coopsaas.members.models import Member
from coopsaas.savings.models import SavingsTransaction
from tests.api.conftest import FreshContextClient, bearer
from tests.helpers import make_user
from tests.savings_services.builders import NIK_BUDI, NOW, start_coop

BASE = "/api/v1/t/ksp-api"


@pytest.fixture
def desk(app, db_session):
    with frozen(NOW):
        coop = start_coop("ksp-api")
        admission = coop.register()
        ids = {
            "member": str(admission.member.id),
            "sukarela": str(coop.account(admission, "sukarela").id),
            "pokok": str(coop.account(admission, "pokok").id),
        }
        _, teller = auth.create_token(user=coop.teller, tenant=coop.tenant, name="loket")
        member_user = make_user("anggota-api", tenant=coop.tenant, role="member")
        members.link_user(tenant=coop.tenant, actor=coop.manager, member=admission.member, user=member_user)
        coop.register(nik=NIK_BUDI, name="Budi Santoso")
        _, member = auth.create_token(user=member_user, tenant=coop.tenant, name="hp")
        db_session.commit()
        clear_tenant(db_session)
        client = FreshContextClient(app, app.response_class, use_cookies=True)
        yield client, coop, ids, bearer(teller), bearer(member)


def count(coop, model):
    set_tenant(db.session, coop.tenant.id)
    try:
        return db.session.scalar(select(func.count()).select_from(model))
    finally:
        db.session.rollback()
        clear_tenant(db.session)


def test_register_a_member_once_with_an_idempotency_key(desk):
    api, coop, _ids, teller, _member = desk
    body = {"nik": "3578016204000003", "name": "Rina Wati", "sex": "P", "channel": "transfer"}
    headers = {**teller, "Idempotency-Key": "daftar-budi"}
    with frozen(NOW):
        first = api.post(f"{BASE}/members/", json=body, headers=headers)
        again = api.post(f"{BASE}/members/", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    data = first.get_json()
    assert (data["member_no"], data["total_savings"]) == ("A-000003", "250000.00")
    assert [(a["product_code"], a["balance"]) for a in data["accounts"]] == [
        ("POKOK", "250000.00"),
        ("WAJIB", "0.00"),
        ("SIRELA", "0.00"),
    ]
    assert count(coop, Member) == 3


def test_duplicate_nik_is_a_409_problem(desk):
    api, _coop, _ids, teller, _member = desk
    resp = api.post(f"{BASE}/members/", json={"nik": "3578014508900001", "name": "Siti Lagi"}, headers=teller)
    assert resp.status_code == 409
    assert resp.get_json()["error"] == "duplicate_nik"


def test_search_and_member_detail(desk):
    api, _coop, ids, teller, _member = desk
    page = api.get(f"{BASE}/members/?q=aminah", headers=teller).get_json()
    assert [m["member_no"] for m in page["items"]] == ["A-000001"]
    detail = api.get(f"{BASE}/members/{ids['member']}", headers=teller).get_json()
    assert detail["name"] == "Siti Aminah"
    assert detail["total_savings"] == "250000.00"


def test_deposit_twice_with_one_key_posts_once_and_withdraw_checks_the_balance(desk):
    api, coop, ids, teller, _member = desk
    url = f"{BASE}/savings/accounts/{ids['sukarela']}"
    headers = {**teller, "Idempotency-Key": "setor-1"}
    with frozen(NOW):
        first = api.post(f"{url}/deposits", json={"amount": "1250000.00"}, headers=headers)
        again = api.post(f"{url}/deposits", json={"amount": "1250000.00"}, headers=headers)
        assert first.status_code == again.status_code == 201
        assert first.get_json()["balance_after"] == "1250000.00"
        assert first.get_json()["voucher_no"].startswith("KM-2026-")
        assert count(coop, SavingsTransaction) == 3  # two pokok admissions and one deposit
        over = api.post(f"{url}/withdrawals", json={"amount": "1225000.01"}, headers=teller)
        assert over.status_code == 409
        assert over.get_json()["error"] == "insufficient_funds"
        ok = api.post(f"{url}/withdrawals", json={"amount": "1225000.00"}, headers=teller)
        assert ok.status_code == 201
    account = api.get(url, headers=teller).get_json()
    assert (account["balance"], account["available"]) == ("25000.00", "0.00")
    txns = api.get(f"{url}/transactions", headers=teller).get_json()
    assert [(t["kind"], t["amount"], t["balance_after"]) for t in txns["items"]] == [
        ("withdrawal", "1225000.00", "25000.00"),
        ("deposit", "1250000.00", "1250000.00"),
    ]
    listed = api.get(f"{BASE}/savings/accounts?member_id={ids['member']}", headers=teller).get_json()
    assert [a["kind"] for a in listed["items"]] == ["pokok", "wajib", "sukarela"]


@pytest.mark.parametrize("amount", ["10.001", "-5", "0", 10000])
def test_bad_amounts_are_422_and_write_nothing(desk, amount):
    api, coop, ids, teller, _member = desk
    before = count(coop, SavingsTransaction)
    resp = api.post(
        f"{BASE}/savings/accounts/{ids['sukarela']}/deposits", json={"amount": amount}, headers=teller
    )
    assert resp.status_code == 422
    assert "amount" in resp.get_json()["fields"]
    assert count(coop, SavingsTransaction) == before


def test_pokok_withdrawal_is_refused(desk):
    api, _coop, ids, teller, _member = desk
    resp = api.post(
        f"{BASE}/savings/accounts/{ids['pokok']}/withdrawals", json={"amount": "1000.00"}, headers=teller
    )
    assert resp.status_code == 409
    assert resp.get_json()["error"] == "not_withdrawable"


def test_the_member_role_reads_no_one_through_the_api(desk):
    api, _coop, ids, _teller, member = desk
    for path in (
        "/members/",
        f"/members/{ids['member']}",
        f"/savings/accounts/{ids['sukarela']}",
        f"/savings/accounts/{ids['sukarela']}/transactions",
    ):
        resp = api.get(BASE + path, headers=member)
        assert resp.status_code == 403, path
        assert "Siti" not in resp.get_data(as_text=True)


def test_a_member_reads_their_own_savings_only(desk):
    api, _coop, _ids, teller, member = desk
    mine = api.get(f"{BASE}/me/savings", headers=member)
    assert mine.status_code == 200
    data = mine.get_json()
    assert (data["name"], data["total_savings"]) == ("Siti Aminah", "250000.00")
    assert "Budi" not in mine.get_data(as_text=True)
    assert api.get(f"{BASE}/me/savings", headers=teller).status_code == 403
