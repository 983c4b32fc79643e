"""Repayments (*angsuran*) at the counter, early settlement, and settlement of a loan at member exit.

One journal entry per repayment (domain/loans.md section 5, DESIGN.md section 6):

    Dr Kas 1101 (cash) / Bank 1102 (transfer) / 2101 Simpanan sukarela (from the member's savings)
       Cr 1201 (1202 for calon anggota / non-members)       principal
       Cr 4101 (4102 non-member borrower)                     interest
       Cr 4104 Pendapatan denda (4901 when the chart has no 4104)   penalty
       Cr 4103                                                early-settlement fee, if any
       Cr 2101 to the member's sukarela account                what an early settlement overpays

Allocation (allocation.py): penalty, then interest, then principal, oldest instalment first (or the
product's COMPONENT_FIRST order); several instalments at once; a regular payment above what the
loan still owes is refused (the teller records an early settlement instead). An early settlement
pays the remaining principal, the overdue amounts and the interest of the current period; later
interest is waived (`CURRENT_PERIOD`, the default) or owed (`ALL_REMAINING`); anything paid above
the settlement amount is credited to the member's sukarela account.

Concurrent repayments of one loan are serialised by a row lock on the loan. The loan closes
(*lunas*) when every instalment is settled.

Member exit (members/exit.py) settles an active loan from the member's savings as an early
settlement on the exit date without fee: outstanding principal (credited to 1201/1202), unpaid
interest of instalments already due plus the interest of the current period (4101/4102) and
unpaid penalties (4104); the interest of later periods is waived. The exit entry carries those
credits; `settle` records the loan transaction, fills the instalments and closes the loan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from coopsaas.core import audit
from coopsaas.core.i18n import _l
from coopsaas.core.ids import uuid7
from coopsaas.core.money import MoneyError, format_rupiah, to_money
from coopsaas.errors import Conflict, InsufficientFunds, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import EntrySpec, LineSpec, post_entry
from coopsaas.ledger.models import Account
from coopsaas.ledger.services import require_scope, today_for
from coopsaas.loans import penalties
from coopsaas.loans.allocation import (
    Allocation,
    AllocationOrder,
    Component,
    EarlySettlementRule,
    InstalmentState,
    SettlementInterest,
    SettlementQuote,
    allocate_payment,
    settle_early,
    settlement_quote,
)
from coopsaas.loans.disbursement import (
    DEFERRED_MARGIN,
    FEE_INCOME,
    MARGIN_INCOME,
    _find,
    instalments_of,
)
from coopsaas.loans.models import (
    ACTIVE,
    CLOSED,
    REPAYMENT,
    WRITTEN_OFF,
    ZERO,
    Loan,
    LoanInstalment,
    LoanTransaction,
)
from coopsaas.loans.schedule import LoanInputError, Method
from coopsaas.members.models import Member
from coopsaas.members.obligations import Obligation
from coopsaas.savings import services as savings
from coopsaas.savings import teller
from coopsaas.savings.models import CASH, OPEN, SUKARELA, TRANSFER, SavingsAccount
from coopsaas.tenancy.models import Tenant

SOURCE_TYPE = "loan_repayment"
FROM_SAVINGS, AT_EXIT = "savings", "exit"
CHANNELS = (CASH, TRANSFER, FROM_SAVINGS)
MEMBER_INTEREST = ("pendapatan_jasa_pinjaman_anggota", "4101")
OTHER_INTEREST = ("pendapatan_jasa_pinjaman_non_anggota", "4102")
PENALTY_INCOME = ("pendapatan_denda", "4104")
PENALTY_FALLBACK = ("pendapatan_lain", "4901")
SOCIAL_FUND = ("dana_kebajikan", "2151")  # ta'widh of sharia financing: never income (sharia.md 1)
KEY_MAX = 200
MEMO_MAX = 300


# ---- reading a loan --------------------------------------------------------------------------------


def states_of(rows: Iterable[LoanInstalment]) -> list[InstalmentState]:
    """The instalments as allocation.py sees them: denda charged plus the denda accrued and not
    charged yet (penalties.accrue, done by instalments_of), paid, waived."""
    return [replace(penalties.state_of(r), penalty=r.penalty + r.pending_penalty) for r in rows]


def allocation_order(loan: Loan) -> AllocationOrder:
    try:
        return AllocationOrder(loan.terms.get("allocation_order") or AllocationOrder.DENDA_BUNGA_POKOK)
    except ValueError:
        return AllocationOrder.DENDA_BUNGA_POKOK


def settlement_rule(loan: Loan) -> EarlySettlementRule:
    """The product's rule as quoted to the member: later interest waived unless ALL_REMAINING."""
    value = loan.terms.get("flat_early_settlement_interest") or SettlementInterest.CURRENT_PERIOD
    try:
        interest = SettlementInterest(value)
    except ValueError:
        interest = SettlementInterest.CURRENT_PERIOD
    return EarlySettlementRule(interest=interest)


def quote_settlement(loan: Loan, on: date) -> SettlementQuote:
    """What pays the loan off on `on`."""
    return settlement_quote(states_of(instalments_of(loan, on)), on=on, rule=settlement_rule(loan))


@dataclass(frozen=True)
class Owed:
    """What is due on a date: overdue (due on or before it) and the whole loan."""

    overdue: Decimal
    total: Decimal


def owed_on(loan: Loan, on: date, rows: list[LoanInstalment] | None = None) -> Owed:
    rows = rows if rows is not None else instalments_of(loan, on)
    overdue = sum((r.unpaid for r in rows if r.due_on <= on), ZERO)
    return Owed(overdue=overdue, total=sum((r.unpaid for r in rows), ZERO))


def transactions_of(loan: Loan) -> list[LoanTransaction]:
    return list(
        db.session.scalars(
            select(LoanTransaction)
            .where(LoanTransaction.loan_id == loan.id)
            .order_by(LoanTransaction.entry_on, LoanTransaction.created_at, LoanTransaction.id)
        )
    )


# ---- accounts --------------------------------------------------------------------------------------


def _required(tag: str, code: str, role: Any) -> Account:
    found = _find(tag, code)
    if found is None or not found.is_active:
        raise ValidationError(
            _l("The chart of accounts has no account for %(role)s (code %(code)s).", role=role, code=code)
        )
    return found


def interest_account(loan: Loan) -> Account:
    if loan.is_member_borrower:
        return _required(*MEMBER_INTEREST, _l("loan interest income from members"))
    return _required(*OTHER_INTEREST, _l("loan interest income from non-members"))


def penalty_account(loan: Loan | None = None) -> Account:
    """4104 Pendapatan denda when the chart has it, else 4901 Pendapatan lain-lain; for a sharia
    financing the ta'widh goes to 2151 Dana kebajikan."""
    if loan is not None and loan.is_sharia:
        return _required(*SOCIAL_FUND, _l("the social fund (dana kebajikan)"))
    found = _find(*PENALTY_INCOME)
    if found is not None and found.is_active:
        return found
    return _required(*PENALTY_FALLBACK, _l("late penalty income"))


# ---- input -----------------------------------------------------------------------------------------


def _amount(value: object) -> Decimal:
    message = _l("Enter the amount paid in whole rupiah, for example 1.081.667.")
    try:
        amount = to_money(value)
    except (MoneyError, ValueError, TypeError):
        raise ValidationError(message, fields={"amount": [message]}) from None
    if amount <= 0:
        zero = _l("The amount paid must be more than zero.")
        raise ValidationError(zero, fields={"amount": [zero]})
    if amount != amount.to_integral_value():
        raise ValidationError(message, fields={"amount": [message]})
    return amount


def _key(value: str | None) -> str | None:
    key = (value or "").strip() or None
    if key is not None and len(key) > KEY_MAX:
        message = _l("The idempotency key is longer than 200 characters.")
        raise ValidationError(message, fields={"idempotency_key": [message]})
    return key


def _replayed(key: str | None, loan: Loan, amount: Decimal) -> LoanTransaction | None:
    if key is None:
        return None
    first = db.session.scalars(
        select(LoanTransaction).where(LoanTransaction.idempotency_key == key)
    ).one_or_none()
    if first is None:
        return None
    if first.loan_id != loan.id or first.kind != REPAYMENT or first.amount != amount:
        message = _l("This form or key was already used for another transaction; start a new one.")
        raise ValidationError(message, fields={"idempotency_key": [message]}, code="idempotency_key_reused")
    return first


def lock_loan(loan: Loan) -> Loan:
    """Re-read the loan with its row locked: repayments of one loan run one after the other."""
    return db.session.scalars(
        select(Loan).where(Loan.id == loan.id).with_for_update().execution_options(populate_existing=True)
    ).one()


def refuse_if_not_active(loan: Loan) -> None:
    if loan.status == CLOSED:
        raise Conflict(_l("Loan %(no)s is already paid off (lunas).", no=loan.loan_no), code="loan_closed")
    if loan.status == WRITTEN_OFF:
        raise Conflict(
            _l("Loan %(no)s was written off; record recoveries instead of repayments.", no=loan.loan_no),
            code="loan_written_off",
        )
    if loan.status != ACTIVE:
        raise Conflict(_l("Loan %(no)s is not active.", no=loan.loan_no), code="loan_not_active")


def _savings_source(member: Member, account: SavingsAccount | None) -> SavingsAccount:
    if account is None:
        account = next(
            (a for a in savings.accounts_of(member) if a.product.kind == SUKARELA and a.status == OPEN), None
        )
        if account is None:
            message = _l("Member %(no)s has no open sukarela account to pay from.", no=member.member_no)
            raise ValidationError(message, fields={"savings_account_id": [message]})
    if account.member_id != member.id or account.product.kind != SUKARELA or account.status != OPEN:
        message = _l("A loan can only be paid from the borrower's own open sukarela account.")
        raise ValidationError(message, fields={"savings_account_id": [message]})
    return account


def _allocate(loan: Loan, rows: list[LoanInstalment], amount: Decimal, on: date, settle: bool) -> Allocation:
    states = states_of(rows)
    try:
        if settle:
            return settle_early(
                states, amount=amount, paid_on=on, rule=settlement_rule(loan), order=allocation_order(loan)
            )
        return allocate_payment(states, amount=amount, paid_on=on, order=allocation_order(loan))
    except LoanInputError as exc:
        if settle:
            quote = settlement_quote(states, on=on, rule=settlement_rule(loan))
            message = _l(
                "Paying off loan %(no)s on %(day)s needs %(amount)s.",
                no=loan.loan_no,
                day=on.isoformat(),
                amount=format_rupiah(quote.total),
            )
        else:
            owed = owed_on(loan, on, rows)
            message = _l(
                "The payment is more than loan %(no)s still owes (%(owed)s under its schedule). Pay it "
                "off early instead (%(settle)s on %(day)s) or reduce the amount.",
                no=loan.loan_no,
                owed=format_rupiah(owed.total),
                settle=format_rupiah(settlement_quote(states, on=on, rule=settlement_rule(loan)).total),
                day=on.isoformat(),
            )
        raise ValidationError(message, fields={"amount": [message]}, code="amount_not_accepted") from exc


# ---- the repayment ---------------------------------------------------------------------------------


def repay(
    *,
    tenant: Tenant,
    actor: Any,
    loan: Loan,
    amount: object,
    channel: str = CASH,
    on: date | None = None,
    settle: bool = False,
    savings_account: SavingsAccount | None = None,
    memo: str | None = None,
    idempotency_key: str | None = None,
) -> LoanTransaction:
    """Record a repayment (or, with `settle`, the early settlement) of `loan` and post its entry.
    A repeated idempotency key returns the first transaction.

    Raises: ValidationError (amount, channel, date, chart, more than the loan owes, savings account),
    Conflict (loan closed or written off, savings account closed), InsufficientFunds (savings),
    ClosedPeriodError.
    """
    require_scope(tenant)
    value = _amount(amount)
    key = _key(idempotency_key)
    if (first := _replayed(key, loan, value)) is not None:
        return first
    if channel not in CHANNELS:
        message = _l("Choose cash, transfer or the member's sukarela savings.")
        raise ValidationError(message, fields={"channel": [message]})
    teller.check_entry_date(tenant, on, field="paid_on")
    on = on or today_for(tenant)
    loan = lock_loan(loan)
    if (first := _replayed(key, loan, value)) is not None:  # the same key, waiting on the lock
        return first
    refuse_if_not_active(loan)
    if on < loan.disbursed_on:
        message = _l(
            "A repayment cannot be dated before the loan was disbursed (%(day)s).",
            day=loan.disbursed_on.isoformat(),
        )
        raise ValidationError(message, fields={"paid_on": [message]})
    member = loan.member
    source = _savings_source(member, savings_account) if channel == FROM_SAVINGS else None
    rows = instalments_of(loan, on)  # with the denda accrued up to the payment
    allocation = _allocate(loan, rows, value, on, settle)
    if source is not None and allocation.excess > 0:
        message = _l("From savings, take exactly the settlement amount; nothing is paid back to savings.")
        raise ValidationError(message, fields={"amount": [message]})
    if source is not None and allocation.amount > savings.available_balance(source):
        available = savings.available_balance(source)
        message = _l(
            "Only %(available)s can be taken from savings account %(no)s.",
            available=format_rupiah(available, sen=available != available.to_integral_value()),
            no=source.account_no,
        )
        raise InsufficientFunds(message, fields={"amount": [message]})
    if channel == CASH:
        teller.guard_cash(tenant=tenant, actor=actor, on=on)

    penalties.charge(loan, rows, on)  # the payment changes what is overdue: charge the denda first
    txn_id = uuid7()
    mid = member.id
    debit = savings.control_account(SUKARELA) if source is not None else savings.channel_account(channel)
    lines = [LineSpec(debit.id, debit=allocation.amount, member_id=mid, loan_id=loan.id)]
    lines += _credit_lines(loan, allocation, mid)
    refund_to = None
    if allocation.excess > 0:
        refund_to = _savings_source(member, None)
        lines.append(
            LineSpec(
                savings.control_account(SUKARELA).id, credit=allocation.excess, member_id=mid, loan_id=loan.id
            )
        )
    label = "Pelunasan" if allocation.is_early_settlement else "Angsuran"
    entry = post_entry(
        tenant=tenant,
        actor=actor,
        spec=EntrySpec(
            entry_on=on,
            lines=lines,
            memo=f"{label} {loan.noun} {loan.loan_no} a.n. {member.member_no} {member.name}"[:500],
            series="JM" if source is not None else "KM",
            source_type=SOURCE_TYPE,
            source_id=txn_id,
        ),
        idempotency_key=f"loan-repay:{txn_id}",
    )
    if source is not None:
        savings.debit_from_entry(
            tenant=tenant,
            actor=actor,
            account=source,
            amount=allocation.amount,
            entry=entry,
            memo=f"{label} {loan.noun} {loan.loan_no}",
        )
    if refund_to is not None:
        savings.credit_from_entry(
            tenant=tenant,
            actor=actor,
            account=refund_to,
            amount=allocation.excess,
            entry=entry,
            memo=f"Kelebihan bayar {loan.noun} {loan.loan_no}",
        )
    txn = _record(
        loan=loan,
        rows=rows,
        allocation=allocation,
        txn_id=txn_id,
        entry=entry,
        channel=channel,
        actor=actor,
        key=key or f"loan-repay:{txn_id}",
        memo=(memo or "").strip()[:MEMO_MAX] or f"{label} {loan.loan_no}",
    )
    audit.record(
        "loans.repay",
        actor=actor,
        target=txn,
        summary={
            "loan_no": loan.loan_no,
            "member_no": member.member_no,
            "amount": str(allocation.amount),
            "principal": str(txn.principal),
            "interest": str(txn.interest),
            "penalty": str(txn.penalty),
            "excess": str(allocation.excess),
            "early_settlement": allocation.is_early_settlement,
            "channel": channel,
            "voucher_no": entry.voucher_no,
            "status": loan.status,
        },
    )
    return txn


def _credit_lines(loan: Loan, allocation: Allocation, member_id: Any) -> list[LineSpec]:
    if loan.method == Method.MURABAHAH:
        return murabahah_lines(loan, allocation, member_id)
    lines = []
    if allocation.principal > 0:
        lines.append(
            LineSpec(
                loan.receivable_account_id, credit=allocation.principal, member_id=member_id, loan_id=loan.id
            )
        )
    if allocation.interest > 0:
        lines.append(
            LineSpec(
                interest_account(loan).id, credit=allocation.interest, member_id=member_id, loan_id=loan.id
            )
        )
    if allocation.penalty > 0:
        lines.append(
            LineSpec(
                penalty_account(loan).id, credit=allocation.penalty, member_id=member_id, loan_id=loan.id
            )
        )
    if allocation.fee > 0:
        fee = _required(*FEE_INCOME, _l("loan fee income"))
        lines.append(LineSpec(fee.id, credit=allocation.fee, member_id=member_id, loan_id=loan.id))
    return lines


def murabahah_lines(loan: Loan, allocation: Allocation, member_id: Any) -> list[LineSpec]:
    """A murabahah instalment (sharia.md 2): Cr 1211 for the cost and margin parts paid, Dr 1212 /
    Cr 4111 for the margin paid, Dr 1212 / Cr 1211 for margin waived at an early settlement
    (muqasah: no income), ta'widh to 2151, a settlement fee to 4103 (ujrah)."""
    ids = {"loan_id": loan.id, "member_id": member_id}
    lines = []
    paid = allocation.principal + allocation.interest
    waived = allocation.waived_interest
    if paid + waived > 0:
        lines.append(LineSpec(loan.receivable_account_id, credit=paid + waived, **ids))
    if allocation.interest + waived > 0:
        deferred = _required(*DEFERRED_MARGIN, _l("deferred murabahah margin"))
        lines.append(LineSpec(deferred.id, debit=allocation.interest + waived, **ids))
    if allocation.interest > 0:
        income = _required(*MARGIN_INCOME, _l("murabahah margin income"))
        lines.append(LineSpec(income.id, credit=allocation.interest, **ids))
    if allocation.penalty > 0:
        lines.append(LineSpec(penalty_account(loan).id, credit=allocation.penalty, **ids))
    if allocation.fee > 0:
        fee = _required(*FEE_INCOME, _l("loan fee income"))
        lines.append(LineSpec(fee.id, credit=allocation.fee, **ids))
    return lines


def _record(
    *,
    loan: Loan,
    rows: list[LoanInstalment],
    allocation: Allocation,
    txn_id: Any,
    entry: Any,
    channel: str,
    actor: Any,
    key: str,
    memo: str,
) -> LoanTransaction:
    """Fill the instalments' paid columns, move the outstanding principal, close a paid-off loan and
    write the loan transaction (all after the entry is posted, in the same transaction)."""
    by_no = {r.no: r for r in rows}
    for line in allocation.lines:
        row = by_no[line.no]
        if line.component is Component.PENALTY:
            row.penalty_paid += line.amount
        elif line.component is Component.INTEREST:
            row.interest_paid += line.amount
        else:
            row.principal_paid += line.amount
    for line in allocation.waived:
        by_no[line.no].interest_waived += line.amount
    for row in rows:
        if row.settled_on is None and row.unpaid == 0:
            row.settled_on = allocation.paid_on
    loan.outstanding_principal -= allocation.principal
    if all(r.unpaid == 0 for r in rows):
        loan.status = CLOSED
        loan.closed_on = allocation.paid_on
        loan.days_past_due = 0
    txn = LoanTransaction(
        id=txn_id,
        loan_id=loan.id,
        kind=REPAYMENT,
        entry_on=allocation.paid_on,
        amount=allocation.amount,
        principal=allocation.principal,
        interest=allocation.interest,
        penalty=allocation.penalty,
        fee=allocation.fee,
        outstanding_after=loan.outstanding_principal,
        allocation={
            "order": str(allocation.order),
            "early_settlement": allocation.is_early_settlement,
            "lines": [
                {"no": ln.no, "component": str(ln.component), "amount": str(ln.amount)}
                for ln in allocation.lines
            ],
            "waived_interest": [{"no": ln.no, "amount": str(ln.amount)} for ln in allocation.waived],
            "excess_to_savings": str(allocation.excess),
        },
        channel=channel,
        memo=memo,
        journal_entry_id=entry.id,
        idempotency_key=key,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(txn)
    db.session.flush()
    return txn


def excess_of(txn: LoanTransaction) -> Decimal:
    return to_money((txn.allocation or {}).get("excess_to_savings") or "0")


# ---- teller cash -----------------------------------------------------------------------------------


def teller_cash(teller_id: Any, on: date) -> teller.CashFlow:
    """Cash source of the teller's day: repayments taken in cash."""
    total, count = db.session.execute(
        select(func.coalesce(func.sum(LoanTransaction.amount), ZERO), func.count(LoanTransaction.id)).where(
            LoanTransaction.created_by_id == teller_id,
            LoanTransaction.entry_on == on,
            LoanTransaction.kind == REPAYMENT,
            LoanTransaction.channel == CASH,
        )
    ).one()
    return teller.CashFlow(cash_in=to_money(total), cash_out=ZERO, count=int(count or 0))


# ---- member exit -----------------------------------------------------------------------------------


def member_obligations(member: Member) -> list[Obligation]:
    """Obligations provider for member exit: per active loan, its outstanding principal, the
    interest owed if it were paid off today (overdue + current period) and unpaid penalties, each
    credited to its own account by the exit entry; the principal's `settle` records the payment."""
    tenant = db.session.get(Tenant, member.tenant_id)
    on = today_for(tenant)
    out: list[Obligation] = []
    for loan in db.session.scalars(
        select(Loan).where(Loan.member_id == member.id, Loan.status == ACTIVE).order_by(Loan.loan_no)
    ):
        rows = instalments_of(loan, max(on, loan.disbursed_on))
        states = states_of(rows)
        quote = settlement_quote(states, on=max(on, loan.disbursed_on), rule=settlement_rule(loan))
        if quote.principal + quote.interest + quote.penalty <= 0:
            continue
        if loan.is_sharia:
            out += _financing_at_exit(loan, states, quote)
            continue
        interest = _find(*(MEMBER_INTEREST if loan.is_member_borrower else OTHER_INTEREST))
        penalty = _find(*PENALTY_INCOME) or _find(*PENALTY_FALLBACK)
        parts = [
            ("loan", _l("Loan %(no)s", no=loan.loan_no), quote.principal, loan.receivable_account_id),
            (
                "loan_interest",
                _l("Interest of loan %(no)s", no=loan.loan_no),
                quote.interest,
                interest.id if interest is not None else None,
            ),
            (
                "loan_penalty",
                _l("Late penalty of loan %(no)s", no=loan.loan_no),
                quote.penalty,
                penalty.id if penalty is not None else None,
            ),
        ]
        settler: Any = _exit_settler(loan.id, quote)  # on the first part only: one loan transaction
        for kind, label, amount, account_id in parts:
            if amount <= 0:
                continue
            out.append(
                Obligation(
                    kind=kind,
                    label=label,
                    amount=amount,
                    reference=loan.loan_no,
                    account_id=account_id,
                    settle=(settler if account_id is not None else None),
                )
            )
            settler = _nothing
    return out


@dataclass(frozen=True)
class FinancingObligation(Obligation):
    """A sharia financing owed at exit; `ledger_lines` are balanced lines the exit entry adds
    (murabahah: Dr 1212 / Cr 4111 for the margin paid, Dr 1212 / Cr 1211 for the margin waived)."""

    ledger_lines: tuple[LineSpec, ...] = ()


def _financing_at_exit(loan: Loan, states: list[InstalmentState], quote: SettlementQuote) -> list[Obligation]:
    """Murabahah: cost and margin owed are credited to 1211; qardh: principal to 1214; ta'widh to
    2151 (sharia.md 1 and 2). One loan transaction, recorded by the first part's `settle`."""
    murabahah = loan.method == Method.MURABAHAH
    mid = loan.member_id
    extra: tuple[LineSpec, ...] = ()
    owed = quote.principal
    if murabahah:
        owed += quote.interest
        waived = sum((s.unpaid_interest for s in states), ZERO) - quote.interest
        deferred, income = _find(*DEFERRED_MARGIN), _find(*MARGIN_INCOME)
        if deferred is None or income is None:
            return [Obligation(kind="loan", label=_l("Financing %(no)s", no=loan.loan_no), amount=owed)]
        pairs = [LineSpec(deferred.id, debit=quote.interest + waived, member_id=mid, loan_id=loan.id)]
        if quote.interest > 0:
            pairs.append(LineSpec(income.id, credit=quote.interest, member_id=mid, loan_id=loan.id))
        if waived > 0:
            pairs.append(LineSpec(loan.receivable_account_id, credit=waived, member_id=mid, loan_id=loan.id))
        extra = tuple(pairs) if quote.interest + waived > 0 else ()
    social = _find(*SOCIAL_FUND)
    settler: Any = _exit_settler(loan.id, quote)
    out: list[Obligation] = []
    if owed > 0:
        out.append(
            FinancingObligation(
                kind="loan",
                label=_l("Financing %(no)s", no=loan.loan_no),
                amount=owed,
                reference=loan.loan_no,
                account_id=loan.receivable_account_id,
                settle=settler,
                ledger_lines=extra,
            )
        )
        settler = _nothing
    if quote.penalty > 0:
        out.append(
            Obligation(
                kind="loan_penalty",
                label=_l("Ta'widh/denda of financing %(no)s (dana kebajikan)", no=loan.loan_no),
                amount=quote.penalty,
                reference=loan.loan_no,
                account_id=social.id if social is not None else None,
                settle=settler if social is not None else None,
            )
        )
    return out


def _nothing(obligation: Obligation, entry: Any) -> None:
    """Interest and penalty at exit are recorded with the loan's principal (one transaction)."""


def _exit_settler(loan_id: Any, quote: SettlementQuote) -> Any:
    def settle(obligation: Obligation, entry: Any) -> None:
        loan = lock_loan(db.session.scalars(select(Loan).where(Loan.id == loan_id)).one())
        refuse_if_not_active(loan)
        rows = instalments_of(loan, quote.on)
        penalties.charge(loan, rows, quote.on)
        states = states_of(rows)
        rule = EarlySettlementRule(interest=settlement_rule(loan).interest)
        quote_on = quote.on
        allocation = settle_early(
            states, amount=quote.total, paid_on=quote_on, rule=rule, order=allocation_order(loan)
        )
        allocation = Allocation(
            paid_on=entry.entry_on,
            amount=allocation.amount,
            order=allocation.order,
            lines=allocation.lines,
            excess=ZERO,
            fee=ZERO,
            waived=allocation.waived,
            is_early_settlement=True,
        )
        txn = _record(
            loan=loan,
            rows=rows,
            allocation=allocation,
            txn_id=uuid7(),
            entry=entry,
            channel=AT_EXIT,
            actor=None,
            key=f"loan-exit:{entry.id}:{loan.id}",
            memo=f"Pelunasan {loan.loan_no} dari simpanan (anggota keluar)",
        )
        audit.record(
            "loans.settle_at_exit",
            actor=None,
            target=txn,
            summary={"loan_no": loan.loan_no, "amount": str(txn.amount), "voucher_no": entry.voucher_no},
        )

    return settle
