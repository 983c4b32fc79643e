"""Time deposits: placement, monthly interest, maturity payout and rollover, early break, to the rupiah."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from coopsaas.errors import InsufficientFunds, PermissionDenied, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import verify_ledger
from coopsaas.savings import deposits
from coopsaas.savings.models_berjangka import BerjangkaPlacement
from tests.savings_month_end.helpers import balance, member_with, move, posted, run_month, tb

PLACED = date(2026, 4, 15)
# 15.000.000 at 6 % p.a., ACT_365: 15 Apr-15 May 30 days 73.972,60; to 15 Jun 31 days 76.438,36;
# to 15 Jul 30 days 73.972,60.
MONTHS = [Decimal("73973.00"), Decimal("76438.00"), Decimal("73973.00")]


def rp(n: str | int) -> Decimal:
    return Decimal(str(n)).quantize(Decimal("0.01"))


def place(coop, code="BJ-M", *, source="cash", fund=0):
    member, sirela = member_with(coop, 1, "A-LOW")
    if fund:
        move(coop, sirela, date(2026, 4, 1), fund)
    placement = deposits.place_deposit(
        tenant=coop.tenant,
        actor=coop.teller,
        member=member,
        product=coop.products[code],
        amount="15000000",
        term_months=3,
        source=source,
        payout_account=sirela,
        on=PLACED,
    )
    return placement, sirela


def test_placement_from_cash_books_the_principal_and_the_maturity_date(coop):
    placement, _sirela = place(coop)
    assert placement.maturity_on == date(2026, 7, 15)
    assert placement.principal == rp(15000000)
    assert tb(coop, "2102") == rp(15000000)
    assert tb(coop, "1101") == rp(15000000 + 250000)  # and simpanan pokok
    assert verify_ledger(coop.tenant) == []


def test_placement_from_the_sukarela_account_moves_the_money_between_accounts(coop):
    _placement, sirela = place(coop, source="sukarela", fund=16000000)
    assert balance(sirela) == rp(1000000)
    assert tb(coop, "2101") == rp(1000000)
    assert tb(coop, "2102") == rp(15000000)
    assert verify_ledger(coop.tenant) == []


def test_placement_refuses_what_the_sukarela_account_cannot_cover_and_terms_not_offered(coop):
    member, sirela = member_with(coop, 1, "A-LOW")
    move(coop, sirela, date(2026, 4, 1), 1000000)
    with pytest.raises(InsufficientFunds):
        deposits.place_deposit(
            tenant=coop.tenant,
            actor=coop.teller,
            member=member,
            product=coop.products["BJ-M"],
            amount="15000000",
            term_months=3,
            source="sukarela",
            payout_account=sirela,
            on=PLACED,
        )
    with pytest.raises(ValidationError) as exc:
        deposits.place_deposit(
            tenant=coop.tenant,
            actor=coop.teller,
            member=member,
            product=coop.products["BJ-M"],
            amount="15000000",
            term_months=4,
            on=PLACED,
        )
    assert str(exc.value.message) == "Berjangka BJ-M is offered for 3, 6 months only."
    assert db.session.scalars(select(BerjangkaPlacement)).all() == []


def test_month_end_pays_monthly_interest_to_sukarela_and_transfers_at_maturity(coop):
    placement, sirela = place(coop)
    run_month(coop, "2026-05-31")
    assert posted(sirela, "interest") == [MONTHS[0]]
    assert tb(coop, "5102") == MONTHS[0]
    run_month(coop, "2026-06-30")
    run_month(coop, "2026-07-31")
    # Jasa sukarela on what the deposit paid in: June's lowest 73.973 -> 182,39; July's lowest
    # 150.593 (1-14 July) -> 383,69. May earned nothing: the account held 0 until 15 May.
    assert posted(sirela, "interest") == [MONTHS[0], MONTHS[1], rp(182), MONTHS[2], rp(384)]
    db.session.refresh(placement)
    assert placement.status == "matured"
    assert tb(coop, "2102") == rp(0)
    assert tb(coop, "5102") == sum(MONTHS)
    assert tb(coop, "5101") == rp(182 + 384)
    assert balance(sirela) == rp(15000000 + 182 + 384) + sum(MONTHS)
    assert verify_ledger(coop.tenant) == []


def test_rollover_places_the_principal_again(coop):
    placement, sirela = place(coop, "BJ-R")
    deposits.post_due_interest(tenant=coop.tenant, actor=None, through=date(2026, 7, 31))
    db.session.refresh(placement)
    assert placement.status == "rolled"
    renewal = db.session.scalars(
        select(BerjangkaPlacement).where(BerjangkaPlacement.status == "active")
    ).one()
    assert (renewal.principal, renewal.placed_on, renewal.maturity_on) == (
        rp(15000000),
        date(2026, 7, 15),
        date(2026, 10, 15),
    )
    assert balance(sirela) == sum(MONTHS)
    assert tb(coop, "2102") == rp(15000000)
    assert verify_ledger(coop.tenant) == []


def test_at_maturity_interest_accrues_monthly_and_is_paid_on_the_maturity_date(coop):
    _placement, sirela = place(coop, "BJ-X")
    deposits.post_due_interest(tenant=coop.tenant, actor=None, through=date(2026, 6, 30))
    assert tb(coop, "2121") == MONTHS[0] + MONTHS[1]
    assert posted(sirela, "interest") == []
    deposits.post_due_interest(tenant=coop.tenant, actor=None, through=date(2026, 7, 31))
    assert tb(coop, "2121") == rp(0)
    assert posted(sirela, "interest") == [sum(MONTHS)]  # 224.384, under the tax threshold
    assert balance(sirela) == rp(15000000) + sum(MONTHS)
    assert verify_ledger(coop.tenant) == []


def test_early_break_forfeits_the_running_month(coop):
    placement, sirela = place(coop, "BJ-M")
    settlement = deposits.break_placement(
        tenant=coop.tenant, actor=coop.manager, placement=placement, on=date(2026, 6, 20)
    )
    assert settlement.forfeited_interest == rp(12329)  # 5 days: 12.328,77
    assert settlement.paid_out == rp(15000000)
    assert posted(sirela, "interest") == MONTHS[:2]  # paid on 15 May and 15 Jun
    assert balance(sirela) == rp(15000000) + MONTHS[0] + MONTHS[1]
    db.session.refresh(placement)
    assert placement.status == "broken"
    assert tb(coop, "2102") == rp(0)
    assert verify_ledger(coop.tenant) == []


def test_early_break_with_a_percentage_penalty(coop):
    placement, sirela = place(coop, "BJ-R")
    settlement = deposits.break_placement(
        tenant=coop.tenant, actor=coop.manager, placement=placement, on=date(2026, 6, 20)
    )
    assert settlement.penalty == rp(150000)  # 1 % of 15.000.000
    assert settlement.interest_gross == rp(12329)
    assert settlement.paid_out == rp(15000000 + 12329 - 150000)
    assert balance(sirela) == rp(15000000 + 12329 - 150000) + MONTHS[0] + MONTHS[1]
    assert tb(coop, "4901") == rp(150000)
    assert verify_ledger(coop.tenant) == []


def test_early_break_of_an_accruing_deposit_pays_the_completed_months(coop):
    placement, sirela = place(coop, "BJ-X")
    deposits.break_placement(
        tenant=coop.tenant, actor=coop.manager, placement=placement, on=date(2026, 6, 20)
    )
    assert posted(sirela, "interest") == [MONTHS[0] + MONTHS[1]]
    assert tb(coop, "2121") == rp(0)
    assert verify_ledger(coop.tenant) == []


def test_only_a_manager_breaks_a_deposit(coop):
    placement, _sirela = place(coop)
    with pytest.raises(PermissionDenied):
        deposits.break_placement(
            tenant=coop.tenant, actor=coop.teller, placement=placement, on=date(2026, 6, 20)
        )


def test_time_deposit_interest_counts_toward_the_members_monthly_tax_threshold(coop):
    member, sirela = member_with(coop, 1, "A-LOW")
    move(coop, sirela, date(2026, 4, 1), 20000000)
    deposits.place_deposit(
        tenant=coop.tenant,
        actor=coop.teller,
        member=member,
        product=coop.products["BJ-M"],
        amount="40000000",
        term_months=3,
        payout_account=sirela,
        on=PLACED,
    )
    run_month(coop, "2026-05-31")
    # Deposit: 40.000.000 x 6 % x 30/365 = 197.260,27 -> 197.260 (alone: no tax). Sukarela:
    # 20.000.000 x 3 % x 31/365 = 50.958,90 -> 50.959. Together 248.219: 10 % = 24.822, all
    # withheld at month end because the deposit's payout had none.
    assert posted(sirela, "interest") == [rp(197260), rp(50959)]
    assert posted(sirela, "tax") == [rp(24822)]
    assert tb(coop, "2122") == rp(24822)
    assert verify_ledger(coop.tenant) == []
