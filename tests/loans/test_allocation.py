"""Repayment allocation, denda and early settlement (domain/loans.md section 5)."""

from datetime import date
from decimal import Decimal

import pytest

from coopsaas.loans.allocation import (
    AllocationOrder,
    Component,
    EarlySettlementRule,
    Overpayment,
    PenaltyBasis,
    PenaltyCharge,
    PenaltyRule,
    PenaltyUnit,
    SettlementInterest,
    allocate_payment,
    charge_penalties,
    instalment_states,
    late_penalty,
    settle_early,
    settlement_quote,
)
from coopsaas.loans.collectibility import days_past_due
from coopsaas.loans.schedule import LoanInputError, Method, Rate, build_schedule

# The worked FLAT loan of loans.md 4.1, disbursed 31 January 2025: due on the last day of each
# month, 1.081.667 a month (916.667 pokok + 165.000 bunga), the 12th 1.081.663.
FLAT = build_schedule(
    Method.FLAT,
    principal=Decimal(11_000_000),
    term=12,
    disbursed_on=date(2025, 1, 31),
    rate=Rate.pa(Decimal(18)),
)
EFEKTIF = build_schedule(
    Method.EFEKTIF,
    principal=Decimal(11_000_000),
    term=12,
    disbursed_on=date(2025, 1, 31),
    rate=Rate.pa(Decimal(18)),
)
FEB, MAR, APR, MAY = date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30), date(2025, 5, 31)


def fresh(schedule=FLAT, penalties=()):
    return instalment_states(schedule.instalments, penalties=penalties)


def paid(allocation):
    return [(line.no, line.component, line.amount) for line in allocation.lines]


def test_partial_payment_pays_interest_before_principal():
    allocation = allocate_payment(fresh(), amount=Decimal(500_000), paid_on=FEB)

    assert paid(allocation) == [
        (1, Component.INTEREST, Decimal(165_000)),
        (1, Component.PRINCIPAL, Decimal(335_000)),
    ]
    assert allocation.excess == 0


def test_payment_on_the_due_date_pays_that_instalment_first():
    allocation = allocate_payment(fresh(), amount=Decimal(1_081_667), paid_on=FEB)

    assert allocation.for_instalment(1) == {
        Component.PENALTY: Decimal(0),
        Component.INTEREST: Decimal(165_000),
        Component.PRINCIPAL: Decimal(916_667),
    }


def test_payment_covering_several_overdue_instalments_settles_the_oldest_first():
    allocation = allocate_payment(fresh(), amount=Decimal(2_500_000), paid_on=date(2025, 4, 10))

    assert paid(allocation) == [
        (1, Component.INTEREST, Decimal(165_000)),
        (1, Component.PRINCIPAL, Decimal(916_667)),
        (2, Component.INTEREST, Decimal(165_000)),
        (2, Component.PRINCIPAL, Decimal(916_667)),
        (3, Component.INTEREST, Decimal(165_000)),
        (3, Component.PRINCIPAL, Decimal(171_666)),
    ]
    assert (allocation.interest, allocation.principal) == (Decimal(495_000), Decimal(2_005_000))


def test_penalty_is_paid_before_interest_and_principal():
    states = fresh(penalties=[PenaltyCharge(no=1, charged_on=date(2025, 3, 10), amount=Decimal(10_000))])

    allocation = allocate_payment(states, amount=Decimal(100_000), paid_on=date(2025, 3, 10))

    assert paid(allocation) == [
        (1, Component.PENALTY, Decimal(10_000)),
        (1, Component.INTEREST, Decimal(90_000)),
    ]
    assert allocation.penalty == Decimal(10_000)


def test_component_first_pays_all_overdue_penalty_and_interest_before_any_principal():
    penalties = [PenaltyCharge(1, APR, Decimal(20_000)), PenaltyCharge(2, APR, Decimal(5_000))]
    states = fresh(penalties=penalties)

    allocation = allocate_payment(
        states, amount=Decimal(1_200_000), paid_on=APR, order=AllocationOrder.COMPONENT_FIRST
    )

    assert paid(allocation) == [
        (1, Component.PENALTY, Decimal(20_000)),
        (2, Component.PENALTY, Decimal(5_000)),
        (1, Component.INTEREST, Decimal(165_000)),
        (2, Component.INTEREST, Decimal(165_000)),
        (3, Component.INTEREST, Decimal(165_000)),
        (1, Component.PRINCIPAL, Decimal(680_000)),
    ]
    assert allocation.order is AllocationOrder.COMPONENT_FIRST


def test_allocation_order_changes_days_past_due():
    penalties = [PenaltyCharge(1, APR, Decimal(20_000)), PenaltyCharge(2, APR, Decimal(5_000))]
    states = fresh(penalties=penalties)
    oldest_first = allocate_payment(states, amount=Decimal(1_200_000), paid_on=APR)
    component_first = allocate_payment(
        states, amount=Decimal(1_200_000), paid_on=APR, order=AllocationOrder.COMPONENT_FIRST
    )

    after_oldest = instalment_states(FLAT.instalments, penalties=penalties, allocations=[oldest_first])
    after_component = instalment_states(FLAT.instalments, penalties=penalties, allocations=[component_first])

    # Oldest-first settles instalment 1 (due 28 Feb) and leaves instalment 2 (due 31 Mar) the oldest.
    assert days_past_due(after_oldest, date(2025, 5, 15)) == 45
    assert days_past_due(after_component, date(2025, 5, 15)) == 76


def test_money_left_after_the_overdue_instalments_prepays_the_next_one():
    allocation = allocate_payment(fresh(), amount=Decimal(1_200_000), paid_on=date(2025, 3, 5))

    assert paid(allocation)[2:] == [(2, Component.INTEREST, Decimal(118_333))]


def test_overpayment_beyond_the_whole_schedule_is_refused_by_default():
    with pytest.raises(LoanInputError) as caught:
        allocate_payment(fresh(), amount=Decimal(13_000_000), paid_on=FEB)

    assert "amount" in caught.value.fields


def test_overpayment_can_be_returned_for_the_members_savings():
    allocation = allocate_payment(
        fresh(), amount=Decimal(13_000_000), paid_on=FEB, overpayment=Overpayment.CREDIT_SAVINGS
    )

    assert allocation.principal == Decimal(11_000_000)
    assert allocation.interest == Decimal(1_980_000)
    assert allocation.excess == Decimal(20_000)


@pytest.mark.parametrize("amount", [Decimal(0), Decimal(-1), Decimal("10.005"), 10.5])
def test_payment_must_be_a_positive_amount(amount):
    with pytest.raises(LoanInputError):
        allocate_payment(fresh(), amount=amount, paid_on=FEB)


def _three_paid_on_time():
    allocations = []
    for due in (FEB, MAR, APR):
        states = instalment_states(FLAT.instalments, allocations=allocations)
        allocations.append(allocate_payment(states, amount=Decimal(1_081_667), paid_on=due))
    return allocations


def _paid_three_on_time():
    return instalment_states(FLAT.instalments, allocations=_three_paid_on_time())


def test_early_settlement_of_a_flat_loan_waives_future_interest_by_default():
    states = _paid_three_on_time()

    quote = settlement_quote(states, on=date(2025, 5, 15))

    assert quote.principal == Decimal(8_249_999)
    assert quote.interest == Decimal(165_000)  # the current period, instalment 4 due 31 May
    assert quote.waived_interest == Decimal(1_320_000)  # instalments 5-12
    assert quote.total == Decimal(8_414_999)


def test_early_settlement_returns_the_excess_for_savings_and_closes_every_instalment():
    states = _paid_three_on_time()

    allocation = settle_early(states, amount=Decimal(8_500_000), paid_on=date(2025, 5, 15))

    assert allocation.is_early_settlement
    assert (allocation.principal, allocation.interest, allocation.fee) == (
        Decimal(8_249_999),
        Decimal(165_000),
        0,
    )
    assert allocation.waived_interest == Decimal(1_320_000)
    assert allocation.excess == Decimal(85_001)
    after = instalment_states(FLAT.instalments, allocations=[*_three_paid_on_time(), allocation])
    assert all(state.is_settled for state in after)


def test_early_settlement_can_charge_all_remaining_flat_interest():
    quote = settlement_quote(
        _paid_three_on_time(),
        on=date(2025, 5, 15),
        rule=EarlySettlementRule(interest=SettlementInterest.ALL_REMAINING),
    )

    assert quote.interest == Decimal(1_485_000)
    assert quote.waived_interest == 0
    assert quote.total == Decimal(9_734_999)


def test_early_settlement_fee_is_a_percent_of_remaining_principal_plus_a_fixed_amount():
    rule = EarlySettlementRule(fee_pct=Decimal(1), fee_fixed=Decimal(25_000))

    quote = settlement_quote(_paid_three_on_time(), on=date(2025, 5, 15), rule=rule)

    assert quote.fee == Decimal(107_500)  # 82.499,99 -> 82.500, plus 25.000
    assert quote.total == Decimal(8_522_499)


def test_early_settlement_on_a_due_date_owes_that_periods_interest_only():
    quote = settlement_quote(_paid_three_on_time(), on=MAY)

    assert quote.interest == Decimal(165_000)


def test_early_settlement_includes_overdue_interest_and_penalty():
    states = fresh(penalties=[PenaltyCharge(1, date(2025, 3, 15), Decimal(12_000))])

    quote = settlement_quote(states, on=date(2025, 3, 15))

    assert quote.penalty == Decimal(12_000)
    assert quote.interest == Decimal(330_000)  # instalment 1 overdue + instalment 2 current
    assert quote.principal == Decimal(11_000_000)
    assert quote.total == Decimal(11_342_000)


def test_early_settlement_of_a_declining_loan_owes_the_current_period_interest():
    states = fresh(EFEKTIF)

    quote = settlement_quote(states, on=date(2025, 2, 10))

    assert (quote.interest, quote.principal, quote.waived_interest) == (
        Decimal(165_000),
        Decimal(11_000_000),
        Decimal(907_500),
    )


def test_early_settlement_below_the_quote_is_refused():
    with pytest.raises(LoanInputError) as caught:
        settle_early(_paid_three_on_time(), amount=Decimal(8_414_998), paid_on=date(2025, 5, 15))

    assert "Rp 8.414.999" in str(caught.value)


def test_a_settled_loan_cannot_be_settled_again():
    states = instalment_states(
        FLAT.instalments, allocations=[allocate_payment(fresh(), amount=Decimal(12_980_000), paid_on=FEB)]
    )

    with pytest.raises(LoanInputError):
        settle_early(states, amount=Decimal(1_000), paid_on=MAR)


def test_replaying_history_only_counts_payments_up_to_the_report_date():
    first = allocate_payment(fresh(), amount=Decimal(1_081_667), paid_on=FEB)
    late = allocate_payment(
        instalment_states(FLAT.instalments, allocations=[first]),
        amount=Decimal(1_081_667),
        paid_on=date(2025, 4, 20),
    )

    before = instalment_states(FLAT.instalments, allocations=[first, late], as_of=date(2025, 4, 19))
    after = instalment_states(FLAT.instalments, allocations=[first, late], as_of=date(2025, 4, 20))

    assert before[1].unpaid_total == Decimal(1_081_667)
    assert after[1].is_settled


DAILY = PenaltyRule(basis=PenaltyBasis.OVERDUE_INSTALMENT, rate_pct=Decimal("0.1"))


def test_daily_penalty_on_the_overdue_instalment():
    (first, *_) = fresh()

    # 1.081.667 x 0.1 % x 10 days = 10.816,67
    assert late_penalty(DAILY, first, as_of=date(2025, 3, 10)) == Decimal(10_817)


def test_no_penalty_on_the_due_date_or_before():
    (first, *_) = fresh()

    assert late_penalty(DAILY, first, as_of=FEB) == 0
    assert late_penalty(DAILY, first, as_of=date(2025, 2, 1)) == 0


def test_grace_days_are_forgiven_and_arrears_count_after_them():
    rule = PenaltyRule(basis=PenaltyBasis.OVERDUE_INSTALMENT, rate_pct=Decimal("0.1"), grace_days=3)
    (first, *_) = fresh()

    assert late_penalty(rule, first, as_of=date(2025, 3, 3)) == 0
    assert late_penalty(rule, first, as_of=date(2025, 3, 4)) == Decimal(1_082)


def test_daily_penalty_on_overdue_principal_follows_a_partial_payment():
    rule = PenaltyRule(basis=PenaltyBasis.OVERDUE_PRINCIPAL, rate_pct=Decimal("0.1"))
    part = allocate_payment(fresh(), amount=Decimal(581_667), paid_on=FEB)
    (first, *_) = instalment_states(FLAT.instalments, allocations=[part])

    # 500.000 of principal still unpaid, 5 days
    assert late_penalty(rule, first, as_of=date(2025, 3, 5)) == Decimal(2_500)


def test_nightly_run_charges_only_the_days_since_the_last_run():
    charges = charge_penalties(DAILY, fresh(), as_of=date(2025, 3, 11), charged_through=date(2025, 3, 10))

    assert charges == [PenaltyCharge(no=1, charged_on=date(2025, 3, 11), amount=Decimal(1_082))]


def test_monthly_penalty_counts_each_started_month_of_arrears():
    rule = PenaltyRule(basis=PenaltyBasis.OVERDUE_PRINCIPAL, rate_pct=Decimal(2), per=PenaltyUnit.MONTH)
    (first, *_) = fresh()  # 916.667 principal due 28 February

    assert late_penalty(rule, first, as_of=date(2025, 3, 1)) == Decimal(18_333)
    assert late_penalty(rule, first, as_of=date(2025, 3, 28)) == Decimal(18_333)
    assert late_penalty(rule, first, as_of=date(2025, 3, 29)) == Decimal(36_667)
    assert late_penalty(rule, first, as_of=date(2025, 3, 29), charged_through=date(2025, 3, 28)) == Decimal(
        18_333
    )


def test_fixed_penalty_is_charged_once_per_late_instalment():
    rule = PenaltyRule(basis=PenaltyBasis.FIXED_PER_INSTALMENT, fixed_amount=Decimal(25_000))

    first_run = charge_penalties(rule, fresh(), as_of=date(2025, 4, 2))
    second_run = charge_penalties(rule, fresh(), as_of=date(2025, 4, 3), charged_through=date(2025, 4, 2))

    assert [(c.no, c.amount) for c in first_run] == [(1, Decimal(25_000)), (2, Decimal(25_000))]
    assert second_run == []


def test_no_penalty_by_default_or_on_a_paid_instalment():
    states = instalment_states(
        FLAT.instalments, allocations=[allocate_payment(fresh(), amount=Decimal(1_081_667), paid_on=FEB)]
    )

    assert late_penalty(PenaltyRule(), states[1], as_of=date(2025, 6, 1)) == 0
    assert late_penalty(DAILY, states[0], as_of=date(2025, 6, 1)) == 0


def test_negative_penalty_or_fee_settings_are_refused():
    with pytest.raises(LoanInputError):
        PenaltyRule(basis=PenaltyBasis.OVERDUE_PRINCIPAL, rate_pct=Decimal("-0.1"))
    with pytest.raises(LoanInputError):
        PenaltyRule(grace_days=-1)
    with pytest.raises(LoanInputError):
        EarlySettlementRule(fee_fixed=Decimal(-1))
