"""Repayment allocation, late penalties (*denda*) and early settlement (*pelunasan dipercepat*).

Rules (domain/loans.md section 5, all [A], so every choice below is a parameter):

- Default order `DENDA_BUNGA_POKOK`: instalment by instalment, oldest due first, each instalment's
  denda, then its bunga (or margin), then its pokok. `COMPONENT_FIRST`: all overdue denda, then all
  overdue bunga, then all overdue pokok. Either way, money left over then pays the instalments not
  yet due, in schedule order, denda -> bunga -> pokok. The order is recorded on each allocation
  because it changes the days past due.
- An instalment is due on its due date: a payment dated that day pays it as an overdue one.
- Money left after the whole schedule is paid is refused by default; a product may instead return it
  as an amount to credit to the member's savings. An early settlement always returns the excess.
- Early settlement: remaining principal + overdue amounts + the interest of the current period (the
  first instalment due on or after the settlement date) + an optional fee. The interest of later
  periods is waived (`CURRENT_PERIOD`, the default meant for FLAT loans) or owed (`ALL_REMAINING`).
- Denda: on the overdue instalment (unpaid pokok + bunga) or the overdue pokok, at a percent per day
  or per started month of arrears, or a fixed amount per late instalment; none by default. Grace days
  are forgiven: arrears are counted from the due date + the grace days.

Amounts are Decimal rupiah; penalties and fees round ROUND_HALF_UP to whole rupiah.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from coopsaas.core.money import MoneyError, format_rupiah, round_rupiah, to_money
from coopsaas.loans.schedule import HUNDRED, ZERO, Instalment, LoanInputError, add_months


class Component(StrEnum):
    PENALTY = "denda"
    INTEREST = "bunga"
    PRINCIPAL = "pokok"


COMPONENT_ORDER = (Component.PENALTY, Component.INTEREST, Component.PRINCIPAL)


class AllocationOrder(StrEnum):
    DENDA_BUNGA_POKOK = "DENDA_BUNGA_POKOK"
    COMPONENT_FIRST = "COMPONENT_FIRST"


class Overpayment(StrEnum):
    REFUSE = "REFUSE"
    CREDIT_SAVINGS = "CREDIT_SAVINGS"


class SettlementInterest(StrEnum):
    CURRENT_PERIOD = "CURRENT_PERIOD"
    ALL_REMAINING = "ALL_REMAINING"


class PenaltyBasis(StrEnum):
    NONE = "NONE"
    OVERDUE_INSTALMENT = "OVERDUE_INSTALMENT"
    OVERDUE_PRINCIPAL = "OVERDUE_PRINCIPAL"
    FIXED_PER_INSTALMENT = "FIXED_PER_INSTALMENT"


class PenaltyUnit(StrEnum):
    DAY = "DAY"
    MONTH = "MONTH"


@dataclass(frozen=True)
class PenaltyRule:
    """A product's `denda_basis`, `denda_rate_pd` (or a rate per month), fixed amount and grace days."""

    basis: PenaltyBasis = PenaltyBasis.NONE
    rate_pct: Decimal = ZERO
    per: PenaltyUnit = PenaltyUnit.DAY
    fixed_amount: Decimal = ZERO
    grace_days: int = 0

    def __post_init__(self) -> None:
        if self.rate_pct < 0 or self.fixed_amount < 0 or self.grace_days < 0:
            raise LoanInputError("Penalty rates, amounts and grace days cannot be negative.")


@dataclass(frozen=True)
class EarlySettlementRule:
    """`flat_early_settlement_interest` and the optional fee (percent of remaining principal and/or fixed)."""

    interest: SettlementInterest = SettlementInterest.CURRENT_PERIOD
    fee_pct: Decimal = ZERO
    fee_fixed: Decimal = ZERO

    def __post_init__(self) -> None:
        if self.fee_pct < 0 or self.fee_fixed < 0:
            raise LoanInputError("An early settlement fee cannot be negative.")


@dataclass(frozen=True)
class InstalmentState:
    """An instalment as it stands: what the schedule asks, the denda charged, what was paid or waived."""

    no: int
    due_on: date
    principal: Decimal
    interest: Decimal
    penalty: Decimal = ZERO
    principal_paid: Decimal = ZERO
    interest_paid: Decimal = ZERO
    penalty_paid: Decimal = ZERO
    interest_waived: Decimal = ZERO

    @classmethod
    def from_instalment(cls, row: Instalment) -> InstalmentState:
        return cls(no=row.no, due_on=row.due_on, principal=row.principal, interest=row.interest)

    @property
    def unpaid_principal(self) -> Decimal:
        return self.principal - self.principal_paid

    @property
    def unpaid_interest(self) -> Decimal:
        return self.interest - self.interest_paid - self.interest_waived

    @property
    def unpaid_penalty(self) -> Decimal:
        return self.penalty - self.penalty_paid

    def unpaid(self, component: Component) -> Decimal:
        if component is Component.PENALTY:
            return self.unpaid_penalty
        if component is Component.INTEREST:
            return self.unpaid_interest
        return self.unpaid_principal

    @property
    def unpaid_total(self) -> Decimal:
        return self.unpaid_penalty + self.unpaid_interest + self.unpaid_principal

    @property
    def is_settled(self) -> bool:
        return self.unpaid_total == 0

    def with_payment(self, component: Component, amount: Decimal) -> InstalmentState:
        if component is Component.PENALTY:
            return replace(self, penalty_paid=self.penalty_paid + amount)
        if component is Component.INTEREST:
            return replace(self, interest_paid=self.interest_paid + amount)
        return replace(self, principal_paid=self.principal_paid + amount)


@dataclass(frozen=True)
class AllocationLine:
    no: int
    component: Component
    amount: Decimal


@dataclass(frozen=True)
class PenaltyCharge:
    no: int
    charged_on: date
    amount: Decimal


@dataclass(frozen=True)
class Allocation:
    """How one payment is split. `excess` is to be credited to the member's savings."""

    paid_on: date
    amount: Decimal
    order: AllocationOrder
    lines: tuple[AllocationLine, ...]
    excess: Decimal = ZERO
    fee: Decimal = ZERO
    waived: tuple[AllocationLine, ...] = ()
    is_early_settlement: bool = False

    def total_of(self, component: Component) -> Decimal:
        return sum((line.amount for line in self.lines if line.component is component), ZERO)

    @property
    def penalty(self) -> Decimal:
        return self.total_of(Component.PENALTY)

    @property
    def interest(self) -> Decimal:
        return self.total_of(Component.INTEREST)

    @property
    def principal(self) -> Decimal:
        return self.total_of(Component.PRINCIPAL)

    @property
    def waived_interest(self) -> Decimal:
        return sum((line.amount for line in self.waived), ZERO)

    def for_instalment(self, no: int) -> dict[Component, Decimal]:
        paid = dict.fromkeys(COMPONENT_ORDER, ZERO)
        for line in self.lines:
            if line.no == no:
                paid[line.component] += line.amount
        return paid


@dataclass(frozen=True)
class SettlementQuote:
    """What settles the loan in full on `on`; `waived_interest` is scheduled interest forgiven."""

    on: date
    penalty: Decimal
    interest: Decimal
    principal: Decimal
    fee: Decimal
    waived_interest: Decimal

    @property
    def total(self) -> Decimal:
        return self.penalty + self.interest + self.principal + self.fee


def instalment_states(
    instalments: Iterable[Instalment],
    *,
    allocations: Iterable[Allocation] = (),
    penalties: Iterable[PenaltyCharge] = (),
    as_of: date | None = None,
) -> list[InstalmentState]:
    """The schedule with the penalties charged and payments made (up to `as_of`, when given) applied.

    Replaying history this way gives the standing of a loan on any past report date.
    """
    states = {row.no: InstalmentState.from_instalment(row) for row in instalments}
    for charge in penalties:
        if as_of is None or charge.charged_on <= as_of:
            state = states[charge.no]
            states[charge.no] = replace(state, penalty=state.penalty + charge.amount)
    for allocation in sorted(allocations, key=lambda a: a.paid_on):
        if as_of is None or allocation.paid_on <= as_of:
            for no, state in apply_allocation(list(states.values()), allocation).items():
                states[no] = state
    return [states[no] for no in sorted(states)]


def apply_allocation(states: Sequence[InstalmentState], allocation: Allocation) -> dict[int, InstalmentState]:
    """The states after an allocation, by instalment number."""
    result = {state.no: state for state in states}
    for line in allocation.lines:
        result[line.no] = result[line.no].with_payment(line.component, line.amount)
    for line in allocation.waived:
        state = result[line.no]
        result[line.no] = replace(state, interest_waived=state.interest_waived + line.amount)
    return result


def allocate_payment(
    states: Sequence[InstalmentState],
    *,
    amount: Decimal,
    paid_on: date,
    order: AllocationOrder = AllocationOrder.DENDA_BUNGA_POKOK,
    overpayment: Overpayment = Overpayment.REFUSE,
) -> Allocation:
    """Split a repayment over the instalments. Raises LoanInputError (bad amount, refused overpayment)."""
    amount = _payment_amount(amount)
    ordered = sorted(states, key=lambda s: s.no)
    overdue = [s for s in ordered if s.due_on <= paid_on]
    upcoming = [s for s in ordered if s.due_on > paid_on]

    # (instalment, component) pairs in the order the payment reaches them.
    if order is AllocationOrder.COMPONENT_FIRST:
        sequence = [(s, c) for c in COMPONENT_ORDER for s in overdue]
    else:
        sequence = [(s, c) for s in overdue for c in COMPONENT_ORDER]
    sequence += [(s, c) for s in upcoming for c in COMPONENT_ORDER]

    lines = []
    left = amount
    for state, component in sequence:
        take = min(left, state.unpaid(component))
        if take > 0:
            lines.append(AllocationLine(state.no, component, take))
            left -= take
        if left == 0:
            break
    if left > 0 and overpayment is Overpayment.REFUSE:
        raise LoanInputError(
            "The payment is more than the loan still owes; record it as an early settlement "
            "or reduce the amount.",
            fields={"amount": ["more than the loan owes"]},
        )
    return Allocation(paid_on=paid_on, amount=amount, order=order, lines=tuple(lines), excess=left)


def settlement_quote(
    states: Sequence[InstalmentState], *, on: date, rule: EarlySettlementRule | None = None
) -> SettlementQuote:
    """The amount that settles the loan in full on `on`."""
    rule = rule or EarlySettlementRule()
    waived = sum((line.amount for line in _waived_interest(states, on, rule)), ZERO)
    principal = sum((s.unpaid_principal for s in states), ZERO)
    fee = round_rupiah(principal * rule.fee_pct / HUNDRED) + rule.fee_fixed if principal > 0 else ZERO
    return SettlementQuote(
        on=on,
        penalty=sum((s.unpaid_penalty for s in states), ZERO),
        interest=sum((s.unpaid_interest for s in states), ZERO) - waived,
        principal=principal,
        fee=fee,
        waived_interest=waived,
    )


def settle_early(
    states: Sequence[InstalmentState],
    *,
    amount: Decimal,
    paid_on: date,
    rule: EarlySettlementRule | None = None,
    order: AllocationOrder = AllocationOrder.DENDA_BUNGA_POKOK,
) -> Allocation:
    """Pay off the loan; anything above the settlement amount comes back as `excess` for savings.

    Raises LoanInputError when the loan is already settled or the amount does not cover the quote.
    """
    rule = rule or EarlySettlementRule()
    amount = _payment_amount(amount)
    quote = settlement_quote(states, on=paid_on, rule=rule)
    if quote.principal + quote.interest + quote.penalty == 0:
        raise LoanInputError("The loan is already settled.")
    if amount < quote.total:
        raise LoanInputError(
            f"An early settlement on this date needs {format_rupiah(quote.total)}.",
            fields={"amount": ["less than the settlement amount"]},
        )
    waived = _waived_interest(states, paid_on, rule)
    after_waiver = list(
        apply_allocation(states, Allocation(paid_on, ZERO, order, (), waived=waived)).values()
    )
    paid = allocate_payment(after_waiver, amount=quote.total - quote.fee, paid_on=paid_on, order=order)
    return Allocation(
        paid_on=paid_on,
        amount=amount,
        order=order,
        lines=paid.lines,
        excess=amount - quote.total,
        fee=quote.fee,
        waived=waived,
        is_early_settlement=True,
    )


def _waived_interest(
    states: Sequence[InstalmentState], on: date, rule: EarlySettlementRule
) -> tuple[AllocationLine, ...]:
    """Unpaid interest of the periods after the current one (the first instalment due on or after `on`)."""
    if rule.interest is SettlementInterest.ALL_REMAINING:
        return ()
    later = [s for s in sorted(states, key=lambda s: s.no) if s.due_on >= on][1:]
    return tuple(
        AllocationLine(s.no, Component.INTEREST, s.unpaid_interest) for s in later if s.unpaid_interest > 0
    )


def late_penalty(
    rule: PenaltyRule, state: InstalmentState, *, as_of: date, charged_through: date | None = None
) -> Decimal:
    """Denda to charge on one instalment for the arrears after `charged_through` up to `as_of`.

    The basis is what is unpaid on `as_of`, so a job charging every night follows partial payments.
    """
    if rule.basis is PenaltyBasis.NONE:
        return ZERO
    basis = state.unpaid_principal
    if rule.basis is not PenaltyBasis.OVERDUE_PRINCIPAL:
        basis += state.unpaid_interest
    if basis <= 0:
        return ZERO
    start = state.due_on + timedelta(days=rule.grace_days)
    units_now = _arrears_units(rule.per, start, as_of)
    units_before = _arrears_units(rule.per, start, charged_through) if charged_through else 0
    units = units_now - units_before
    if units <= 0:
        return ZERO
    if rule.basis is PenaltyBasis.FIXED_PER_INSTALMENT:
        return rule.fixed_amount if units_before == 0 else ZERO
    return round_rupiah(basis * rule.rate_pct * units / HUNDRED)


def charge_penalties(
    rule: PenaltyRule,
    states: Sequence[InstalmentState],
    *,
    as_of: date,
    charged_through: date | None = None,
) -> list[PenaltyCharge]:
    """The penalty charges of one run (the nightly job passes the date of its previous run)."""
    charges = []
    for state in states:
        amount = late_penalty(rule, state, as_of=as_of, charged_through=charged_through)
        if amount > 0:
            charges.append(PenaltyCharge(no=state.no, charged_on=as_of, amount=amount))
    return charges


def _arrears_units(per: PenaltyUnit, start: date, on: date) -> int:
    """Days after `start`, or months of arrears begun after it (a month counts from its first day)."""
    days = (on - start).days
    if days <= 0:
        return 0
    if per is PenaltyUnit.DAY:
        return days
    months = 1
    while add_months(start, months) < on:
        months += 1
    return months


def _payment_amount(amount: Decimal) -> Decimal:
    try:
        value = to_money(amount)
    except MoneyError as exc:
        raise LoanInputError(
            "The payment must be an amount in rupiah.", fields={"amount": [str(exc)]}
        ) from exc
    if value <= 0:
        raise LoanInputError(
            "The payment must be more than zero.", fields={"amount": ["must be more than zero"]}
        )
    return value
