"""Month-end interest, tax and admin fee on *simpanan sukarela* (domain/savings.md sections 3 and 5).

For every open sukarela account the month's end-of-day balances are rebuilt from its
`SavingsTransaction` rows (the opening balance is the current balance less everything dated on or
after the 1st; the month's changes are the daily sums of signed amounts, so a backdated deposit
counts on its own date), the product's method gives the interest (interest.py), tax is withheld
per member per month (tax.py, `withhold_member_month`) and the product's monthly `admin_fee` is
charged last.

Posting, set-based and batched: accounts are taken in batches of about `BATCH_SIZE` (100), ordered by
member so one member's accounts share a batch (the tax threshold is per member). Each batch
locks its account rows, reads the transactions of those accounts with two aggregate queries and
posts **one journal entry** dated the month's last day:

- per account, lines carrying `member_id`: `Dr 5101 gross`, `Cr 2101 gross` (the interest),
  `Dr 2101 tax`, `Dr 2101 fee`; each 2101 line mirrors one `SavingsTransaction` (kinds interest,
  tax, fee) that points at the entry, so the sub-ledger equals the control account line by line;
- per batch: `Cr 2122 utang pajak` (all the batch's tax) and `Cr <fee income>` (all its fees).

The fee income account is the one tagged `pendapatan_admin_simpanan`, else the one tagged
`pendapatan_lain` (4901 Pendapatan lain-lain in the standard chart), else code 4901.

Once only: the job's JobRun row guards the month, and every transaction carries the
idempotency key `month-end:<YYYY-MM>:<account id>:<kind>`; accounts that already hold one for
the month are skipped, so a rerun, or a retry after a crash (whose writes rolled back whole),
posts nothing twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select

from coopsaas.core.i18n import _l
from coopsaas.core.ids import uuid7
from coopsaas.core.money import to_money
from coopsaas.errors import ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import EntrySpec, LineSpec, post_entry
from coopsaas.ledger.models import Account
from coopsaas.ledger.services import require_scope
from coopsaas.savings import services as savings
from coopsaas.savings.interest import (
    AdminFeeShortfall,
    DayCount,
    InterestMethod,
    SukarelaTerms,
    admin_fee_charge,
    month_days,
    sukarela_interest,
)
from coopsaas.savings.models import (
    FEE,
    INTEREST,
    OPEN,
    OUTGOING,
    SUKARELA,
    TAX,
    ZERO,
    SavingsAccount,
    SavingsProduct,
    SavingsTransaction,
)
from coopsaas.savings.tax import DEFAULT_RULES, SavingsTaxRule, rule_on, withhold_member_month
from coopsaas.tenancy.models import Tenant

# About 200 journal lines per entry: PostgreSQL's deferred balance trigger sums the whole entry
# once per inserted line at commit, so its cost grows with the square of an entry's size, while
# smaller entries add per-entry work (voucher counter, audit event). 100 measured best (bench/).
BATCH_SIZE = 100
SOURCE_TYPE = "savings_month_end"
KEY_PREFIX = "month-end"
TAX_TAGS = ("utang_pajak", "2122")
INTEREST_EXPENSE_TAGS = ("beban_jasa_sukarela", "5101")
FEE_INCOME_TAGS = ("pendapatan_admin_simpanan", "pendapatan_lain")
FEE_INCOME_CODE = "4901"
INTERNAL = "internal"

# (member id) -> (gross, tax) of savings interest already paid that month by other postings
PriorInterest = dict[Any, tuple[Decimal, Decimal]]


@dataclass
class MonthEndResult:
    period: str
    accounts: int = 0  # accounts posted in this run
    skipped: int = 0  # already posted for the month
    interest: Decimal = ZERO
    tax: Decimal = ZERO
    fees: Decimal = ZERO
    entries: list[Any] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"savings month-end {self.period}: {self.accounts} accounts, interest {self.interest}, "
            f"tax {self.tax}, fees {self.fees}, {len(self.entries)} entries, {self.skipped} already posted"
        )


@dataclass(frozen=True)
class AccountPosting:
    """What month-end does to one account; amounts in rupiah, zero when nothing is posted."""

    account: SavingsAccount
    gross: Decimal
    tax: Decimal
    fee: Decimal


def product_terms(product: SavingsProduct) -> SukarelaTerms:
    """The interest settings of a sukarela product from its parameters (tenants/README.md).

    Raises: ValidationError naming the product when a parameter is not usable."""
    params = product.parameters or {}

    def dec(key: str, default: str) -> Decimal:
        raw = params.get(key)
        return Decimal(str(default if raw in (None, "") else raw))

    try:
        return SukarelaTerms(
            rate_pa=dec("rate_pa", "0"),
            method=InterestMethod(str(params.get("interest_method") or InterestMethod.LOWEST_BALANCE)),
            day_count=DayCount(str(params.get("day_count") or DayCount.ACT_365)),
            min_balance_for_interest=to_money(dec("min_balance_for_interest", "0")),
            admin_fee=to_money(dec("admin_fee", "0")),
            admin_fee_shortfall=AdminFeeShortfall(
                str(params.get("admin_fee_shortfall") or AdminFeeShortfall.CHARGE_AVAILABLE)
            ),
        )
    except (ValueError, ArithmeticError, ValidationError) as exc:
        raise ValidationError(
            _l(
                "Savings product %(code)s has an unusable interest setting: %(problem)s",
                code=product.code,
                problem=str(getattr(exc, "message", exc)),
            )
        ) from exc


def _account_for(tags: Sequence[str], code: str) -> Account | None:
    accounts = list(
        db.session.scalars(select(Account).where(Account.is_active.is_(True)).order_by(Account.code))
    )
    for tag in tags:
        tagged = [a for a in accounts if tag in (a.tags or [])]
        if tagged:
            return tagged[0]
    return next((a for a in accounts if a.code == code), None)


def _required_account(tags: Sequence[str], code: str, role: str) -> Account:
    account = _account_for(tags, code)
    if account is None:
        raise ValidationError(
            _l("The chart of accounts has no account for %(role)s (code %(code)s).", role=role, code=code)
        )
    return account


def fee_income_account() -> Account:
    """Where admin fees go: tag `pendapatan_admin_simpanan`, else `pendapatan_lain`, else 4901."""
    return _required_account(FEE_INCOME_TAGS, FEE_INCOME_CODE, "admin fee income")


def idempotency_key(period: str, account_id: Any, kind: str) -> str:
    return f"{KEY_PREFIX}:{period}:{account_id}:{kind}"


def _posted_accounts(period: str) -> set[str]:
    prefix = f"{KEY_PREFIX}:{period}:"
    keys = db.session.scalars(
        select(SavingsTransaction.idempotency_key).where(
            SavingsTransaction.idempotency_key.like(prefix + "%")
        )
    )
    return {key[len(prefix) :].split(":")[0] for key in keys if key}


def _signed() -> Any:
    return case(
        (SavingsTransaction.kind.in_(sorted(OUTGOING)), -SavingsTransaction.amount),
        else_=SavingsTransaction.amount,
    )


def _history(
    account_ids: list[Any], first_day: date, last_day: date
) -> tuple[dict[Any, Decimal], dict[Any, list[tuple[date, Decimal]]]]:
    """Per account: the signed sum dated on or after `first_day`, and the month's daily sums."""
    signed = _signed()
    from_first: dict[Any, Any] = dict(
        db.session.execute(
            select(SavingsTransaction.account_id, func.sum(signed))
            .where(SavingsTransaction.account_id.in_(account_ids), SavingsTransaction.entry_on >= first_day)
            .group_by(SavingsTransaction.account_id)
        ).all()
    )
    daily: dict[Any, list[tuple[date, Decimal]]] = defaultdict(list)
    rows = db.session.execute(
        select(SavingsTransaction.account_id, SavingsTransaction.entry_on, func.sum(signed))
        .where(
            SavingsTransaction.account_id.in_(account_ids),
            SavingsTransaction.entry_on >= first_day,
            SavingsTransaction.entry_on <= last_day,
        )
        .group_by(SavingsTransaction.account_id, SavingsTransaction.entry_on)
        .order_by(SavingsTransaction.account_id, SavingsTransaction.entry_on)
    )
    for account_id, on, total in rows:
        daily[account_id].append((on, to_money(total)))  # type: ignore[arg-type]
    return {k: to_money(v) for k, v in from_first.items()}, daily


def compute_batch(
    accounts: Sequence[SavingsAccount],
    terms_by_product: dict[Any, SukarelaTerms],
    year: int,
    month: int,
    rule: SavingsTaxRule,
    prior: PriorInterest | None = None,
) -> list[AccountPosting]:
    """Interest, tax and fee of each account (no writes). `accounts` hold every account of each
    of their members, so the per-member tax threshold sees all of a member's interest."""
    first_day, last_day = month_days(year, month)
    from_first, daily = _history([a.id for a in accounts], first_day, last_day)
    gross: dict[Any, Decimal] = {}
    for account in accounts:
        opening = account.balance - from_first.get(account.id, ZERO)
        running, changes = opening, []
        for on, delta in daily.get(account.id, []):
            running += delta
            changes.append((on, running))
        result = sukarela_interest(
            year=year,
            month=month,
            opening_balance=max(opening, ZERO),
            changes=[(on, max(b, ZERO)) for on, b in changes],
            terms=terms_by_product[account.product_id],
            opened_on=account.opened_on if account.opened_on > first_day else None,
        )
        gross[account.id] = result.interest

    taxes: dict[Any, Decimal] = {}
    by_member: dict[Any, list[SavingsAccount]] = defaultdict(list)
    for account in accounts:
        by_member[account.member_id].append(account)
    for member_id, own in by_member.items():
        taxes.update(_member_taxes(own, gross, rule, (prior or {}).get(member_id)))

    out = []
    for account in accounts:
        after_interest = account.balance + gross[account.id] - taxes[account.id]
        charge = admin_fee_charge(after_interest, terms_by_product[account.product_id])
        out.append(AccountPosting(account, gross[account.id], taxes[account.id], charge.charged))
    return out


def _member_taxes(
    own: list[SavingsAccount],
    gross: dict[Any, Decimal],
    rule: SavingsTaxRule,
    prior: tuple[Decimal, Decimal] | None,
) -> dict[Any, Decimal]:
    """Tax per account for one member. Interest already paid this month (a time deposit's payout)
    joins the threshold test; the tax already withheld on it is not taken again."""
    credits = [gross[a.id] for a in own]
    if prior is None or prior[0] == ZERO:
        shares = [w.tax for w in withhold_member_month(credits, rule)]
    else:
        combined = withhold_member_month([prior[0], *credits], rule)
        due = max(sum((w.tax for w in combined), ZERO) - prior[1], ZERO)
        shares = [w.tax for w in combined[1:]]
        if credits and sum(shares, ZERO) != due:
            largest = max(range(len(credits)), key=lambda i: credits[i])
            shares[largest] = max(shares[largest] + due - sum(shares, ZERO), ZERO)
    return {a.id: share for a, share in zip(own, shares, strict=True)}


def _batches(accounts: list[SavingsAccount], size: int) -> list[list[SavingsAccount]]:
    """Batches of about `size` accounts that never split a member's accounts."""
    out: list[list[SavingsAccount]] = []
    current: list[SavingsAccount] = []
    for account in accounts:
        if len(current) >= size and current[-1].member_id != account.member_id:
            out.append(current)
            current = []
        current.append(account)
    if current:
        out.append(current)
    return out


def _lock_batch(ids: list[Any]) -> list[SavingsAccount]:
    return list(
        db.session.scalars(
            select(SavingsAccount)
            .where(SavingsAccount.id.in_(ids))
            .order_by(SavingsAccount.member_id, SavingsAccount.account_no)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def post_batch(
    *,
    tenant: Tenant,
    actor: Any,
    postings: Sequence[AccountPosting],
    period: str,
    last_day: date,
    accounts: dict[str, Account],
) -> Any | None:
    """Post one batch: one journal entry, its savings transactions, the new balances."""
    lines: list[LineSpec] = []
    txns: list[SavingsTransaction] = []
    total_tax = total_fee = ZERO
    control, expense = accounts["control"], accounts["expense"]
    for p in postings:
        member_id = p.account.member_id
        balance = p.account.balance
        for kind, amount in ((INTEREST, p.gross), (TAX, p.tax), (FEE, p.fee)):
            if amount <= 0:
                continue
            balance = balance - amount if kind in OUTGOING else balance + amount
            if kind == INTEREST:
                lines.append(LineSpec(expense.id, debit=amount, member_id=member_id))
                lines.append(LineSpec(control.id, credit=amount, member_id=member_id))
            else:
                lines.append(LineSpec(control.id, debit=amount, member_id=member_id))
                total_tax += amount if kind == TAX else ZERO
                total_fee += amount if kind == FEE else ZERO
            txns.append(
                SavingsTransaction(
                    id=uuid7(),
                    account_id=p.account.id,
                    kind=kind,
                    channel=INTERNAL,
                    amount=amount,
                    balance_after=balance,
                    entry_on=last_day,
                    memo=f"{_MEMOS[kind]} {period}",
                    journal_entry_id=None,  # set below, once the entry exists
                    idempotency_key=idempotency_key(period, p.account.id, kind),
                )
            )
    if not txns:
        return None
    if total_tax > 0:
        lines.append(LineSpec(accounts["tax"].id, credit=total_tax))
    if total_fee > 0:
        lines.append(LineSpec(accounts["fee"].id, credit=total_fee))
    entry = post_entry(
        tenant=tenant,
        actor=actor,
        spec=EntrySpec(
            entry_on=last_day,
            lines=lines,
            memo=f"Jasa simpanan sukarela, pajak dan biaya administrasi {period}",
            series="JM",
            source_type=SOURCE_TYPE,
        ),
    )
    for txn in txns:
        txn.journal_entry_id = entry.id
    for p in postings:
        p.account.balance = p.account.balance + p.gross - p.tax - p.fee
    db.session.add_all(txns)
    db.session.flush()
    return entry


_MEMOS = {INTEREST: "Jasa simpanan", TAX: "Pajak jasa simpanan", FEE: "Biaya administrasi"}


def run_month_end(
    *,
    tenant: Tenant,
    actor: Any,
    year: int,
    month: int,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int | None = None,
    tax_rules: Sequence[SavingsTaxRule] = DEFAULT_RULES,
    prior: PriorInterest | None = None,
) -> MonthEndResult:
    """Post the month's interest, tax and admin fees of every open sukarela account of `tenant`.

    Flushes, never commits. Accounts already posted for the month are skipped.
    Raises: ValidationError (chart or product settings unusable), ClosedPeriodError (month closed).
    """
    require_scope(tenant)
    _first_day, last_day = month_days(year, month)
    period = f"{year:04d}-{month:02d}"
    result = MonthEndResult(period=period)
    products = list(db.session.scalars(select(SavingsProduct).where(SavingsProduct.kind == SUKARELA)))
    terms = {p.id: product_terms(p) for p in products}
    if not terms:
        return result
    chart = {
        "control": savings.control_account(SUKARELA),
        "expense": _required_account(
            INTEREST_EXPENSE_TAGS[:1], INTEREST_EXPENSE_TAGS[1], "beban jasa simpanan sukarela"
        ),
        "tax": _required_account(TAX_TAGS[:1], TAX_TAGS[1], "utang pajak"),
    }
    fee_account = _account_for(FEE_INCOME_TAGS, FEE_INCOME_CODE)
    rule = rule_on(tax_rules, last_day)

    rows = db.session.execute(
        select(SavingsAccount.id, SavingsAccount.member_id)
        .where(
            SavingsAccount.product_id.in_(list(terms)),
            SavingsAccount.status == OPEN,
            SavingsAccount.opened_on <= last_day,
        )
        .order_by(SavingsAccount.member_id, SavingsAccount.account_no)
    ).all()
    done_already = _posted_accounts(period)
    todo = [r for r in rows if str(r.id) not in done_already]
    result.skipped = len(rows) - len(todo)
    total = len(todo)
    if progress:
        progress(0, total)
    done = 0
    for batch in _batches(todo, batch_size or BATCH_SIZE):  # type: ignore[arg-type]
        locked = _lock_batch([r.id for r in batch])
        postings = compute_batch(locked, terms, year, month, rule, prior)
        if any(p.fee > 0 for p in postings):
            if fee_account is None:
                fee_account = fee_income_account()
            chart["fee"] = fee_account
        entry = post_batch(
            tenant=tenant, actor=actor, postings=postings, period=period, last_day=last_day, accounts=chart
        )
        if entry is not None:
            result.entries.append(entry)
        result.accounts += len(batch)
        result.interest += sum((p.gross for p in postings), ZERO)
        result.tax += sum((p.tax for p in postings), ZERO)
        result.fees += sum((p.fee for p in postings), ZERO)
        done += len(batch)
        if progress:
            progress(done, total)
    return result
