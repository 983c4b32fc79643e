"""Ledger API: posting with Idempotency-Key, bad input, reversal, trial balance, periods, accounts."""

from __future__ import annotations

from sqlalchemy import func, select

from coopsaas.core.db import tenant_scope
from coopsaas.extensions import db
from coopsaas.ledger.models import JournalEntry
from tests.ledger_web.conftest import post_via_api

BASE = "/api/v1/t/kop-a/ledger"


def auth(books):
    return {"Authorization": f"Bearer {books.token}"}


def entry_count(books):
    with tenant_scope(db.session, books.a.id):
        return db.session.scalar(select(func.count()).select_from(JournalEntry))


def test_post_an_entry_and_read_it_in_the_trial_balance(api, books):
    resp = post_via_api(api, books, [("1201", "1250000.00", "0"), ("1101", "0", "1250000.00")])
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["voucher_no"] == "JU-2026-000001"
    assert body["total"] == "1250000.00"
    assert [(ln["account_code"], ln["debit"], ln["credit"]) for ln in body["lines"]] == [
        ("1201", "1250000.00", "0.00"),
        ("1101", "0.00", "1250000.00"),
    ]
    tb = api.get(f"{BASE}/trial-balance?as_of=2026-03-10", headers=auth(books)).get_json()
    rows = {r["code"]: (r["debit"], r["credit"]) for r in tb["rows"]}
    assert rows == {"1101": ("0.00", "1250000.00"), "1201": ("1250000.00", "0.00")}
    assert tb["total_debit"] == tb["total_credit"] == "1250000.00"
    assert tb["is_balanced"] is True
    got = api.get(f"{BASE}/entries/{body['id']}", headers=auth(books)).get_json()
    assert got["created_by"] == "bookkeeper-a"


def test_a_repeated_idempotency_key_posts_once(api, books):
    lines = [("6101", "3000000.00", "0"), ("1102", "0", "3000000.00")]
    first = post_via_api(api, books, lines, key="gaji-maret")
    second = post_via_api(api, books, lines, key="gaji-maret")
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert first.get_json()["id"] == second.get_json()["id"]
    assert entry_count(books) == 1


def test_unbalanced_entry_is_422_with_fields_and_posts_nothing(api, books):
    resp = post_via_api(api, books, [("6101", "100.00", "0"), ("1101", "0", "99.99")])
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["error"] == "unbalanced"
    assert body["message"] == (
        "The entry does not balance: debits Rp 100, credits Rp 99,99, difference Rp 0,01."
    )
    assert "lines" in body["fields"]
    assert entry_count(books) == 0


def test_bad_amounts_and_unknown_accounts_are_422(api, books):
    floats = api.post(
        f"{BASE}/entries/",
        headers=auth(books),
        json={
            "entry_on": "2026-03-02",
            "memo": "x",
            "lines": [{"account_code": "1101", "debit": 100}, {"account_code": "4901", "credit": "100.001"}],
        },
    )
    assert floats.status_code == 422
    assert set(floats.get_json()["fields"]) == {"lines.0.debit", "lines.1.credit"}
    unknown = post_via_api(api, books, [("9999", "100.00", "0"), ("1101", "0", "100.00")])
    assert unknown.status_code == 422
    assert unknown.get_json()["fields"] == {"lines.1.account_code": ["Line 1: there is no account 9999."]}
    other_tenant = api.post(
        f"{BASE}/entries/",
        headers=auth(books),
        json={
            "entry_on": "2026-03-02",
            "memo": "x",
            "lines": [
                {"account_id": str(books.accounts_b["1101"]), "debit": "100.00"},
                {"account_code": "4901", "credit": "100.00"},
            ],
        },
    )
    assert other_tenant.status_code == 422
    assert other_tenant.get_json()["fields"]["lines.1.account"] == ["Line 1: unknown account."]
    assert entry_count(books) == 0


def test_reverse_through_the_api_once(api, books):
    posted = post_via_api(api, books, [("1101", "750000.00", "0"), ("4901", "0", "750000.00")]).get_json()
    url = f"{BASE}/entries/{posted['id']}/reverse"
    assert api.post(url, headers=auth(books), json={"reason": ""}).status_code == 422
    resp = api.post(url, headers=auth(books), json={"reason": "Dobel input"})
    assert resp.status_code == 201
    reversal = resp.get_json()
    assert reversal["reverses_entry_id"] == posted["id"]
    assert [(ln["account_code"], ln["debit"], ln["credit"]) for ln in reversal["lines"]] == [
        ("1101", "0.00", "750000.00"),
        ("4901", "750000.00", "0.00"),
    ]
    original = api.get(f"{BASE}/entries/{posted['id']}", headers=auth(books)).get_json()
    assert original["reversed_by_entry_id"] == reversal["id"]
    again = api.post(url, headers=auth(books), json={"reason": "Lagi"})
    assert again.status_code == 409
    assert again.get_json()["error"] == "already_reversed"
    tb = api.get(f"{BASE}/trial-balance", headers=auth(books)).get_json()
    assert tb["rows"] == [] and tb["total_debit"] == "0.00"


def test_entry_list_filters_and_paginates(api, books):
    for n in range(3):
        post_via_api(
            api,
            books,
            [("1101", f"{n + 1}000.00", "0"), ("4901", "0", f"{n + 1}000.00")],
            day=f"2026-03-0{n + 1}",
        )
    page = api.get(f"{BASE}/entries/?per_page=2", headers=auth(books)).get_json()
    assert (page["total"], page["pages"], len(page["items"])) == (3, 2, 2)
    assert page["items"][0]["voucher_no"] == "JU-2026-000003"
    dated = api.get(f"{BASE}/entries/?start=2026-03-02&end=2026-03-02", headers=auth(books)).get_json()
    assert [e["total"] for e in dated["items"]] == ["2000.00"]
    assert api.get(f"{BASE}/entries/?account=8888", headers=auth(books)).status_code == 422


def test_periods_close_and_reopen_through_the_api(api, books, db_session):
    from coopsaas.auth import services as auth_services

    _, manager_token = auth_services.create_token(user=books.manager, tenant=books.a, name="m")
    db_session.commit()
    manager = {"Authorization": f"Bearer {manager_token}"}
    post_via_api(api, books, [("1101", "2000000.00", "0"), ("3101", "0", "2000000.00")], day="2026-02-14")
    listed = api.get(f"{BASE}/periods", headers=manager).get_json()["items"]
    assert [p["period"] for p in listed] == ["2026-03", "2026-02"]
    assert {c["label"]: c["ok"] for c in listed[1]["checklist"]} == {
        "The month has ended": True,
        "The trial balance is balanced": True,
        "The previous month is closed": True,
        "Every sub-ledger equals its control account": True,
    }
    assert api.post(f"{BASE}/periods/2026-02/close", headers=auth(books)).status_code == 403
    closed = api.post(f"{BASE}/periods/2026-02/close", headers=manager)
    assert closed.status_code == 200
    assert closed.get_json()["status"] == "closed"
    tb = api.get(f"{BASE}/trial-balance?period=2026-02", headers=manager).get_json()
    assert tb["as_of"] == "2026-02-28" and tb["total_debit"] == "2000000.00"
    assert api.post(f"{BASE}/periods/2026-13/close", headers=manager).status_code == 404
    reopened = api.post(f"{BASE}/periods/2026-02/reopen", headers=manager, json={"reason": "Koreksi"})
    assert reopened.status_code == 200 and reopened.get_json()["status"] == "open"


def test_accounts_create_deactivate_and_ledger(api, books):
    created = api.post(
        f"{BASE}/accounts/",
        headers=auth(books),
        json={
            "code": "1709.1",
            "name": "Akumulasi penyusutan kendaraan",
            "type": "asset",
            "is_contra": True,
            "parent_code": "1709",
        },
    )
    assert created.status_code == 201
    assert created.get_json()["normal_side"] == "K"
    bad = api.post(
        f"{BASE}/accounts/", headers=auth(books), json={"code": "1101", "name": "Kas", "type": "asset"}
    )
    assert bad.status_code == 422 and bad.get_json()["fields"]["code"] == [
        "Account code 1101 is already in the chart."
    ]
    post_via_api(api, books, [("1101", "1000000.00", "0"), ("3101", "0", "1000000.00")], day="2026-03-01")
    post_via_api(api, books, [("6102", "250000.00", "0"), ("1101", "0", "250000.00")], day="2026-03-03")
    refused = api.post(f"{BASE}/accounts/{books.accounts['1101']}/deactivate", headers=auth(books))
    assert refused.status_code == 409 and refused.get_json()["error"] == "balance_not_zero"
    ok = api.post(f"{BASE}/accounts/{books.accounts['4101']}/deactivate", headers=auth(books))
    assert ok.status_code == 200 and ok.get_json()["is_active"] is False
    ledger = api.get(
        f"{BASE}/accounts/{books.accounts['1101']}/ledger?start=2026-03-02&end=2026-03-31",
        headers=auth(books),
    ).get_json()
    assert ledger["opening"] == "1000000.00"
    assert [(i["credit"], i["balance"]) for i in ledger["items"]] == [("250000.00", "750000.00")]
    assert ledger["closing"] == "750000.00"


def test_teller_token_is_403_on_posting(api, books, db_session):
    from coopsaas.auth import services as auth_services

    _, raw = auth_services.create_token(user=books.teller, tenant=books.a, name="t")
    db_session.commit()
    resp = api.post(
        f"{BASE}/entries/",
        headers={"Authorization": f"Bearer {raw}"},
        json={"entry_on": "2026-03-02", "memo": "x", "lines": []},
    )
    assert resp.status_code == 403


def test_dates_at_the_edge_of_the_calendar_are_422_not_500(api, books):
    for query in ("as_of=9999-12-31", "period=9999-12", "as_of=0001-01-01", "as_of=kemarin"):
        resp = api.get(f"{BASE}/trial-balance?{query}", headers=auth(books))
        assert resp.status_code == 422, query
    ledger = f"{BASE}/accounts/{books.accounts['1101']}/ledger?start=0001-01-01"
    assert api.get(ledger, headers=auth(books)).status_code == 422
