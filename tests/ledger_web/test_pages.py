"""Ledger pages: who may see them, posting through the form, reversal, periods, opening import."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from coopsaas.core.db import tenant_scope
from coopsaas.extensions import db
from coopsaas.ledger import trial_balance
from coopsaas.ledger.models import FiscalPeriod, JournalEntry
from tests.ledger_web.conftest import csrf_of, logged_in, post_via_api

PAGES = [
    "/t/kop-a/ledger/accounts",
    "/t/kop-a/ledger/entries",
    "/t/kop-a/ledger/trial-balance",
    "/t/kop-a/ledger/periods",
]


def entry_count(books):
    with tenant_scope(db.session, books.a.id):
        return db.session.scalar(select(func.count()).select_from(JournalEntry))


def tb_of(books, **kw):
    with tenant_scope(db.session, books.a.id):
        tb = trial_balance(books.a, **kw)
        return {r.code: (r.debit, r.credit) for r in tb.rows}, tb.total_debit, tb.total_credit


def entry_form(client, lines, *, day="2026-03-05", memo="Bayar gaji Maret"):
    html = client.get("/t/kop-a/ledger/entries/new").get_data(as_text=True)
    token = csrf_of(html)
    import re

    form_token = re.search(r'name="token" type="hidden" value="([0-9a-f]+)"', html) or re.search(
        r'id="token" name="token" type="hidden" value="([0-9a-f]+)"', html
    )
    assert form_token, "the entry form carries no idempotency token"
    data = {"csrf_token": token, "token": form_token.group(1), "entry_on": day, "memo": memo}
    for i, (account_id, debit, credit) in enumerate(lines):
        data[f"lines-{i}-account"] = str(account_id)
        data[f"lines-{i}-debit"] = debit
        data[f"lines-{i}-credit"] = credit
    return data


@pytest.mark.parametrize("username", ["manager-a", "bookkeeper-a", "auditor-a"])
def test_ledger_pages_render_for_ledger_roles(app, books, username):
    client = logged_in(app, username)
    for path in PAGES:
        resp = client.get(path)
        assert resp.status_code == 200, (path, resp.status_code)
    assert "Kas" in client.get("/t/kop-a/ledger/accounts").get_data(as_text=True)


def test_teller_gets_403_on_ledger_pages_and_the_entry_form(app, books):
    client = logged_in(app, "teller-a")
    for path in [*PAGES, "/t/kop-a/ledger/entries/new"]:
        assert client.get(path).status_code == 403, path


def test_auditor_cannot_open_the_entry_form(app, books):
    assert logged_in(app, "auditor-a").get("/t/kop-a/ledger/entries/new").status_code == 403


def test_posting_through_the_form_shows_in_the_trial_balance_to_the_rupiah(app, books):
    client = logged_in(app, "bookkeeper-a")
    data = entry_form(
        client, [(books.accounts["6101"], "1.250.000", ""), (books.accounts["1101"], "", "1250000")]
    )
    resp = client.post("/t/kop-a/ledger/entries/new", data=data)
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "JU-2026-000001" in page
    assert "Rp 1.250.000,00" in page
    rows, total_d, total_c = tb_of(books)
    assert rows["6101"] == (Decimal("1250000.00"), Decimal("0.00"))
    assert rows["1101"] == (Decimal("0.00"), Decimal("1250000.00"))
    assert total_d == total_c == Decimal("1250000.00")


def test_submitting_the_same_form_twice_posts_once(app, books):
    client = logged_in(app, "bookkeeper-a")
    data = entry_form(
        client, [(books.accounts["6102"], "75000,50", ""), (books.accounts["1101"], "", "75.000,50")]
    )
    first = client.post("/t/kop-a/ledger/entries/new", data=data)
    second = client.post("/t/kop-a/ledger/entries/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert entry_count(books) == 1
    rows, _, _ = tb_of(books)
    assert rows["6102"] == (Decimal("75000.50"), Decimal("0.00"))


def test_unbalanced_form_shows_the_difference_and_posts_nothing(app, books):
    client = logged_in(app, "bookkeeper-a")
    data = entry_form(
        client, [(books.accounts["6101"], "1.250.000", ""), (books.accounts["1101"], "", "1.000.000")]
    )
    resp = client.post("/t/kop-a/ledger/entries/new", data=data)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert (
        "The entry does not balance: debits Rp 1.250.000, credits Rp 1.000.000, difference Rp 250.000."
        in body
    )
    assert entry_count(books) == 0


def test_an_amount_that_is_not_money_is_shown_on_its_line(app, books):
    client = logged_in(app, "bookkeeper-a")
    data = entry_form(client, [(books.accounts["6101"], "12,345", ""), (books.accounts["1101"], "", "abc")])
    resp = client.post("/t/kop-a/ledger/entries/new", data=data)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert body.count("Not an amount: write it like 1.250.000 or 1250000,50.") == 2
    assert entry_count(books) == 0


def test_reversal_from_the_entry_page_links_both_ways(app, books, api):
    posted = post_via_api(api, books, [("1101", "500000.00", "0"), ("4901", "0", "500000.00")]).get_json()
    client = logged_in(app, "bookkeeper-a")
    path = f"/t/kop-a/ledger/entries/{posted['id']}"
    token = csrf_of(client.get(path).get_data(as_text=True))
    missing = client.post(path + "/reverse", data={"csrf_token": token, "reason": ""})
    assert missing.status_code == 422
    assert entry_count(books) == 1
    resp = client.post(path + "/reverse", data={"csrf_token": token, "reason": "Salah akun"})
    assert resp.status_code == 302
    reversal_page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "JU-2026-000002" in reversal_page and "JU-2026-000001" in reversal_page
    original_page = client.get(path).get_data(as_text=True)
    assert "Reversed by" in original_page and "JU-2026-000002" in original_page
    rows, total_d, _ = tb_of(books)
    assert rows == {} and total_d == Decimal("0.00")
    again = client.post(path + "/reverse", data={"csrf_token": token, "reason": "Lagi"})
    assert again.status_code == 409
    assert "JU-2026-000001 was already reversed by JU-2026-000002." in again.get_data(as_text=True)


def test_reversal_above_the_threshold_needs_a_manager(app, books, api):
    posted = post_via_api(api, books, [("1201", "15000000.00", "0"), ("1102", "0", "15000000.00")]).get_json()
    client = logged_in(app, "bookkeeper-a")
    path = f"/t/kop-a/ledger/entries/{posted['id']}"
    token = csrf_of(client.get(path).get_data(as_text=True))
    resp = client.post(path + "/reverse", data={"csrf_token": token, "reason": "Salah"})
    assert resp.status_code == 403
    assert "needs a manager" in resp.get_data(as_text=True)
    assert entry_count(books) == 1


def test_close_and_reopen_february_through_the_periods_page(app, books, api):
    assert (
        post_via_api(
            api, books, [("1101", "2000000.00", "0"), ("3101", "0", "2000000.00")], day="2026-02-14"
        ).status_code
        == 201
    )
    client = logged_in(app, "manager-a")
    page = client.get("/t/kop-a/ledger/periods").get_data(as_text=True)
    assert "The trial balance is balanced" in page and "The previous month is closed" in page
    token = csrf_of(page)
    resp = client.post("/t/kop-a/ledger/periods/2026-02/close", data={"csrf_token": token})
    assert resp.status_code == 302
    with tenant_scope(db.session, books.a.id):
        assert (
            db.session.scalars(select(FiscalPeriod.status).where(FiscalPeriod.month == 2)).one() == "closed"
        )
    late = post_via_api(api, books, [("1101", "1000.00", "0"), ("3101", "0", "1000.00")], day="2026-02-20")
    assert late.status_code == 409
    not_ended = client.post("/t/kop-a/ledger/periods/2026-03/close", data={"csrf_token": token})
    assert not_ended.status_code == 422
    assert "2026-03 has not ended yet." in not_ended.get_data(as_text=True)
    no_reason = client.post(
        "/t/kop-a/ledger/periods/2026-02/reopen", data={"csrf_token": token, "reason": ""}
    )
    assert no_reason.status_code == 422
    resp = client.post(
        "/t/kop-a/ledger/periods/2026-02/reopen", data={"csrf_token": token, "reason": "Koreksi"}
    )
    assert resp.status_code == 302
    with tenant_scope(db.session, books.a.id):
        assert db.session.scalars(select(FiscalPeriod.status).where(FiscalPeriod.month == 2)).one() == "open"


def test_bookkeeper_cannot_close_a_period(app, books):
    client = logged_in(app, "bookkeeper-a")
    token = csrf_of(client.get("/t/kop-a/ledger/periods").get_data(as_text=True))
    assert client.post("/t/kop-a/ledger/periods/2026-02/close", data={"csrf_token": token}).status_code == 403


def test_add_an_account_and_refuse_to_deactivate_one_with_a_balance(app, books, api):
    client = logged_in(app, "bookkeeper-a")
    token = csrf_of(client.get("/t/kop-a/ledger/accounts/new").get_data(as_text=True))
    resp = client.post(
        "/t/kop-a/ledger/accounts/new",
        data={
            "csrf_token": token,
            "code": "1103",
            "name": "Bank Syariah",
            "type": "asset",
            "parent_code": "",
            "tags": "kas_bank",
        },
    )
    assert resp.status_code == 302
    dup = client.post(
        "/t/kop-a/ledger/accounts/new",
        data={"csrf_token": token, "code": "1103", "name": "Lagi", "type": "asset"},
    )
    assert dup.status_code == 422
    assert "Account code 1103 is already in the chart." in dup.get_data(as_text=True)
    post_via_api(api, books, [("1102", "300000.00", "0"), ("3101", "0", "300000.00")])
    refused = client.post(
        f"/t/kop-a/ledger/accounts/{books.accounts['1102']}/deactivate", data={"csrf_token": token}
    )
    assert refused.status_code == 409
    assert "still has a balance of Rp 300.000" in refused.get_data(as_text=True)
    unused = client.post(
        f"/t/kop-a/ledger/accounts/{books.accounts['4901']}/deactivate", data={"csrf_token": token}
    )
    assert unused.status_code == 302
    assert "Inactive" in client.get("/t/kop-a/ledger/accounts").get_data(as_text=True)


def test_journal_list_filters_by_account_and_voucher(app, books, api):
    post_via_api(api, books, [("1101", "100000.00", "0"), ("4901", "0", "100000.00")], memo="Pendapatan")
    post_via_api(api, books, [("6102", "40000.00", "0"), ("1102", "0", "40000.00")], memo="Alat tulis")
    client = logged_in(app, "auditor-a")
    body = client.get("/t/kop-a/ledger/entries?account=6102").get_data(as_text=True)
    assert "Alat tulis" in body and "Pendapatan" not in body
    body = client.get("/t/kop-a/ledger/entries?voucher=000001").get_data(as_text=True)
    assert "Pendapatan" in body and "Alat tulis" not in body
    bad = client.get("/t/kop-a/ledger/entries?start=kemarin")
    assert bad.status_code == 422


def test_account_ledger_shows_the_running_balance(app, books, api):
    post_via_api(api, books, [("1101", "1000000.00", "0"), ("3101", "0", "1000000.00")], day="2026-03-01")
    post_via_api(api, books, [("6102", "250000.00", "0"), ("1101", "0", "250000.00")], day="2026-03-03")
    client = logged_in(app, "auditor-a")
    body = client.get(f"/t/kop-a/ledger/accounts/{books.accounts['1101']}?start=2026-03-01&end=2026-03-10")
    text = body.get_data(as_text=True)
    assert body.status_code == 200
    assert "Rp 1.000.000,00" in text and "Rp 750.000,00" in text


def opening_file(tmp_path, rows):
    path = tmp_path / "saldo.csv"
    path.write_text("kode akun,nama akun,debit,kredit\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_opening_import_lists_every_bad_row_and_posts_nothing(app, books, tmp_path):
    client = logged_in(app, "bookkeeper-a")
    token = csrf_of(client.get("/t/kop-a/ledger/opening").get_data(as_text=True))
    path = opening_file(tmp_path, ["1101,Kas,1000000,", "9999,Tidak ada,500000,", "3101,Simpanan pokok,,abc"])
    with path.open("rb") as fh:
        resp = client.post(
            "/t/kop-a/ledger/opening",
            data={"csrf_token": token, "on": "2026-03-01", "file": (fh, "saldo.csv")},
        )
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Row 4: credit &#39;abc&#39; is not an amount." in body
    path = opening_file(
        tmp_path, ["1101,Kas,1000000,", "9999,Tidak ada,,400000", "3101,Simpanan pokok,,600000"]
    )
    with path.open("rb") as fh:
        resp = client.post(
            "/t/kop-a/ledger/opening",
            data={"csrf_token": token, "on": "2026-03-01", "file": (fh, "saldo.csv")},
        )
    assert resp.status_code == 422
    assert "Row 3: unknown account code 9999." in resp.get_data(as_text=True)
    assert entry_count(books) == 0


def test_opening_import_posts_one_balanced_entry(app, books, tmp_path):
    client = logged_in(app, "bookkeeper-a")
    token = csrf_of(client.get("/t/kop-a/ledger/opening").get_data(as_text=True))
    path = opening_file(
        tmp_path, ['1101,Kas,"1.500.000",', "1102,Bank,2500000,", "3101,Simpanan pokok,,4000000"]
    )
    with path.open("rb") as fh:
        resp = client.post(
            "/t/kop-a/ledger/opening",
            data={"csrf_token": token, "on": "2026-03-01", "file": (fh, "saldo.csv")},
        )
    assert resp.status_code == 302
    rows, total_d, total_c = tb_of(books)
    assert rows["1101"] == (Decimal("1500000.00"), Decimal("0.00"))
    assert rows["3101"] == (Decimal("0.00"), Decimal("4000000.00"))
    assert total_d == total_c == Decimal("4000000.00")


def test_dates_at_the_edge_of_the_calendar_are_422_not_500(app, books):
    client = logged_in(app, "auditor-a")
    for path in (
        "/t/kop-a/ledger/trial-balance?as_of=9999-12-31",
        "/t/kop-a/ledger/trial-balance?period=9999-12",
        f"/t/kop-a/ledger/accounts/{books.accounts['1101']}?start=0001-01-01",
        "/t/kop-a/ledger/entries?end=0001-01-01",
    ):
        resp = client.get(path)
        assert resp.status_code == 422, path
        assert "give a date between 1900 and 9998" in resp.get_data(
            as_text=True
        ) or "YYYY-MM" in resp.get_data(as_text=True)


def test_closing_a_month_outside_the_calendar_is_not_a_page(app, books):
    client = logged_in(app, "manager-a")
    token = csrf_of(client.get("/t/kop-a/ledger/periods").get_data(as_text=True))
    for period in ("9999-12", "2026-13", "x"):
        assert (
            client.post(f"/t/kop-a/ledger/periods/{period}/close", data={"csrf_token": token}).status_code
            == 404
        )


def test_manage_pages_are_for_bookkeepers_and_managers_only(app, books):
    for username, status in (
        ("bookkeeper-a", 200),
        ("manager-a", 200),
        ("auditor-a", 403),
        ("teller-a", 403),
    ):
        client = logged_in(app, username)
        for path in (
            "/t/kop-a/ledger/accounts/new",
            "/t/kop-a/ledger/opening",
            "/t/kop-a/ledger/entries/new",
        ):
            assert client.get(path).status_code == status, (username, path)


def test_auditor_reads_an_entry_but_sees_no_reverse_button(app, books, api):
    posted = post_via_api(api, books, [("1101", "10000.00", "0"), ("4901", "0", "10000.00")]).get_json()
    client = logged_in(app, "auditor-a")
    body = client.get(f"/t/kop-a/ledger/entries/{posted['id']}").get_data(as_text=True)
    assert "JU-2026-000001" in body and "Rp 10.000,00" in body
    assert "Reverse this entry" not in body
    token = csrf_of(body)
    resp = client.post(
        f"/t/kop-a/ledger/entries/{posted['id']}/reverse", data={"csrf_token": token, "reason": "x"}
    )
    assert resp.status_code == 403


def test_chart_shows_sub_accounts_under_their_parent(app, books, api):
    child = {
        "code": "1709.1",
        "name": "Akumulasi penyusutan kendaraan",
        "type": "asset",
        "is_contra": True,
        "parent_code": "1709",
    }
    assert (
        api.post(
            "/api/v1/t/kop-a/ledger/accounts/", headers={"Authorization": f"Bearer {books.token}"}, json=child
        ).status_code
        == 201
    )
    body = logged_in(app, "auditor-a").get("/t/kop-a/ledger/accounts").get_data(as_text=True)
    parent_at, child_at, next_at = (
        body.index(n)
        for n in ("Akumulasi penyusutan aset tetap", "Akumulasi penyusutan kendaraan", "Simpanan sukarela")
    )
    assert parent_at < child_at < next_at
    client = logged_in(app, "bookkeeper-a")
    token = csrf_of(client.get("/t/kop-a/ledger/accounts").get_data(as_text=True))
    resp = client.post(
        f"/t/kop-a/ledger/accounts/{books.accounts['1709']}/deactivate", data={"csrf_token": token}
    )
    assert resp.status_code == 409
    assert "Deactivate the accounts under 1709 first: 1709.1." in resp.get_data(as_text=True)
