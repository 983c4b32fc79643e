"""*Simpanan berjangka* (time deposits): maturity, interest schedule, maturity and early break.

Pure: no database, no Flask. domain/savings.md sections 1, 2, 4 and 6; the rate is fixed at
placement for the whole term [P]; everything else is a product setting (`BerjangkaTerms`) with
a default [A]:

- The term runs in whole months from the placement date. Each month of the term ends on the
  placement day of the next month (its *anniversary*); a day the month lacks becomes the month's
  last day, always counted from the placement date so 31 Jan → 29 Feb → 31 Mar (leap year).
  With `MonthEndRule.LAST_DAY` a deposit placed on a month's last day keeps to month ends
  (30 Apr → 31 May). The maturity date is the last anniversary.
- Interest of one month of the term (section 4): `principal * rate_pa/100 * f`, with `f` as for
  sukarela (section 3): the month's actual days / 365 under `ACT_365` (365 also in leap years),
  1/12 under `30_360`; rounded once, ROUND_HALF_UP to whole rupiah.
- `MONTHLY` payout pays each month's interest on its anniversary. `AT_MATURITY` accrues each
  month's amount on its anniversary (`Dr 5102 / Cr 2121`) and pays their sum on the maturity date.
- Tax (tax.py) is withheld on each payment tested on its own; the month-end service that pays
  several credits to one member re-applies the per-member-month rule with
  `tax.withhold_member_month`.
- At maturity (`MaturityInstruction`): `TRANSFER` pays principal and interest out;
  `ROLLOVER_PRINCIPAL` places the principal again and pays the interest out;
  `ROLLOVER_WITH_INTEREST` places principal plus the net interest paid at maturity (a `MONTHLY`
  deposit has already paid its interest out, so only the principal rolls).
- Early break (section 6, a manager-approved action; no regulatory figure exists):
  `FORFEIT_CURRENT_INTEREST` pays the months completed but not the running one;
  `PERCENT_OF_PRINCIPAL` pays the running month pro rata to the day and deducts a percentage of
  the principal. Interest already paid stays paid.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from coopsaas.core.money import round_rupiah
from coopsaas.errors import ValidationError
from coopsaas.savings.interest import DEFAULT_YEAR_DAYS, DayCount, as_amount, as_choice, as_rate
from coopsaas.savings.tax import DEFAULT_RULES, SavingsTaxRule, rule_on, withhold

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
MAX_TERM_MONTHS = 120


class Payout(StrEnum):
    MONTHLY = "MONTHLY"
    AT_MATURITY = "AT_MATURITY"


class MaturityInstruction(StrEnum):
    TRANSFER = "TRANSFER"
    ROLLOVER_PRINCIPAL = "ROLLOVER_PRINCIPAL"
    ROLLOVER_WITH_INTEREST = "ROLLOVER_WITH_INTEREST"


class MonthEndRule(StrEnum):
    SAME_DAY = "SAME_DAY"  # the placement day, or the month's last day when the month is shorter
    LAST_DAY = "LAST_DAY"  # placed on a month's last day: every anniversary is a month's last day


class BreakPenalty(StrEnum):
    FORFEIT_CURRENT_INTEREST = "FORFEIT_CURRENT_INTEREST"
    PERCENT_OF_PRINCIPAL = "PERCENT_OF_PRINCIPAL"


@dataclass(frozen=True)
class BerjangkaTerms:
    """A time deposit's settings, fixed at placement (savings.md section 2)."""

    term_months: int
    rate_pa: Decimal
    payout: Payout = Payout.MONTHLY
    day_count: DayCount = DayCount.ACT_365
    year_days: int = DEFAULT_YEAR_DAYS
    maturity_instruction: MaturityInstruction = MaturityInstruction.TRANSFER
    month_end_rule: MonthEndRule = MonthEndRule.SAME_DAY
    break_penalty: BreakPenalty = BreakPenalty.FORFEIT_CURRENT_INTEREST
    break_penalty_percent: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if isinstance(self.term_months, bool) or not 1 <= self.term_months <= MAX_TERM_MONTHS:
            raise ValidationError(
                f"term_months must be 1 to {MAX_TERM_MONTHS}", fields={"term_months": ["out of range"]}
            )
        set_(self, "rate_pa", as_rate(self.rate_pa, "rate_pa"))
        set_(self, "payout", as_choice(Payout, self.payout, "payout"))
        set_(self, "day_count", as_choice(DayCount, self.day_count, "day_count"))
        set_(
            self,
            "maturity_instruction",
            as_choice(MaturityInstruction, self.maturity_instruction, "maturity_instruction"),
        )
        set_(self, "month_end_rule", as_choice(MonthEndRule, self.month_end_rule, "month_end_rule"))
        set_(self, "break_penalty", as_choice(BreakPenalty, self.break_penalty, "break_penalty"))
        set_(self, "break_penalty_percent", as_rate(self.break_penalty_percent, "break_penalty_percent"))
        if self.break_penalty_percent > HUNDRED:
            raise ValidationError(
                "break_penalty_percent must be at most 100", fields={"break_penalty_percent": ["above 100"]}
            )
        if isinstance(self.year_days, bool) or self.year_days not in (360, 365, 366):
            raise ValidationError("year_days must be 360, 365 or 366", fields={"year_days": ["not allowed"]})


@dataclass(frozen=True)
class PeriodInterest:
    """One month of the term and its interest (accrued on `end` for an AT_MATURITY deposit)."""

    start: date
    end: date
    days: int
    gross: Decimal


@dataclass(frozen=True)
class InterestPosting:
    """Interest paid to the member on a date."""

    on: date
    gross: Decimal
    tax: Decimal
    net: Decimal


@dataclass(frozen=True)
class DepositSchedule:
    terms: BerjangkaTerms
    principal: Decimal
    placed_on: date
    maturity_on: date
    periods: tuple[PeriodInterest, ...]
    postings: tuple[InterestPosting, ...]

    @property
    def total_gross(self) -> Decimal:
        return sum((posting.gross for posting in self.postings), ZERO)

    @property
    def total_tax(self) -> Decimal:
        return sum((posting.tax for posting in self.postings), ZERO)

    @property
    def total_net(self) -> Decimal:
        return sum((posting.net for posting in self.postings), ZERO)


@dataclass(frozen=True)
class MaturitySettlement:
    matured_on: date
    interest_net: Decimal  # net interest paid on the maturity date
    new_principal: Decimal  # placed again on the maturity date; 0 for TRANSFER
    paid_out: Decimal  # to the member's sukarela account or cash


@dataclass(frozen=True)
class BreakSettlement:
    broken_on: date
    principal: Decimal
    interest_gross: Decimal  # interest still owed and paid now
    interest_tax: Decimal
    interest_net: Decimal
    forfeited_interest: Decimal  # the running month's interest kept by the cooperative
    penalty: Decimal
    paid_out: Decimal  # principal + interest_net - penalty


def anniversary(placed_on: date, months: int, rule: MonthEndRule = MonthEndRule.SAME_DAY) -> date:
    """The date `months` months after placement, by the month-end rule."""
    index = placed_on.year * 12 + placed_on.month - 1 + months
    year, month = index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    placed_on_month_end = placed_on.day == calendar.monthrange(placed_on.year, placed_on.month)[1]
    if rule is MonthEndRule.LAST_DAY and placed_on_month_end:
        return date(year, month, last)
    return date(year, month, min(placed_on.day, last))


def maturity_date(placed_on: date, terms: BerjangkaTerms) -> date:
    return anniversary(placed_on, terms.term_months, terms.month_end_rule)


def matures_within_12_months(maturity_on: date, report_on: date) -> bool:
    """Whether a deposit is a current liability (*kewajiban lancar*) on the report date."""
    return maturity_on <= anniversary(report_on, 12)


def interest_periods(principal: Decimal, placed_on: date, terms: BerjangkaTerms) -> list[PeriodInterest]:
    """Every month of the term with its interest, rounded once per month."""
    amount = as_amount(principal, "principal")
    periods: list[PeriodInterest] = []
    start = placed_on
    for number in range(1, terms.term_months + 1):
        end = anniversary(placed_on, number, terms.month_end_rule)
        fraction = (
            Fraction(1, 12) if terms.day_count is DayCount.THIRTY_360 else _actual_fraction(start, end, terms)
        )
        gross = _interest(amount, terms.rate_pa, fraction)
        periods.append(PeriodInterest(start=start, end=end, days=(end - start).days, gross=gross))
        start = end
    return periods


def deposit_schedule(
    principal: Decimal,
    placed_on: date,
    terms: BerjangkaTerms,
    tax_rules: Sequence[SavingsTaxRule] = DEFAULT_RULES,
) -> DepositSchedule:
    """The deposit's interest periods and the payments to the member (date, gross, tax, net)."""
    amount = as_amount(principal, "principal")
    if amount == ZERO:
        raise ValidationError("A time deposit needs a principal above zero", fields={"principal": ["zero"]})
    periods = interest_periods(amount, placed_on, terms)
    maturity_on = periods[-1].end
    if terms.payout is Payout.MONTHLY:
        payments = [(period.end, period.gross) for period in periods]
    else:
        payments = [(maturity_on, sum((period.gross for period in periods), ZERO))]
    postings = tuple(_posting(on, gross, tax_rules) for on, gross in payments)
    return DepositSchedule(
        terms=terms,
        principal=amount,
        placed_on=placed_on,
        maturity_on=maturity_on,
        periods=tuple(periods),
        postings=postings,
    )


def settle_at_maturity(schedule: DepositSchedule) -> MaturitySettlement:
    """What happens to principal and interest on the maturity date, by the maturity instruction."""
    terms = schedule.terms
    interest_net = sum((p.net for p in schedule.postings if p.on == schedule.maturity_on), ZERO)
    instruction = terms.maturity_instruction
    if instruction is MaturityInstruction.TRANSFER:
        new_principal = ZERO
    elif instruction is MaturityInstruction.ROLLOVER_WITH_INTEREST and terms.payout is Payout.AT_MATURITY:
        new_principal = schedule.principal + interest_net
    else:
        new_principal = schedule.principal
    paid_out = schedule.principal + interest_net - new_principal
    return MaturitySettlement(
        matured_on=schedule.maturity_on,
        interest_net=interest_net,
        new_principal=new_principal,
        paid_out=paid_out,
    )


def break_deposit(
    schedule: DepositSchedule,
    broken_on: date,
    tax_rules: Sequence[SavingsTaxRule] = DEFAULT_RULES,
) -> BreakSettlement:
    """Settle a deposit withdrawn before maturity by the product's break penalty.

    Raises ValidationError for a date before placement or on/after maturity (not a break).
    """
    if not schedule.placed_on <= broken_on < schedule.maturity_on:
        raise ValidationError(
            "A deposit can only be broken between its placement and its maturity date",
            fields={"broken_on": ["outside the term"]},
        )
    terms = schedule.terms
    completed = [period for period in schedule.periods if period.end <= broken_on]
    # A MONTHLY deposit was paid the completed months on their anniversaries.
    owed = ZERO if terms.payout is Payout.MONTHLY else sum((period.gross for period in completed), ZERO)

    running_start = completed[-1].end if completed else schedule.placed_on
    running = ZERO
    if broken_on > running_start:
        running = _interest(
            schedule.principal, terms.rate_pa, _partial_fraction(running_start, broken_on, terms)
        )

    penalty = ZERO
    forfeited = ZERO
    if terms.break_penalty is BreakPenalty.FORFEIT_CURRENT_INTEREST:
        forfeited = running
    else:
        owed += running
        penalty = round_rupiah(schedule.principal * terms.break_penalty_percent / HUNDRED)

    paid = withhold(owed, rule_on(tax_rules, broken_on))
    penalty = min(penalty, schedule.principal + paid.net)
    return BreakSettlement(
        broken_on=broken_on,
        principal=schedule.principal,
        interest_gross=paid.gross,
        interest_tax=paid.tax,
        interest_net=paid.net,
        forfeited_interest=forfeited,
        penalty=penalty,
        paid_out=schedule.principal + paid.net - penalty,
    )


def _posting(on: date, gross: Decimal, tax_rules: Sequence[SavingsTaxRule]) -> InterestPosting:
    paid = withhold(gross, rule_on(tax_rules, on))
    return InterestPosting(on=on, gross=paid.gross, tax=paid.tax, net=paid.net)


def _interest(principal: Decimal, rate_pa: Decimal, fraction: Fraction) -> Decimal:
    # One division, last, so a half rupiah is really a half and rounds up.
    return round_rupiah(principal * rate_pa * fraction.numerator / (fraction.denominator * HUNDRED))


def _actual_fraction(start: date, end: date, terms: BerjangkaTerms) -> Fraction:
    if terms.day_count is DayCount.ACT_ACT:
        # Days in each calendar year over that year's own length, for a month across New Year.
        fraction = Fraction(0)
        cursor = start
        while cursor < end:
            year_end = min(end, date(cursor.year + 1, 1, 1))
            fraction += Fraction((year_end - cursor).days, 366 if calendar.isleap(cursor.year) else 365)
            cursor = year_end
        return fraction
    return Fraction((end - start).days, terms.year_days)


def _partial_fraction(start: date, end: date, terms: BerjangkaTerms) -> Fraction:
    """Part of a month of the term, up to the break date."""
    if terms.day_count is not DayCount.THIRTY_360:
        return _actual_fraction(start, end, terms)
    days = (
        360 * (end.year - start.year) + 30 * (end.month - start.month) + min(end.day, 30) - min(start.day, 30)
    )
    return Fraction(min(days, 30), 360)
