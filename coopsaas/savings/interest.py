"""Interest on *simpanan sukarela* (*jasa simpanan*) for one account and one calendar month.

Pure: no database, no Flask. Rules from domain/savings.md section 3, all tagged [A] there and
therefore product settings (`SukarelaTerms`), never constants:

- `b_d` is the **end-of-day** balance of day `d`; days before the account was opened count as 0.
- `LOWEST_BALANCE` (*saldo terendah*, the default): `min(b_d) * rate * f`.
- `AVERAGE_BALANCE` (*saldo rata-rata*): `(Σ b_d / D_m) * rate * f`.
- `DAILY_BALANCE` (*saldo harian*): `Σ b_d * rate / 365`, accrued daily, rounded once.
- Month fraction `f`: `ACT_365` (default) `D_m / 365`, with 365 also in leap years (`year_days`);
  `30_360` `1/12`, where the daily method is not offered. `ACT_ACT` (the calendar year's own
  days, 366 in a leap year) is offered as an option only; the doc does not ask for it.
- The month's interest is rounded once, ROUND_HALF_UP to whole rupiah.
- A base below `min_balance_for_interest` earns 0: the lowest balance, the average balance, and
  for the daily method each day's balance on its own.
- An account opened during the month earns nothing under `LOWEST_BALANCE` (its lowest is 0).
- An account closed mid-month: the daily method pays the interest accrued up to the day before
  closing; the other methods pay nothing for that month (their base needs the whole month).

Interest is credited at month end net of tax (tax.py). The monthly admin fee is not in the
domain doc; it is a product setting defaulting to 0 [A], charged after the interest credit, and
never takes the balance below zero: by default the part the balance cannot cover is waived
(`AdminFeeShortfall`).

Amounts are Decimal with two places; every division is done last so the only rounding is the
documented one.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TypeVar

from coopsaas.core.money import CENT, MoneyError, round_rupiah, to_money
from coopsaas.errors import ValidationError

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
DEFAULT_YEAR_DAYS = 365  # ACT_365 keeps 365 in leap years (savings.md section 3) [A]


class InterestMethod(StrEnum):
    LOWEST_BALANCE = "LOWEST_BALANCE"
    AVERAGE_BALANCE = "AVERAGE_BALANCE"
    DAILY_BALANCE = "DAILY_BALANCE"


class DayCount(StrEnum):
    ACT_365 = "ACT_365"
    THIRTY_360 = "30_360"
    ACT_ACT = "ACT_ACT"


class AdminFeeShortfall(StrEnum):
    """What happens when the month-end balance cannot cover the admin fee."""

    CHARGE_AVAILABLE = "CHARGE_AVAILABLE"  # take what is there, waive the rest
    SKIP = "SKIP"  # charge nothing that month


BalanceChange = tuple[date, Decimal]
E = TypeVar("E", bound=StrEnum)


def as_rate(value: object, name: str) -> Decimal:
    """A percentage rate as Decimal (`Decimal("3")` is 3 % p.a.); floats and negatives refused."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValidationError(f"{name} must be a Decimal percentage", fields={name: ["not a Decimal"]})
    rate = Decimal(value)
    if not rate.is_finite() or rate < 0:
        raise ValidationError(f"{name} must be zero or more", fields={name: ["must be zero or more"]})
    return rate


def as_amount(value: object, name: str) -> Decimal:
    """A non-negative money amount with at most two decimals."""
    try:
        amount = to_money(value)
    except MoneyError as exc:
        raise ValidationError(f"{name}: {exc}", fields={name: [str(exc)]}) from exc
    if amount < 0:
        raise ValidationError(f"{name} must be zero or more", fields={name: ["must be zero or more"]})
    return amount


def as_choice(kind: type[E], value: object, name: str) -> E:
    try:
        return kind(str(value))
    except ValueError as exc:
        allowed = ", ".join(member.value for member in kind)
        raise ValidationError(
            f"{name} must be one of {allowed}", fields={name: [f"unknown: {value}"]}
        ) from exc


@dataclass(frozen=True)
class SukarelaTerms:
    """The interest settings of a sukarela product (savings.md section 7)."""

    rate_pa: Decimal
    method: InterestMethod = InterestMethod.LOWEST_BALANCE
    day_count: DayCount = DayCount.ACT_365
    year_days: int = DEFAULT_YEAR_DAYS
    min_balance_for_interest: Decimal = ZERO
    admin_fee: Decimal = ZERO
    admin_fee_shortfall: AdminFeeShortfall = AdminFeeShortfall.CHARGE_AVAILABLE

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "rate_pa", as_rate(self.rate_pa, "rate_pa"))
        set_(self, "method", as_choice(InterestMethod, self.method, "method"))
        set_(self, "day_count", as_choice(DayCount, self.day_count, "day_count"))
        set_(
            self,
            "admin_fee_shortfall",
            as_choice(AdminFeeShortfall, self.admin_fee_shortfall, "admin_fee_shortfall"),
        )
        set_(
            self,
            "min_balance_for_interest",
            as_amount(self.min_balance_for_interest, "min_balance_for_interest"),
        )
        set_(self, "admin_fee", as_amount(self.admin_fee, "admin_fee"))
        if isinstance(self.year_days, bool) or self.year_days not in (360, 365, 366):
            raise ValidationError("year_days must be 360, 365 or 366", fields={"year_days": ["not allowed"]})
        if self.method is InterestMethod.DAILY_BALANCE and self.day_count is DayCount.THIRTY_360:
            raise ValidationError(
                "The daily balance method is not offered with the 30/360 day count",
                fields={"method": ["not offered with 30_360"]},
            )


@dataclass(frozen=True)
class MonthInterest:
    """One account's interest for one month, with the figures a member can check."""

    method: InterestMethod
    day_count: DayCount
    first_day: date
    last_day: date
    days_in_month: int
    days_counted: int  # less than days_in_month only when the account closed mid-month
    lowest: Decimal  # min b_d
    balance_days: Decimal  # Σ b_d over the days counted
    average: Decimal  # Σ b_d / D_m, to the sen, for display
    exact: Decimal  # before rounding, e.g. 4808.219178...
    interest: Decimal  # whole rupiah, two places
    below_minimum: bool  # the base missed min_balance_for_interest (daily method: some day did)


@dataclass(frozen=True)
class AdminFeeCharge:
    fee: Decimal
    charged: Decimal
    waived: Decimal


def month_days(year: int, month: int) -> tuple[date, date]:
    """First and last day of a calendar month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def daily_balances(
    *,
    opening_balance: Decimal,
    changes: Sequence[BalanceChange],
    first_day: date,
    last_day: date,
    opened_on: date | None = None,
) -> list[Decimal]:
    """The end-of-day balance of every day from first_day to last_day, inclusive.

    `opening_balance` is the balance before the first change (usually last month's closing
    balance); each change `(day, balance)` is the end-of-day balance from that day on. Changes
    before first_day roll the opening balance forward; on one day the last change listed wins.
    Days before `opened_on` count as 0 (savings.md section 3).
    """
    if last_day < first_day:
        raise ValidationError("The period ends before it starts", fields={"last_day": ["before first_day"]})
    balance = as_amount(opening_balance, "opening_balance")
    ordered = sorted(changes, key=lambda change: change[0])  # stable: same-day order is kept
    pending = [(on, as_amount(amount, "balance")) for on, amount in ordered]
    index = 0
    result: list[Decimal] = []
    day = first_day
    while day <= last_day:
        while index < len(pending) and pending[index][0] <= day:
            balance = pending[index][1]
            index += 1
        result.append(ZERO if opened_on is not None and day < opened_on else balance)
        day += timedelta(days=1)
    return result


def sukarela_interest(
    *,
    year: int,
    month: int,
    opening_balance: Decimal,
    changes: Sequence[BalanceChange],
    terms: SukarelaTerms,
    opened_on: date | None = None,
) -> MonthInterest:
    """Interest earned in a calendar month by the product's method and day count."""
    first_day, last_day = month_days(year, month)
    balances = daily_balances(
        opening_balance=opening_balance,
        changes=changes,
        first_day=first_day,
        last_day=last_day,
        opened_on=opened_on,
    )
    return _month_interest(balances, first_day, last_day, terms, is_closing=False)


def interest_on_closing(
    *,
    closed_on: date,
    opening_balance: Decimal,
    changes: Sequence[BalanceChange],
    terms: SukarelaTerms,
    opened_on: date | None = None,
) -> MonthInterest:
    """Interest paid when the account closes mid-month.

    The daily method pays what accrued from the 1st to the day before closing; the lowest and
    average methods pay nothing for the broken month [A].
    """
    first_day, last_day = month_days(closed_on.year, closed_on.month)
    counted_last = closed_on - timedelta(days=1)
    if counted_last < first_day:  # closed on the 1st: nothing accrued this month
        balances: list[Decimal] = []
    else:
        balances = daily_balances(
            opening_balance=opening_balance,
            changes=changes,
            first_day=first_day,
            last_day=counted_last,
            opened_on=opened_on,
        )
    return _month_interest(balances, first_day, last_day, terms, is_closing=True)


def admin_fee_charge(balance: Decimal, terms: SukarelaTerms) -> AdminFeeCharge:
    """The month's admin fee against the month-end balance after the interest credit.

    The fee never takes the balance below zero: the shortfall is waived, and with `SKIP` the
    whole fee is waived for a balance that cannot cover it [A].
    """
    available = as_amount(balance, "balance")
    fee = terms.admin_fee
    if available >= fee:
        return AdminFeeCharge(fee=fee, charged=fee, waived=ZERO)
    charged = available if terms.admin_fee_shortfall is AdminFeeShortfall.CHARGE_AVAILABLE else ZERO
    return AdminFeeCharge(fee=fee, charged=charged, waived=fee - charged)


def _year_basis(terms: SukarelaTerms, year: int) -> int:
    if terms.day_count is DayCount.ACT_ACT:
        return 366 if calendar.isleap(year) else 365
    return terms.year_days


def _month_interest(
    balances: list[Decimal], first_day: date, last_day: date, terms: SukarelaTerms, *, is_closing: bool
) -> MonthInterest:
    days_in_month = (last_day - first_day).days + 1
    minimum = terms.min_balance_for_interest
    rate_pa = terms.rate_pa
    lowest = min(balances) if balances else ZERO
    balance_days = sum(balances, ZERO)
    below_minimum = False
    exact = Decimal(0)

    if terms.method is InterestMethod.DAILY_BALANCE:
        earning = [b for b in balances if b >= minimum]
        below_minimum = len(earning) < len(balances)
        exact = sum(earning, ZERO) * rate_pa / (_year_basis(terms, first_day.year) * HUNDRED)
    elif not is_closing:
        # f = num / den; the average's division by D_m is folded in so nothing rounds early.
        if terms.day_count is DayCount.THIRTY_360:
            num, den = 1, 12
        else:
            num, den = days_in_month, _year_basis(terms, first_day.year)
        if terms.method is InterestMethod.LOWEST_BALANCE:
            below_minimum = lowest < minimum
            exact = lowest * rate_pa * num / (den * HUNDRED)
        else:
            below_minimum = balance_days < minimum * days_in_month
            exact = balance_days * rate_pa * num / (den * days_in_month * HUNDRED)
        if below_minimum:
            exact = Decimal(0)

    return MonthInterest(
        method=terms.method,
        day_count=terms.day_count,
        first_day=first_day,
        last_day=last_day,
        days_in_month=days_in_month,
        days_counted=len(balances),
        lowest=lowest,
        balance_days=balance_days,
        average=round_sen(balance_days / days_in_month),
        exact=exact,
        interest=round_rupiah(exact),
        below_minimum=below_minimum,
    )


def round_sen(amount: Decimal) -> Decimal:
    """Half-up to the sen, for figures shown but never posted (the average balance)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
