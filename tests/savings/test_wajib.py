"""Simpanan wajib: due schedule, payments applied oldest first, arrears (tunggakan wajib)."""

from datetime import date
from decimal import Decimal

import pytest

from coopsaas.errors import ValidationError
from coopsaas.savings.wajib import FirstDue, WajibTerms, due_schedule, wajib_status

FIFTY = WajibTerms(amounts=((date(2020, 1, 1), Decimal("50000")),))


def test_arrears_run_across_the_year_end():
    status = wajib_status(
        joined_on=date(2025, 11, 20),
        terms=FIFTY,
        payments=[(date(2025, 11, 20), Decimal("50000"))],
        as_of=date(2026, 2, 15),
    )
    assert status.months_due == 3  # November, December, January; February falls due on the 28th
    assert status.amount_due == Decimal("150000.00")
    assert status.paid == Decimal("50000.00")
    assert status.arrears_months == 2
    assert status.arrears_amount == Decimal("100000.00")
    assert status.months_in_arrears == (date(2025, 12, 1), date(2026, 1, 1))


def test_arrears_over_several_years_without_payments():
    terms = WajibTerms(amounts=((date(2020, 1, 1), Decimal("25000")),))
    status = wajib_status(joined_on=date(2023, 12, 1), terms=terms, payments=[], as_of=date(2026, 1, 31))
    assert status.months_due == 26
    assert status.arrears_months == 26
    assert status.arrears_amount == Decimal("650000.00")


def test_amount_change_applies_from_its_month_and_payments_fill_the_oldest_month_first():
    terms = WajibTerms(amounts=((date(2020, 1, 1), Decimal("50000")), (date(2026, 1, 1), Decimal("75000"))))
    status = wajib_status(
        joined_on=date(2025, 10, 5),
        terms=terms,
        payments=[(date(2026, 3, 2), Decimal("200000"))],
        as_of=date(2026, 3, 31),
    )
    assert [i.amount for i in status.instalments] == [Decimal("50000.00")] * 3 + [Decimal("75000.00")] * 3
    assert status.amount_due == Decimal("375000.00")
    assert status.arrears_months == 3
    assert status.arrears_amount == Decimal("175000.00")
    january = status.instalments[3]
    assert (january.paid, january.outstanding) == (Decimal("50000.00"), Decimal("25000.00"))


def test_amount_change_dated_mid_month_applies_to_that_months_instalment():
    terms = WajibTerms(amounts=((date(2020, 1, 1), Decimal("50000")), (date(2026, 1, 15), Decimal("75000"))))
    schedule = due_schedule(joined_on=date(2025, 12, 1), terms=terms, until=date(2026, 1, 31))
    assert [amount for _, _, amount in schedule] == [Decimal("50000.00"), Decimal("75000.00")]


def test_amount_changes_given_out_of_order_are_sorted():
    terms = WajibTerms(amounts=((date(2026, 1, 1), Decimal("75000")), (date(2020, 1, 1), Decimal("50000"))))
    assert terms.amount_on(date(2025, 12, 31)) == Decimal("50000.00")
    assert terms.amount_on(date(2026, 1, 1)) == Decimal("75000.00")


def test_the_current_month_is_not_in_arrears_before_its_due_date():
    terms = WajibTerms(amounts=FIFTY.amounts, due_day=10)
    before = wajib_status(joined_on=date(2026, 1, 5), terms=terms, payments=[], as_of=date(2026, 3, 9))
    on_due = wajib_status(joined_on=date(2026, 1, 5), terms=terms, payments=[], as_of=date(2026, 3, 10))
    assert (before.months_due, before.arrears_amount) == (2, Decimal("100000.00"))
    assert (on_due.months_due, on_due.arrears_amount) == (3, Decimal("150000.00"))


def test_month_end_due_date_falls_on_the_last_day_of_february_in_a_leap_year():
    schedule = due_schedule(joined_on=date(2024, 1, 1), terms=FIFTY, until=date(2024, 3, 31))
    assert [due_on for _, due_on, _ in schedule] == [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)]


def test_a_due_day_past_the_months_end_means_its_last_day():
    terms = WajibTerms(amounts=FIFTY.amounts, due_day=30)
    schedule = due_schedule(joined_on=date(2025, 1, 1), terms=terms, until=date(2025, 3, 31))
    assert [due_on for _, due_on, _ in schedule] == [date(2025, 1, 30), date(2025, 2, 28), date(2025, 3, 30)]


def test_a_member_joining_after_the_due_day_owes_the_first_month_on_joining():
    terms = WajibTerms(amounts=FIFTY.amounts, due_day=10)
    status = wajib_status(joined_on=date(2026, 1, 20), terms=terms, payments=[], as_of=date(2026, 1, 20))
    assert status.instalments[0].due_on == date(2026, 1, 20)
    assert status.arrears_amount == Decimal("50000.00")


def test_first_instalment_can_fall_in_the_month_after_joining():
    terms = WajibTerms(amounts=FIFTY.amounts, first_due=FirstDue.NEXT_MONTH)
    status = wajib_status(joined_on=date(2026, 1, 20), terms=terms, payments=[], as_of=date(2026, 2, 28))
    assert [i.month for i in status.instalments] == [date(2026, 2, 1)]


def test_paying_more_than_due_leaves_an_advance_and_no_arrears():
    status = wajib_status(
        joined_on=date(2026, 1, 1),
        terms=FIFTY,
        payments=[(date(2026, 1, 3), Decimal("200000"))],
        as_of=date(2026, 3, 31),
    )
    assert status.arrears_months == 0
    assert status.arrears_amount == Decimal("0.00")
    assert status.advance == Decimal("50000.00")


def test_payments_after_the_as_of_date_are_not_counted():
    status = wajib_status(
        joined_on=date(2026, 1, 1),
        terms=FIFTY,
        payments=[(date(2026, 1, 31), Decimal("50000")), (date(2026, 3, 1), Decimal("50000"))],
        as_of=date(2026, 2, 28),
    )
    assert status.paid == Decimal("50000.00")
    assert status.arrears_amount == Decimal("50000.00")


def test_nothing_falls_due_after_the_member_left():
    status = wajib_status(
        joined_on=date(2026, 1, 1),
        terms=FIFTY,
        payments=[],
        as_of=date(2026, 6, 30),
        left_on=date(2026, 3, 15),
    )
    assert status.months_due == 2
    assert status.arrears_amount == Decimal("100000.00")


def test_quarterly_instalments_count_one_per_quarter():
    terms = WajibTerms(amounts=((date(2020, 1, 1), Decimal("150000")),), interval_months=3)
    status = wajib_status(joined_on=date(2026, 1, 10), terms=terms, payments=[], as_of=date(2026, 12, 31))
    assert [i.month for i in status.instalments] == [
        date(2026, 1, 1),
        date(2026, 4, 1),
        date(2026, 7, 1),
        date(2026, 10, 1),
    ]
    assert status.arrears_amount == Decimal("600000.00")


def test_no_months_are_due_before_the_first_due_date():
    status = wajib_status(joined_on=date(2026, 1, 5), terms=FIFTY, payments=[], as_of=date(2026, 1, 30))
    assert (status.months_due, status.amount_due, status.arrears_months) == (0, Decimal("0.00"), 0)


def test_an_instalment_with_no_amount_in_force_is_an_error():
    terms = WajibTerms(amounts=((date(2026, 1, 1), Decimal("50000")),))
    with pytest.raises(ValidationError, match="No simpanan wajib amount is in force on 2025-12-31"):
        wajib_status(joined_on=date(2025, 12, 5), terms=terms, payments=[], as_of=date(2026, 1, 31))


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"amounts": ()}, "At least one simpanan wajib amount"),
        ({"amounts": ((date(2026, 1, 1), Decimal("1")), (date(2026, 1, 1), Decimal("2")))}, "same day"),
        ({"amounts": ((date(2026, 1, 1), Decimal("-1")),)}, "amount must be zero or more"),
        ({"amounts": FIFTY.amounts, "interval_months": 0}, "interval_months must be 1 to 12"),
        ({"amounts": FIFTY.amounts, "due_day": 32}, "due_day must be 1 to 31"),
    ],
)
def test_bad_wajib_settings_are_refused(settings, message):
    with pytest.raises(ValidationError, match=message):
        WajibTerms(**settings)
