"""`verify_ledger`: clean books give no findings; each kind of damage gives its finding."""

from __future__ import annotations

import time
from datetime import date

from sqlalchemy import select

from coopsaas.extensions import db
from coopsaas.ledger import Finding, close_period, register_verify_hook, reverse_entry, verify_ledger
from coopsaas.ledger.models import FiscalPeriod, JournalEntry, JournalLine
from coopsaas.ledger.verify import VERIFY_HOOKS
from tests.ledger.conftest import rp

DAY = date(2026, 1, 10)


def test_clean_books_have_no_findings(books):
    entry = books.post(DAY, ("1101", 1000, 0), ("3101", 0, 1000))
    reverse_entry(tenant=books.tenant, actor=books.bookkeeper, entry=entry, reason="dobel", on=DAY)
    close_period(tenant=books.tenant, actor=books.manager, year=2026, month=1)
    assert verify_ledger(books.tenant) == []


def test_an_entry_posted_into_a_month_after_its_close_is_found(books):
    first = books.post(DAY, ("1101", 1000, 0), ("3101", 0, 1000))
    time.sleep(0.01)
    late = books.post(date(2026, 1, 20), ("1101", 500, 0), ("3101", 0, 500))
    period = close_period(tenant=books.tenant, actor=books.manager, year=2026, month=1)
    # As if the close had committed between the two postings.
    period.closed_at = first.created_at + (late.created_at - first.created_at) / 2
    db.session.flush()
    findings = verify_ledger(books.tenant)
    assert [(f.code, f.entry_id) for f in findings] == [("posted_after_close", late.id)]
    assert findings[0].message == "JU-2026-000002 is dated in 2026-01 but was posted after the period closed."


def test_a_reversal_that_does_not_mirror_its_entry_is_found(books):
    entry = books.post(DAY, ("1101", 1000, 0), ("3101", 0, 1000))
    bad = JournalEntry(
        voucher_no="JU-2026-000002", series="JU", entry_on=DAY, memo="balik", reverses_entry_id=entry.id
    )
    bad.lines.append(
        JournalLine(
            line_no=1, account_id=books.accounts["3101"].id, entry_on=DAY, debit=rp(900), credit=rp(0)
        )
    )
    bad.lines.append(
        JournalLine(
            line_no=2, account_id=books.accounts["1101"].id, entry_on=DAY, debit=rp(0), credit=rp(900)
        )
    )
    db.session.add(bad)
    db.session.flush()
    findings = verify_ledger(books.tenant)
    assert [f.code for f in findings] == ["broken_reversal"]
    assert findings[0].message == "JU-2026-000002 does not mirror the entry it reverses (JU-2026-000001)."


def test_sub_ledger_hooks_add_their_findings(books):
    def savings_hook(tenant):
        return [Finding("savings_control_mismatch", f"{tenant.slug}: savings differ from 2101")]

    register_verify_hook(savings_hook)
    try:
        assert [f.message for f in verify_ledger(books.tenant)] == ["kop-buku: savings differ from 2101"]
    finally:
        VERIFY_HOOKS.remove(savings_hook)
    assert verify_ledger(books.tenant) == []
    assert db.session.scalars(select(FiscalPeriod)).all() == []


def test_a_gap_in_voucher_numbers_is_found(books):
    books.post(DAY, ("1101", 1000, 0), ("3101", 0, 1000))
    books.post(DAY, ("1101", 1000, 0), ("3101", 0, 1000), series="KM")
    stray = JournalEntry(voucher_no="JU-2026-000005", series="JU", entry_on=DAY, memo="nomor loncat")
    stray.lines.append(
        JournalLine(line_no=1, account_id=books.accounts["1101"].id, entry_on=DAY, debit=rp(10), credit=rp(0))
    )
    stray.lines.append(
        JournalLine(line_no=2, account_id=books.accounts["3101"].id, entry_on=DAY, debit=rp(0), credit=rp(10))
    )
    db.session.add(stray)
    db.session.flush()
    findings = verify_ledger(books.tenant)
    assert [(f.code, f.message) for f in findings] == [
        ("voucher_gap", "Voucher numbers of JU-2026 have gaps: 2 entries up to JU-2026-000005.")
    ]


def test_a_month_does_not_close_while_a_sub_ledger_differs_from_its_control_account(books):
    from coopsaas.errors import Conflict
    from coopsaas.ledger.chart import period_rows

    books.post(DAY, ("1101", 1000, 0), ("3101", 0, 1000))

    def savings_hook(tenant):
        return [Finding("savings_control_mismatch", "Simpanan sukarela: sub-ledger Rp 900 vs 2101 Rp 1.000")]

    register_verify_hook(savings_hook)
    try:
        row = next(r for r in period_rows(books.tenant) if r["key"] == "2026-01")
        assert ("Every sub-ledger equals its control account", False) in [
            (str(label), ok) for label, ok in row["checklist"]
        ]
        try:
            close_period(tenant=books.tenant, actor=books.manager, year=2026, month=1)
        except Conflict as exc:
            assert exc.code == "subledger_mismatch"
            assert "Simpanan sukarela: sub-ledger Rp 900 vs 2101 Rp 1.000" in str(exc.message)
        else:
            raise AssertionError("the close went through with a sub-ledger difference")
        assert db.session.scalars(select(FiscalPeriod)).all() == []
    finally:
        VERIFY_HOOKS.remove(savings_hook)
    close_period(tenant=books.tenant, actor=books.manager, year=2026, month=1)
    assert [(p.year, p.month) for p in db.session.scalars(select(FiscalPeriod))] == [(2026, 1)]
