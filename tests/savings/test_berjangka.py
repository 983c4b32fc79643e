"""Simpanan berjangka: maturity dates, interest schedules, maturity and early break."""

from datetime import date
from decimal import Decimal

import pytest

from coopsaas.errors import ValidationError
from coopsaas.savings.berjangka import (
    BerjangkaTerms,
    BreakPenalty,
    MaturityInstruction,
    MonthEndRule,
    Payout,
    break_deposit,
    deposit_schedule,
    interest_periods,
    matures_within_12_months,
    maturity_date,
    settle_at_maturity,
)
from coopsaas.savings.interest import DayCount

FIFTEEN_MILLION = Decimal("15000000")


def terms(months: int, **settings) -> BerjangkaTerms:
    return BerjangkaTerms(term_months=months, rate_pa=Decimal("6"), **settings)


@pytest.mark.parametrize(
    ("day_count", "gross"),
    [(DayCount.ACT_365, "73973.00"), (DayCount.THIRTY_360, "75000.00")],
)
def test_domain_example_15_million_at_6_percent_for_a_30_day_month(day_count, gross):
    schedule = deposit_schedule(FIFTEEN_MILLION, date(2026, 6, 1), terms(1, day_count=day_count))
    assert schedule.periods[0].days == 30
    assert [(p.on, p.gross, p.tax, p.net) for p in schedule.postings] == [
        (date(2026, 7, 1), Decimal(gross), Decimal("0.00"), Decimal(gross)),
    ]


@pytest.mark.parametrize(
    ("placed_on", "months", "rule", "matures_on"),
    [
        (date(2026, 1, 31), 1, MonthEndRule.SAME_DAY, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, MonthEndRule.SAME_DAY, date(2024, 2, 29)),
        (date(2024, 1, 31), 3, MonthEndRule.SAME_DAY, date(2024, 4, 30)),
        (date(2024, 2, 29), 12, MonthEndRule.SAME_DAY, date(2025, 2, 28)),
        (date(2026, 4, 30), 1, MonthEndRule.SAME_DAY, date(2026, 5, 30)),
        (date(2026, 4, 30), 1, MonthEndRule.LAST_DAY, date(2026, 5, 31)),
        (date(2025, 2, 28), 1, MonthEndRule.LAST_DAY, date(2025, 3, 31)),
        (date(2026, 4, 15), 1, MonthEndRule.LAST_DAY, date(2026, 5, 15)),
        (date(2026, 11, 15), 3, MonthEndRule.SAME_DAY, date(2027, 2, 15)),
    ],
)
def test_maturity_date_by_month_end_rule(placed_on, months, rule, matures_on):
    assert maturity_date(placed_on, terms(months, month_end_rule=rule)) == matures_on


def test_anniversaries_count_from_the_placement_day_and_do_not_drift():
    periods = interest_periods(FIFTEEN_MILLION, date(2024, 1, 31), terms(3))
    assert [p.end for p in periods] == [date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]
    assert [p.days for p in periods] == [29, 31, 30]


def test_monthly_payout_pays_each_month_on_its_anniversary():
    schedule = deposit_schedule(FIFTEEN_MILLION, date(2026, 6, 1), terms(3))
    assert [(p.on, p.gross) for p in schedule.postings] == [
        (date(2026, 7, 1), Decimal("73973.00")),  # 900.000 * 30/365
        (date(2026, 8, 1), Decimal("76438.00")),  # 900.000 * 31/365 = 76.438,36
        (date(2026, 9, 1), Decimal("76438.00")),
    ]
    assert schedule.maturity_on == date(2026, 9, 1)
    assert schedule.total_gross == Decimal("226849.00")
    assert schedule.total_tax == Decimal("0.00")


def test_monthly_payout_above_the_threshold_is_taxed_on_each_payment():
    schedule = deposit_schedule(Decimal("100000000"), date(2026, 7, 1), terms(1))
    posting = schedule.postings[0]  # 6.000.000 * 31/365 = 509.589,04
    assert (posting.gross, posting.tax, posting.net) == (
        Decimal("509589.00"),
        Decimal("50959.00"),
        Decimal("458630.00"),
    )


def test_at_maturity_accrues_every_month_and_pays_the_sum_on_maturity_with_tax():
    schedule = deposit_schedule(FIFTEEN_MILLION, date(2024, 1, 31), terms(12, payout=Payout.AT_MATURITY))
    assert [p.gross for p in schedule.periods[:4]] == [
        Decimal("71507.00"),  # 29 days (February 2024)
        Decimal("76438.00"),
        Decimal("73973.00"),
        Decimal("76438.00"),
    ]
    assert sum(p.days for p in schedule.periods) == 366
    assert [(p.on, p.gross, p.tax, p.net) for p in schedule.postings] == [
        (date(2025, 1, 31), Decimal("902465.00"), Decimal("90247.00"), Decimal("812218.00")),
    ]


def test_at_maturity_under_30_360_is_a_twelfth_per_month():
    schedule = deposit_schedule(
        FIFTEEN_MILLION, date(2026, 1, 31), terms(3, payout=Payout.AT_MATURITY, day_count=DayCount.THIRTY_360)
    )
    assert [p.gross for p in schedule.periods] == [Decimal("75000.00")] * 3
    assert [(p.on, p.gross, p.tax) for p in schedule.postings] == [
        (date(2026, 4, 30), Decimal("225000.00"), Decimal("0.00")),
    ]


def at_maturity_12(instruction: MaturityInstruction):
    deposit_terms = terms(12, payout=Payout.AT_MATURITY, maturity_instruction=instruction)
    return settle_at_maturity(deposit_schedule(FIFTEEN_MILLION, date(2024, 1, 31), deposit_terms))


def test_maturity_transfer_pays_principal_and_net_interest_out():
    settlement = at_maturity_12(MaturityInstruction.TRANSFER)
    assert (settlement.new_principal, settlement.paid_out) == (Decimal("0.00"), Decimal("15812218.00"))


def test_maturity_rollover_of_principal_pays_the_interest_out():
    settlement = at_maturity_12(MaturityInstruction.ROLLOVER_PRINCIPAL)
    assert (settlement.new_principal, settlement.paid_out) == (Decimal("15000000.00"), Decimal("812218.00"))


def test_maturity_rollover_with_interest_places_principal_and_net_interest_again():
    settlement = at_maturity_12(MaturityInstruction.ROLLOVER_WITH_INTEREST)
    assert settlement.matured_on == date(2025, 1, 31)
    assert (settlement.new_principal, settlement.paid_out) == (Decimal("15812218.00"), Decimal("0.00"))


def test_rollover_with_interest_of_a_monthly_deposit_rolls_the_principal_only():
    deposit_terms = terms(3, maturity_instruction=MaturityInstruction.ROLLOVER_WITH_INTEREST)
    settlement = settle_at_maturity(deposit_schedule(FIFTEEN_MILLION, date(2026, 6, 1), deposit_terms))
    assert settlement.new_principal == Decimal("15000000.00")
    assert settlement.paid_out == Decimal("76438.00")  # the last month's interest, paid on maturity


def test_early_break_forfeits_the_running_month_of_an_at_maturity_deposit():
    deposit_terms = terms(12, payout=Payout.AT_MATURITY)
    schedule = deposit_schedule(FIFTEEN_MILLION, date(2024, 1, 31), deposit_terms)
    settlement = break_deposit(schedule, date(2024, 5, 10))
    assert settlement.interest_gross == Decimal("221918.00")  # 71.507 + 76.438 + 73.973
    assert settlement.interest_tax == Decimal("0.00")
    assert settlement.forfeited_interest == Decimal("24658.00")  # 10 days: 900.000 * 10/365
    assert settlement.penalty == Decimal("0.00")
    assert settlement.paid_out == Decimal("15221918.00")


def test_early_break_with_a_percentage_penalty_pays_the_running_month_pro_rata():
    deposit_terms = terms(
        12,
        payout=Payout.AT_MATURITY,
        break_penalty=BreakPenalty.PERCENT_OF_PRINCIPAL,
        break_penalty_percent=Decimal("1"),
    )
    schedule = deposit_schedule(FIFTEEN_MILLION, date(2024, 1, 31), deposit_terms)
    settlement = break_deposit(schedule, date(2024, 5, 10))
    assert settlement.interest_gross == Decimal("246576.00")  # over the threshold: taxed
    assert settlement.interest_tax == Decimal("24658.00")
    assert settlement.interest_net == Decimal("221918.00")
    assert settlement.penalty == Decimal("150000.00")
    assert settlement.paid_out == Decimal("15071918.00")


def test_early_break_of_a_monthly_deposit_keeps_paid_months_and_forfeits_the_running_one():
    deposit_terms = terms(3)
    schedule = deposit_schedule(FIFTEEN_MILLION, date(2026, 6, 1), deposit_terms)
    settlement = break_deposit(schedule, date(2026, 8, 15))
    assert settlement.interest_gross == Decimal("0.00")
    assert settlement.forfeited_interest == Decimal("34521.00")  # 14 days: 900.000 * 14/365
    assert settlement.paid_out == Decimal("15000000.00")


def test_early_break_on_an_anniversary_forfeits_nothing():
    deposit_terms = terms(3)
    schedule = deposit_schedule(FIFTEEN_MILLION, date(2026, 6, 1), deposit_terms)
    settlement = break_deposit(schedule, date(2026, 8, 1))
    assert (settlement.forfeited_interest, settlement.paid_out) == (Decimal("0.00"), Decimal("15000000.00"))


def test_early_break_on_the_placement_day_with_a_penalty_costs_the_penalty():
    deposit_terms = terms(
        3, break_penalty=BreakPenalty.PERCENT_OF_PRINCIPAL, break_penalty_percent=Decimal("1")
    )
    schedule = deposit_schedule(FIFTEEN_MILLION, date(2026, 6, 1), deposit_terms)
    settlement = break_deposit(schedule, date(2026, 6, 1))
    assert settlement.interest_gross == Decimal("0.00")
    assert settlement.paid_out == Decimal("14850000.00")


def test_early_break_under_30_360_counts_30_day_months():
    deposit_terms = terms(3, day_count=DayCount.THIRTY_360, break_penalty=BreakPenalty.PERCENT_OF_PRINCIPAL)
    schedule = deposit_schedule(FIFTEEN_MILLION, date(2026, 6, 1), deposit_terms)
    settlement = break_deposit(schedule, date(2026, 6, 16))
    assert settlement.interest_gross == Decimal("37500.00")  # 900.000 * 15/360
    assert settlement.penalty == Decimal("0.00")
    assert settlement.paid_out == Decimal("15037500.00")


@pytest.mark.parametrize("broken_on", [date(2026, 5, 31), date(2026, 9, 1), date(2026, 9, 2)])
def test_a_break_outside_the_term_is_refused(broken_on):
    deposit_terms = terms(3)
    schedule = deposit_schedule(FIFTEEN_MILLION, date(2026, 6, 1), deposit_terms)
    with pytest.raises(ValidationError, match="only be broken between its placement and its maturity"):
        break_deposit(schedule, broken_on)


def test_deposits_maturing_within_12_months_are_current_liabilities():
    assert matures_within_12_months(date(2027, 11, 25), date(2026, 11, 25)) is True
    assert matures_within_12_months(date(2027, 11, 26), date(2026, 11, 25)) is False


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"term_months": 0, "rate_pa": Decimal("6")}, "term_months must be 1 to 120"),
        ({"term_months": 3, "rate_pa": 6.0}, "rate_pa must be a Decimal"),
        ({"term_months": 3, "rate_pa": Decimal("6"), "payout": "WEEKLY"}, "payout must be one of"),
        ({"term_months": 3, "rate_pa": Decimal("6"), "break_penalty_percent": Decimal("150")}, "at most 100"),
    ],
)
def test_bad_deposit_settings_are_refused(settings, message):
    with pytest.raises(ValidationError, match=message):
        BerjangkaTerms(**settings)


def test_a_zero_principal_is_refused():
    with pytest.raises(ValidationError, match="principal above zero"):
        deposit_schedule(Decimal("0"), date(2026, 6, 1), terms(3))


def test_act_act_splits_a_month_across_new_year_by_each_years_length():
    schedule = deposit_schedule(FIFTEEN_MILLION, date(2023, 12, 15), terms(1, day_count=DayCount.ACT_ACT))
    # 15-31 December: 900.000 * 17/365 = 41.917,81; 1-14 January: 900.000 * 14/366 = 34.426,23
    assert schedule.periods[0].days == 31
    assert schedule.postings[0].gross == Decimal("76344.00")


def test_a_deposit_placed_on_the_31st_has_short_months_in_a_common_year():
    periods = interest_periods(FIFTEEN_MILLION, date(2025, 1, 31), terms(3))
    assert [(p.end, p.days, p.gross) for p in periods] == [
        (date(2025, 2, 28), 28, Decimal("69041.00")),  # 900.000 * 28/365 = 69.041,10
        (date(2025, 3, 31), 31, Decimal("76438.00")),
        (date(2025, 4, 30), 30, Decimal("73973.00")),
    ]
