"""A loan as it stood at the end of a past day, for reports dated in the past.

The loan and instalment rows hold today's figures. A loan nothing happened to after the report date
(no repayment, write-off, rescheduling or closing since) stood then as it stands now, and the
reports read it set-based in SQL as before. The others (`changed_after`) are rebuilt here:

- the instalments live on that day: rows not superseded by then, of the schedule versions in force
  (a rescheduling after the day did not exist yet);
- what was paid on each of them then: today's paid columns less the allocation lines of the
  repayments dated after the day (each line names its instalment by number; a line hits the old
  version's row when the repayment came before a later rescheduling), and less the interest
  waived by an early settlement after the day;
- the outstanding principal then: the figure after the last event on or before the day (a
  repayment's `outstanding_after`, a rescheduling's new principal);
- its status then: active unless it was written off on or before the day.

The denda due then is the denda charged through a day on or before it plus the days after, on
what was unpaid then (the part of a later charge that covered earlier days is not split out).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select

from coopsaas.core.money import to_money
from coopsaas.extensions import db
from coopsaas.loans import penalties
from coopsaas.loans.allocation import Component, InstalmentState, late_penalty
from coopsaas.loans.models import (
    REPAYMENT,
    WO_APPROVED,
    WRITE_OFF,
    ZERO,
    Loan,
    LoanInstalment,
    LoanReschedule,
    LoanTransaction,
    LoanWriteOff,
)

CHUNK = 1000
EARLIEST = datetime.min  # noqa: DTZ901 - naive on purpose: _stamp compares naive UTC times


@dataclass(frozen=True)
class Standing:
    """One loan at the end of `as_of`."""

    loan: Loan
    written_off: bool
    outstanding: Decimal
    oldest_late: date | None
    principal_due: Decimal
    interest_due: Decimal
    penalty_due: Decimal


def changed_after(as_of: date) -> set[Any]:
    """Loans disbursed on or before `as_of` that something happened to after it."""
    ids: set[Any] = set()
    ids.update(
        db.session.scalars(
            select(LoanTransaction.loan_id).where(
                LoanTransaction.entry_on > as_of, LoanTransaction.kind.in_((REPAYMENT, WRITE_OFF))
            )
        )
    )
    ids.update(db.session.scalars(select(LoanReschedule.loan_id).where(LoanReschedule.effective_on > as_of)))
    ids.update(db.session.scalars(select(Loan.id).where(Loan.closed_on > as_of)))
    if not ids:
        return ids
    kept: set[Any] = set()
    listed = list(ids)
    for start in range(0, len(listed), CHUNK):
        kept.update(
            db.session.scalars(
                select(Loan.id).where(Loan.id.in_(listed[start : start + CHUNK]), Loan.disbursed_on <= as_of)
            )
        )
    return kept


def standings(loan_ids: set[Any], as_of: date) -> list[Standing]:
    """The loans `loan_ids` as they stood at the end of `as_of` (see the module docstring)."""
    out: list[Standing] = []
    listed = sorted(loan_ids, key=str)
    for start in range(0, len(listed), CHUNK):
        out += _chunk(listed[start : start + CHUNK], as_of)
    return out


def _chunk(ids: list[Any], as_of: date) -> list[Standing]:
    loans = {loan.id: loan for loan in db.session.scalars(select(Loan).where(Loan.id.in_(ids)))}
    rows: dict[Any, list[LoanInstalment]] = defaultdict(list)
    for row in db.session.scalars(
        select(LoanInstalment)
        .where(
            LoanInstalment.loan_id.in_(ids),
            or_(LoanInstalment.superseded_on.is_(None), LoanInstalment.superseded_on > as_of),
        )
        .order_by(LoanInstalment.loan_id, LoanInstalment.version, LoanInstalment.no)
    ):
        rows[row.loan_id].append(row)
    reschedules: dict[Any, list[LoanReschedule]] = defaultdict(list)
    for record in db.session.scalars(
        select(LoanReschedule).where(LoanReschedule.loan_id.in_(ids)).order_by(LoanReschedule.version)
    ):
        reschedules[record.loan_id].append(record)
    txns: dict[Any, list[LoanTransaction]] = defaultdict(list)
    for txn in db.session.scalars(
        select(LoanTransaction)
        .where(LoanTransaction.loan_id.in_(ids))
        .order_by(LoanTransaction.entry_on, LoanTransaction.created_at)
    ):
        txns[txn.loan_id].append(txn)
    written_off = set(
        db.session.scalars(
            select(LoanWriteOff.loan_id).where(
                LoanWriteOff.loan_id.in_(ids),
                LoanWriteOff.status == WO_APPROVED,
                LoanWriteOff.written_off_on <= as_of,
            )
        )
    )
    out = []
    for loan_id, loan in loans.items():
        out.append(
            _standing(loan, rows[loan_id], reschedules[loan_id], txns[loan_id], loan_id in written_off, as_of)
        )
    return out


def _stamp(moment: datetime | None) -> datetime:
    """A creation time comparable whether it came back from the database naive (SQLite, UTC) or was
    set by the current database session (aware UTC)."""
    if moment is None:
        return EARLIEST
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _standing(
    loan: Loan,
    rows: list[LoanInstalment],
    reschedules: list[LoanReschedule],
    txns: list[LoanTransaction],
    written_off: bool,
    as_of: date,
) -> Standing:
    in_force = max((r.version for r in reschedules if r.effective_on <= as_of), default=1)
    later = [r for r in reschedules if r.effective_on > as_of]
    live = [r for r in rows if r.version <= in_force]  # instalment numbers are unique among them

    # Which schedule version a repayment after `as_of` paid: the one in force when it was made.
    def version_paid(txn: LoanTransaction) -> int:
        version = in_force
        for record in later:
            if (record.effective_on, _stamp(record.created_at)) <= (txn.entry_on, _stamp(txn.created_at)):
                version = record.version
        return version

    undone: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for txn in txns:
        if txn.entry_on <= as_of or txn.kind != REPAYMENT or version_paid(txn) != in_force:
            continue
        allocation = txn.allocation or {}
        for line in allocation.get("lines", []):
            undone[int(line["no"])][str(line["component"])] += to_money(line["amount"])
        for line in allocation.get("waived_interest", []):
            undone[int(line["no"])]["waived"] += to_money(line["amount"])
    outstanding = loan.principal
    events: list[tuple[date, Any, Decimal]] = [
        (t.entry_on, _stamp(t.created_at), t.outstanding_after) for t in txns if t.entry_on <= as_of
    ]
    events += [
        (r.effective_on, _stamp(r.created_at), r.new_principal)
        for r in reschedules
        if r.effective_on <= as_of
    ]
    if events:
        outstanding = max(events, key=lambda e: (e[0], e[1]))[2]
    rule = penalties.rule_of(loan)
    oldest = None
    principal_due = interest_due = penalty_due = ZERO
    for row in sorted(live, key=lambda r: r.no):
        back = undone.get(row.no, {})
        state = InstalmentState(
            no=row.no,
            due_on=row.due_on,
            principal=row.principal,
            interest=row.interest,
            penalty=row.penalty if (row.penalty_through or date.min) <= as_of else ZERO,
            principal_paid=row.principal_paid - back.get(Component.PRINCIPAL, ZERO),
            interest_paid=row.interest_paid - back.get(Component.INTEREST, ZERO),
            penalty_paid=max(row.penalty_paid - back.get(Component.PENALTY, ZERO), ZERO),
            interest_waived=row.interest_waived - back.get("waived", ZERO),
        )
        if row.due_on > as_of:
            continue
        late = row.due_on < as_of and (state.unpaid_principal > 0 or state.unpaid_interest > 0)
        if late and oldest is None:
            oldest = row.due_on
        principal_due += state.unpaid_principal
        interest_due += state.unpaid_interest
        through = row.penalty_through if (row.penalty_through or date.min) <= as_of else None
        accrued = ZERO if written_off else late_penalty(rule, state, as_of=as_of, charged_through=through)
        penalty_due += max(state.penalty + accrued - state.penalty_paid, ZERO)
    return Standing(
        loan=loan,
        written_off=written_off,
        outstanding=to_money(outstanding),
        oldest_late=oldest,
        principal_due=principal_due,
        interest_due=interest_due,
        penalty_due=penalty_due,
    )
