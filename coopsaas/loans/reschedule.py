"""Rescheduling (*restrukturisasi*) of an active loan by a manager: a new term, rate and/or method on
the outstanding principal, from the next due date.

What happens on the rescheduling date `D` (domain/loans.md sections 3, 8 and 10; the doc asks for a
`restructured` flag and date and counts restructured loans in PAR; the rest is [A]):

- The live instalments that are fully settled stay live (the paid history). Every other live row is
  superseded (`superseded_on = D`, kept with its paid columns: nothing is deleted or altered).
- Arrears interest = unpaid interest of the superseded rows that fell due on or before `D`
  (interest of periods not yet due is not owed and goes with the old schedule). A choice on the form:
  * capitalised: added to the principal of the new schedule and bears interest. Posted
    `Dr 1201 (1202) / Cr 4101 (4102)`: the member now owes it as principal, so it is recognised as
    interest income on the day it is capitalised;
  * not capitalised: nothing is posted; it falls due with the first new instalment, without
    interest on it (that row's interest = its scheduled interest + the arrears).
  Unpaid penalties are never capitalised: they move to the first new instalment.
- The new schedule (`schedule.reschedule`) runs on the outstanding principal (+ capitalised
  interest) over the new term, the first instalment on the old schedule's next due date after `D`
  (or one period after `D` when none is left), numbered on from the last settled instalment, with
  schedule version + 1. Repayments, the ageing job and the reports read live rows only.
- Collectibility [A, after the bank rule POJK 40/2019 art. 53]: the class does not improve because
  of the rescheduling. The class the loan had (its last ageing) is a floor until the member has paid
  three instalments of the new schedule on time; the ageing job applies it (`apply_class_floor`).
- No maker-checker: the domain text does not ask for a second approver for a rescheduling; it is a
  manager's act (permission `loans.approve`), audited with the reason.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select

from coopsaas.core import audit
from coopsaas.core.i18n import _l
from coopsaas.core.ids import uuid7
from coopsaas.errors import Conflict, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import EntrySpec, LineSpec, post_entry
from coopsaas.ledger.services import require_scope, today_for
from coopsaas.loans.collectibility import SEVERITY, Kolektibilitas
from coopsaas.loans.disbursement import instalments_of
from coopsaas.loans.models import ACTIVE, ZERO, Loan, LoanInstalment, LoanReschedule, LoanTransaction
from coopsaas.loans.repayments import _key, interest_account, lock_loan, refuse_if_not_active
from coopsaas.loans.schedule import LoanInputError, Method, Rate, RateBasis, add_months, reschedule
from coopsaas.tenancy.models import Tenant

SOURCE_TYPE = "loan_reschedule"
METHODS = ("FLAT", "EFEKTIF", "ANUITAS", "BULLET")
CURE_INSTALMENTS = 3


def reschedules_of(loan: Loan) -> list[LoanReschedule]:
    return list(
        db.session.scalars(
            select(LoanReschedule).where(LoanReschedule.loan_id == loan.id).order_by(LoanReschedule.version)
        )
    )


def schedule_versions(loan: Loan) -> dict[int, list[LoanInstalment]]:
    """Every stored row of the loan by schedule version (superseded rows included, marked)."""
    out: dict[int, list[LoanInstalment]] = {}
    for row in db.session.scalars(
        select(LoanInstalment)
        .where(LoanInstalment.loan_id == loan.id)
        .order_by(LoanInstalment.version, LoanInstalment.no)
    ):
        out.setdefault(row.version, []).append(row)
    return out


def _terms(method: str | None, rate: object, rate_basis: str | None, term: object, loan: Loan) -> tuple:
    method = (method or loan.method).strip().upper()
    if loan.method == "MURABAHAH":  # the margin of an akad never changes (sharia.md section 2)
        message = _l("A murabahah margin cannot be rescheduled; restructure with a new akad.")
        raise ValidationError(message, fields={"method": [message]})
    if loan.method == "QARDH":  # a benevolent loan stays one: principal only, over a new term
        if method != "QARDH":
            message = _l("A qardh loan is rescheduled as qardh: principal only.")
            raise ValidationError(message, fields={"method": [message]})
        if rate not in (None, "") and _percent(rate) != 0:
            message = _l("A qardh loan carries no interest.")
            raise ValidationError(message, fields={"rate": [message]})
        return method, RateBasis.PER_YEAR.value, Decimal(0), _months(term)
    if method not in METHODS:
        message = _l("Choose flat, efektif, anuitas or bullet.")
        raise ValidationError(message, fields={"method": [message]})
    basis = rate_basis or loan.rate_basis
    if basis not in (RateBasis.PER_YEAR.value, RateBasis.PER_MONTH.value):
        message = _l("Choose a rate per year or per month.")
        raise ValidationError(message, fields={"rate_basis": [message]})
    percent = _percent(loan.rate if rate in (None, "") else rate)
    if not percent.is_finite() or percent < 0 or percent > 100:
        message = _l("Enter the rate as a percentage from 0 to 100, for example 1,5.")
        raise ValidationError(message, fields={"rate": [message]})
    return method, basis, percent, _months(term)


def _percent(value: object) -> Decimal:
    raw = str(value).strip().replace(",", ".")
    try:
        return Decimal(raw)
    except InvalidOperation:
        return Decimal(-1)


def _months(term: object) -> int:
    try:
        months = int(str(term).strip())
    except (TypeError, ValueError):
        months = 0
    if not 1 <= months <= 360:
        message = _l("Enter the new number of instalments, from 1 to 360.")
        raise ValidationError(message, fields={"term_months": [message]})
    return months


def reschedule_loan(
    *,
    tenant: Tenant,
    actor: Any,
    loan: Loan,
    term_months: object,
    rate: object = None,
    rate_basis: str | None = None,
    method: str | None = None,
    capitalise_interest: bool = False,
    reason: str | None = None,
    on: date | None = None,
    idempotency_key: str | None = None,
) -> LoanReschedule:
    """Reschedule `loan` from `on` (default today); see the module docstring. A repeated key returns
    the first rescheduling.

    Raises: ValidationError (terms, reason, date), Conflict (loan not active, nothing left to
    reschedule), ClosedPeriodError.
    """
    require_scope(tenant)
    key = _key(idempotency_key)
    if key is not None:
        first = db.session.scalars(
            select(LoanReschedule).where(LoanReschedule.idempotency_key == key)
        ).one_or_none()
        if first is not None:
            return first
    text = (reason or "").strip()
    if len(text) < 5 or len(text) > 500:
        message = _l("Write the reason (at least 5 characters).")
        raise ValidationError(message, fields={"reason": [message]})
    on = on or today_for(tenant)
    loan = lock_loan(loan)
    refuse_if_not_active(loan)
    method, basis, percent, months = _terms(method, rate, rate_basis, term_months, loan)
    last_payment = db.session.scalar(
        select(func.max(LoanTransaction.entry_on)).where(LoanTransaction.loan_id == loan.id)
    )
    if last_payment is not None and on < last_payment:
        message = _l(
            "A rescheduling cannot be dated before the loan's last transaction (%(day)s).",
            day=last_payment.isoformat(),
        )
        raise ValidationError(message, fields={"effective_on": [message]})
    rows = instalments_of(loan, on)  # unpaid denda includes the days up to the rescheduling
    open_rows = [r for r in rows if r.unpaid > 0]
    if not open_rows or loan.outstanding_principal <= 0:
        raise Conflict(
            _l("Loan %(no)s has no outstanding principal to reschedule.", no=loan.loan_no),
            code="nothing_to_reschedule",
        )
    arrears = sum(
        (r.interest - r.interest_paid - r.interest_waived for r in open_rows if r.due_on <= on), ZERO
    )
    penalty = sum((r.penalty_due for r in open_rows), ZERO)
    base = loan.outstanding_principal + (arrears if capitalise_interest else ZERO)
    first_due = next((r.due_on for r in open_rows if r.due_on > on), None)
    if first_due is None:
        first_due = add_months(on, loan.period_months)
    rate_obj = Rate(percent, RateBasis(basis))
    try:
        new = reschedule(
            base,
            method=Method(method),
            term=months,
            rescheduled_on=on,
            rate=rate_obj,
            first_due_on=first_due,
            period_months=loan.period_months,
        )
    except LoanInputError as exc:
        raise ValidationError(str(exc.message), fields={"term_months": [str(exc.message)]}) from exc

    version = max(r.version for r in rows) + 1
    start_no = max((r.no for r in rows if r.unpaid == 0), default=0)
    record_id = uuid7()
    entry = None
    if capitalise_interest and arrears > 0:
        income = interest_account(loan)
        mid = loan.member_id
        entry = post_entry(
            tenant=tenant,
            actor=actor,
            spec=EntrySpec(
                entry_on=on,
                lines=[
                    LineSpec(loan.receivable_account_id, debit=arrears, member_id=mid, loan_id=loan.id),
                    LineSpec(income.id, credit=arrears, member_id=mid, loan_id=loan.id),
                ],
                memo=f"Kapitalisasi tunggakan bunga, restrukturisasi pinjaman {loan.loan_no}"[:500],
                series="JU",
                source_type=SOURCE_TYPE,
                source_id=record_id,
            ),
            idempotency_key=f"loan-reschedule:{record_id}",
        )
    old_terms = {
        "method": loan.method,
        "rate_basis": loan.rate_basis,
        "rate": loan.rate,
        "term_months": loan.term_months,
        "maturity_on": loan.maturity_on.isoformat(),
        "regular_instalment": str(loan.regular_instalment),
        "version": version - 1,
    }
    for row in open_rows:
        row.superseded_on = on
    for i, planned in enumerate(new.instalments):
        extra_interest = arrears if (i == 0 and not capitalise_interest) else ZERO
        db.session.add(
            LoanInstalment(
                id=uuid7(),
                loan_id=loan.id,
                version=version,
                no=start_no + planned.no,
                due_on=planned.due_on,
                principal=planned.principal,
                interest=planned.interest + extra_interest,
                balance_after=planned.balance_after,
                principal_paid=ZERO,
                interest_paid=ZERO,
                interest_waived=ZERO,
                penalty=penalty if i == 0 else ZERO,
                penalty_through=on if (i == 0 and penalty > 0) else None,
                penalty_paid=ZERO,
            )
        )
    if capitalise_interest and arrears > 0:
        # The receivable grows by the capitalised interest; `principal` stays >= outstanding.
        loan.principal += arrears
        loan.outstanding_principal += arrears
    kept = [r for r in rows if r.unpaid == 0]
    loan.method, loan.rate_basis, loan.rate = method, basis, str(percent)
    loan.term_months = len(kept) + months
    loan.maturity_on = new.maturity_on
    loan.regular_instalment = new.regular_instalment
    loan.total_interest = (
        sum((r.interest for r in kept), ZERO)
        + new.total_interest
        + (ZERO if capitalise_interest else arrears)
    )
    record = LoanReschedule(
        id=record_id,
        loan_id=loan.id,
        version=version,
        effective_on=on,
        first_due_on=first_due,
        old_terms=old_terms,
        method=method,
        rate_basis=basis,
        rate=str(percent),
        term_months=months,
        outstanding_before=loan.outstanding_principal - (arrears if capitalise_interest else ZERO),
        arrears_interest=arrears,
        capitalise_interest=bool(capitalise_interest),
        penalty_carried=penalty,
        new_principal=base,
        class_before=loan.kolektibilitas,
        reason=text,
        journal_entry_id=entry.id if entry is not None else None,
        idempotency_key=key,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        "loans.reschedule",
        actor=actor,
        target=record,
        summary={
            "loan_no": loan.loan_no,
            "version": version,
            "effective_on": on.isoformat(),
            "before": old_terms,
            "after": {"method": method, "rate_basis": basis, "rate": str(percent), "term_months": months},
            "new_principal": str(base),
            "arrears_interest": str(arrears),
            "capitalised": bool(capitalise_interest),
            "penalty_carried": str(penalty),
            "class_before": loan.kolektibilitas,
        },
    )
    return record


def is_cured(loan: Loan, record: LoanReschedule) -> bool:
    """Three instalments of the new schedule paid by their due dates."""
    on_time = db.session.scalar(
        select(func.count(LoanInstalment.id)).where(
            LoanInstalment.loan_id == loan.id,
            LoanInstalment.version == record.version,
            LoanInstalment.settled_on.is_not(None),
            LoanInstalment.settled_on <= LoanInstalment.due_on,
        )
    )
    return int(on_time or 0) >= CURE_INSTALMENTS


def class_floors(tenant: Tenant) -> dict[Any, Kolektibilitas]:
    """Per rescheduled active loan whose new schedule is not cured yet: the class it had when it
    was rescheduled, below which it may not improve (module docstring)."""
    require_scope(tenant)
    latest = (
        select(LoanReschedule.loan_id, func.max(LoanReschedule.version).label("version"))
        .group_by(LoanReschedule.loan_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Loan, LoanReschedule)
        .join(latest, latest.c.loan_id == Loan.id)
        .join(
            LoanReschedule,
            (LoanReschedule.loan_id == latest.c.loan_id) & (LoanReschedule.version == latest.c.version),
        )
        .where(Loan.status == ACTIVE, LoanReschedule.class_before.is_not(None))
    ).all()
    return {
        loan.id: Kolektibilitas(record.class_before) for loan, record in rows if not is_cured(loan, record)
    }


def floored(klass: Kolektibilitas, floor: Kolektibilitas | None) -> Kolektibilitas:
    """The worse of the class by days past due and the rescheduling floor."""
    return floor if floor is not None and SEVERITY[floor] > SEVERITY[klass] else klass


def apply_class_floor(tenant: Tenant) -> None:
    """After the ageing job has classed the book: a rescheduled active loan keeps at least the class
    it had when it was rescheduled until the new schedule is cured (module docstring)."""
    floors = class_floors(tenant)
    if not floors:
        return
    for loan in db.session.scalars(select(Loan).where(Loan.id.in_(list(floors)))):
        current = Kolektibilitas(loan.kolektibilitas or Kolektibilitas.LANCAR.value)
        klass = floored(current, floors[loan.id])
        if klass is not current:
            loan.kolektibilitas = klass.value
    db.session.flush()
