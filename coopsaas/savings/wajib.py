"""*Simpanan wajib* obligations and arrears (*tunggakan wajib*) of one member.

Pure: no database, no Flask. domain/savings.md sections 1, 2 and 7: the amount and frequency
come from the AD/ART, are dated, may differ between members, and are usually monthly [P]; the
system keeps a due schedule per member and reports arrears [A]. The doc leaves the schedule's
details open, so each is a setting of `WajibTerms` with a default [A]:

- the first instalment falls in the month of joining (`FirstDue.JOIN_MONTH`), or the month after;
- an instalment is due on `due_day` of its month, the last day of the month when unset (a day
  past the month's end means its last day); the first one is never due before the joining date;
- one instalment every `interval_months` months (1: monthly);
- the amount of an instalment is the amount in force on its due date, so a change dated any day
  of a month applies to that month's instalment when instalments fall at month end;
- nothing falls due after the member left (`left_on`).

Payments up to the as-of date are applied to the oldest unpaid instalment first; money beyond
everything due is an advance. Arrears are the instalments due and not fully paid, and the
rupiah still owed on them. With a longer interval "months" below count instalments.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from coopsaas.errors import ValidationError
from coopsaas.savings.interest import as_amount, as_choice

ZERO = Decimal("0.00")

AmountChange = tuple[date, Decimal]  # (effective_from, amount per instalment)
Payment = tuple[date, Decimal]  # (paid_on, amount)


class FirstDue(StrEnum):
    JOIN_MONTH = "JOIN_MONTH"
    NEXT_MONTH = "NEXT_MONTH"


@dataclass(frozen=True)
class WajibTerms:
    amounts: tuple[AmountChange, ...]
    interval_months: int = 1
    first_due: FirstDue = FirstDue.JOIN_MONTH
    due_day: int | None = None  # None: the last day of the month

    def __post_init__(self) -> None:
        if not self.amounts:
            raise ValidationError(
                "At least one simpanan wajib amount is needed", fields={"amounts": ["empty"]}
            )
        checked = tuple(
            sorted(
                ((on, as_amount(amount, "amount")) for on, amount in self.amounts),
                key=lambda change: change[0],
            )
        )
        if len({on for on, _ in checked}) != len(checked):
            raise ValidationError(
                "Two simpanan wajib amounts start on the same day",
                fields={"amounts": ["duplicate effective date"]},
            )
        object.__setattr__(self, "amounts", checked)
        object.__setattr__(self, "first_due", as_choice(FirstDue, self.first_due, "first_due"))
        if isinstance(self.interval_months, bool) or not 1 <= self.interval_months <= 12:
            raise ValidationError(
                "interval_months must be 1 to 12", fields={"interval_months": ["out of range"]}
            )
        if self.due_day is not None and (isinstance(self.due_day, bool) or not 1 <= self.due_day <= 31):
            raise ValidationError("due_day must be 1 to 31", fields={"due_day": ["out of range"]})

    def amount_on(self, on: date) -> Decimal:
        in_force = [amount for start, amount in self.amounts if start <= on]
        if not in_force:
            raise ValidationError(
                f"No simpanan wajib amount is in force on {on.isoformat()}",
                fields={"amounts": ["none in force"]},
            )
        return in_force[-1]


@dataclass(frozen=True)
class Instalment:
    month: date  # first day of the month it belongs to
    due_on: date
    amount: Decimal
    paid: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid

    @property
    def is_paid(self) -> bool:
        return self.paid >= self.amount


@dataclass(frozen=True)
class WajibStatus:
    as_of: date
    instalments: tuple[Instalment, ...]  # the ones due by as_of, oldest first
    months_due: int
    amount_due: Decimal
    paid: Decimal  # all payments up to as_of
    arrears_months: int
    arrears_amount: Decimal
    advance: Decimal  # paid beyond everything due

    @property
    def months_in_arrears(self) -> tuple[date, ...]:
        return tuple(instalment.month for instalment in self.instalments if not instalment.is_paid)


def add_months(month: date, count: int) -> date:
    """First day of the month `count` months after the month of `month`."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def due_schedule(
    *, joined_on: date, terms: WajibTerms, until: date, left_on: date | None = None
) -> list[tuple[date, date, Decimal]]:
    """(month, due_on, amount) of every instalment falling due on or before `until`."""
    month = date(joined_on.year, joined_on.month, 1)
    if terms.first_due is FirstDue.NEXT_MONTH:
        month = add_months(month, 1)
    last = until if left_on is None else min(until, left_on)
    schedule: list[tuple[date, date, Decimal]] = []
    while True:
        due_on = max(_due_date(month, terms.due_day), joined_on)
        if due_on > last:
            return schedule
        schedule.append((month, due_on, terms.amount_on(due_on)))
        month = add_months(month, terms.interval_months)


def wajib_status(
    *,
    joined_on: date,
    terms: WajibTerms,
    payments: Sequence[Payment],
    as_of: date,
    left_on: date | None = None,
) -> WajibStatus:
    """What the member owed by `as_of`, what was paid, and the arrears."""
    due = due_schedule(joined_on=joined_on, terms=terms, until=as_of, left_on=left_on)
    paid = sum((as_amount(amount, "payment") for on, amount in payments if on <= as_of), ZERO)
    remaining = paid
    instalments: list[Instalment] = []
    for month, due_on, amount in due:
        applied = min(amount, remaining)
        remaining -= applied
        instalments.append(Instalment(month=month, due_on=due_on, amount=amount, paid=applied))
    amount_due = sum((instalment.amount for instalment in instalments), ZERO)
    unpaid = [instalment for instalment in instalments if not instalment.is_paid]
    return WajibStatus(
        as_of=as_of,
        instalments=tuple(instalments),
        months_due=len(instalments),
        amount_due=amount_due,
        paid=paid,
        arrears_months=len(unpaid),
        arrears_amount=sum((instalment.outstanding for instalment in unpaid), ZERO),
        advance=remaining,
    )


def _due_date(month: date, due_day: int | None) -> date:
    last = calendar.monthrange(month.year, month.month)[1]
    return date(month.year, month.month, last if due_day is None else min(due_day, last))
