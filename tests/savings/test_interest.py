"""Sukarela interest: the worked month of domain/savings.md section 3 and hand-computed cases."""

from datetime import date
from decimal import Decimal

import pytest

from coopsaas.errors import ValidationError
from coopsaas.savings.interest import (
    AdminFeeShortfall,
    DayCount,
    InterestMethod,
    SukarelaTerms,
    admin_fee_charge,
    daily_balances,
    interest_on_closing,
    sukarela_interest,
)

LOWEST = InterestMethod.LOWEST_BALANCE
AVERAGE = InterestMethod.AVERAGE_BALANCE
DAILY = InterestMethod.DAILY_BALANCE

# savings.md section 3: June, 3 % p.a., opening 2.400.000, +1.200.000 on the 10th,
# -1.650.000 on the 21st, +600.000 on the 27th (end-of-day balances below).
JUNE_OPENING = Decimal("2400000")
JUNE_CHANGES = [
    (date(2026, 6, 10), Decimal("3600000")),
    (date(2026, 6, 21), Decimal("1950000")),
    (date(2026, 6, 27), Decimal("2550000")),
]


def june(method: InterestMethod, day_count: DayCount = DayCount.ACT_365, **settings):
    terms = SukarelaTerms(rate_pa=Decimal("3"), method=method, day_count=day_count, **settings)
    return sukarela_interest(
        year=2026, month=6, opening_balance=JUNE_OPENING, changes=JUNE_CHANGES, terms=terms
    )


def flat_month(year: int, month: int, balance: str, method: InterestMethod, day_count=DayCount.ACT_365):
    terms = SukarelaTerms(rate_pa=Decimal("3"), method=method, day_count=day_count)
    return sukarela_interest(
        year=year, month=month, opening_balance=Decimal(balance), changes=[], terms=terms
    )


@pytest.mark.parametrize(
    ("method", "day_count", "interest", "exact_to_sen"),
    [
        (LOWEST, DayCount.ACT_365, "4808.00", "4808.22"),
        (LOWEST, DayCount.THIRTY_360, "4875.00", "4875.00"),
        (AVERAGE, DayCount.ACT_365, "6830.00", "6830.14"),
        (AVERAGE, DayCount.THIRTY_360, "6925.00", "6925.00"),
        (DAILY, DayCount.ACT_365, "6830.00", "6830.14"),
    ],
)
def test_worked_june_matches_the_domain_table(method, day_count, interest, exact_to_sen):
    result = june(method, day_count)
    assert result.interest == Decimal(interest)
    assert result.exact.quantize(Decimal("0.01")) == Decimal(exact_to_sen)


def test_worked_june_shows_lowest_average_and_balance_days():
    result = june(LOWEST)
    assert result.days_in_month == 30
    assert result.lowest == Decimal("1950000.00")
    assert result.average == Decimal("2770000.00")
    assert result.balance_days == Decimal("83100000.00")


def test_worked_june_end_of_day_balances_per_range_of_days():
    balances = daily_balances(
        opening_balance=JUNE_OPENING,
        changes=JUNE_CHANGES,
        first_day=date(2026, 6, 1),
        last_day=date(2026, 6, 30),
    )
    assert balances[0:9] == [Decimal("2400000.00")] * 9
    assert balances[9:20] == [Decimal("3600000.00")] * 11
    assert balances[20:26] == [Decimal("1950000.00")] * 6
    assert balances[26:30] == [Decimal("2550000.00")] * 4


def test_daily_balance_is_not_offered_with_30_360():
    with pytest.raises(ValidationError, match="not offered with the 30/360"):
        SukarelaTerms(rate_pa=Decimal("3"), method=DAILY, day_count=DayCount.THIRTY_360)


@pytest.mark.parametrize(
    ("method", "day_count", "interest"),
    [
        (LOWEST, DayCount.ACT_365, "23836.00"),  # 300.000 * 29/365 = 23.835,62
        (DAILY, DayCount.ACT_365, "23836.00"),
        (AVERAGE, DayCount.THIRTY_360, "25000.00"),  # 300.000 / 12
        (LOWEST, DayCount.ACT_ACT, "23770.00"),  # 300.000 * 29/366 = 23.770,49
    ],
)
def test_february_of_a_leap_year_counts_29_days_over_365(method, day_count, interest):
    result = flat_month(2024, 2, "10000000", method, day_count)
    assert result.days_in_month == 29
    assert result.interest == Decimal(interest)


def test_february_of_a_common_year_counts_28_days():
    result = flat_month(2025, 2, "10000000", LOWEST)  # 300.000 * 28/365 = 23.013,70
    assert result.days_in_month == 28
    assert result.interest == Decimal("23014.00")


@pytest.mark.parametrize(
    ("method", "day_count", "interest"),
    [
        (LOWEST, DayCount.ACT_365, "25479.00"),  # 300.000 * 31/365 = 25.479,45
        (AVERAGE, DayCount.ACT_365, "25479.00"),
        (DAILY, DayCount.ACT_365, "25479.00"),
        (LOWEST, DayCount.THIRTY_360, "25000.00"),
    ],
)
def test_a_31_day_month_earns_31_days_under_act_365_and_a_twelfth_under_30_360(method, day_count, interest):
    result = flat_month(2026, 7, "10000000", method, day_count)
    assert result.days_in_month == 31
    assert result.interest == Decimal(interest)


@pytest.mark.parametrize(
    ("method", "day_count", "interest"),
    [
        (LOWEST, DayCount.ACT_365, "0.00"),  # the 14 days before opening count as 0
        (AVERAGE, DayCount.ACT_365, "6986.00"),  # 17 days * 5.000.000 * 3 % / 365 = 6.986,30
        (DAILY, DayCount.ACT_365, "6986.00"),
        (AVERAGE, DayCount.THIRTY_360, "6855.00"),  # 85.000.000 / 31 * 3 % / 12 = 6.854,84
    ],
)
def test_account_opened_on_the_15th(method, day_count, interest):
    terms = SukarelaTerms(rate_pa=Decimal("3"), method=method, day_count=day_count)
    result = sukarela_interest(
        year=2026,
        month=7,
        opening_balance=Decimal("0"),
        changes=[(date(2026, 7, 15), Decimal("5000000"))],
        terms=terms,
        opened_on=date(2026, 7, 15),
    )
    assert result.balance_days == Decimal("85000000.00")
    assert result.interest == Decimal(interest)


def test_days_before_opening_count_as_zero_whatever_the_history_says():
    terms = SukarelaTerms(rate_pa=Decimal("3"), method=AVERAGE)
    result = sukarela_interest(
        year=2026,
        month=7,
        opening_balance=Decimal("5000000"),
        changes=[],
        terms=terms,
        opened_on=date(2026, 7, 15),
    )
    assert result.lowest == Decimal("0.00")
    assert result.interest == Decimal("6986.00")


# June 2026 with a minimum of 1.000.000 for interest: 3.000.000 on days 1-10, 800.000 on days
# 11-20, 3.000.000 on days 21-30.
DIP_CHANGES = [(date(2026, 6, 11), Decimal("800000")), (date(2026, 6, 21), Decimal("3000000"))]


def dip(method: InterestMethod, minimum: str = "1000000"):
    terms = SukarelaTerms(rate_pa=Decimal("3"), method=method, min_balance_for_interest=Decimal(minimum))
    return sukarela_interest(
        year=2026, month=6, opening_balance=Decimal("3000000"), changes=DIP_CHANGES, terms=terms
    )


def test_lowest_balance_below_the_minimum_earns_nothing():
    result = dip(LOWEST)
    assert result.lowest == Decimal("800000.00")
    assert result.below_minimum is True
    assert result.interest == Decimal("0.00")


def test_average_balance_above_the_minimum_still_earns_despite_the_dip():
    result = dip(AVERAGE)  # 68.000.000 * 3 % / 365 = 5.589,04
    assert result.average == Decimal("2266666.67")
    assert result.below_minimum is False
    assert result.interest == Decimal("5589.00")


def test_average_balance_below_the_minimum_earns_nothing():
    result = dip(AVERAGE, minimum="2500000")
    assert result.below_minimum is True
    assert result.interest == Decimal("0.00")


def test_daily_balance_skips_only_the_days_below_the_minimum():
    result = dip(DAILY)  # 20 days * 3.000.000 = 60.000.000 * 3 % / 365 = 4.931,51
    assert result.below_minimum is True
    assert result.interest == Decimal("4932.00")


def test_lowest_balance_exactly_at_the_minimum_earns():
    terms = SukarelaTerms(rate_pa=Decimal("3"), min_balance_for_interest=Decimal("1000000"))
    result = sukarela_interest(
        year=2026, month=6, opening_balance=Decimal("1000000"), changes=[], terms=terms
    )
    assert result.below_minimum is False
    assert result.interest == Decimal("2466.00")  # 1.000.000 * 3 % * 30/365 = 2.465,75


@pytest.mark.parametrize("method", list(InterestMethod))
def test_zero_balance_earns_zero(method):
    result = flat_month(2026, 6, "0", method)
    assert result.interest == Decimal("0.00")
    assert result.average == Decimal("0.00")


def test_interest_rounds_a_half_rupiah_up():
    result = flat_month(2026, 6, "1000200", LOWEST, DayCount.THIRTY_360)  # 1.000.200 * 3 % / 12 = 2.500,5
    assert result.exact == Decimal("2500.5")
    assert result.interest == Decimal("2501.00")


def test_changes_before_the_month_roll_the_opening_balance_and_the_last_same_day_change_wins():
    terms = SukarelaTerms(rate_pa=Decimal("3"))
    changes = [
        (date(2026, 6, 10), Decimal("2000000")),
        (date(2026, 5, 31), Decimal("1000000")),
        (date(2026, 6, 10), Decimal("1500000")),
    ]
    result = sukarela_interest(year=2026, month=6, opening_balance=Decimal("0"), changes=changes, terms=terms)
    assert result.lowest == Decimal("1000000.00")
    assert result.balance_days == Decimal("9") * Decimal("1000000") + Decimal("21") * Decimal("1500000")


def test_year_days_is_a_setting_for_act_365():
    terms = SukarelaTerms(rate_pa=Decimal("3"), year_days=360)
    result = sukarela_interest(
        year=2026, month=6, opening_balance=Decimal("10000000"), changes=[], terms=terms
    )
    assert result.interest == Decimal("25000.00")  # 300.000 * 30/360


def test_closing_mid_month_pays_daily_interest_to_the_day_before_closing():
    terms = SukarelaTerms(rate_pa=Decimal("3"), method=DAILY)
    result = interest_on_closing(
        closed_on=date(2026, 6, 16), opening_balance=Decimal("4000000"), changes=[], terms=terms
    )
    assert result.days_counted == 15
    assert result.interest == Decimal("4932.00")  # 60.000.000 * 3 % / 365 = 4.931,51


@pytest.mark.parametrize("method", [LOWEST, AVERAGE])
def test_closing_mid_month_pays_nothing_under_lowest_and_average(method):
    terms = SukarelaTerms(rate_pa=Decimal("3"), method=method)
    result = interest_on_closing(
        closed_on=date(2026, 6, 16), opening_balance=Decimal("4000000"), changes=[], terms=terms
    )
    assert result.interest == Decimal("0.00")


def test_closing_on_the_first_day_pays_nothing():
    terms = SukarelaTerms(rate_pa=Decimal("3"), method=DAILY)
    result = interest_on_closing(
        closed_on=date(2026, 6, 1), opening_balance=Decimal("4000000"), changes=[], terms=terms
    )
    assert result.days_counted == 0
    assert result.interest == Decimal("0.00")


def test_product_settings_accept_their_stored_string_keys():
    terms = SukarelaTerms(rate_pa=Decimal("3"), method="AVERAGE_BALANCE", day_count="30_360")
    assert terms.method is AVERAGE
    assert terms.day_count is DayCount.THIRTY_360


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"rate_pa": 3.0}, "rate_pa must be a Decimal"),
        ({"rate_pa": Decimal("-1")}, "rate_pa must be zero or more"),
        ({"rate_pa": Decimal("3"), "method": "HIGHEST_BALANCE"}, "method must be one of"),
        (
            {"rate_pa": Decimal("3"), "min_balance_for_interest": Decimal("0.001")},
            "more than 2 decimal places",
        ),
        ({"rate_pa": Decimal("3"), "year_days": 400}, "year_days must be"),
    ],
)
def test_bad_product_settings_are_refused(settings, message):
    with pytest.raises(ValidationError, match=message):
        SukarelaTerms(**settings)


def test_a_negative_balance_is_refused():
    with pytest.raises(ValidationError, match="balance must be zero or more"):
        flat_month(2026, 6, "-1", LOWEST)


def test_admin_fee_is_zero_by_default():
    charge = admin_fee_charge(Decimal("100000"), SukarelaTerms(rate_pa=Decimal("3")))
    assert (charge.charged, charge.waived) == (Decimal("0.00"), Decimal("0.00"))


def test_admin_fee_is_charged_in_full_when_the_balance_covers_it():
    terms = SukarelaTerms(rate_pa=Decimal("3"), admin_fee=Decimal("5000"))
    charge = admin_fee_charge(Decimal("5000"), terms)
    assert (charge.charged, charge.waived) == (Decimal("5000.00"), Decimal("0.00"))


def test_admin_fee_above_the_balance_takes_what_is_there_and_waives_the_rest():
    terms = SukarelaTerms(rate_pa=Decimal("3"), admin_fee=Decimal("5000"))
    charge = admin_fee_charge(Decimal("3000"), terms)
    assert (charge.charged, charge.waived) == (Decimal("3000.00"), Decimal("2000.00"))


def test_admin_fee_above_the_balance_is_skipped_when_the_product_says_so():
    terms = SukarelaTerms(
        rate_pa=Decimal("3"), admin_fee=Decimal("5000"), admin_fee_shortfall=AdminFeeShortfall.SKIP
    )
    charge = admin_fee_charge(Decimal("3000"), terms)
    assert (charge.charged, charge.waived) == (Decimal("0.00"), Decimal("5000.00"))


def test_admin_fee_on_a_zero_balance_charges_nothing():
    terms = SukarelaTerms(rate_pa=Decimal("3"), admin_fee=Decimal("5000"))
    charge = admin_fee_charge(Decimal("0"), terms)
    assert (charge.charged, charge.waived) == (Decimal("0.00"), Decimal("5000.00"))


def test_account_opened_on_the_first_earns_the_whole_month_under_lowest_balance():
    terms = SukarelaTerms(rate_pa=Decimal("3"))
    result = sukarela_interest(
        year=2026,
        month=6,
        opening_balance=Decimal("0"),
        changes=[(date(2026, 6, 1), Decimal("1000000"))],
        terms=terms,
        opened_on=date(2026, 6, 1),
    )
    assert result.interest == Decimal("2466.00")  # 1.000.000 * 3 % * 30/365 = 2.465,75
