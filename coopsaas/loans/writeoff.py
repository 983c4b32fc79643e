"""Write-off (*hapus buku*) of a loan against the loss reserve, and recoveries on written-off loans.

Maker-checker (domain/loans.md section 7, DESIGN.md section 4): a teller or manager proposes the
write-off of an active loan with a reason; a different user with approval rights approves (or
rejects with a reason). Approval posts one journal entry on the approval's business date:

    Dr 1209 Cadangan kerugian pinjaman (PPAP)    up to the reserve's credit balance that day
    Dr 6104 Beban penyisihan kerugian pinjaman   the shortfall, when the reserve is short
       Cr 1201 (1202 for calon anggota / non-members)   the outstanding principal

Interest and penalties due and unpaid by that date were never booked (income on a late loan is
recognised when received), so nothing is reversed for them: they are kept off-balance on the
write-off record (`interest`, `penalty`) together with the principal as the claim still to collect.
Interest of instalments not yet due is not owed and is not part of the claim. The loan turns
`written_off`: repayments are refused (409 `loan_written_off`); the ageing job and the sub-ledger
check skip it (they read active loans only) and the reserve requirement falls with it.

A murabahah is written off at its remaining cost the same way, and its margin still deferred
leaves the books with the receivable (sharia.md 2):

    Dr 1209 (and 6104)   remaining cost      Dr 1212   unpaid margin
       Cr 1211 Piutang murabahah             remaining selling price

A qardh credits 1214 for its principal.

Recovery: money received on a written-off loan posts

    Dr Kas 1101 / Bank 1102 / 2101 Simpanan sukarela     Cr 4901 Pendapatan lain-lain

(the compact chart has no recovery income account; a tenant whose chart carries an account tagged
`pendapatan_pemulihan` gets that one instead). Each recovery lowers the claim; more than the claim
is refused.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from coopsaas.core import audit
from coopsaas.core.db import utcnow
from coopsaas.core.i18n import _l
from coopsaas.core.ids import uuid7
from coopsaas.core.money import format_rupiah, to_money
from coopsaas.errors import Conflict, InsufficientFunds, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import EntrySpec, LineSpec, balance_of, post_entry
from coopsaas.ledger.services import require_scope, today_for
from coopsaas.loans import penalties
from coopsaas.loans.ageing import PROVISION_EXPENSE, RESERVE
from coopsaas.loans.disbursement import DEFERRED_MARGIN, _find, instalments_of
from coopsaas.loans.models import (
    ACTIVE,
    WO_APPROVED,
    WO_PROPOSED,
    WO_REJECTED,
    WRITE_OFF,
    WRITTEN_OFF,
    ZERO,
    Loan,
    LoanRecovery,
    LoanTransaction,
    LoanWriteOff,
)
from coopsaas.loans.repayments import _amount, _key, _required, _savings_source, lock_loan
from coopsaas.loans.schedule import Method
from coopsaas.savings import services as savings
from coopsaas.savings import teller
from coopsaas.savings.models import CASH, SUKARELA, TRANSFER, SavingsAccount
from coopsaas.tenancy.models import Tenant

SOURCE_TYPE = "loan_write_off"
RECOVERY_SOURCE = "loan_recovery"
RECOVERY_INCOME = ("pendapatan_pemulihan", "4902")
OTHER_INCOME = ("pendapatan_lain", "4901")
FROM_SAVINGS = "savings"
RECOVERY_CHANNELS = (CASH, TRANSFER, FROM_SAVINGS)
REASON_MAX = 500


def _reason(value: str | None, field: str = "reason") -> str:
    text = (value or "").strip()
    if len(text) < 5:
        message = _l("Write the reason (at least 5 characters).")
        raise ValidationError(message, fields={field: [message]})
    if len(text) > REASON_MAX:
        message = _l("The reason is longer than 500 characters.")
        raise ValidationError(message, fields={field: [message]})
    return text


def write_offs_of(loan: Loan) -> list[LoanWriteOff]:
    return list(
        db.session.scalars(
            select(LoanWriteOff)
            .where(LoanWriteOff.loan_id == loan.id)
            .order_by(LoanWriteOff.proposed_at, LoanWriteOff.id)
        )
    )


def pending_write_off(loan: Loan) -> LoanWriteOff | None:
    return next((w for w in write_offs_of(loan) if w.status == WO_PROPOSED), None)


def approved_write_off(loan: Loan) -> LoanWriteOff | None:
    return next((w for w in write_offs_of(loan) if w.status == WO_APPROVED), None)


def pending_write_offs() -> list[LoanWriteOff]:
    return list(
        db.session.scalars(
            select(LoanWriteOff).where(LoanWriteOff.status == WO_PROPOSED).order_by(LoanWriteOff.proposed_at)
        )
    )


def recoveries_of(loan: Loan) -> list[LoanRecovery]:
    return list(
        db.session.scalars(
            select(LoanRecovery)
            .where(LoanRecovery.loan_id == loan.id)
            .order_by(LoanRecovery.received_on, LoanRecovery.created_at, LoanRecovery.id)
        )
    )


def off_balance_claim(loan: Loan, on: date, *, charge: bool = False) -> tuple[Decimal, Decimal, Decimal]:
    """(principal, interest, penalty) written off on `on`: the outstanding principal, and the
    unpaid interest and penalties of the instalments due on or before `on` (the denda accrued up
    to `on` included; with `charge` it is also charged onto the rows, penalties.charge)."""
    rows = instalments_of(loan, on)
    interest = sum((r.interest - r.interest_paid - r.interest_waived for r in rows if r.due_on <= on), ZERO)
    penalty = sum((r.penalty_due for r in rows), ZERO)
    if charge:
        penalties.charge(loan, rows, on)
    return loan.outstanding_principal, interest, penalty


def _unpaid_margin(loan: Loan, on: date) -> Decimal:
    """Murabahah: the margin still deferred in 1212 (every instalment's unpaid margin), which the
    write-off takes off 1211 with no income or expense (sharia.md 2); zero for other methods."""
    if loan.method != Method.MURABAHAH:
        return ZERO
    return sum((r.interest - r.interest_paid - r.interest_waived for r in instalments_of(loan, on)), ZERO)


def _refuse_unless_active(loan: Loan) -> None:
    if loan.status == WRITTEN_OFF:
        raise Conflict(_l("Loan %(no)s is already written off.", no=loan.loan_no), code="loan_written_off")
    if loan.status != ACTIVE:
        raise Conflict(
            _l("Only an active loan can be written off; loan %(no)s is not active.", no=loan.loan_no),
            code="loan_not_active",
        )


# ---- maker: the proposal ---------------------------------------------------------------------------


def propose_write_off(
    *, tenant: Tenant, actor: Any, loan: Loan, reason: str | None, idempotency_key: str | None = None
) -> LoanWriteOff:
    """Propose writing `loan` off; a different user approves. A repeated key returns the first proposal.

    Raises: ValidationError (reason), Conflict (loan not active, a proposal already waiting).
    """
    require_scope(tenant)
    key = _key(idempotency_key)
    if key is not None:
        first = db.session.scalars(
            select(LoanWriteOff).where(LoanWriteOff.idempotency_key == key)
        ).one_or_none()
        if first is not None:
            if first.loan_id != loan.id:
                message = _l("This form or key was already used for another transaction; start a new one.")
                raise ValidationError(message, code="idempotency_key_reused")
            return first
    text = _reason(reason)
    loan = lock_loan(loan)
    _refuse_unless_active(loan)
    if pending_write_off(loan) is not None:
        raise Conflict(
            _l("A write-off of loan %(no)s is already waiting for approval.", no=loan.loan_no),
            code="write_off_pending",
        )
    principal, interest, penalty = off_balance_claim(loan, today_for(tenant))
    proposal = LoanWriteOff(
        id=uuid7(),
        loan_id=loan.id,
        status=WO_PROPOSED,
        reason=text,
        proposed_by_id=getattr(actor, "id", None),
        decision_reason="",
        principal=principal,
        interest=interest,
        penalty=penalty,
        reserve_used=ZERO,
        shortfall=ZERO,
        recovered=ZERO,
        idempotency_key=key,
    )
    db.session.add(proposal)
    db.session.flush()
    audit.record(
        "loans.write_off_propose",
        actor=actor,
        target=proposal,
        summary={"loan_no": loan.loan_no, "principal": str(principal), "reason": text},
    )
    return proposal


# ---- checker: approval and rejection ---------------------------------------------------------------


def _lock_proposal(proposal: LoanWriteOff) -> LoanWriteOff:
    return db.session.scalars(
        select(LoanWriteOff)
        .where(LoanWriteOff.id == proposal.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _decidable(proposal: LoanWriteOff, actor: Any, loan: Loan) -> None:
    if proposal.status != WO_PROPOSED:
        raise Conflict(
            _l("This write-off of loan %(no)s was already decided.", no=loan.loan_no), code="already_decided"
        )
    if proposal.proposed_by_id is not None and proposal.proposed_by_id == getattr(actor, "id", None):
        raise Conflict(
            _l("The user who proposed a write-off cannot decide it (maker-checker)."), code="maker_checker"
        )


def approve_write_off(
    *, tenant: Tenant, actor: Any, proposal: LoanWriteOff, on: date | None = None
) -> LoanWriteOff:
    """Approve a proposed write-off: post Dr 1209 (and Dr 6104 for a reserve shortfall) / Cr 1201
    (1202) for the outstanding principal on `on` (default today), keep the unpaid interest and
    penalties off-balance and mark the loan written off.

    Raises: Conflict (maker-checker, decided already, loan no longer active), ValidationError
    (date, chart lacks an account), ClosedPeriodError.
    """
    require_scope(tenant)
    teller.check_entry_date(tenant, on, field="written_off_on")
    on = on or today_for(tenant)
    loan = lock_loan(db.session.scalars(select(Loan).where(Loan.id == proposal.loan_id)).one())
    proposal = _lock_proposal(proposal)
    _decidable(proposal, actor, loan)
    _refuse_unless_active(loan)
    if on < loan.disbursed_on:
        message = _l(
            "A write-off cannot be dated before the loan was disbursed (%(day)s).",
            day=loan.disbursed_on.isoformat(),
        )
        raise ValidationError(message, fields={"written_off_on": [message]})
    reserve = _required(*RESERVE, _l("the loan loss reserve (PPAP)"))
    principal, interest, penalty = off_balance_claim(loan, on, charge=True)
    available = max(balance_of(reserve, on), ZERO)
    used = min(available, principal)
    shortfall = principal - used
    mid = loan.member_id
    lines = []
    if used > 0:
        lines.append(LineSpec(reserve.id, debit=used, member_id=mid, loan_id=loan.id))
    if shortfall > 0:
        expense = _required(*PROVISION_EXPENSE, _l("loan loss provision expense"))
        lines.append(LineSpec(expense.id, debit=shortfall, member_id=mid, loan_id=loan.id))
    entry = None
    deferred_margin = _unpaid_margin(loan, on)
    if deferred_margin > 0:
        margin_account = _required(*DEFERRED_MARGIN, _l("deferred murabahah margin"))
        lines.append(LineSpec(margin_account.id, debit=deferred_margin, member_id=mid, loan_id=loan.id))
    if principal > 0:
        lines.append(
            LineSpec(
                loan.receivable_account_id, credit=principal + deferred_margin, member_id=mid, loan_id=loan.id
            )
        )
        member = loan.member
        entry = post_entry(
            tenant=tenant,
            actor=actor,
            spec=EntrySpec(
                entry_on=on,
                lines=lines,
                memo=f"Hapus buku {loan.noun} {loan.loan_no} a.n. {member.member_no} {member.name}"[:500],
                series="JU",
                source_type=SOURCE_TYPE,
                source_id=proposal.id,
            ),
            idempotency_key=f"loan-write-off:{proposal.id}",
        )
    proposal.status = WO_APPROVED
    proposal.decided_by_id = getattr(actor, "id", None)
    proposal.decided_at = utcnow()
    proposal.written_off_on = on
    proposal.principal, proposal.interest, proposal.penalty = principal, interest, penalty
    proposal.reserve_used, proposal.shortfall = used, shortfall
    proposal.journal_entry_id = entry.id if entry is not None else None
    loan.status = WRITTEN_OFF
    loan.closed_on = on
    if entry is not None:
        db.session.add(
            LoanTransaction(
                id=uuid7(),
                loan_id=loan.id,
                kind=WRITE_OFF,
                entry_on=on,
                amount=principal,
                principal=principal,
                interest=ZERO,
                penalty=ZERO,
                fee=ZERO,
                outstanding_after=ZERO,
                allocation={
                    "reserve_used": str(used),
                    "shortfall_expense": str(shortfall),
                    "off_balance_interest": str(interest),
                    "off_balance_penalty": str(penalty),
                },
                memo=f"Hapus buku {loan.loan_no}",
                journal_entry_id=entry.id,
                idempotency_key=f"loan-write-off:{proposal.id}",
                created_by_id=getattr(actor, "id", None),
            )
        )
    db.session.flush()
    audit.record(
        "loans.write_off",
        actor=actor,
        target=proposal,
        summary={
            "loan_no": loan.loan_no,
            "written_off_on": on.isoformat(),
            "principal": str(principal),
            "reserve_used": str(used),
            "shortfall_expense": str(shortfall),
            "off_balance_interest": str(interest),
            "off_balance_penalty": str(penalty),
            "voucher_no": entry.voucher_no if entry is not None else "",
        },
    )
    return proposal


def reject_write_off(
    *, tenant: Tenant, actor: Any, proposal: LoanWriteOff, reason: str | None
) -> LoanWriteOff:
    """Reject a proposed write-off with a reason; the loan stays active. Raises: Conflict, ValidationError."""
    require_scope(tenant)
    text = _reason(reason)
    loan = db.session.scalars(select(Loan).where(Loan.id == proposal.loan_id)).one()
    proposal = _lock_proposal(proposal)
    _decidable(proposal, actor, loan)
    proposal.status = WO_REJECTED
    proposal.decided_by_id = getattr(actor, "id", None)
    proposal.decided_at = utcnow()
    proposal.decision_reason = text
    db.session.flush()
    audit.record(
        "loans.write_off_reject",
        actor=actor,
        target=proposal,
        summary={"loan_no": loan.loan_no, "reason": text},
    )
    return proposal


# ---- recovery --------------------------------------------------------------------------------------


def recovery_account() -> Any:
    """A recovery income account when the chart has one (tag `pendapatan_pemulihan`), else 4901."""
    found = _find(*RECOVERY_INCOME)
    if found is not None and found.is_active and "pendapatan_pemulihan" in (found.tags or []):
        return found
    return _required(*OTHER_INCOME, _l("other income (recoveries of written-off loans)"))


def record_recovery(
    *,
    tenant: Tenant,
    actor: Any,
    loan: Loan,
    amount: object,
    channel: str = CASH,
    on: date | None = None,
    savings_account: SavingsAccount | None = None,
    memo: str | None = None,
    idempotency_key: str | None = None,
) -> LoanRecovery:
    """Record money received on a written-off loan: Dr Kas/Bank/2101 / Cr 4901; the claim falls.
    A repeated idempotency key returns the first recovery.

    Raises: ValidationError (amount, channel, date, more than the claim), Conflict (loan not
    written off), InsufficientFunds (savings), ClosedPeriodError.
    """
    require_scope(tenant)
    value = _amount(amount)
    key = _key(idempotency_key)

    def replayed() -> LoanRecovery | None:
        if key is None:
            return None
        first = db.session.scalars(
            select(LoanRecovery).where(LoanRecovery.idempotency_key == key)
        ).one_or_none()
        if first is not None and (first.loan_id != loan.id or first.amount != value):
            message = _l("This form or key was already used for another transaction; start a new one.")
            raise ValidationError(
                message, fields={"idempotency_key": [message]}, code="idempotency_key_reused"
            )
        return first

    if (first := replayed()) is not None:
        return first
    if channel not in RECOVERY_CHANNELS:
        message = _l("Choose cash, transfer or the member's sukarela savings.")
        raise ValidationError(message, fields={"channel": [message]})
    teller.check_entry_date(tenant, on, field="received_on")
    on = on or today_for(tenant)
    loan = lock_loan(loan)
    if (first := replayed()) is not None:
        return first
    if loan.status != WRITTEN_OFF:
        raise Conflict(
            _l("Loan %(no)s is not written off; record a repayment instead.", no=loan.loan_no),
            code="loan_not_written_off",
        )
    write_off = approved_write_off(loan)
    assert write_off is not None and write_off.written_off_on is not None
    if on < write_off.written_off_on:
        message = _l(
            "A recovery cannot be dated before the write-off (%(day)s).",
            day=write_off.written_off_on.isoformat(),
        )
        raise ValidationError(message, fields={"received_on": [message]})
    claim = write_off.claim
    if value > claim:
        message = _l(
            "Only %(claim)s of loan %(no)s is still to be recovered.",
            claim=format_rupiah(claim),
            no=loan.loan_no,
        )
        raise ValidationError(message, fields={"amount": [message]}, code="amount_not_accepted")
    member = loan.member
    source = _savings_source(member, savings_account) if channel == FROM_SAVINGS else None
    if source is not None and value > savings.available_balance(source):
        available = savings.available_balance(source)
        message = _l(
            "Only %(available)s can be taken from savings account %(no)s.",
            available=format_rupiah(available, sen=available != available.to_integral_value()),
            no=source.account_no,
        )
        raise InsufficientFunds(message, fields={"amount": [message]})
    if channel == CASH:
        teller.guard_cash(tenant=tenant, actor=actor, on=on)
    debit = savings.control_account(SUKARELA) if source is not None else savings.channel_account(channel)
    income = recovery_account()
    recovery_id = uuid7()
    mid = member.id
    entry = post_entry(
        tenant=tenant,
        actor=actor,
        spec=EntrySpec(
            entry_on=on,
            lines=[
                LineSpec(debit.id, debit=value, member_id=mid, loan_id=loan.id),
                LineSpec(income.id, credit=value, member_id=mid, loan_id=loan.id),
            ],
            memo=f"Penerimaan pinjaman hapus buku {loan.loan_no} a.n. {member.member_no} {member.name}"[:500],
            series="JM" if source is not None else "KM",
            source_type=RECOVERY_SOURCE,
            source_id=recovery_id,
        ),
        idempotency_key=f"loan-recovery:{recovery_id}",
    )
    if source is not None:
        savings.debit_from_entry(
            tenant=tenant,
            actor=actor,
            account=source,
            amount=value,
            entry=entry,
            memo=f"Pemulihan pinjaman hapus buku {loan.loan_no}",
        )
    write_off = _lock_proposal(write_off)
    write_off.recovered += value
    recovery = LoanRecovery(
        id=recovery_id,
        loan_id=loan.id,
        write_off_id=write_off.id,
        received_on=on,
        amount=value,
        claim_after=write_off.claim,
        channel=channel,
        memo=(memo or "").strip()[:300] or f"Pemulihan {loan.loan_no}",
        journal_entry_id=entry.id,
        idempotency_key=key or f"loan-recovery:{recovery_id}",
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(recovery)
    db.session.flush()
    audit.record(
        "loans.recovery",
        actor=actor,
        target=recovery,
        summary={
            "loan_no": loan.loan_no,
            "amount": str(value),
            "claim_after": str(recovery.claim_after),
            "channel": channel,
            "voucher_no": entry.voucher_no,
        },
    )
    return recovery


def teller_cash(teller_id: Any, on: date) -> teller.CashFlow:
    """Cash source of the teller's day: recoveries of written-off loans taken in cash."""
    total, count = db.session.execute(
        select(func.coalesce(func.sum(LoanRecovery.amount), ZERO), func.count(LoanRecovery.id)).where(
            LoanRecovery.created_by_id == teller_id,
            LoanRecovery.received_on == on,
            LoanRecovery.channel == CASH,
        )
    ).one()
    return teller.CashFlow(cash_in=to_money(total), cash_out=ZERO, count=int(count or 0))


def write_offs_between(start: date, end: date) -> list[LoanWriteOff]:
    """Approved write-offs dated in [start, end] (the write-offs of a period, shown beside PAR)."""
    return list(
        db.session.scalars(
            select(LoanWriteOff)
            .where(
                LoanWriteOff.status == WO_APPROVED,
                LoanWriteOff.written_off_on >= start,
                LoanWriteOff.written_off_on <= end,
            )
            .order_by(LoanWriteOff.written_off_on)
        )
    )
