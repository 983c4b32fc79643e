"""What the database itself refuses, whatever the services do: edits to posted rows, lines in a
closed month, one-sided lines, a copied date that differs, and (PostgreSQL, at commit) an
unbalanced entry."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from coopsaas.extensions import db
from coopsaas.ledger import close_period
from coopsaas.ledger.models import JournalEntry, JournalLine
from tests.ledger.conftest import rp

DAY = date(2026, 1, 10)


def raw_entry(books, lines, *, on=DAY, voucher="JU-2026-000900", line_on=None):
    entry = JournalEntry(voucher_no=voucher, series="JU", entry_on=on, memo="langsung")
    for n, (code, debit, credit) in enumerate(lines, start=1):
        entry.lines.append(
            JournalLine(
                line_no=n,
                account_id=books.accounts[code].id,
                entry_on=line_on or on,
                debit=rp(debit),
                credit=rp(credit),
            )
        )
    db.session.add(entry)
    return entry


def refused(statement_or_flush, match):
    with pytest.raises(DBAPIError, match=match), db.session.begin_nested():
        if callable(statement_or_flush):
            statement_or_flush()
        else:
            db.session.execute(text(statement_or_flush))


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE journal_line SET debit = debit * 2 WHERE debit > 0",
        "UPDATE journal_line SET memo = 'diubah'",
        "DELETE FROM journal_line",
        "UPDATE journal_entry SET memo = 'diubah'",
        "DELETE FROM journal_entry",
    ],
)
def test_posted_rows_cannot_be_updated_or_deleted(books, sql):
    books.post(DAY, ("1101", 500000, 0), ("2101", 0, 500000))
    refused(sql, "append-only")
    assert db.session.scalar(text("SELECT count(*) FROM journal_line")) == 2


def test_a_line_in_a_closed_month_is_refused_by_the_database(books):
    books.post(DAY, ("1101", 1000, 0), ("3101", 0, 1000))
    close_period(tenant=books.tenant, actor=books.manager, year=2026, month=1)
    raw_entry(books, [("1101", 1000, 0), ("3101", 0, 1000)], on=date(2026, 1, 31))
    refused(db.session.flush, "closed period")
    db.session.expunge_all()


def test_a_line_after_the_closed_month_is_accepted_by_the_database(books, check_deferred):
    books.post(DAY, ("1101", 1000, 0), ("3101", 0, 1000))
    close_period(tenant=books.tenant, actor=books.manager, year=2026, month=1)
    raw_entry(books, [("1101", 1000, 0), ("3101", 0, 1000)], on=date(2026, 2, 1))
    db.session.flush()
    check_deferred()
    assert db.session.scalar(text("SELECT count(*) FROM journal_line")) == 4


@pytest.mark.parametrize("debit, credit", [(1000, 1000), (0, 0)])
def test_a_line_must_have_exactly_one_side_positive(books, debit, credit):
    raw_entry(books, [("1101", debit, credit), ("3101", 0, 1000)])
    refused(db.session.flush, "one_side_positive")
    db.session.expunge_all()


def test_a_line_carries_the_date_of_its_entry(books):
    raw_entry(books, [("1101", 1000, 0), ("3101", 0, 1000)], line_on=date(2026, 1, 11))
    refused(db.session.flush, "(?i)foreign key")
    db.session.expunge_all()


@pytest.mark.postgres
def test_an_unbalanced_entry_fails_at_commit_on_postgresql(books):
    raw_entry(books, [("1101", 1000, 0), ("3101", 0, 999)])
    db.session.flush()  # accepted until the deferred check runs
    refused("SET CONSTRAINTS ALL IMMEDIATE", r"does not balance \(2 lines, debit 1000.00, credit 999.00\)")


@pytest.mark.postgres
def test_an_entry_without_lines_fails_at_commit_on_postgresql(books):
    db.session.add(JournalEntry(voucher_no="JU-2026-000901", series="JU", entry_on=DAY, memo="kosong"))
    db.session.flush()
    refused("SET CONSTRAINTS ALL IMMEDIATE", r"does not balance \(0 lines")


@pytest.mark.postgres
def test_a_balanced_entry_passes_the_commit_check(books):
    books.post(DAY, ("1101", 1000, 0), ("1102", 500, 0), ("3101", 0, 1500))
    db.session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
    assert db.session.scalar(text("SELECT count(*) FROM journal_line")) == 3
