"""Posting, idempotency, numbering and reversal through the services, on the test database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from coopsaas.core.audit import AuditEvent
from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant, set_tenant
from coopsaas.errors import ClosedPeriodError, Conflict, PermissionDenied, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import balance_of, close_period, post_entry, reverse_entry, trial_balance
from coopsaas.ledger.models import JournalEntry, JournalLine
from coopsaas.ledger.posting import EntrySpec, LineSpec
from coopsaas.ledger.services import reversal_of
from tests.ledger.conftest import rp, start_books

JAN = date(2026, 1, 15)


def test_post_entry_stores_header_lines_and_audit(books, check_deferred):
    entry = books.post(JAN, ("1101", 500000, 0), ("2101", 0, 500000), memo="Setoran sukarela Siti")
    check_deferred()
    db.session.expire_all()
    stored = db.session.scalars(select(JournalEntry)).one()
    assert stored.voucher_no == "JU-2026-000001"
    assert stored.entry_on == JAN
    assert stored.memo == "Setoran sukarela Siti"
    assert stored.created_by_id == books.bookkeeper.id
    assert [(ln.line_no, ln.account.code, ln.debit, ln.credit, ln.entry_on) for ln in stored.lines] == [
        (1, "1101", rp(500000), rp(0), JAN),
        (2, "2101", rp(0), rp(500000), JAN),
    ]
    assert entry.total == rp(500000)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "ledger.entry.post")).one()
    assert event.summary["voucher_no"] == "JU-2026-000001"
    assert event.actor_id == books.bookkeeper.id


def test_balances_follow_the_normal_side(books):
    books.post(JAN, ("1101", 750000, 0), ("2101", 0, 750000))
    books.post(JAN, ("2101", 200000, 0), ("1101", 0, 200000))
    assert balance_of(books.accounts["1101"], JAN) == rp(550000)
    assert balance_of(books.accounts["2101"], JAN) == rp(550000)
    assert balance_of(books.accounts["1101"], date(2026, 1, 14)) == rp(0)


def test_unbalanced_entry_is_refused_and_nothing_is_written(books):
    with pytest.raises(ValidationError, match=r"difference Rp 1\.000\."):
        books.post(JAN, ("1101", 100000, 0), ("2101", 0, 99000))
    assert db.session.scalars(select(JournalEntry)).all() == []
    assert db.session.scalars(select(JournalLine)).all() == []


def test_another_tenants_account_counts_as_unknown(books):
    clear_tenant(db.session)
    db.session.commit()
    other = start_books("kop-lain")
    other_kas = other.accounts["1101"].id
    db.session.commit()
    clear_tenant(db.session)
    set_tenant(db.session, books.tenant.id)
    spec = EntrySpec(entry_on=JAN, lines=[LineSpec(other_kas, debit=rp(1000)), books.line("2101", 0, 1000)])
    with pytest.raises(ValidationError) as err:
        post_entry(tenant=books.tenant, actor=books.bookkeeper, spec=spec)
    assert err.value.fields["lines.1.account"] == ["Line 1: unknown account."]


def test_inactive_account_is_refused(books):
    books.accounts["1102"].is_active = False
    db.session.flush()
    with pytest.raises(ValidationError) as err:
        books.post(JAN, ("1102", 1000, 0), ("2101", 0, 1000))
    assert err.value.fields["lines.1.account"] == ["Line 1: account 1102 Bank is inactive."]


def test_future_dates_follow_the_tenant_setting(books):
    with frozen(datetime(2026, 3, 10, 3, 0, tzinfo=UTC)):
        with pytest.raises(ValidationError, match="2026-03-11 is in the future"):
            books.post(date(2026, 3, 11), ("1101", 1000, 0), ("2101", 0, 1000))
        books.tenant.settings = {"max_future_days": 2}
        db.session.flush()
        entry = books.post(date(2026, 3, 12), ("1101", 1000, 0), ("2101", 0, 1000))
    assert entry.entry_on == date(2026, 3, 12)


def test_business_date_is_the_cooperatives_local_date(books):
    # 18:00 UTC on 10 March is already 11 March in Jakarta (WIB = UTC+7).
    with frozen(datetime(2026, 3, 10, 18, 0, tzinfo=UTC)):
        entry = books.post(date(2026, 3, 11), ("1101", 1000, 0), ("2101", 0, 1000))
    assert (entry.entry_on, entry.voucher_no) == (date(2026, 3, 11), "JU-2026-000001")


def test_posting_into_a_closed_month_is_refused(books):
    books.post(JAN, ("1101", 1000, 0), ("2101", 0, 1000))
    close_period(tenant=books.tenant, actor=books.manager, year=2026, month=1)
    with pytest.raises(ClosedPeriodError, match="closed through 2026-01-31"):
        books.post(date(2026, 1, 31), ("1101", 1000, 0), ("2101", 0, 1000))
    with pytest.raises(ClosedPeriodError):
        books.post(date(2025, 12, 1), ("1101", 1000, 0), ("2101", 0, 1000))
    assert books.post(date(2026, 2, 1), ("1101", 1000, 0), ("2101", 0, 1000)).voucher_no == "JU-2026-000002"


def test_repeated_idempotency_key_returns_the_first_entry_and_posts_nothing(books):
    first = books.post(JAN, ("1101", 300000, 0), ("2101", 0, 300000), key="setor-42")
    again = books.post(JAN, ("1101", 300000, 0), ("2101", 0, 300000), key="setor-42")
    assert again.id == first.id
    assert len(db.session.scalars(select(JournalEntry)).all()) == 1
    assert balance_of(books.accounts["1101"], JAN) == rp(300000)
    assert (
        books.post(JAN, ("1101", 1000, 0), ("2101", 0, 1000), key="setor-43").voucher_no == "JU-2026-000002"
    )


def test_the_database_refuses_a_second_entry_with_the_same_key(books):
    from sqlalchemy.exc import IntegrityError

    first = books.post(JAN, ("1101", 1000, 0), ("2101", 0, 1000), key="k-1")
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(
            JournalEntry(
                voucher_no="JU-2026-999999",
                series="JU",
                entry_on=JAN,
                memo="",
                idempotency_key=first.idempotency_key,
            )
        )
        db.session.flush()


def test_voucher_numbers_are_gapless_per_series_and_year(books):
    numbers = [
        books.post(JAN, ("1101", 1000, 0), ("2101", 0, 1000), series=s).voucher_no
        for s in ("JU", "KM", "JU", "KK", "KM", "JU")
    ]
    numbers.append(books.post(date(2025, 12, 31), ("1101", 1000, 0), ("2101", 0, 1000)).voucher_no)
    with pytest.raises(ValidationError):
        books.post(JAN, ("1101", 1000, 0), ("2101", 0, 999), series="KM")  # refused: uses no number
    numbers.append(books.post(JAN, ("1101", 1000, 0), ("2101", 0, 1000), series="KM").voucher_no)
    assert numbers == [
        "JU-2026-000001",
        "KM-2026-000001",
        "JU-2026-000002",
        "KK-2026-000001",
        "KM-2026-000002",
        "JU-2026-000003",
        "JU-2025-000001",
        "KM-2026-000003",
    ]


def test_sub_ledger_references_are_kept_on_lines(books):
    import uuid

    member, loan = uuid.uuid4(), uuid.uuid4()
    spec = EntrySpec(
        entry_on=JAN,
        series="KK",
        source_type="loan_disbursement",
        source_id=loan,
        lines=[
            books.line("1201", 2000000, 0, member_id=member, loan_id=loan),
            books.line("1101", 0, 2000000),
        ],
    )
    entry = post_entry(tenant=books.tenant, actor=books.bookkeeper, spec=spec)
    assert (entry.source_type, entry.source_id) == ("loan_disbursement", loan)
    assert (entry.lines[0].member_id, entry.lines[0].loan_id) == (member, loan)


# --- reversal -------------------------------------------------------------------------------


def test_reversal_mirrors_the_entry_once_and_links_it(books):
    entry = books.post(JAN, ("1101", 400000, 0), ("2101", 0, 400000))
    rev = reverse_entry(
        tenant=books.tenant, actor=books.bookkeeper, entry=entry, reason="Salah nominal", on=date(2026, 1, 20)
    )
    assert rev.voucher_no == "JU-2026-000002"
    assert rev.reverses_entry_id == entry.id
    assert reversal_of(entry).id == rev.id
    db.session.expire_all()
    assert (entry.reversed_by.voucher_no, rev.reverses.voucher_no) == ("JU-2026-000002", "JU-2026-000001")
    assert (entry.reverses, rev.reversed_by) == (None, None)
    assert rev.memo == "Reversal of JU-2026-000001: Salah nominal"
    assert [(ln.account.code, ln.debit, ln.credit) for ln in rev.lines] == [
        ("1101", rp(0), rp(400000)),
        ("2101", rp(400000), rp(0)),
    ]
    assert balance_of(books.accounts["1101"], date(2026, 1, 20)) == rp(0)
    assert balance_of(books.accounts["1101"], date(2026, 1, 19)) == rp(400000)
    with pytest.raises(Conflict, match="already reversed by JU-2026-000002"):
        reverse_entry(
            tenant=books.tenant, actor=books.manager, entry=entry, reason="lagi", on=date(2026, 1, 20)
        )
    with pytest.raises(Conflict, match="is itself a reversal"):
        reverse_entry(
            tenant=books.tenant, actor=books.manager, entry=rev, reason="batal", on=date(2026, 1, 20)
        )
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.created_at)).all()
    assert actions.count("ledger.entry.reverse") == 1


def test_reversal_needs_a_reason(books):
    entry = books.post(JAN, ("1101", 1000, 0), ("2101", 0, 1000))
    with pytest.raises(ValidationError) as err:
        reverse_entry(tenant=books.tenant, actor=books.bookkeeper, entry=entry, reason="  ", on=JAN)
    assert err.value.fields["reason"] == ["Give the reason for the reversal."]
    assert reversal_of(entry) is None


def test_large_reversal_needs_a_manager(books):
    entry = books.post(JAN, ("1101", "10000000.01", 0), ("2101", 0, "10000000.01"))
    with pytest.raises(PermissionDenied, match=r"Rp 10.000.000,01 \(above Rp 10.000.000\) needs a manager"):
        reverse_entry(tenant=books.tenant, actor=books.bookkeeper, entry=entry, reason="dobel", on=JAN)
    rev = reverse_entry(tenant=books.tenant, actor=books.manager, entry=entry, reason="dobel", on=JAN)
    assert rev.total == rp("10000000.01")


def test_reversal_at_the_threshold_needs_no_manager_and_the_tenant_may_lower_it(books):
    at_limit = books.post(JAN, ("1101", 10000000, 0), ("2101", 0, 10000000))
    assert reverse_entry(tenant=books.tenant, actor=books.bookkeeper, entry=at_limit, reason="x", on=JAN)
    books.tenant.settings = {"reversal_threshold": "500000"}
    db.session.flush()
    small = books.post(JAN, ("1101", 600000, 0), ("2101", 0, 600000))
    with pytest.raises(PermissionDenied):
        reverse_entry(tenant=books.tenant, actor=books.bookkeeper, entry=small, reason="x", on=JAN)


def test_reversal_of_an_entry_in_a_closed_month_is_dated_in_the_open_month(books):
    entry = books.post(JAN, ("1101", 1000, 0), ("2101", 0, 1000))
    close_period(tenant=books.tenant, actor=books.manager, year=2026, month=1)
    with pytest.raises(ClosedPeriodError):
        reverse_entry(
            tenant=books.tenant, actor=books.bookkeeper, entry=entry, reason="x", on=date(2026, 1, 31)
        )
    rev = reverse_entry(
        tenant=books.tenant, actor=books.bookkeeper, entry=entry, reason="x", on=date(2026, 2, 2)
    )
    assert rev.entry_on == date(2026, 2, 2)
    tb = trial_balance(books.tenant, as_of=date(2026, 2, 28))
    assert tb.rows == []


def test_ledger_services_refuse_to_run_outside_the_tenant_scope(books):
    from coopsaas.core.db import TenantMissing

    clear_tenant(db.session)
    db.session.commit()
    with pytest.raises(TenantMissing):
        books.post(JAN, ("1101", 1000, 0), ("2101", 0, 1000))


def test_balance_of_defaults_to_the_cooperatives_today(books):
    books.post(date(2026, 3, 10), ("1101", 125000, 0), ("2101", 0, 125000))
    with frozen(datetime(2026, 3, 9, 16, 0, tzinfo=UTC)):  # 23:00 WIB on 9 March
        assert balance_of(books.accounts["1101"]) == rp(0)
    with frozen(datetime(2026, 3, 9, 17, 0, tzinfo=UTC)):  # midnight WIB: 10 March
        assert balance_of(books.accounts["1101"]) == rp(125000)
