"""Schedules against domain/loans.md sections 3-4 (and sharia.md 2 and 4), to the rupiah."""

from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from itertools import pairwise

import pytest

from coopsaas.loans.schedule import (
    LoanInputError,
    Method,
    Rate,
    ScheduleRules,
    ShortMonth,
    add_months,
    build_schedule,
    due_dates,
    equivalent_rate,
    reschedule,
)

P = Decimal(11_000_000)
RATE_18_PA = Rate.pa(Decimal(18))
DISBURSED = date(2025, 1, 15)

# (pokok, bunga, angsuran, sisa pokok) for k = 1..12, copied from loans.md 4.1-4.3.
FLAT_ROWS = [(916_667, 165_000, 1_081_667, 11_000_000 - 916_667 * k) for k in range(1, 12)] + [
    (916_663, 165_000, 1_081_663, 0)
]
EFEKTIF_ROWS = [
    (916_667, 165_000, 1_081_667, 10_083_333),
    (916_667, 151_250, 1_067_917, 9_166_666),
    (916_667, 137_500, 1_054_167, 8_249_999),
    (916_667, 123_750, 1_040_417, 7_333_332),
    (916_667, 110_000, 1_026_667, 6_416_665),
    (916_667, 96_250, 1_012_917, 5_499_998),
    (916_667, 82_500, 999_167, 4_583_331),
    (916_667, 68_750, 985_417, 3_666_664),
    (916_667, 55_000, 971_667, 2_749_997),
    (916_667, 41_250, 957_917, 1_833_330),
    (916_667, 27_500, 944_167, 916_663),
    (916_663, 13_750, 930_413, 0),
]
ANUITAS_ROWS = [
    (843_480, 165_000, 1_008_480, 10_156_520),
    (856_132, 152_348, 1_008_480, 9_300_388),
    (868_974, 139_506, 1_008_480, 8_431_414),
    (882_009, 126_471, 1_008_480, 7_549_405),
    (895_239, 113_241, 1_008_480, 6_654_166),
    (908_668, 99_812, 1_008_480, 5_745_498),
    (922_298, 86_182, 1_008_480, 4_823_200),
    (936_132, 72_348, 1_008_480, 3_887_068),
    (950_174, 58_306, 1_008_480, 2_936_894),
    (964_427, 44_053, 1_008_480, 1_972_467),
    (978_893, 29_587, 1_008_480, 993_574),
    (993_574, 14_904, 1_008_478, 0),
]
WORKED = [
    (Method.FLAT, FLAT_ROWS, (11_000_000, 1_980_000, 12_980_000)),
    (Method.EFEKTIF, EFEKTIF_ROWS, (11_000_000, 1_072_500, 12_072_500)),
    (Method.ANUITAS, ANUITAS_ROWS, (11_000_000, 1_101_758, 12_101_758)),
]


def rows_of(schedule):
    return [(r.principal, r.interest, r.total, r.balance_after) for r in schedule.instalments]


@pytest.mark.parametrize(("method", "expected_rows", "expected_totals"), WORKED, ids=lambda v: str(v)[:8])
def test_worked_schedule_matches_every_row_of_the_doc(method, expected_rows, expected_totals):
    schedule = build_schedule(method, principal=P, term=12, disbursed_on=DISBURSED, rate=RATE_18_PA)

    assert rows_of(schedule) == [tuple(Decimal(v) for v in row) for row in expected_rows]
    assert (schedule.total_principal, schedule.total_interest, schedule.total) == tuple(
        Decimal(v) for v in expected_totals
    )
    assert [r.no for r in schedule.instalments] == list(range(1, 13))


def test_annuity_instalment_is_rounded_and_the_last_is_two_rupiah_below_it():
    schedule = build_schedule(Method.ANUITAS, principal=P, term=12, disbursed_on=DISBURSED, rate=RATE_18_PA)

    assert schedule.regular_instalment == Decimal("1008480")
    assert schedule.instalments[-1].total == schedule.regular_instalment - 2


def test_flat_last_instalment_absorbs_four_rupiah_less():
    schedule = build_schedule(Method.FLAT, principal=P, term=12, disbursed_on=DISBURSED, rate=RATE_18_PA)

    assert schedule.regular_instalment == Decimal("1081667")
    assert schedule.instalments[-1].total == Decimal("1081663")


def test_last_instalment_can_come_out_larger_than_the_others():
    schedule = build_schedule(
        Method.FLAT, principal=Decimal(10_000_000), term=3, disbursed_on=DISBURSED, rate=RATE_18_PA
    )

    assert [r.principal for r in schedule.instalments] == [Decimal(3_333_333)] * 2 + [Decimal(3_333_334)]
    assert [r.interest for r in schedule.instalments] == [Decimal(150_000)] * 3
    assert schedule.total_principal == Decimal(10_000_000)


def test_half_rupiah_principal_rounds_up_and_the_last_takes_the_remainder():
    schedule = build_schedule(
        Method.EFEKTIF, principal=Decimal(1_000_001), term=2, disbursed_on=DISBURSED, rate=Rate.pa(Decimal(0))
    )

    assert [r.principal for r in schedule.instalments] == [Decimal(500_001), Decimal(500_000)]


def test_interest_of_exactly_half_a_rupiah_rounds_up_despite_a_repeating_monthly_rate():
    # 600 x 1 % / 12 = 0.50 exactly; 600 x 0.000833... would fall just below the half.
    schedule = build_schedule(
        Method.FLAT, principal=Decimal(600), term=1, disbursed_on=DISBURSED, rate=Rate.pa(Decimal(1))
    )

    assert schedule.instalments[0].interest == Decimal(1)


def test_flat_equivalent_declining_rate_is_disclosed_as_in_the_doc():
    schedule = build_schedule(Method.FLAT, principal=P, term=12, disbursed_on=DISBURSED, rate=RATE_18_PA)

    rate = equivalent_rate(schedule)

    assert rate.per_period.quantize(Decimal("0.001"), ROUND_HALF_UP) == Decimal("2.643")
    assert rate.nominal_pa.quantize(Decimal("0.01"), ROUND_HALF_UP) == Decimal("31.72")
    assert rate.effective_pa.quantize(Decimal("0.01"), ROUND_HALF_UP) == Decimal("36.76")


def test_equivalent_rate_of_a_declining_loan_is_its_own_rate():
    schedule = build_schedule(Method.ANUITAS, principal=P, term=12, disbursed_on=DISBURSED, rate=RATE_18_PA)

    assert equivalent_rate(schedule).nominal_pa.quantize(Decimal("0.01"), ROUND_HALF_UP) == Decimal("18.00")


def test_equivalent_rate_of_an_interest_free_loan_is_zero():
    schedule = build_schedule(Method.QARDH, principal=P, term=12, disbursed_on=DISBURSED)

    assert equivalent_rate(schedule).effective_pa == 0


def test_monthly_rate_of_one_and_a_half_percent_gives_the_same_schedule_as_18_percent_a_year():
    per_month = build_schedule(
        Method.ANUITAS, principal=P, term=12, disbursed_on=DISBURSED, rate=Rate.pm(Decimal("1.5"))
    )
    per_year = build_schedule(Method.ANUITAS, principal=P, term=12, disbursed_on=DISBURSED, rate=RATE_18_PA)

    assert rows_of(per_month) == rows_of(per_year)
    assert Rate.pm(Decimal("1.5")).per_period() == Decimal("0.015")


@pytest.mark.parametrize("method", [Method.FLAT, Method.EFEKTIF, Method.ANUITAS])
def test_one_month_loan_repays_principal_and_one_month_of_interest(method):
    schedule = build_schedule(
        method, principal=Decimal(5_000_000), term=1, disbursed_on=DISBURSED, rate=RATE_18_PA
    )

    (row,) = schedule.instalments
    assert (row.principal, row.interest, row.total, row.balance_after) == (
        Decimal(5_000_000),
        Decimal(75_000),
        Decimal(5_075_000),
        Decimal(0),
    )
    assert row.due_on == date(2025, 2, 15)


# 60 months of Rp 25.000.000 at 18 % p.a. (figures checked with exact fractions). FLAT and EFEKTIF
# repay round(25.000.000 / 60) = 416.667 a month, so the 60th absorbs 25.000.000 - 59 x 416.667 =
# 416.647; the annuity A = 634.835,69 -> 634.836 leaves a last instalment of 634.800.
SIXTY_MONTHS = [
    (Method.FLAT, Decimal(22_500_000), Decimal(416_647), Decimal(791_647)),
    (Method.EFEKTIF, Decimal(11_437_500), Decimal(416_647), Decimal(422_897)),
    (Method.ANUITAS, Decimal(13_090_124), Decimal(625_419), Decimal(634_800)),
]


@pytest.mark.parametrize(("method", "total_interest", "last_principal", "last_total"), SIXTY_MONTHS)
def test_sixty_month_loan_repays_exactly_the_principal(method, total_interest, last_principal, last_total):
    principal = Decimal(25_000_000)
    schedule = build_schedule(method, principal=principal, term=60, disbursed_on=DISBURSED, rate=RATE_18_PA)

    rows = schedule.instalments
    assert len(rows) == 60
    assert schedule.total_principal == principal
    assert schedule.total_interest == total_interest
    assert rows[-1].balance_after == 0
    assert (rows[-1].principal, rows[-1].total) == (last_principal, last_total)
    assert all(a.balance_after > b.balance_after for a, b in pairwise(rows))
    assert rows[-1].due_on == date(2030, 1, 15)


def test_sixty_month_schedules_stay_close_to_the_unrounded_formula_totals():
    principal, n, r = Decimal(25_000_000), 60, Decimal("0.015")
    flat = build_schedule(Method.FLAT, principal=principal, term=n, disbursed_on=DISBURSED, rate=RATE_18_PA)
    efektif = build_schedule(
        Method.EFEKTIF, principal=principal, term=n, disbursed_on=DISBURSED, rate=RATE_18_PA
    )
    anuitas = build_schedule(
        Method.ANUITAS, principal=principal, term=n, disbursed_on=DISBURSED, rate=RATE_18_PA
    )
    level = principal * r / (1 - (1 + r) ** -n)

    assert flat.total_interest == principal * r * n
    assert abs(efektif.total_interest - r * (principal / n) * n * (n + 1) / 2) <= Decimal(n) / 2
    assert abs(anuitas.total_interest - (n * level - principal)) <= Decimal(n)
    assert anuitas.regular_instalment == Decimal(634_836)


def test_zero_rate_annuity_is_principal_divided_by_term():
    schedule = build_schedule(
        Method.ANUITAS, principal=Decimal(1_000_000), term=3, disbursed_on=DISBURSED, rate=Rate.pa(Decimal(0))
    )

    assert [r.total for r in schedule.instalments] == [Decimal(333_333), Decimal(333_333), Decimal(333_334)]


def test_due_dates_from_31_january_fall_on_the_last_day_of_short_months():
    assert due_dates(date(2025, 1, 31), 4) == [
        date(2025, 2, 28),
        date(2025, 3, 31),
        date(2025, 4, 30),
        date(2025, 5, 31),
    ]
    assert due_dates(date(2024, 1, 31), 2) == [date(2024, 2, 29), date(2024, 3, 31)]


def test_due_dates_from_a_leap_day_keep_the_29th_and_fall_back_to_28_february():
    assert add_months(date(2024, 2, 29), 1) == date(2024, 3, 29)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 48) == date(2028, 2, 29)


def test_due_dates_roll_over_the_year_end():
    assert due_dates(date(2025, 11, 30), 3) == [date(2025, 12, 30), date(2026, 1, 30), date(2026, 2, 28)]


def test_short_month_rule_can_move_a_missing_day_to_the_first_of_the_next_month():
    rules = ScheduleRules(short_month=ShortMonth.FIRST_OF_NEXT_MONTH)
    schedule = build_schedule(
        Method.FLAT, principal=P, term=2, disbursed_on=date(2025, 1, 31), rate=RATE_18_PA, rules=rules
    )

    assert [r.due_on for r in schedule.instalments] == [date(2025, 3, 1), date(2025, 3, 31)]


def test_an_agreed_first_due_date_anchors_the_following_ones():
    schedule = build_schedule(
        Method.EFEKTIF,
        principal=P,
        term=3,
        disbursed_on=date(2025, 1, 20),
        rate=RATE_18_PA,
        first_due_on=date(2025, 2, 25),
    )

    assert [r.due_on for r in schedule.instalments] == [
        date(2025, 2, 25),
        date(2025, 3, 25),
        date(2025, 4, 25),
    ]
    assert schedule.maturity_on == date(2025, 4, 25)


def test_quarterly_instalments_charge_three_months_of_interest():
    schedule = build_schedule(
        Method.EFEKTIF,
        principal=Decimal(12_000_000),
        term=4,
        disbursed_on=DISBURSED,
        rate=RATE_18_PA,
        period_months=3,
    )

    assert [r.interest for r in schedule.instalments] == [
        Decimal(540_000),
        Decimal(405_000),
        Decimal(270_000),
        Decimal(135_000),
    ]
    assert [r.due_on for r in schedule.instalments][-1] == date(2026, 1, 15)


def test_rounding_mode_is_a_setting():
    rules = ScheduleRules(rounding=ROUND_DOWN)
    schedule = build_schedule(
        Method.FLAT, principal=P, term=12, disbursed_on=DISBURSED, rate=RATE_18_PA, rules=rules
    )

    assert schedule.instalments[0].principal == Decimal(916_666)
    assert schedule.instalments[-1].principal == Decimal(916_674)
    assert schedule.total_principal == P


def test_bullet_loan_pays_interest_monthly_and_the_principal_at_maturity():
    schedule = build_schedule(
        Method.BULLET, principal=Decimal(10_000_000), term=3, disbursed_on=DISBURSED, rate=Rate.pm(Decimal(2))
    )

    assert rows_of(schedule) == [
        (Decimal(0), Decimal(200_000), Decimal(200_000), Decimal(10_000_000)),
        (Decimal(0), Decimal(200_000), Decimal(200_000), Decimal(10_000_000)),
        (Decimal(10_000_000), Decimal(200_000), Decimal(10_200_000), Decimal(0)),
    ]


def test_qardh_repays_principal_only_in_equal_instalments():
    schedule = build_schedule(Method.QARDH, principal=Decimal(1_000_000), term=3, disbursed_on=DISBURSED)

    assert [r.total for r in schedule.instalments] == [Decimal(333_333), Decimal(333_333), Decimal(333_334)]
    assert schedule.total_interest == 0


def test_qardh_refuses_an_interest_rate():
    with pytest.raises(LoanInputError):
        build_schedule(Method.QARDH, principal=P, term=3, disbursed_on=DISBURSED, rate=RATE_18_PA)


def test_murabahah_schedule_matches_the_sharia_worked_example():
    schedule = build_schedule(
        Method.MURABAHAH,
        principal=Decimal(7_400_000),
        margin=Decimal(1_110_000),
        term=12,
        disbursed_on=DISBURSED,
    )

    rows = schedule.instalments
    assert all((r.total, r.interest, r.principal) == (709_167, 92_500, 616_667) for r in rows[:11])
    assert (rows[-1].total, rows[-1].interest, rows[-1].principal) == (709_163, 92_500, 616_663)
    assert (schedule.total, schedule.total_interest, schedule.total_principal) == (
        8_510_000,
        1_110_000,
        7_400_000,
    )
    # Remaining piutang at selling price after the first instalment.
    assert schedule.total - rows[0].total == Decimal(7_800_833)
    assert rows[-1].balance_after == 0


def test_murabahah_needs_its_margin():
    with pytest.raises(LoanInputError):
        build_schedule(Method.MURABAHAH, principal=P, term=12, disbursed_on=DISBURSED)


def test_reschedule_spreads_the_remaining_principal_over_the_new_term_and_rate():
    old = build_schedule(Method.EFEKTIF, principal=P, term=12, disbursed_on=DISBURSED, rate=RATE_18_PA)
    remaining = old.instalments[4].balance_after

    new = reschedule(
        remaining, method=Method.EFEKTIF, term=10, rescheduled_on=date(2025, 7, 1), rate=Rate.pa(Decimal(12))
    )

    assert remaining == Decimal(6_416_665)
    assert new.total_principal == remaining
    assert new.instalments[0].due_on == date(2025, 8, 1)
    assert new.instalments[0].principal == Decimal(641_667)
    assert new.instalments[0].interest == Decimal(64_167)  # 1 % of 6.416.665 = 64.166,65
    assert new.instalments[-1].principal == Decimal(641_662)
    assert new.instalments[-1].balance_after == 0


def test_reschedule_refuses_to_change_a_murabahah_margin():
    with pytest.raises(LoanInputError):
        reschedule(Decimal(1_000_000), method=Method.MURABAHAH, term=6, rescheduled_on=DISBURSED)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"principal": Decimal(0)}, "principal"),
        ({"principal": Decimal(-5)}, "principal"),
        ({"principal": Decimal("1000000.50")}, "principal"),
        ({"principal": 1_000_000.0}, "principal"),
        ({"term": 0}, "term"),
        ({"term": 361}, "term"),
        ({"term": True}, "term"),
    ],
)
def test_bad_amounts_and_terms_are_refused_with_the_field_named(kwargs, field):
    args = {"principal": P, "term": 12, "disbursed_on": DISBURSED, "rate": RATE_18_PA} | kwargs

    with pytest.raises(LoanInputError) as caught:
        build_schedule(Method.FLAT, **args)

    assert field in caught.value.fields
    assert caught.value.http_status == 422


def test_a_rate_must_be_a_non_negative_decimal():
    with pytest.raises(LoanInputError):
        Rate.pa(Decimal(-1))
    with pytest.raises(LoanInputError):
        Rate.pa(18.0)  # type: ignore[arg-type]


def test_an_unknown_method_is_refused():
    with pytest.raises(LoanInputError) as caught:
        build_schedule("BALLOON", principal=P, term=12, disbursed_on=DISBURSED, rate=RATE_18_PA)

    assert "method" in caught.value.fields


def test_rate_based_methods_need_a_rate():
    with pytest.raises(LoanInputError):
        build_schedule(Method.ANUITAS, principal=P, term=12, disbursed_on=DISBURSED)


def test_a_principal_smaller_than_the_rounding_allows_is_refused():
    # round(15 / 10) = 2 per row would repay 18 after nine rows.
    with pytest.raises(LoanInputError):
        build_schedule(Method.FLAT, principal=Decimal(15), term=10, disbursed_on=DISBURSED, rate=RATE_18_PA)


def test_first_due_date_must_follow_the_disbursement():
    with pytest.raises(LoanInputError):
        build_schedule(
            Method.FLAT, principal=P, term=12, disbursed_on=DISBURSED, rate=RATE_18_PA, first_due_on=DISBURSED
        )
