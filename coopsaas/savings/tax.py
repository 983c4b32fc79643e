"""Final income tax withheld on savings interest paid to members (domain/savings.md section 5).

Pure: no database, no Flask. PP 15/2009 [P] taxes interest a cooperative pays an individual
member: interest in the month up to Rp 240.000 is not taxed; above it, 10 % of the **whole**
gross amount is withheld. It is a cliff: Rp 240.001 pays Rp 24.000.

Defaults [A], all data in a dated `SavingsTaxRule` so a change needs no release:
- the threshold is tested on the **sum** of all savings interest (sukarela + berjangka) the tenant
  pays the member in the calendar month (`TaxBase.MEMBER_MONTH`); `TaxBase.PER_POSTING` tests
  each credit on its own;
- tax is rounded ROUND_HALF_UP to whole rupiah.

When one member's month has several credits, the tax on the total is shared out over them so
that each credit can be posted net (`Dr 5101 gross / Cr 2101 net / Cr 2122 tax`) and the shares
add up exactly to the tax on the total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from coopsaas.core.money import CENT, RUPIAH
from coopsaas.errors import ValidationError
from coopsaas.savings.interest import as_amount, as_choice, as_rate

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
ROUNDING_MODES = frozenset(
    {
        "ROUND_HALF_UP",
        "ROUND_HALF_EVEN",
        "ROUND_DOWN",
        "ROUND_UP",
        "ROUND_FLOOR",
        "ROUND_CEILING",
        "ROUND_HALF_DOWN",
        "ROUND_05UP",
    }
)


class TaxBase(StrEnum):
    MEMBER_MONTH = "MEMBER_MONTH"  # all savings interest of one member in one calendar month
    PER_POSTING = "PER_POSTING"  # each interest credit tested alone


@dataclass(frozen=True)
class SavingsTaxRule:
    """One dated version of the rule; the rulebook holds a list of them."""

    effective_from: date
    threshold: Decimal = Decimal("240000.00")  # PP 15/2009 [P]
    rate_percent: Decimal = Decimal("10")  # PP 15/2009 [P]
    base: TaxBase = TaxBase.MEMBER_MONTH  # [A]
    rounding: str = ROUND_HALF_UP  # [A]

    def __post_init__(self) -> None:
        object.__setattr__(self, "threshold", as_amount(self.threshold, "threshold"))
        object.__setattr__(self, "rate_percent", as_rate(self.rate_percent, "rate_percent"))
        object.__setattr__(self, "base", as_choice(TaxBase, self.base, "base"))
        if self.rounding not in ROUNDING_MODES:
            raise ValidationError(
                "rounding must be a decimal rounding mode", fields={"rounding": ["unknown"]}
            )
        if self.rate_percent > HUNDRED:
            raise ValidationError("rate_percent must be at most 100", fields={"rate_percent": ["above 100"]})


# Seed data for the rulebook; the agency's dated rows replace it.
PP_15_2009 = SavingsTaxRule(effective_from=date(2009, 1, 1))
DEFAULT_RULES: tuple[SavingsTaxRule, ...] = (PP_15_2009,)


@dataclass(frozen=True)
class Withholding:
    gross: Decimal
    tax: Decimal
    net: Decimal


def rule_on(rules: Sequence[SavingsTaxRule], on: date) -> SavingsTaxRule:
    """The version in force on a date: the latest whose effective_from is not after it."""
    in_force = [rule for rule in rules if rule.effective_from <= on]
    if not in_force:
        raise ValidationError(
            f"No savings tax rule is in force on {on.isoformat()}", fields={"on": ["no rule in force"]}
        )
    return max(in_force, key=lambda rule: rule.effective_from)


def tax_on(gross: Decimal, rule: SavingsTaxRule) -> Decimal:
    """Tax on one amount tested alone: 0 up to the threshold, the rate on all of it above."""
    amount = as_amount(gross, "gross")
    if amount <= rule.threshold:
        return ZERO
    return (amount * rule.rate_percent / HUNDRED).quantize(RUPIAH, rounding=rule.rounding).quantize(CENT)


def withhold(gross: Decimal, rule: SavingsTaxRule) -> Withholding:
    """Tax and net for one amount tested on its own."""
    amount = as_amount(gross, "gross")
    tax = tax_on(amount, rule)
    return Withholding(gross=amount, tax=tax, net=amount - tax)


def withhold_member_month(credits: Sequence[Decimal], rule: SavingsTaxRule) -> list[Withholding]:
    """Tax on each of one member's interest credits in one calendar month, in the given order.

    Under `MEMBER_MONTH` the threshold and the rounding apply to the total; each credit bears its
    share (rounded the rule's way) and the largest credit absorbs the rounding remainder, so the
    shares add up to the tax on the total. Under `PER_POSTING` each credit stands alone.
    """
    amounts = [as_amount(credit, "gross") for credit in credits]
    if rule.base is TaxBase.PER_POSTING:
        return [withhold(amount, rule) for amount in amounts]
    total_tax = tax_on(sum(amounts, ZERO), rule)
    if total_tax == ZERO:
        return [Withholding(gross=amount, tax=ZERO, net=amount) for amount in amounts]
    shares = [
        (amount * rule.rate_percent / HUNDRED).quantize(RUPIAH, rounding=rule.rounding).quantize(CENT)
        for amount in amounts
    ]
    largest = max(range(len(amounts)), key=lambda i: amounts[i])
    shares[largest] += total_tax - sum(shares, ZERO)
    return [
        Withholding(gross=amount, tax=share, net=amount - share)
        for amount, share in zip(amounts, shares, strict=True)
    ]
