"""Savings services: products from the tenant's settings, accounts, deposits and withdrawals.

Every movement locks its account row (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises
writers), checks the product's rules, posts its journal entry through the ledger and inserts one
append-only `SavingsTransaction` with the new running balance, all in the caller's transaction.
Services flush and never commit. Journal sides (domain/savings.md section 6): money in is
`Dr kas/bank, Cr <control account of the kind>`; money out is the reverse.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select

from coopsaas.core import audit
from coopsaas.core.counters import next_number
from coopsaas.core.i18n import _l
from coopsaas.core.ids import uuid7
from coopsaas.core.money import MoneyError, format_rupiah, to_money
from coopsaas.errors import Conflict, InsufficientFunds, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import EntrySpec, Finding, LineSpec, balance_of, post_entry
from coopsaas.ledger.models import Account
from coopsaas.ledger.services import require_scope, today_for
from coopsaas.members.models import Member
from coopsaas.savings.models import (
    ADMISSION,
    BERJANGKA,
    CASH,
    CHANNELS,
    DEPOSIT,
    OPEN,
    POKOK,
    PRODUCT_KINDS,
    SUKARELA,
    TRANSFER,
    WAJIB,
    WITHDRAWAL,
    ZERO,
    SavingsAccount,
    SavingsProduct,
    SavingsTransaction,
)
from coopsaas.savings.wajib import WajibStatus, WajibTerms, wajib_status
from coopsaas.tenancy.models import Tenant

log = logging.getLogger(__name__)

SOURCE_TYPE = "savings_transaction"
POKOK_CODE, WAJIB_CODE = "POKOK", "WAJIB"
# Control accounts: found by their role tag in the tenant's chart, by code when a chart lacks it.
CONTROL_TAGS = {
    POKOK: ("simpanan_pokok", "3101"),
    WAJIB: ("simpanan_wajib", "3102"),
    SUKARELA: ("simpanan_sukarela", "2101"),
    BERJANGKA: ("simpanan_berjangka", "2102"),
}
CHANNEL_TAGS = {CASH: ("kas", "1101"), TRANSFER: ("bank", "1102")}
KIND_LABELS = {
    POKOK: _l("Simpanan pokok"),
    WAJIB: _l("Simpanan wajib"),
    SUKARELA: _l("Simpanan sukarela"),
    BERJANGKA: _l("Simpanan berjangka"),
}
KEY_MAX = 200
MEMO_MAX = 300


# ---- products ------------------------------------------------------------------------------------


def _product_definitions(tenant: Tenant) -> list[dict[str, Any]]:
    """The products `Tenant.settings` declares (tenants/README.md), in the shape of the table."""
    settings = tenant.settings or {}
    out: list[dict[str, Any]] = []
    equity = settings.get("savings") or {}
    if equity.get("pokok") is not None:
        out.append(
            {
                "code": POKOK_CODE,
                "name": "Simpanan Pokok",
                "kind": POKOK,
                "parameters": {"amount": str(equity["pokok"])},
            }
        )
    if equity.get("wajib") is not None:
        out.append(
            {
                "code": WAJIB_CODE,
                "name": "Simpanan Wajib",
                "kind": WAJIB,
                "parameters": {
                    "amount": str(equity["wajib"]),
                    "frequency": equity.get("wajib_frequency") or "MONTHLY",
                },
            }
        )
    for item in settings.get("savings_products") or []:
        # Sharia products (wadiah, mudharabah) have their own rules and feature.
        if item.get("kind") not in (SUKARELA, BERJANGKA):
            continue
        params = {k: v for k, v in item.items() if k not in ("code", "name", "kind")}
        if item["kind"] == BERJANGKA:
            params = _berjangka_params(params)
        out.append({"code": item["code"], "name": item["name"], "kind": item["kind"], "parameters": params})
    return out


def _berjangka_params(params: dict[str, Any]) -> dict[str, Any]:
    """The tenant file's spelling of time deposit keys in the names deposits.py reads."""
    out = dict(params)
    if "break_penalty_pct" in out:
        pct = out.pop("break_penalty_pct")
        out.setdefault("break_penalty_percent", "0" if pct is None else str(pct))
    if out.get("maturity_instruction") == "ROLLOVER_ALL":
        out["maturity_instruction"] = "ROLLOVER_WITH_INTEREST"
    return out


def ensure_products(tenant: Tenant, *, actor: Any = None) -> dict[str, SavingsProduct]:
    """Create the tenant's savings products its settings declare and the database lacks; never
    deletes one (accounts point at it). The settings seed a product once, when it is created:
    afterwards a manager changes it on the products page (coopsaas.savings.products), and a later
    `tenants sync` leaves it alone. Idempotent. Returns the products by code."""
    require_scope(tenant)
    existing = {p.code: p for p in db.session.scalars(select(SavingsProduct))}
    created: list[str] = []
    for d in _product_definitions(tenant):
        product = existing.get(d["code"])
        if product is None:
            product = SavingsProduct(
                id=uuid7(), code=d["code"], name=d["name"], kind=d["kind"], parameters=d["parameters"]
            )
            product.is_active = True
            db.session.add(product)
            existing[d["code"]] = product
            created.append(d["code"])
    if created:
        db.session.flush()
        audit.record(
            "savings.products.sync",
            actor=actor,
            target=tenant,
            target_type="tenant",
            summary={"created": created},
        )
    return existing


def product_param_money(product: SavingsProduct, key: str) -> Decimal:
    raw = (product.parameters or {}).get(key)
    if raw in (None, ""):
        return ZERO
    try:
        return to_money(str(raw))
    except MoneyError:
        log.warning("savings product %s: parameter %s is not an amount", product.code, key)
        return ZERO


def pokok_amount(tenant: Tenant) -> Decimal:
    """The simpanan pokok every new member pays (zero when the tenant declares none)."""
    product = ensure_products(tenant).get(POKOK_CODE)
    return product_param_money(product, "amount") if product is not None else ZERO


# ---- chart accounts ------------------------------------------------------------------------------


def _find_account(tag: str, code: str) -> Account | None:
    accounts = list(
        db.session.scalars(select(Account).where(Account.is_active.is_(True)).order_by(Account.code))
    )
    tagged = [a for a in accounts if tag in (a.tags or [])]
    if tagged:
        return tagged[0]
    return next((a for a in accounts if a.code == code), None)


def control_account(kind: str) -> Account:
    """The general-ledger account a savings kind posts to. Raises: ValidationError."""
    tag, code = CONTROL_TAGS[kind]
    account = _find_account(tag, code)
    if account is None:
        raise ValidationError(
            _l(
                "The chart of accounts has no account for %(kind)s (tag %(tag)s).",
                kind=KIND_LABELS[kind],
                tag=tag,
            )
        )
    return account


def channel_account(channel: str) -> Account:
    tag, code = CHANNEL_TAGS[channel]
    account = _find_account(tag, code)
    if account is None:
        raise ValidationError(_l("The chart of accounts has no cash or bank account (tag %(tag)s).", tag=tag))
    return account


# ---- accounts ------------------------------------------------------------------------------------


def open_account(
    *, tenant: Tenant, actor: Any, member: Member, product: SavingsProduct, on: date | None = None
) -> SavingsAccount:
    """Open an account of `product` for `member`, numbered `<product code>-000001` per product.

    Raises: Conflict (the member already has one of a one-per-member kind, or left the cooperative).
    """
    require_scope(tenant)
    if not member.is_active:
        raise Conflict(_l("Member %(no)s has left the cooperative.", no=member.member_no))
    if product.kind != BERJANGKA:
        already = db.session.scalars(
            select(SavingsAccount.id).where(
                SavingsAccount.member_id == member.id,
                SavingsAccount.product_id == product.id,
                SavingsAccount.status == OPEN,
            )
        ).first()
        if already is not None:
            raise Conflict(
                _l(
                    "Member %(no)s already has a %(product)s account.",
                    no=member.member_no,
                    product=product.name,
                )
            )
    number = next_number(f"savings:{product.code}")
    account = SavingsAccount(
        id=uuid7(),
        member_id=member.id,
        product_id=product.id,
        account_no=f"{product.code}-{number:06d}",
        status=OPEN,
        balance=ZERO,
        hold_amount=ZERO,
        opened_on=on or today_for(tenant),
    )
    db.session.add(account)
    db.session.flush()
    audit.record(
        "savings.account.open",
        actor=actor,
        target=account,
        summary={"account_no": account.account_no, "member_no": member.member_no, "product": product.code},
    )
    return account


def accounts_of(member: Member) -> list[SavingsAccount]:
    """The member's accounts, equity savings first (pokok, wajib, sukarela, berjangka)."""
    rows = list(
        db.session.execute(
            select(SavingsAccount, SavingsProduct)
            .join(
                SavingsProduct,
                (SavingsProduct.tenant_id == SavingsAccount.tenant_id)
                & (SavingsProduct.id == SavingsAccount.product_id),
            )
            .where(SavingsAccount.member_id == member.id)
        )
    )
    order = {k: i for i, k in enumerate(PRODUCT_KINDS)}
    rows.sort(key=lambda r: (order.get(r[1].kind, 9), r[0].account_no))
    return [account for account, _product in rows]


def available_balance(account: SavingsAccount) -> Decimal:
    """What may be withdrawn now: the balance less the product's minimum balance and any hold,
    never below zero. Pokok and wajib of an active member: nothing."""
    product = account.product
    if account.status != OPEN:
        return ZERO
    if product.kind in (POKOK, WAJIB) and account.member.is_active:
        return ZERO
    free = account.balance - product_param_money(product, "min_balance") - account.hold_amount
    return max(free, ZERO)


def transactions_query(account: SavingsAccount) -> Select[Any]:
    return (
        select(SavingsTransaction)
        .where(SavingsTransaction.account_id == account.id)
        .order_by(SavingsTransaction.created_at.desc(), SavingsTransaction.id.desc())
    )


def _lock(account: SavingsAccount) -> SavingsAccount:
    """Re-read the account with its row locked, so the balance checked is the one updated."""
    return db.session.scalars(
        select(SavingsAccount)
        .where(SavingsAccount.id == account.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


# ---- deposits and withdrawals --------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    amount: Decimal
    channel: str
    on: date
    key: str | None
    memo: str


def _check_input(
    tenant: Tenant,
    amount: object,
    channel: str,
    on: date | None,
    key: str | None,
    memo: str | None,
    check_date: bool = False,
) -> _Checked:
    try:
        money = to_money(amount)
    except MoneyError:
        message = _l("Enter an amount in rupiah with at most 2 decimals (sen).")
        raise ValidationError(message, fields={"amount": [message]}) from None
    if money <= 0:
        message = _l("The amount must be more than zero.")
        raise ValidationError(message, fields={"amount": [message]})
    if channel not in CHANNELS:
        message = _l("Choose cash or transfer.")
        raise ValidationError(message, fields={"channel": [message]})
    key = (key or "").strip() or None
    if key is not None and len(key) > KEY_MAX:
        message = _l("The idempotency key is longer than 200 characters.")
        raise ValidationError(message, fields={"idempotency_key": [message]})
    if check_date:  # a date typed by staff: the tenant's backdating limit (teller.py)
        from coopsaas.savings.teller import check_entry_date

        check_entry_date(tenant, on)
    return _Checked(money, channel, on or today_for(tenant), key, (memo or "").strip()[:MEMO_MAX])


def _replay(
    key: str | None, account: SavingsAccount, kind: str, amount: Decimal
) -> SavingsTransaction | None:
    """The transaction first recorded with `key`; the same key for another request is refused."""
    if key is None:
        return None
    first = db.session.scalars(
        select(SavingsTransaction).where(SavingsTransaction.idempotency_key == key)
    ).one_or_none()
    if first is None:
        return None
    if (first.account_id, first.kind, first.amount) != (account.id, kind, amount):
        message = _l("This form or key was already used for another transaction; start a new one.")
        raise ValidationError(message, fields={"idempotency_key": [message]}, code="idempotency_key_reused")
    return first


def _record(
    *,
    tenant: Tenant,
    actor: Any,
    account: SavingsAccount,
    kind: str,
    checked: _Checked,
    new_balance: Decimal,
    counter_account: Account | None = None,
) -> SavingsTransaction:
    """Post the entry, insert the transaction and move the balance, in that order: a refused
    posting (closed month, bad chart) leaves nothing behind. `counter_account` replaces kas/bank
    (e.g. the shop receivable when savings pay a member's shop credit)."""
    product, member = account.product, account.member
    if checked.channel == CASH and counter_account is None:  # a closed cash day takes no more cash
        from coopsaas.savings.teller import guard_cash

        guard_cash(tenant=tenant, actor=actor, on=checked.on)
    control = control_account(product.kind)
    cash = counter_account or channel_account(checked.channel)
    amount = checked.amount
    txn_id = uuid7()
    incoming = kind in (DEPOSIT, ADMISSION)
    label = {DEPOSIT: "Setoran", ADMISSION: "Setoran", WITHDRAWAL: "Penarikan"}.get(kind, kind)
    memo = f"{label} {product.name} {account.account_no} a.n. {member.member_no} {member.name}"
    if incoming:
        lines = [
            LineSpec(cash.id, debit=amount, member_id=member.id),
            LineSpec(control.id, credit=amount, member_id=member.id),
        ]
    else:
        lines = [
            LineSpec(control.id, debit=amount, member_id=member.id),
            LineSpec(cash.id, credit=amount, member_id=member.id),
        ]
    entry = post_entry(
        tenant=tenant,
        actor=actor,
        spec=EntrySpec(
            entry_on=checked.on,
            lines=lines,
            memo=memo[:500],
            series="KM" if incoming else "KK",
            source_type=SOURCE_TYPE,
            source_id=txn_id,
        ),
    )
    txn = SavingsTransaction(
        id=txn_id,
        account_id=account.id,
        kind=kind,
        channel=checked.channel,
        amount=amount,
        balance_after=new_balance,
        entry_on=checked.on,
        memo=checked.memo,
        journal_entry_id=entry.id,
        idempotency_key=checked.key,
        created_by_id=getattr(actor, "id", None),
    )
    account.balance = new_balance
    db.session.add(txn)
    db.session.flush()
    audit.record(
        f"savings.{kind}",
        actor=actor,
        target=txn,
        summary={
            "account_no": account.account_no,
            "member_no": member.member_no,
            "amount": str(amount),
            "balance_after": str(new_balance),
            "channel": checked.channel,
            "voucher_no": entry.voucher_no,
        },
    )
    return txn


def _refuse_closed(account: SavingsAccount) -> None:
    # An exited member's accounts are closed by the exit; name the reason staff can act on.
    if account.member.status == "exited":
        raise Conflict(
            _l("Member %(no)s has left the cooperative and cannot transact.", no=account.member.member_no),
            code="member_exited",
        )
    if account.status != OPEN:
        raise Conflict(_l("Savings account %(no)s is closed.", no=account.account_no), code="account_closed")


def deposit(
    *,
    tenant: Tenant,
    actor: Any,
    account: SavingsAccount,
    amount: object,
    channel: str = CASH,
    on: date | None = None,
    memo: str | None = None,
    idempotency_key: str | None = None,
    check_date: bool = False,
    _kind: str = DEPOSIT,
) -> SavingsTransaction:
    """Put money into `account` and post `Dr kas/bank / Cr <control>`. A repeated idempotency key
    returns the first transaction and posts nothing.

    Raises: ValidationError (amount not positive or with 3 decimals, bad channel, pokok paid twice,
    time deposit), Conflict (closed account), ClosedPeriodError (date in a closed month).
    """
    require_scope(tenant)
    checked = _check_input(tenant, amount, channel, on, idempotency_key, memo, check_date)
    account = _lock(account)
    first = _replay(checked.key, account, _kind, checked.amount)
    if first is not None:
        return first
    _refuse_closed(account)
    kind = account.product.kind
    if kind == BERJANGKA:
        raise ValidationError(
            _l("A time deposit is placed once, with its term; it takes no further deposits.")
        )
    if kind == POKOK:
        due = product_param_money(account.product, "amount") - account.balance
        if _kind != ADMISSION and due <= 0:
            raise ValidationError(_l("Simpanan pokok is paid once, on joining; it has been paid."))
        if checked.amount > due:
            message = _l("Simpanan pokok still due is %(due)s.", due=format_rupiah(max(due, ZERO)))
            raise ValidationError(message, fields={"amount": [message]})
    return _record(
        tenant=tenant,
        actor=actor,
        account=account,
        kind=_kind,
        checked=checked,
        new_balance=account.balance + checked.amount,
    )


def withdraw(
    *,
    tenant: Tenant,
    actor: Any,
    account: SavingsAccount,
    amount: object,
    channel: str = CASH,
    on: date | None = None,
    memo: str | None = None,
    idempotency_key: str | None = None,
    counter_account: Account | None = None,
    check_date: bool = False,
) -> SavingsTransaction:
    """Take money out of `account` and post `Dr <control> / Cr kas/bank`, at most the available
    balance (balance less minimum balance and holds). The account row stays locked until the
    caller commits, so concurrent withdrawals never overdraw it.

    Raises: ValidationError (amount), Conflict (closed account; pokok or wajib of an active member),
    InsufficientFunds, ClosedPeriodError.
    """
    require_scope(tenant)
    checked = _check_input(tenant, amount, channel, on, idempotency_key, memo, check_date)
    account = _lock(account)
    first = _replay(checked.key, account, WITHDRAWAL, checked.amount)
    if first is not None:
        return first
    _refuse_closed(account)
    product = account.product
    if product.kind in (POKOK, WAJIB) and account.member.is_active:
        raise Conflict(
            _l(
                "%(kind)s cannot be withdrawn while the person is a member; it is refunded on exit.",
                kind=KIND_LABELS[product.kind],
            ),
            code="not_withdrawable",
        )
    if product.kind == BERJANGKA:
        raise Conflict(
            _l("A time deposit is paid out at maturity or by an early break, not by a withdrawal."),
            code="not_withdrawable",
        )
    available = available_balance(account)
    if checked.amount > available:
        message = _l(
            "Only %(available)s can be withdrawn (balance %(balance)s, minimum balance %(minimum)s, "
            "held %(held)s).",
            available=format_rupiah(available, sen=available != available.to_integral_value()),
            balance=format_rupiah(account.balance),
            minimum=format_rupiah(product_param_money(product, "min_balance")),
            held=format_rupiah(account.hold_amount),
        )
        raise InsufficientFunds(message, fields={"amount": [message]})
    return _record(
        tenant=tenant,
        actor=actor,
        account=account,
        kind=WITHDRAWAL,
        checked=checked,
        new_balance=account.balance - checked.amount,
        counter_account=counter_account,
    )


def pay_admission(
    *,
    tenant: Tenant,
    actor: Any,
    account: SavingsAccount,
    channel: str = CASH,
    on: date | None = None,
    idempotency_key: str | None = None,
) -> SavingsTransaction:
    """Collect the simpanan pokok due on joining into the member's pokok account."""
    amount = product_param_money(account.product, "amount")
    return deposit(
        tenant=tenant,
        actor=actor,
        account=account,
        amount=amount,
        channel=channel,
        on=on,
        idempotency_key=idempotency_key,
        _kind=ADMISSION,
    )


def credit_from_entry(
    *, tenant: Tenant, actor: Any, account: SavingsAccount, amount: Decimal, entry: Any, memo: str = ""
) -> SavingsTransaction:
    """Record a deposit that another feature's journal entry already credits to the sukarela control
    account (a loan disbursed into savings): locks the account, moves its balance, posts nothing.
    Call it in the same transaction, right after `post_entry`.

    Raises: ValidationError (not a sukarela account, amount not positive), Conflict (closed account).
    """
    require_scope(tenant)
    amount = to_money(amount)
    account = _lock(account)
    _refuse_closed(account)
    if account.product.kind != SUKARELA or amount <= 0:
        raise ValidationError(_l("Only a positive amount can be credited to a sukarela account."))
    txn = SavingsTransaction(
        id=uuid7(),
        account_id=account.id,
        kind=DEPOSIT,
        channel="internal",
        amount=amount,
        balance_after=account.balance + amount,
        entry_on=entry.entry_on,
        memo=(memo or "")[:MEMO_MAX],
        journal_entry_id=entry.id,
        idempotency_key=f"entry:{entry.id}:{account.id}",
        created_by_id=getattr(actor, "id", None),
    )
    account.balance = txn.balance_after
    db.session.add(txn)
    db.session.flush()
    audit.record(
        "savings.deposit",
        actor=actor,
        target=txn,
        summary={"account_no": account.account_no, "amount": str(amount), "voucher_no": entry.voucher_no},
    )
    return txn


def debit_from_entry(
    *, tenant: Tenant, actor: Any, account: SavingsAccount, amount: Decimal, entry: Any, memo: str = ""
) -> SavingsTransaction:
    """Record a withdrawal that another feature's journal entry already debits to the sukarela
    control account (a loan instalment paid from savings): locks the account, checks the available
    balance, moves it, posts nothing. Call it in the same transaction, right after `post_entry`.

    Raises: ValidationError (not a sukarela account, amount not positive), Conflict (closed account),
    InsufficientFunds.
    """
    require_scope(tenant)
    amount = to_money(amount)
    account = _lock(account)
    _refuse_closed(account)
    if account.product.kind != SUKARELA or amount <= 0:
        raise ValidationError(_l("Only a positive amount can be taken from a sukarela account."))
    available = available_balance(account)
    if amount > available:
        message = _l(
            "Only %(available)s can be taken from savings account %(no)s.",
            available=format_rupiah(available, sen=available != available.to_integral_value()),
            no=account.account_no,
        )
        raise InsufficientFunds(message, fields={"amount": [message]})
    txn = SavingsTransaction(
        id=uuid7(),
        account_id=account.id,
        kind=WITHDRAWAL,
        channel="internal",
        amount=amount,
        balance_after=account.balance - amount,
        entry_on=entry.entry_on,
        memo=(memo or "")[:MEMO_MAX],
        journal_entry_id=entry.id,
        idempotency_key=f"entry:{entry.id}:{account.id}:out",
        created_by_id=getattr(actor, "id", None),
    )
    account.balance = txn.balance_after
    db.session.add(txn)
    db.session.flush()
    audit.record(
        "savings.withdrawal",
        actor=actor,
        target=txn,
        summary={"account_no": account.account_no, "amount": str(amount), "voucher_no": entry.voucher_no},
    )
    return txn


# ---- sub-ledger check ----------------------------------------------------------------------------

FAR_FUTURE = date(9998, 12, 31)  # the ledger computes the next month's first day from it


def balances_by_kind() -> dict[str, Decimal]:
    """Sum of account balances per product kind, for the kinds that have at least one account."""
    rows = db.session.execute(
        select(SavingsProduct.kind, func.coalesce(func.sum(SavingsAccount.balance), ZERO))
        .join(
            SavingsProduct,
            (SavingsProduct.tenant_id == SavingsAccount.tenant_id)
            & (SavingsProduct.id == SavingsAccount.product_id),
        )
        .group_by(SavingsProduct.kind)
    )
    return {kind: to_money(total) for kind, total in rows}


def subledger_findings(tenant: Tenant) -> Iterable[Finding]:
    """Verify hook: per savings kind, the sum of account balances equals its control account
    (every line counted, future-dated ones too, as the running balances count them).

    A kind without any member account is not checked: its sub-ledger is not in use yet (books
    started from an opening trial balance, members still to be loaded)."""
    require_scope(tenant)
    totals = balances_by_kind()
    findings: list[Finding] = []
    for kind in PRODUCT_KINDS:
        if kind not in totals:
            continue
        tag, code = CONTROL_TAGS[kind]
        account = _find_account(tag, code)
        sub = totals.get(kind, ZERO)
        if account is None:
            if sub != 0:
                message = _l(
                    "%(kind)s accounts hold %(sub)s but the chart has no control account for them.",
                    kind=KIND_LABELS[kind],
                    sub=format_rupiah(sub, sen=True),
                )
                findings.append(Finding("savings_control_missing", str(message), details={"kind": kind}))
            continue
        gl = balance_of(account, FAR_FUTURE)
        if gl != sub:
            message = _l(
                "%(kind)s: member accounts total %(sub)s but account %(code)s shows %(gl)s "
                "(difference %(diff)s).",
                kind=KIND_LABELS[kind],
                sub=format_rupiah(sub, sen=True),
                code=account.code,
                gl=format_rupiah(gl, sen=True),
                diff=format_rupiah(abs(gl - sub), sen=True),
            )
            details = {"kind": kind, "savings": str(sub), "ledger": str(gl), "account": account.code}
            findings.append(Finding("savings_subledger_mismatch", str(message), details=details))
    return findings


def wajib_arrears(tenant: Tenant, account: SavingsAccount, as_of: date | None = None) -> WajibStatus:
    """Simpanan wajib owed since joining, paid, and in arrears (*tunggakan*) at `as_of` (default
    today), at the product's current monthly amount (amount history is not kept yet)."""
    require_scope(tenant)
    member = account.member
    amount = product_param_money(account.product, "amount")
    terms = WajibTerms(amounts=((member.joined_on, amount),))
    payments = [
        (t.entry_on, t.signed_amount)
        for t in db.session.scalars(
            select(SavingsTransaction).where(SavingsTransaction.account_id == account.id)
        )
        if t.signed_amount > 0
    ]
    return wajib_status(
        joined_on=member.joined_on, terms=terms, payments=payments, as_of=as_of or today_for(tenant)
    )
