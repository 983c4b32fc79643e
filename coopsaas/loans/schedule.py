"""Instalment schedules: FLAT, EFEKTIF, ANUITAS, plus MURABAHAH, QARDH and BULLET.

Rules (domain/loans.md sections 1-3; domain/sharia.md sections 2 and 4):

- `r` is the rate per instalment period as a fraction: `rate_pa / 100 / 12` or `rate_pm / 100` for
  monthly instalments. Interest per period ignores the number of days in the month [A].
- FLAT: principal `P / n`, interest `P x r` on the original principal every period.
  EFEKTIF: principal `P / n`, interest `r x` the balance before the instalment.
  ANUITAS: constant instalment `A = P x r / (1 - (1 + r)^-n)` (`P / n` when `r = 0`),
  interest `r x` the balance, principal `A - interest`.
  MURABAHAH: instalment `selling price / n`, margin part `margin / n`, cost part the difference.
  QARDH: principal only. BULLET: interest every period, the principal at maturity.
- Every component is rounded to whole rupiah (ROUND_HALF_UP by default [A]); the instalment is the
  sum of its rounded components. The last instalment absorbs the remainder, so principal repaid is
  exactly `P` and the final balance is zero; it may come out a few rupiah above or below the others.
- Due dates: disbursement date + k months, same day of the month; when that day does not exist, the
  last day of the month [A]. Each date is counted from the anchor, never from the previous due
  date, so a loan disbursed on 31 January falls due on 28/29 February and again on 31 March.

Nothing here touches the database: a schedule is generated once at disbursement and stored by the
loan service; later changes of product parameters never alter it.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum

from coopsaas.core.money import CENT, RUPIAH, round_rupiah
from coopsaas.errors import ValidationError

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
MONTHS_PER_YEAR = 12

# The doc asks for at least 28 significant digits for (1 + r)^-n; the margin keeps the
# half-rupiah decisions of large loans exact.
PRECISION = 50


class LoanInputError(ValidationError):
    """Inputs a loan calculator cannot work with (bad amount, term, rate or date)."""

    code = "loan_input_invalid"


class Method(StrEnum):
    FLAT = "FLAT"
    EFEKTIF = "EFEKTIF"
    ANUITAS = "ANUITAS"
    MURABAHAH = "MURABAHAH"
    QARDH = "QARDH"
    BULLET = "BULLET"


class RateBasis(StrEnum):
    """Which rate a product stores: percent per year or percent per month."""

    PER_YEAR = "rate_pa"
    PER_MONTH = "rate_pm"


class ShortMonth(StrEnum):
    """Where a due date goes when its day does not exist in the month (31 -> February)."""

    LAST_DAY = "LAST_DAY"
    FIRST_OF_NEXT_MONTH = "FIRST_OF_NEXT_MONTH"


@dataclass(frozen=True)
class Rate:
    """A product rate in percent, `Rate.pa(Decimal("18"))` or `Rate.pm(Decimal("1.5"))`."""

    percent: Decimal
    basis: RateBasis = RateBasis.PER_YEAR

    def __post_init__(self) -> None:
        if not isinstance(self.percent, Decimal) or not self.percent.is_finite():
            raise LoanInputError("The rate must be a decimal percentage.")
        if self.percent < 0:
            raise LoanInputError("The rate cannot be negative.")

    @classmethod
    def pa(cls, percent: Decimal) -> Rate:
        return cls(percent, RateBasis.PER_YEAR)

    @classmethod
    def pm(cls, percent: Decimal) -> Rate:
        return cls(percent, RateBasis.PER_MONTH)

    def _divisor(self) -> int:
        return 100 * MONTHS_PER_YEAR if self.basis is RateBasis.PER_YEAR else 100

    def per_period(self, period_months: int = 1) -> Decimal:
        """`r`, the fraction per instalment period (0.015 for 18 % p.a. paid monthly)."""
        with localcontext() as ctx:
            ctx.prec = PRECISION
            return self.percent * period_months / self._divisor()

    def interest_on(self, amount: Decimal, periods: int = 1, period_months: int = 1) -> Decimal:
        """`amount x r x periods`, unrounded, with a single division.

        Dividing once keeps an exact half rupiah exact: 600 x 1 % p.a. for one month is 0.50,
        whereas 600 x (0.01 / 12) rounded to 28 digits would fall just below the half.
        """
        with localcontext() as ctx:
            ctx.prec = PRECISION
            return amount * self.percent * periods * period_months / self._divisor()

    @property
    def is_zero(self) -> bool:
        return self.percent == 0


@dataclass(frozen=True)
class ScheduleRules:
    """Tenant-level schedule settings; the defaults are the doc's assumptions [A]."""

    rounding: str = ROUND_HALF_UP
    short_month: ShortMonth = ShortMonth.LAST_DAY
    max_term: int = 360  # a sanity bound on the number of instalments, not a regulatory figure


@dataclass(frozen=True)
class Instalment:
    """One row of a schedule. For MURABAHAH `interest` is the margin part and `principal` the cost part."""

    no: int
    due_on: date
    principal: Decimal
    interest: Decimal
    balance_after: Decimal
    total: Decimal = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", self.principal + self.interest)


@dataclass(frozen=True)
class Schedule:
    method: Method
    principal: Decimal
    term: int
    disbursed_on: date
    instalments: tuple[Instalment, ...]
    rate: Rate | None = None
    period_months: int = 1
    # The level instalment the member is quoted (A for ANUITAS); the last one may differ from it.
    regular_instalment: Decimal = ZERO

    @property
    def total_principal(self) -> Decimal:
        return sum((row.principal for row in self.instalments), ZERO)

    @property
    def total_interest(self) -> Decimal:
        return sum((row.interest for row in self.instalments), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((row.total for row in self.instalments), ZERO)

    @property
    def maturity_on(self) -> date:
        return self.instalments[-1].due_on


@dataclass(frozen=True)
class EquivalentRate:
    """The declining-balance rate a schedule really costs (the disclosure for FLAT loans), in percent."""

    per_period: Decimal
    nominal_pa: Decimal
    effective_pa: Decimal


def add_months(anchor: date, months: int, short_month: ShortMonth = ShortMonth.LAST_DAY) -> date:
    """`anchor` moved by whole months, keeping its day of the month where that day exists."""
    index = anchor.year * MONTHS_PER_YEAR + anchor.month - 1 + months
    year, month = divmod(index, MONTHS_PER_YEAR)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    if anchor.day <= last_day:
        return date(year, month, anchor.day)
    if short_month is ShortMonth.FIRST_OF_NEXT_MONTH:
        return date(year, month, last_day) + timedelta(days=1)
    return date(year, month, last_day)


def due_dates(
    disbursed_on: date,
    term: int,
    *,
    first_due_on: date | None = None,
    period_months: int = 1,
    short_month: ShortMonth = ShortMonth.LAST_DAY,
) -> list[date]:
    """The due date of each instalment: from the disbursement date, or from an agreed first due date."""
    if first_due_on is None:
        return [add_months(disbursed_on, k * period_months, short_month) for k in range(1, term + 1)]
    if first_due_on <= disbursed_on:
        raise LoanInputError(
            "The first due date must be after the disbursement date.",
            fields={"first_due_on": ["not after the disbursement date"]},
        )
    return [add_months(first_due_on, k * period_months, short_month) for k in range(term)]


def build_schedule(
    method: Method,
    *,
    principal: Decimal,
    term: int,
    disbursed_on: date,
    rate: Rate | None = None,
    margin: Decimal | None = None,
    first_due_on: date | None = None,
    period_months: int = 1,
    rules: ScheduleRules | None = None,
) -> Schedule:
    """The full schedule of a loan: `term` instalments every `period_months` months.

    `rate` is required for FLAT, EFEKTIF, ANUITAS and BULLET; `margin` (a whole-rupiah amount
    agreed in the akad) for MURABAHAH, where `principal` is the cost price; QARDH takes neither.
    Raises LoanInputError.
    """
    rules = rules or ScheduleRules()
    try:
        method = Method(method)
    except ValueError:
        raise LoanInputError(f"Unknown schedule method: {method}.", fields={"method": ["unknown"]}) from None
    _check_whole_rupiah(principal, "principal", positive=True)
    _check_count(term, "term", upper=rules.max_term)
    _check_count(period_months, "period_months", upper=MONTHS_PER_YEAR)
    dates = due_dates(
        disbursed_on,
        term,
        first_due_on=first_due_on,
        period_months=period_months,
        short_month=rules.short_month,
    )

    if method is Method.MURABAHAH:
        if margin is None:
            raise LoanInputError("A murabahah schedule needs the agreed margin.")
        _check_whole_rupiah(margin, "margin", positive=False)
        principals, interests, regular = _murabahah(principal, margin, term, rules)
    elif method is Method.QARDH:
        if rate is not None and not rate.is_zero:
            raise LoanInputError("A qardh loan carries no interest or margin.")
        principals = _equal_principal(principal, term, rules)
        interests = [ZERO] * term
        regular = principals[0]
    else:
        if rate is None:
            raise LoanInputError("This schedule method needs a rate.")
        if method is Method.FLAT:
            principals, interests = _flat(principal, rate, term, period_months, rules)
            regular = principals[0] + interests[0]
        elif method is Method.EFEKTIF:
            principals, interests = _efektif(principal, rate, term, period_months, rules)
            regular = principals[0] + interests[0]
        elif method is Method.ANUITAS:
            principals, interests, regular = _anuitas(principal, rate, term, period_months, rules)
        else:
            principals, interests = _bullet(principal, rate, term, period_months, rules)
            regular = interests[0]

    rows = []
    balance = principal
    for no, (due_on, pokok, bunga) in enumerate(zip(dates, principals, interests, strict=True), start=1):
        balance -= pokok
        if pokok < 0 or bunga < 0 or balance < 0:
            raise LoanInputError("The principal is too small for this number of instalments.")
        rows.append(
            Instalment(
                no=no,
                due_on=due_on,
                principal=_money(pokok),
                interest=_money(bunga),
                balance_after=_money(balance),
            )
        )
    return Schedule(
        method=method,
        principal=_money(principal),
        term=term,
        disbursed_on=disbursed_on,
        instalments=tuple(rows),
        rate=rate,
        period_months=period_months,
        regular_instalment=_money(regular),
    )


def reschedule(
    remaining_principal: Decimal,
    *,
    method: Method,
    term: int,
    rescheduled_on: date,
    rate: Rate | None = None,
    first_due_on: date | None = None,
    period_months: int = 1,
    rules: ScheduleRules | None = None,
) -> Schedule:
    """A new schedule for a restructured loan: the remaining principal over a new term and rate.

    The rescheduling date takes the place of the disbursement date; arrears of interest or penalty
    are settled or written off by the caller, not folded in here. Raises LoanInputError.
    """
    if method is Method.MURABAHAH:
        # The margin of an akad never changes (sharia.md section 2): a new akad is a new financing.
        raise LoanInputError("A murabahah margin cannot be rescheduled; restructure with a new akad.")
    return build_schedule(
        method,
        principal=remaining_principal,
        term=term,
        disbursed_on=rescheduled_on,
        rate=rate,
        first_due_on=first_due_on,
        period_months=period_months,
        rules=rules,
    )


def equivalent_rate(schedule: Schedule) -> EquivalentRate:
    """The internal rate of return of the member's cash flows (disbursement, then each instalment).

    For a FLAT loan this is the declining-balance rate to disclose: 18 % p.a. flat over 12 months
    costs 2.643 % per month, 31.72 % p.a. nominal, 36.76 % p.a. effective (loans.md 4.1).
    """
    flows = [row.total for row in schedule.instalments]
    periods_per_year = Decimal(MONTHS_PER_YEAR) / schedule.period_months
    with localcontext() as ctx:
        ctx.prec = PRECISION
        if sum(flows) <= schedule.principal:
            per_period = Decimal(0)
        else:
            low, high = Decimal(0), Decimal(1)
            while _present_value(flows, high) > schedule.principal:
                high *= 2
            for _ in range(120):  # halves the bracket to well below 1e-30
                middle = (low + high) / 2
                if _present_value(flows, middle) > schedule.principal:
                    low = middle
                else:
                    high = middle
            per_period = (low + high) / 2
        return EquivalentRate(
            per_period=per_period * HUNDRED,
            nominal_pa=per_period * periods_per_year * HUNDRED,
            effective_pa=((1 + per_period) ** periods_per_year - 1) * HUNDRED,
        )


def _present_value(flows: Sequence[Decimal], rate: Decimal) -> Decimal:
    factor = 1 / (1 + rate)
    discount = Decimal(1)
    total = Decimal(0)
    for amount in flows:
        discount *= factor
        total += amount * discount
    return total


def _flat(
    principal: Decimal, rate: Rate, term: int, period_months: int, rules: ScheduleRules
) -> tuple[list[Decimal], list[Decimal]]:
    principals = _equal_principal(principal, term, rules)
    interests = _spread(
        _round(rate.interest_on(principal, term, period_months), rules),
        _round(rate.interest_on(principal, 1, period_months), rules),
        term,
    )
    return principals, interests


def _efektif(
    principal: Decimal, rate: Rate, term: int, period_months: int, rules: ScheduleRules
) -> tuple[list[Decimal], list[Decimal]]:
    principals = _equal_principal(principal, term, rules)
    interests = []
    balance = principal
    for pokok in principals:
        interests.append(_round(rate.interest_on(balance, 1, period_months), rules))
        balance -= pokok
    return principals, interests


def _anuitas(
    principal: Decimal, rate: Rate, term: int, period_months: int, rules: ScheduleRules
) -> tuple[list[Decimal], list[Decimal], Decimal]:
    r = rate.per_period(period_months)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        level = principal / term if r == 0 else principal * r / (1 - (1 + r) ** -term)
    instalment = _round(level, rules)
    principals, interests = [], []
    balance = principal
    for k in range(1, term + 1):
        bunga = _round(rate.interest_on(balance, 1, period_months), rules)
        pokok = balance if k == term else instalment - bunga
        principals.append(pokok)
        interests.append(bunga)
        balance -= pokok
    return principals, interests, instalment


def _bullet(
    principal: Decimal, rate: Rate, term: int, period_months: int, rules: ScheduleRules
) -> tuple[list[Decimal], list[Decimal]]:
    principals = [ZERO] * (term - 1) + [principal]
    interests = _spread(
        _round(rate.interest_on(principal, term, period_months), rules),
        _round(rate.interest_on(principal, 1, period_months), rules),
        term,
    )
    return principals, interests


def _murabahah(
    cost: Decimal, margin: Decimal, term: int, rules: ScheduleRules
) -> tuple[list[Decimal], list[Decimal], Decimal]:
    selling_price = cost + margin
    instalments = _spread(selling_price, _round(selling_price / term, rules), term)
    margins = _spread(margin, _round(margin / term, rules), term)
    return [i - m for i, m in zip(instalments, margins, strict=True)], margins, instalments[0]


def _equal_principal(principal: Decimal, term: int, rules: ScheduleRules) -> list[Decimal]:
    return _spread(principal, _round(principal / term, rules), term)


def _spread(total: Decimal, each: Decimal, count: int) -> list[Decimal]:
    """`each` for the first count-1 rows; the last row takes whatever makes the sum `total`."""
    return [each] * (count - 1) + [total - each * (count - 1)]


def _round(amount: Decimal, rules: ScheduleRules) -> Decimal:
    if rules.rounding == ROUND_HALF_UP:
        return round_rupiah(amount)
    return amount.quantize(RUPIAH, rounding=rules.rounding).quantize(CENT)


def _money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT)


def _check_whole_rupiah(amount: object, name: str, *, positive: bool) -> None:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise LoanInputError(f"The {name} must be a decimal amount.", fields={name: ["not a decimal amount"]})
    if amount != amount.to_integral_value():
        raise LoanInputError(
            f"The {name} must be a whole rupiah amount.", fields={name: ["not whole rupiah"]}
        )
    if amount < 0 or (positive and amount == 0):
        raise LoanInputError(f"The {name} must be more than zero.", fields={name: ["must be more than zero"]})


def _check_count(value: object, name: str, *, upper: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= upper:
        raise LoanInputError(
            f"The {name} must be a whole number from 1 to {upper}.", fields={name: [f"1 to {upper}"]}
        )
