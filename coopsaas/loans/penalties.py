"""Late penalties (*denda*) of a loan: charged on events, computed in between.

An instalment stores the denda charged onto it through `penalty_through` (None: nothing charged
yet). The denda of the days after that is not written every night: it follows from the product's
rule (allocation.late_penalty: percent of what is overdue per day or per started month, after
the grace days) and the unpaid amounts, which only a repayment, a rescheduling or a write-off
change. So:

- reading a loan (`accrue`) computes each live row's denda due up to a date and keeps it on the
  row object (`LoanInstalment.pending_penalty`, not a column), so `unpaid`, the next due amount,
  quotes and reports include it;
- an event that changes what is unpaid (`charge`) first charges that denda onto the rows on its own
  date (`penalty += pending`, `penalty_through = date`) and then allocates the payment, so the
  member pays the denda of every day up to the payment, not only up to the last nightly run;
- the nightly ageing job (ageing.py) writes no instalment: it reports the denda accrued since its
  previous run.

A written-off or closed loan accrues nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from coopsaas.extensions import db
from coopsaas.loans.allocation import InstalmentState, PenaltyBasis, PenaltyRule, late_penalty
from coopsaas.loans.models import ACTIVE, ZERO, Loan, LoanInstalment
from coopsaas.loans.products import penalty_rule

NO_PENALTY = PenaltyRule(basis=PenaltyBasis.NONE)


def rule_of(loan: Loan) -> PenaltyRule:
    """The denda rule the loan kept from its product at disbursement (none when unparseable)."""
    return rule_of_terms(loan.terms)


def rule_of_terms(terms: dict[str, Any] | None) -> PenaltyRule:
    terms = terms or {}
    try:
        return penalty_rule(
            {
                "penalty_rate_pct": terms.get("penalty_rate_pct") or "0",
                "penalty_per": terms.get("penalty_per"),
                "penalty_grace_days": terms.get("penalty_grace_days"),
            }
        )
    except (ValueError, TypeError, ArithmeticError):
        return NO_PENALTY


def state_of(row: LoanInstalment) -> InstalmentState:
    """The stored row as allocation.py sees it (the denda charged so far, without the accrued part)."""
    return InstalmentState(
        no=row.no,
        due_on=row.due_on,
        principal=row.principal,
        interest=row.interest,
        penalty=row.penalty,
        principal_paid=row.principal_paid,
        interest_paid=row.interest_paid,
        penalty_paid=row.penalty_paid,
        interest_waived=row.interest_waived,
    )


def pending(rule: PenaltyRule, row: LoanInstalment, on: date, *, since: date | None = None) -> Decimal:
    """Denda of `row` for the days after its last charge (or after `since`, when later) up to `on`."""
    if rule.basis is PenaltyBasis.NONE or row.superseded_on is not None:
        return ZERO
    through = row.penalty_through
    if since is not None and (through is None or since > through):
        through = since
    return late_penalty(rule, state_of(row), as_of=on, charged_through=through)


def accrue(loan: Loan, rows: Iterable[LoanInstalment], on: date) -> list[LoanInstalment]:
    """Keep on each row the denda accrued up to `on` and not charged yet; writes nothing."""
    rows = list(rows)
    rule = rule_of(loan) if loan.status == ACTIVE else NO_PENALTY
    for row in rows:
        row.__dict__["_pending_penalty"] = pending(rule, row, on)
    return rows


def charge(loan: Loan, rows: Iterable[LoanInstalment], on: date) -> Decimal:
    """Charge onto the rows the denda accrued up to `on` (before an event changes what is unpaid);
    returns the amount charged. The caller holds the loan's row lock."""
    rule = rule_of(loan) if loan.status == ACTIVE else NO_PENALTY
    total = ZERO
    for row in rows:
        amount = pending(rule, row, on)
        if amount > 0:
            row.penalty += amount
            row.penalty_through = on
            total += amount
        row.__dict__["_pending_penalty"] = ZERO
    return total


def accrued_by_loan(terms_by_loan: dict[Any, dict[str, Any] | None], on: date) -> dict[Any, Decimal]:
    """Per active loan (id -> its kept terms): the denda accrued up to `on` and not charged yet,
    from one query per 1,000 loans over their late live rows (for lists such as the arrears list)."""
    rules = {}
    for loan_id, terms in terms_by_loan.items():
        rule = rule_of_terms(terms)
        if rule.basis is not PenaltyBasis.NONE:
            rules[loan_id] = rule
    out: dict[Any, Decimal] = {}
    ids = list(rules)
    for start in range(0, len(ids), 1000):
        for row in db.session.scalars(
            select(LoanInstalment).where(
                LoanInstalment.loan_id.in_(ids[start : start + 1000]),
                LoanInstalment.superseded_on.is_(None),
                LoanInstalment.due_on < on,
            )
        ):
            amount = pending(rules[row.loan_id], row, on)
            if amount > 0:
                out[row.loan_id] = out.get(row.loan_id, ZERO) + amount
    return out


def penalty_due(rows: Iterable[Any]) -> Decimal:
    """Unpaid denda of the rows: charged and not paid plus the accrued part (after `accrue`)."""
    return sum((row.penalty_due for row in rows), ZERO)
