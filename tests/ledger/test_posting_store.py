"""How `post_entry` writes (ledger/store.py): refusals take no voucher number even when the
caller carries on, the returned entry is the stored one, a repeat answers with the first entry,
and a second reversal is refused by the database's unique key."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from coopsaas.core.audit import AuditEvent
from coopsaas.core.counters import Counter
from coopsaas.errors import ClosedPeriodError, Conflict, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import close_period, post_entry, reverse_entry, trial_balance
from coopsaas.ledger.models import JournalEntry, JournalLine
from coopsaas.ledger.posting import EntrySpec
from tests.ledger.conftest import rp

JAN, FEB = date(2026, 1, 15), date(2026, 2, 3)


def vouchers() -> list[str]:
    return db.session.scalars(select(JournalEntry.voucher_no).order_by(JournalEntry.voucher_no)).all()


def counter_value(name: str) -> int | None:
    return db.session.scalars(select(Counter.value).where(Counter.name == name)).one_or_none()


def test_refused_postings_take_no_voucher_number_even_when_the_caller_carries_on(books):
    books.post(JAN, ("1101", 1000, 0), ("2101", 0, 1000))
    close_period(tenant=books.tenant, actor=books.manager, year=2026, month=1)
    books.accounts["1102"].is_active = False
    db.session.flush()

    with pytest.raises(ValidationError) as inactive:
        books.post(FEB, ("1102", 5000, 0), ("2101", 0, 5000))
    assert inactive.value.fields["lines.1.account"] == ["Line 1: account 1102 Bank is inactive."]
    with pytest.raises(ClosedPeriodError, match="closed through 2026-01-31"):
        books.post(date(2026, 1, 30), ("1101", 5000, 0), ("2101", 0, 5000))
    with pytest.raises(ValidationError, match="does not balance"):
        books.post(FEB, ("1101", 5000, 0), ("2101", 0, 4000))

    # The same transaction goes on: the next entry takes the next number, no gap.
    assert books.post(FEB, ("1101", 2500, 0), ("2101", 0, 2500)).voucher_no == "JU-2026-000002"
    assert vouchers() == ["JU-2026-000001", "JU-2026-000002"]
    assert counter_value("voucher:JU:2026") == 2
    posted = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "ledger.entry.post")
    )
    assert posted == 2
    assert trial_balance(books.tenant, as_of=FEB).row("1101").debit == rp(3500)


def test_the_returned_entry_is_what_was_stored(books):
    entry = books.post(JAN, ("1101", 750000, 0), ("4101", 0, 750000), memo="Jasa pinjaman Januari")
    assert entry in db.session and entry not in db.session.new and entry not in db.session.dirty
    assert [(ln.line_no, ln.account.code, ln.debit, ln.credit) for ln in entry.lines] == [
        (1, "1101", rp(750000), rp(0)),
        (2, "4101", rp(0), rp(750000)),
    ]
    assert all(ln.entry is entry for ln in entry.lines)
    db.session.flush()  # nothing pending: no second insert
    assert db.session.scalar(select(func.count()).select_from(JournalLine)) == 2
    db.session.expire_all()
    stored = db.session.scalars(select(JournalEntry)).one()
    assert (stored.id, stored.voucher_no, stored.memo, stored.created_by_id) == (
        entry.id,
        "JU-2026-000001",
        "Jasa pinjaman Januari",
        books.bookkeeper.id,
    )
    assert stored.total == rp(750000)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "ledger.entry.post")).one()
    assert event.target_id == str(entry.id)
    assert event.summary == {
        "voucher_no": "JU-2026-000001",
        "entry_on": "2026-01-15",
        "total": "750000.00",
        "source_type": None,
    }


def test_a_repeated_key_answers_with_the_first_entry_even_after_its_month_closed(books):
    first = books.post(JAN, ("1101", 300000, 0), ("2101", 0, 300000), key="setor-7")
    close_period(tenant=books.tenant, actor=books.manager, year=2026, month=1)
    again = books.post(JAN, ("1101", 300000, 0), ("2101", 0, 300000), key="setor-7")
    assert again.id == first.id
    assert vouchers() == ["JU-2026-000001"]
    assert counter_value("voucher:JU:2026") == 1


def test_a_second_reversal_is_refused_by_the_unique_key_and_gives_its_number_back(books):
    from coopsaas.ledger.services import post_entry as post_with_link

    entry = books.post(JAN, ("1101", 40000, 0), ("2101", 0, 40000))
    reverse_entry(tenant=books.tenant, actor=books.bookkeeper, entry=entry, reason="Salah akun", on=JAN)
    # What a concurrent second reversal meets once the first has committed: the insert itself
    # is refused by (tenant_id, reverses_entry_id).
    mirror = EntrySpec(entry_on=JAN, lines=[books.line("2101", 40000, 0), books.line("1101", 0, 40000)])
    with pytest.raises(Conflict, match="JU-2026-000001 was already reversed"):
        post_with_link(tenant=books.tenant, actor=books.bookkeeper, spec=mirror, _reverses=entry)
    assert counter_value("voucher:JU:2026") == 2
    assert books.post(JAN, ("1101", 1000, 0), ("2101", 0, 1000)).voucher_no == "JU-2026-000003"


def test_a_new_series_and_year_start_at_one_and_large_entries_post_whole(books):
    lines = [books.line("6102", 1000, 0) for _ in range(150)] + [books.line("1101", 0, 150000)]
    entry = post_entry(
        tenant=books.tenant,
        actor=books.bookkeeper,
        spec=EntrySpec(entry_on=date(2025, 12, 30), lines=lines, series="KK"),
    )
    assert entry.voucher_no == "KK-2025-000001"
    assert len(entry.lines) == 151
    db.session.expire_all()
    stored = db.session.scalars(select(JournalEntry)).one()
    assert [ln.line_no for ln in stored.lines] == list(range(1, 152))
    assert stored.total == rp(150000)
    assert trial_balance(books.tenant, as_of=date(2025, 12, 31)).row("6102").debit == rp(150000)
