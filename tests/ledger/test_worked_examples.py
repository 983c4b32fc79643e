"""Worked examples, checked to the rupiah: opening balances, a month of activity, a reversal,
month close and reopen, and the year-end close into SHU."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from coopsaas.core.audit import AuditEvent
from coopsaas.core.clock import frozen
from coopsaas.errors import ClosedPeriodError, Conflict, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import (
    balance_of,
    close_period,
    close_year,
    reopen_period,
    reverse_entry,
    trial_balance,
    verify_ledger,
)
from coopsaas.ledger.models import AccountPeriodBalance, FiscalPeriod, JournalEntry
from tests.ledger.conftest import rp

OPENING = [
    ("1101", 15000000, 0),
    ("1102", 40000000, 0),
    ("1201", 60000000, 0),
    ("1702", 12000000, 0),
    ("1709", 0, 3000000),
    ("2101", 0, 50000000),
    ("3101", 0, 20000000),
    ("3102", 0, 54000000),
]

END_OF_JANUARY = {
    "1101": ("9850000", "0"),
    "1102": ("37075000.50", "0"),
    "1201": ("69000000", "0"),
    "1702": ("12000000", "0"),
    "1709": ("0", "3250000"),
    "2101": ("0", "52500000"),
    "3101": ("0", "20000000"),
    "3102": ("0", "55200000"),
    "4101": ("0", "150000"),
    "4901": ("0", "75000.50"),
    "6101": ("3000000", "0"),
    "6103": ("250000", "0"),
}


def columns(tb):
    return {r.code: (r.debit, r.credit) for r in tb.rows}


def expected(table):
    return {code: (rp(d), rp(c)) for code, (d, c) in table.items()}


def post_january(books):
    books.post(date(2026, 1, 1), *OPENING, memo="Saldo awal")
    books.post(
        date(2026, 1, 5), ("1101", 2500000, 0), ("2101", 0, 2500000), series="KM", memo="Setoran sukarela"
    )
    books.post(date(2026, 1, 10), ("1201", 10000000, 0), ("1101", 0, 10000000), series="KK", memo="Pencairan")
    books.post(
        date(2026, 1, 20),
        ("1101", 1150000, 0),
        ("1201", 0, 1000000),
        ("4101", 0, 150000),
        series="KM",
        memo="Angsuran pokok dan jasa",
    )
    books.post(
        date(2026, 1, 25), ("6101", 3000000, 0), ("1102", 0, 3000000), series="KK", memo="Gaji Januari"
    )
    books.post(
        date(2026, 1, 28), ("1101", 1200000, 0), ("3102", 0, 1200000), series="KM", memo="Simpanan wajib"
    )
    depreciation = books.post(date(2026, 1, 31), ("6103", 250000, 0), ("1709", 0, 250000), memo="Penyusutan")
    books.post(date(2026, 1, 31), ("1102", "75000.50", 0), ("4901", 0, "75000.50"), memo="Jasa giro")
    return depreciation


def post_february(books, depreciation):
    reverse_entry(
        tenant=books.tenant,
        actor=books.bookkeeper,
        entry=depreciation,
        reason="Tarif salah",
        on=date(2026, 2, 2),
    )
    books.post(date(2026, 2, 2), ("6103", 200000, 0), ("1709", 0, 200000), memo="Penyusutan Januari (benar)")
    books.post(date(2026, 2, 15), ("6102", 450000, 0), ("1101", 0, 450000), series="KK", memo="Listrik, ATK")
    books.post(
        date(2026, 2, 20), ("1101", 1140000, 0), ("1201", 0, 1000000), ("4101", 0, 140000), series="KM"
    )


def test_opening_balances_give_the_opening_trial_balance(books):
    books.post(date(2026, 1, 1), *OPENING, memo="Saldo awal")
    tb = trial_balance(books.tenant, as_of=date(2026, 1, 1))
    assert tb.total_debit == tb.total_credit == rp(127000000)
    assert tb.row("1709").credit == rp(3000000)
    assert tb.row("1709").balance == rp(3000000)  # contra asset: positive on its credit side
    assert tb.row("1101").balance == rp(15000000)


def test_a_month_of_activity(books):
    post_january(books)
    tb = trial_balance(books.tenant, as_of=date(2026, 1, 31))
    assert columns(tb) == expected(END_OF_JANUARY)
    assert tb.total_debit == tb.total_credit == rp("131175000.50")
    assert tb.row("2101").balance == rp(52500000)
    assert balance_of(books.accounts["1101"], date(2026, 1, 19)) == rp(7500000)
    assert verify_ledger(books.tenant) == []


def test_closing_january_stores_balances_and_the_trial_balance_reads_them(books):
    post_january(books)
    period = close_period(tenant=books.tenant, actor=books.manager, year=2026, month=1)
    assert (period.status, period.closed_by_id) == ("closed", books.manager.id)
    stored = {
        (db.session.get(type(books.accounts["1101"]), (books.tenant.id, r.account_id)).code): (
            r.debit_total,
            r.credit_total,
            r.closing_balance,
        )
        for r in db.session.scalars(select(AccountPeriodBalance))
    }
    assert stored["1101"] == (rp(19850000), rp(10000000), rp(9850000))
    assert stored["1709"] == (rp(0), rp(3250000), rp(-3250000))
    assert len(stored) == 12
    assert columns(trial_balance(books.tenant, period=(2026, 1))) == expected(END_OF_JANUARY)

    # The report of a closed month comes from the stored rows, not the lines: change one stored
    # row and the report follows (and verify notices the difference).
    kas = db.session.scalars(
        select(AccountPeriodBalance).where(AccountPeriodBalance.account_id == books.accounts["1101"].id)
    ).one()
    kas.closing_balance = rp(9850001)
    db.session.flush()
    assert trial_balance(books.tenant, period=(2026, 1)).row("1101").debit == rp(9850001)
    assert [f.code for f in verify_ledger(books.tenant)] == []  # movement totals still agree
    kas.debit_total = rp(1)
    db.session.flush()
    assert [f.message for f in verify_ledger(books.tenant)] == [
        "Stored totals of 2026-01 for account 1101 differ from its lines: stored debit Rp 1 and credit "
        "Rp 10.000.000, lines debit Rp 19.850.000 and credit Rp 10.000.000."
    ]


def test_february_with_a_reversal_then_close_reopen_and_close_again(books):
    depreciation = post_january(books)
    close_period(tenant=books.tenant, actor=books.manager, year=2026, month=1)
    with pytest.raises(ClosedPeriodError):
        books.post(date(2026, 1, 31), ("6103", 200000, 0), ("1709", 0, 200000))
    post_february(books, depreciation)

    end_feb = expected(
        {
            **END_OF_JANUARY,
            "1101": ("10540000", "0"),
            "1201": ("68000000", "0"),
            "1709": ("0", "3200000"),
            "4101": ("0", "290000"),
            "6102": ("450000", "0"),
            "6103": ("200000", "0"),
        }
    )
    tb = trial_balance(books.tenant, as_of=date(2026, 2, 28))
    assert columns(tb) == end_feb
    assert tb.total_debit == tb.total_credit == rp("131265000.50")

    close_period(tenant=books.tenant, actor=books.manager, year=2026, month=2)
    assert columns(trial_balance(books.tenant, period=(2026, 2))) == end_feb
    assert columns(trial_balance(books.tenant, as_of=date(2026, 1, 31))) == expected(END_OF_JANUARY)
    # Mid-month of a closed month: January's stored rows plus February's lines up to the date.
    assert trial_balance(books.tenant, as_of=date(2026, 2, 2)).row("6103").debit == rp(200000)

    with pytest.raises(Conflict, match=r"Only the latest closed month can be reopened \(2026-02\)"):
        reopen_period(tenant=books.tenant, actor=books.manager, year=2026, month=1, reason="koreksi")
    reopen_period(tenant=books.tenant, actor=books.manager, year=2026, month=2, reason="Listrik kurang catat")
    feb_rows = db.session.scalars(select(AccountPeriodBalance).where(AccountPeriodBalance.month == 2)).all()
    assert feb_rows == []
    assert columns(trial_balance(books.tenant, period=(2026, 2))) == end_feb

    books.post(date(2026, 2, 27), ("6102", 50000, 0), ("1101", 0, 50000), series="KK", memo="Listrik kurang")
    close_period(tenant=books.tenant, actor=books.manager, year=2026, month=2)
    tb = trial_balance(books.tenant, period=(2026, 2))
    assert tb.row("1101").debit == rp(10490000)
    assert tb.row("6102").debit == rp(500000)
    assert tb.is_balanced
    assert verify_ledger(books.tenant) == []
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("ledger.period.%"))
    ).all()
    assert sorted(actions) == ["ledger.period.close"] * 3 + ["ledger.period.reopen"]


def test_close_checklist(books):
    books.post(date(2026, 1, 10), ("1101", 1000, 0), ("3101", 0, 1000))
    books.post(date(2026, 2, 10), ("1101", 1000, 0), ("3101", 0, 1000))
    with pytest.raises(Conflict, match=r"Close 2026-01 first\."):
        close_period(tenant=books.tenant, actor=books.manager, year=2026, month=2)
    with pytest.raises(ValidationError, match="a month from 1 to 12"):
        close_period(tenant=books.tenant, actor=books.manager, year=2026, month=13)
    with (
        frozen(datetime(2026, 1, 31, 10, 0, tzinfo=UTC)),
        pytest.raises(ValidationError, match="not ended yet"),
    ):
        close_period(tenant=books.tenant, actor=books.manager, year=2026, month=1)
    close_period(tenant=books.tenant, actor=books.manager, year=2026, month=1)
    with pytest.raises(Conflict, match="2026-01 is already closed"):
        close_period(tenant=books.tenant, actor=books.manager, year=2026, month=1)
    with pytest.raises(Conflict, match="already closed through 2026-01"):
        close_period(tenant=books.tenant, actor=books.manager, year=2025, month=12)
    with pytest.raises(Conflict, match="2026-03 is not closed"):
        reopen_period(tenant=books.tenant, actor=books.manager, year=2026, month=3, reason="x")
    with pytest.raises(ValidationError, match="reason for reopening"):
        reopen_period(tenant=books.tenant, actor=books.manager, year=2026, month=1, reason="")


def test_the_first_month_with_activity_closes_without_a_previous_period(books):
    books.post(date(2026, 3, 3), ("1101", 5000, 0), ("3101", 0, 5000))
    close_period(tenant=books.tenant, actor=books.manager, year=2026, month=3)
    periods = db.session.scalars(select(FiscalPeriod)).all()
    assert [(p.year, p.month, p.status) for p in periods] == [(2026, 3, "closed")]


def test_a_month_with_an_unbalanced_entry_does_not_close(books):
    from coopsaas.ledger.models import JournalLine

    entry = JournalEntry(voucher_no="JU-2026-000001", series="JU", entry_on=date(2026, 1, 9), memo="rusak")
    entry.lines.append(
        JournalLine(
            line_no=1,
            account_id=books.accounts["1101"].id,
            entry_on=date(2026, 1, 9),
            debit=rp(1000),
            credit=rp(0),
        )
    )
    entry.lines.append(
        JournalLine(
            line_no=2,
            account_id=books.accounts["3101"].id,
            entry_on=date(2026, 1, 9),
            debit=rp(0),
            credit=rp(900),
        )
    )
    db.session.add(entry)
    db.session.flush()
    with pytest.raises(Conflict, match="2026-01 has unbalanced entries: JU-2026-000001"):
        close_period(tenant=books.tenant, actor=books.manager, year=2026, month=1)
    assert [f.code for f in verify_ledger(books.tenant)] == ["unbalanced_entry"]


# --- year-end close ----------------------------------------------------------------------------


def post_2025(books):
    books.post(date(2025, 11, 1), ("1101", 5000000, 0), ("3101", 0, 5000000), memo="Saldo awal")
    books.post(date(2025, 11, 10), ("1101", 800000, 0), ("4101", 0, 800000), series="KM")
    books.post(date(2025, 11, 20), ("6101", 300000, 0), ("1101", 0, 300000), series="KK")
    close_period(tenant=books.tenant, actor=books.manager, year=2025, month=11)
    books.post(date(2025, 12, 5), ("1101", 400000, 0), ("4901", 0, 400000), series="KM")
    books.post(date(2025, 12, 18), ("6102", 150000, 0), ("1101", 0, 150000), series="KK")


def test_year_end_close_moves_income_and_expenses_into_shu(books):
    post_2025(books)
    entry = close_year(tenant=books.tenant, actor=books.manager, year=2025)
    assert entry.voucher_no == "JP-2025-000001"
    assert entry.entry_on == date(2025, 12, 31)
    assert [(ln.account.code, ln.debit, ln.credit) for ln in entry.lines] == [
        ("4101", rp(800000), rp(0)),
        ("4901", rp(400000), rp(0)),
        ("6101", rp(0), rp(300000)),
        ("6102", rp(0), rp(150000)),
        ("3502", rp(0), rp(750000)),
    ]
    tb = trial_balance(books.tenant, as_of=date(2025, 12, 31))
    assert columns(tb) == {
        "1101": (rp(5750000), rp(0)),
        "3101": (rp(0), rp(5000000)),
        "3502": (rp(0), rp(750000)),
    }
    december = db.session.scalars(select(FiscalPeriod).where(FiscalPeriod.month == 12)).one()
    assert december.status == "closed"
    with pytest.raises(ClosedPeriodError):
        books.post(date(2025, 12, 31), ("1101", 1000, 0), ("4101", 0, 1000))
    books.post(date(2026, 1, 2), ("1101", 1000, 0), ("4101", 0, 1000))
    assert balance_of(books.accounts["4101"], date(2026, 1, 2)) == rp(1000)
    with pytest.raises(Conflict, match="2025-12 is already closed"):
        close_year(tenant=books.tenant, actor=books.manager, year=2025)
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "ledger.year.close")).one()
    assert verify_ledger(books.tenant) == []


def test_year_end_close_needs_november_closed(books):
    books.post(date(2025, 11, 10), ("1101", 800000, 0), ("4101", 0, 800000))
    with pytest.raises(Conflict, match=r"Close 2025-11 first\."):
        close_year(tenant=books.tenant, actor=books.manager, year=2025)
    assert db.session.scalars(select(JournalEntry).where(JournalEntry.series == "JP")).all() == []


def test_year_end_close_finds_the_shu_account_by_tag_or_code(books):
    books.post(date(2025, 12, 10), ("1101", 800000, 0), ("4101", 0, 800000))
    books.accounts["3502"].code = "3599"
    db.session.flush()
    with pytest.raises(ValidationError, match="no account for SHU of the current year"):
        close_year(tenant=books.tenant, actor=books.manager, year=2025)
    books.accounts["3502"].tags = ["shu_tahun_berjalan"]
    db.session.flush()
    entry = close_year(tenant=books.tenant, actor=books.manager, year=2025)
    assert [(ln.account.code, ln.credit) for ln in entry.lines][-1] == ("3599", rp(800000))
