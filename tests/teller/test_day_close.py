"""Teller day close: the cash position, the count, the difference to the suspense account,
refusing cash after the close, the manager's reopen and the second close."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from coopsaas.core.audit import AuditEvent
from coopsaas.errors import Conflict, PermissionDenied, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import balance_of
from coopsaas.ledger.models import JournalEntry
from coopsaas.savings import services as savings
from coopsaas.savings import teller
from coopsaas.savings.models import SavingsTransaction
from tests.teller.conftest import TODAY, rp


def sukarela(coop, admission):
    return coop.account(admission, "sukarela")


def a_day_of_cash(coop):
    """Opening float Rp 2.000.000; in 1.500.000 + 250.000,50; out 400.000; one transfer of 900.000."""
    session = teller.open_day(tenant=coop.tenant, actor=coop.teller, opening_float="2000000")
    siti, budi = sukarela(coop, coop.siti), sukarela(coop, coop.budi)
    savings.deposit(tenant=coop.tenant, actor=coop.teller, account=siti, amount="1500000")
    savings.deposit(tenant=coop.tenant, actor=coop.teller, account=budi, amount="250000.50")
    savings.withdraw(tenant=coop.tenant, actor=coop.teller, account=siti, amount="400000")
    savings.deposit(tenant=coop.tenant, actor=coop.teller, account=budi, amount="900000", channel="transfer")
    # Another teller's cash is not this teller's drawer.
    savings.deposit(tenant=coop.tenant, actor=coop.teller2, account=budi, amount="100000")
    return session


def test_position_counts_only_this_tellers_cash_of_the_date(coop):
    session = a_day_of_cash(coop)
    position = teller.position_of(session)
    assert position.opening_float == rp(2000000)
    assert position.cash_in == rp("1750000.50")
    assert position.cash_out == rp(400000)
    assert position.expected == rp("3350000.50")
    savings_flow = next(s for s in position.sources if s.name == "savings")
    assert savings_flow.count == 3


def test_close_with_exact_count_posts_nothing(coop):
    session = a_day_of_cash(coop)
    entries = db.session.scalar(select(func.count()).select_from(JournalEntry))
    closed = teller.close_day(
        tenant=coop.tenant, actor=coop.teller, session=session, counted=rp("3350000.50")
    )
    assert closed.status == "closed"
    assert closed.difference == rp(0)
    assert closed.expected == rp("3350000.50")
    assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == entries


def test_shortage_needs_a_reason_and_goes_to_the_suspense_account(coop):
    session = a_day_of_cash(coop)
    kas_before = balance_of(coop.accounts["1101"], TODAY)
    with pytest.raises(ValidationError) as err:
        teller.close_day(tenant=coop.tenant, actor=coop.teller, session=session, counted="3300000.50")
    assert "differs from the expected cash by Rp 50.000" in str(err.value.message)
    assert session.status == "open"
    closed = teller.close_day(
        tenant=coop.tenant, actor=coop.teller, session=session, counted="3300000.50", reason="Uang palsu"
    )
    assert closed.difference == rp(-50000)
    assert balance_of(coop.accounts["1190"], TODAY) == rp(50000)
    assert balance_of(coop.accounts["1101"], TODAY) == kas_before - rp(50000)
    entry = db.session.scalars(select(JournalEntry).where(JournalEntry.source_type == "teller_session")).one()
    assert entry.voucher_no.startswith("KK-2026-")
    assert entry.source_id == session.id


def test_overage_by_denominations_goes_the_other_way(coop):
    session = a_day_of_cash(coop)
    pieces = {"100000": 33, "50000": 1, "1000": 1, "500": 1}  # Rp 3.351.500
    closed = teller.close_day(
        tenant=coop.tenant, actor=coop.teller, session=session, denominations=pieces, reason="Kembalian"
    )
    assert closed.counted == rp(3351500)
    assert closed.difference == rp("1499.50")
    assert closed.denominations == {"100000": 33, "50000": 1, "1000": 1, "500": 1}
    assert balance_of(coop.accounts["1190"], TODAY) == rp("-1499.50")


def test_count_and_denominations_must_agree(coop):
    session = a_day_of_cash(coop)
    with pytest.raises(ValidationError) as err:
        teller.close_day(
            tenant=coop.tenant,
            actor=coop.teller,
            session=session,
            counted="3350000",
            denominations={"100000": 1},
        )
    assert "add up to Rp 100.000,00, not Rp 3.350.000,00" in str(err.value.message)
    with pytest.raises(ValidationError):
        teller.close_day(tenant=coop.tenant, actor=coop.teller, session=session, denominations={"75000": 1})
    with pytest.raises(ValidationError):
        teller.close_day(tenant=coop.tenant, actor=coop.teller, session=session)


def test_no_cash_after_close_until_a_manager_reopens(coop):
    session = a_day_of_cash(coop)
    teller.close_day(tenant=coop.tenant, actor=coop.teller, session=session, counted="3350000.50")
    siti = sukarela(coop, coop.siti)
    before = db.session.scalar(select(func.count()).select_from(SavingsTransaction))
    with pytest.raises(Conflict) as err:
        savings.deposit(tenant=coop.tenant, actor=coop.teller, account=siti, amount="10000")
    assert err.value.code == "teller_day_closed"
    assert "2026-11-19 is closed" in str(err.value.message)
    assert db.session.scalar(select(func.count()).select_from(SavingsTransaction)) == before
    # A transfer is not cash; another teller's drawer is still open.
    savings.deposit(tenant=coop.tenant, actor=coop.teller, account=siti, amount="10000", channel="transfer")
    savings.deposit(tenant=coop.tenant, actor=coop.teller2, account=siti, amount="10000")
    with pytest.raises(PermissionDenied):
        teller.reopen_day(tenant=coop.tenant, actor=coop.teller, session=session, reason="Lupa setoran")
    with pytest.raises(ValidationError):
        teller.reopen_day(tenant=coop.tenant, actor=coop.manager, session=session, reason=" ")
    teller.reopen_day(tenant=coop.tenant, actor=coop.manager, session=session, reason="Setoran terlambat")
    savings.deposit(tenant=coop.tenant, actor=coop.teller, account=siti, amount="10000")
    events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("teller.%"))).all()
    assert sorted(events) == ["teller.day.close", "teller.day.open", "teller.day.reopen"]


def test_second_close_posts_only_the_new_difference(coop):
    session = a_day_of_cash(coop)
    teller.close_day(
        tenant=coop.tenant, actor=coop.teller, session=session, counted="3300000.50", reason="Kurang"
    )
    teller.reopen_day(tenant=coop.tenant, actor=coop.manager, session=session, reason="Hitung ulang")
    assert balance_of(coop.accounts["1190"], TODAY) == rp(50000)  # reopening reverses nothing
    teller.close_day(
        tenant=coop.tenant, actor=coop.teller, session=session, counted="3330000.50", reason="Kurang"
    )
    assert session.difference == rp(-20000)
    assert balance_of(coop.accounts["1190"], TODAY) == rp(20000)
    entries = db.session.scalars(
        select(JournalEntry)
        .where(JournalEntry.source_type == "teller_session")
        .order_by(JournalEntry.voucher_no)
    ).all()
    assert sorted(e.total for e in entries) == [rp(30000), rp(50000)]
    teller.reopen_day(tenant=coop.tenant, actor=coop.manager, session=session, reason="Ketemu")
    teller.close_day(tenant=coop.tenant, actor=coop.teller, session=session, counted="3350000.50")
    assert balance_of(coop.accounts["1190"], TODAY) == rp(0)
    assert session.close_count == 3


def test_open_twice_and_close_twice_are_refused(coop):
    session = teller.open_day(tenant=coop.tenant, actor=coop.teller, opening_float="0")
    with pytest.raises(Conflict):
        teller.open_day(tenant=coop.tenant, actor=coop.teller, opening_float="500000")
    teller.close_day(tenant=coop.tenant, actor=coop.teller, session=session, counted="0")
    with pytest.raises(Conflict):
        teller.close_day(tenant=coop.tenant, actor=coop.teller, session=session, counted="0")
    with pytest.raises(Conflict):
        teller.open_day(tenant=coop.tenant, actor=coop.teller, opening_float="0")
    with pytest.raises(ValidationError):
        teller.open_day(tenant=coop.tenant, actor=coop.teller2, opening_float="-5")


def test_another_teller_cannot_close_my_day_but_a_manager_can(coop):
    session = teller.open_day(tenant=coop.tenant, actor=coop.teller, opening_float="100000")
    with pytest.raises(PermissionDenied):
        teller.close_day(tenant=coop.tenant, actor=coop.teller2, session=session, counted="100000")
    closed = teller.close_day(tenant=coop.tenant, actor=coop.manager, session=session, counted="100000")
    assert closed.closed_by_id == coop.manager.id


def test_required_session_refuses_cash_before_opening(coop):
    coop.tenant.settings = {**coop.tenant.settings, "require_teller_session": True}
    siti = sukarela(coop, coop.siti)
    with pytest.raises(Conflict) as err:
        savings.deposit(tenant=coop.tenant, actor=coop.teller, account=siti, amount="10000")
    assert err.value.code == "teller_day_not_open"
    assert siti.balance == rp(0)
    savings.deposit(tenant=coop.tenant, actor=coop.teller, account=siti, amount="10000", channel="transfer")
    teller.open_day(tenant=coop.tenant, actor=coop.teller, opening_float="0")
    txn = savings.deposit(tenant=coop.tenant, actor=coop.teller, account=siti, amount="10000")
    assert txn.balance_after == rp(20000)


def test_no_suspense_account_is_a_clear_error(coop):
    coop.accounts["1190"].is_active = False
    db.session.flush()
    session = teller.open_day(tenant=coop.tenant, actor=coop.teller, opening_float="100000")
    with pytest.raises(ValidationError) as err:
        teller.close_day(tenant=coop.tenant, actor=coop.teller, session=session, counted="90000", reason="x")
    assert "suspense account" in str(err.value.message)


def test_backdate_window(coop):
    siti = sukarela(coop, coop.siti)
    with pytest.raises(ValidationError) as err:
        savings.deposit(
            tenant=coop.tenant,
            actor=coop.teller,
            account=siti,
            amount="1000",
            on=date(2026, 11, 11),
            check_date=True,
        )
    assert err.value.code == "backdate_limit"
    assert "at most 7 days before today, so from 2026-11-12" in str(err.value.message)
    savings.deposit(
        tenant=coop.tenant,
        actor=coop.teller,
        account=siti,
        amount="1000",
        on=date(2026, 11, 12),
        check_date=True,
    )
    with pytest.raises(ValidationError) as err:
        savings.withdraw(
            tenant=coop.tenant,
            actor=coop.teller,
            account=siti,
            amount="1000",
            on=date(2026, 11, 20),
            check_date=True,
        )
    assert err.value.code == "future_date"
    coop.tenant.settings = {**coop.tenant.settings, "max_backdate_days": 30}
    savings.deposit(
        tenant=coop.tenant,
        actor=coop.teller,
        account=siti,
        amount="1000",
        on=date(2026, 10, 20),
        check_date=True,
    )
    assert siti.balance == rp(2000)
