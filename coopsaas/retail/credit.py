"""Member shop credit (belanja kredit): limits, credit at the till, collection, payroll list, exit.

A member may pay a till sale "on credit" within a limit read from the tenant settings:

    limit     = pct % (shop_credit_limit_pct_of_savings, default 50) of the member's savings
                (wajib + sukarela; pokok too when shop_credit_include_pokok), rounded down to the
                rupiah, capped at shop_credit_limit_max when set
    available = limit - outstanding till credit - unpaid balances of the member's invoices

Postings (the ledger is the truth, `MemberCredit` the sub-ledger of 1301 for till credit):

- credit sale:          Dr 1301 piutang usaha       Cr 4201 penjualan anggota (+ HPP as for cash)
- paid at the counter:  Dr kas (1101) / bank (1102)  Cr 1301
- paid from savings:    Dr 2101 simpanan sukarela    Cr 1301 (a savings withdrawal to the receivable)
- void / return:        the sale's lines mirrored, 1301 credited
- member exit:          the exit entry credits 1301; `settle` records it here, posting nothing

Concurrency: every change locks the member's `MemberCredit` row first (after any item rows, the
order the till takes them), so two tills charging one member never exceed the limit together.
Services flush and never commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import func, select, type_coerce
from sqlalchemy.exc import IntegrityError

from coopsaas.core import audit
from coopsaas.core.db import utcnow
from coopsaas.core.i18n import _l
from coopsaas.core.ids import uuid7
from coopsaas.core.money import MoneyError, format_rupiah, to_money
from coopsaas.core.types import Money
from coopsaas.errors import Conflict, NotFound, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import EntrySpec, LineSpec, post_entry
from coopsaas.ledger.models import Account, JournalEntry
from coopsaas.ledger.services import require_scope, today_for
from coopsaas.retail.credit_models import CreditTxn, Invoice, InvoicePayment, MemberCredit
from coopsaas.tenancy.models import Tenant
from coopsaas.tenancy.sync import tenant_setting

ZERO = Decimal("0.00")
CASH, CREDIT = "cash", "credit"
SALE_TENDERS = (CASH, CREDIT)
COUNTER_METHODS = ("cash", "transfer")
KEY_MAX = 200
# Shop receivable roles: by tag first, else the default chart code (accounts-and-reports.md).
RECEIVABLE = ("piutang_usaha", "1301")
TAX_PAYABLE = ("utang_pajak", "2122")


class CreditLimitExceeded(Conflict):
    code = "credit_limit"


# ---- accounts -------------------------------------------------------------------------------------


def _account(tag: str, code: str) -> Account:
    accounts = list(db.session.scalars(select(Account).where(Account.is_active.is_(True))))
    tagged = sorted((a for a in accounts if tag in (a.tags or [])), key=lambda a: a.code)
    if tagged:
        return tagged[0]
    for a in accounts:
        if a.code == code:
            return a
    raise ValidationError(
        _l(
            "The chart of accounts has no account tagged %(tag)s (code %(code)s); add it first.",
            tag=tag,
            code=code,
        ),
        code="account_missing",
    )


def receivable_account() -> Account:
    return _account(*RECEIVABLE)


def tax_account() -> Account:
    return _account(*TAX_PAYABLE)


def _money(value: Any, field_name: str = "amount") -> Decimal:
    try:
        amount = to_money(value)
    except MoneyError:
        message = _l("An amount is a number with at most 2 decimal places (sen).")
        raise ValidationError(message, fields={field_name: [message]}) from None
    if amount <= 0:
        message = _l("The amount must be more than zero.")
        raise ValidationError(message, fields={field_name: [message]})
    return amount


def _key(value: str | None) -> str | None:
    key = (value or "").strip() or None
    if key is not None and len(key) > KEY_MAX:
        message = _l("The idempotency key is longer than 200 characters.")
        raise ValidationError(message, fields={"idempotency_key": [message]})
    return key


# ---- the member's credit row ----------------------------------------------------------------------


def credit_row(member_id: uuid.UUID) -> MemberCredit | None:
    return db.session.scalars(select(MemberCredit).where(MemberCredit.member_id == member_id)).one_or_none()


def lock_credit(member_id: uuid.UUID) -> MemberCredit:
    """The member's credit row, created on first use, locked (PostgreSQL: FOR UPDATE) and read
    fresh, so a balance checked here is the one a concurrent till sees after this commits."""
    if credit_row(member_id) is None:
        try:
            with db.session.begin_nested():
                db.session.add(MemberCredit(member_id=member_id, outstanding=ZERO))
                db.session.flush()
        except IntegrityError:
            pass  # another till created it first: lock theirs
    return db.session.scalars(
        select(MemberCredit)
        .where(MemberCredit.member_id == member_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def member_invoice_balance(member_id: uuid.UUID) -> Decimal:
    """What the member still owes on invoices (not voided, not paid)."""
    total = db.session.scalar(
        select(type_coerce(func.sum(Invoice.total - Invoice.paid), Money)).where(
            Invoice.member_id == member_id, Invoice.status.in_(("open", "partial"))
        )
    )
    return total or ZERO


def savings_base(tenant: Tenant, member: Any) -> Decimal:
    """The savings the limit is a share of: wajib + sukarela (+ pokok when the tenant says so)."""
    from coopsaas.savings.models import OPEN, POKOK, SUKARELA, WAJIB
    from coopsaas.savings.services import accounts_of

    kinds = {WAJIB, SUKARELA}
    if tenant_setting(tenant, "shop_credit_include_pokok"):
        kinds.add(POKOK)
    return sum((a.balance for a in accounts_of(member) if a.status == OPEN and a.product.kind in kinds), ZERO)


@dataclass(frozen=True)
class CreditStatus:
    savings: Decimal
    pct: Decimal
    cap: Decimal | None
    limit: Decimal
    outstanding: Decimal
    invoices: Decimal

    @property
    def used(self) -> Decimal:
        return self.outstanding + self.invoices

    @property
    def available(self) -> Decimal:
        return max(self.limit - self.used, ZERO)


def credit_status(tenant: Tenant, member: Any, row: MemberCredit | None = None) -> CreditStatus:
    require_scope(tenant)
    row = row if row is not None else credit_row(member.id)
    base = savings_base(tenant, member)
    pct = tenant_setting(tenant, "shop_credit_limit_pct_of_savings")
    cap = tenant_setting(tenant, "shop_credit_limit_max")
    limit = (base * pct / 100).quantize(Decimal("1"), rounding=ROUND_DOWN).quantize(Decimal("0.01"))
    if cap is not None:
        limit = min(limit, cap)
    return CreditStatus(
        savings=base,
        pct=pct,
        cap=cap,
        limit=max(limit, ZERO),
        outstanding=row.outstanding if row is not None else ZERO,
        invoices=member_invoice_balance(member.id),
    )


def _member(member_id: uuid.UUID) -> Any:
    from coopsaas.members.models import Member

    member = db.session.scalars(select(Member).where(Member.id == member_id)).one_or_none()
    if member is None:
        raise NotFound(_l("Member not found."))
    return member


def reserve(tenant: Tenant, member_id: uuid.UUID, amount: Decimal) -> MemberCredit:
    """Lock the member's credit row and check that `amount` more fits in the limit.
    Raises: CreditLimitExceeded (nothing written but the empty credit row of a first purchase)."""
    member = _member(member_id)
    if not member.is_active:
        raise Conflict(_l("Member %(no)s has left the cooperative.", no=member.member_no), code="member_left")
    row = lock_credit(member_id)
    status = credit_status(tenant, member, row)
    if amount > status.available:
        message = _l(
            "Credit limit exceeded: %(amount)s asked, %(available)s available (limit %(limit)s, "
            "already owed %(used)s).",
            amount=format_rupiah(amount, sen=True),
            available=format_rupiah(status.available, sen=True),
            limit=format_rupiah(status.limit),
            used=format_rupiah(status.used, sen=True),
        )
        raise CreditLimitExceeded(message, fields={"tender": [message]})
    return row


def credit_tender(tender: str | None, member_id: uuid.UUID | None) -> bool:
    """Whether a till sale is on credit. Raises: ValidationError (unknown tender, walk-in on credit)."""
    tender = tender or CASH
    if tender not in SALE_TENDERS:
        message = _l("Pay in cash or on credit.")
        raise ValidationError(message, fields={"tender": [message]})
    if tender == CREDIT and member_id is None:
        message = _l("Only members can buy on credit; a walk-in customer pays cash.")
        raise ValidationError(message, fields={"tender": [message]}, code="credit_walk_in")
    return tender == CREDIT


def _move(
    row: MemberCredit,
    *,
    kind: str,
    amount: Decimal,
    on: date,
    actor: Any,
    entry: JournalEntry | None,
    sale_id: uuid.UUID | None = None,
    method: str | None = None,
    memo: str = "",
    key: str | None = None,
    txn_id: uuid.UUID | None = None,
) -> CreditTxn:
    after = row.outstanding + amount if kind == "sale" else row.outstanding - amount
    txn = CreditTxn(
        id=txn_id or uuid7(),
        member_id=row.member_id,
        kind=kind,
        txn_on=on,
        amount=amount,
        balance_after=after,
        method=method,
        sale_id=sale_id,
        journal_entry_id=entry.id if entry is not None else None,
        memo=memo[:300],
        idempotency_key=key,
        created_by_id=getattr(actor, "id", None),
    )
    row.outstanding = after
    row.updated_at = utcnow()
    db.session.add(txn)
    db.session.flush()
    return txn


def record_sale_charge(row: MemberCredit, *, sale: Any, entry: JournalEntry | None, actor: Any) -> CreditTxn:
    """The sale's total added to the member's credit (called by create_sale after posting)."""
    return _move(
        row,
        kind="sale",
        amount=sale.total,
        on=sale.sold_on,
        actor=actor,
        entry=entry,
        sale_id=sale.id,
        memo=f"Penjualan kredit {sale.number}",
    )


def release_sale_credit(
    *, sale: Any, amount: Decimal, kind: str, on: date, actor: Any, entry: JournalEntry | None
) -> CreditTxn:
    """A voided or returned credit sale lowers the member's credit by its amount.
    Raises: Conflict when the member already paid more than is left (refund the cash instead)."""
    row = lock_credit(sale.member_id)
    if amount > row.outstanding:
        raise Conflict(
            _l(
                "The member's shop credit is only %(outstanding)s, less than the %(amount)s taken back: "
                "the credit was already paid. Refund the difference in cash through a manager.",
                outstanding=format_rupiah(row.outstanding, sen=True),
                amount=format_rupiah(amount, sen=True),
            ),
            code="credit_already_paid",
        )
    label = "Batal" if kind == "void" else "Retur"
    return _move(
        row,
        kind=kind,
        amount=amount,
        on=on,
        actor=actor,
        entry=entry,
        sale_id=sale.id,
        memo=f"{label} penjualan kredit {sale.number}",
    )


# ---- collection -----------------------------------------------------------------------------------


def _replay(key: str | None, member_id: uuid.UUID, kind: str, amount: Decimal) -> CreditTxn | None:
    if key is None:
        return None
    first = db.session.scalars(select(CreditTxn).where(CreditTxn.idempotency_key == key)).one_or_none()
    if first is None:
        return None
    if (first.member_id, first.kind, first.amount) != (member_id, kind, amount):
        message = _l("This form or key was already used for another transaction; start a new one.")
        raise ValidationError(message, fields={"idempotency_key": [message]}, code="idempotency_key_reused")
    return first


def _refuse_over(amount: Decimal, row: MemberCredit) -> None:
    if row.outstanding <= 0:
        raise Conflict(_l("This member owes no shop credit."), code="nothing_owed")
    if amount > row.outstanding:
        message = _l(
            "%(amount)s is more than the shop credit owed, %(outstanding)s.",
            amount=format_rupiah(amount, sen=True),
            outstanding=format_rupiah(row.outstanding, sen=True),
        )
        raise ValidationError(message, fields={"amount": [message]}, code="overpayment")


def pay_credit(
    *,
    tenant: Tenant,
    actor: Any,
    member: Any,
    amount: Any,
    method: str = "cash",
    on: date | None = None,
    memo: str = "",
    idempotency_key: str | None = None,
) -> CreditTxn:
    """Shop credit paid at the counter, all or part: Dr kas/bank / Cr 1301.
    Raises: ValidationError (amount, method, more than owed), Conflict (nothing owed), ClosedPeriodError."""
    from coopsaas.retail.services import shop_account

    require_scope(tenant)
    value = _money(amount)
    if method not in COUNTER_METHODS:
        message = _l("Pay in cash or by transfer.")
        raise ValidationError(message, fields={"method": [message]})
    key = _key(idempotency_key)
    row = lock_credit(member.id)
    first = _replay(key, member.id, "payment", value)
    if first is not None:
        return first
    _refuse_over(value, row)
    day = on or today_for(tenant)
    cash = shop_account("kas" if method == "cash" else "bank")
    receivable = receivable_account()
    txn_id = uuid7()
    entry = post_entry(
        tenant=tenant,
        actor=actor,
        spec=EntrySpec(
            entry_on=day,
            lines=[
                LineSpec(cash.id, debit=value, member_id=member.id),
                LineSpec(receivable.id, credit=value, member_id=member.id),
            ],
            memo=f"Bayar kredit toko a.n. {member.member_no} {member.name}"[:500],
            series="KM",
            source_type="retail_credit_txn",
            source_id=txn_id,
        ),
    )
    txn = _move(
        row,
        kind="payment",
        amount=value,
        on=day,
        actor=actor,
        entry=entry,
        method=method,
        memo=memo or "",
        key=key,
        txn_id=txn_id,
    )
    audit.record(
        "retail.credit.pay",
        actor=actor,
        target=txn,
        summary={
            "member_no": member.member_no,
            "amount": str(value),
            "method": method,
            "outstanding": str(row.outstanding),
        },
    )
    return txn


def deduct_from_savings(
    *,
    tenant: Tenant,
    actor: Any,
    member: Any,
    amount: Any,
    on: date | None = None,
    idempotency_key: str | None = None,
) -> CreditTxn:
    """Shop credit paid from the member's sukarela savings, in the same transaction: the savings
    withdrawal posts Dr 2101 / Cr 1301 instead of paying cash out.
    Raises: ValidationError, Conflict (nothing owed, no sukarela account), InsufficientFunds."""
    from coopsaas.savings.models import OPEN, SUKARELA, TRANSFER
    from coopsaas.savings.services import accounts_of, withdraw

    require_scope(tenant)
    value = _money(amount)
    key = _key(idempotency_key)
    row = lock_credit(member.id)
    first = _replay(key, member.id, "savings", value)
    if first is not None:
        return first
    _refuse_over(value, row)
    account = next((a for a in accounts_of(member) if a.status == OPEN and a.product.kind == SUKARELA), None)
    if account is None:
        raise Conflict(
            _l("Member %(no)s has no open sukarela savings account.", no=member.member_no),
            code="no_savings_account",
        )
    day = on or today_for(tenant)
    savings_txn = withdraw(
        tenant=tenant,
        actor=actor,
        account=account,
        amount=value,
        channel=TRANSFER,
        on=day,
        memo="Potong simpanan untuk kredit toko",
        idempotency_key=f"shop-credit:{key}" if key else None,
        counter_account=receivable_account(),
    )
    entry = db.session.scalars(
        select(JournalEntry).where(JournalEntry.id == savings_txn.journal_entry_id)
    ).one()
    txn = _move(
        row,
        kind="savings",
        amount=value,
        on=day,
        actor=actor,
        entry=entry,
        method="savings",
        memo=f"Dari {account.account_no}",
        key=key,
    )
    audit.record(
        "retail.credit.savings",
        actor=actor,
        target=txn,
        summary={
            "member_no": member.member_no,
            "amount": str(value),
            "account_no": account.account_no,
            "outstanding": str(row.outstanding),
        },
    )
    return txn


def transactions_of(member_id: uuid.UUID) -> Any:
    return (
        select(CreditTxn)
        .where(CreditTxn.member_id == member_id)
        .order_by(CreditTxn.created_at.desc(), CreditTxn.id.desc())
    )


def members_owing() -> Any:
    """Members with till credit outstanding, largest first: (MemberCredit, Member) rows."""
    from coopsaas.members.models import Member

    return (
        select(MemberCredit, Member)
        .join(Member, (Member.tenant_id == MemberCredit.tenant_id) & (Member.id == MemberCredit.member_id))
        .where(MemberCredit.outstanding > 0)
        .order_by(MemberCredit.outstanding.desc(), Member.member_no)
    )


# ---- payroll deduction list -----------------------------------------------------------------------


@dataclass(frozen=True)
class PayrollRow:
    member_id: uuid.UUID
    member_no: str
    name: str
    employer: str
    occupation: str
    credit: Decimal
    invoices: Decimal

    @property
    def total(self) -> Decimal:
        return self.credit + self.invoices


@dataclass
class PayrollGroup:
    employer: str
    rows: list[PayrollRow] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((r.total for r in self.rows), ZERO)


def month_bounds(month: str) -> tuple[date, date]:
    """`2026-11` -> (1 Nov 2026, 30 Nov 2026). Raises: ValidationError."""
    try:
        year, mon = (int(p) for p in month.split("-"))
        first = date(year, mon, 1)
    except (ValueError, AttributeError):
        message = _l("Give the month as YYYY-MM, e.g. 2026-11.")
        raise ValidationError(message, fields={"month": [message]}) from None
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first, last


NO_EMPLOYER = "-"


def payroll_list(month: str) -> list[PayrollGroup]:
    """What each member owes the shop at the end of `month` (till credit, plus member invoices
    issued by then), grouped by employer, for the payroll deduction request. The confirmed list
    comes back keyed by (month, member id), the first two columns of the export."""
    from coopsaas.members.models import Member

    _first, last = month_bounds(month)
    credit = _credit_as_of(last)
    invoices = _member_invoices_as_of(last)
    ids = {k for k, v in credit.items() if v > 0} | {k for k, v in invoices.items() if v > 0}
    if not ids:
        return []
    members = db.session.scalars(select(Member).where(Member.id.in_(ids))).all()
    groups: dict[str, PayrollGroup] = {}
    for m in members:
        employer = (m.employer or "").strip() or NO_EMPLOYER
        groups.setdefault(employer, PayrollGroup(employer)).rows.append(
            PayrollRow(
                member_id=m.id,
                member_no=m.member_no,
                name=m.name,
                employer=employer,
                occupation=m.occupation or "",
                credit=credit.get(m.id, ZERO),
                invoices=invoices.get(m.id, ZERO),
            )
        )
    for g in groups.values():
        g.rows.sort(key=lambda r: r.member_no)
    return sorted(groups.values(), key=lambda g: (g.employer == NO_EMPLOYER, g.employer.lower()))


def _credit_as_of(last: date) -> dict[uuid.UUID, Decimal]:
    rows = db.session.execute(
        select(CreditTxn.member_id, CreditTxn.kind, type_coerce(func.sum(CreditTxn.amount), Money))
        .where(CreditTxn.txn_on <= last)
        .group_by(CreditTxn.member_id, CreditTxn.kind)
    ).all()
    out: dict[uuid.UUID, Decimal] = {}
    for member_id, kind, amount in rows:
        out[member_id] = out.get(member_id, ZERO) + (amount if kind == "sale" else -amount)
    return out


def _member_invoices_as_of(last: date) -> dict[uuid.UUID, Decimal]:
    invoiced = db.session.execute(
        select(Invoice.member_id, type_coerce(func.sum(Invoice.total), Money))
        .where(Invoice.member_id.is_not(None), Invoice.status != "voided", Invoice.invoice_on <= last)
        .group_by(Invoice.member_id)
    ).all()
    paid = db.session.execute(
        select(Invoice.member_id, type_coerce(func.sum(InvoicePayment.amount), Money))
        .join(
            Invoice,
            (Invoice.tenant_id == InvoicePayment.tenant_id) & (Invoice.id == InvoicePayment.invoice_id),
        )
        .where(
            Invoice.member_id.is_not(None),
            Invoice.status != "voided",
            Invoice.invoice_on <= last,
            InvoicePayment.paid_on <= last,
        )
        .group_by(Invoice.member_id)
    ).all()
    out: dict[uuid.UUID, Decimal] = {m: t for m, t in invoiced if m is not None}
    for m, p in paid:
        if m is not None:
            out[m] = out.get(m, ZERO) - p
    return out


# ---- member exit ----------------------------------------------------------------------------------


def _settle_credit(member_id: uuid.UUID) -> Callable[[Any, Any], None]:
    def settle(obligation: Any, entry: Any) -> None:
        row = lock_credit(member_id)
        if obligation.amount > row.outstanding:
            raise Conflict(_l("The shop credit changed while the exit was settled; try again."), code="stale")
        _move(
            row,
            kind="exit",
            amount=obligation.amount,
            on=entry.entry_on,
            actor=None,
            entry=entry,
            method="exit",
            memo=f"Dilunasi saat keluar anggota ({entry.voucher_no})",
        )

    return settle


def _settle_invoice(invoice_id: uuid.UUID) -> Callable[[Any, Any], None]:
    def settle(obligation: Any, entry: Any) -> None:
        invoice = db.session.scalars(select(Invoice).where(Invoice.id == invoice_id).with_for_update()).one()
        if obligation.amount > invoice.balance:
            raise Conflict(_l("The invoice changed while the exit was settled; try again."), code="stale")
        db.session.add(
            InvoicePayment(
                invoice_id=invoice.id,
                paid_on=entry.entry_on,
                amount=obligation.amount,
                method="exit",
                journal_entry_id=entry.id,
                created_by_id=entry.created_by_id,
            )
        )
        invoice.paid = invoice.paid + obligation.amount
        invoice.status = "paid" if invoice.paid == invoice.total else "partial"
        db.session.flush()

    return settle


def exit_obligations(member: Any) -> Iterable[Any]:
    """Provider for coopsaas.members.obligations: the member's till credit and unpaid invoices."""
    from coopsaas.members.obligations import Obligation

    out: list[Obligation] = []
    row = credit_row(member.id)
    invoices = db.session.scalars(
        select(Invoice)
        .where(Invoice.member_id == member.id, Invoice.status.in_(("open", "partial")))
        .order_by(Invoice.invoice_on, Invoice.number)
    ).all()
    if (row is None or row.outstanding <= 0) and not invoices:
        return out
    receivable = receivable_account()
    if row is not None and row.outstanding > 0:
        out.append(
            Obligation(
                kind="shop_credit",
                label=_l("Shop credit"),
                amount=row.outstanding,
                reference=member.member_no,
                account_id=receivable.id,
                settle=_settle_credit(member.id),
            )
        )
    for inv in invoices:
        out.append(
            Obligation(
                kind="shop_invoice",
                label=_l("Shop invoice %(number)s", number=inv.number),
                amount=inv.balance,
                reference=inv.number,
                account_id=receivable.id,
                settle=_settle_invoice(inv.id),
            )
        )
    return out
