"""Disbursement (*pencairan*) of an approved application, and what the rest of the books ask of loans.

One journal entry per loan (domain/loans.md, DESIGN.md section 6):

    Dr 1201 Piutang pinjaman anggota (1202 for calon anggota / non-members)   principal
       Cr Kas (or Cr 2101 Simpanan sukarela, to the member's account)          net paid out
       Cr 4103 Pendapatan provisi & administrasi pinjaman                      admin + provision

Sharia financing (domain/sharia.md sections 2 and 4) at the akad:

    murabahah   Dr 1211 Piutang murabahah             selling price (cost + margin)
                   Cr Kas / 2101 (the cost paid out, less fees when they are deducted)
                   Cr 1212 Margin murabahah ditangguhkan   margin
                   Cr 4103 (ujrah / administration)        fees (4901 when the chart has no 4103)
    qardh       Dr 1214 Pinjaman qardh                principal
                   Cr Kas / 2101, Cr 4103 fees

`Loan.principal` and `outstanding_principal` of a murabahah carry the cost, so ageing, PPAP and
the portfolio read the remaining cost (1211 - 1212) with no special case.

With fees `separate` the member receives the whole principal and pays the fees in cash at the
same time (`Dr Kas fees`). The schedule is generated on the disbursement date and stored as
`LoanInstalment` rows that never change. The verify hook checks that outstanding principal of the
conventional loans equals the 1201 + 1202 balances, of murabahah 1211 - 1212, of qardh 1214; the
obligations provider tells member exit what is owed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select

from coopsaas.core import audit
from coopsaas.core.counters import next_number
from coopsaas.core.i18n import _l
from coopsaas.core.ids import uuid7
from coopsaas.core.money import format_rupiah, to_money
from coopsaas.errors import Conflict, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import EntrySpec, Finding, LineSpec, balance_of, post_entry
from coopsaas.ledger.models import Account
from coopsaas.ledger.services import require_scope, today_for
from coopsaas.loans import penalties
from coopsaas.loans.applications import application_quote, lock_application
from coopsaas.loans.models import (
    ACTIVE,
    APPROVED,
    DISBURSE_CHANNELS,
    DISBURSED,
    DISBURSEMENT,
    FEES_SEPARATE,
    TO_CASH,
    TO_SAVINGS,
    ZERO,
    Loan,
    LoanApplication,
    LoanInstalment,
    LoanTransaction,
)
from coopsaas.loans.schedule import Instalment, Method, Schedule
from coopsaas.members.models import ANGGOTA, Member
from coopsaas.members.obligations import Obligation
from coopsaas.savings import services as savings
from coopsaas.savings import teller
from coopsaas.savings.models import CASH, OPEN, SUKARELA, SavingsAccount
from coopsaas.tenancy.models import Tenant

SOURCE_TYPE = "loan"
MEMBER_RECEIVABLE = ("piutang_pinjaman_anggota", "1201")
OTHER_RECEIVABLE = ("piutang_pinjaman_non_anggota", "1202")
FEE_INCOME = ("pendapatan_provisi_admin", "4103")
OTHER_INCOME = ("pendapatan_lain", "4901")
FAR_FUTURE = date(9998, 12, 31)
CONVENTIONAL = (Method.FLAT, Method.EFEKTIF, Method.ANUITAS, Method.BULLET)


def _account(tag: str, code: str, role: Any) -> Account:
    accounts = list(
        db.session.scalars(select(Account).where(Account.is_active.is_(True)).order_by(Account.code))
    )
    found = next((a for a in accounts if tag in (a.tags or [])), None) or next(
        (a for a in accounts if a.code == code), None
    )
    if found is None:
        raise ValidationError(
            _l("The chart of accounts has no account for %(role)s (code %(code)s).", role=role, code=code)
        )
    return found


MURABAHAH_RECEIVABLE = ("piutang_murabahah", "1211")
DEFERRED_MARGIN = ("margin_murabahah_ditangguhkan", "1212")
MARGIN_INCOME = ("pendapatan_margin_murabahah", "4111")
QARDH_RECEIVABLE = ("pinjaman_qardh", "1214")


def fee_income_account(method: Method) -> Account:
    """4103 for fees (the sharia pack names it *Pendapatan ujrah*); a sharia financing's ujrah goes
    to 4901 Pendapatan lain-lain when a chart made before the pack had 4103 lacks it."""
    if method in (Method.MURABAHAH, Method.QARDH):
        found = _find(*FEE_INCOME)
        if found is None or not found.is_active:
            return _account(*OTHER_INCOME, _l("ujrah (administration fee) income"))
    return _account(*FEE_INCOME, _l("loan fee income"))


def receivable_account(member: Member, method: str | None = None) -> Account:
    if method == Method.MURABAHAH:
        return _account(*MURABAHAH_RECEIVABLE, _l("murabahah receivables"))
    if method == Method.QARDH:
        return _account(*QARDH_RECEIVABLE, _l("qardh financing"))
    if member.type == ANGGOTA:
        return _account(*MEMBER_RECEIVABLE, _l("loans to members"))
    return _account(*OTHER_RECEIVABLE, _l("loans to prospective members and non-members"))


def _replayed(key: str | None) -> Loan | None:
    if key is None:
        return None
    txn = db.session.scalars(
        select(LoanTransaction).where(LoanTransaction.idempotency_key == key)
    ).one_or_none()
    if txn is None:
        return None
    return db.session.scalars(select(Loan).where(Loan.id == txn.loan_id)).one()


def _savings_target(member: Member, account: SavingsAccount | None) -> SavingsAccount:
    if account is None:
        account = next(
            (a for a in savings.accounts_of(member) if a.product.kind == SUKARELA and a.status == OPEN), None
        )
        if account is None:
            message = _l(
                "Member %(no)s has no open sukarela account to receive the loan.", no=member.member_no
            )
            raise ValidationError(message, fields={"savings_account_id": [message]})
    if account.member_id != member.id or account.product.kind != SUKARELA or account.status != OPEN:
        message = _l("The loan can only be paid into the borrower's own open sukarela account.")
        raise ValidationError(message, fields={"savings_account_id": [message]})
    return account


def disburse(
    *,
    tenant: Tenant,
    actor: Any,
    application: LoanApplication,
    channel: str = TO_CASH,
    on: date | None = None,
    savings_account: SavingsAccount | None = None,
    idempotency_key: str | None = None,
) -> Loan:
    """Pay out an approved application as loan `PJ-000001`, store its schedule and post its entry.
    A repeated idempotency key returns the loan it made.

    Raises: Conflict (not approved, disbursed already, member left), ValidationError (channel,
    date, no sukarela account, chart lacks an account), ClosedPeriodError.
    """
    require_scope(tenant)
    key = (idempotency_key or "").strip() or None
    if (first := _replayed(key)) is not None:
        return first
    if channel not in DISBURSE_CHANNELS:
        message = _l("Choose cash or the member's sukarela account.")
        raise ValidationError(message, fields={"channel": [message]})
    application = lock_application(application)
    if application.status == DISBURSED:
        loan = db.session.scalars(select(Loan).where(Loan.application_id == application.id)).one()
        raise Conflict(
            _l(
                "Application %(no)s was already disbursed as loan %(loan)s.",
                no=application.application_no,
                loan=loan.loan_no,
            ),
            code="already_disbursed",
        )
    if application.status != APPROVED:
        raise Conflict(
            _l(
                "Application %(no)s is not approved, so it cannot be disbursed.",
                no=application.application_no,
            ),
            code="not_approved",
        )
    member = application.member
    if not member.is_active:
        raise Conflict(
            _l("Member %(no)s has left the cooperative.", no=member.member_no), code="member_exited"
        )
    teller.check_entry_date(tenant, on, field="disbursed_on")
    on = on or today_for(tenant)
    if on < application.applied_on:
        message = _l(
            "A loan cannot be disbursed before the day it was applied for (%(day)s).",
            day=application.applied_on.isoformat(),
        )
        raise ValidationError(message, fields={"disbursed_on": [message]})
    target = _savings_target(member, savings_account) if channel == TO_SAVINGS else None

    offer = application_quote(tenant, application, on)
    schedule = offer.schedule
    fees = offer.fees
    if target is None or (not offer.fees_deducted and fees > 0):
        teller.guard_cash(tenant=tenant, actor=actor, on=on)  # cash leaves or enters the drawer
    method = Method(offer.terms["method"])
    receivable = receivable_account(member, method)
    margin_account = _account(*DEFERRED_MARGIN, _l("deferred murabahah margin")) if offer.margin > 0 else None
    payout = savings.control_account(SUKARELA) if target is not None else savings.channel_account(CASH)
    fee_account = fee_income_account(method) if fees > 0 else None
    loan_id = uuid7()
    loan_no = f"PJ-{next_number('loan'):06d}"
    mid = member.id
    lines = [LineSpec(receivable.id, debit=offer.selling_price, member_id=mid, loan_id=loan_id)]
    if margin_account is not None:
        lines.append(LineSpec(margin_account.id, credit=offer.margin, member_id=mid, loan_id=loan_id))
    if offer.fees_deducted:
        lines.append(LineSpec(payout.id, credit=offer.net_disbursed, member_id=mid, loan_id=loan_id))
    else:
        if fees > 0:
            lines.append(
                LineSpec(savings.channel_account(CASH).id, debit=fees, member_id=mid, loan_id=loan_id)
            )
        lines.append(LineSpec(payout.id, credit=offer.amount, member_id=mid, loan_id=loan_id))
    if fee_account is not None:
        lines.append(LineSpec(fee_account.id, credit=fees, member_id=mid, loan_id=loan_id))
    entry = post_entry(
        tenant=tenant,
        actor=actor,
        spec=EntrySpec(
            entry_on=on,
            lines=lines,
            memo=f"{_label(method)} {loan_no} a.n. {member.member_no} {member.name}"[:500],
            series="JM" if target is not None else "KK",
            source_type=SOURCE_TYPE,
            source_id=loan_id,
        ),
        idempotency_key=f"loan-disburse:{application.id}",
    )
    loan = Loan(
        id=loan_id,
        loan_no=loan_no,
        application_id=application.id,
        member_id=mid,
        product_id=application.product_id,
        is_member_borrower=member.type == ANGGOTA,
        receivable_account_id=receivable.id,
        principal=offer.amount,
        term_months=offer.term_months,
        period_months=schedule.period_months,
        method=str(schedule.method),
        rate_basis=offer.terms["rate_basis"],
        rate=offer.terms["rate"],
        terms=offer.terms,
        admin_fee=offer.admin_fee,
        provision_fee=offer.provision_fee,
        fee_collection=offer.terms["fee_collection"],
        net_disbursed=offer.net_disbursed,
        channel=channel,
        savings_account_id=target.id if target is not None else None,
        disbursed_on=on,
        maturity_on=schedule.maturity_on,
        regular_instalment=schedule.regular_instalment,
        total_interest=schedule.total_interest,
        outstanding_principal=offer.amount,
        status=ACTIVE,
        collateral=application.collateral,
        collateral_value=application.collateral_value,
        guarantor=application.guarantor,
        journal_entry_id=entry.id,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(loan)
    db.session.flush()
    for row in schedule.instalments:
        db.session.add(
            LoanInstalment(
                id=uuid7(),
                loan_id=loan.id,
                no=row.no,
                due_on=row.due_on,
                principal=row.principal,
                interest=row.interest,
                balance_after=row.balance_after,
                principal_paid=ZERO,
                interest_paid=ZERO,
                interest_waived=ZERO,
                penalty=ZERO,
                penalty_paid=ZERO,
            )
        )
    db.session.add(
        LoanTransaction(
            id=uuid7(),
            loan_id=loan.id,
            kind=DISBURSEMENT,
            entry_on=on,
            amount=offer.amount,
            principal=offer.amount,
            interest=ZERO,
            penalty=ZERO,
            fee=fees,
            outstanding_after=offer.amount,
            memo=f"{_label(method, short=True)} {loan_no}",
            journal_entry_id=entry.id,
            idempotency_key=key or f"loan-disburse:{application.id}",
            created_by_id=getattr(actor, "id", None),
        )
    )
    if target is not None:
        credited = offer.net_disbursed if offer.fees_deducted else offer.amount
        savings.credit_from_entry(
            tenant=tenant,
            actor=actor,
            account=target,
            amount=credited,
            entry=entry,
            memo=f"{_label(method)} {loan_no}",
        )
    application.status = DISBURSED
    db.session.flush()
    audit.record(
        "loans.disburse",
        actor=actor,
        target=loan,
        summary={
            "loan_no": loan_no,
            "application_no": application.application_no,
            "member_no": member.member_no,
            "principal": str(offer.amount),
            "fees": str(fees),
            "net_disbursed": str(offer.net_disbursed),
            "channel": channel,
            "voucher_no": entry.voucher_no,
        },
    )
    return loan


def _label(method: Method, *, short: bool = False) -> str:
    """The memo's wording (Indonesian, as the books are kept)."""
    if method is Method.MURABAHAH:
        return "Akad murabahah"
    if method is Method.QARDH:
        return "Pencairan qardh" if short else "Pencairan pembiayaan qardh"
    return "Pencairan" if short else "Pencairan pinjaman"


# ---- reading the loan book -------------------------------------------------------------------------


@dataclass(frozen=True)
class NextDue:
    instalment: LoanInstalment
    amount: Any  # Decimal still unpaid on that instalment


def instalments_of(loan: Loan, on: date | None = None) -> list[LoanInstalment]:
    """The live schedule rows, each with the denda accrued up to `on` (the tenant's today by
    default) and not charged yet (penalties.accrue)."""
    rows = db.session.scalars(
        select(LoanInstalment)
        .where(LoanInstalment.loan_id == loan.id, LoanInstalment.superseded_on.is_(None))
        .order_by(LoanInstalment.no)
    )
    if on is None:
        on = today_for(db.session.get(Tenant, loan.tenant_id))
    return penalties.accrue(loan, rows, on)


def next_due(loan: Loan, rows: list[LoanInstalment] | None = None) -> NextDue | None:
    """The oldest instalment with anything unpaid (None once the loan is settled)."""
    if loan.status != ACTIVE:
        return None
    for row in rows if rows is not None else instalments_of(loan):
        if row.unpaid > 0:
            return NextDue(row, row.unpaid)
    return None


def stored_schedule(loan: Loan, rows: list[LoanInstalment] | None = None) -> Schedule:
    """The loan's stored rows as a `Schedule` (for the rate disclosure and later calculators)."""
    rows = rows if rows is not None else instalments_of(loan)
    return Schedule(
        method=Method(loan.method),
        principal=loan.principal,
        term=loan.term_months,
        disbursed_on=loan.disbursed_on,
        instalments=tuple(
            Instalment(
                no=r.no,
                due_on=r.due_on,
                principal=r.principal,
                interest=r.interest,
                balance_after=r.balance_after,
            )
            for r in rows
        ),
        period_months=loan.period_months,
        regular_instalment=loan.regular_instalment,
    )


def loans_query(
    *,
    status: str | None = None,
    product_id: Any = None,
    member_id: Any = None,
    q: str | None = None,
    disbursed_from: date | None = None,
    disbursed_to: date | None = None,
) -> Select[Any]:
    stmt = select(Loan).order_by(Loan.disbursed_on.desc(), Loan.loan_no.desc())
    if status:
        stmt = stmt.where(Loan.status == status)
    if product_id is not None:
        stmt = stmt.where(Loan.product_id == product_id)
    if member_id is not None:
        stmt = stmt.where(Loan.member_id == member_id)
    if disbursed_from is not None:
        stmt = stmt.where(Loan.disbursed_on >= disbursed_from)
    if disbursed_to is not None:
        stmt = stmt.where(Loan.disbursed_on <= disbursed_to)
    text = (q or "").strip()
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        borrowers = select(Member.id).where(
            or_(Member.name.ilike(like, escape="\\"), Member.member_no.ilike(like, escape="\\"))
        )
        stmt = stmt.where(or_(Loan.loan_no.ilike(like, escape="\\"), Loan.member_id.in_(borrowers)))
    return stmt


def loans_of(member: Member) -> list[Loan]:
    return list(db.session.scalars(loans_query(member_id=member.id)))


def teller_cash(teller_id: Any, on: date) -> teller.CashFlow:
    """Cash source of the teller's day: loans paid out in cash, and fees collected in cash."""
    cash_in = cash_out = ZERO
    count = 0
    for loan in db.session.scalars(
        select(Loan).where(Loan.created_by_id == teller_id, Loan.disbursed_on == on)
    ):
        moved = False
        if loan.channel == TO_CASH:
            cash_out += loan.net_disbursed
            moved = True
        if loan.fee_collection == FEES_SEPARATE and loan.admin_fee + loan.provision_fee > 0:
            cash_in += loan.admin_fee + loan.provision_fee
            moved = True
        count += moved
    return teller.CashFlow(cash_in=cash_in, cash_out=cash_out, count=count)


# ---- the sub-ledger check and member exit ----------------------------------------------------------


def subledger_findings(tenant: Tenant) -> Iterable[Finding]:
    """Verify hook: outstanding principal of the loan book equals its control accounts (every line
    counted): conventional loans 1201 + 1202, murabahah at remaining cost 1211 - 1212, qardh 1214.
    Not checked before the first loan: books opened from a trial balance may carry loans that are
    still to be loaded; a sharia group is checked once the chart has its accounts."""
    require_scope(tenant)
    any_loan = db.session.scalar(select(func.count(Loan.id))) or 0
    if not any_loan:
        return []
    groups = (
        (CONVENTIONAL, (MEMBER_RECEIVABLE, OTHER_RECEIVABLE), (), "1201 + 1202"),
        ((Method.MURABAHAH,), (MURABAHAH_RECEIVABLE,), (DEFERRED_MARGIN,), "1211 - 1212"),
        ((Method.QARDH,), (QARDH_RECEIVABLE,), (), "1214"),
    )
    findings = []
    for methods, added, deducted, codes in groups:
        count, book = db.session.execute(
            select(func.count(Loan.id), func.coalesce(func.sum(Loan.outstanding_principal), ZERO)).where(
                Loan.status == ACTIVE, Loan.method.in_([str(m) for m in methods])
            )
        ).one()
        book = to_money(book)
        plus = [a for a in (_find(*ref) for ref in added) if a is not None]
        minus = [a for a in (_find(*ref) for ref in deducted) if a is not None]
        if methods != CONVENTIONAL and not plus and not count:
            continue
        ledger = sum((balance_of(a, FAR_FUTURE) for a in plus), ZERO) - sum(
            (balance_of(a, FAR_FUTURE) for a in minus), ZERO
        )
        if ledger == book:
            continue
        message = _l(
            "Loans: outstanding principal of %(count)s loans is %(book)s but accounts %(codes)s show "
            "%(ledger)s (difference %(diff)s).",
            count=count,
            book=format_rupiah(book, sen=True),
            codes=codes,
            ledger=format_rupiah(ledger, sen=True),
            diff=format_rupiah(abs(ledger - book), sen=True),
        )
        findings.append(
            Finding(
                "loans_subledger_mismatch",
                str(message),
                details={"loans": str(book), "ledger": str(ledger), "count": count, "accounts": codes},
            )
        )
    return findings


def _find(tag: str, code: str) -> Account | None:
    accounts = list(db.session.scalars(select(Account).order_by(Account.code)))
    return next((a for a in accounts if tag in (a.tags or [])), None) or next(
        (a for a in accounts if a.code == code), None
    )


def member_obligations(member: Member) -> list[Obligation]:
    """Obligations provider for member exit: each active loan's outstanding principal. Repayment
    from savings at exit is not booked yet (`settle=None`), so exit waits until loans are repaid."""
    return [
        Obligation(
            kind="loan",
            label=_l("Loan %(no)s", no=loan.loan_no),
            amount=loan.outstanding_principal,
            reference=loan.loan_no,
            account_id=loan.receivable_account_id,
            settle=None,
        )
        for loan in db.session.scalars(
            select(Loan).where(
                Loan.member_id == member.id, Loan.status == ACTIVE, Loan.outstanding_principal > 0
            )
        )
    ]
